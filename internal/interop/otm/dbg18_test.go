package otm

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/synth"
)

func TestDbg18(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ward.yaml")
	os.WriteFile(p, synth.GenerateWith(synth.Options{Components: 30, Seed: 1, Now: "2026-06-01"}), 0o644)
	a := analyse(t, p)
	data, _ := Export(a)
	im, _ := Import("model.otm.json", data)
	y, _ := interop.Encode(im.Doc, im.Notes, "model.otm.json")
	back := filepath.Join(t.TempDir(), "ward.yaml")
	os.WriteFile(back, y, 0o644)
	b := analyse(t, back)
	fa := map[string]string{}
	for _, f := range a.Findings {
		fa[f.ID] = fmt.Sprintf("rank=%d focus=%d reach=%d score=%d", f.Rank, f.Focus, f.Reach, f.Residual.Score)
	}
	for _, f := range b.Findings {
		s := fmt.Sprintf("rank=%d focus=%d reach=%d score=%d", f.Rank, f.Focus, f.Reach, f.Residual.Score)
		if fa[f.ID] != s && (f.Focus != 0 || len(f.ID) > 0) {
			if fmt.Sprint(fa[f.ID]) != s {
				t.Logf("%s: %s -> %s", f.ID, fa[f.ID], s)
			}
		}
	}
	ft := map[string]string{}
	for _, f := range a.Findings {
		ft[f.ID] = fmt.Sprint(f.Targets[0].ID())
	}
	for _, f := range b.Findings {
		if x, ok := ft[f.ID]; ok && x != fmt.Sprint(f.Targets[0].ID()) {
			t.Logf("first target %s: %s -> %s (%d targets)", f.ID, x, f.Targets[0].ID(), len(f.Targets))
		}
	}
}
