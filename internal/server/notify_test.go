package server_test

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/notify/notifytest"
	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store"
)

// hookReceiver is a local webhook receiver that checks signatures with the
// secret it is given.
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	now    func() time.Time
	kinds  []string
	bodies []map[string]any
	bad    int
}

func newHookReceiver(t *testing.T, now func() time.Time) *hookReceiver {
	h := &hookReceiver{now: now}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if err := notify.Verify(h.secret, r.Header.Get(notify.HeaderTimestamp), r.Header.Get(notify.HeaderSignature), body, h.now(), 5*time.Minute); err != nil {
			h.bad++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		h.kinds = append(h.kinds, r.Header.Get(notify.HeaderEvent))
		h.bodies = append(h.bodies, m)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.kinds)
}

// notifyEnv is a server that sends notifications to a local SMTP server
// and webhook receiver.
type notifyEnv struct {
	*tenv
	srv  *server.Server
	smtp *notifytest.SMTPServer
	hook *hookReceiver
}

func newNotifyEnv(t *testing.T) *notifyEnv {
	smtp, _ := notifytest.NewSMTPServer(t, false)
	n := &notifyEnv{smtp: smtp}
	n.tenv = newTestEnv(t, envOptions{
		cfg: func(c *server.Config) {
			c.Notify = server.NotifyConfig{AllowPrivate: true, Key: "a-test-notification-key", BaseURL: "https://ward.example.com",
				SMTP: &notify.SMTP{Addr: smtp.Addr, From: "Ward <ward@example.com>", Username: "ward", Password: "s3cret-pass", Timeout: 5 * time.Second}}
		},
		server: func(s *server.Server) { n.srv = s },
	})
	n.hook = newHookReceiver(t, n.clock.Now)
	return n
}

// deliver runs the outbox until nothing is due.
func (n *notifyEnv) deliver() {
	n.t.Helper()
	for range 20 {
		c, err := n.srv.DeliverNotifications(n.t.Context())
		if err != nil {
			n.t.Fatal(err)
		}
		if c == 0 {
			return
		}
	}
}

// mailTo returns the recipients of the emails whose subject contains s.
func (n *notifyEnv) mailTo(s string) []string {
	var out []string
	for _, m := range n.smtp.Messages() {
		msg, err := mail.ReadMessage(strings.NewReader(m.Data))
		if err != nil {
			n.t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if strings.Contains(subject, s) {
			out = append(out, msg.Header.Get("To"))
		}
	}
	slices.Sort(out)
	return out
}

// TestNotificationsEndToEnd drives the events through the API: a review
// request reaches the team's webhook (signed) and the security engineers
// by email, except one who turned email off and the requester; an
// assignment reaches the assignee; a push with high risks reaches the
// webhook; the periodic scan notifies an overdue review once.
func TestNotificationsEndToEnd(t *testing.T) {
	n := newNotifyEnv(t)
	_, ann, annTok := n.member("ann@example.com")
	for _, email := range []string{"sec@example.com", "quiet@example.com"} {
		n.want(n.do("POST", "/api/v1/users", n.admin, map[string]string{"email": email, "role": "security", "password": memberPW}), 201)
	}
	quiet := n.login("quiet@example.com", memberPW)
	n.want(n.do("PUT", "/api/v1/me/notifications", quiet, map[string]any{"email": false}), 200)
	if s := n.status("PUT", "/api/v1/me/notifications", annTok, map[string]any{"email": false}); s != 403 {
		t.Errorf("a token sets preferences: %d, want 403", s)
	}

	// Ann adds a webhook; its secret is answered once and stored sealed.
	wh := n.want(n.do("POST", "/api/v1/teams/team-a/webhooks", ann, map[string]any{"name": "Slack #team-a", "url": n.hook.URL + "/hook",
		"kinds": []string{"review.requested", "risk.high_pushed", "review.stale"}}), 201)
	n.hook.secret = wh["secret"].(string)
	if !strings.HasPrefix(n.hook.secret, "whsec_") {
		t.Fatalf("secret %q", n.hook.secret)
	}
	list := n.want(n.do("GET", "/api/v1/teams/team-a/webhooks", ann, nil), 200)
	if b, _ := json.Marshal(list); strings.Contains(string(b), n.hook.secret) || strings.Contains(string(b), `"secret"`) {
		t.Errorf("the webhook list shows the secret: %s", b)
	}
	stored, err := n.st.GetWebhook(t.Context(), wh["id"].(string))
	if err != nil || !strings.HasPrefix(stored.Secret, "v1:") || strings.Contains(stored.Secret, n.hook.secret) {
		t.Errorf("stored secret %q (%v): want it sealed", stored.Secret, err)
	}
	if s := n.status("POST", "/api/v1/teams/team-a/webhooks", ann, map[string]any{"name": "meta", "url": "http://169.254.169.254/latest/meta-data"}); s != 400 {
		t.Errorf("a metadata-address webhook: %d, want 400", s)
	}

	rv := n.want(n.do("POST", "/api/v1/reviews", ann, map[string]any{"system": "checkout", "team": "team-a", "title": "Checkout v2",
		"answers": sensitive}), 201)
	n.deliver()
	if got := n.hook.got(); !slices.Equal(got, []string{"review.requested"}) || n.hook.bad != 0 {
		t.Fatalf("webhook received %v (%d bad signatures)", got, n.hook.bad)
	}
	body := n.hook.bodies[0]
	if text, _ := body["text"].(string); !strings.Contains(text, "Checkout v2") || !strings.Contains(text, "<https://ward.example.com/review/"+rv["id"].(string)+"|Open in Ward>") {
		t.Errorf("Slack text %q", body["text"])
	}
	if w, _ := body["ward"].(map[string]any); w["kind"] != "review.requested" || w["team"] != "team-a" {
		t.Errorf("ward payload %v", body["ward"])
	}
	if got := n.mailTo("Design review requested"); !slices.Equal(got, []string{"admin@example.com", "sec@example.com"}) {
		t.Errorf("review requested mailed to %v, want the admin and sec (not quiet, not ann)", got)
	}

	// Security assigns it to quiet, who turned email off: nobody is mailed;
	// to sec: sec is.
	sec := n.login("sec@example.com", memberPW)
	n.want(n.do("POST", "/api/v1/reviews/"+rv["id"].(string)+"/actions", sec, map[string]any{"action": "assign", "assignee": "admin@example.com"}), 200)
	n.deliver()
	if got := n.mailTo("Design review assigned"); !slices.Equal(got, []string{"admin@example.com"}) {
		t.Errorf("assignment mailed to %v, want the assignee only", got)
	}

	// A push with high risks.
	n.pushA(annTok)
	n.deliver()
	if got := n.hook.got(); !slices.Contains(got, "risk.high_pushed") {
		t.Errorf("webhook received %v, want risk.high_pushed after a push with high risks", got)
	}
	// The push's model has an invalidated assumption: the team and
	// security hear of it, not ann, whose token pushed.
	if got := n.mailTo("Assumption partner-ip-range"); !slices.Equal(got, []string{"admin@example.com", "sec@example.com"}) {
		t.Errorf("invalidated assumption (push) mailed to %v", got)
	}
	// Security invalidates another one on the server.
	n.want(n.do("PATCH", "/api/v1/systems/"+sysA+"/assumptions/msk-private", sec, map[string]any{"status": "invalidated", "evidence": "public endpoint found"}), 201)
	// And the admin accepts a risk until five days from now.
	finding := ""
	fs := n.want(n.do("GET", "/api/v1/findings?system="+sysA, n.admin, nil), 200)
	for _, it := range fs["items"].([]any) {
		if id := it.(map[string]any)["id"].(string); strings.Contains(id, ":") && finding == "" {
			finding = id
		}
	}
	expires := n.clock.Now().AddDate(0, 0, 5).Format(time.DateOnly)
	n.want(n.do("POST", "/api/v1/systems/"+sysA+"/decisions", n.admin, map[string]any{"finding": finding, "status": "accepted", "reason": "compensating control",
		"owner": "dana", "expires": expires}), 201)
	n.deliver()
	if got := n.mailTo("Assumption msk-private"); !slices.Equal(got, []string{"admin@example.com", "ann@example.com"}) {
		t.Errorf("invalidated assumption (server) mailed to %v", got)
	}

	// The review goes overdue: the scan notifies it once, however often it runs.
	n.clock.Add(60 * 24 * time.Hour)
	for range 3 {
		if err := n.srv.ScanNotifications(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	n.deliver()
	if got := n.mailTo("Design review overdue"); !slices.Equal(got, []string{"admin@example.com", "ann@example.com", "sec@example.com"}) {
		t.Errorf("overdue review mailed to %v", got)
	}
	if got := n.mailTo("Acceptance of " + finding); !slices.Equal(got, []string{"ann@example.com"}) {
		t.Errorf("expiring acceptance mailed to %v, want the team's member", got)
	}
	stale := 0
	for _, k := range n.hook.got() {
		if k == "review.stale" {
			stale++
		}
	}
	if stale != 1 {
		t.Errorf("review.stale reached the webhook %d times, want once", stale)
	}

	// The deliveries list shows them, done; a test message is queued.
	ann = n.login("ann@example.com", memberPW) // the session expired meanwhile
	ds := n.want(n.do("GET", "/api/v1/teams/team-a/notifications/deliveries", ann, nil), 200)
	for _, it := range ds["items"].([]any) {
		if d := it.(map[string]any); d["state"] != store.DeliveryDone {
			t.Errorf("delivery %v not done", d)
		}
	}
	q := n.want(n.do("POST", "/api/v1/teams/team-a/notifications/test", ann, nil), 202)
	if q["queued"].(float64) != 2 { // the webhook and ann's email
		t.Errorf("test queued %v, want 2", q["queued"])
	}
	n.deliver()
	if got := n.hook.got(); got[len(got)-1] != "ward.test" {
		t.Errorf("last webhook event %v, want ward.test", got)
	}
	if strings.Contains(n.log.String(), n.hook.secret) || strings.Contains(n.log.String(), "s3cret-pass") {
		t.Error("a secret reached the log")
	}
}

// TestNotifyPreferencesKinds: an account that unticks a kind hears no
// more of it.
func TestNotifyPreferencesKinds(t *testing.T) {
	n := newNotifyEnv(t)
	_, ann, _ := n.member("ann@example.com")
	p := n.want(n.do("GET", "/api/v1/me/notifications", n.admin, nil), 200)
	if p["default"] != true || p["email"] != true || len(p["kinds"].([]any)) != len(notify.Kinds) {
		t.Fatalf("default preferences %v", p)
	}
	n.want(n.do("PUT", "/api/v1/me/notifications", n.admin, map[string]any{"kinds": []string{"review.assigned"}}), 200)
	if s := n.status("PUT", "/api/v1/me/notifications", n.admin, map[string]any{"kinds": []string{"review.nope"}}); s != 400 {
		t.Errorf("unknown kind: %d, want 400", s)
	}
	n.want(n.do("POST", "/api/v1/reviews", ann, map[string]any{"system": "checkout", "team": "team-a", "answers": sensitive}), 201)
	n.deliver()
	if got := n.mailTo("Design review requested"); len(got) != 0 {
		t.Errorf("mailed %v; the admin unticked review.requested", got)
	}
}

// TestNotifyPages: the team page refuses a private address on a server
// that does not allow them, with the reason on the page (400); a new
// webhook's secret is on the answering page only; the preferences form
// refuses an unknown kind.
func TestNotifyPages(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	_, ann, _ := e.member("ann@example.com")
	resp, body := e.page("POST", "/teams/team-a/webhooks", ann, url.Values{"name": {"on-prem"}, "url": {"http://10.1.2.3/hook"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "private or loopback") || !strings.Contains(body, "--notify-allow-private") {
		t.Errorf("private address: %d\n%.2000s", resp.StatusCode, body)
	}
	resp, body = e.page("POST", "/teams/team-a/webhooks", ann, url.Values{"name": {"Slack"}, "url": {"https://hooks.example.com/x"}, "kinds": {"review.requested"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "whsec_") {
		t.Fatalf("create: %d\n%.2000s", resp.StatusCode, body)
	}
	if !strings.Contains(body, "Secrets are stored unencrypted") {
		t.Error("a server without WARD_NOTIFY_KEY does not say secrets are unsealed")
	}
	_, body = e.page("GET", "/teams/team-a/notifications", ann, nil)
	if strings.Contains(body, "whsec_") || !strings.Contains(body, "review.requested") {
		t.Errorf("the page after creation:\n%.3000s", body)
	}
	resp, body = e.page("POST", "/account/notifications", ann, url.Values{"email": {"on"}, "kinds": {"review.nope"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "unknown event kind") {
		t.Errorf("unknown kind: %d\n%.1500s", resp.StatusCode, body)
	}
}

// TestNotifyApproval: an approval reaches the requester; when it expires,
// the periodic scan sends review.stale once.
func TestNotifyApproval(t *testing.T) {
	n := newNotifyEnv(t)
	_, ann, annTok := n.member("ann@example.com")
	n.pushA(annTok)
	rv := n.want(n.do("POST", "/api/v1/reviews", ann, map[string]any{"system": sysA, "title": "Fulfilment", "answers": sensitive}), 201)
	for _, a := range []string{"triage", "start", "approve"} {
		n.want(n.do("POST", "/api/v1/reviews/"+rv["id"].(string)+"/actions", n.admin, map[string]any{"action": a}), 200)
	}
	n.deliver()
	if got := n.mailTo("Design review approved"); !slices.Equal(got, []string{"ann@example.com"}) {
		t.Errorf("approval mailed to %v, want the requester", got)
	}
	n.clock.Add(400 * 24 * time.Hour)
	for range 2 {
		if err := n.srv.ScanNotifications(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	n.deliver()
	if got := n.mailTo("Design approval expired"); !slices.Equal(got, []string{"admin@example.com", "ann@example.com"}) {
		t.Errorf("expired approval mailed to %v", got)
	}
}
