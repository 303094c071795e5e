package otm

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

var roundNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func analyse(t *testing.T, path string) *analysis.Analysis {
	t.Helper()
	l, err := spec.Load(t.Context(), path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	a, err := analysis.Run(t.Context(), l.Model, rules.All(), analysis.Options{Now: roundNow})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// essence is what a round trip must keep, one line per fact.
func essence(a *analysis.Analysis) []string {
	m := a.Model
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	ids := func(as []*model.Asset) string {
		var s []string
		for _, x := range as {
			s = append(s, x.ID)
		}
		slices.Sort(s)
		s = slices.Compact(s)
		return strings.Join(s, ",")
	}
	ctl := func(c model.Controls) string {
		var s []string
		for _, k := range model.AllControls() {
			if v := c.Get(k); v != model.Unknown {
				s = append(s, k.Key()+"="+v.String())
			}
		}
		return strings.Join(s, ",")
	}
	add("context %v %v %v %v %v %v scope %d/%d policy %+v", m.Context.PavedPath, m.Context.InternetFacing, m.Context.AuthChanges, m.Context.Criticality,
		m.Context.SensitiveData, m.Context.NewThirdParties, len(m.Scope.In), len(m.Scope.Out), m.Policy)
	for _, b := range m.Boundaries {
		p := ""
		if b.Parent != nil {
			p = b.Parent.ID
		}
		add("boundary %s trust=%s parent=%s name=%q", b.ID, b.Trust, p, b.Name)
	}
	for _, x := range m.Assets {
		add("asset %s kind=%s class=%s data=%v cia=%s/%s/%s", x.ID, x.Kind, x.Classification, x.Data, x.Confidentiality, x.Integrity, x.Availability)
	}
	for _, c := range m.Components {
		b := ""
		if c.Boundary != nil {
			b = c.Boundary.ID
		}
		add("component %s kind=%s boundary=%s tech=%q oos=%v flags=%v%v%v%v%v stores=%s processes=%s controls=%s", c.ID, c.Kind, b, c.Tech, c.OutOfScope,
			c.Admin, c.Public, c.Paid, c.ThirdParty, c.New, ids(c.Stores), ids(c.Processes), ctl(c.Controls))
	}
	for _, f := range m.Flows {
		add("flow %s %s->%s proto=%s port=%d auth=%s enc=%s oneway=%v carries=%s controls=%s", f.ID, f.From.ID, f.To.ID, f.Protocol, f.Port,
			f.Authentication, f.Encryption, f.OneWay, ids(f.Carries), ctl(f.Controls))
	}
	for _, x := range m.Mitigations {
		add("mitigation %s status=%s owner=%s due=%s", x.ID, x.Status, x.Owner, x.Due)
	}
	for _, x := range m.Assumptions {
		add("assumption %s status=%s supports=%v", x.ID, x.Status, x.Supports)
	}
	for _, d := range m.Decisions {
		add("decision %s status=%s owner=%s expires=%s covers=%v", d.Finding, d.Status, d.Owner, d.Expires, d.Covers)
	}
	for _, f := range a.Findings {
		add("finding %s origin=%s status=%s", f.ID, f.Origin, f.Status)
		if th := f.Threat; th != nil {
			var ts []string
			for _, tg := range th.Targets {
				ts = append(ts, tg.ID())
			}
			slices.Sort(ts)
			add("threat %s status=%s targets=%v likelihood=%s impact=%s", th.ID, th.Status, ts, th.Likelihood, th.Impact)
		}
	}
	slices.Sort(out)
	return out
}

// roundTrip exports a model to OTM, imports it back and checks both hold
// the same model.
func roundTrip(t *testing.T, path string) {
	t.Helper()
	a := analyse(t, path)
	data, err := Export(a)
	if err != nil {
		t.Fatal(err)
	}
	im, err := Import("model.otm.json", data)
	if err != nil {
		t.Fatal(err)
	}
	y, err := interop.Encode(im.Doc, im.Notes, "model.otm.json")
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	back := filepath.Join(t.TempDir(), "ward.yaml")
	if err := os.WriteFile(back, y, 0o644); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(essence(a), essence(analyse(t, back))); diff != "" {
		t.Errorf("export to OTM then import changed the model (-before +after):\n%s", diff)
	}
}

// TestRoundTrip: ward export --to otm then ward import gives back the same
// model, for the examples and generated models.
func TestRoundTrip(t *testing.T) {
	for _, ex := range []string{"shop", "events", "admin-agent"} {
		t.Run(ex, func(t *testing.T) { roundTrip(t, filepath.Join("..", "..", "..", "examples", ex, "ward.yaml")) })
	}
	// A decision on a merged threat keeps the hops it covers (and so stays
	// withheld for the hop that joined since).
	t.Run("covers", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "ward.yaml")
		if err := os.WriteFile(p, []byte(coversModel), 0o644); err != nil {
			t.Fatal(err)
		}
		roundTrip(t, p)
	})
	for seed := range uint64(4) {
		t.Run(fmt.Sprintf("synth-%d", seed), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "ward.yaml")
			if err := os.WriteFile(p, synth.GenerateWith(synth.Options{Components: 30, Seed: seed, Now: "2026-06-01"}), 0o644); err != nil {
				t.Fatal(err)
			}
			roundTrip(t, p)
		})
	}
}

// coversModel holds a decision on a merged threat whose covers leave out a
// hop that joined later (so the decision is withheld), and an orphaned one.
var coversModel = synth.Hops("s", "S", []string{"a", "b", "c"}, synth.HopsAccepted("dana", "a", "b")+`  - finding: gone:rule
    status: false_positive
    reason: not ours
    covers: [gone:x, gone:y]
`)
