package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/report"
)

// TestCheckBuiltOnce checks the order of the pacing hooks in ward check:
// Analysed, then Built once per analysis (check calls Built itself once it
// has let the analysis go, analyseFor, and says so: alone; and small for
// text without -v or --all), with and without a baseline (which keeps the
// analysis for the comparison).
func TestCheckBuiltOnce(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "diff", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	oldM, newM := filepath.Join(dir, "shop-old", "ward.yaml"), filepath.Join(dir, "shop-new", "ward.yaml")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"check", "--fail-on", "none", newM}, []string{"analysed", "built alone small"}},
		{[]string{"check", "--fail-on", "none", "-v", newM}, []string{"analysed", "built alone"}},
		{[]string{"check", "--fail-on", "none", "--format", "csv", newM}, []string{"analysed", "built alone"}},
		{[]string{"check", "--fail-on", "none", "--format", "json", "--baseline", oldM, newM},
			[]string{"analysed", "built", "analysed", "built"}},
	} {
		var out, errb bytes.Buffer
		var got []string
		code := Main(context.Background(), c.args, Env{Stdout: &out, Stderr: &errb, Dir: dir, Getenv: func(string) string { return "" },
			Now:      func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) },
			Analysed: func(bool, report.Parts) { got = append(got, "analysed") },
			Built: func(alone, small bool) {
				switch {
				case alone && small:
					got = append(got, "built alone small")
				case alone:
					got = append(got, "built alone")
				default:
					got = append(got, "built")
				}
			}})
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errb.String())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: hooks %v, want %v", c.args, got, c.want)
		}
	}
}
