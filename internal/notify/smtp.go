package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// TLS modes of an SMTP connection.
const (
	TLSAuto     = "auto"     // STARTTLS when the server offers it
	TLSStartTLS = "starttls" // STARTTLS required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // never (a relay on localhost)
)

// Password is a secret that redacts itself in logs.
type Password string

// LogValue keeps the password out of logs.
func (Password) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// SMTP sends email through an SMTP server (net/smtp): STARTTLS when
// offered (or as TLSMode says), then AUTH PLAIN when a username is set —
// which net/smtp refuses over an unencrypted connection except to
// localhost.
type SMTP struct {
	// Addr is host:port.
	Addr string
	// From is the sender, e.g. "Ward <ward@example.com>".
	From     string
	Username string
	Password Password
	// TLSMode is TLSAuto (default), TLSStartTLS, TLSImplicit or TLSNone.
	TLSMode string
	// TLSConfig, when set, is used for TLS (tests set RootCAs).
	TLSConfig *tls.Config
	// Timeout bounds one message (default 30s).
	Timeout time.Duration
	// Hello is the name sent in EHLO (default "localhost").
	Hello string
}

// LogValue describes the mail server without its password.
func (m *SMTP) LogValue() slog.Value {
	return slog.GroupValue(slog.String("addr", m.Addr), slog.String("from", m.From), slog.String("tls", m.TLSMode), slog.Bool("auth", m.Username != ""))
}

// Check checks the settings.
func (m *SMTP) Check() error {
	host, port, err := net.SplitHostPort(m.Addr)
	if err != nil || host == "" || port == "" {
		return fmt.Errorf("SMTP address %q: use host:port, e.g. smtp.example.com:587", m.Addr)
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return fmt.Errorf("SMTP sender %q: use an address such as ward@example.com or \"Ward <ward@example.com>\"", m.From)
	}
	switch m.TLSMode {
	case "", TLSAuto, TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return fmt.Errorf("SMTP TLS mode %q: use auto, starttls, tls or none", m.TLSMode)
	}
	if m.Password != "" && m.Username == "" {
		return errors.New("an SMTP password needs a username")
	}
	return nil
}

// Send sends one email. 5xx answers are permanent errors (SendError).
func (m *SMTP) Send(ctx context.Context, msg Mail) error {
	to, err := mail.ParseAddress(msg.To)
	if err != nil {
		return &SendError{Msg: "email: bad recipient address", Permanent: true}
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return &SendError{Msg: "email: bad sender address", Permanent: true}
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(m.Addr)
	cfg := m.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return &SendError{Msg: "email: " + err.Error()}
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if m.TLSMode == TLSImplicit {
		conn = tls.Client(conn, cfg)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return smtpError(err)
	}
	defer c.Close()
	hello := m.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return smtpError(err)
	}
	if m.TLSMode != TLSImplicit && m.TLSMode != TLSNone {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(cfg); err != nil {
				return smtpError(err)
			}
		} else if m.TLSMode == TLSStartTLS {
			return &SendError{Msg: "email: the SMTP server does not offer STARTTLS, which the settings require"}
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, string(m.Password), host)); err != nil {
			return smtpError(err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return smtpError(err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return smtpError(err)
	}
	w, err := c.Data()
	if err != nil {
		return smtpError(err)
	}
	if _, err := w.Write(Compose(m.From, msg, time.Now())); err != nil {
		return smtpError(err)
	}
	if err := w.Close(); err != nil {
		return smtpError(err)
	}
	_ = c.Quit()
	return nil
}

func smtpError(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return &SendError{Msg: fmt.Sprintf("email: SMTP %d %s", te.Code, te.Msg), Permanent: te.Code >= 500}
	}
	return &SendError{Msg: "email: " + err.Error()}
}

// header cleans a header value: no line breaks (no header injection).
func header(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Compose writes a message as multipart/alternative, plain text and HTML,
// both quoted-printable.
func Compose(from string, msg Mail, now time.Time) []byte {
	var b bytes.Buffer
	rnd := make([]byte, 12)
	_, _ = rand.Read(rnd)
	boundary := "ward-" + hex.EncodeToString(rnd)
	domain := "ward.invalid"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			domain = d
		}
	}
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", header(from))
	h("To", header(msg.To))
	h("Subject", mime.QEncoding.Encode("utf-8", header(msg.Subject)))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+hex.EncodeToString(rnd)+"@"+domain+">")
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	h("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	part := func(ctype, body string) {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, ctype)
		qp := quotedprintable.NewWriter(&b)
		_, _ = qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
		_ = qp.Close()
		b.WriteString("\r\n")
	}
	part("text/plain", msg.Text)
	part("text/html", msg.HTML)
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}
