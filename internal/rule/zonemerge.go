package rule

import (
	"slices"
	"strconv"
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
// the stores hold; so is malware stopping the Windows hosts of one zone
// (ransomware-on-critical-host): one infection spreads across the zone,
// and error details shown to the internet (error-detail-leakage): debug
// mode, error pages and version headers are set once for a deployment.
//
// A group is the rule's unverified threats of one category whose first
// target is a component (a threat may name further elements beside it: a
// logging threat names the consoles that drive its service; noise27), on
// k >= 2 components whose outermost boundary of
// their trust level (the zone, as for the transport family) is the same;
// components in no boundary are not grouped, unless the model draws no
// boundaries at all (unboundedOwn). Open threats (stated gaps)
// stay their own, mitigated ones (--all) too; a threat a decision or an
// assumption names by its id or an alias stays out. The merged threat has
// the id rule:zone (rule:zone:category for a further STRIDE threat; in a
// model without boundaries, the first component's own id and place),
// targets every component (the best-ordered first, so the per-element cap
// counts it where it counted that one) and then the members' further
// elements, each once (further), carries the union of their assets,
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
		if f.Status != model.StatusUnverified || len(f.Targets) == 0 {
			continue
		}
		c := f.Targets[0].Component
		if c == nil {
			continue
		}
		z := outermost(c.Boundary)
		if z == nil && !unboundedOwn(m, c) {
			continue
		}
		if named == nil {
			named = out.namedIDs(m)
			groups = map[key][]*model.Finding{}
		}
		if named[f.ID] || anyNamed(named, f.Aliases) {
			continue
		}
		if z == nil || ownZone(z) && !named[r.ID+":"+z.ID] && !named[zoneID(r, familyKey{zone: z, cat: f.Category}, f)] {
			z = &ownZones
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
			ids[zoneID(r, familyKey{zone: memberZone(k.zone, g), to: g[0].Targets[0].Component, cat: k.cat}, g[0])] = k
		}
	}
	for _, f := range out.findings {
		// A group of a model without boundaries keeps its first
		// member's id: that threat is the group's own.
		if k, ok := ids[f.ID]; ok && (len(groups[k]) == 0 || groups[k][0] != f) {
			delete(groups, k)
		}
	}
	gone := map[*model.Finding]*model.Finding{}
	j := &joiner{assets: assetSet{m: m}, strs: map[string]struct{}{}}
	for id, k := range ids {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		to := mergeComps(memberZone(k.zone, g), id, g, j)
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
// components of zone, with id id, and returns it. Each threat is on its
// own component and has its own id, so those are appended, not joined (the
// further elements they name are joined after them: further); the
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
	var why, qids []string
	clear(j.strs)
	// The members mostly hold the first's assets (often the very same
	// list: a rule's threats share the system's assets): its list is kept
	// unless another adds to it. What the others add is gathered in
	// j.more and appended once, to a list of the exact length.
	primed := false
	j.more = j.more[:0]
	for i, x := range g {
		targets = append(targets, x.Targets[0])
		comps = append(comps, x.Targets[0].ID())
		if x.ID != id {
			aliases = append(aliases, x.ID)
		}
		for _, a := range x.Aliases {
			if a != id {
				aliases = append(aliases, a)
			}
		}
		if i > 0 && !sameList(x.Assets, f.Assets) {
			if !primed {
				j.assets.reset()
				for _, a := range f.Assets {
					j.assets.add(a)
				}
				primed = true
			}
			for _, a := range x.Assets {
				if j.assets.add(a) {
					j.more = append(j.more, a)
				}
			}
		}
		why = join(why, j.strs, x.Rationale)
	}
	targets = further(targets, g)
	assets := f.Assets
	if len(j.more) > 0 {
		assets = make([]*model.Asset, len(f.Assets)+len(j.more))
		copy(assets[copy(assets, f.Assets):], j.more)
		clear(j.more) // no pointers left behind in the scratch list
	}
	clear(j.strs) // questions are ids, rationale is text: one set in turn
	for _, x := range g {
		qids = join(qids, j.strs, x.Questions)
	}
	title, _, _ := strings.Cut(f.Title, "; also on ")
	f.ID = id
	f.Targets, f.Assets, f.Aliases, f.Rationale, f.Questions = targets, assets, aliases, why, qids
	if zone == nil {
		f.Title = alsoOnEls(title, comps, "components", "of a model without trust boundaries")
		return f // at the first component, whose id it keeps
	}
	f.Pos = model.Target{Boundary: zone}.Pos()
	f.Title = alsoOnEls(title, comps, "components", "inside "+zonesOf(g))
	return f
}

// further appends to targets, the members' own components, the further
// elements the members name (a logging threat names the staff consoles
// that drive its service), each once and after every member, so the
// merged threat still names what each member named (noise27).
func further(targets []model.Target, g []*model.Finding) []model.Target {
	var seen map[model.Target]struct{}
	for _, x := range g {
		for _, t := range x.Targets[1:] {
			if seen == nil {
				seen = make(map[model.Target]struct{}, len(targets)+4)
				for _, u := range targets {
					seen[u] = struct{}{}
				}
			}
			if _, ok := seen[t]; !ok {
				seen[t] = struct{}{}
				targets = append(targets, t)
			}
		}
	}
	return targets
}

// ownZones groups the threats on components of the organisation's own
// zones (internal and restricted trust): a practice decided once per
// platform (a backup policy, a logging pipeline, a secrets manager) is not
// decided again where a restricted zone sits beside an internal one, so
// the weakness is one threat across them, as a reviewer writes it once.
// Partner and internet zones are others' platforms and stay per zone; a
// zone whose merged threat a decision or assumption names by its id
// (rule:zone) stays on its own, so the decision keeps the scope it was
// written for.
var ownZones model.Boundary

// unboundedOwn reports whether c, in no boundary, is of the organisation's
// own zone because the model draws no boundaries at all: trust then rests on
// the defaults (Component.Trust), and every in-scope component of default
// internal trust that is not a third party's runs on the one platform whose
// logging pipeline, backup policy, gateway limits and build the model does
// not divide. A reviewer writes "the services are not known to log
// security events" once for such a design, as for one drawn in one zone.
// In a model that draws boundaries, a component left out of them is not
// grouped: the model's own division does not place it.
func unboundedOwn(m *model.Model, c *model.Component) bool {
	return len(m.Boundaries) == 0 && ownByDefault(c)
}

// ownByDefault reports whether c, in a model without boundaries, is of the
// organisation's own zone: in scope, of default internal trust (not a
// person, client, external system or device) and not a third party's.
func ownByDefault(c *model.Component) bool {
	return c.Trust() == model.TrustInternal && !c.ThirdParty && !c.OutOfScope
}

// ownZone reports whether zone z is one of the organisation's own.
func ownZone(z *model.Boundary) bool {
	return z.Trust == model.TrustInternal || z.Trust == model.TrustRestricted
}

// memberZone is the zone a merged group's id and position name: the group's
// own, or for the organisation's own zones the first member's.
func memberZone(z *model.Boundary, g []*model.Finding) *model.Boundary {
	if z != &ownZones {
		return z
	}
	return outermost(g[0].Targets[0].Component.Boundary)
}

// zonesOf names the distinct zones of g's components in order of first
// appearance: "`dc`", "`dc` and `vault`", "`a`, `b` and `c`"; past four
// zones, the first three and how many more ("`a`, `b`, `c` and 4997 more
// zones"), as alsoOnEls caps the components it names. A set, not a scan of
// the list: an estate's own zones can number thousands.
func zonesOf(g []*model.Finding) string {
	var zs []string
	seen := make(map[string]bool)
	for _, f := range g {
		if id := outermost(f.Targets[0].Component.Boundary).ID; !seen[id] {
			seen[id] = true
			zs = append(zs, id)
		}
	}
	more := 0
	if len(zs) > 4 {
		more = len(zs) - 3
		zs = zs[:3]
	}
	var b strings.Builder
	for i, id := range zs {
		switch {
		case i == 0:
		case i == len(zs)-1 && more == 0:
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString("`" + id + "`")
	}
	if more > 0 {
		b.WriteString(" and " + strconv.Itoa(more) + " more zones")
	}
	return b.String()
}

// sameList reports whether a and b hold the same values in the same
// order, without comparing them one by one when they are the same list
// (a zone-wide rule's threats that put the system's assets at stake share
// one list of thousands at 100,000 components).
func sameList[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0] || slices.Equal(a, b)
}

// joiner holds the sets mergeComps joins lists with, and its scratch list.
type joiner struct {
	assets assetSet
	strs   map[string]struct{}
	more   []*model.Asset
}

// assetSet is a set of a model's assets, emptied in constant time: a mark
// per asset (by Model.AssetNum) holding the generation that added it. A
// map emptied by clear costs its capacity each time, and a zone-wide
// threat of a large model names thousands of assets while most groups
// name a few (single-point-of-failure at 100,000 components: 36 million
// asset references joined, 1 s in a map). An asset the model does not
// number (none, unless a rule names one it made) goes in a map.
type assetSet struct {
	m     *model.Model
	gen   uint32
	marks []uint32
	other map[*model.Asset]struct{}
}

// reset empties the set.
func (s *assetSet) reset() {
	if len(s.marks) != len(s.m.Assets) {
		s.marks = make([]uint32, len(s.m.Assets))
		s.gen = 0
	}
	s.gen++
	if s.gen == 0 { // wrapped: the old marks could match again
		clear(s.marks)
		s.gen = 1
	}
	if len(s.other) > 0 {
		clear(s.other)
	}
}

// add adds a to the set and reports whether it was not in it.
func (s *assetSet) add(a *model.Asset) bool {
	if n := s.m.AssetNum(a); n >= 0 {
		if s.marks[n] == s.gen {
			return false
		}
		s.marks[n] = s.gen
		return true
	}
	if _, ok := s.other[a]; ok {
		return false
	}
	if s.other == nil {
		s.other = map[*model.Asset]struct{}{}
	}
	s.other[a] = struct{}{}
	return true
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
