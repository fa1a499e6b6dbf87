// Package mailtest runs a real SMTP server on loopback for tests, so that
// tests exercise the same SMTP path as production and read tokens out of the
// mails they receive.
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is a received mail, decoded.
type Message struct {
	From    string
	To      []string
	Subject string
	Body    string // the decoded text body
	Raw     []byte
}

// Server is an SMTP server on 127.0.0.1 that keeps every mail it receives.
type Server struct {
	srv *smtp.Server
	ln  net.Listener

	// mu guards msgs; changed is closed and replaced on every new mail so
	// that waiters wake up.
	mu      sync.Mutex
	msgs    []Message
	changed chan struct{}
	// fail, when above zero, makes that many deliveries fail with a
	// temporary error (for retry tests).
	fail int
}

// NewServer starts a server that stops when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Server{ln: ln, changed: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 1 << 20
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// URL is the GAMETABLE_SMTP_URL that reaches this server.
func (s *Server) URL() string { return "smtp://" + s.ln.Addr().String() }

// FailNext makes the next n deliveries fail with a temporary error.
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.fail = n
	s.mu.Unlock()
}

// Messages returns a copy of what arrived so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns the n-th (counting from 1) mail to the given address whose
// subject contains subject, waiting up to ten seconds for it.
func (s *Server) Wait(t testing.TB, to, subject string, n int) Message {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		seen := 0
		for _, m := range s.msgs {
			if containsFold(m.To, to) && strings.Contains(m.Subject, subject) {
				seen++
				if seen == n {
					s.mu.Unlock()
					return m
				}
			}
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("mailtest: no mail #%d to %s with subject %q within 10s; got %d mails", n, to, subject, len(s.Messages()))
			return Message{}
		}
	}
}

// Count is the number of mails to the address whose subject contains subject.
func (s *Server) Count(to, subject string) int {
	n := 0
	for _, m := range s.Messages() {
		if containsFold(m.To, to) && strings.Contains(m.Subject, subject) {
			n++
		}
	}
	return n
}

var tokenRE = regexp.MustCompile(`[?&]token=([A-Za-z0-9_-]+)`)

// Token returns the token of the first link in the body carrying one.
func (m Message) Token(t testing.TB) string {
	t.Helper()
	match := tokenRE.FindStringSubmatch(m.Body)
	if match == nil {
		t.Fatalf("mailtest: no token link in mail body:\n%s", m.Body)
	}
	return match[1]
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := se.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m, err := decode(raw)
	if err != nil {
		return err
	}
	m.From, m.To = se.from, append([]string(nil), se.to...)
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

// decode parses a single-part text mail, undoing its transfer encoding.
func decode(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Message{}, err
	}
	var body io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		return Message{}, errors.New("mailtest: base64 bodies are not supported")
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return Message{}, err
	}
	return Message{Subject: subject, Body: string(b), Raw: raw}, nil
}
