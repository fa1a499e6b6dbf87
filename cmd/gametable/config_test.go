package main

import (
	"errors"
	"flag"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig_Defaults(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(envFrom(nil), nil, nil)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", c.Addr)
	require.Equal(t, "./.gametable", c.DataDir)
	require.Equal(t, "http://127.0.0.1:8080", c.BaseURL)
	require.Equal(t, 10.0, c.WSRate)
	require.Equal(t, 20, c.WSBurst)
	require.Equal(t, 10, c.WSMaxPerUser)
	require.Equal(t, 10, c.ChatPerMinute)
	require.Equal(t, 10, c.chatLimit())
	require.Equal(t, 10, c.SignupPerHour)
	require.Equal(t, 10, c.signupLimit())
	require.Empty(t, c.TrustedProxies)
	require.Equal(t, int64(50<<20), c.UploadMaxBytes)
	require.Equal(t, 7*24*time.Hour, c.SessionIdle)
	require.Equal(t, 30*24*time.Hour, c.SessionLifetime)
	require.Equal(t, slog.LevelInfo, c.LogLevel)
}

func TestLoadConfig_EnvAndFlags(t *testing.T) {
	t.Parallel()
	env := envFrom(map[string]string{
		"GAMETABLE_ADDR":            "0.0.0.0:9000",
		"GAMETABLE_WS_RATE":         "0",
		"GAMETABLE_WS_MAX_PER_USER": "0",
		"GAMETABLE_CHAT_PER_MINUTE": "0",
		"GAMETABLE_SIGNUP_PER_HOUR": "0",
		"GAMETABLE_TRUSTED_PROXIES": " 10.0.0.1, 192.168.7.9/16,::1 ,fd00::/8",
		"GAMETABLE_BASE_URL":        "https://table.example.org/",
		"GAMETABLE_LOG_LEVEL":       "debug",
	})
	c, err := loadConfig(env, nil, nil)
	require.NoError(t, err)
	require.Equal(t, "0.0.0.0:9000", c.Addr)
	require.Equal(t, 0.0, c.WSRate)
	require.Equal(t, 0, c.WSMaxPerUser)
	require.Equal(t, 0, c.ChatPerMinute)
	require.Negative(t, c.chatLimit(), "0 disables the limit; apphttp.Options takes a negative number for that")
	require.Negative(t, c.signupLimit(), "0 disables the sign-up limit")
	require.Equal(t, []netip.Prefix{
		netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("fd00::/8"),
	}, c.TrustedProxies, "addresses are single-address prefixes; prefixes are masked")
	require.Equal(t, "https://table.example.org", c.BaseURL, "a trailing slash is trimmed")
	require.Equal(t, slog.LevelDebug, c.LogLevel)

	c, err = loadConfig(envFrom(map[string]string{"GAMETABLE_CHAT_PER_MINUTE": "3"}), nil, nil)
	require.NoError(t, err)
	require.Equal(t, 3, c.ChatPerMinute)
	require.Equal(t, 3, c.chatLimit())
	require.Contains(t, c.LogValue().String(), "chat_per_minute=3", "the start-up line shows the limit")

	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.String("addr", "", "")
	c, err = loadConfig(env, fs, []string{"--addr", "127.0.0.1:7000"})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:7000", c.Addr, "the flag wins over the environment")

	c, err = loadConfig(envFrom(map[string]string{"GAMETABLE_ADDR": "0.0.0.0:9000"}), nil, nil)
	require.NoError(t, err)
	require.Equal(t, "http://localhost:9000", c.BaseURL, "a wildcard listen address gives a localhost base URL")
}

func TestLoadConfig_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"BadAddr", map[string]string{"GAMETABLE_ADDR": "nope"}, "GAMETABLE_ADDR"},
		{"BadRate", map[string]string{"GAMETABLE_WS_RATE": "fast"}, "GAMETABLE_WS_RATE"},
		{"NegativeBurst", map[string]string{"GAMETABLE_WS_BURST": "-1"}, "GAMETABLE_WS_BURST"},
		{"BadMaxPerUser", map[string]string{"GAMETABLE_WS_MAX_PER_USER": "1.5"}, "GAMETABLE_WS_MAX_PER_USER"},
		{"NegativeChatPerMinute", map[string]string{"GAMETABLE_CHAT_PER_MINUTE": "-1"}, "GAMETABLE_CHAT_PER_MINUTE"},
		{"BadChatPerMinute", map[string]string{"GAMETABLE_CHAT_PER_MINUTE": "often"}, "GAMETABLE_CHAT_PER_MINUTE"},
		{"NegativeSignupPerHour", map[string]string{"GAMETABLE_SIGNUP_PER_HOUR": "-5"}, "GAMETABLE_SIGNUP_PER_HOUR"},
		{"BadTrustedProxy", map[string]string{"GAMETABLE_TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, "proxy.local"},
		{"BadTrustedPrefix", map[string]string{"GAMETABLE_TRUSTED_PROXIES": "10.0.0.0/33"}, "GAMETABLE_TRUSTED_PROXIES"},
		{"BadBaseURL", map[string]string{"GAMETABLE_BASE_URL": "table.example.org"}, "GAMETABLE_BASE_URL"},
		{"BadSMTP", map[string]string{"GAMETABLE_SMTP_URL": "http://mail"}, "GAMETABLE_SMTP_URL"},
		{"LLMWithoutModel", map[string]string{"GAMETABLE_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "GAMETABLE_LLM_MODEL"},
		{"EmbeddingsWithoutModel", map[string]string{"GAMETABLE_EMBEDDINGS_BASE_URL": "http://127.0.0.1:11434/v1"}, "GAMETABLE_EMBEDDINGS_MODEL"},
		{"BadUpload", map[string]string{"GAMETABLE_UPLOAD_MAX_BYTES": "0"}, "GAMETABLE_UPLOAD_MAX_BYTES"},
		{"BadDuration", map[string]string{"GAMETABLE_SESSION_IDLE_TIMEOUT": "a week"}, "GAMETABLE_SESSION_IDLE_TIMEOUT"},
		{"LifetimeShorterThanIdle", map[string]string{"GAMETABLE_SESSION_LIFETIME": "1h"}, "GAMETABLE_SESSION_LIFETIME"},
		{"BadLogFormat", map[string]string{"GAMETABLE_LOG_FORMAT": "xml"}, "GAMETABLE_LOG_FORMAT"},
		{"BadLogLevel", map[string]string{"GAMETABLE_LOG_LEVEL": "loud"}, "GAMETABLE_LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadConfig(envFrom(tt.env), nil, nil)
			var ce *configError
			require.True(t, errors.As(err, &ce), "want a configError, got %v", err)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestConfig_LogValueRedactsSecrets(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(envFrom(map[string]string{
		"DATABASE_URL":           "postgres://app:hunter2@db:5432/gametable",
		"GAMETABLE_SMTP_URL":     "smtp://mailer:s3cret@mail:587",
		"GAMETABLE_LLM_BASE_URL": "http://127.0.0.1:11434/v1",
		"GAMETABLE_LLM_MODEL":    "llama",
		"GAMETABLE_LLM_API_KEY":  "sk-verysecret",
	}), nil, nil)
	require.NoError(t, err)
	out := c.LogValue().String()
	require.NotContains(t, out, "hunter2")
	require.NotContains(t, out, "s3cret")
	require.NotContains(t, out, "sk-verysecret")
	require.Contains(t, out, "db:5432")
}
