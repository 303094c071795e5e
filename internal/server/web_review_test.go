package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// sensitiveForm is the request form of a card-handling design.
func sensitiveForm(system string) url.Values {
	return url.Values{"system": {system}, "title": {"Checkout v2"}, "design_doc": {"https://docs.example.com/checkout-v2"}, "wanted_by": {"2026-12-10"},
		"paved_path": {"no"}, "internet_facing": {"yes"}, "sensitive_data": {"payment_card", "pii"}, "new_third_parties": {"Parcelmail, Stripe"},
		"auth_changes": {"yes"}, "criticality": {"critical"}}
}

var reviewLink = regexp.MustCompile(`^/review/(rv-[0-9a-f]+)$`)

func TestReviewPages(t *testing.T) {
	w := newReviewWorld(t)
	const pw = "a long enough password"
	w.want(w.do("POST", "/api/v1/users", w.admin, map[string]string{"email": "gus@example.com", "role": "member", "team": "growth", "password": pw}), 201)
	other := w.login("gus@example.com", pw)

	// The member opens the form from the system page and requests a review.
	resp, body := w.page("GET", "/systems/larkspur-shop", w.member, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Design review: no review") || !strings.Contains(body, `href="/review/new?system=larkspur-shop"`) {
		t.Fatalf("system page before a review: %d\n%s", resp.StatusCode, body)
	}
	resp, body = w.page("GET", "/review/new?system=larkspur-shop", w.member, nil)
	// The answers start from the model's context: section, triaged at once.
	for _, want := range []string{"Answers taken from the <code>context:</code> section", `id="paved_path-yes" name="paved_path" value="yes" checked`,
		`id="sensitive_data-payment_card" name="sensitive_data" value="payment_card" checked`, `value="Parcelmail"`, `<option value="critical" selected>`,
		"tier-security-led"} {
		if !strings.Contains(body, want) {
			t.Errorf("request form: not pre-filled from the model: lacks %s", want)
		}
	}
	for _, want := range []string{`name="paved_path"`, `value="payment_card"`, `name="new_third_parties"`, `name="wanted_by"`, `name="design_doc"`, `value="larkspur-shop"`, `hx-post="/review/triage"`} {
		if !strings.Contains(body, want) {
			t.Errorf("request form lacks %s", want)
		}
	}
	// The live answer (htmx) and the refusal of a bad form.
	resp, body = w.page("POST", "/review/triage", w.member, sensitiveForm("larkspur-shop"))
	if resp.StatusCode != 200 || !strings.Contains(body, "security-led") || !strings.Contains(body, "PCI DSS") || strings.Contains(body, "<html") {
		t.Errorf("triage preview: %d %s", resp.StatusCode, body)
	}
	bad := sensitiveForm("Not An Id")
	resp, body = w.page("POST", "/review", w.member, bad)
	if resp.StatusCode != 400 || !strings.Contains(body, "name the system by its id") || !strings.Contains(body, `value="Checkout v2"`) {
		t.Errorf("bad form: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = w.page("POST", "/review", w.member, sensitiveForm("larkspur-shop"))
	m := reviewLink.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("request: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	id := m[1]
	resp, body = w.page("GET", "/review/"+id, w.member, nil)
	for _, want := range []string{"security-led", "priority 9", "PCI DSS", "Parcelmail, Stripe", "Requested", "Design review: review pending"} {
		if !strings.Contains(body, want) {
			t.Errorf("request page lacks %q", want)
		}
	}
	if strings.Contains(body, `value="approve"`) || strings.Contains(body, `value="triage"`) {
		t.Error("the member sees security's buttons")
	}

	// Pages authorize like the API: members act on nothing of security's,
	// other teams' requests are not revealed, viewers change nothing.
	for _, c := range []struct {
		who, method, path string
		form              url.Values
		status            int
	}{
		{"", "GET", "/review", nil, http.StatusSeeOther},
		{"", "POST", "/review/" + id + "/act", url.Values{"action": {"triage"}}, 401},
		{w.member, "POST", "/review/" + id + "/act", url.Values{"action": {"approve"}}, 403},
		{w.member, "POST", "/review/" + id + "/act", url.Values{"action": {"triage"}}, 403},
		{w.viewer, "POST", "/review/" + id + "/act", url.Values{"action": {"triage"}}, 403},
		{other, "GET", "/review/" + id, nil, 404},
		{other, "POST", "/review/" + id + "/act", url.Values{"action": {"triage"}}, 404},
		{w.viewer, "POST", "/review", sensitiveForm("larkspur-shop"), 403},
		{other, "POST", "/review", sensitiveForm("larkspur-shop"), 404},
		{w.member, "POST", "/review/capacity", url.Values{"week": {"2026-W48"}, "hours": {"4"}}, 403},
		{w.sec, "POST", "/review/capacity", url.Values{"week": {"2026-W48"}, "hours": {"NaN"}}, 400},
		{w.sec, "POST", "/review/capacity", url.Values{"week": {"2026-W48"}, "hours": {"+Inf"}}, 400},
		{w.sec, "POST", "/review/capacity", url.Values{"week": {"2026-W99"}, "hours": {"4"}}, 400},
		{w.member, "GET", "/review/policy", nil, 403},
		{w.sec, "GET", "/review/policy", nil, 403},
		{w.sec, "POST", "/review/policy", url.Values{"policy": {""}}, 403},
		{w.viewer, "GET", "/review/" + id, nil, 200},
		{other, "GET", "/review", nil, 200},
	} {
		before := w.state()
		resp, body := w.page(c.method, c.path, c.who, c.form)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d\n%.400s", c.method, c.path, resp.StatusCode, c.status, body)
		}
		if c.status >= 400 && !equalState(before, w.state()) {
			t.Errorf("%s %s: refused but the store changed", c.method, c.path)
		}
		if c.who == other && strings.Contains(body, "larkspur") {
			t.Errorf("%s %s: another team's request shows", c.method, c.path)
		}
	}

	// Security: the request tops the queue and the home card; hours,
	// triage, start, approve.
	resp, body = w.page("GET", "/", w.sec, nil)
	if !strings.Contains(body, "Review queue") || !strings.Contains(body, `href="/review/`+id+`"`) {
		t.Errorf("security's home lacks the queue card:\n%s", body)
	}
	resp, _ = w.page("POST", "/review/capacity", w.sec, url.Values{"week": {"2026-W48"}, "engineer": {"sam@example.com"}, "hours": {"12"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("hours: %d", resp.StatusCode)
	}
	_, body = w.page("GET", "/review", w.sec, nil)
	i := strings.Index(body, "<tbody>")
	if i < 0 || !strings.Contains(body[i:i+800], `href="/review/`+id+`"`) || !strings.Contains(body, "fits") || !strings.Contains(body, "12 hours entered") {
		t.Errorf("queue page:\n%s", body)
	}
	// Reassignment from the queue (members see no such form): Sid has no
	// hours this week, so the review now waits.
	if _, mb := w.page("GET", "/review", w.member, nil); strings.Contains(mb, `value="assign"`) {
		t.Error("the member's queue offers reassignment")
	}
	resp, _ = w.page("POST", "/review/"+id+"/act", w.sec, url.Values{"action": {"assign"}, "assignee": {"sid@example.com"}, "next": {"/review"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/review" {
		t.Errorf("reassign from the queue: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = w.page("GET", "/review", w.sec, nil)
	if !strings.Contains(body, `<option value="sid@example.com" selected>`) || !strings.Contains(body, "sid@example.com entered no hours this week") {
		t.Errorf("the queue after reassignment:\n%s", body)
	}
	for _, a := range []url.Values{{"action": {"triage"}, "assignee": {"sam@example.com"}}, {"action": {"start"}}, {"action": {"approve"}, "note": {"Tokenised: fine."}}} {
		resp, _ = w.page("POST", "/review/"+id+"/act", w.sec, a)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/review/"+id {
			t.Fatalf("%s: %d %s", a.Get("action"), resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, _ = w.page("POST", "/review/"+id+"/act", w.sec, url.Values{"action": {"approve"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("approving twice: %d", resp.StatusCode)
	}
	_, body = w.page("GET", "/systems/larkspur-shop", w.member, nil)
	if !strings.Contains(body, "Design review: approved") || !strings.Contains(body, "approved by sam@example.com") {
		t.Errorf("system page after approval:\n%s", body)
	}

	// The admin's policy page: diagnostics with positions, then saved.
	resp, body = w.page("GET", "/review/policy", w.admin, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "security_led: 50") {
		t.Fatalf("policy page: %d", resp.StatusCode)
	}
	settings := url.Values{"approval_days": {"365"}, "warn_days": {"30"}, "due_days": {"14"}, "security_led_hours": {"8"}, "self_serve_hours": {"2"}}
	form := url.Values{"policy": {"ward_policy: 1\nweights:\n  paved_path: lots\n"}}
	for k, v := range settings {
		form[k] = v
	}
	resp, body = w.page("POST", "/review/policy", w.admin, form)
	if resp.StatusCode != 422 || !strings.Contains(body, "triage-policy.yaml:3:") {
		t.Errorf("invalid policy: %d\n%s", resp.StatusCode, body)
	}
	form.Set("policy", "ward_policy: 1\nname: acme\n")
	resp, _ = w.page("POST", "/review/policy", w.admin, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("valid policy: %d", resp.StatusCode)
	}
	if got := w.want(w.do("GET", "/api/v1/reviews/settings", w.member, nil), 200); got["policy_name"] != "acme" {
		t.Errorf("policy after the page: %v", got["policy_name"])
	}
}

// TestDemoReviews: ward serve --demo's review queue is not empty: the
// examples' reviews are filed from their models' answers, once.
func TestDemoReviews(t *testing.T) {
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := server.New(server.Config{}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, ex := range []string{"shop", "events", "admin-agent"} {
		if err := s.LoadDemo(t.Context(), "demo", server.Bundle{Main: "ward.yaml", Files: bundle(t, "../../examples/"+ex)}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // the second time changes nothing
		if err := s.LoadDemoReviews(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	rs, n, err := st.ListReviews(t.Context(), store.ReviewQuery{Page: store.Page{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, r := range rs {
		states[r.State]++
		if r.Score == 0 || r.Tier == "" || !strings.Contains(r.Answers, "paved_path") {
			t.Errorf("demo review %s: %+v", r.SystemID, r)
		}
	}
	if n != 3 || states["approved"] != 1 || states["in_review"] != 1 || states["approved"]+states["in_review"]+states["requested"]+states["self_serve"] != 3 {
		t.Errorf("demo reviews: %d, states %v", n, states)
	}
	if as, err := st.LatestApprovals(t.Context(), "demo"); err != nil || len(as) != 1 || as[0].ApprovedBy != "security@demo.example" {
		t.Errorf("demo approvals: %+v %v", as, err)
	}
}

// TestReviewHomeCardSurvivesErrors: a stored policy that no longer parses
// breaks the queue (loudly, with an id) but not the home page.
func TestReviewHomeCardSurvivesErrors(t *testing.T) {
	w := newReviewWorld(t)
	if err := w.st.SetReviewSetting(t.Context(), "triage_policy", "weights: [not, a, mapping]\n", "test"); err != nil {
		t.Fatal(err)
	}
	resp, body := w.page("GET", "/", w.sec, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "The review queue could not be loaded (error id ") {
		t.Errorf("home with a broken policy: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(w.log.String(), "review queue card") {
		t.Error("the card's error is not logged")
	}
	resp, body = w.page("GET", "/review", w.sec, nil)
	if resp.StatusCode != 500 || !strings.Contains(body, "Error id") || strings.Contains(body, "not, a, mapping") {
		t.Errorf("the queue page with a broken policy: %d, want 500 with an id and no details\n%s", resp.StatusCode, body)
	}
	// The administrator sees the stored text with its problems, and fixes it.
	resp, body = w.page("GET", "/review/policy", w.admin, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "no longer parses") || !strings.Contains(body, "triage-policy.yaml:1:") || !strings.Contains(body, "not, a, mapping") {
		t.Errorf("policy page with a broken policy: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = w.page("POST", "/review/policy", w.admin, url.Values{"reset": {"1"}, "approval_days": {"365"}, "warn_days": {"30"}, "due_days": {"14"},
		"security_led_hours": {"8"}, "self_serve_hours": {"2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("restoring the default policy: %d", resp.StatusCode)
	}
	if resp, _ = w.page("GET", "/review", w.sec, nil); resp.StatusCode != 200 {
		t.Errorf("the queue after the fix: %d", resp.StatusCode)
	}
}
