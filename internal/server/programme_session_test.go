package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestObservationInvitesSecurity: a session opened for a team in the
// Observation phase invites security as observer by default — security is
// mailed (session.observe), the team's webhook hears of it once, and the
// session's state and record say so; the facilitator may untick it, and a
// team in another phase invites nobody unless asked.
func TestObservationInvitesSecurity(t *testing.T) {
	n := newNotifyEnv(t)
	_, ann, annTok := n.member("ann@example.com")
	n.want(n.do("POST", "/api/v1/users", n.admin, map[string]string{"email": "sec@example.com", "role": "security", "password": memberPW}), 201)
	wh := n.want(n.do("POST", "/api/v1/teams/team-a/webhooks", ann, map[string]any{"name": "Slack #team-a", "url": n.hook.URL + "/hook",
		"kinds": []string{"session.observe"}}), 201)
	n.hook.secret = wh["secret"].(string)
	n.pushA(annTok)
	open := func(title string, invite *bool) map[string]any {
		body := map[string]any{"title": title}
		if invite != nil {
			body["invite_security"] = *invite
		}
		out := n.want(n.do("POST", "/api/v1/systems/"+sysA+"/sessions", ann, body), 201)
		return n.want(n.do("GET", "/api/v1/sessions/"+out["id"].(string), ann, nil), 200)
	}

	// Traditional (no phase set): nobody is invited by default.
	if st := open("Before the programme", nil); st["security_invited"] == true {
		t.Errorf("a Traditional team's session invites security: %v", st["security_invited"])
	}
	n.deliver()
	if got := n.mailTo("Observe a threat-modeling session"); len(got) != 0 {
		t.Errorf("mailed %v for a Traditional team's session", got)
	}

	// Observation: security is invited by default.
	n.want(n.do("PUT", "/api/v1/programme/teams/team-a/phase", n.admin, map[string]any{"phase": "observation", "note": "trained"}), 200)
	st := open("Checkout threats", nil)
	if st["security_invited"] != true {
		t.Fatalf("an Observation team's session: security_invited = %v, want true", st["security_invited"])
	}
	n.deliver()
	if got := n.mailTo("Observe a threat-modeling session: Checkout threats"); !slices.Equal(got, []string{"admin@example.com", "sec@example.com"}) {
		t.Errorf("invitation mailed to %v, want security and the admin (not ann, the facilitator)", got)
	}
	if got := n.hook.got(); !slices.Equal(got, []string{"session.observe"}) || n.hook.bad != 0 {
		t.Fatalf("webhook received %v (%d bad signatures)", got, n.hook.bad)
	}
	if text, _ := n.hook.bodies[0]["text"].(string); !strings.Contains(text, "/s/"+st["id"].(string)) || !strings.Contains(text, "Observation phase") {
		t.Errorf("invitation text %q", text)
	}
	rec := n.want(n.do("GET", "/api/v1/sessions/"+st["id"].(string)+"/record", ann, nil), 200)
	if rec["security_invited"] != true {
		t.Errorf("the record does not say security was invited: %v", rec)
	}
	code, md := n.call("GET", "/api/v1/sessions/"+st["id"].(string)+"/record?format=markdown", ann, nil)
	if code != 200 || !strings.Contains(string(md), "Security was invited to observe.") {
		t.Errorf("markdown record %d: %s", code, md)
	}

	// The facilitator unticks it: no invitation.
	no := false
	if st := open("Quick look", &no); st["security_invited"] == true {
		t.Errorf("unticked, the session still invites security")
	}
	n.deliver()
	if got := n.mailTo("Quick look"); len(got) != 0 {
		t.Errorf("an unticked session mailed %v", got)
	}
	if got := n.hook.got(); len(got) != 1 {
		t.Errorf("webhook received %v, want the one invitation", got)
	}
}

// TestReviewPhaseNeedsSecurity: in the Review phase a design whose triage
// tier would make it self-serve still waits for security's review of the
// artefacts, and its history says why; other phases keep the tier's state.
func TestReviewPhaseNeedsSecurity(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	_, ann, annTok := e.member("ann@example.com")
	e.pushA(annTok)
	low := map[string]any{"paved_path": "yes", "internet_facing": "no", "sensitive_data": []string{}, "new_third_parties": []string{}, "auth_changes": "no", "criticality": "low"}
	rv := e.want(e.do("POST", "/api/v1/reviews", ann, map[string]any{"system": sysA, "team": "team-a", "answers": low}), 201)
	if rv["state"] != "self_serve" {
		t.Fatalf("a low-risk design outside the programme is %v, want self_serve (the test needs it)", rv["state"])
	}
	e.want(e.do("PUT", "/api/v1/programme/teams/team-a/phase", e.admin, map[string]any{"phase": "review", "note": "three clean reviews"}), 200)
	rv2 := e.want(e.do("POST", "/api/v1/reviews", ann, map[string]any{"system": "checkout", "team": "team-a", "answers": low}), 201)
	if rv2["state"] != "requested" {
		t.Errorf("a Review team's low-risk design is %v, want requested (security reviews the artefacts)", rv2["state"])
	}
	det := e.want(e.do("GET", "/api/v1/reviews/"+rv2["id"].(string), ann, nil), 200)
	if !strings.Contains(fmt.Sprint(det), "Review phase: security reviews the artefacts") {
		t.Errorf("the request's history does not say why: %v", det)
	}
	// Only security approves it.
	if code, _ := e.call("POST", "/api/v1/reviews/"+rv2["id"].(string)+"/actions", ann, map[string]any{"action": "approve"}); code != 403 {
		t.Errorf("the team approves its own Review-phase design: %d, want 403", code)
	}
}

// TestPeriodicRiskSnapshots: the periodic job takes this ISO week's risk
// snapshot of every team, once however often it runs, and next week's
// when the week turns — without anyone reading the leadership view.
func TestPeriodicRiskSnapshots(t *testing.T) {
	n := newNotifyEnv(t)
	_, _, annTok := n.member("ann@example.com")
	n.pushA(annTok)
	teams := n.want(n.do("GET", "/api/v1/teams", n.admin, nil), 200)
	nTeams := len(teams["items"].([]any))
	if nTeams < 1 {
		t.Fatalf("%d teams: the test needs one", nTeams)
	}
	week := func() string { y, w := n.clock.Now().UTC().ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }
	count := func(wk string) (int, map[string]string) {
		ss, err := n.st.Snapshots(t.Context(), "", wk)
		if err != nil {
			t.Fatal(err)
		}
		c, data := 0, map[string]string{}
		for _, s := range ss {
			if s.Week == wk {
				c++
				data[s.TeamID] = s.Data
			}
		}
		return c, data
	}
	if c, _ := count(week()); c != 0 {
		t.Fatalf("%d snapshots before the job ran", c)
	}
	for range 3 {
		if err := n.srv.ScanNotifications(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	c, data := count(week())
	if c != nTeams {
		t.Fatalf("after three runs: %d snapshots this week, want one per team (%d)", c, nTeams)
	}
	if !strings.Contains(data["team-a"], `"open":{`) || !strings.Contains(data["team-a"], "high") {
		t.Errorf("team-a's snapshot does not hold its open risk: %s", data["team-a"])
	}
	if again, err := n.srv.SnapshotRisk(t.Context()); err != nil || again != 0 {
		t.Errorf("a second snapshot in the same week stored %d (%v)", again, err)
	}
	first := week()
	n.clock.Add(7 * 24 * time.Hour)
	if err := n.srv.ScanNotifications(t.Context()); err != nil {
		t.Fatal(err)
	}
	if c, _ := count(week()); c != nTeams {
		t.Errorf("next week: %d snapshots, want %d", c, nTeams)
	}
	if all, err := n.st.Snapshots(t.Context(), "", first); err != nil || len(all) != 2*nTeams {
		t.Errorf("two weeks hold %d snapshots (%v), want %d", len(all), err, 2*nTeams)
	}
}

// TestProgrammeSettingsPageCSRF: the settings form refuses a cross-site
// post (nothing changes) and takes a same-origin one.
func TestProgrammeSettingsPageCSRF(t *testing.T) {
	e := newTestEnv(t, envOptions{})
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	cross := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site"}
	e.want(e.do("PUT", "/api/v1/programme/settings", e.admin, map[string]any{"rules": map[string]any{"sample_share": 0.5}}), 200)
	resp, data := e.raw("POST", "/programme/settings", e.admin, cross, "reset=1")
	if resp.StatusCode != 403 || !strings.Contains(string(data), "cross-origin request refused") {
		t.Errorf("cross-site settings form: %d %.300s", resp.StatusCode, data)
	}
	if got := e.want(e.do("GET", "/api/v1/programme/settings", e.admin, nil), 200)["rules"].(map[string]any)["sample_share"]; got != 0.5 {
		t.Errorf("a cross-site post changed the settings: sample_share %v", got)
	}
	if resp, data := e.raw("POST", "/programme/settings", e.admin, form, "reset=1"); resp.StatusCode != 200 {
		t.Errorf("same-origin reset: %d %.300s", resp.StatusCode, data)
	}
	if got := e.want(e.do("GET", "/api/v1/programme/settings", e.admin, nil), 200)["rules"].(map[string]any)["sample_share"]; got != 0.25 {
		t.Errorf("after reset sample_share = %v, want the default 0.25", got)
	}
}

// TestDemoTrainingEvidence: with the demo accounts loaded after the
// programme's teams (the order of ward serve --demo), the demo's training
// runs are evidence for the programme's teams, and growth (the
// Training-phase team) shows the real runs on its programme record.
func TestDemoTrainingEvidence(t *testing.T) {
	e := newProgrammeDemo(t)
	evs, err := e.st.ListTrainingEvidence(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	teams := map[string]bool{}
	for _, ev := range evs {
		teams[ev.TeamID] = true
	}
	for _, want := range []string{"payments", "storefront", "growth", "platform"} {
		if !teams[want] {
			t.Errorf("no demo training evidence for team %s (teams: %v)", want, teams)
		}
	}
	acts, err := e.st.Activities(t.Context(), "growth")
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	for _, a := range acts {
		if !strings.HasPrefix(a.Ref, "training:") {
			t.Errorf("growth's training evidence %q is not a run record", a.Ref)
			continue
		}
		if _, err := e.st.GetTrainingRun(t.Context(), strings.TrimPrefix(a.Ref, "training:")); err != nil {
			t.Errorf("growth's evidence %s: %v", a.Ref, err)
		}
		runs++
	}
	if runs == 0 {
		t.Errorf("growth has no training evidence from a run: %v", acts)
	}
}
