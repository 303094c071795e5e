package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// reviewWorld is a server with a team, a member, two security engineers
// and the shop's model pushed.
type reviewWorld struct {
	*tenv
	member, sec, sec2, viewer string
	files                     map[string]string
}

func newReviewWorld(t *testing.T) *reviewWorld {
	e := newTestEnv(t, envOptions{})
	w := &reviewWorld{tenv: e}
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "storefront", "name": "Storefront"}), 201)
	e.want(e.do("POST", "/api/v1/teams", e.admin, map[string]string{"id": "growth"}), 201)
	const pw = "a long enough password"
	for _, u := range []struct{ email, role, team string }{
		{"mia@example.com", "member", "storefront"}, {"sam@example.com", "security", ""}, {"sid@example.com", "security", ""}, {"vic@example.com", "viewer", ""},
	} {
		e.want(e.do("POST", "/api/v1/users", e.admin, map[string]string{"email": u.email, "role": u.role, "team": u.team, "password": pw}), 201)
	}
	w.member, w.sec, w.sec2, w.viewer = e.login("mia@example.com", pw), e.login("sam@example.com", pw), e.login("sid@example.com", pw), e.login("vic@example.com", pw)
	w.files = bundle(t, "../../examples/shop")
	e.want(e.do("POST", "/api/v1/systems/larkspur-shop/versions", w.member, map[string]any{"main": "ward.yaml", "files": w.files}), 201)
	return w
}

var sensitive = map[string]any{"paved_path": "no", "internet_facing": "yes", "sensitive_data": []string{"payment_card", "pii"},
	"new_third_parties": []string{"Parcelmail"}, "auth_changes": "yes", "criticality": "critical"}

func TestReviewWorkflow(t *testing.T) {
	w := newReviewWorld(t)
	// A member requests a review: the answer shows tier, priority and
	// reasons at once.
	req := map[string]any{"system": "larkspur-shop", "design_doc": "https://docs.example.com/checkout-v2", "wanted_by": "2026-12-10",
		"title": "Checkout v2", "answers": sensitive}
	out := w.want(w.do("POST", "/api/v1/reviews", w.member, req), 201)
	id := out["id"].(string)
	tri := out["triage"].(map[string]any)
	if out["state"] != "requested" || out["tier"] != "security-led" || out["priority"].(float64) < 90 || out["team"] != "storefront" ||
		len(tri["reasons"].([]any)) < 5 || !strings.Contains(tri["summary"].(string), "security-led") {
		t.Fatalf("request: %v", out)
	}
	if out["due"] != "2026-12-10T00:00:00Z" || out["requested_by"] != "mia@example.com" {
		t.Errorf("due / requested_by: %v %v", out["due"], out["requested_by"])
	}
	// One open review per system.
	w.want(w.do("POST", "/api/v1/reviews", w.member, req), 409)
	// A paved-path design without sensitive data goes self-serve at once,
	// even for a design not modelled yet.
	low := w.want(w.do("POST", "/api/v1/reviews", w.member, map[string]any{"system": "gift-cards", "answers": map[string]any{"paved_path": "yes",
		"internet_facing": "no", "sensitive_data": []string{}, "new_third_parties": []string{}, "auth_changes": "no", "criticality": "low"}}), 201)
	if low["state"] != "self_serve" || low["tier"] != "none" || low["team"] != "storefront" {
		t.Errorf("low-risk request: %v", low)
	}
	// Another, less sensitive, security-led request of another team.
	mid := w.want(w.do("POST", "/api/v1/reviews", w.admin, map[string]any{"system": "referrals", "team": "growth", "answers": map[string]any{"paved_path": "no",
		"internet_facing": "yes", "sensitive_data": []string{"pii"}}}), 201)
	if mid["state"] != "requested" || mid["priority"].(float64) >= out["priority"].(float64) {
		t.Fatalf("mid request: %v", mid)
	}
	for _, bad := range []map[string]any{
		{"system": "Bad Id"},
		{"system": "x", "design_doc": "javascript:alert(1)"},
		{"system": "x", "wanted_by": "2026-11-01"},
		{"system": "x", "wanted_by": "soon"},
		{"system": "x", "answers": map[string]any{"paved_path": "perhaps"}},
		{"system": "x", "answers": map[string]any{"sensitive_data": []string{"gossip"}}},
	} {
		w.want(w.do("POST", "/api/v1/reviews", w.member, bad), 400)
	}

	// Security finds it at the top of the queue, ranked by priority.
	q := w.want(w.do("GET", "/api/v1/reviews", w.sec, nil), 200)
	items := q["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != id || items[1].(map[string]any)["id"] != mid["id"] {
		t.Fatalf("queue order: %v", items)
	}
	if items[0].(map[string]any)["modelled"] != true || items[1].(map[string]any)["modelled"] != false {
		t.Errorf("modelled: %v / %v", items[0].(map[string]any)["modelled"], items[1].(map[string]any)["modelled"])
	}
	if got := items[0].(map[string]any)["actions"]; fmt.Sprint(got) != "[triage self_serve assign]" {
		t.Errorf("security's actions: %v", got)
	}
	// The member sees only their team's requests, and cannot act.
	mq := w.want(w.do("GET", "/api/v1/reviews", w.member, nil), 200)
	if mi := mq["items"].([]any); len(mi) != 1 || len(mi[0].(map[string]any)["actions"].([]any)) != 0 {
		t.Errorf("member's queue: %v", mi)
	}
	w.want(w.do("POST", "/api/v1/reviews/"+id+"/actions", w.member, map[string]any{"action": "triage"}), 403)
	w.want(w.do("POST", "/api/v1/reviews/"+id+"/actions", w.member, map[string]any{"action": "approve"}), 403)

	// Capacity: Sam has 10 hours this week; the top review (8 h) fits, the
	// second waits.
	w.want(w.do("PUT", "/api/v1/reviews/capacity", w.sec, map[string]any{"hours": 10}), 200)
	w.want(w.do("PUT", "/api/v1/reviews/capacity", w.sec, map[string]any{"hours": 5, "engineer": "nobody@example.com"}), 400)
	w.want(w.do("PUT", "/api/v1/reviews/capacity", w.member, map[string]any{"hours": 5}), 403)
	q = w.want(w.do("GET", "/api/v1/reviews", w.sec, nil), 200)
	items = q["items"].([]any)
	first, second := items[0].(map[string]any), items[1].(map[string]any)
	if first["fits"] != true || first["planned_engineer"] != "sam@example.com" || second["fits"] != false || q["waiting"].(float64) != 1 || q["week"] != "2026-W48" {
		t.Errorf("plan: %v / %v / waiting %v week %v", first, second, q["waiting"], q["week"])
	}

	// Triage, start, request changes (with a note), resubmit, approve.
	act := func(who, action string, extra map[string]any, status int) map[string]any {
		t.Helper()
		body := map[string]any{"action": action}
		for k, v := range extra {
			body[k] = v
		}
		return w.want(w.do("POST", "/api/v1/reviews/"+id+"/actions", who, body), status)
	}
	act(w.sec, "approve", nil, 409) // not in review yet
	r := act(w.sec, "triage", map[string]any{"note": "card data: mine"}, 200)
	if r["state"] != "triaged" || r["assignee"] != "sam@example.com" {
		t.Errorf("triaged: %v", r)
	}
	act(w.sec, "assign", map[string]any{"assignee": "vic@example.com"}, 400) // a viewer cannot review
	r = act(w.sec, "assign", map[string]any{"assignee": "sid@example.com"}, 200)
	if r["assignee"] != "sid@example.com" || r["state"] != "triaged" {
		t.Errorf("reassigned: %v", r)
	}
	act(w.sec2, "start", map[string]any{"base_revision": 1}, 409) // stale revision
	act(w.sec2, "start", nil, 200)
	act(w.sec2, "request_changes", nil, 400) // a note is needed
	r = act(w.sec2, "request_changes", map[string]any{"note": "Tokenise cards before the queue."}, 200)
	if r["state"] != "changes_requested" || r["note"] != "Tokenise cards before the queue." {
		t.Errorf("changes requested: %v", r)
	}
	if got := w.want(w.do("GET", "/api/v1/systems/larkspur-shop/review", w.member, nil), 200); got["status"] != "pending" {
		t.Errorf("badge while in review: %v", got)
	}
	r = act(w.member, "resubmit", nil, 200)
	if r["state"] != "in_review" {
		t.Errorf("resubmitted: %v", r)
	}
	r = act(w.sec2, "approve", map[string]any{"note": "ok"}, 200)
	if r["state"] != "approved" {
		t.Fatalf("approved: %v", r)
	}
	act(w.sec2, "approve", nil, 409)
	detail := w.want(w.do("GET", "/api/v1/reviews/"+id, w.member, nil), 200)
	var steps []string
	for _, h := range detail["history"].([]any) {
		steps = append(steps, h.(map[string]any)["action"].(string))
	}
	if strings.Join(steps, " ") != "request triage assign start request_changes resubmit approve" {
		t.Errorf("history: %v", steps)
	}

	// The badge: approved, on version 1, by Sid.
	b := w.want(w.do("GET", "/api/v1/systems/larkspur-shop/review", w.viewer, nil), 200)
	appr, _ := b["approval"].(map[string]any)
	if b["status"] != "approved" || appr["by"] != "sid@example.com" || appr["version"].(float64) != 1 || b["warning"] != "" {
		t.Fatalf("badge: %v", b)
	}
	// The approval remembers the high and critical threats it saw (open or
	// unverified), so that a later version can be compared with them.
	var want []string
	for _, f := range w.want(w.do("GET", "/api/v1/findings?system=larkspur-shop&severity=high&limit=500", w.member, nil), 200)["items"].([]any) {
		if f := f.(map[string]any); f["status"] != "mitigated" && f["status"] != "false_positive" {
			want = append(want, f["id"].(string))
		}
	}
	slices.Sort(want)
	if hr := fmt.Sprint(appr["high_risks"]); len(want) == 0 || hr != fmt.Sprint(want) {
		t.Errorf("high risks seen at approval: %s, want %v", hr, want)
	}

	// A new version without new high risk keeps the approval; one that
	// reopens a high finding makes it stale.
	files := map[string]string{}
	for k, v := range w.files {
		files[k] = v
	}
	files["ward.yaml"] += "\n# a comment\n"
	w.want(w.do("POST", "/api/v1/systems/larkspur-shop/versions", w.member, map[string]any{"main": "ward.yaml", "files": files}), 201)
	if b := w.want(w.do("GET", "/api/v1/systems/larkspur-shop/review", w.member, nil), 200); b["status"] != "approved" {
		t.Errorf("badge after a harmless version: %v", b)
	}
	th := files["threats.yaml"]
	// (Not the false positive on cdn-waf: at a moderate stake, no asset
	// named, it is medium at most.)
	i := strings.Index(th, "  - finding: sensitive-store-unencrypted:session-store")
	if i < 0 {
		t.Fatal("examples/shop/threats.yaml changed: the decision this test removes is gone")
	}
	j := i + 1 + strings.Index(th[i+1:], "  - finding:")
	if j <= i {
		j = len(th)
	}
	files["threats.yaml"] = th[:i] + th[j:]
	w.want(w.do("POST", "/api/v1/systems/larkspur-shop/versions", w.member, map[string]any{"main": "ward.yaml", "files": files}), 201)
	b = w.want(w.do("GET", "/api/v1/systems/larkspur-shop/review", w.member, nil), 200)
	if b["status"] != "stale" || fmt.Sprint(b["new_risks"]) != "[sensitive-store-unencrypted:session-store]" || !strings.Contains(b["text"].(string), "version 3") {
		t.Errorf("badge after new high risk: %v", b)
	}
	rem := w.want(w.do("GET", "/api/v1/reviews/reminders", w.member, nil), 200)
	if items := rem["items"].([]any); len(items) != 1 || items[0].(map[string]any)["kind"] != "approval_stale" {
		t.Errorf("reminders: %v", items)
	}
	// Members never see other teams' reminders; security sees all.
	rem = w.want(w.do("GET", "/api/v1/reviews/reminders", w.sec, nil), 200)
	kinds := map[string]bool{}
	for _, it := range rem["items"].([]any) {
		kinds[it.(map[string]any)["kind"].(string)] = true
	}
	if !kinds["approval_stale"] {
		t.Errorf("security's reminders: %v", rem)
	}

	// A fresh approval, then time: a warning 30 days before expiry, stale
	// once expired.
	id2 := w.want(w.do("POST", "/api/v1/reviews", w.member, req), 201)["id"].(string)
	for _, a := range []string{"triage", "start", "approve"} {
		w.want(w.do("POST", "/api/v1/reviews/"+id2+"/actions", w.sec, map[string]any{"action": a}), 200)
	}
	if b := w.want(w.do("GET", "/api/v1/systems/larkspur-shop/review", w.member, nil), 200); b["status"] != "approved" {
		t.Fatalf("re-approved: %v", b)
	}
	w.clock.Add(336 * 24 * time.Hour)
	relogin := func() { // sessions last 12 hours
		w.member, w.admin = w.login("mia@example.com", "a long enough password"), w.login("admin@example.com", "correct horse battery")
	}
	relogin()
	if b := w.want(w.do("GET", "/api/v1/systems/larkspur-shop/review", w.member, nil), 200); b["status"] != "approved" || !strings.Contains(b["warning"].(string), "expires in 29 days") {
		t.Errorf("approval near expiry: %v", b)
	}
	w.clock.Add(30 * 24 * time.Hour)
	relogin()
	if b := w.want(w.do("GET", "/api/v1/systems/larkspur-shop/review", w.member, nil), 200); b["status"] != "stale" || b["expired"] != true {
		t.Errorf("expired approval: %v", b)
	}
	// Requests overdue show as reminders.
	rem = w.want(w.do("GET", "/api/v1/reviews/reminders", w.admin, nil), 200)
	if items := rem["items"].([]any); len(items) < 2 || items[0].(map[string]any)["kind"] != "overdue" {
		t.Errorf("reminders a year on: %v", items)
	}
}

func TestReviewSettings(t *testing.T) {
	w := newReviewWorld(t)
	got := w.want(w.do("GET", "/api/v1/reviews/settings", w.member, nil), 200)
	if got["custom_policy"] != false || !strings.Contains(got["policy"].(string), "security_led: 50") || len(got["questions"].([]any)) != 6 {
		t.Fatalf("default settings: %v", got)
	}
	// An invalid policy: 422 with file:line:col diagnostics; nothing stored.
	bad := w.want(w.do("PUT", "/api/v1/reviews/settings", w.admin, map[string]any{"policy": "ward_policy: 1\nthresholds:\n  security_led: 500\n"}), 422)
	e := bad["error"].(map[string]any)
	if e["code"] != "invalid_policy" || !strings.Contains(fmt.Sprint(e["details"]), "line:3") {
		t.Errorf("invalid policy: %v", bad)
	}
	w.want(w.do("PUT", "/api/v1/reviews/settings", w.sec, map[string]any{"policy": ""}), 403)
	w.want(w.do("PUT", "/api/v1/reviews/settings", w.admin, map[string]any{"settings": map[string]any{"approval_days": 30, "warn_days": 30, "due_days": 14,
		"security_led_hours": 8, "self_serve_hours": 2}}), 400)
	// A stricter policy: PII alone is security-led.
	strict := "ward_policy: 1\nname: strict\nthresholds:\n  self_serve: 10\n  security_led: 15\n"
	got = w.want(w.do("PUT", "/api/v1/reviews/settings", w.admin, map[string]any{"policy": strict,
		"settings": map[string]any{"approval_days": 180, "warn_days": 14, "due_days": 7, "security_led_hours": 6, "self_serve_hours": 1}}), 200)
	if got["custom_policy"] != true || got["policy_name"] != "strict" {
		t.Errorf("stored policy: %v", got)
	}
	ans := map[string]any{"paved_path": "yes", "internet_facing": "no", "sensitive_data": []string{"pii"}, "new_third_parties": []string{}, "auth_changes": "no", "criticality": "low"}
	pre := w.want(w.do("POST", "/api/v1/reviews/triage", w.viewer, map[string]any{"answers": ans}), 200)
	if pre["tier"] != "security-led" || pre["policy"] != "strict" {
		t.Errorf("preview under the strict policy: %v", pre)
	}
	r := w.want(w.do("POST", "/api/v1/reviews", w.member, map[string]any{"system": "larkspur-shop", "answers": ans}), 201)
	if r["state"] != "requested" || r["due"] != "2026-11-30T12:00:00Z" {
		t.Errorf("request under the strict policy: %v", r)
	}
	for _, a := range []string{"triage", "start", "approve"} {
		w.want(w.do("POST", "/api/v1/reviews/"+r["id"].(string)+"/actions", w.sec, map[string]any{"action": a}), 200)
	}
	b := w.want(w.do("GET", "/api/v1/systems/larkspur-shop/review", w.member, nil), 200)
	if exp := b["approval"].(map[string]any)["expires"]; exp != "2027-05-22T12:00:00Z" {
		t.Errorf("approval valid 180 days: expires %v", exp)
	}
	// Back to the default.
	got = w.want(w.do("PUT", "/api/v1/reviews/settings", w.admin, map[string]any{"policy": ""}), 200)
	if got["custom_policy"] != false {
		t.Errorf("reset: %v", got)
	}
	if pre := w.want(w.do("POST", "/api/v1/reviews/triage", w.member, map[string]any{"answers": ans}), 200); pre["tier"] != "self-serve" {
		t.Errorf("preview under the default policy: %v", pre)
	}
}
