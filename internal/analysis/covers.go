package analysis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
)

// A merged threat (one weakness on several hops into one receiver or zone,
// internal/rule merge.go and family.go) lists the ids of the threats merged
// into it as its Aliases. A decision taken on it with covers lists those
// ids as they were then; a hop that joined the group later is not covered,
// so the decision must not silently extend to it.

// uncoveredDecisions returns the model's decisions that do not apply
// because the merged threat they name now holds threats their covers do
// not list, with a warning for each. Decisions without covers (written by
// hand, or before covers existed) cover the whole group and are never
// returned; ids in covers that are no longer merged in (a hop removed) do
// not matter.
func uncoveredDecisions(m *model.Model, findings []*model.Finding) (map[*model.Decision]bool, []risk.Warning) {
	covers := false
	for _, d := range m.Decisions {
		covers = covers || d.Covers != nil
	}
	if !covers {
		return nil, nil
	}
	decisions := make(map[string]*model.Decision, len(m.Decisions))
	for _, d := range m.Decisions {
		decisions[d.Finding] = d
	}
	var (
		off   map[*model.Decision]bool
		warns []risk.Warning
	)
	for _, f := range findings {
		if len(f.Aliases) == 0 || f.Origin == model.OriginPeople {
			continue
		}
		// The decision risk.Assess would apply: by id, then by alias.
		d := decisions[f.ID]
		for i := 0; d == nil && i < len(f.Aliases); i++ {
			d = decisions[f.Aliases[i]]
		}
		if d == nil || d.Covers == nil || off[d] {
			continue
		}
		missing := uncovered(m, f.Aliases, d)
		if len(missing) == 0 {
			continue
		}
		if off == nil {
			off = map[*model.Decision]bool{}
		}
		off[d] = true
		hops := hopList(missing)
		warns = append(warns, risk.Warning{Pos: d.Pos,
			Msg: fmt.Sprintf("decision for finding %q (%s) does not apply: %s joined the merged threat after the decision was taken",
				d.Finding, d.Status, hops),
			Hint: fmt.Sprintf("re-decide %s: it now also covers %s; take the decision again (`ward decide %s`, or on the server: both write covers) or add the ids to its covers", d.Finding, hops, d.Finding)})
	}
	return off, warns
}

// uncovered returns the hops of a merged threat with the ids merged into
// it (aliases) that d's covers do not list, by the first of the hop's ids.
// The threats merged are per hop (a flow: rule:flow or
// rule:flow:category), and a hop is covered when covers lists any of its
// ids (its current id or an earlier one), so a receiver's merged threat
// folded into a zone's, itself not a hop, does not count. When no id
// names a flow, every id not listed is returned.
func uncovered(m *model.Model, aliases []string, d *model.Decision) []string {
	var (
		first   []string // each flow's first id, in order
		covered map[string]bool
		others  []string
	)
	for _, a := range aliases {
		if a == d.Finding {
			continue
		}
		_, rest, _ := strings.Cut(a, ":")
		el, _, _ := strings.Cut(rest, ":")
		if m.Flow(el) == nil {
			if !slices.Contains(d.Covers, a) {
				others = append(others, a)
			}
			continue
		}
		if covered == nil {
			covered = map[string]bool{}
		}
		c, seen := covered[el]
		if !seen {
			first = append(first, a)
		}
		covered[el] = c || slices.Contains(d.Covers, a)
	}
	if covered == nil {
		return others
	}
	out := first[:0]
	for _, id := range first {
		_, rest, _ := strings.Cut(id, ":")
		el, _, _ := strings.Cut(rest, ":")
		if !covered[el] {
			out = append(out, id)
		}
	}
	return out
}

// hopList names up to five ids and says how many more there are.
func hopList(ids []string) string {
	const most = 5
	q := make([]string, 0, min(len(ids), most))
	for _, id := range ids[:min(len(ids), most)] {
		q = append(q, "`"+id+"`")
	}
	s := strings.Join(q, ", ")
	if len(ids) > most {
		s += fmt.Sprintf(" and %d more", len(ids)-most)
	}
	if len(ids) == 1 {
		return "hop " + s
	}
	return "hops " + s
}
