package training

import (
	"slices"
	"sort"
)

// Found is one threat a group submitted: a card of its board.
type Found struct {
	ID     string   `json:"id"`
	Target string   `json:"target"`
	Stride []string `json:"stride"`
	Asset  string   `json:"asset,omitempty"`
	Text   string   `json:"text"`
	// Ref, when set, is the reference threat the instructor judged the
	// threat to be: it matches that one only.
	Ref string `json:"ref,omitempty"`
}

// Submission is what one group handed in.
type Submission struct {
	Group   string  `json:"group"`
	Name    string  `json:"name"`
	Threats []Found `json:"threats"`
	// TopThree lists ids of the group's threats, most important first.
	TopThree []string `json:"top_three"`
}

// Matches returns the ids of the reference threats a found threat matches:
// the same element or flow and at least one STRIDE category in common. A
// found threat with no STRIDE category matches every reference threat on
// its target (the group saw the problem but did not classify it).
//
// A threat the instructor matched by hand (Ref) matches that reference
// threat only.
func Matches(ref []RefThreat, f Found) []string {
	var out []string
	if f.Ref != "" {
		if slices.ContainsFunc(ref, func(t RefThreat) bool { return t.ID == f.Ref }) {
			return []string{f.Ref}
		}
		return nil
	}
	for _, t := range ref {
		if t.Target != f.Target {
			continue
		}
		if len(f.Stride) == 0 || slices.ContainsFunc(f.Stride, func(l string) bool { return slices.Contains(t.Stride, l) }) {
			out = append(out, t.ID)
		}
	}
	return out
}

// Cell is a count of reference threats and how many of them were found.
type Cell struct {
	Key   string `json:"key"`
	Total int    `json:"total"`
	Found int    `json:"found"`
}

// Agreement is how a group's top three agrees with the reference top three.
type Agreement struct {
	// Score is in [0, 1]: the sum of Points divided by 3.
	Score float64 `json:"score"`
	// Points holds, per reference top-three threat in reference order,
	// 1 when the group ranked it at the same place, 2/3 one place off,
	// 1/3 two places off, 0 when it is not in the group's top three.
	Points [3]float64 `json:"points"`
	// Picks holds, per place of the group's top three, the reference
	// threat its card matches best ("" when none).
	Picks []string `json:"picks"`
	// InAnyOrder counts the reference top three in the group's top three.
	InAnyOrder int `json:"in_any_order"`
}

// GroupResult is one group's comparison with the reference.
type GroupResult struct {
	Group string `json:"group"`
	Name  string `json:"name"`
	// Covered lists the reference threats the group found, in reference order.
	Covered []string `json:"covered"`
	Total   int      `json:"total"`
	// ByElement, ByStride and BySeverity break the coverage down.
	ByElement  []Cell    `json:"by_element"`
	ByStride   []Cell    `json:"by_stride"`
	BySeverity []Cell    `json:"by_severity"`
	TopThree   Agreement `json:"top_three"`
	// Outside lists the group's threats that match no reference threat:
	// the instructor decides which are valid and adds them.
	Outside []Found `json:"outside"`
	// Unique lists the reference threats only this group found.
	Unique []string `json:"unique"`
}

// Comparison compares every group with the reference and with each other.
type Comparison struct {
	Groups []GroupResult `json:"groups"`
	// Overlap[i][j] counts the reference threats found by both group i and
	// group j; Overlap[i][i] is what group i found.
	Overlap [][]int `json:"overlap"`
	// FoundBy maps each reference threat to the groups that found it.
	FoundBy map[string][]string `json:"found_by"`
	// Missed lists reference threats no group found.
	Missed []string `json:"missed"`
}

// Compare scores the submissions against the reference (the exercise's
// threats plus any the instructor added during the run). It is a pure
// function of its inputs.
func Compare(ref Reference, subs []Submission) Comparison {
	var c Comparison
	c.FoundBy = map[string][]string{}
	c.Missed = []string{}
	covered := make([]map[string]bool, len(subs))
	for i, s := range subs {
		covered[i] = map[string]bool{}
		r := GroupResult{Group: s.Group, Name: s.Name, Total: len(ref.Threats), Covered: []string{}, Outside: []Found{}, Unique: []string{}}
		for _, f := range s.Threats {
			m := Matches(ref.Threats, f)
			if len(m) == 0 {
				r.Outside = append(r.Outside, f)
			}
			for _, id := range m {
				covered[i][id] = true
			}
		}
		for _, t := range ref.Threats {
			if covered[i][t.ID] {
				r.Covered = append(r.Covered, t.ID)
				c.FoundBy[t.ID] = append(c.FoundBy[t.ID], s.Group)
			}
		}
		r.ByElement = breakdown(ref.Threats, covered[i], func(t RefThreat) []string { return []string{t.Target} })
		r.ByStride = breakdown(ref.Threats, covered[i], func(t RefThreat) []string { return t.Stride })
		r.BySeverity = breakdown(ref.Threats, covered[i], func(t RefThreat) []string { return []string{t.Severity} })
		sortCells(r.ByStride, func(k string) int { return slices.Index([]string{"S", "T", "R", "I", "D", "E"}, k) })
		sortCells(r.BySeverity, SeverityRank)
		r.TopThree = Agree(ref, s)
		c.Groups = append(c.Groups, r)
	}
	c.Overlap = make([][]int, len(subs))
	for i := range subs {
		c.Overlap[i] = make([]int, len(subs))
		for j := range subs {
			for id := range covered[i] {
				if covered[j][id] {
					c.Overlap[i][j]++
				}
			}
		}
	}
	for _, t := range ref.Threats {
		by := c.FoundBy[t.ID]
		switch len(by) {
		case 0:
			c.Missed = append(c.Missed, t.ID)
		case 1:
			for i := range c.Groups {
				if c.Groups[i].Group == by[0] {
					c.Groups[i].Unique = append(c.Groups[i].Unique, t.ID)
				}
			}
		}
	}
	return c
}

func breakdown(ts []RefThreat, covered map[string]bool, keys func(RefThreat) []string) []Cell {
	var out []Cell
	at := map[string]int{}
	for _, t := range ts {
		for _, k := range keys(t) {
			i, ok := at[k]
			if !ok {
				i = len(out)
				at[k] = i
				out = append(out, Cell{Key: k})
			}
			out[i].Total++
			if covered[t.ID] {
				out[i].Found++
			}
		}
	}
	return out
}

func sortCells(cs []Cell, rank func(string) int) {
	sort.SliceStable(cs, func(i, j int) bool { return rank(cs[i].Key) < rank(cs[j].Key) })
}

// Agree computes the rank-aware agreement of a group's top three with the
// reference top three.
//
// Each card of the group's top three stands for the reference threat it
// matches (Matches); when it matches several, the one highest in the
// reference top three, else the most severe. Each reference top-three
// threat earns 1 − |p − q|/3 points, where q is its place in the
// reference top three and p its place in the group's (first place only
// when it appears twice), and 0 when the group did not rank it. The score
// is the sum divided by 3: 1 for the same three in the same order, 1/3 for
// the right first threat alone, 0 for none of them.
func Agree(ref Reference, s Submission) Agreement {
	var a Agreement
	byID := map[string]Found{}
	for _, f := range s.Threats {
		byID[f.ID] = f
	}
	place := map[string]int{}
	for p, id := range s.TopThree {
		if p >= 3 {
			break
		}
		pick := ""
		if f, ok := byID[id]; ok {
			pick = bestMatch(ref, Matches(ref.Threats, f))
		}
		a.Picks = append(a.Picks, pick)
		if _, dup := place[pick]; pick != "" && !dup {
			place[pick] = p
		}
	}
	sum := 0.0
	for q, id := range ref.TopThree {
		if q >= 3 {
			break
		}
		p, ok := place[id]
		if !ok {
			continue
		}
		d := p - q
		if d < 0 {
			d = -d
		}
		a.Points[q] = 1 - float64(d)/3
		sum += a.Points[q]
		a.InAnyOrder++
	}
	a.Score = sum / 3
	return a
}

func bestMatch(ref Reference, ids []string) string {
	best, bestRank := "", 1<<30
	for _, id := range ids {
		r := 10 + SeverityRank(ref.Threat(id).Severity)
		if q := slices.Index(ref.TopThree, id); q >= 0 {
			r = q
		}
		if r < bestRank {
			best, bestRank = id, r
		}
	}
	return best
}
