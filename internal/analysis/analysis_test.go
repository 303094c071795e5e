package analysis_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

const base = `ward: 1
system: {id: s, name: S}
assets:
  - {id: cards, classification: restricted, data: [payment_card]}
  - {id: profile, classification: confidential, data: [pii]}
boundaries:
  - {id: internet, trust: internet}
  - id: dc
    trust: internal
    boundaries:
      - {id: vault, trust: restricted}
components:
  - {id: user, kind: person, boundary: internet}
  - {id: web, kind: service, boundary: dc, processes: [cards, profile], controls: {authenticates: no, validates_input: no}}
  - {id: db, kind: datastore, boundary: vault, stores: [cards, profile], controls: {encrypts_at_rest: no}}
  - {id: psp, kind: external, paid: true}
flows:
  - {from: user, to: web, protocol: http, carries: [cards, profile]}
  - {from: web, to: db, protocol: sql, authentication: none, carries: [cards]}
  - {from: web, to: psp, protocol: https, carries: [cards]}
`

func analyse(t *testing.T, src string) *analysis.Analysis {
	t.Helper()
	m, _, err := spec.Parse("ward.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(t.Context(), m, rules.All(), analysis.Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func ids(a *analysis.Analysis) []string {
	var out []string
	for _, f := range a.Findings {
		out = append(out, f.ID)
	}
	slices.Sort(out)
	return out
}

// TestFindingIDsStable proves finding ids do not change when the model is
// reordered or an unrelated element is added.
func TestFindingIDsStable(t *testing.T) {
	want := ids(analyse(t, base))
	if len(want) == 0 {
		t.Fatal("base model produced no findings")
	}
	lines := strings.Split(base, "\n")
	// Reverse the order of components and of flows.
	reordered := strings.Join(lines[:12], "\n") + "\n" + strings.Join(reverse(lines[12:16]), "\n") + "\n" + lines[16] + "\n" +
		strings.Join(reverse(lines[17:20]), "\n") + "\n"
	if got := ids(analyse(t, reordered)); !cmp.Equal(want, got) {
		t.Errorf("reordering changed finding ids (-want +got):\n%s", cmp.Diff(want, got))
	}
	// An unrelated, isolated component adds only its own findings.
	extra := base + "  - {from: user, to: docs, protocol: https, encryption: tls}\n"
	extra = strings.Replace(extra, "  - {id: psp,", "  - {id: docs, kind: service, boundary: dc, public: true}\n  - {id: psp,", 1)
	// A threat of a zone-wide rule on docs and another component of its
	// zone is one threat, rule:zone, naming docs among its targets.
	ax := analyse(t, extra)
	got := ids(ax)
	for _, id := range want {
		// A zone-wide threat folded into rule:zone with docs's keeps
		// its id as an alias (decisions on it keep applying).
		merged := false
		for _, f := range ax.Findings {
			merged = merged || slices.Contains(f.Aliases, id) && slices.ContainsFunc(f.Targets, func(tg model.Target) bool { return tg.ID() == "docs" })
		}
		if !slices.Contains(got, id) && !merged {
			t.Errorf("adding an unrelated component removed finding %s", id)
		}
	}
	for _, f := range ax.Findings {
		about := strings.Contains(f.ID, "docs")
		for _, tg := range f.Targets {
			about = about || tg.ID() == "docs"
		}
		if !slices.Contains(want, f.ID) && !about {
			t.Errorf("adding an unrelated component added finding %s, which is not about it", f.ID)
		}
	}
}

func reverse(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// TestDecisionsAndAssumptions covers statuses: accepted until expiry,
// mitigated residual risk, invalidated assumptions re-opening, and stale
// decisions reported.
func TestDecisionsAndAssumptions(t *testing.T) {
	a := analyse(t, base)
	var target *model.Finding
	for _, f := range a.Findings {
		if f.Rule == "unauthenticated-entry-point" {
			target = f
		}
	}
	if target == nil {
		t.Fatalf("expected unauthenticated-entry-point:web; got %v", ids(a))
	}
	src := base + `mitigations:
  - {id: m-login, title: Require login, status: implemented}
decisions:
  - finding: unauthenticated-entry-point:web
    status: mitigated
    mitigations: [m-login]
  - finding: gone-rule:web
    status: false_positive
    reason: old
assumptions:
  - id: a-sso
    text: All staff log in through SSO
    status: invalidated
    supports: [m-login]
`
	b := analyse(t, src)
	var f *model.Finding
	for _, x := range b.Findings {
		if x.ID == "unauthenticated-entry-point:web" {
			f = x
		}
	}
	if f == nil {
		t.Fatal("finding missing")
	}
	if f.Status != model.StatusOpen || !strings.Contains(f.Reopened, "a-sso") {
		t.Errorf("status %s, reopened %q; want open, re-opened by a-sso", f.Status, f.Reopened)
	}
	if f.Residual != f.Inherent {
		t.Errorf("a mitigation held up by an invalidated assumption must not lower risk: residual %+v inherent %+v", f.Residual, f.Inherent)
	}
	stale := false
	for _, w := range b.Warnings {
		if strings.Contains(w.Msg, "gone-rule:web") {
			stale = true
		}
	}
	if !stale {
		t.Error("a decision for a finding that no longer exists was not reported")
	}
	// Validated: mitigated, residual lowered.
	c := analyse(t, strings.Replace(src, "status: invalidated", "status: validated", 1))
	for _, x := range c.Findings {
		if x.ID == "unauthenticated-entry-point:web" {
			if x.Status != model.StatusMitigated || x.Residual.Score >= x.Inherent.Score {
				t.Errorf("status %s residual %d inherent %d; want mitigated with lower residual", x.Status, x.Residual.Score, x.Inherent.Score)
			}
		}
	}
}
