package server_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// guestJoin opens a run's guest link as a stranger and joins a group;
// it returns the trainee cookie.
func guestJoin(t *testing.T, l *liveEnv, link, name, group string) string {
	t.Helper()
	resp, _ := l.page("POST", link, "", url.Values{"name": {name}, "group": {group}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("guest join: %d", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == server.TraineeCookie {
			return c.Value
		}
	}
	t.Fatal("no trainee cookie")
	return ""
}

// asGuest sends a request with a trainee cookie (no redirects followed).
func asGuest(t *testing.T, l *liveEnv, cookie, method, path string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, l.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: server.TraineeCookie, Value: cookie})
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestTrainingGuestLink: a guest of a run does exactly a participant's
// part in one group of that run, sees nothing else, loses access when the
// link is revoked or the run completes, and never counts as team evidence.
func TestTrainingGuestLink(t *testing.T) {
	l := newLiveEnv(t)
	id, other := openTrainingRun(t, l), openTrainingRun(t, l)
	// Only the run's instructor makes a link.
	for _, who := range []string{"ana", "view", "out"} {
		l.want(l.do("POST", "/api/v1/training/runs/"+id+"/guest-link", l.users[who], nil), 403)
	}
	l.want(l.do("POST", "/api/v1/training/runs/"+id+"/guest-link", l.admin, nil), 403)
	link := l.want(l.do("POST", "/api/v1/training/runs/"+id+"/guest-link", l.users["sec"], nil), 201)["guest_link"].(string)
	secret := strings.TrimPrefix(link, "/training/runs/"+id+"/guest/")
	if secret == link || secret == "" {
		t.Fatalf("guest link %q", link)
	}
	// The run keeps hashes only, and never answers them.
	for _, who := range []string{"sec", "ana", "view"} {
		resp := l.do("GET", "/api/v1/training/runs/"+id, l.users[who], nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.Contains(string(b), "guest_link") || strings.Contains(string(b), sha256Hex(secret)) {
			t.Errorf("GET run as %s: %d shows the guest link: %s", who, resp.StatusCode, b)
		}
	}

	// The link's page: the run's name and groups; wrong secrets and other
	// runs are 404.
	resp, body := l.page("GET", link, "", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Join “November cohort” as a guest") || !strings.Contains(body, `<option value="g2">Blue</option>`) {
		t.Fatalf("guest page: %d %s", resp.StatusCode, body)
	}
	for _, p := range []string{"/training/runs/" + id + "/guest/wrong", "/training/runs/" + other + "/guest/" + secret, "/training/runs/nope/guest/" + secret} {
		if resp, _ := l.page("GET", p, "", nil); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := l.page("POST", link, "", url.Values{"name": {" "}, "group": {"g1"}}); resp.StatusCode != 400 {
		t.Errorf("a guest without a name: %d", resp.StatusCode)
	}
	if resp, _ := l.page("POST", link, "", url.Values{"name": {"Nobody"}, "group": {"g9"}}); resp.StatusCode != 404 {
		t.Errorf("a guest in no group: %d", resp.StatusCode)
	}
	gil := guestJoin(t, l, link, "Gil", "g1")
	l.act2(id, "ana", 200, map[string]any{"type": "join", "group": "g1"})

	// The run's page: the exercise and the group's board.
	if code, body := asGuest(t, l, gil, "GET", "/training/runs/"+id, nil); code != 200 || !strings.Contains(body, "Gil (guest)") || !strings.Contains(body, "Design document") ||
		!strings.Contains(body, "you are a guest of this run") || strings.Contains(body, "make-guest-link") || strings.Contains(body, `href="/systems"`) {
		t.Fatalf("the guest's run page: %d %s", code, body)
	}
	if code, _ := asGuest(t, l, gil, "GET", "/training/runs/"+id+"/groups/g1", nil); code != 200 {
		t.Errorf("the guest's own board: %d", code)
	}
	if code, _ := asGuest(t, l, gil, "GET", "/training/runs/"+id+"/groups/g2", nil); code != 403 {
		t.Errorf("another group's board before the end: %d", code)
	}
	// A participant's actions.
	act := func(want int, form url.Values) {
		t.Helper()
		if code, body := asGuest(t, l, gil, "POST", "/training/runs/"+id+"/act", form); code != want {
			t.Errorf("guest %v: %d, want %d\n%s", form, code, want, body)
		}
	}
	act(303, url.Values{"type": {"note.add"}, "kind": {"question"}, "text": {"Is the webhook signed?"}})
	l.act2(id, "sec", 200, map[string]any{"type": "phase", "phase": "find"})
	act(303, url.Values{"type": {"card.add"}, "target": {"tracking-page"}, "text": {"Guessable tracking links"}, "stride": {"I"}})
	act(303, url.Values{"type": {"card.add"}, "target": {"provider-webhook"}, "text": {"Forged paid webhook"}, "stride": {"S"}})
	// Not the instructor's.
	act(403, url.Values{"type": {"phase"}, "phase": {"prioritise"}})
	act(403, url.Values{"type": {"accept"}, "group": {"g1"}, "card_id": {"g1-c1"}, "severity": {"high"}})
	l.act2(id, "sec", 200, map[string]any{"type": "phase", "phase": "prioritise"})
	act(303, url.Values{"type": {"top_three"}, "top1": {"g1-c2"}, "top2": {"g1-c1"}})
	act(303, url.Values{"type": {"submit"}})
	run := l.want(l.do("GET", "/api/v1/training/runs/"+id, l.users["sec"], nil), 200)
	g1 := run["groups"].([]any)[0].(map[string]any)
	if cards := g1["board"].(map[string]any)["cards"].([]any); len(cards) != 2 || run["phase"] != "prioritise" {
		t.Errorf("group 1 after the guest: %d cards, phase %v", len(cards), run["phase"])
	}
	if top := g1["top_three"].([]any); len(top) != 2 || top[0] != "g1-c2" {
		t.Errorf("top three: %v", top)
	}
	if code, _ := asGuest(t, l, gil, "GET", "/training/runs/"+id+"/results", nil); code != 409 {
		t.Errorf("results before the end: %d", code)
	}

	// Nothing else: other runs 404; other pages sign-in; the API 401.
	sess := l.want(l.do("POST", "/api/v1/systems/larkspur-shop/sessions", l.users["ana"], map[string]any{"title": "Live"}), 201)["id"].(string)
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/training/runs/" + other, 404},
		{"GET", "/training/runs/" + other + "/groups/g1", 404},
		{"POST", "/training/runs/" + other + "/act", 404},
		{"GET", "/training/runs/" + other + "/results", 404},
		{"POST", "/training/runs/" + id + "/guest-link", 401},
		{"POST", "/training/runs/" + id + "/guest-link/revoke", 401},
		{"GET", "/training", 303},
		{"GET", "/training/exercises/food-delivery", 303},
		{"GET", "/systems", 303},
		{"GET", "/systems/larkspur-shop", 303},
		{"GET", "/s/" + sess, 303},
		{"GET", "/programme", 303},
		{"GET", "/", 303},
		{"GET", "/api/v1/training/runs/" + id, 401},
		{"POST", "/api/v1/training/runs/" + id + "/actions", 401},
		{"GET", "/api/v1/training/exercises", 401},
		{"GET", "/api/v1/systems", 401},
		{"GET", "/api/v1/sessions/" + sess, 401},
	} {
		var form url.Values
		if c.method == "POST" {
			form = url.Values{"type": {"join"}, "group": {"g1"}}
		}
		if code, _ := asGuest(t, l, gil, c.method, c.path, form); code != c.want {
			t.Errorf("guest %s %s: %d, want %d", c.method, c.path, code, c.want)
		}
	}
	// The cookie names its run; naming another run does not help.
	_, gilSecret, _ := strings.Cut(gil, "~")
	if code, _ := asGuest(t, l, other+"~"+gilSecret, "GET", "/training/runs/"+other, nil); code != 303 {
		t.Errorf("a guest cookie moved to another run: %d", code)
	}

	// The instructor's page makes a new link, shown once; the old link
	// stops working, guests who joined stay.
	resp, body = l.page("POST", "/training/runs/"+id+"/guest-link", l.users["sec"], url.Values{})
	if resp.StatusCode != 200 || !strings.Contains(body, `id="new-guest-link">/training/runs/`+id+`/guest/`) || !strings.Contains(body, "A guest link is on; 1 guest(s)") ||
		!strings.Contains(body, "revoke-guest-link") {
		t.Fatalf("new link page: %d %s", resp.StatusCode, body)
	}
	if _, body := l.page("GET", "/training/runs/"+id, l.users["sec"], nil); strings.Contains(body, "new-guest-link") || !strings.Contains(body, "A guest link is on") ||
		!strings.Contains(body, "1 guest(s) joined") {
		t.Errorf("the instructor's page after: %s", body)
	}
	if resp, _ := l.page("GET", link, "", nil); resp.StatusCode != 404 {
		t.Errorf("the replaced link: %d", resp.StatusCode)
	}
	if code, _ := asGuest(t, l, gil, "GET", "/training/runs/"+id, nil); code != 200 {
		t.Errorf("the guest after a new link: %d", code)
	}

	// Signing out forgets the guest's cookie.
	req, _ := http.NewRequestWithContext(t.Context(), "POST", l.srv.URL+"/logout", nil)
	req.AddCookie(&http.Cookie{Name: server.TraineeCookie, Value: gil})
	out, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if !slices.ContainsFunc(out.Cookies(), func(c *http.Cookie) bool { return c.Name == server.TraineeCookie && c.MaxAge < 0 }) {
		t.Errorf("sign out as a guest: %v", out.Header.Values("Set-Cookie"))
	}

	// Revoking (the other run): its guests are signed out, its link gone.
	link2 := l.want(l.do("POST", "/api/v1/training/runs/"+other+"/guest-link", l.users["sec"], nil), 201)["guest_link"].(string)
	hal := guestJoin(t, l, link2, "Hal", "g2")
	if code, _ := asGuest(t, l, hal, "GET", "/training/runs/"+other, nil); code != 200 {
		t.Fatalf("Hal's run: %d", code)
	}
	l.want(l.do("DELETE", "/api/v1/training/runs/"+other+"/guest-link", l.users["ana"], nil), 403)
	l.want(l.do("DELETE", "/api/v1/training/runs/"+other+"/guest-link", l.users["sec"], nil), 204)
	if code, _ := asGuest(t, l, hal, "GET", "/training/runs/"+other, nil); code != 303 {
		t.Errorf("a revoked guest: %d", code)
	}
	if resp, _ := l.page("GET", link2, "", nil); resp.StatusCode != 404 {
		t.Errorf("a revoked link: %d", resp.StatusCode)
	}

	// Completing the run ends its guests and its link; evidence counts
	// members only.
	l.act2(id, "sec", 200, map[string]any{"type": "phase", "phase": "done"})
	if code, _ := asGuest(t, l, gil, "GET", "/training/runs/"+id, nil); code != 410 {
		t.Errorf("the guest after completion: %d", code)
	}
	if code, _ := asGuest(t, l, gil, "GET", "/training/runs/"+id+"/results", nil); code != 410 {
		t.Errorf("the guest's results after completion: %d", code)
	}
	l.want(l.do("POST", "/api/v1/training/runs/"+id+"/guest-link", l.users["sec"], nil), 409)
	ev := l.want(l.do("GET", "/api/v1/teams/storefront/training", l.users["ana"], nil), 200)["items"].([]any)
	if len(ev) != 1 || ev[0].(map[string]any)["participants"].(float64) != 1 {
		t.Errorf("storefront evidence: %v, want 1 participant (ana, not the guest)", ev)
	}
	st, err := sqlstore.Open(t.Context(), l.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.ListTrainingEvidence(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].TeamID != "storefront" {
		t.Errorf("evidence rows: %+v, want storefront's only", all)
	}
}

// act2 applies a run action through the API.
func (l *liveEnv) act2(run, who string, status int, body map[string]any) map[string]any {
	l.t.Helper()
	return l.want(l.do("POST", "/api/v1/training/runs/"+run+"/actions", l.users[who], body), status)
}
