package threatcomposer

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/interop"
)

// TestImpactedListsAsJoined holds the importer's impacted-asset and list
// handling (a stamp per asset instead of searching the threat's list; lists
// that are one line written item by item) to what it did before: the
// threat's assets are its impacted-asset names' assets, first use first,
// each once, and the description's list lines are the items joined by
// ", ", trimmed and made one line, or absent when that is empty.
func TestImpactedListsAsJoined(t *testing.T) {
	words := []string{"Asset 1", "asset 1", " Asset  1 ", "Asset 2", "", " ", "a\tb", "x,y", "Ünïcode", "tag", "tag ", " tag", "two  spaces"}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() []string {
		var l []string
		for range rng.IntN(6) {
			l = append(l, words[rng.IntN(len(words))])
		}
		return l
	}
	type tcThreat struct {
		ID             string   `json:"id"`
		NumericID      int      `json:"numericId"`
		Statement      string   `json:"statement"`
		ImpactedGoal   []string `json:"impactedGoal"`
		ImpactedAssets []string `json:"impactedAssets"`
		Tags           []string `json:"tags"`
	}
	var ts []tcThreat
	for i := range 400 {
		ts = append(ts, tcThreat{ID: fmt.Sprintf("t%d", i), NumericID: i + 1, Statement: fmt.Sprintf("Threat %d", i),
			ImpactedGoal: pick(), ImpactedAssets: pick(), Tags: pick()})
	}
	data, err := json.Marshal(map[string]any{"schema": 1, "threats": ts})
	if err != nil {
		t.Fatal(err)
	}
	im, err := Import("lists.tc.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Doc.Threats) != len(ts) {
		t.Fatalf("%d threats, want %d", len(im.Doc.Threats), len(ts))
	}
	ids := map[string]string{} // lower-cased one-line name → asset id
	for _, a := range im.Doc.Assets {
		ids[strings.ToLower(a.Name)] = a.ID
	}
	for i, x := range im.Doc.Threats {
		var want []string
		for _, n := range ts[i].ImpactedAssets {
			if strings.TrimSpace(n) == "" {
				continue
			}
			id, ok := ids[strings.ToLower(interop.OneLine(n))]
			if !ok {
				t.Fatalf("threat %d: no asset for %q", i, n)
			}
			if !slices.Contains(want, id) {
				want = append(want, id)
			}
		}
		if !slices.Equal(x.Assets, want) {
			t.Errorf("threat %d (%q): assets %q, want %q", i, ts[i].ImpactedAssets, x.Assets, want)
		}
		var lines []string
		for _, p := range []struct {
			k string
			l []string
		}{{"Impacted goal", ts[i].ImpactedGoal}, {"Impacted assets", ts[i].ImpactedAssets}, {"Tags", ts[i].Tags}} {
			if v := strings.TrimSpace(strings.Join(p.l, ", ")); v != "" {
				lines = append(lines, p.k+": "+interop.OneLine(v))
			}
		}
		if got := x.Description; got != strings.Join(lines, "\n") {
			t.Errorf("threat %d: description %q, want %q", i, got, strings.Join(lines, "\n"))
		}
	}
}
