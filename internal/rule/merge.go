package rule

import (
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/listset"
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
	if len(out.findings) < 2 {
		return
	}
	// Group with one map from (receiver, category) to a group number and
	// a counting sort, not a list per group: most groups hold one hop. The
	// map's key is the receiver's number and the category's (a word hashes
	// faster than a pointer and a name); a receiver the model does not
	// number or a category that is not STRIDE's is keyed by name in other.
	type key struct {
		to  *model.Component
		cat model.Category
	}
	var (
		ids   map[uint64]int32
		other map[key]int32
		gid   []int32 // per finding: its group, or -1
		size  []int32
		mixed []bool
		named map[string]bool
	)
	for i, f := range out.findings {
		if f.Status != model.StatusUnverified && f.Status != model.StatusOpen || len(f.Targets) == 0 {
			continue
		}
		fl := f.Targets[0].Flow
		if fl == nil || fl.To == nil {
			continue
		}
		if f.Status == model.StatusUnverified {
			if named == nil {
				named = out.namedIDs(m)
			}
			if named[f.ID] || anyNamed(named, f.Aliases) {
				continue
			}
		}
		if ids == nil {
			ids = make(map[uint64]int32, len(out.findings)/2)
			gid = make([]int32, len(out.findings))
			for j := range gid {
				gid[j] = -1
			}
		}
		var g int32
		var ok bool
		if n, c := m.CompNum(fl.To), categoryNum(f.Category); n >= 0 && c >= 0 {
			k := uint64(n)<<3 | uint64(c)
			if g, ok = ids[k]; !ok {
				g = int32(len(size))
				ids[k] = g
			}
		} else {
			if other == nil {
				other = map[key]int32{}
			}
			k := key{fl.To, f.Category}
			if g, ok = other[k]; !ok {
				g = int32(len(size))
				other[k] = g
			}
		}
		if !ok {
			size, mixed = append(size, 0), append(mixed, false)
		}
		if f.Status == model.StatusOpen {
			mixed[g] = true
			continue
		}
		gid[i] = g
		size[g]++
	}
	start := make([]int32, len(size)+1)
	merging := false
	for g, n := range size {
		if n < 2 || mixed[g] {
			n = 0
		} else {
			merging = true
		}
		start[g+1] = start[g] + n
	}
	if !merging {
		return
	}
	members := make([]*model.Finding, start[len(size)])
	fill := start[:len(size):len(size)]
	fill = append([]int32(nil), fill...)
	for i, g := range gid {
		if g >= 0 && start[g+1] > start[g] {
			members[fill[g]] = out.findings[i]
			fill[g]++
		}
	}
	gone := make(map[*model.Finding]*model.Finding, len(members))
	for g := range size {
		grp := members[start[g]:start[g+1]]
		if len(grp) == 0 {
			continue
		}
		merged := merge(r, grp[0].Targets[0].Flow.To, grp)
		for _, f := range grp[1:] {
			gone[f] = merged
		}
	}
	out.dropMerged(gone)
}

// dropMerged removes the threats merged into others (gone maps each to the
// threat it was merged into) from out's findings, keeping their order, and
// makes the questions that settled them settle the merged threat, listed
// once.
func (out *results) dropMerged(gone map[*model.Finding]*model.Finding) {
	kept := out.findings[:0]
	for _, f := range out.findings {
		if gone[f] == nil {
			kept = append(kept, f)
		}
	}
	clear(out.findings[len(kept):])
	out.findings = kept
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

// resort puts out.findings back in order by id after a merge gave the
// threats in renamed new ids and dropped others. The rest keep their
// order, so when they were in order the renamed are sorted apart and
// merged back in, rather than the whole list sorted again (which the
// rest, out of order, still get).
func (out *results) resort(renamed map[*model.Finding]bool) {
	byID := func(a, b *model.Finding) int { return strings.Compare(a.ID, b.ID) }
	fs := out.findings
	var moved []*model.Finding
	rest := fs[:0]
	for _, f := range fs {
		if renamed[f] {
			moved = append(moved, f)
		} else {
			rest = append(rest, f)
		}
	}
	if !slices.IsSortedFunc(rest, byID) {
		copy(fs[len(rest):], moved)
		slices.SortFunc(fs, byID)
		return
	}
	slices.SortFunc(moved, byID)
	// Merged from the back: fs[k] is written only once rest[:i+1] is
	// all that is left of rest before it (k > i while moved is not used
	// up).
	i, k := len(rest)-1, len(fs)-1
	for j := len(moved) - 1; j >= 0; k-- {
		if i >= 0 && byID(rest[i], moved[j]) > 0 {
			fs[k] = rest[i]
			i--
		} else {
			fs[k] = moved[j]
			j--
		}
	}
}

// merge turns g[0] into the merged threat of g on flows into to and returns
// it.
func merge(r *Rule, to *model.Component, g []*model.Finding) *model.Finding {
	f := g[0]
	suffix := idSuffix(f.ID, r.ID, f.Targets[0].ID()) // "" or ":category"
	recv := model.Target{Component: to}
	n, nt, nq := 0, 0, 0
	for _, x := range g {
		n += 1 + len(x.Aliases)
		nt += len(x.Targets)
		nq += len(x.Questions)
	}
	aliases := make([]string, 0, n) // ids are unique: nothing to drop
	targets := listset.Set[model.Target]{List: make([]model.Target, 0, nt)}
	// Each hop asks about itself: the questions mostly add up; the
	// assets mostly repeat the first hop's.
	// (Lists stay nil when empty, as they were.)
	var assets listset.Set[*model.Asset]
	var why, qids listset.Set[string]
	if len(f.Assets) > 0 {
		assets.List = make([]*model.Asset, 0, len(f.Assets))
	}
	if nq > 0 {
		qids.List = make([]string, 0, min(nq, 17))
	}
	for _, x := range g {
		targets.Add(x.Targets...)
		assets.Add(x.Assets...)
		aliases = append(append(aliases, x.ID), x.Aliases...)
		why.Add(x.Rationale...)
		qids.Add(x.Questions...)
	}
	f.ID = r.ID + ":" + to.ID + suffix
	f.Targets, f.Assets, f.Aliases, f.Rationale, f.Questions = targets.List, assets.List, aliases, why.List, qids.List
	f.Pos = recv.Pos()
	f.Title = mergedTitle(f.Title, g, to)
	return f
}

// idSuffix returns what follows rule:element in id ("" or ":category"),
// or id itself when it does not start so (strings.TrimPrefix without
// building the prefix).
func idSuffix(id, rule, elem string) string {
	n := len(rule) + 1 + len(elem)
	if len(id) >= n && id[:len(rule)] == rule && id[len(rule)] == ':' && id[len(rule)+1:n] == elem {
		return id[n:]
	}
	return id
}

// mergedTitle adds to the first hop's title the other hops the weakness
// repeats on (up to three by name) and how many flows into to it covers.
func mergedTitle(title string, g []*model.Finding, to *model.Component) string {
	flows := make([]string, len(g))
	for i, f := range g {
		flows[i] = f.Targets[0].ID()
	}
	return alsoOn(title, flows, "into `"+to.ID+"`")
}

// alsoOn adds to the first hop's title the other hops of flows (up to three
// by name) and how many flows, where, the threat covers:
// "…; also on `b`, `c` (3 flows into `db`)".
func alsoOn(title string, flows []string, where string) string {
	return alsoOnEls(title, flows, "flows", where)
}

// alsoOnEls is alsoOn for elements named by noun ("flows", "components").
func alsoOnEls(title string, flows []string, noun, where string) string {
	var b strings.Builder
	b.Grow(len(title) + len(where) + 32 + 24*min(len(flows), 4))
	b.WriteString(title)
	b.WriteString("; also on ")
	for i, id := range flows[1:] {
		if i == 3 {
			b.WriteString(" and " + strconv.Itoa(len(flows)-1-i) + " more")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("`" + id + "`")
	}
	b.WriteString(" (" + strconv.Itoa(len(flows)) + " " + noun + " " + where + ")")
	return b.String()
}

// namedIDs returns the threat ids decisions and assumptions name, made
// once per run (the run's memo) rather than once per rule that merges.
// Read-only.
func (o *results) namedIDs(m *model.Model) map[string]bool {
	if o == nil || o.memo == nil {
		return namedIDs(m)
	}
	return o.memo.get(namedKey{}, func() any { return namedIDs(m) }).(map[string]bool)
}

// namedKey is namedIDs' key in the run's memo.
type namedKey struct{}

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

// categoryNum returns c's place in model.Categories, or -1.
func categoryNum(c model.Category) int {
	switch c {
	case model.Spoofing:
		return 0
	case model.Tampering:
		return 1
	case model.Repudiation:
		return 2
	case model.InformationDisclosure:
		return 3
	case model.DenialOfService:
		return 4
	case model.ElevationOfPrivilege:
		return 5
	}
	return -1
}
