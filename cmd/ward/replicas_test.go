package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReplicasPostgres runs two ward serve processes on one PostgreSQL
// database, started together (migrations must serialise): what one writes
// the other reads, a push through one reaches an event stream on the other
// (LISTEN/NOTIFY), and concurrent pushes through both get unique, gapless
// version numbers.
func TestReplicasPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	db := freshSchema(t)
	bin := buildWard(t)
	args := []string{"--db", db, "--log-level", "warn"}
	var r [2]*server
	var errs [2]error
	var wg sync.WaitGroup
	for i := range r {
		wg.Go(func() { r[i], errs[i] = launchWard(t, bin, i == 0, args...) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	admin, token := setupOrg(t, r[0], "replicas")
	one, two := client{r[0].url, token}, client{r[1].url, token}
	// The session made on replica 1 works on replica 2: sessions live in
	// the database.
	var me map[string]any
	client{r[1].url, admin}.must(t, "GET", "/api/v1/me", nil, 200, &me)

	// Written through 1, read through 2.
	const sys = "replicated"
	var a ack
	one.must(t, "POST", "/api/v1/systems/"+sys+"/versions", map[string]any{"team": "replicas", "main": "ward.yaml", "files": shopFiles(t, sys, "v1")}, 201, &a)
	var got struct {
		Team   string `json:"team"`
		Latest int    `json:"latest"`
	}
	two.must(t, "GET", "/api/v1/systems/"+sys, nil, 200, &got)
	if got.Latest != 1 || got.Team != "replicas" {
		t.Fatalf("replica 2 sees %+v after a push through replica 1", got)
	}
	var v struct {
		SHA256 string          `json:"sha256"`
		Result json.RawMessage `json:"result"`
	}
	two.must(t, "GET", "/api/v1/systems/"+sys+"/versions/1", nil, 200, &v)
	if v.SHA256 != a.SHA256 || len(v.Result) == 0 {
		t.Errorf("replica 2's version 1 has sha256 %s, replica 1 acknowledged %s", v.SHA256, a.SHA256)
	}
	var f1, f2 struct {
		Total int `json:"total"`
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	one.must(t, "GET", "/api/v1/findings?limit=500&system="+sys, nil, 200, &f1)
	two.must(t, "GET", "/api/v1/findings?limit=500&system="+sys, nil, 200, &f2)
	if f1.Total == 0 || f1.Total != f2.Total || !slices.EqualFunc(f1.Items, f2.Items, func(x, y struct {
		ID string `json:"id"`
	}) bool {
		return x.ID == y.ID
	}) {
		t.Errorf("findings differ between replicas: %d vs %d", f1.Total, f2.Total)
	}

	// An event stream on replica 2 hears a push made through replica 1.
	req, _ := http.NewRequestWithContext(t.Context(), "GET", r[1].url+"/api/v1/systems/"+sys+"/events", nil)
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitLine := func(what string, ok func(string) bool) string {
		t.Helper()
		timeout := time.After(5 * time.Second)
		for {
			select {
			case l, open := <-lines:
				if !open {
					t.Fatalf("the event stream closed before %s", what)
				}
				if ok(l) {
					return l
				}
			case <-timeout:
				t.Fatalf("no %s within 5s", what)
			}
		}
	}
	waitLine("subscription", func(l string) bool { return strings.HasPrefix(l, ": subscribed") })
	start := time.Now()
	one.must(t, "POST", "/api/v1/systems/"+sys+"/versions", map[string]any{"team": "replicas", "main": "ward.yaml", "files": shopFiles(t, sys, "v2")}, 201, &a)
	// Version 1's event may still be on its way through PostgreSQL when the
	// stream subscribes (NOTIFY is asynchronous): skip events of other
	// versions, fail on one that is not an event of this system.
	type event struct {
		Type    string `json:"type"`
		System  string `json:"system"`
		Version int    `json:"version"`
	}
	waitLine("event for version 2", func(l string) bool {
		if !strings.HasPrefix(l, "data: ") {
			return false
		}
		var ev event
		if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "data: ")), &ev); err != nil || ev.System != sys {
			t.Fatalf("event %q (%v)", l, err)
		}
		return ev.Version == 2
	})
	t.Logf("replica 2 delivered the event of a push through replica 1 in %s", time.Since(start).Round(time.Millisecond))

	// Concurrent pushes of different versions through both replicas.
	const workers, pushes = 4, 4 // per replica, per worker
	var mu sync.Mutex
	var numbers []int
	for rep, c := range []client{one, two} {
		for w := range workers {
			wg.Go(func() {
				for k := range pushes {
					marker := fmt.Sprintf("replica %d worker %d push %d", rep, w, k)
					status, data, err := c.do("POST", "/api/v1/systems/"+sys+"/versions", map[string]any{"team": "replicas", "main": "ward.yaml", "files": shopFiles(t, sys, marker)})
					var a ack
					if err != nil || status != 201 || json.Unmarshal(data, &a) != nil || !a.Created {
						t.Errorf("%s: %d %s %v", marker, status, data, err)
						continue
					}
					mu.Lock()
					numbers = append(numbers, a.Version)
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	slices.Sort(numbers)
	want := make([]int, 0, len(numbers))
	for n := 3; n < 3+2*workers*pushes; n++ {
		want = append(want, n)
	}
	if !slices.Equal(numbers, want) {
		t.Errorf("version numbers of concurrent pushes: %v, want %v", numbers, want)
	}
	// Both replicas agree on the history, and every version number was
	// announced on the event stream of replica 2.
	for _, c := range []client{one, two} {
		stored := versions(t, c, sys)
		if len(stored) != 2+len(want) {
			t.Errorf("%s lists %d versions, want %d", c.url, len(stored), 2+len(want))
		}
	}
	seen := map[int]bool{}
	timeout := time.After(5 * time.Second)
	for len(seen) < len(want) {
		select {
		case l := <-lines:
			var ev event
			if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "data: ")), &ev); err == nil {
				seen[ev.Version] = true
			}
		case <-timeout:
			t.Fatalf("replica 2's event stream announced %d of the %d concurrent versions", len(seen), len(want))
		}
	}
}
