package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// programmeDemo is a server with ward serve --demo's data: the examples,
// the review queue, the demo accounts and the programme's teams.
type programmeDemo struct {
	t   *testing.T
	st  store.Store
	s   *server.Server
	srv *httptest.Server
	pw  string
}

func newProgrammeDemo(t *testing.T) *programmeDemo {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := server.New(server.Config{Version: "test", AnalysesPerMinute: 1 << 20, AnalysesBurst: 1 << 20}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	loadProgrammeDemo(t, s)
	d := &programmeDemo{t: t, st: st, s: s, pw: "demo password 1234"}
	if _, err := s.LoadDemoAccounts(t.Context(), d.pw); err != nil {
		t.Fatal(err)
	}
	d.srv = httptest.NewServer(s)
	t.Cleanup(d.srv.Close)
	return d
}

// loadProgrammeDemo loads what ward serve --demo loads.
func loadProgrammeDemo(t testing.TB, s *server.Server) {
	t.Helper()
	for _, ex := range []string{"shop", "events", "admin-agent"} {
		if err := s.LoadDemo(t.Context(), "demo", server.Bundle{Main: "ward.yaml", Files: bundle(t, "../../examples/"+ex)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.LoadDemoReviews(t.Context()); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second time changes nothing
		if err := s.LoadDemoProgramme(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}

// login signs in and returns the session cookie.
func (d *programmeDemo) login(email string) *http.Cookie {
	d.t.Helper()
	resp, err := http.Post(d.srv.URL+"/api/v1/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"`+d.pw+`"}`))
	if err != nil {
		d.t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == server.SessionCookie {
			return c
		}
	}
	d.t.Fatalf("no session for %s (%d)", email, resp.StatusCode)
	return nil
}

func (d *programmeDemo) get(c *http.Cookie, path string) (int, string) {
	d.t.Helper()
	req, _ := http.NewRequest("GET", d.srv.URL+path, nil)
	req.AddCookie(c)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestProgrammeDemo(t *testing.T) {
	d := newProgrammeDemo(t)
	sec := d.login("security@demo.example")
	code, body := d.get(sec, "/api/v1/programme/teams")
	if code != 200 {
		t.Fatalf("teams: %d %s", code, body)
	}
	var teams struct {
		Items []struct {
			Team    struct{ ID string }
			Phase   string
			Open    *struct{ To string } `json:"open_proposal"`
			Escapes int
		}
	}
	if err := json.Unmarshal([]byte(body), &teams); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, x := range teams.Items {
		to := ""
		if x.Open != nil {
			to = x.Open.To
		}
		got[x.Team.ID] = x.Phase + ">" + to
	}
	want := map[string]string{"payments": "review>security_optional", "storefront": "observation>review", "platform": "observation>training",
		"growth": "training>", "demo": "traditional>"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("team %s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	for _, p := range []string{"/programme", "/programme/teams/payments", "/programme/findings", "/programme/leadership", "/programme/summary"} {
		if code, body := d.get(sec, p); code != 200 {
			t.Errorf("%s: %d\n%.2000s", p, code, body)
		}
	}
	code, body = d.get(sec, "/api/v1/programme/findings?catch=escape")
	if code != 200 || !strings.Contains(body, `"catch":"escape"`) {
		t.Errorf("escapes: %d %.500s", code, body)
	}
	for _, c := range []string{"known", "engine"} {
		if _, body := d.get(sec, "/api/v1/programme/findings?catch="+c); !strings.Contains(body, `"catch":"`+c+`"`) {
			t.Errorf("no demo finding the model answers %s", c)
		}
	}
	code, body = d.get(d.login("viewer@demo.example"), "/api/v1/programme/leadership?format=csv")
	if code != 200 || !strings.Contains(body, "section,team,item") || !strings.Contains(body, "avoided vs fixing in production") {
		t.Errorf("csv: %d %.500s", code, body)
	}
	_ = url.Values{}
}

// TestProgrammeWorkflow: approving a review records the reviewed model
// with its threats credited; outside findings are answered against the
// model; escapes propose a step back; the coach confirms with a note;
// Security-optional teams' reviews are sampled; bad input is refused
// with its reason.
func TestProgrammeWorkflow(t *testing.T) {
	w := newReviewWorld(t)
	ctx := t.Context()
	// An approved review records the reviewed model.
	out := w.want(w.do("POST", "/api/v1/reviews", w.member, map[string]any{"system": "larkspur-shop", "design_doc": "https://docs.example.com/x", "answers": sensitive}), 201)
	id := out["id"].(string)
	for _, a := range []string{"triage", "start"} {
		w.want(w.do("POST", "/api/v1/reviews/"+id+"/actions", w.sec, map[string]any{"action": a}), 200)
	}
	// Security turns a review comment into a threat: found by security review.
	rt := map[string]any{"title": "Refund endpoint trusts the amount sent by the browser", "target": "back-office", "stride": []string{"tampering"},
		"likelihood": "likely", "impact": "major"}
	if code, _ := w.call("POST", "/api/v1/reviews/"+id+"/threats", w.member, rt); code != 403 {
		t.Errorf("a member adds a review threat: %d", code)
	}
	if code, body := w.call("POST", "/api/v1/reviews/"+id+"/threats", w.sec, map[string]any{"title": "x", "target": "back-office", "stride": []string{"tamper"}, "likelihood": "likely", "impact": "major"}); code != 400 || !strings.Contains(string(body), `stride \"tamper\"`) {
		t.Errorf("bad stride: %d %s", code, body)
	}
	w.want(w.do("POST", "/api/v1/reviews/"+id+"/threats", w.sec, rt), 201)
	w.want(w.do("POST", "/api/v1/reviews/"+id+"/actions", w.sec, map[string]any{"action": "approve"}), 200)
	rms, err := w.st.ReviewedModels(ctx, "storefront", 0)
	if err != nil || len(rms) != 1 || rms[0].SystemID != "larkspur-shop" || rms[0].RequestID != id {
		t.Fatalf("reviewed models = %+v, %v", rms, err)
	}
	var threats []struct {
		ID      string
		FoundBy string `json:"found_by"`
	}
	if err := json.Unmarshal([]byte(rms[0].Threats), &threats); err != nil || len(threats) == 0 {
		t.Fatalf("threats: %v %s", err, rms[0].Threats)
	}
	team := 0
	for _, x := range threats {
		if x.FoundBy == "team" {
			team++
		}
	}
	if team == 0 {
		t.Errorf("no threat credited to the team: %s", rms[0].Threats)
	}
	if !strings.Contains(rms[0].Threats, `"title":"Refund endpoint trusts the amount sent by the browser","found_by":"security_review"`) {
		t.Errorf("the review's threat is not credited to security: %s", rms[0].Threats)
	}
	hist := w.want(w.do("GET", "/api/v1/reviews/"+id, w.member, nil), 200)
	if !strings.Contains(fmt.Sprint(hist["history"]), "threat_added") {
		t.Errorf("the review's history lacks the threat: %v", hist["history"])
	}

	// Importing: members may not; a bad file is refused with its places.
	// Found after the team entered its phase (the clock stands at 2026-11-23 12:00).
	csv := "title,severity,found,element,category\nReset link reusable,high,2026-11-23T12:30:00Z,auth-notifier,repudiation\nCheckout floods,high,2026-11-23T13:00:00Z,browser,denial_of_service\n"
	imp := map[string]any{"content": csv, "source": "pen_test", "system": "larkspur-shop", "file": "pt.csv"}
	if code, _ := w.call("POST", "/api/v1/programme/findings", w.member, imp); code != 403 {
		t.Errorf("member import: %d", code)
	}
	code, body := w.call("POST", "/api/v1/programme/findings", w.sec, map[string]any{"content": "title,severity,found\nX,severe,2026-01-01\n", "source": "pen_test", "system": "larkspur-shop", "file": "bad.csv"})
	if code != 422 || !strings.Contains(string(body), `"file":"bad.csv","line":2,"col":3`) || !strings.Contains(string(body), "nothing was imported") {
		t.Errorf("bad file: %d %s", code, body)
	}
	code, body = w.call("POST", "/api/v1/programme/findings", w.sec, map[string]any{"content": csv, "source": "pen_test", "system": "nowhere"})
	if code != 400 || !strings.Contains(string(body), "push its model first") {
		t.Errorf("unknown system: %d %s", code, body)
	}

	// The team is in Observation: two high escapes propose a step back.
	w.want(w.do("PUT", "/api/v1/programme/teams/storefront/phase", w.sec, map[string]any{"phase": "observation", "note": "observed session went well"}), 200)
	if code, _ := w.call("PUT", "/api/v1/programme/teams/storefront/phase", w.sec, map[string]any{"phase": "observation"}); code != 400 {
		t.Errorf("phase without a note: %d", code)
	}
	res := w.want(w.do("POST", "/api/v1/programme/findings", w.sec, imp), 201)
	by := res["by_catch"].(map[string]any)
	if res["new"].(float64) != 2 || by["escape"] == nil {
		t.Errorf("import = %v", res)
	}
	tp := w.want(w.do("GET", "/api/v1/programme/teams/storefront", w.member, nil), 200)
	op, _ := tp["open_proposal"].(map[string]any)
	if op == nil || op["to"] != "training" || op["step_back"] != true {
		t.Fatalf("after two high escapes the open proposal is %v", tp["open_proposal"])
	}
	if tp["evidence"] == nil || len(tp["reviewed_models"].([]any)) != 1 {
		t.Errorf("team page: evidence %v, reviewed %v", tp["evidence"], tp["reviewed_models"])
	}
	// The coach dismisses it with a note; deciding twice is a conflict.
	pid := op["id"].(string)
	if code, _ := w.call("POST", "/api/v1/programme/proposals/"+pid, w.member, map[string]any{"confirm": true, "note": "x"}); code != 403 {
		t.Errorf("member decides: %d", code)
	}
	d := w.want(w.do("POST", "/api/v1/programme/proposals/"+pid, w.sec, map[string]any{"confirm": false, "note": "the escapes are in a vendor library"}), 200)
	if d["state"] != "dismissed" || d["note"] != "the escapes are in a vendor library" {
		t.Errorf("decided = %v", d)
	}
	if code, _ := w.call("POST", "/api/v1/programme/proposals/"+pid, w.sec, map[string]any{"confirm": true, "note": "again"}); code != 409 {
		t.Errorf("decide twice: %d", code)
	}

	// Members see their own team only.
	teams := w.want(w.do("GET", "/api/v1/programme/teams", w.member, nil), 200)
	if items := teams["items"].([]any); len(items) != 1 {
		t.Errorf("member sees %d teams", len(items))
	}
	if code, _ := w.call("GET", "/api/v1/programme/teams/growth", w.member, nil); code != 404 {
		t.Errorf("member reads another team: %d", code)
	}
	if code, _ := w.call("GET", "/api/v1/programme/leadership", w.member, nil); code != 403 {
		t.Errorf("member reads leadership: %d", code)
	}

	// Settings: only administrators; bad rules refused with the reason.
	if code, _ := w.call("PUT", "/api/v1/programme/settings", w.sec, map[string]any{"rules": map[string]any{"sample_share": 0.5}}); code != 403 {
		t.Errorf("security changes settings: %d", code)
	}
	code, body = w.call("PUT", "/api/v1/programme/settings", w.admin, map[string]any{"rules": map[string]any{"sample_share": 2}})
	if code != 400 || !strings.Contains(string(body), "sample_share must be a share between 0 and 1") {
		t.Errorf("bad share: %d %s", code, body)
	}
	w.want(w.do("PUT", "/api/v1/programme/settings", w.admin, map[string]any{"rules": map[string]any{"sample_share": 0.5}}), 200)

	// Security-optional: a low-priority design is self-serve, the riskiest sampled.
	w.want(w.do("PUT", "/api/v1/programme/teams/storefront/phase", w.sec, map[string]any{"phase": "security_optional", "note": "graduated"}), 200)
	hot := w.want(w.do("POST", "/api/v1/reviews", w.member, map[string]any{"system": "hot-design", "team": "storefront", "answers": sensitive}), 201)
	if hot["state"] != "requested" {
		t.Errorf("the riskiest design is not sampled: %v", hot["state"])
	}
	mild := map[string]any{"paved_path": "no", "internet_facing": "yes", "sensitive_data": []string{"pii"}, "new_third_parties": []string{}, "auth_changes": "no", "criticality": "medium"}
	cool := w.want(w.do("POST", "/api/v1/reviews", w.member, map[string]any{"system": "cool-design", "team": "storefront", "answers": mild}), 201)
	if cool["state"] != "self_serve" {
		t.Errorf("a design below the team's top half is %v, want self_serve", cool["state"])
	}
	det := w.want(w.do("GET", "/api/v1/reviews/"+cool["id"].(string), w.member, nil), 200)
	if !strings.Contains(fmt.Sprint(det), "Security-optional team") {
		t.Errorf("the request's history does not say why: %v", det)
	}
}

// TestTrainingEvidence: a team in Training that completed the exercise and
// ran a session security observed is proposed for Observation.
func TestTrainingEvidence(t *testing.T) {
	w := newReviewWorld(t)
	ctx := t.Context()
	w.want(w.do("PUT", "/api/v1/programme/teams/storefront/phase", w.sec, map[string]any{"phase": "training", "note": "kick-off"}), 200)
	if err := w.s.RecordTrainingDone(ctx, "storefront", "run-1", "Exercise “Parcel lockers”", w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	tp := w.want(w.do("GET", "/api/v1/programme/teams/storefront", w.sec, nil), 200)
	if tp["open_proposal"] != nil {
		t.Fatalf("proposed without an observed session: %v", tp["open_proposal"])
	}
	// A session with security as observer.
	w.want(w.do("PUT", "/api/v1/programme/teams/storefront/phase", w.sec, map[string]any{"phase": "observation", "note": "to see the invite"}), 200)
	sess := w.want(w.do("POST", "/api/v1/systems/larkspur-shop/sessions", w.member, map[string]any{"title": "Checkout"}), 201)
	// In Observation, security is invited to observe the team's sessions.
	if resp, body := w.page("GET", "/programme", w.sec, nil); resp.StatusCode != 200 || !strings.Contains(body, `href="/s/`+sess["id"].(string)+`"`) {
		t.Errorf("the session is not among the sessions to observe:\n%.3000s", body)
	}
	w.want(w.do("PUT", "/api/v1/programme/teams/storefront/phase", w.sec, map[string]any{"phase": "training", "note": "back to the test"}), 200)
	w.want(w.do("POST", "/api/v1/sessions/"+sess["id"].(string)+"/actions", w.sec, map[string]any{"type": "join"}), 200)
	if err := w.s.RecordTrainingDone(ctx, "storefront", "run-1", "again", w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	tp = w.want(w.do("GET", "/api/v1/programme/teams/storefront", w.sec, nil), 200)
	op, _ := tp["open_proposal"].(map[string]any)
	if op == nil || op["to"] != "observation" {
		t.Fatalf("open proposal = %v", tp["open_proposal"])
	}
	if acts := tp["activities"].([]any); len(acts) != 2 {
		t.Errorf("activities = %v", acts)
	}
}
