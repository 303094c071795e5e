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
	// A merged id must not be one a threat that stays keeps.
	taken := map[string]bool{}
	for _, f := range out.findings {
		taken[f.ID] = true
	}
	gone := map[*model.Finding]*model.Finding{}
	for _, k := range order {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		fk := familyKey{zone: k.zone, cat: k.cat}
		id := zoneID(r, fk, g[0])
		if taken[id] {
			continue
		}
		taken[id] = true
		to := mergeZone(r, fk, id, g)
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
