// Package mail sends gametable's few emails (address verification, password
// reset) without ever making a request wait for a mail server.
//
// A Sender delivers one message: SMTP through go-mail when
// GAMETABLE_SMTP_URL is set, otherwise the log. A Queue sits in front of
// it: Enqueue never blocks, a worker goroutine delivers, failures are
// retried with exponential backoff and logged, and Close drains what is
// left within the caller's deadline.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is a plain-text mail to one recipient.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender delivers one message. Implementations must be safe for concurrent
// use and should honour ctx's deadline.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// NewSender returns an SMTP sender for smtpURL, or a sender that writes
// mails to logger when smtpURL is empty.
func NewSender(smtpURL, from string, logger *slog.Logger) (Sender, error) {
	if smtpURL == "" {
		return &LogSender{Logger: logger}, nil
	}
	return NewSMTP(smtpURL, from)
}

// LogSender writes each mail to the log at Info level, links included, so a
// server without SMTP can still be used (the operator copies the link).
type LogSender struct {
	Logger *slog.Logger
}

var _ Sender = (*LogSender)(nil)

// Send logs m.
func (l *LogSender) Send(ctx context.Context, m Message) error {
	l.Logger.InfoContext(ctx, "mail (written to the log: GAMETABLE_SMTP_URL is not set)", "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// SMTP sends through an SMTP server. The URL is smtp://user:pass@host:port
// (STARTTLS when the server offers it; port 587 by default) or
// smtps://user:pass@host:port (implicit TLS; port 465 by default).
// Credentials are optional; with them, the strongest mechanism the server
// offers is used, and none that would send the password in clear text over
// an unencrypted connection.
type SMTP struct {
	from string
	opts []gomail.Option
	host string
}

var _ Sender = (*SMTP)(nil)

// sendTimeout bounds one delivery attempt (connect, TLS, auth, data).
const sendTimeout = 30 * time.Second

// NewSMTP checks the URL and the sender address; it does not connect.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse smtp url: %w", errors.Unwrap(err))
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("smtp url has no host")
	}
	opts := []gomail.Option{gomail.WithTimeout(sendTimeout)}
	port := 587
	switch u.Scheme {
	case "smtp":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("smtp url scheme %q is not smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		port, err = strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("smtp url port %q is not a number", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()),
			gomail.WithPassword(pass))
	}
	m := gomail.NewMsg()
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("mail from %q: %w", from, err)
	}
	if _, err := gomail.NewClient(host, opts...); err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return &SMTP{from: from, opts: opts, host: host}, nil
}

// Send delivers m over a fresh connection.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	return c.DialAndSendWithContext(ctx, msg)
}
