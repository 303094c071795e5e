package server_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/server"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// trainingEnv is newLiveEnv with a second team's member (out, team other)
// and a run of the food-delivery exercise opened by sec for three groups.
func openTrainingRun(t *testing.T, l *liveEnv) string {
	out := l.want(l.do("POST", "/api/v1/training/runs", l.users["sec"], map[string]any{"exercise": "food-delivery", "title": "November cohort",
		"groups": []string{"Red", "Blue", "Green"}}), 201)
	return out["id"].(string)
}

func TestTrainingRunAPI(t *testing.T) {
	l := newLiveEnv(t)
	ex := l.want(l.do("GET", "/api/v1/training/exercises", l.users["ana"], nil), 200)
	if n := len(ex["items"].([]any)); n != 2 {
		t.Fatalf("%d exercises, want 2", n)
	}
	// Members do not see the reference; instructors do.
	if x := l.want(l.do("GET", "/api/v1/training/exercises/food-delivery", l.users["ana"], nil), 200); x["reference"] != nil || x["flaws"] != nil {
		t.Error("a member sees the reference")
	}
	if x := l.want(l.do("GET", "/api/v1/training/exercises/food-delivery", l.users["sec"], nil), 200); x["reference"] == nil {
		t.Error("the instructor does not see the reference")
	}
	l.want(l.do("POST", "/api/v1/training/runs", l.users["ana"], map[string]any{"exercise": "food-delivery", "groups": []string{"A"}}), 403)
	l.want(l.do("POST", "/api/v1/training/runs", l.users["sec"], map[string]any{"exercise": "nope", "groups": []string{"A"}}), 404)
	l.want(l.do("POST", "/api/v1/training/runs", l.users["sec"], map[string]any{"exercise": "food-delivery", "groups": []string{}}), 400)
	id := openTrainingRun(t, l)
	act := func(who string, status int, body map[string]any) map[string]any {
		t.Helper()
		return l.want(l.do("POST", "/api/v1/training/runs/"+id+"/actions", l.users[who], body), status)
	}
	act("ana", 200, map[string]any{"type": "join", "group": "g1"})
	act("ben", 200, map[string]any{"type": "join", "group": "g2"})
	act("out", 200, map[string]any{"type": "join", "group": "g3"})
	act("view", 403, map[string]any{"type": "join", "group": "g3"})
	act("ana", 403, map[string]any{"type": "phase", "phase": "find"})
	act("ana", 409, map[string]any{"type": "card.add", "card": map[string]any{"target": "tracking-page", "text": "guessable", "stride": []string{"I"}}})
	act("ana", 200, map[string]any{"type": "note.add", "note": map[string]any{"kind": "question", "text": "Is the webhook signed?"}})
	act("sec", 200, map[string]any{"type": "phase", "phase": "find"})
	act("ana", 200, map[string]any{"type": "card.add", "card": map[string]any{"target": "tracking-page", "text": "Tracking links are guessable", "stride": []string{"I"}}})
	act("ana", 200, map[string]any{"type": "card.add", "card": map[string]any{"target": "provider-webhook", "text": "Forged paid webhook", "stride": []string{"S"}}})
	act("ben", 200, map[string]any{"type": "card.add", "card": map[string]any{"target": "provider-webhook", "text": "Fake payment confirmation", "stride": []string{"T"}}})
	act("out", 200, map[string]any{"type": "card.add", "card": map[string]any{"target": "orders-db", "text": "Backups copied to laptops", "stride": []string{"I"}}})
	act("ben", 400, map[string]any{"type": "card.add", "card": map[string]any{"target": "mainframe", "text": "x", "stride": []string{"I"}}})

	// Before the run is done, a participant sees only their own group's cards.
	run := l.want(l.do("GET", "/api/v1/training/runs/"+id, l.users["ben"], nil), 200)
	for _, g := range run["groups"].([]any) {
		g := g.(map[string]any)
		cards, _ := g["board"].(map[string]any)["cards"].([]any)
		if g["id"] != "g2" && len(cards) != 0 {
			t.Errorf("ben sees %d cards of group %s", len(cards), g["id"])
		}
	}
	l.want(l.do("GET", "/api/v1/training/runs/"+id+"/results", l.users["ben"], nil), 409)

	act("sec", 200, map[string]any{"type": "phase", "phase": "prioritise"})
	act("ana", 200, map[string]any{"type": "top_three", "top_three": []string{"g1-c2", "g1-c1"}})
	act("ana", 200, map[string]any{"type": "submit"})
	act("ben", 200, map[string]any{"type": "top_three", "top_three": []string{"g2-c1"}})
	act("sec", 200, map[string]any{"type": "accept", "group": "g3", "card_id": "g3-c1", "severity": "medium"})
	act("sec", 200, map[string]any{"type": "phase", "phase": "done"})
	act("ana", 409, map[string]any{"type": "card.add", "card": map[string]any{"target": "tracking-page", "text": "late", "stride": []string{"I"}}})

	res := l.want(l.do("GET", "/api/v1/training/runs/"+id+"/results", l.users["ben"], nil), 200)
	c := res["comparison"].(map[string]any)
	overlap := c["overlap"].([]any)
	if got := overlap[0].([]any); got[0].(float64) != 2 || got[1].(float64) != 1 || got[2].(float64) != 0 {
		t.Errorf("overlap row of Red: %v", got)
	}
	if got := overlap[2].([]any)[2].(float64); got != 1 {
		t.Errorf("Green found %v (its find was added to the reference)", got)
	}
	groups := c["groups"].([]any)
	if a := groups[0].(map[string]any)["top_three"].(map[string]any)["score"].(float64); a < 0.66 || a > 0.67 {
		t.Errorf("Red's agreement %.3f, want 2/3", a)
	}

	resp := l.do("GET", "/api/v1/training/runs/"+id+"/results?format=markdown", l.users["ben"], nil)
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/markdown") || !strings.Contains(string(md), "| **Red** | **2** | 1 | 0 |") {
		t.Errorf("markdown results: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), md)
	}
	l.want(l.do("GET", "/api/v1/training/runs/"+id+"/results?format=pdf", l.users["ben"], nil), 400)

	// Evidence for the participants' teams, readable by those teams.
	ev := l.want(l.do("GET", "/api/v1/teams/storefront/training", l.users["ana"], nil), 200)
	items := ev["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["participants"].(float64) != 2 || items[0].(map[string]any)["run"] != id {
		t.Errorf("storefront evidence: %v", items)
	}
	l.want(l.do("GET", "/api/v1/teams/storefront/training", l.users["out"], nil), 404)
	// The programme counts it: the team's page lists the training.
	prog := l.want(l.do("GET", "/api/v1/programme/teams/storefront", l.users["ana"], nil), 200)
	acts, _ := prog["activities"].([]any)
	if !slices.ContainsFunc(acts, func(a any) bool {
		m := a.(map[string]any)
		return m["kind"] == "training" && m["ref"] == "training:"+id
	}) {
		t.Errorf("programme activities of storefront: %v, want the training run", acts)
	}
	if ev := l.want(l.do("GET", "/api/v1/teams/other/training", l.users["out"], nil), 200); len(ev["items"].([]any)) != 1 {
		t.Errorf("other's evidence: %v", ev)
	}
}

func TestTrainingPages(t *testing.T) {
	l := newLiveEnv(t)
	_, body := l.page("GET", "/training", l.users["sec"], nil)
	for _, want := range []string{"Tavola", "Foundry", `id="open-run"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/training lacks %q", want)
		}
	}
	if _, body := l.page("GET", "/training", l.users["ana"], nil); strings.Contains(body, `id="open-run"`) {
		t.Error("a member sees the form that opens runs")
	}
	resp, _ := l.page("POST", "/training/runs", l.users["sec"], url.Values{"exercise": {"build-platform"}, "groups": {"Red\nBlue\nGreen"}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || !strings.HasPrefix(loc, "/training/runs/") {
		t.Fatalf("open: %d %s", resp.StatusCode, loc)
	}
	id := strings.TrimPrefix(loc, "/training/runs/")
	for _, who := range []string{"sec", "ana", "view", "admin"} {
		auth := l.users[who]
		if who == "admin" {
			auth = l.admin
		}
		resp, body := l.page("GET", "/training/runs/"+id, auth, nil)
		if resp.StatusCode != 200 {
			t.Errorf("run page as %s before anyone joined: %d\n%s", who, resp.StatusCode, body)
		}
		// The groups' progress: for the instructor and readers of everything,
		// not for participants; the phase button for the instructor only.
		if got, want := strings.Contains(body, `id="groups-live"`), who != "ana"; got != want {
			t.Errorf("%s sees the groups' table: %v", who, got)
		}
		if got, want := strings.Contains(body, `id="next-phase"`), who == "sec"; got != want {
			t.Errorf("%s sees the phase button: %v", who, got)
		}
	}
	form := func(who string, v url.Values) string {
		t.Helper()
		resp, _ := l.page("POST", "/training/runs/"+id+"/act", l.users[who], v)
		if resp.StatusCode != 303 {
			t.Fatalf("%s %v: %d", who, v, resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	form("ana", url.Values{"type": {"join"}, "group": {"g1"}})
	form("sec", url.Values{"type": {"phase"}, "phase": {"find"}})
	form("ana", url.Values{"type": {"card.add"}, "target": {"runner-pool"}, "stride": {"T", "I"}, "text": {"Caches shared <b>between</b> teams"}})
	// A refusal comes back as a flash on the page, not an error page.
	resp, _ = l.page("POST", "/training/runs/"+id+"/act", l.users["ana"], url.Values{"type": {"card.add"}, "target": {"runner-pool"}, "text": {""}})
	if resp.StatusCode != 303 || !strings.Contains(resp.Header.Get("Set-Cookie"), "ward_flash") {
		t.Errorf("a refused card: %d, cookies %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	_, body = l.page("GET", "/training/runs/"+id, l.users["ana"], nil)
	if strings.Contains(body, "Tavola") {
		t.Error("wrong exercise shown")
	}
	for _, want := range []string{"Caches shared &lt;b&gt;between&lt;/b&gt; teams", `id="add-threat"`, "s board", "Foundry"} {
		if !strings.Contains(body, want) {
			t.Errorf("the run page lacks %q", want)
		}
	}
	form("sec", url.Values{"type": {"phase"}, "phase": {"prioritise"}})
	form("ana", url.Values{"type": {"top_three"}, "top1": {"g1-c1"}})
	if loc := form("sec", url.Values{"type": {"phase"}, "phase": {"done"}}); !strings.HasSuffix(loc, "/results") {
		t.Errorf("completing goes to %s", loc)
	}
	_, body = l.page("GET", "/training/runs/"+id+"/results", l.users["ana"], nil)
	for _, want := range []string{`id="overlap"`, "poisons the shared dependency cache", "top-three agreement"} {
		if !strings.Contains(strings.ToLower(body), strings.ToLower(want)) {
			t.Errorf("the results page lacks %q", want)
		}
	}
}

func TestDemoTraining(t *testing.T) {
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := server.New(server.Config{Version: "test", Now: liveClock}, st, slog.New(slog.DiscardHandler))
	if _, err := s.LoadDemoAccounts(t.Context(), "demo password long"); err != nil {
		t.Fatal(err)
	}
	runs, err := st.ListTrainingRuns(t.Context(), store.Page{})
	if err != nil || len(runs) != 2 {
		t.Fatalf("%d demo runs (%v), want 2", len(runs), err)
	}
	for _, r := range runs {
		if r.Phase != "done" || r.CompletedAt.IsZero() || !r.CompletedAt.Before(liveClock()) {
			t.Errorf("demo run %s: phase %s completed %v", r.Title, r.Phase, r.CompletedAt)
		}
	}
	ev, err := st.ListTrainingEvidence(t.Context(), "demo")
	if err != nil || len(ev) != 2 || ev[0].Participants != 9 {
		t.Errorf("demo evidence: %+v %v", ev, err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv}
	resp := e.do("POST", "/api/v1/login", "", map[string]string{"email": "member@demo.example", "password": "demo password long"})
	if resp.StatusCode != 200 {
		t.Fatalf("demo member sign-in: %d", resp.StatusCode)
	}
	sec := cookie(resp)
	for _, run := range runs {
		res := e.want(e.do("GET", "/api/v1/training/runs/"+run.ID+"/results", sec, nil), 200)
		checkDemoRun(t, run.Title, res["comparison"].(map[string]any))
	}
}

func checkDemoRun(t *testing.T, title string, c map[string]any) {
	t.Log(title)
	overlap := c["overlap"].([]any)
	if len(overlap) != 3 {
		t.Fatalf("overlap %v", overlap)
	}
	// Different groups found different threats: each found something no
	// other group did, and no pair found everything the other did.
	for i, g := range c["groups"].([]any) {
		g := g.(map[string]any)
		if len(g["unique"].([]any)) == 0 {
			t.Errorf("demo group %s has no unique find", g["name"])
		}
		tt := g["top_three"].(map[string]any)
		t.Logf("%s: covered %d, unique %d, outside %d, agreement %.2f, overlap row %v", g["name"], len(g["covered"].([]any)), len(g["unique"].([]any)), len(g["outside"].([]any)), tt["score"], overlap[i])
		if row := overlap[i].([]any); row[i].(float64) < 4 {
			t.Errorf("demo group %s found only %v", g["name"], row[i])
		}
	}
}

// TestTrainingConcurrentCards: nine members of three groups add ten cards
// each at once; every card is stored (a run is one row updated by
// compare-and-set, and a request that loses the race is retried).
func TestTrainingConcurrentCards(t *testing.T) {
	l := newLiveEnv(t)
	id := openTrainingRun(t, l)
	var people []string
	for i := range 9 {
		name := fmt.Sprintf("p%d", i)
		l.want(l.do("POST", "/api/v1/users", l.admin, map[string]string{"email": name + "@example.com", "name": name, "role": "member", "team": "storefront",
			"password": "correct horse " + name}), 201)
		resp := l.do("POST", "/api/v1/login", "", map[string]string{"email": name + "@example.com", "password": "correct horse " + name})
		l.want(resp, 200)
		l.users[name] = cookie(resp)
		l.want(l.do("POST", "/api/v1/training/runs/"+id+"/actions", l.users[name], map[string]any{"type": "join", "group": fmt.Sprintf("g%d", i%3+1)}), 200)
		people = append(people, name)
	}
	l.want(l.do("POST", "/api/v1/training/runs/"+id+"/actions", l.users["sec"], map[string]any{"type": "phase", "phase": "find"}), 200)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan string, 90)
	for _, name := range people {
		wg.Go(func() {
			for k := range 10 {
				resp := l.do("POST", "/api/v1/training/runs/"+id+"/actions", l.users[name], map[string]any{"type": "card.add",
					"card": map[string]any{"target": "auth-service", "stride": []string{"S"}, "text": fmt.Sprintf("%s card %d", name, k)}})
				if resp.StatusCode != 200 {
					errs <- fmt.Sprintf("%s card %d: %d", name, k, resp.StatusCode)
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	t.Logf("90 cards from 9 people at once in %s", time.Since(start).Round(time.Millisecond))
	run := l.want(l.do("GET", "/api/v1/training/runs/"+id, l.users["sec"], nil), 200)
	n := 0
	for _, g := range run["groups"].([]any) {
		n += len(g.(map[string]any)["board"].(map[string]any)["cards"].([]any))
	}
	if n != 90 {
		t.Errorf("%d cards stored, want 90", n)
	}
}

// tinyExercise is a valid exercise with the id.
func tinyExercise(id string) string {
	return `training: 1
id: ` + id + `
title: Tiny
design: |
  A web app and its database.
model:
  ward: 1
  system: {id: tiny, name: Tiny}
  assets:
    - {id: data, name: Data, kind: data}
  components:
    - {id: web, name: Web, kind: service}
    - {id: db, name: DB, kind: datastore, stores: [data]}
  flows:
    - {id: web-db, from: web, to: db, protocol: sql}
flaws:
  - {id: f1, title: No auth on the database, where: [db]}
reference:
  threats:
    - {id: a, title: Read everything, target: db, stride: [I], asset: data, severity: high, flaw: f1}
    - {id: b, title: Change rows, target: web-db, stride: [T], severity: medium}
    - {id: c, title: Flood, target: web, stride: [D], severity: low}
  top_three: [a, b, c]
`
}

func TestTrainingStoredExercise(t *testing.T) {
	l := newLiveEnv(t)
	l.want(l.do("POST", "/api/v1/training/exercises", l.users["ana"], map[string]any{"source": tinyExercise("tiny")}), 403)
	bad := l.want(l.do("POST", "/api/v1/training/exercises", l.users["sec"], map[string]any{"source": strings.Replace(tinyExercise("tiny"), "target: db,", "target: dbb,", 1)}), 422)
	if e := bad["error"].(map[string]any); e["code"] != "invalid_exercise" || !strings.Contains(fmt.Sprint(e["details"]), "line:20") {
		t.Errorf("invalid exercise: %v", e)
	}
	l.want(l.do("POST", "/api/v1/training/exercises", l.users["sec"], map[string]any{"source": tinyExercise("food-delivery")}), 409)
	l.want(l.do("POST", "/api/v1/training/exercises", l.users["sec"], map[string]any{"source": tinyExercise("tiny")}), 201)
	if xs := l.want(l.do("GET", "/api/v1/training/exercises", l.users["ana"], nil), 200); len(xs["items"].([]any)) != 3 {
		t.Errorf("exercises: %v", xs)
	}
	out := l.want(l.do("POST", "/api/v1/training/runs", l.users["sec"], map[string]any{"exercise": "tiny", "groups": []string{"A", "B"}}), 201)
	id := out["id"].(string)
	// The exercise changes after the run opened: the run keeps its copy.
	l.want(l.do("POST", "/api/v1/training/exercises", l.users["sec"], map[string]any{"source": strings.Replace(tinyExercise("tiny"), "name: DB", "name: Renamed DB", 1)}), 201)
	l.want(l.do("POST", "/api/v1/training/runs/"+id+"/actions", l.users["ana"], map[string]any{"type": "join", "group": "g1"}), 200)
	l.want(l.do("POST", "/api/v1/training/runs/"+id+"/actions", l.users["sec"], map[string]any{"type": "phase", "phase": "find"}), 200)
	l.want(l.do("POST", "/api/v1/training/runs/"+id+"/actions", l.users["ana"], map[string]any{"type": "card.add",
		"card": map[string]any{"target": "db", "stride": []string{"I"}, "text": "Everything readable"}}), 200)
	res := l.want(l.do("GET", "/api/v1/training/runs/"+id+"/results", l.users["sec"], nil), 200)
	if got := res["comparison"].(map[string]any)["groups"].([]any)[0].(map[string]any)["covered"]; fmt.Sprint(got) != "[a]" {
		t.Errorf("covered %v", got)
	}
	_, body := l.page("GET", "/training/runs/"+id, l.users["ana"], nil)
	if !strings.Contains(body, "name: DB") || strings.Contains(body, "Renamed DB") {
		t.Error("the run shows the exercise as edited after it opened")
	}

	// The page shows problems with line and column, and keeps the text.
	resp, body := l.page("POST", "/training/exercises", l.users["sec"], url.Values{"source": {strings.Replace(tinyExercise("tiny2"), "severity: low", "severity: lowish", 1)}})
	if resp.StatusCode != 422 || !strings.Contains(body, "exercise.yaml:22:") || !strings.Contains(body, "lowish") {
		t.Errorf("page with problems: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = l.page("POST", "/training/exercises", l.users["sec"], url.Values{"source": {tinyExercise("tiny2")}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/training/exercises/tiny2" {
		t.Errorf("saved from the page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
