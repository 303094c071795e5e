package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Webhook request headers.
const (
	HeaderEvent     = "Ward-Event"
	HeaderDelivery  = "Ward-Delivery"
	HeaderTimestamp = "Ward-Timestamp"
	HeaderSignature = "Ward-Signature"
)

// Sign returns the Ward-Signature header value of a body sent at ts:
// "v1=" and the hex HMAC-SHA256, keyed with the webhook's secret, of the
// Unix time in seconds, a full stop, and the body.
func Sign(secret string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a request's signature as a receiver should: the
// timestamp within tolerance of now (against replays) and the signature
// equal, in constant time, to the body's. It is what docs/notifications.md
// shows receivers.
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook: bad %s %q", HeaderTimestamp, timestamp)
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook: timestamp %s is more than %s from now", ts.UTC().Format(time.RFC3339), tolerance)
	}
	want := Sign(secret, ts, body)
	for _, s := range strings.Split(signature, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(s)), []byte(want)) {
			return nil
		}
	}
	return errors.New("webhook: signature does not match")
}

// Policy says which addresses webhooks may reach.
type Policy struct {
	// AllowPrivate lets webhooks reach private (RFC 1918, fc00::/7,
	// 100.64.0.0/10) and loopback addresses, for receivers on premises.
	// Link-local and cloud metadata addresses are refused regardless.
	AllowPrivate bool
}

var (
	metadata = []netip.Prefix{
		netip.MustParsePrefix("169.254.0.0/16"),      // link-local, AWS/GCP/Azure metadata
		netip.MustParsePrefix("fe80::/10"),           // link-local
		netip.MustParsePrefix("fd00:ec2::254/128"),   // AWS metadata over IPv6
		netip.MustParsePrefix("100.100.100.200/32"),  // Alibaba Cloud metadata
		netip.MustParsePrefix("192.0.0.192/32"),      // Oracle Cloud metadata
		netip.MustParsePrefix("0.0.0.0/8"),           // "this network"
		netip.MustParsePrefix("255.255.255.255/32"),  // broadcast
		netip.MustParsePrefix("64:ff9b::a9fe:0/112"), // NAT64 of 169.254/16
	}
	cgnat = netip.MustParsePrefix("100.64.0.0/10")
)

// CheckAddr reports whether a webhook may connect to ip.
func (p Policy) CheckAddr(ip netip.Addr) error {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return fmt.Errorf("address %s is link-local, multicast or unspecified: webhooks never reach it", ip)
	}
	for _, m := range metadata {
		if m.Contains(ip) {
			return fmt.Errorf("address %s is a link-local or cloud metadata address: webhooks never reach it", ip)
		}
	}
	if (ip.IsPrivate() || ip.IsLoopback() || cgnat.Contains(ip)) && !p.AllowPrivate {
		return fmt.Errorf("address %s is private or loopback: webhooks reach it only when the server allows private addresses (--notify-allow-private)", ip)
	}
	return nil
}

// CheckURL checks a webhook URL when it is saved: http or https, a host,
// no credentials, and, for an address or localhost, an address the policy
// allows. Names are checked again when the request connects (DNS may
// change).
func (p Policy) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2000 {
		return fmt.Errorf("webhook URL: not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("webhook URL: use https:// (or http://)")
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("webhook URL: name the receiver's host")
	}
	if u.User != nil {
		return fmt.Errorf("webhook URL: credentials in the URL are not allowed (the request is signed instead)")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		host = "127.0.0.1"
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := p.CheckAddr(ip); err != nil {
			return fmt.Errorf("webhook URL: %w", err)
		}
	}
	return nil
}

// Client returns the HTTP client webhooks are sent with: every connection
// is checked against the policy after DNS resolution (so a name cannot
// point at a refused address), no proxy from the environment, no
// redirects followed, and timeout bounding each request.
func (p Policy) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("webhook: unexpected address %q", address)
		}
		return p.CheckAddr(ap.Addr())
	}}
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout,
		MaxIdleConns: 16, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// SendError is a failed delivery attempt. Permanent errors are not retried;
// RetryAfter is the receiver's Retry-After, if it sent one.
type SendError struct {
	Msg        string
	Permanent  bool
	RetryAfter time.Duration
}

func (e *SendError) Error() string { return e.Msg }

// PostWebhook sends one signed webhook request. A 2xx answer is success;
// 408, 429 and 5xx answers and network errors are worth retrying; other
// answers (a 3xx is not followed, a 4xx means the request is refused)
// are permanent.
func PostWebhook(ctx context.Context, c *http.Client, rawURL, secret, deliveryID string, kind Kind, body []byte, now time.Time) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return &SendError{Msg: "webhook: bad URL", Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Ward-Webhook/1")
	req.Header.Set(HeaderEvent, string(kind))
	req.Header.Set(HeaderDelivery, deliveryID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(secret, now, body))
	resp, err := c.Do(req)
	if err != nil {
		return &SendError{Msg: "webhook: " + redactURL(err.Error(), rawURL)}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := &SendError{Msg: fmt.Sprintf("webhook: HTTP %d %s", resp.StatusCode, strings.ToValidUTF8(strings.TrimSpace(string(snippet)), ""))}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
	default:
		e.Permanent = true
	}
	return e
}

// redactURL keeps a webhook's URL out of error messages: its path often
// holds a token (Slack's does).
func redactURL(msg, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return strings.ReplaceAll(msg, rawURL, "[webhook URL]")
	}
	short := u.Scheme + "://" + u.Host + "/…"
	msg = strings.ReplaceAll(msg, strconv.Quote(rawURL), strconv.Quote(short))
	return strings.ReplaceAll(msg, rawURL, short)
}
