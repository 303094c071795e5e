package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/eval"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/otm"
	"github.com/wardtm/ward/internal/interop/threatdragon"
	"github.com/wardtm/ward/internal/interop/tmt"
)

func TestZZStats(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	dirs, _ := eval.Cases("../../testdata/eval")
	raised, matched := map[string]int{}, map[string]int{}
	opt := eval.Options{Importers: []interop.Importer{otm.Importer(), tmt.Importer, threatdragon.Importer}, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for _, d := range dirs {
		cr, err := eval.RunCase(t.Context(), d, opt)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, th := range cr.Threats {
			for _, x := range th.Matches {
				m[x] = true
			}
		}
		ref, _ := eval.ParseReference(filepath.Join(d, eval.ReferenceFile), must(os.ReadFile(filepath.Join(d, eval.ReferenceFile))))
		a, err := eval.Analyse(t.Context(), filepath.Join(d, ref.Model), ref.From, opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Result.Findings {
			if !eval.Raised(f.Status) {
				continue
			}
			k := f.Rule
			if parts := strings.Split(f.ID, ":"); len(parts) > 2 {
				k += ":" + parts[2]
			}
			raised[k]++
			if m[f.ID] {
				matched[k]++
			}
		}
	}
	var ks []string
	for k := range raised {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return raised[ks[i]]-matched[ks[i]] > raised[ks[j]]-matched[ks[j]] })
	for _, k := range ks {
		fmt.Printf("%-60s raised %3d matched %3d\n", k, raised[k], matched[k])
	}
}

func must(b []byte, _ error) []byte { return b }
