package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBaselineFolded: check --baseline compares with diff.Compare, so a
// threat listed on its own on one side and folded into another on the
// other (it restated that threat on its line) is neither new nor gone
// since the baseline (diff22's blind spot, in the baseline's list too).
func TestBaselineFolded(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "diff", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	newM := filepath.Join(dir, "shop-new", "ward.yaml")
	check := func(base, cur string) (stdout, stderr string) {
		t.Helper()
		var out, errb bytes.Buffer
		Main(context.Background(), []string{"check", "--date", "2026-06-01", "--format", "json", "--fail-on", "none", "--baseline", base, cur},
			Env{Stdout: &out, Stderr: &errb, Dir: dir, Getenv: func(string) string { return "" },
				Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }, Version: "test"})
		return out.String(), errb.String()
	}
	type result struct {
		Findings []struct {
			ID     string   `json:"id"`
			Rule   string   `json:"rule"`
			Folded []string `json:"folded"`
		} `json:"findings"`
	}
	parse := func(s string) result {
		t.Helper()
		var r result
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			t.Fatalf("result: %v\n%s", err, s)
		}
		return r
	}
	// A threat of another rule folded into one of shop-new's threats.
	// Decided, a threat stays apart: the same model with a decision on it
	// lists it on its own, as a baseline that folded nothing would.
	plain, _ := check(newM, newM)
	var id string
	for _, f := range parse(plain).Findings {
		for _, x := range f.Folded {
			if id == "" && !strings.HasPrefix(x, f.Rule+":") {
				id = x
			}
		}
	}
	if id == "" {
		t.Fatal("no threat of another rule is folded in shop-new")
	}
	split := t.TempDir()
	for _, name := range []string{"ward.yaml", "threats.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, "shop-new", name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "threats.yaml" {
			b = []byte(strings.Replace(string(b), "\ndecisions:\n", "\ndecisions:\n  - finding: "+id+
				"\n    status: accepted\n    owner: dana.okafor\n    reason: accepted for the test\n    expires: 2027-01-01\n", 1))
		}
		if err := os.WriteFile(filepath.Join(split, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	oldM := filepath.Join(split, "ward.yaml")
	oldOut, oldErr := check(newM, oldM)
	newOut, newErr := check(oldM, newM)
	alone := false
	for _, f := range parse(oldOut).Findings {
		alone = alone || f.ID == id
	}
	folded := false
	for _, f := range parse(newOut).Findings {
		folded = folded || slices.Contains(f.Folded, id)
	}
	if !alone || !folded {
		t.Fatalf("%s: alone with its decision %v, folded without it %v; want both", id, alone, folded)
	}
	// Folded now, alone in the baseline: not new. Alone now, folded in
	// the baseline: not new either.
	for _, stderr := range []string{newErr, oldErr} {
		for _, line := range strings.Split(stderr, "\n") {
			if strings.Contains(line, "NEW") && strings.Contains(line, " "+id+" ") {
				t.Errorf("%s (folded on one side) listed as new since the baseline: %s", id, line)
			}
		}
	}
}
