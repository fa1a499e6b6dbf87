package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the gametable binary, parsed once from the
// environment (and flags, which win) and passed down explicitly. Every field
// has a documented default; README.md lists them.
type Config struct {
	DatabaseURL string // DATABASE_URL; empty: run a local PostgreSQL under DataDir
	Addr        string // GAMETABLE_ADDR, --addr
	DataDir     string // GAMETABLE_DATA_DIR
	BaseURL     string // GAMETABLE_BASE_URL; default http://<Addr>

	SMTPURL  string // GAMETABLE_SMTP_URL; empty: mails go to the log
	MailFrom string // GAMETABLE_MAIL_FROM

	LLMBaseURL        string // GAMETABLE_LLM_BASE_URL; empty: no language model
	LLMAPIKey         string // GAMETABLE_LLM_API_KEY
	LLMModel          string // GAMETABLE_LLM_MODEL
	EmbeddingsBaseURL string // GAMETABLE_EMBEDDINGS_BASE_URL; empty: the offline embedder
	EmbeddingsAPIKey  string // GAMETABLE_EMBEDDINGS_API_KEY
	EmbeddingsModel   string // GAMETABLE_EMBEDDINGS_MODEL

	WSRate       float64 // GAMETABLE_WS_RATE, commands per second per connection; 0 disables
	WSBurst      int     // GAMETABLE_WS_BURST; 0 disables
	WSMaxPerUser int     // GAMETABLE_WS_MAX_PER_USER; 0 disables

	// ChatPerMinute is GAMETABLE_CHAT_PER_MINUTE: rules-chat questions per
	// minute per user (bursts of as many); 0 disables, as for the live
	// limits. See chatLimit for apphttp.Options.
	ChatPerMinute int
	// SignupPerHour is GAMETABLE_SIGNUP_PER_HOUR: accounts one client
	// address may create per hour; 0 disables (load tests).
	SignupPerHour int
	// TrustedProxies is GAMETABLE_TRUSTED_PROXIES: comma-separated
	// addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For
	// names the client for throttling.
	TrustedProxies []netip.Prefix

	UploadMaxBytes  int64         // GAMETABLE_UPLOAD_MAX_BYTES
	SessionIdle     time.Duration // GAMETABLE_SESSION_IDLE_TIMEOUT
	SessionLifetime time.Duration // GAMETABLE_SESSION_LIFETIME

	LogFormat string     // GAMETABLE_LOG_FORMAT: auto, text or json
	LogLevel  slog.Level // GAMETABLE_LOG_LEVEL: debug, info, warn, error
}

// configError is a configuration mistake: the binary exits 2 with one line.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func badConfig(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

// defaultConfig holds the documented defaults.
func defaultConfig() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "./.gametable",
		MailFrom:        "gametable <noreply@localhost>",
		EmbeddingsModel: "",
		WSRate:          10,
		WSBurst:         20,
		WSMaxPerUser:    10,
		ChatPerMinute:   10,
		SignupPerHour:   10,
		UploadMaxBytes:  50 << 20,
		SessionIdle:     7 * 24 * time.Hour,
		SessionLifetime: 30 * 24 * time.Hour,
		LogFormat:       "auto",
		LogLevel:        slog.LevelInfo,
	}
}

// loadConfig reads the environment through getenv, then applies the flags
// that fs defines (fs may be nil), then validates.
func loadConfig(getenv func(string) string, fs *flag.FlagSet, args []string) (Config, error) {
	c := defaultConfig()
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	var errs []string
	num := func(name string, dst *int) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				errs = append(errs, fmt.Sprintf("%s=%q is not a whole number >= 0", name, v))
				return
			}
			*dst = n
		}
	}
	dur := func(name string, dst *time.Duration) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Sprintf("%s=%q is not a positive duration such as 168h", name, v))
				return
			}
			*dst = d
		}
	}
	str("DATABASE_URL", &c.DatabaseURL)
	str("GAMETABLE_ADDR", &c.Addr)
	str("GAMETABLE_DATA_DIR", &c.DataDir)
	str("GAMETABLE_BASE_URL", &c.BaseURL)
	str("GAMETABLE_SMTP_URL", &c.SMTPURL)
	str("GAMETABLE_MAIL_FROM", &c.MailFrom)
	str("GAMETABLE_LLM_BASE_URL", &c.LLMBaseURL)
	str("GAMETABLE_LLM_API_KEY", &c.LLMAPIKey)
	str("GAMETABLE_LLM_MODEL", &c.LLMModel)
	str("GAMETABLE_EMBEDDINGS_BASE_URL", &c.EmbeddingsBaseURL)
	str("GAMETABLE_EMBEDDINGS_API_KEY", &c.EmbeddingsAPIKey)
	str("GAMETABLE_EMBEDDINGS_MODEL", &c.EmbeddingsModel)
	str("GAMETABLE_LOG_FORMAT", &c.LogFormat)
	if v := strings.TrimSpace(getenv("GAMETABLE_WS_RATE")); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			errs = append(errs, fmt.Sprintf("GAMETABLE_WS_RATE=%q is not a number >= 0", v))
		} else {
			c.WSRate = f
		}
	}
	num("GAMETABLE_WS_BURST", &c.WSBurst)
	num("GAMETABLE_WS_MAX_PER_USER", &c.WSMaxPerUser)
	num("GAMETABLE_CHAT_PER_MINUTE", &c.ChatPerMinute)
	num("GAMETABLE_SIGNUP_PER_HOUR", &c.SignupPerHour)
	if v := strings.TrimSpace(getenv("GAMETABLE_TRUSTED_PROXIES")); v != "" {
		proxies, err := parsePrefixes(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("GAMETABLE_TRUSTED_PROXIES=%q: %v", v, err))
		} else {
			c.TrustedProxies = proxies
		}
	}
	if v := strings.TrimSpace(getenv("GAMETABLE_UPLOAD_MAX_BYTES")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Sprintf("GAMETABLE_UPLOAD_MAX_BYTES=%q is not a positive whole number", v))
		} else {
			c.UploadMaxBytes = n
		}
	}
	dur("GAMETABLE_SESSION_IDLE_TIMEOUT", &c.SessionIdle)
	dur("GAMETABLE_SESSION_LIFETIME", &c.SessionLifetime)
	if v := strings.TrimSpace(getenv("GAMETABLE_LOG_LEVEL")); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Sprintf("GAMETABLE_LOG_LEVEL=%q is not one of debug, info, warn, error", v))
		}
	}
	if len(errs) > 0 {
		return c, badConfig("%s", strings.Join(errs, "; "))
	}
	if fs != nil {
		if fs.Lookup("addr") != nil {
			addr := fs.Lookup("addr")
			addr.DefValue = c.Addr
			_ = addr.Value.Set(c.Addr)
		}
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return c, err // the usage is printed; main exits 0
			}
			return c, badConfig("%v", err)
		}
		if f := fs.Lookup("addr"); f != nil {
			c.Addr = f.Value.String()
		}
	}
	return c, c.validate()
}

func (c *Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return badConfig("GAMETABLE_ADDR=%q is not HOST:PORT: %v", c.Addr, err)
	}
	if c.BaseURL == "" {
		host, port, _ := net.SplitHostPort(c.Addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return badConfig("GAMETABLE_BASE_URL=%q must be an absolute http or https URL", c.BaseURL)
	}
	if c.DatabaseURL != "" {
		if _, err := url.Parse(c.DatabaseURL); err != nil && !strings.Contains(c.DatabaseURL, "=") {
			return badConfig("DATABASE_URL is not a valid connection string")
		}
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return badConfig("GAMETABLE_SMTP_URL must look like smtp://user:pass@host:port")
		}
	}
	for name, v := range map[string]string{"GAMETABLE_LLM_BASE_URL": c.LLMBaseURL, "GAMETABLE_EMBEDDINGS_BASE_URL": c.EmbeddingsBaseURL} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return badConfig("%s=%q must be an absolute http or https URL", name, v)
		}
	}
	if c.LLMBaseURL != "" && c.LLMModel == "" {
		return badConfig("GAMETABLE_LLM_MODEL must be set when GAMETABLE_LLM_BASE_URL is")
	}
	if c.EmbeddingsBaseURL != "" && c.EmbeddingsModel == "" {
		return badConfig("GAMETABLE_EMBEDDINGS_MODEL must be set when GAMETABLE_EMBEDDINGS_BASE_URL is")
	}
	switch c.LogFormat {
	case "auto", "text", "json":
	default:
		return badConfig("GAMETABLE_LOG_FORMAT=%q is not one of auto, text, json", c.LogFormat)
	}
	if c.SessionLifetime < c.SessionIdle {
		return badConfig("GAMETABLE_SESSION_LIFETIME (%s) must not be shorter than GAMETABLE_SESSION_IDLE_TIMEOUT (%s)", c.SessionLifetime, c.SessionIdle)
	}
	return nil
}

// LogValue redacts secrets so the config can be logged at start-up.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("database", redactURL(c.DatabaseURL, "local PostgreSQL")),
		slog.String("addr", c.Addr),
		slog.String("data_dir", c.DataDir),
		slog.String("base_url", c.BaseURL),
		slog.String("smtp", redactURL(c.SMTPURL, "log only")),
		slog.String("llm", redactURL(c.LLMBaseURL, "none")),
		slog.Bool("llm_api_key_set", c.LLMAPIKey != ""),
		slog.String("embeddings", redactURL(c.EmbeddingsBaseURL, "offline")),
		slog.Float64("ws_rate", c.WSRate),
		slog.Int("ws_burst", c.WSBurst),
		slog.Int("ws_max_per_user", c.WSMaxPerUser),
		slog.Int("chat_per_minute", c.ChatPerMinute),
		slog.Int("signup_per_hour", c.SignupPerHour),
		slog.Any("trusted_proxies", c.TrustedProxies),
	)
}

// chatLimit is ChatPerMinute as apphttp.Options.ChatPerMinute takes it:
// there 0 means the default and a negative number disables the limit,
// while the environment follows the contract's rule that 0 disables.
func (c Config) chatLimit() int {
	if c.ChatPerMinute == 0 {
		return -1
	}
	return c.ChatPerMinute
}

// signupLimit is SignupPerHour as apphttp.Options.SignupPerHour takes it
// (0 there is the default, negative disables), like chatLimit.
func (c Config) signupLimit() int {
	if c.SignupPerHour == 0 {
		return -1
	}
	return c.SignupPerHour
}

// parsePrefixes reads a comma-separated list of IP addresses (taken as
// single-address prefixes) and CIDR prefixes.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or CIDR prefix", item)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR prefix", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// redactURL hides the password of a URL; a value it cannot parse is hidden whole.
func redactURL(s, empty string) string {
	if s == "" {
		return empty
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		if strings.Contains(s, "password") {
			return "(redacted)"
		}
		return s
	}
	return u.Redacted()
}

var errUsage = errors.New("usage")
