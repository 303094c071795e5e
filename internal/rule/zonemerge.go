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
// logged, stores backed up, components run redundantly, requests limited,
// secrets kept in a manager or dependencies pinned is mostly decided once
// per platform (a logging
// pipeline, a backup policy, a gateway's limits, the build, the platform's
// replicas and failure domains), and the question is still asked of each
// component (the merged threat carries every component's questions). What
// each component's own design decides (who may call it, whose objects it
// returns, what it trusts from its callers) stays per component: those
// rules are not ZoneWide. What internet-facing code stored, read by the
// zone's internal services (second-order-injection), is one line on what
// the stores hold.
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
	j := &joiner{assets: map[*model.Asset]struct{}{}, strs: map[string]struct{}{}}
	for id, k := range ids {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		to := mergeComps(k.zone, id, g, j)
		for _, f := range g[1:] {
			gone[f] = to
		}
	}
	if len(gone) == 0 {
		return
	}
	out.dropMerged(gone)
	var byid byID[*model.Finding]
	byid.sort(out.findings, findingID)
}

// mergeComps turns g[0] into the merged threat of g, threats on distinct
// components of zone, with id id, and returns it. Each threat has one
// target and its own id, so targets and ids are appended, not joined; the
// assets, rationale and questions are joined, with the sets in j (reused
// from group to group: at 10,000 components a set per group allocated
// 50 MB).
func mergeComps(zone *model.Boundary, id string, g []*model.Finding, j *joiner) *model.Finding {
	f := g[0]
	na := 0
	for _, x := range g {
		na += 1 + len(x.Aliases)
	}
	targets := make([]model.Target, 0, len(g))
	aliases := make([]string, 0, na)
	comps := make([]string, 0, len(g))
	// The members mostly hold the first's assets: its list is kept
	// unless another adds to it.
	assets, shared := f.Assets, true
	var why, qids []string
	clear(j.strs)
	primed := false
	for i, x := range g {
		targets = append(targets, x.Targets[0])
		comps = append(comps, x.Targets[0].ID())
		aliases = append(aliases, x.ID)
		for _, a := range x.Aliases {
			if a != id {
				aliases = append(aliases, a)
			}
		}
		// Most members hold the same assets as the first (a pointer
		// compare each); the set is built only for one that does not.
		if i > 0 && !slices.Equal(x.Assets, f.Assets) {
			if !primed {
				clear(j.assets)
				if len(assets) > 16 {
					for _, a := range assets {
						j.assets[a] = struct{}{}
					}
				}
				primed = true
			}
			for _, a := range x.Assets {
				if shared && !has(assets, j.assets, a) {
					assets, shared = slices.Clone(assets), false
				}
				if !shared {
					assets = join(assets, j.assets, []*model.Asset{a})
				}
			}
		}
		why = join(why, j.strs, x.Rationale)
	}
	clear(j.strs) // questions are ids, rationale is text: one set in turn
	for _, x := range g {
		qids = join(qids, j.strs, x.Questions)
	}
	title, _, _ := strings.Cut(f.Title, "; also on ")
	f.ID = id
	f.Targets, f.Assets, f.Aliases, f.Rationale, f.Questions = targets, assets, aliases, why, qids
	f.Pos = model.Target{Boundary: zone}.Pos()
	f.Title = alsoOnEls(title, comps, "components", "inside `"+zone.ID+"`")
	return f
}

// joiner holds the sets mergeComps joins lists with.
type joiner struct {
	assets map[*model.Asset]struct{}
	strs   map[string]struct{}
}

// has reports whether list (with seen, as for join) holds v.
func has[T comparable](list []T, seen map[T]struct{}, v T) bool {
	if len(list) <= 16 {
		return slices.Contains(list, v)
	}
	_, ok := seen[v]
	return ok
}

// join appends to list the values of vs it does not hold yet, in order,
// with seen as the set of list's values once list is long (a scan while it
// is short); seen must hold exactly list's values or none of them.
func join[T comparable](list []T, seen map[T]struct{}, vs []T) []T {
	for _, v := range vs {
		if len(list) <= 16 {
			if slices.Contains(list, v) {
				continue
			}
			list = append(list, v)
			if len(list) > 16 {
				for _, w := range list {
					seen[w] = struct{}{}
				}
			}
			continue
		}
		if _, ok := seen[v]; !ok {
			seen[v] = struct{}{}
			list = append(list, v)
		}
	}
	return list
}
