package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
)

// Outcomes of a web page request, per principal (the columns of
// principals): "ok" (2xx, or a redirect after a successful form), "login"
// (a redirect to the sign-in page), or the status expected.
const (
	pageSignedIn = "login ok ok ok ok ok ok ok login"
	pageReadA    = "login ok ok ok 404 ok ok ok login"
	pageReadB    = "login ok ok 404 ok ok 404 404 login"
	pageAll      = "ok ok ok ok ok ok ok ok ok"
	pageAdmin    = "login ok 403 403 403 403 403 403 login"
	formAdmin    = "401 ok 403 403 403 403 403 403 401"
	// Forms answer 401 (not a redirect) to the anonymous.
	formWriteA  = "401 ok 403 ok 404 403 ok 403 401"
	formWriteB  = "401 ok 403 404 ok 403 404 404 401"
	formReviewA = "401 ok ok ok 404 403 ok 403 401"
	formReviewB = "401 ok ok 404 ok 403 404 404 401"
	pageTrainee = "login ok ok ok ok ok ok 403 login"
)

// webMatrix is the authorization matrix of the web pages and htmx
// endpoints (server.WebRoutes): every route needs a row. Areas add their
// pages' rows here.
var webMatrix = []authzRow{
	{"GET /static/", "", pageAll},
	{"GET /login", "", pageAll},
	{"POST /login", "", pageAll}, // the administrator's password
	{"POST /logout", "", "login login login login login login login login login"},
	{"GET /setup", "", "login login login login login login login login login"}, // setup is done
	{"POST /setup", "", "login login login login login login login login login"},

	{"GET /{$}", "", pageSignedIn},
	{"GET /systems", "", pageSignedIn},
	{"GET /findings", "", pageSignedIn},
	{"GET /gaps/{kind}", "", pageSignedIn},
	{"GET /systems/{system}", "A", pageReadA},
	{"GET /systems/{system}", "B", pageReadB},
	{"GET /systems/{system}/diff", "A", pageReadA},
	{"GET /systems/{system}/diff", "B", pageReadB},
	{"GET /systems/{system}/download/{format}", "A", pageReadA},
	{"GET /systems/{system}/download/{format}", "B", pageReadB},
	{"GET /systems/{system}/live", "A", pageReadA},
	{"GET /systems/{system}/live", "B", pageReadB},
	{"POST /systems/{system}/decisions", "A", formReviewA},
	{"POST /systems/{system}/decisions", "B", formReviewB},
	{"POST /systems/{system}/mitigations/{id}", "A", formWriteA},
	{"POST /systems/{system}/mitigations/{id}", "B", formWriteB},
	{"POST /systems/{system}/assumptions/{id}", "A", formReviewA},
	{"POST /systems/{system}/assumptions/{id}", "B", formReviewB},
	{"POST /systems/{system}/controls", "A", formWriteA},
	{"POST /systems/{system}/controls", "B", formWriteB},

	// Administration and my account (web_admin.go).
	{"GET /admin", "", pageAdmin},
	{"POST /admin/teams", "", formAdmin},
	{"POST /admin/users", "", formAdmin},
	{"POST /admin/users/{id}", "", formAdmin},
	{"POST /admin/users/{id}/password", "", formAdmin},
	{"POST /admin/tokens", "A", formAdmin},
	{"POST /admin/tokens", "B", formAdmin},
	{"POST /tokens/{id}/revoke", "A", "401 ok 403 ok 404 403 403 403 401"},
	{"POST /tokens/{id}/revoke", "B", "401 ok 403 404 ok 403 403 403 401"},
	{"GET /account", "", "login ok ok ok ok ok 403 403 login"},
	// Only the accounts whose password is the one sent succeed.
	{"POST /account/password", "", "401 403 ok ok ok ok 403 403 401"},
	// Members always create tokens of their own team.
	{"POST /account/tokens", "A", "401 ok 403 ok ok 403 403 403 401"},
	{"POST /account/tokens", "B", "401 ok 403 ok ok 403 403 403 401"},

	// Notifications (web_notify.go): my preferences; a team's webhooks for
	// admins and its members; a test message is a write.
	{"GET /account/notifications", "", "login ok ok ok ok ok 403 403 login"},
	{"POST /account/notifications", "", "401 ok ok ok ok ok 403 403 401"},
	{"GET /teams/{team}/notifications", "A", "login ok 403 ok 404 403 403 403 login"},
	{"GET /teams/{team}/notifications", "B", "login ok 403 404 ok 403 404 404 login"},
	{"POST /teams/{team}/webhooks", "A", "401 ok 403 ok 404 403 403 403 401"},
	{"POST /teams/{team}/webhooks", "B", "401 ok 403 404 ok 403 404 404 401"},
	{"POST /teams/{team}/webhooks/{id}", "A", "401 ok 403 ok 404 403 403 403 401"},
	{"POST /teams/{team}/webhooks/{id}", "B", "401 ok 403 404 ok 403 404 404 401"},
	{"POST /teams/{team}/notifications/test", "A", formWriteA},
	{"POST /teams/{team}/notifications/test", "B", formWriteB},

	// Design reviews (web_review*.go) and the model editor (web_editor*.go).
	// Rows recorded with empty forms (a 400 is a refusal by validation);
	// their owners refine them with real forms.
	{"GET /review", "", pageSignedIn},
	{"GET /review", "A", "login ok ok ok 403 ok ok ok login"},
	{"GET /review", "B", "login ok ok 403 ok ok 403 403 login"},
	{"GET /review/new", "", pageSignedIn},
	{"POST /review", "A", formWriteA},
	{"POST /review", "B", formWriteB},
	{"POST /review/triage", "", "401 ok ok ok ok ok ok ok 401"},
	{"GET /review/{id}", "A", pageReadA},
	{"GET /review/{id}", "B", pageReadB},
	{"POST /review/{id}/act", "A", "401 ok ok 403 404 403 403 403 401"},
	{"POST /review/{id}/act", "B", "401 ok ok 404 403 403 404 404 401"},
	{"POST /review/capacity", "", "401 ok ok 403 403 403 403 403 401"},
	{"GET /review/policy", "", pageAdmin},
	{"POST /review/policy", "", "401 ok 403 403 403 403 403 403 401"},
	{"GET /systems/new", "", "login ok 403 ok ok 403 ok 403 login"},
	{"POST /systems/new", "A", "401 ok 403 ok 403 403 ok 403 401"},
	{"POST /systems/new", "B", "401 ok 403 403 ok 403 403 403 401"},
	{"GET /systems/{system}/edit", "A", "login ok 403 ok 404 403 ok 403 login"},
	{"GET /systems/{system}/edit", "B", "login ok 403 404 ok 403 404 404 login"},
	{"POST /systems/{system}/edit/check", "A", formWriteA},
	{"POST /systems/{system}/edit/check", "B", formWriteB},
	{"POST /systems/{system}/edit", "A", formWriteA},
	{"POST /systems/{system}/edit", "B", formWriteB},
	{"GET /systems/{system}/draw", "A", "login ok 403 ok 404 403 ok 403 login"},
	{"GET /systems/{system}/draw", "B", "login ok 403 404 ok 403 404 404 login"},

	// Live sessions (web_session.go): as the API (authz_test.go); a guest
	// link is public while its session runs.
	{"GET /systems/{system}/sessions", "A", pageReadA},
	{"GET /systems/{system}/sessions", "B", pageReadB},
	{"POST /systems/{system}/sessions", "A", formWriteA},
	{"POST /systems/{system}/sessions", "B", formWriteB},
	{"GET /s/{session}", "A", pageReadA},
	{"GET /s/{session}", "B", pageReadB},
	{"GET /s/{session}/region", "A", pageReadA},
	{"GET /s/{session}/region", "B", pageReadB},
	{"GET /s/{session}/stream", "A", pageReadA},
	{"GET /s/{session}/stream", "B", pageReadB},
	{"POST /s/{session}/act", "A", "401 ok ok ok 404 403 ok 403 401"},
	{"POST /s/{session}/act", "B", "401 ok ok 404 ok 403 404 404 401"},
	{"POST /s/{session}/promote", "A", "401 ok 403 403 404 403 403 403 401"},
	{"POST /s/{session}/promote", "B", "401 ok 403 404 403 403 404 404 401"},
	{"GET /s/{session}/record", "A", pageReadA},
	{"GET /s/{session}/record", "B", pageReadB},
	{"GET /s/{session}/guest/{secret}", "A", pageAll},
	{"POST /s/{session}/guest/{secret}", "A", pageAll},

	// Training (web_training.go): as the API (authz_test.go). Runs are
	// opened by security, their instructor, who joins no group (a 400,
	// shown as a flash after a redirect); another group's board opens to
	// participants when the run is done.
	{"GET /training", "", pageTrainee},
	{"POST /training/runs", "", "401 ok ok 403 403 403 403 403 401"},
	{"POST /training/exercises", "", "401 ok ok 403 403 403 403 403 401"},
	{"GET /training/exercises/{exercise}", "", pageTrainee},
	{"GET /training/runs/{run}", "", pageTrainee},
	{"GET /training/runs/{run}/groups/{group}", "", "login ok ok 403 403 ok 403 403 login"},
	{"POST /training/runs/{run}/act", "", "401 ok ok ok ok 403 ok 403 401"},
	{"GET /training/runs/{run}/results", "", "login ok ok 409 409 ok 409 403 login"},
	{"POST /training/runs/{run}/guest-link", "", "401 403 ok 403 403 403 403 403 401"},
	{"POST /training/runs/{run}/guest-link/revoke", "", "401 403 ok 403 403 403 403 403 401"},
	{"GET /training/runs/{run}/guest/{secret}", "", pageAll},
	{"POST /training/runs/{run}/guest/{secret}", "", pageAll},
	// The self-serve programme (web_programme.go): as the API.
	{"GET /programme", "", pageSignedIn},
	{"GET /programme/teams/{team}", "A", pageReadA},
	{"GET /programme/teams/{team}", "B", pageReadB},
	{"POST /programme/teams/{team}/phase", "A", "401 ok ok 403 404 403 403 403 401"},
	{"POST /programme/teams/{team}/phase", "B", "401 ok ok 404 403 403 404 404 401"},
	{"POST /programme/proposals/{id}", "A", "401 ok ok 403 404 403 403 403 401"},
	{"POST /programme/proposals/{id}", "B", "401 ok ok 404 403 403 404 404 401"},
	{"GET /programme/findings", "", pageSignedIn},
	{"POST /programme/findings", "A", "401 ok ok 403 403 403 403 403 401"},
	{"GET /programme/leadership", "", "login ok ok 403 403 ok 403 403 login"},
	{"GET /programme/summary", "", "login ok ok 403 403 ok 403 403 login"},
	{"GET /programme/settings", "", pageAdmin},
	{"POST /programme/settings", "", "401 ok 403 403 403 403 403 403 401"},
	{"POST /review/{id}/threats", "A", "401 ok ok 403 404 403 403 403 401"},
	{"POST /review/{id}/threats", "B", "401 ok ok 404 403 403 404 404 401"},
}

// webForm builds the path and form of a page cell; writes differ per cell
// so that an allowed one really changes something.
func (m *matrix) webForm(r authzRow) (method, path string, form url.Values) {
	m.seq++
	method, path, _ = strings.Cut(r.route, " ")
	sys, team := sysOf[r.target], teamOf[r.target]
	path = strings.NewReplacer("{system}", sys, "{team}", team, "{kind}", "questions", "{format}", "json", "{$}", "").Replace(path)
	switch {
	case strings.Contains(path, "/mitigations/{id}"):
		path = strings.Replace(path, "{id}", mitOf[r.target], 1)
	case strings.Contains(path, "/assumptions/{id}"):
		path = strings.Replace(path, "{id}", asmOf[r.target], 1)
	case path == "/static/":
		path = "/static/x/ward.css"
	case strings.Contains(path, "/admin/users/{id}"):
		// A fresh account for each cell.
		out := m.want(m.do("POST", "/api/v1/users", m.admin, map[string]string{"email": fmt.Sprintf("page-victim-%d@example.com", m.seq), "role": "viewer",
			"password": "a long enough password"}), 201)
		path = strings.Replace(path, "{id}", out["id"].(string), 1)
	case strings.Contains(r.route, "/webhooks/{id}"):
		// A fresh webhook of the target team for each cell.
		out := m.want(m.do("POST", "/api/v1/teams/"+team+"/webhooks", m.admin, map[string]string{"name": fmt.Sprintf("page-victim-%d", m.seq), "url": "https://hooks.example.com/x"}), 201)
		path = strings.Replace(path, "{id}", out["id"].(string), 1)
	case path == "/tokens/{id}/revoke":
		// A fresh token of the target team (or of team A) for each cell.
		tt := team
		if tt == "" {
			tt = "team-a"
		}
		out := m.want(m.do("POST", "/api/v1/tokens", m.admin, map[string]string{"name": fmt.Sprintf("page-victim-%d", m.seq), "team": tt}), 201)
		path = strings.Replace(path, "{id}", out["id"].(string), 1)
	case strings.Contains(r.route, "/s/{session}/guest/"):
		out := m.want(m.do("POST", "/api/v1/systems/"+sys+"/sessions", m.admin, map[string]any{"title": fmt.Sprintf("cell %d", m.seq)}), 201)
		path = out["guest_link"].(string)
	case strings.Contains(r.route, "/s/{session}"):
		path = strings.Replace(path, "{session}", m.liveSession(r, sys), 1)
	case strings.Contains(path, "{exercise}"):
		path = strings.Replace(path, "{exercise}", "build-platform", 1)
	case strings.Contains(r.route, "/training/runs/{run}/guest/"):
		out := m.want(m.do("POST", "/api/v1/training/runs", m.auth["security"], map[string]any{"exercise": "food-delivery", "groups": []string{"Red", "Blue"}}), 201)
		link := m.want(m.do("POST", "/api/v1/training/runs/"+out["id"].(string)+"/guest-link", m.auth["security"], nil), 201)
		path = link["guest_link"].(string)
	case strings.Contains(path, "{run}"):
		out := m.want(m.do("POST", "/api/v1/training/runs", m.auth["security"], map[string]any{"exercise": "food-delivery", "groups": []string{"Red", "Blue"}}), 201)
		path = strings.NewReplacer("{run}", out["id"].(string), "{group}", "g1").Replace(path)
	case r.route == "POST /review/{id}/threats":
		path = strings.Replace(path, "{id}", m.openReview(sys, team), 1)
	case strings.HasPrefix(r.route, "GET /review/{id}"), strings.HasPrefix(r.route, "POST /review/{id}"):
		// A fresh security-led request of the target team for each cell.
		out := m.want(m.do("POST", "/api/v1/reviews", m.admin, map[string]any{"system": fmt.Sprintf("design-%d", m.seq), "team": team,
			"answers": map[string]any{"sensitive_data": []string{"payment_card"}}}), 201)
		path = strings.Replace(path, "{id}", out["id"].(string), 1)
	}
	if r.route == "POST /programme/proposals/{id}" {
		path = strings.Replace(path, "{id}", m.freshProposal(team), 1)
	}
	path = strings.ReplaceAll(path, "{id}", "1")
	if method == "GET" && r.target != "" && !strings.Contains(r.route, "{") {
		path += "?team=" + team
	}
	if method != "POST" {
		return method, path, nil
	}
	switch r.route {
	case "POST /login":
		form = url.Values{"email": {"admin@example.com"}, "password": {"correct horse battery"}}
	case "POST /setup":
		form = url.Values{"token": {setupToken}, "email": {"late@example.com"}, "password": {"another long password"}, "password2": {"another long password"}}
	case "POST /systems/{system}/decisions":
		form = url.Values{"finding": {m.finding[r.target]}, "status": {"accepted"}, "reason": {fmt.Sprintf("page matrix %d", m.seq)}, "owner": {"dana"}, "expires": {"2027-02-01"}}
	case "POST /systems/{system}/mitigations/{id}":
		form = url.Values{"status": {"implemented"}, "owner": {fmt.Sprintf("owner-%d", m.seq)}}
	case "POST /systems/{system}/assumptions/{id}":
		form = url.Values{"status": {"validated"}, "evidence": {fmt.Sprintf("pen test %d", m.seq)}}
	case "POST /systems/{system}/controls":
		form = url.Values{"kind": {"component"}, "element": {ctlOf[r.target]}, "key": {"authenticates"}, "value": {m.flipControl(r.target, "authenticates")}}
	case "POST /review":
		// Self-serve answers: the request does not stay open, so the next
		// allowed cell can file another for the same system.
		form = url.Values{"system": {sys}, "title": {fmt.Sprintf("page matrix %d", m.seq)}, "paved_path": {"yes"}, "internet_facing": {"no"},
			"sensitive_data": {"none"}, "new_third_parties": {"none"}, "auth_changes": {"no"}, "criticality": {"low"}}
	case "POST /review/triage":
		form = url.Values{"paved_path": {"no"}, "sensitive_data": {"pii"}}
	case "POST /systems/{system}/sessions":
		form = url.Values{"title": {fmt.Sprintf("page cell %d", m.seq)}}
	case "POST /s/{session}/act":
		form = url.Values{"type": {"join"}}
	case "POST /training/exercises":
		form = url.Values{"source": {tinyExercise(fmt.Sprintf("page-cell-%d", m.seq))}}
	case "POST /training/runs":
		form = url.Values{"exercise": {"food-delivery"}, "groups": {"Red\nBlue"}, "title": {fmt.Sprintf("page cell %d", m.seq)}}
	case "POST /training/runs/{run}/act":
		form = url.Values{"type": {"join"}, "group": {"g1"}}
	case "POST /training/runs/{run}/guest/{secret}":
		form = url.Values{"name": {fmt.Sprintf("trainee %d", m.seq)}, "group": {"g2"}}
	case "POST /s/{session}/guest/{secret}":
		form = url.Values{"name": {fmt.Sprintf("guest %d", m.seq)}}
	case "POST /review/{id}/act":
		form = url.Values{"action": {"triage"}, "note": {fmt.Sprintf("page matrix %d", m.seq)}}
	case "POST /review/capacity":
		form = url.Values{"week": {"2026-W48"}, "engineer": {"security@example.com"}, "hours": {fmt.Sprint(m.seq % 40)}}
	case "POST /review/policy":
		form = url.Values{"policy": {fmt.Sprintf("ward_policy: 1\nname: matrix-%d\n", m.seq)}, "approval_days": {"365"}, "warn_days": {"30"},
			"due_days": {"14"}, "security_led_hours": {"8"}, "self_serve_hours": {"2"}}
	case "POST /systems/new":
		form = url.Values{"from": {"template"}, "template": {"web-app"}, "team": {team}, "id": {fmt.Sprintf("page-new-%d", m.seq)}}
	case "POST /systems/{system}/edit/check", "POST /systems/{system}/edit":
		x, err := m.st.GetSystem(m.t.Context(), sys)
		if err != nil {
			m.t.Fatal(err)
		}
		form = url.Values{"file": {"ward.yaml"}, "base_revision": {fmt.Sprint(x.Revision)},
			"content": {m.bundles[r.target]["ward.yaml"] + fmt.Sprintf("\n# page cell %d\n", m.seq)}}
	case "POST /admin/teams":
		form = url.Values{"id": {fmt.Sprintf("page-team-%d", m.seq)}}
	case "POST /admin/users":
		form = url.Values{"email": {fmt.Sprintf("page-new-%d@example.com", m.seq)}, "role": {"viewer"}}
	case "POST /admin/users/{id}":
		form = url.Values{"action": {"disable"}}
	case "POST /admin/tokens", "POST /account/tokens":
		form = url.Values{"name": {fmt.Sprintf("page-token-%d", m.seq)}, "team": {team}, "role": {"member"}}
	case "POST /account/notifications":
		form = url.Values{"email": {"on"}, "kinds": {"review.assigned", "review.stale"}}
	case "POST /teams/{team}/webhooks":
		form = url.Values{"name": {fmt.Sprintf("page-hook-%d", m.seq)}, "url": {"https://hooks.example.com/x"}, "kinds": {"review.requested"}}
	case "POST /teams/{team}/webhooks/{id}":
		form = url.Values{"do": {"disable"}}
	case "POST /account/password":
		// The same password again, so the principal's session stays usable.
		form = url.Values{"current": {"a long enough password"}, "password": {"a long enough password"}, "password2": {"a long enough password"}}
	case "POST /review/{id}/threats":
		form = url.Values{"title": {fmt.Sprintf("Threat of page cell %d", m.seq)}, "target": {ctlOf[r.target]}, "stride": {"tampering"},
			"likelihood": {"possible"}, "impact": {"moderate"}}
	case "POST /programme/teams/{team}/phase":
		form = url.Values{"phase": {[]string{"training", "observation"}[m.seq%2]}, "note": {fmt.Sprintf("page cell %d", m.seq)}}
	case "POST /programme/proposals/{id}":
		form = url.Values{"decision": {[]string{"confirm", "dismiss"}[m.seq%2]}, "note": {fmt.Sprintf("page cell %d", m.seq)}}
	case "POST /programme/settings":
		form = url.Values{"reset": {"1"}}
	case "POST /programme/findings":
		form = url.Values{"format": {"csv"}, "source": {"pen_test"}, "system": {sys},
			"content": {fmt.Sprintf("ref,title,severity,found\npage-%d,Finding of page cell %d,high,2026-11-01\n", m.seq, m.seq)}}
	default:
		form = url.Values{}
	}
	return method, path, form
}

// sendPage performs a page cell without following redirects.
func (m *matrix) sendPage(method, path, auth string, form url.Values) (int, string, []byte) {
	m.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	ctx, cancel := context.WithTimeout(m.t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, m.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	switch {
	case strings.HasPrefix(auth, "Bearer "):
		req.Header.Set("Authorization", auth)
	case auth != "":
		req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: auth})
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	if (strings.HasSuffix(path, "/live") || strings.HasSuffix(path, "/stream")) && resp.StatusCode == http.StatusOK {
		line := make([]byte, 64) // an event stream: its first bytes will do
		n, _ := resp.Body.Read(line)
		return resp.StatusCode, "", line[:n]
	}
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), data
}

// TestWebAuthorizationMatrix runs every web route (from server.WebRoutes,
// so a new page without a row fails) as every kind of principal: the
// outcome, no other team's data on a page, and nothing changed by a
// refused form.
func TestWebAuthorizationMatrix(t *testing.T) {
	routes := server.WebRoutes()
	checkWebMatrix(t, routes)
	if t.Failed() {
		return
	}
	runWebMatrix(t, routes)
}

func checkWebMatrix(t *testing.T, routes []string) {
	covered := map[string]bool{}
	for _, r := range webMatrix {
		covered[r.route] = true
		if !slices.Contains(routes, r.route) {
			t.Errorf("web matrix row for %q, which is not a web route", r.route)
		}
		if n := len(strings.Fields(r.want)); n != len(principals) {
			t.Fatalf("row %s %s: %d outcomes for %d principals", r.route, r.target, n, len(principals))
		}
	}
	for _, r := range routes {
		if !covered[r] {
			t.Errorf("web route %q has no row in the authorization matrix (web_authz_test.go)", r)
		}
	}
}

func runWebMatrix(t *testing.T, routes []string) {
	m := seedMatrix(t)
	rows := slices.Clone(webMatrix)
	slices.SortStableFunc(rows, func(a, b authzRow) int {
		return boolInt(a.route == "POST /logout") - boolInt(b.route == "POST /logout")
	})
	cells := 0
	for _, r := range rows {
		wants := strings.Fields(r.want)
		for i, who := range principals {
			cells++
			method, path, form := m.webForm(r)
			before := m.state()
			status, loc, data := m.sendPage(method, path, m.auth[who], form)
			after := m.state()
			got := fmt.Sprint(status)
			switch {
			case status == http.StatusSeeOther && strings.HasPrefix(loc, "/login"):
				got = "login"
			case status >= 200 && status < 400:
				got = "ok"
			}
			name := fmt.Sprintf("%s %s as %s", method, path, who)
			if got != wants[i] {
				t.Errorf("%s: %s (status %d, location %q), want %s\n%s", name, got, status, loc, wants[i], truncate(data))
				continue
			}
			if got != "ok" && r.route != "POST /logout" && r.route != "POST /setup" && !equalState(before, after) {
				t.Errorf("%s: refused (%s) but the store changed", name, got)
			}
			if got == "ok" && method == "POST" && path == "/systems/new" && len(after.Systems) != len(before.Systems)+1 {
				t.Errorf("%s: an allowed form created no system", name)
			}
			if got == "ok" && method == "POST" && strings.HasPrefix(path, "/systems/") && !strings.HasSuffix(path, "/check") && !strings.HasSuffix(path, "/sessions") && path != "/systems/new" {
				x := sysOf[r.target]
				if after.Systems[x][0] != before.Systems[x][0]+1 {
					t.Errorf("%s: an allowed form stored no new version", name)
				}
			}
			if status == http.StatusOK && strings.HasPrefix(http.DetectContentType(data), "text/html") {
				for _, s := range leaks[who] {
					if bytes.Contains(data, []byte(s)) {
						t.Errorf("%s: the page shows %q, another team's data", name, s)
					}
				}
			}
		}
	}
	t.Logf("web authorization matrix: %d routes, %d rows, %d cells", len(routes), len(rows), cells)
}

// flipControl is the opposite of the current value of a control of the
// target's element, so that setting it always changes the model.
func (m *matrix) flipControl(target, key string) string {
	m.t.Helper()
	v, err := m.st.GetVersion(m.t.Context(), sysOf[target], 0)
	if err != nil {
		m.t.Fatal(err)
	}
	var res struct {
		Components []struct {
			ID       string            `json:"id"`
			Controls map[string]string `json:"controls"`
		} `json:"components"`
	}
	if err := json.Unmarshal(v.Result, &res); err != nil {
		m.t.Fatal(err)
	}
	for _, c := range res.Components {
		if c.ID == ctlOf[target] && c.Controls[key] == "yes" {
			return "no"
		}
	}
	return "yes"
}
