package rule

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/wardtm/ward/internal/listset"
	"github.com/wardtm/ward/internal/model"
)

// families fold the threats of a rule family (rules that share
// Family: they partition their flows, each flow reported by at most one of
// them, and raise one weakness) that repeat the weakness on the flows into
// one zone into one threat, as a reviewer writes it: "traffic into the data
// centre is not known to be encrypted" once, not once per hop and once more
// per kind of data on the hop. mergeParallel has already folded each rule's
// parallel hops into one receiver; this joins the family's threats of one
// category
//
//   - on flows whose receivers are all in one boundary (hops inside the
//     zone and crossings into it), into one threat with id rule:boundary, and
//   - on flows into a receiver in no boundary, into one threat with id
//     rule:receiver,
//
// where rule is the first rule of the group in id order. Unverified and
// open threats are grouped apart: stated gaps on several hops are one open
// threat, unknowns one unverified threat, so a stated gap never hides
// behind unknown ones. A threat a decision or an assumption names stays
// out, mitigated threats (--all) stay as they are, and a group whose id
// another threat already has (the unknowns' group took it, or a receiver's
// threat that stays) keeps its threats apart. The merged threat keeps the
// first threat's rule, targets every flow of the group, carries the union
// of the group's assets, rationale and questions, and lists the other ids
// (and their aliases) as Aliases, so decisions recorded against them keep
// applying.
//
// Families are disjoint, so each is merged as soon as its last rule has run
// (families.ran), on the worker that ran it, while the others run the rest
// of the rules.
type families struct {
	members [][]int        // per family, its rules' indices in id order
	of      []int32        // per rule, its family or -1
	left    []atomic.Int32 // per family, its rules still to run
	done    []atomic.Bool  // per family, merged (or found nothing to merge)
	merged  atomic.Bool    // whether any family merged threats
}

// familiesOf groups the rules by family; order is the rules' indices in id
// order (byRuleID).
func familiesOf(rules []*Rule, order []int) *families {
	fs := &families{of: make([]int32, len(rules))}
	var names []string
	for i := range fs.of {
		fs.of[i] = -1
	}
	for _, i := range order {
		fam := rules[i].Family
		if fam == "" && rules[i].ZoneWide && rules[i].On == OnFlow {
			// A zone-wide flow rule is a family of its own: its threats
			// on the flows into one zone are merged (mergeFamily).
			fam = "\x00" + rules[i].ID
		}
		if fam == "" {
			continue
		}
		k := slices.Index(names, fam)
		if k < 0 {
			k = len(names)
			names = append(names, fam)
			fs.members = append(fs.members, nil)
		}
		fs.members[k] = append(fs.members[k], i)
		fs.of[i] = int32(k)
	}
	fs.left = make([]atomic.Int32, len(names))
	fs.done = make([]atomic.Bool, len(names))
	for k, ms := range fs.members {
		fs.left[k].Store(int32(len(ms)))
	}
	return fs
}

// schedule returns the order the rules are run in: the families' rules
// first, then the rules on the whole model, on boundaries, on assets, on
// flows and on components, each in catalogue order. The few boundaries
// and assets make their rules short, but they are not left for the end:
// the questions are merged in catalogue order (asking), so a boundary or
// asset rule run last held back the merge of every rule after it in the
// catalogue, ≈ 13 ms on one core at 10,000 components while the other
// worker had nothing left to run. The order of the outcome does not
// depend on it.
func (fs *families) schedule(rules []*Rule) []int {
	sched := make([]int, 0, len(rules))
	for i := range rules {
		if fs.of[i] >= 0 {
			sched = append(sched, i)
		}
	}
	for _, on := range []On{OnModel, OnBoundary, OnAsset, OnFlow, OnComponent} {
		for i, r := range rules {
			if fs.of[i] < 0 && r.On == on {
				sched = append(sched, i)
			}
		}
	}
	for i, r := range rules { // any other kind
		if fs.of[i] < 0 && (r.On < OnComponent || r.On > OnModel) {
			sched = append(sched, i)
		}
	}
	return sched
}

// ran records that rule i has run (per[i] is set) and merges its family
// when it was the family's last rule. It returns the rules whose results
// are now final: i when it is in no family, every rule of the family once
// it is merged, else none. A stopped run merges nothing: it fails.
func (fs *families) ran(m *model.Model, rules []*Rule, per []*results, i int, track *tracker) []int {
	k := fs.of[i]
	if k < 0 {
		return []int{i}
	}
	if fs.left[k].Add(-1) != 0 || track.stopped() {
		return nil
	}
	fs.merge(m, rules, per, int(k))
	return fs.members[k]
}

// merge merges family k's threats; every rule of it has run.
func (fs *families) merge(m *model.Model, rules []*Rule, per []*results, k int) {
	if mergeFamily(m, rules, per, fs.members[k]) {
		fs.merged.Store(true)
	}
	fs.done[k].Store(true)
}

// finish merges the families not merged yet (none, unless a rule ran
// nothing) and reports whether anything was merged. It runs once the
// workers are done.
func (fs *families) finish(m *model.Model, rules []*Rule, per []*results) bool {
	for k, ms := range fs.members {
		if fs.done[k].Load() {
			continue
		}
		var run []int
		for _, i := range ms {
			if per[i] != nil {
				run = append(run, i)
			}
		}
		if len(run) > 0 && mergeFamily(m, rules, per, run) {
			fs.merged.Store(true)
		}
	}
	return fs.merged.Load()
}

// familyKey is what a family's threats are grouped by: a zone (every flow
// inside one boundary) or a receiver, and the category.
type familyKey struct {
	zone *model.Boundary
	to   *model.Component
	cat  model.Category
	open bool
}

func mergeFamily(m *model.Model, rules []*Rule, per []*results, members []int) bool {
	// Group with one map from key to a group number and a counting sort,
	// as mergeParallel does: most groups hold one threat.
	n, unbounded := 0, len(m.Boundaries) == 0
	for _, i := range members {
		n += len(per[i].findings)
	}
	var (
		ids   map[familyKey]int32
		size  []int32
		named map[string]bool
		fs    []*model.Finding // the candidates, in rule then id order
		rof   []int32          // each candidate's rule
		gid   []int32          // each candidate's group
	)
	for _, i := range members {
		for _, f := range per[i].findings {
			if f.Status != model.StatusUnverified && f.Status != model.StatusOpen {
				continue // mitigated threats stay their own
			}
			k, ok := familyKeyOf(f, unbounded)
			if !ok {
				continue
			}
			k.open = f.Status == model.StatusOpen
			if named == nil {
				named = per[members[0]].namedIDs(m)
				ids = make(map[familyKey]int32, n/2)
			}
			if named[f.ID] || anyNamed(named, f.Aliases) {
				continue
			}
			g, seen := ids[k]
			if !seen {
				g = int32(len(size))
				ids[k] = g
				size = append(size, 0)
			}
			size[g]++
			fs, rof, gid = append(fs, f), append(rof, int32(i)), append(gid, g)
		}
	}
	start := make([]int32, len(size)+1)
	merging := false
	for g, c := range size {
		if c < 2 {
			c = 0
		} else {
			merging = true
		}
		start[g+1] = start[g] + c
	}
	if !merging {
		return false
	}
	grouped := make([]int32, start[len(size)]) // candidate indices by group
	fill := append([]int32(nil), start[:len(size)]...)
	for j, g := range gid {
		if start[g+1] > start[g] {
			grouped[fill[g]] = int32(j)
			fill[g]++
		}
	}
	// A merged threat's id (rule:zone or rule:receiver) must not be one a
	// threat that stays keeps: one mergeParallel already gave a receiver
	// (it has aliases), or another group's.
	inGroup := make(map[*model.Finding]bool, len(grouped))
	for _, j := range grouped {
		inGroup[fs[j]] = true
	}
	taken := map[string]bool{}
	for _, i := range members {
		for _, f := range per[i].findings {
			if len(f.Aliases) > 0 && !inGroup[f] {
				taken[f.ID] = true
			}
		}
	}
	gone := make(map[*model.Finding]*model.Finding, len(grouped))
	renamed := map[*model.Finding]bool{}
	touched := map[int32]bool{}
	var g []*model.Finding
	for k := range size {
		grp := grouped[start[k]:start[k+1]]
		if len(grp) == 0 {
			continue
		}
		r, key := rules[rof[grp[0]]], familyKeyOf2(fs[grp[0]], unbounded)
		id := zoneID(r, key, fs[grp[0]])
		if taken[id] {
			continue
		}
		taken[id] = true
		g = g[:0]
		for _, j := range grp {
			g = append(g, fs[j])
			touched[rof[j]] = true
		}
		to := mergeZone(r, key, id, g)
		renamed[to] = true
		for _, f := range g[1:] {
			gone[f] = to
		}
	}
	if len(gone) == 0 {
		return false
	}
	for i := range touched {
		out := per[i]
		out.dropMerged(gone)
		out.resort(renamed)
	}
	return true
}

// familyKeyOf2 is familyKeyOf for a threat known to have a key; the key
// of a model without boundaries names the first flow's receiver, whose id
// the merged threat takes.
func familyKeyOf2(f *model.Finding, unbounded bool) familyKey {
	k, _ := familyKeyOf(f, unbounded)
	if k.zone == &noBoundaries {
		k.to = f.Targets[0].Flow.To
	}
	return k
}

// noBoundaries is the one zone of a model that draws no boundaries: the
// organisation's own components there (ownByDefault) are one zone, as in
// mergeComponents.
var noBoundaries model.Boundary

// familyZone is the zone of a flow into c: the outermost boundary of its
// trust level, or in a model without boundaries (unbounded) noBoundaries
// for one of the organisation's own components.
func familyZone(c *model.Component, unbounded bool) *model.Boundary {
	if z := outermost(c.Boundary); z != nil || !unbounded || !ownByDefault(c) {
		return z
	}
	return &noBoundaries
}

// familyKeyOf groups a flow threat: by zone when every flow it targets
// goes into the same boundary (in a model without boundaries, into the
// organisation's own components), else by the first flow's receiver.
func familyKeyOf(f *model.Finding, unbounded bool) (familyKey, bool) {
	if len(f.Targets) == 0 || f.Targets[0].Flow == nil || f.Targets[0].Flow.To == nil {
		return familyKey{}, false
	}
	first := f.Targets[0].Flow
	zone := familyZone(first.To, unbounded)
	for _, t := range f.Targets {
		if t.Flow == nil {
			continue
		}
		if zone == nil || familyZone(t.Flow.To, unbounded) != zone {
			zone = nil
			break
		}
	}
	if zone != nil {
		return familyKey{zone: zone, cat: f.Category}, true
	}
	return familyKey{to: first.To, cat: f.Category}, true
}

// zoneID is the id of the merged threat of the group with key k whose
// first threat is f: rule:zone or rule:receiver, with f's category suffix.
func zoneID(r *Rule, k familyKey, f *model.Finding) string {
	id := r.ID + ":" + k.where().ID()
	if f.Category != r.Category {
		id += ":" + string(f.Category)
	}
	return id
}

func (k familyKey) where() model.Target {
	if k.zone != nil && k.zone != &noBoundaries {
		return model.Target{Boundary: k.zone}
	}
	return model.Target{Component: k.to}
}

// mergeZone turns g[0] into the merged threat of g, with id id, and
// returns it.
func mergeZone(r *Rule, k familyKey, id string, g []*model.Finding) *model.Finding {
	f := g[0]
	where := k.where()
	// Sized up front: the unions are built once per merged group, and
	// growing them was most of what the merge allocated.
	na, nt, ns, nw, nq := 0, 0, 0, 0, 0
	for _, x := range g {
		na += 1 + len(x.Aliases)
		nt += len(x.Targets)
		ns += len(x.Assets)
		nw += len(x.Rationale)
		nq += len(x.Questions)
	}
	targets := listset.Set[model.Target]{List: make([]model.Target, 0, nt)}
	qids := listset.Set[string]{List: make([]string, 0, nq)}
	aliases := listset.Set[string]{List: make([]string, 0, na)}
	// The hops of a family mostly share their assets and rationale: keep
	// the first's list when the others add nothing to it.
	var assets listset.Set[*model.Asset]
	var why listset.Set[string]
	sameAssets, sameWhy := true, true
	for _, x := range g[1:] {
		sameAssets = sameAssets && subset(x.Assets, f.Assets)
		sameWhy = sameWhy && subset(x.Rationale, f.Rationale)
	}
	if !sameAssets {
		assets.List = make([]*model.Asset, 0, ns)
	}
	if !sameWhy {
		why.List = make([]string, 0, nw)
	}
	for _, x := range g {
		targets.Add(x.Targets...)
		if !sameAssets {
			assets.Add(x.Assets...)
		}
		if !sameWhy {
			why.Add(x.Rationale...)
		}
		if x.ID != id {
			aliases.Add(x.ID)
		}
		for _, a := range x.Aliases {
			if a != id {
				aliases.Add(a)
			}
		}
		qids.Add(x.Questions...)
	}
	if sameAssets {
		assets.List = f.Assets
	}
	if sameWhy {
		why.List = f.Rationale
	}
	var flows, comps []string
	for _, t := range targets.List {
		if t.Flow != nil {
			flows = append(flows, t.Flow.ID)
		} else if t.Component != nil {
			comps = append(comps, t.Component.ID)
		}
	}
	title, _, _ := strings.Cut(f.Title, "; also on ")
	f.ID = id
	f.Targets, f.Assets, f.Aliases, f.Rationale, f.Questions = targets.List, assets.List, aliases.List, why.List, qids.List
	f.Pos = where.Pos()
	if len(flows) == 0 && len(comps) > 0 {
		f.Title = alsoOnEls(title, comps, "components", "inside "+zoneName(k.zone))
	} else {
		f.Title = zoneTitle(title, flows, k)
	}
	return f
}

// zoneTitle adds to the first hop's title the other hops (up to three by
// name) and how many flows inside the zone, or into the receiver, it covers.
func zoneTitle(title string, flows []string, k familyKey) string {
	if k.zone != nil {
		return alsoOn(title, flows, "inside "+zoneName(k.zone))
	}
	return alsoOn(title, flows, "into `"+k.to.ID+"`")
}

// zoneName names zone z in a merged threat's title.
func zoneName(z *model.Boundary) string {
	if z == &noBoundaries {
		return "a model without trust boundaries"
	}
	return "`" + z.ID + "`"
}

// subset reports whether every element of a is in b (short lists).
func subset[T comparable](a, b []T) bool {
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}

// outermost returns the outermost boundary of b's trust level that b is
// nested in (b itself when its parent is trusted differently, or none): a
// data centre and a device network inside one hospital network are one
// zone; a restricted enclave inside it is its own.
func outermost(b *model.Boundary) *model.Boundary {
	for b != nil && b.Parent != nil && b.Parent.Trust == b.Trust {
		b = b.Parent
	}
	return b
}
