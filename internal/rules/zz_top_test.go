package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/eval"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/otm"
	"github.com/wardtm/ward/internal/interop/threatdragon"
	"github.com/wardtm/ward/internal/interop/tmt"
)

func TestZZTop(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	dirs, _ := eval.Cases("../../testdata/eval/original")
	opt := eval.Options{Importers: []interop.Importer{otm.Importer(), tmt.Importer, threatdragon.Importer}, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, d := range dirs {
		cr, _ := eval.RunCase(t.Context(), d, opt)
		ref, _ := eval.ParseReference(filepath.Join(d, eval.ReferenceFile), must(os.ReadFile(filepath.Join(d, eval.ReferenceFile))))
		a, _ := eval.Analyse(t.Context(), filepath.Join(d, ref.Model), ref.From, opt)
		m := map[string]string{}
		for _, th := range cr.Threats {
			for _, x := range th.Matches {
				m[x] += th.Severity[:1] + " "
			}
		}
		fmt.Println("==", filepath.Base(d))
		for _, th := range cr.Threats {
			if th.Severity == "high" || th.Severity == "critical" {
				fmt.Printf("   want %-8s %s %v rank %d %v\n", th.Severity, th.Category, th.Targets, th.Rank, th.Matches)
			}
		}
		n := 0
		for _, f := range a.Result.Findings {
			if !eval.Raised(f.Status) {
				continue
			}
			n++
			if n > 14 {
				break
			}
			fmt.Printf("   %2d %d×%d=%2d %-6s %s\n", f.Rank, f.Residual.Likelihood, f.Residual.Impact, f.Residual.Score, m[f.ID], f.ID)
		}
	}
}
