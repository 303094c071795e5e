package notify_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/notify"
)

// smtpServer is a small real SMTP server for tests: EHLO, STARTTLS (when
// it has a certificate), AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
type smtpServer struct {
	addr    string
	tls     *tls.Config
	user    string
	pass    string
	reject  atomic.Int32 // answer RCPT with this code when not 0
	mu      sync.Mutex
	msgs    []received
	authed  []string
	tlsUsed []bool
}

type received struct {
	from, to string
	data     string
}

func newSMTPServer(t *testing.T, withTLS bool) (*smtpServer, *x509.CertPool) {
	t.Helper()
	s := &smtpServer{user: "ward", pass: "s3cret-pass"}
	var pool *x509.CertPool
	if withTLS {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		pool = x509.NewCertPool()
		pool.AddCert(cert)
		s.tls = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s.addr = ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s, pool
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r, w := bufio.NewReader(c), bufio.NewWriter(c)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	say("220 test ESMTP")
	secure, user := false, ""
	var from, to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			w.WriteString("250-test\r\n")
			if s.tls != nil && !secure {
				w.WriteString("250-STARTTLS\r\n")
			}
			say("250 AUTH PLAIN")
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(c, s.tls)
			if tc.Handshake() != nil {
				return
			}
			c, secure = tc, true
			r, w = bufio.NewReader(c), bufio.NewWriter(c)
		case "AUTH":
			f := strings.Fields(line)
			if len(f) < 3 || f[1] != "PLAIN" {
				say("504 unsupported")
				continue
			}
			b, _ := base64.StdEncoding.DecodeString(f[2])
			parts := strings.Split(string(b), "\x00")
			if len(parts) != 3 || parts[1] != s.user || parts[2] != s.pass {
				say("535 authentication failed")
				continue
			}
			user = parts[1]
			say("235 ok")
		case "MAIL":
			from = line
			say("250 ok")
		case "RCPT":
			if code := s.reject.Load(); code != 0 {
				say(strconv.Itoa(int(code)) + " no such user")
				continue
			}
			to = line
			say("250 ok")
		case "DATA":
			say("354 send")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, received{from, to, data.String()})
			s.authed = append(s.authed, user)
			s.tlsUsed = append(s.tlsUsed, secure)
			s.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("500 unknown")
		}
	}
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

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
	srv, pool := newSMTPServer(t, true)
	m := &notify.SMTP{Addr: srv.addr, From: "Ward <ward@example.com>", Username: "ward", Password: "s3cret-pass",
		TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), testMail(t)); err != nil {
		t.Fatal(err)
	}
	got := srv.messages()
	if len(got) != 1 || !srv.tlsUsed[0] || srv.authed[0] != "ward" {
		t.Fatalf("messages %d, tls %v, auth %v", len(got), srv.tlsUsed, srv.authed)
	}
	if got[0].from != "MAIL FROM:<ward@example.com>" || !strings.HasPrefix(got[0].to, "RCPT TO:<bob@example.com>") {
		t.Errorf("envelope %q %q", got[0].from, got[0].to)
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0].data))
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
	srv, _ := newSMTPServer(t, false)
	m := &notify.SMTP{Addr: srv.addr, From: "ward@example.com", TLSMode: notify.TLSStartTLS, Timeout: 5 * time.Second}
	err := m.Send(t.Context(), testMail(t))
	var se *notify.SendError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("STARTTLS required but not offered: got %v", err)
	}
	// Auto mode on localhost without TLS: allowed, and auth works.
	m = &notify.SMTP{Addr: srv.addr, From: "ward@example.com", Username: "ward", Password: "s3cret-pass", Timeout: 5 * time.Second}
	if err := m.Send(t.Context(), testMail(t)); err != nil {
		t.Fatal(err)
	}
	if got := srv.messages(); len(got) != 1 || srv.tlsUsed[0] {
		t.Fatalf("messages %+v", got)
	}
	// A wrong password is a permanent error (5xx).
	m.Password = "wrong"
	if err := m.Send(t.Context(), testMail(t)); !errors.As(err, &se) || !se.Permanent || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("wrong password: %v", err)
	}
	srv.reject.Store(550)
	m.Password = "s3cret-pass"
	if err := m.Send(t.Context(), testMail(t)); !errors.As(err, &se) || !se.Permanent {
		t.Fatalf("rejected recipient: %v", err)
	}
	srv.reject.Store(451)
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
