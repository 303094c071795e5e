package rule

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// mergeComponents folds the unverified threats of a ZoneWide rule that
// repeat one weakness on several components of one zone into one threat,
// as a reviewer writes it: "the services in the data centre are not known
// to log security events", "the stores in the data centre are not known to
// be backed up" once, not once per service or store. Whether events are
// logged, stores backed up, requests limited, secrets kept in a manager or
// dependencies pinned is mostly decided once per platform (a logging
// pipeline, a backup policy, a gateway's limits, the build), and the
// question is still asked of each component (the merged threat carries
// every component's questions). What each component's own design decides
// (who may call it, whose objects it returns, what it trusts, whether it
// is a single point of failure) stays per component: those rules are not
// ZoneWide.
//
// A group is the rule's unverified threats of one category whose one
// target is a component, on k >= 2 components whose outermost boundary of
// their trust level (the zone, as for the transport family) is the same;
// components in no boundary are not grouped. Open threats (stated gaps)
// stay their own, mitigated ones (--all) too; a threat a decision or an
// assumption names by its id or an alias stays out. The merged threat has
// the id rule:zone (rule:zone:category for a further STRIDE threat),
// targets every component (the best-ordered first, so the per-element cap
// counts it where it counted that one), carries the union of their assets,
// rationale and questions, and lists the per-component ids as Aliases, so
// decisions recorded against them keep applying.
func mergeComponents(m *model.Model, r *Rule, out *results) {
	if len(out.findings) < 2 || !r.ZoneWide {
		return
	}
	type key struct {
		zone *model.Boundary
		cat  model.Category
	}
	var (
		groups map[key][]*model.Finding
		order  []key
		named  map[string]bool
	)
	for _, f := range out.findings {
		if f.Status != model.StatusUnverified || len(f.Targets) != 1 {
			continue
		}
		c := f.Targets[0].Component
		if c == nil {
			continue
		}
		z := outermost(c.Boundary)
		if z == nil {
			continue
		}
		if named == nil {
			named = namedIDs(m)
			groups = map[key][]*model.Finding{}
		}
		if named[f.ID] || anyNamed(named, f.Aliases) {
			continue
		}
		k := key{z, f.Category}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	// A merged id must not be one a threat that stays keeps: the groups'
	// ids are few, so the threats' ids are checked against them.
	ids := make(map[string]key, len(order))
	for _, k := range order {
		if g := groups[k]; len(g) >= 2 {
			ids[zoneID(r, familyKey{zone: k.zone, cat: k.cat}, g[0])] = k
		}
	}
	for _, f := range out.findings {
		if k, ok := ids[f.ID]; ok {
			delete(groups, k)
		}
	}
	gone := map[*model.Finding]*model.Finding{}
	for id, k := range ids {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		to := mergeComps(k.zone, id, g)
		for _, f := range g[1:] {
			gone[f] = to
		}
	}
	if len(gone) == 0 {
		return
	}
	out.dropMerged(gone)
	slices.SortFunc(out.findings, func(a, b *model.Finding) int { return strings.Compare(a.ID, b.ID) })
}

// mergeComps turns g[0] into the merged threat of g, threats on distinct
// components of zone, with id id, and returns it. Each threat has one
// target and its own id, so targets and ids are appended, not joined; the
// assets, rationale and questions are joined (a union: zones of thousands
// of components share most of them).
func mergeComps(zone *model.Boundary, id string, g []*model.Finding) *model.Finding {
	f := g[0]
	na := 0
	for _, x := range g {
		na += 1 + len(x.Aliases)
	}
	targets := make([]model.Target, 0, len(g))
	aliases := make([]string, 0, na)
	comps := make([]string, 0, len(g))
	var assets union[*model.Asset]
	var why, qids union[string]
	for _, x := range g {
		targets = append(targets, x.Targets[0])
		comps = append(comps, x.Targets[0].ID())
		aliases = append(aliases, x.ID)
		for _, a := range x.Aliases {
			if a != id {
				aliases = append(aliases, a)
			}
		}
		assets.add(x.Assets...)
		why.add(x.Rationale...)
		qids.add(x.Questions...)
	}
	title, _, _ := strings.Cut(f.Title, "; also on ")
	f.ID = id
	f.Targets, f.Assets, f.Aliases, f.Rationale, f.Questions = targets, assets.list, aliases, why.list, qids.list
	f.Pos = model.Target{Boundary: zone}.Pos()
	f.Title = alsoOnEls(title, comps, "components", "inside `"+zone.ID+"`")
	return f
}
