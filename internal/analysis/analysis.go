// Package analysis runs the whole analysis of a model: built-in and custom
// rules, the team's own threats, decisions, mitigations, assumptions and risk
// ranking. It is the one place that wires rule and risk together, so the CLI
// and the server get the same result.
package analysis

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// Analysis is the outcome of analysing one model.
type Analysis struct {
	Model     *model.Model
	Findings  []*model.Finding
	Questions []*model.Question
	Warnings  []risk.Warning
	Rules     []*rule.Rule
	Now       time.Time
}

// Options tune Run.
type Options struct {
	// Now is the date acceptances expire against; zero means time.Now().
	Now time.Time
	// Mitigated keeps threats whose controls are stated present (--all).
	Mitigated bool
	// Uncertainty is how many likelihood steps an unverified threat ranks
	// below a stated gap (risk.Options.Uncertainty; 0 = default, <0 = none).
	// The model's policy.uncertainty overrides it when set.
	Uncertainty int
}

// Run analyses m with the given rules.
func Run(ctx context.Context, m *model.Model, rules []*rule.Rule, opt Options) (*Analysis, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	res, err := rule.RunWith(ctx, m, rules, rule.Options{Mitigated: opt.Mitigated})
	if err != nil {
		return nil, err
	}
	findings := append(res.Findings, People(m)...)
	unc := opt.Uncertainty
	if m.Policy.Uncertainty != 0 {
		unc = m.Policy.Uncertainty
	}
	warns := risk.Assess(m, findings, risk.Options{Now: opt.Now, Uncertainty: unc, Relay: relay})
	limit := DefaultMaxUnverified
	if m.Policy.MaxUnverified != 0 {
		limit = m.Policy.MaxUnverified
	}
	findings = capUnverified(findings, res.Questions, limit)
	// Questions rank by the listed threats they settle.
	risk.AtStake(m, res.Questions)
	return &Analysis{Model: m, Findings: findings, Questions: res.Questions, Warnings: warns, Rules: rules, Now: opt.Now}, nil
}

// relay says whether a component forwards requests without owning the
// objects behind them (the built-in catalogue's reading of the model).
func relay(c *model.Component) bool { return rules.Relay(c) }

// DefaultMaxUnverified is how many unverified threats Ward lists per
// element by default: a reviewer writes the few that matter most on each
// element, so the rest of what the model leaves unknown stays on the
// question list (the model's to-do list) rather than in the threat list.
const DefaultMaxUnverified = 6

// capUnverified keeps at most limit unverified threats per element (its
// first target), those with the highest inherent risk; limit < 0 keeps all.
// The questions lose the threats no longer listed (they stay on the list,
// ranked by what is listed). Ranks are renumbered.
func capUnverified(fs []*model.Finding, qs []*model.Question, limit int) []*model.Finding {
	if limit < 0 {
		return fs
	}
	type key struct {
		c *model.Component
		f *model.Flow
		b *model.Boundary
		a *model.Asset
	}
	var unv []*model.Finding
	for _, f := range fs {
		if f.Unverified() && len(f.Targets) > 0 {
			unv = append(unv, f)
		}
	}
	if len(unv) == 0 {
		return fs
	}
	// fs is ranked, so the first unverified threats met per element are
	// the ones to keep; rank by inherent risk for the cap itself.
	slices.SortStableFunc(unv, func(a, b *model.Finding) int {
		if c := cmp.Compare(b.Inherent.Score, a.Inherent.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Rank, b.Rank)
	})
	// Per element: first the riskiest threat of each STRIDE category, then
	// the next riskiest whatever their category, up to limit.
	per := map[key][]*model.Finding{}
	var order []key
	for _, f := range unv {
		t := f.Targets[0]
		k := key{t.Component, t.Flow, t.Boundary, t.Asset}
		if per[k] == nil {
			order = append(order, k)
		}
		per[k] = append(per[k], f)
	}
	drop := map[*model.Finding]bool{}
	for _, k := range order {
		el := per[k]
		if len(el) <= limit {
			continue
		}
		keep := map[*model.Finding]bool{}
		cats := map[model.Category]bool{}
		for _, f := range el {
			if len(keep) < limit && !cats[f.Category] {
				cats[f.Category], keep[f] = true, true
			}
		}
		for _, f := range el {
			if len(keep) < limit {
				keep[f] = true
			}
		}
		for _, f := range el {
			if !keep[f] {
				drop[f] = true
			}
		}
	}
	if len(drop) == 0 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		if !drop[f] {
			f.Rank = len(out) + 1
			out = append(out, f)
		}
	}
	for _, q := range qs {
		kept := q.Threats[:0]
		for _, f := range q.Threats {
			if !drop[f] {
				kept = append(kept, f)
			}
		}
		q.Threats = kept
	}
	return out
}

// People turns the threats written in the model into findings.
func People(m *model.Model) []*model.Finding {
	out := make([]*model.Finding, 0, len(m.Threats))
	for _, t := range m.Threats {
		f := &model.Finding{ID: t.ID, Rule: model.PeopleRule, Origin: model.OriginPeople, Title: t.Title, Description: t.Description,
			Categories: t.Categories, Targets: t.Targets, Assets: t.Assets, FoundBy: t.FoundBy, Threat: t, Pos: t.Pos}
		if len(t.Categories) > 0 {
			f.Category = t.Categories[0]
			f.Property = worstProperty(t.Categories)
		}
		if len(f.Assets) == 0 {
			for _, tg := range t.Targets {
				f.Assets = append(f.Assets, rule.TargetAssets(tg)...)
			}
		}
		out = append(out, f)
	}
	return out
}

// worstProperty picks confidentiality over integrity over availability when a
// threat spans several categories; impact takes the asset's need for it.
func worstProperty(cs []model.Category) model.Property {
	p := cs[0].Property()
	for _, c := range cs {
		if c.Property() == model.Confidentiality {
			return model.Confidentiality
		}
	}
	return p
}

// Count returns how many open findings are at or above sev. Unverified
// threats do not count: see CountUnverified.
func (a *Analysis) Count(sev model.Severity) int {
	n := 0
	for _, f := range a.Findings {
		if f.Open() && f.Residual.Severity >= sev {
			n++
		}
	}
	return n
}

// CountUnverified returns how many unverified threats are at or above sev
// (for --fail-on-unverified).
func (a *Analysis) CountUnverified(sev model.Severity) int {
	n := 0
	for _, f := range a.Findings {
		if f.Unverified() && f.Residual.Severity >= sev {
			n++
		}
	}
	return n
}

// Rules returns the built-in rules plus the custom rules of a loaded model
// and of any extra rule files.
func Rules(l *spec.Loaded, extra []spec.Source) ([]*rule.Rule, error) {
	rs := append([]*rule.Rule{}, rules.All()...)
	srcs := append(append([]spec.Source{}, l.RuleFiles...), extra...)
	if len(srcs) == 0 {
		return rs, nil
	}
	custom, err := rule.LoadCustom(srcs, rs)
	if err != nil {
		return nil, err
	}
	return append(rs, custom...), nil
}
