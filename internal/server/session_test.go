package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// liveEnv is a server with the shop example pushed to team storefront,
// three members (ana, ben, cy) and a security engineer (sec).
type liveEnv struct {
	*env
	users map[string]string // name → session cookie
	db    string            // the SQLite file
}

var liveClock = func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }

func newLiveEnv(t *testing.T) *liveEnv {
	db := filepath.Join(t.TempDir(), "ward.db")
	st, err := sqlstore.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(server.New(server.Config{SetupToken: setupToken, Version: "test", Now: liveClock, AnalysesPerMinute: 1 << 20, AnalysesBurst: 1 << 20}, st, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv}
	resp := e.do("POST", "/api/v1/setup", "", map[string]string{"token": setupToken, "email": "admin@example.com", "name": "Ada", "password": "correct horse battery"})
	e.want(resp, 200)
	e.admin = cookie(resp)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "storefront", "name": "Storefront"}), 201)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "other", "name": "Other"}), 201)
	l := &liveEnv{env: e, users: map[string]string{}, db: db}
	for _, u := range []struct{ name, role, team string }{{"ana", "member", "storefront"}, {"ben", "member", "storefront"}, {"cy", "member", "storefront"},
		{"sec", "security", ""}, {"out", "member", "other"}, {"view", "viewer", ""}} {
		e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": u.name + "@example.com", "name": u.name, "role": u.role, "team": u.team,
			"password": "correct horse " + u.name}), 201)
		resp := e.do("POST", "/api/v1/login", "", map[string]string{"email": u.name + "@example.com", "password": "correct horse " + u.name})
		e.want(resp, 200)
		l.users[u.name] = cookie(resp)
	}
	push := map[string]any{"message": "first", "main": "ward.yaml", "files": bundle(t, "../../examples/shop")}
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", l.users["ana"], push), 201)
	return l
}

func (l *liveEnv) act(who, id string, body map[string]any, status int) map[string]any {
	l.t.Helper()
	return l.want(l.do("POST", "/api/v1/sessions/"+id+"/actions", l.users[who], body), status)
}

// sseClient reads a session's stream.
type sseClient struct {
	t      *testing.T
	resp   *http.Response
	cancel context.CancelFunc
	events chan sseEvent
}

type sseEvent struct {
	ID    int64
	Event string
	Data  string
}

func openStream(t *testing.T, base, id, cookieName, cookieValue string, last int64) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/s/"+id+"/stream", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: cookieValue})
	if last >= 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(last, 10))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		cancel()
		t.Fatalf("stream: %d %s", resp.StatusCode, b)
	}
	c := &sseClient{t: t, resp: resp, cancel: cancel, events: make(chan sseEvent, 1000)}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Event != "" {
					ev.Data = strings.Join(data, "\n")
					c.events <- ev
				}
				ev, data = sseEvent{}, nil
			case strings.HasPrefix(line, "id: "):
				ev.ID, _ = strconv.ParseInt(line[4:], 10, 64)
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				data = append(data, line[6:])
			}
		}
	}()
	t.Cleanup(c.close)
	return c
}

func (c *sseClient) close() { c.cancel(); c.resp.Body.Close() }

// until reads events until one satisfies ok, failing after a timeout.
func (c *sseClient) until(what string, ok func(sseEvent) bool) sseEvent {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, open := <-c.events:
			if !open {
				c.t.Fatalf("stream closed while waiting for %s", what)
			}
			if ok(ev) {
				return ev
			}
		case <-timeout:
			c.t.Fatalf("no %s within 10s", what)
		}
	}
}

func TestSessionFlowAPI(t *testing.T) {
	l := newLiveEnv(t)
	// Only members of the team open sessions.
	l.want(l.do("POST", "/api/v1/systems/larkspur-shop/sessions", l.users["out"], map[string]any{"title": "x"}), 404)
	l.want(l.do("POST", "/api/v1/systems/larkspur-shop/sessions", l.users["sec"], map[string]any{"title": "x"}), 403)
	out := l.want(l.do("POST", "/api/v1/systems/larkspur-shop/sessions", l.users["ana"], map[string]any{"title": "Checkout review", "minutes": 60}), 201)
	id := out["id"].(string)
	if !strings.HasPrefix(out["guest_link"].(string), "/s/"+id+"/guest/") {
		t.Fatalf("guest link %v", out)
	}
	for _, who := range []string{"ben", "cy"} {
		l.act(who, id, map[string]any{"type": "join"}, 200)
	}
	v := l.act("sec", id, map[string]any{"type": "join"}, 200)
	if v["role"] != "observer" {
		t.Errorf("security joins as %v, want observer", v["role"])
	}
	l.act("out", id, map[string]any{"type": "join"}, 404)
	l.act("view", id, map[string]any{"type": "join"}, 403)
	l.act("ben", id, map[string]any{"type": "phase", "phase": "brainstorm"}, 403)
	l.act("ana", id, map[string]any{"type": "phase", "phase": "brainstorm", "timer": 600}, 200)

	stream := openStream(t, l.srv.URL, id, server.SessionCookie, l.users["cy"], -1)
	card := func(who, target, text string, stride ...string) string {
		v := l.act(who, id, map[string]any{"type": "card.add", "request_id": who + text, "card": map[string]any{"target": target, "text": text, "stride": stride}}, 200)
		cards := v["cards"].([]any)
		return cards[len(cards)-1].(map[string]any)["id"].(string)
	}
	c1 := card("ana", "auth-service", "Session fixation on login", "S")
	c2 := card("ben", "auth-service", "Fixated session id after sign-in", "S", "E")
	c3 := card("sec", "customer-db", "Backups copied to a shared bucket", "I")
	// The same request again is applied once.
	l.act("ana", id, map[string]any{"type": "card.add", "request_id": "anaSession fixation on login", "card": map[string]any{"target": "auth-service", "text": "Session fixation on login"}}, 200)
	ev := stream.until("ben's card as a hidden placeholder", func(e sseEvent) bool { return e.Event == "upsert" && strings.Contains(e.Data, `id="card-`+c2+`"`) })
	if strings.Contains(ev.Data, "Fixated session") || !strings.Contains(ev.Data, "hidden until the reveal") {
		t.Errorf("cy saw ben's hidden card: %s", ev.Data)
	}
	v = l.want(l.do("GET", "/api/v1/sessions/"+id, l.users["cy"], nil), 200)
	if n := len(v["cards"].([]any)); n == 0 {
		t.Fatal("no cards")
	}
	for _, c := range v["cards"].([]any) {
		m := c.(map[string]any)
		if m["id"] == c3 && (m["kind"] != "hint" || m["text"] != "") {
			t.Errorf("the observer's card as cy sees it: %v", m)
		}
	}
	l.act("ana", id, map[string]any{"type": "phase", "phase": "reveal"}, 200)
	stream.until("a refresh on reveal", func(e sseEvent) bool { return e.Event == "refresh" })
	l.act("ana", id, map[string]any{"type": "phase", "phase": "group"}, 200)
	v = l.act("cy", id, map[string]any{"type": "card.merge", "card_id": c1, "from": c2}, 200)
	// Optimistic versions: an edit on a stale version is refused.
	l.act("ana", id, map[string]any{"type": "card.edit", "card": map[string]any{"id": c1, "version": 1, "target": "auth-service", "text": "x"}}, 409)
	l.act("ana", id, map[string]any{"type": "phase", "phase": "vote"}, 200)
	l.act("ben", id, map[string]any{"type": "vote", "card_id": c1, "count": 3}, 200)
	l.act("ben", id, map[string]any{"type": "vote", "card_id": c1, "count": 3}, 200) // idempotent
	l.act("ben", id, map[string]any{"type": "vote", "card_id": c3, "count": 3}, 400) // over budget
	l.act("ben", id, map[string]any{"type": "vote", "card_id": c3, "count": 2}, 200)
	l.act("cy", id, map[string]any{"type": "vote", "card_id": c1, "count": 2}, 200)
	v = l.act("ana", id, map[string]any{"type": "vote", "card_id": c3, "count": 1}, 200)
	if v["tally"] != nil || v["votes"] != nil {
		t.Errorf("tallies while voting: %v %v", v["tally"], v["votes"])
	}
	l.act("ana", id, map[string]any{"type": "phase", "phase": "decide"}, 200)
	l.act("ana", id, map[string]any{"type": "decide", "decision": map[string]any{"card": c1, "title": "Session fixation at sign-in", "likelihood": "likely",
		"impact": "major", "status": "mitigate", "owner": "ana", "mitigation": "Rotate the session id at sign-in", "due": "2027-02-01", "assumption": "Cookies are Secure"}}, 200)
	l.act("ana", id, map[string]any{"type": "decide", "decision": map[string]any{"card": c3, "likelihood": "possible", "impact": "severe",
		"status": "accept", "owner": "ben", "reason": "Bucket moves next quarter", "expires": "2027-03-31"}}, 200)
	l.want(l.do("POST", "/api/v1/sessions/"+id+"/promote", l.users["ben"], nil), 403)
	pr := l.want(l.do("POST", "/api/v1/sessions/"+id+"/promote", l.users["ana"], nil), 201)
	if pr["version"].(map[string]any)["version"].(float64) != 2 {
		t.Fatalf("promote: %v", pr)
	}
	model := l.want(l.do("GET", "/api/v1/systems/larkspur-shop/versions/2/model", l.users["ana"], nil), 200)
	main := model["files"].(map[string]any)["ward.yaml"].(string)
	for _, want := range []string{"id: session-" + id + "-" + c1, "found_by: team", "found_by: security_review", "likelihood: likely", "status: accepted",
		"id: session-" + id + "-" + c1 + "-m", "text: Cookies are Secure"} {
		if !strings.Contains(main, want) {
			t.Errorf("model version 2 lacks %q", want)
		}
	}
	l.act("ana", id, map[string]any{"type": "phase", "phase": "reflect"}, 200)
	l.act("ana", id, map[string]any{"type": "reflect", "reflection": map[string]any{"yes": true}}, 200)
	l.act("ben", id, map[string]any{"type": "reflect", "reflection": map[string]any{"yes": false, "comment": "We skipped the back office"}}, 200)
	l.act("sec", id, map[string]any{"type": "reflect", "reflection": map[string]any{"yes": true}}, 403)
	v = l.act("ana", id, map[string]any{"type": "conclude"}, 200)
	if v["outcome"] != "open" {
		t.Errorf("1 yes of 4 present: outcome %v", v["outcome"])
	}
	l.act("cy", id, map[string]any{"type": "reflect", "reflection": map[string]any{"yes": true}}, 200)
	// 2 of 4 (ana, ben, cy and the... only the non-observers count: 3) → 2/3 > 50 %.
	v = l.act("ana", id, map[string]any{"type": "conclude"}, 200)
	if v["outcome"] != "signed_off" || v["phase"] != "close" {
		t.Errorf("2 yes of 3: outcome %v phase %v", v["outcome"], v["phase"])
	}
	resp := l.do("GET", "/api/v1/sessions/"+id+"/record?format=markdown", l.users["cy"], nil)
	md, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"**Signed off**: 2 of 3", "not yet: We skipped the back office — ben", "model version 2", "Session fixation at sign-in"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("record lacks %q:\n%s", want, md)
		}
	}
	rec := l.want(l.do("GET", "/api/v1/sessions/"+id+"/record", l.users["sec"], nil), 200)
	if rec["produced_version"].(float64) != 2 || len(rec["merges"].([]any)) != 1 {
		t.Errorf("record: %v", rec)
	}
	// Other teams' members do not see the session at all.
	l.want(l.do("GET", "/api/v1/sessions/"+id, l.users["out"], nil), 404)
}

// TestSessionNothingLost kills a participant's stream mid-brainstorm and
// restarts the server (a new instance on the same database): the
// participant's reconnect with Last-Event-ID delivers every card, and
// nothing anyone typed is missing from the board.
func TestSessionNothingLost(t *testing.T) {
	l := newLiveEnv(t)
	out := l.want(l.do("POST", "/api/v1/systems/larkspur-shop/sessions", l.users["ana"], map[string]any{"title": "Resilience",
		"settings": map[string]any{"budget": 5, "max_per_card": 3, "majority": 50}}), 201)
	id := out["id"].(string)
	l.act("ben", id, map[string]any{"type": "join"}, 200)
	l.act("cy", id, map[string]any{"type": "join"}, 200)
	l.act("ana", id, map[string]any{"type": "phase", "phase": "brainstorm"}, 200)
	stream := openStream(t, l.srv.URL, id, server.SessionCookie, l.users["cy"], -1)
	add := func(who string, i int) {
		l.act(who, id, map[string]any{"type": "card.add", "request_id": fmt.Sprintf("%s-%d", who, i), "card": map[string]any{"target": "auth-service",
			"text": fmt.Sprintf("%s card %d", who, i)}}, 200)
	}
	add("ana", 1)
	last := stream.until("ana's first card", func(e sseEvent) bool { return strings.Contains(e.Data, "ana card 1") }).ID
	stream.close() // cy's laptop drops
	for i := 2; i <= 6; i++ {
		add("ana", i)
		add("ben", i)
	}
	add("cy", 1) // cy keeps typing without a stream: the POST still lands
	re := openStream(t, l.srv.URL, id, server.SessionCookie, l.users["cy"], last)
	seen := map[string]bool{}
	for len(seen) < 11 {
		ev := re.until("replayed cards", func(e sseEvent) bool { return e.Event == "upsert" && strings.Contains(e.Data, "card ") })
		for _, who := range []string{"ana", "ben", "cy"} {
			for i := 1; i <= 6; i++ {
				if strings.Contains(ev.Data, fmt.Sprintf(">%s card %d<", who, i)) {
					seen[fmt.Sprintf("%s%d", who, i)] = true
				}
			}
		}
	}
	last = 0
	re.close()

	// A second server instance on the same database, as after a restart of
	// a replica: a stream reconnecting to it replays from the log.
	st, err := sqlstore.Open(t.Context(), l.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s2 := httptest.NewServer(server.New(server.Config{Version: "test", Now: liveClock}, st, slog.New(slog.DiscardHandler)))
	t.Cleanup(s2.Close) // after the streams' cleanups (last in, first out)
	l.act("ben", id, map[string]any{"type": "card.add", "request_id": "late", "card": map[string]any{"target": "auth-service", "text": "ben late card"}}, 200)
	again := openStream(t, s2.URL, id, server.SessionCookie, l.users["cy"], 4) // after create, two joins and the phase
	got := 0
	for got < 13 {
		again.until("all cards from the restarted instance", func(e sseEvent) bool { return e.Event == "upsert" && strings.Contains(e.Data, `class="scard`) })
		got++
	}
	v := l.want(l.do("GET", "/api/v1/sessions/"+id, l.users["ana"], nil), 200)
	n := 0
	for _, c := range v["cards"].([]any) {
		if c.(map[string]any)["kind"] == "team" {
			n++
		}
	}
	if n != 13 {
		t.Errorf("%d team cards stored, want 13", n)
	}
}

func TestSessionGuestLink(t *testing.T) {
	l := newLiveEnv(t)
	out := l.want(l.do("POST", "/api/v1/systems/larkspur-shop/sessions", l.users["ana"], map[string]any{"title": "Guests", "minutes": 30}), 201)
	id, link := out["id"].(string), out["guest_link"].(string)
	resp, body := l.page("GET", link, "", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Join “Guests” as a guest") {
		t.Fatalf("guest page: %d %s", resp.StatusCode, body)
	}
	resp, _ = l.page("GET", "/s/"+id+"/guest/wrong-secret", "", nil)
	if resp.StatusCode != 404 {
		t.Errorf("a wrong guest secret: %d", resp.StatusCode)
	}
	resp, _ = l.page("POST", link, "", url.Values{"name": {"Gil"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("guest join: %d", resp.StatusCode)
	}
	var guest string
	for _, c := range resp.Cookies() {
		if c.Name == server.GuestCookie {
			guest = c.Value
		}
	}
	get := func(path string) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", l.srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: server.GuestCookie, Value: guest})
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/s/" + id); code != 200 || !strings.Contains(body, "Gil (guest)") {
		t.Errorf("the guest's board: %d", code)
	}
	// Guests see their session only: not the API, not other pages, not
	// another session.
	if code, _ := get("/api/v1/systems"); code != 401 {
		t.Errorf("guest on the API: %d", code)
	}
	if code, _ := get("/systems/larkspur-shop/sessions"); code != http.StatusSeeOther {
		t.Errorf("guest on a system page: %d", code)
	}
	other := l.want(l.do("POST", "/api/v1/systems/larkspur-shop/sessions", l.users["ana"], map[string]any{"title": "Other"}), 201)["id"].(string)
	if code, _ := get("/s/" + other); code != 404 {
		t.Errorf("guest on another session: %d", code)
	}
	// The link ends with the session.
	l.act("ana", id, map[string]any{"type": "phase", "phase": "close"}, 200)
	if code, _ := get("/s/" + id); code != 410 {
		t.Errorf("guest after the close: %d", code)
	}
	if resp, _ := l.page("GET", link, "", nil); resp.StatusCode != 410 {
		t.Errorf("guest link after the close: %d", resp.StatusCode)
	}
}

var _ = json.Marshal

// testLog sends the server's warnings and errors to the test log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// TestSessionStreamPerViewer checks that a frame rendered once per kind
// of viewer still shows each viewer their own buttons: when Ben says he is
// ready, Ben's tab offers "Not ready" and Cy's still "I'm ready".
func TestSessionStreamPerViewer(t *testing.T) {
	l := newLiveEnv(t)
	id := l.want(l.do("POST", "/api/v1/systems/larkspur-shop/sessions", l.users["ana"], map[string]any{"title": "Ready"}), 201)["id"].(string)
	l.act("ben", id, map[string]any{"type": "join"}, 200)
	l.act("cy", id, map[string]any{"type": "join"}, 200)
	bs := openStream(t, l.srv.URL, id, server.SessionCookie, l.users["ben"], -1)
	cs := openStream(t, l.srv.URL, id, server.SessionCookie, l.users["cy"], -1)
	l.act("ben", id, map[string]any{"type": "ready", "on": true}, 200)
	isReady := func(e sseEvent) bool { return e.Event == "upsert" && strings.Contains(e.Data, "✓ ready") }
	if ev := bs.until("ben's ready frame", isReady); !strings.Contains(ev.Data, "Not ready") {
		t.Errorf("ben's own frame does not offer Not ready:\n%s", ev.Data)
	}
	if ev := cs.until("cy's ready frame", isReady); strings.Contains(ev.Data, "Not ready") || !strings.Contains(ev.Data, "m ready</button>") {
		t.Errorf("cy's frame shows ben's button:\n%s", ev.Data)
	}
}

// TestSessionBriefAnswer: ?view=brief answers an action with the event
// number and the card acted on, not the whole board.
func TestSessionBriefAnswer(t *testing.T) {
	l := newLiveEnv(t)
	id := l.want(l.do("POST", "/api/v1/systems/larkspur-shop/sessions", l.users["ana"], map[string]any{"title": "Brief"}), 201)["id"].(string)
	out := l.want(l.do("POST", "/api/v1/sessions/"+id+"/actions?view=brief", l.users["ana"], map[string]any{"type": "card.add",
		"card": map[string]any{"target": "auth-service", "text": "brief card"}}), 200)
	card, _ := out["card"].(map[string]any)
	if out["seq"].(float64) != 2 || card == nil || card["text"] != "brief card" || card["version"].(float64) != 1 || out["cards"] != nil {
		t.Errorf("brief answer: %v", out)
	}
	l.want(l.do("POST", "/api/v1/sessions/"+id+"/actions?view=nope", l.users["ana"], map[string]any{"type": "ready", "on": true}), 400)
	if v := l.want(l.do("GET", "/api/v1/sessions/"+id, l.users["ana"], nil), 200); v["seq"].(float64) != 2 {
		t.Errorf("a refused request was applied: seq %v", v["seq"])
	}
}
