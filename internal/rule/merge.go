package rule

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// mergeParallel folds a flow rule's unverified threats that repeat one
// weakness on parallel hops into one threat, as a reviewer writes it:
// "unknown encryption on every flow into the database" once, not once per
// caller. A group is the rule's threats of one category on k >= 2 flows
// into the same component, all unverified; when any threat of the group is
// open (a stated gap) nothing is merged, so a stated gap never hides behind
// unknown ones. Mitigated threats (--all) stay per flow.
//
// The merged threat has the id rule:receiver (rule:receiver:category for a
// weakness's further STRIDE threat), targets every flow and whatever else
// the per-flow threats targeted (the receiver too for a Receiver rule), carries the union of
// their assets, rationale and questions, and lists the per-flow ids (and
// their own aliases) as Aliases. A per-flow threat that a decision or an
// assumption names by its id or an alias is left out of the merge, so the
// decision keeps applying to exactly the hop it was recorded for.
//
// The receiver is a target only when the rule names it per flow: as a
// target its own exposure (who else reaches it) would set the likelihood,
// which the hops do not have; and the first flow stays the first target,
// so the per-element cap of unverified threats counts the merged threat
// where it counted that flow's, not against the receiver's own threats.
// Having aliases, it takes the round's delay risk.Rank gives a weakness's
// further STRIDE threats (measured: more high and critical threats in the
// top 10 than without the delay).
func mergeParallel(m *model.Model, r *Rule, out *results) {
	type key struct {
		to  *model.Component
		cat model.Category
	}
	var (
		groups map[key][]*model.Finding
		order  []key
		mixed  map[key]bool
		named  map[string]bool
	)
	for _, f := range out.findings {
		if f.Status != model.StatusUnverified && f.Status != model.StatusOpen || len(f.Targets) == 0 {
			continue
		}
		fl := f.Targets[0].Flow
		if fl == nil || fl.To == nil {
			continue
		}
		k := key{fl.To, f.Category}
		if f.Status == model.StatusOpen {
			if mixed == nil {
				mixed = map[key]bool{}
			}
			mixed[k] = true
			continue
		}
		if named == nil {
			named = namedIDs(m)
		}
		if named[f.ID] || anyNamed(named, f.Aliases) {
			continue
		}
		if groups == nil {
			groups = map[key][]*model.Finding{}
		}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	var gone map[*model.Finding]*model.Finding
	for _, k := range order {
		g := groups[k]
		if len(g) < 2 || mixed[k] {
			continue
		}
		if gone == nil {
			gone = map[*model.Finding]*model.Finding{}
		}
		merged := merge(r, k.to, g)
		for _, f := range g[1:] {
			gone[f] = merged
		}
	}
	if gone == nil {
		return
	}
	kept := out.findings[:0]
	for _, f := range out.findings {
		if gone[f] == nil {
			kept = append(kept, f)
		}
	}
	clear(out.findings[len(kept):])
	out.findings = kept
	// The questions now settle the merged threat, listed once.
	for _, a := range out.qorder {
		ts := a.threats[:0]
		for _, t := range a.threats {
			if to := gone[t]; to != nil {
				t = to
			}
			if !slices.Contains(ts, t) {
				ts = append(ts, t)
			}
		}
		a.threats = ts
	}
}

// merge turns g[0] into the merged threat of g on flows into to and returns
// it.
func merge(r *Rule, to *model.Component, g []*model.Finding) *model.Finding {
	f := g[0]
	suffix := strings.TrimPrefix(f.ID, r.ID+":"+f.Targets[0].ID()) // "" or ":category"
	recv := model.Target{Component: to}
	var targets []model.Target
	var aliases, why, qids []string
	var assets []*model.Asset
	seenT := map[string]bool{}
	seenA := map[*model.Asset]bool{}
	seenS := map[string]bool{}
	add := func(list []string, s string) []string {
		if seenS[s] {
			return list
		}
		seenS[s] = true
		return append(list, s)
	}
	for _, x := range g {
		for _, t := range x.Targets {
			if id := t.ID(); !seenT[id] {
				seenT[id] = true
				targets = append(targets, t)
			}
		}
		for _, a := range x.Assets {
			if !seenA[a] {
				seenA[a] = true
				assets = append(assets, a)
			}
		}
		aliases = add(aliases, x.ID)
		for _, a := range x.Aliases {
			aliases = add(aliases, a)
		}
		for _, s := range x.Rationale {
			why = add(why, "\x00w"+s)
		}
		for _, q := range x.Questions {
			qids = add(qids, "\x00q"+q)
		}
	}
	for i := range why {
		why[i] = why[i][2:]
	}
	for i := range qids {
		qids[i] = qids[i][2:]
	}
	f.ID = r.ID + ":" + to.ID + suffix
	f.Targets, f.Assets, f.Aliases, f.Rationale, f.Questions = targets, assets, aliases, why, qids
	f.Pos = recv.Pos()
	f.Title = mergedTitle(f.Title, g, to)
	return f
}

// mergedTitle adds to the first hop's title the other hops the weakness
// repeats on (up to three by name) and how many flows into to it covers.
func mergedTitle(title string, g []*model.Finding, to *model.Component) string {
	var b strings.Builder
	b.WriteString(title)
	b.WriteString("; also on ")
	for i, f := range g[1:] {
		if i == 3 {
			fmt.Fprintf(&b, " and %d more", len(g)-1-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "`%s`", f.Targets[0].ID())
	}
	fmt.Fprintf(&b, " (%d flows into `%s`)", len(g), to.ID)
	return b.String()
}

// namedIDs returns the threat ids decisions and assumptions name.
func namedIDs(m *model.Model) map[string]bool {
	named := map[string]bool{}
	for _, d := range m.Decisions {
		named[d.Finding] = true
	}
	for _, a := range m.Assumptions {
		for _, s := range a.Supports {
			named[s] = true
		}
	}
	return named
}

func anyNamed(named map[string]bool, ids []string) bool {
	for _, id := range ids {
		if named[id] {
			return true
		}
	}
	return false
}
