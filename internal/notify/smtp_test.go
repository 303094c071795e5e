package notify_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/notify/notifytest"
)

func testMail(t *testing.T) notify.Mail {
	ev := notify.Event{Key: "k", Kind: notify.ReviewRequested, Team: "pay", Title: "Design review requested: checkout <v2>",
		Text: "Tier: security-led\nRequested by alice@example.com", URL: "https://ward.example.com/reviews/rv-1"}
	m, err := notify.EmailFor(ev, "bob@example.com", "https://ward.example.com/account/notifications")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSMTPStartTLSAuth sends through a local server that offers STARTTLS:
// the client upgrades, authenticates, and the message has both parts.
func TestSMTPStartTLSAuth(t *testing.T) {
	srv, pool := notifytest.NewSMTPServer(t, true)
	m := &notify.SMTP{Addr: srv.Addr, From: "Ward <ward@example.com>", Username: "ward", Password: "s3cret-pass",
		TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), testMail(t)); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || !got[0].TLS || got[0].User != "ward" {
		t.Fatalf("messages %+v", got)
	}
	if got[0].From != "MAIL FROM:<ward@example.com>" || !strings.HasPrefix(got[0].To, "RCPT TO:<bob@example.com>") {
		t.Errorf("envelope %q %q", got[0].From, got[0].To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "[Ward] Design review requested: checkout <v2>" {
		t.Errorf("subject %q", subject)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	parts := map[string]string{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b)
	}
	if !strings.Contains(parts["text/plain"], "Requested by alice@example.com") || !strings.Contains(parts["text/plain"], "https://ward.example.com/reviews/rv-1") {
		t.Errorf("text part:\n%s", parts["text/plain"])
	}
	if !strings.Contains(parts["text/html"], "checkout &lt;v2&gt;") || !strings.Contains(parts["text/html"], `href="https://ward.example.com/reviews/rv-1"`) {
		t.Errorf("html part:\n%s", parts["text/html"])
	}
}

// TestSMTPRefusesPlainAuthRemote: without STARTTLS, the password is only
// sent to localhost; TLSStartTLS refuses a server that does not offer it.
func TestSMTPNoTLS(t *testing.T) {
	srv, _ := notifytest.NewSMTPServer(t, false)
	m := &notify.SMTP{Addr: srv.Addr, From: "ward@example.com", TLSMode: notify.TLSStartTLS, Timeout: 5 * time.Second}
	err := m.Send(t.Context(), testMail(t))
	var se *notify.SendError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("STARTTLS required but not offered: got %v", err)
	}
	// Auto mode on localhost without TLS: allowed, and auth works.
	m = &notify.SMTP{Addr: srv.Addr, From: "ward@example.com", Username: "ward", Password: "s3cret-pass", Timeout: 5 * time.Second}
	if err := m.Send(t.Context(), testMail(t)); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].TLS {
		t.Fatalf("messages %+v", got)
	}
	// A wrong password is a permanent error (5xx).
	m.Password = "wrong"
	if err := m.Send(t.Context(), testMail(t)); !errors.As(err, &se) || !se.Permanent || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v", err)
	}
	srv.Reject.Store(550)
	m.Password = "s3cret-pass"
	if err := m.Send(t.Context(), testMail(t)); !errors.As(err, &se) || !se.Permanent {
		t.Fatalf("rejected recipient: %v", err)
	}
	srv.Reject.Store(451)
	if err := m.Send(t.Context(), testMail(t)); !errors.As(err, &se) || se.Permanent {
		t.Fatalf("temporary failure must be retried: %v", err)
	}
}

func TestSMTPCheck(t *testing.T) {
	for _, m := range []notify.SMTP{
		{Addr: "smtp.example.com", From: "ward@example.com"},
		{Addr: "smtp.example.com:587", From: "not an address"},
		{Addr: "smtp.example.com:587", From: "ward@example.com", TLSMode: "maybe"},
		{Addr: "smtp.example.com:587", From: "ward@example.com", Password: "x"},
	} {
		if err := m.Check(); err == nil {
			t.Errorf("Check(%+v) passed", m)
		}
	}
}

func TestSMTPTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			time.Sleep(3 * time.Second) // never greets
			c.Close()
		}
	}()
	m := &notify.SMTP{Addr: ln.Addr().String(), From: "ward@example.com", Timeout: 200 * time.Millisecond}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if err := m.Send(ctx, testMail(t)); err == nil {
		t.Fatal("a server that never answers must time out")
	}
}
