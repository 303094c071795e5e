package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
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
	oldM, newM := filepath.Join(dir, "shop-old", "ward.yaml"), filepath.Join(dir, "shop-new", "ward.yaml")
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
	oldOut, _ := check(newM, oldM)
	newOut, newErr := check(oldM, newM)
	alone := map[string]bool{}
	for _, f := range parse(oldOut).Findings {
		alone[f.ID] = true
	}
	var folded []string
	for _, f := range parse(newOut).Findings {
		for _, x := range f.Folded {
			if alone[x] {
				folded = append(folded, x)
			}
		}
	}
	if len(folded) == 0 {
		t.Fatal("no threat alone in shop-old is folded in shop-new")
	}
	_, oldErr := check(newM, oldM)
	for _, id := range folded {
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
}
