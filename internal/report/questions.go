package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// questions converts the ranked questions, keeping at most two entries per
// element: an element's best question, and either its second one or a group
// holding the rest ("*"). Single questions come first, in rank order, then
// the groups, ranked by the risk they move together.
func questions(m *model.Model, qs []*model.Question, system string, locs *locPool) []Question {
	// Each element's questions in rank order, by a counting sort on the
	// element, found by its number in the model (a component's or flow's)
	// or else by its id.
	elOf := make([]int32, len(qs))
	var comp, flow []int32 // by number: 1 + the element's index in count
	if m != nil {
		comp, flow = make([]int32, len(m.Components)), make([]int32, len(m.Flows))
	}
	index := map[string]int32{}
	var count []int32
	nthreats := 0
	for i, q := range qs {
		var slot *int32
		if t := q.Target; m != nil && t.Component != nil {
			if n := m.CompNum(t.Component); n >= 0 {
				slot = &comp[n]
			}
		} else if m != nil && t.Flow != nil {
			if n := m.FlowNum(t.Flow); n >= 0 {
				slot = &flow[n]
			}
		}
		var e int32
		if slot != nil && *slot > 0 {
			e = *slot - 1
		} else if slot != nil {
			e = int32(len(count))
			*slot = e + 1
			count = append(count, 0)
		} else {
			id := q.Target.ID()
			var ok bool
			if e, ok = index[id]; !ok {
				e = int32(len(count))
				index[id] = e
				count = append(count, 0)
			}
		}
		elOf[i] = e
		count[e]++
		nthreats += len(q.Threats)
	}
	start := make([]int32, len(count)+1)
	nsingle, ngroups, nmore := 0, 0, 0
	for e, c := range count {
		start[e+1] = start[e] + c
		if c <= 2 {
			nsingle += int(c)
		} else {
			nsingle, ngroups, nmore = nsingle+1, ngroups+1, nmore+int(c)-1
		}
	}
	byEl := make([]*model.Question, len(qs))
	next := append([]int32(nil), start[:len(count)]...)
	for i, q := range qs {
		byEl[next[elOf[i]]] = q
		next[elOf[i]]++
	}
	// Everything is written in place into slices of the exact size (a
	// Question is ≈ 230 bytes): singles first, then the groups.
	out := make([]Question, nsingle+ngroups)
	more := make([]Question, nmore)
	threats := make([]string, nthreats)
	// One target per element, made for its first question and shared by
	// the others (and the group) when they name the same model element.
	els := make([]Target, len(count))
	of := make([]model.Target, len(count))
	target := func(e int32, t model.Target) *Target {
		x := &els[e]
		switch {
		case x.Kind == "":
			setTarget(x, t, system, locs)
			of[e] = t
		case t != of[e]:
			x = new(Target)
			setTarget(x, t, system, locs)
		}
		return x
	}
	one := func(x *Question, q *model.Question, e int32) {
		x.ID, x.Text, x.Key, x.Rules = q.ID, q.Text, q.Key, q.Rules
		if c := heldQuestion(q); c != nil {
			x.Text = q.Text + heldMark(c)
		} else if fl := carriedQuestion(q); fl != nil && q.Key != CarriesKey {
			x.Text = q.Text + carriedMark(fl)
		}
		x.Element = target(e, q.Target)
		x.AtStake, x.Location, x.Moves, x.First = q.AtStake.String(), locs.at(q.Pos), q.Moves, q.First
		x.Threats, threats = threats[:len(q.Threats):len(q.Threats)], threats[len(q.Threats):]
		for k, f := range q.Threats {
			x.Threats[k] = f.ID
		}
	}
	n, g := 0, nsingle
	for i, q := range qs {
		el := byEl[start[elOf[i]]:start[elOf[i]+1]]
		switch {
		case len(el) <= 2 || q == el[0]:
			one(&out[n], q, elOf[i])
			n++
		case q == el[1]:
			x := &out[g]
			g++
			x.ID, x.Key, x.Rules, x.Threats = q.Target.ID()+".*", "*", []string{}, []string{}
			x.Element = target(elOf[i], q.Target)
			x.Location = locs.at(q.Target.Pos())
			x.More, more = more[:len(el)-1:len(el)-1], more[len(el)-1:]
			keys := make([]string, 0, len(el)-1)
			var worst model.Severity
			for k, r := range el[1:] {
				one(&x.More[k], r, elOf[i])
				x.Moves += r.Moves
				worst = max(worst, r.AtStake)
				keys = append(keys, r.Key)
			}
			x.AtStake = worst.String()
			x.Text = fmt.Sprintf("%d more about `%s`: %s", len(keys), q.Target.ID(), strings.Join(keys, ", "))
		}
	}
	rankGroups(out[nsingle:])
	return out
}

// rankGroups sorts the groups by the risk they move, most first, stably.
// It sorts their indices and then moves each Question once: sorting the
// Questions themselves (≈ 230 bytes each) swapped each of them ≈ log² n
// times, half of questions' time at N=10,000.
func rankGroups(groups []Question) {
	order := make([]int32, len(groups))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(i, j int32) int { return cmp.Compare(groups[j].Moves, groups[i].Moves) })
	// Apply the permutation in place, cycle by cycle: groups[k] takes
	// groups[order[k]]; a placed slot is marked -1.
	for s := range order {
		if order[s] < 0 || int(order[s]) == s {
			continue
		}
		tmp, k := groups[s], s
		for {
			src := int(order[k])
			order[k] = -1
			if src == s {
				groups[k] = tmp
				break
			}
			groups[k], k = groups[src], src
		}
	}
}

// carriedQuestion returns the flow question q is about when every threat
// it settles stands on what that flow carries by Ward's reading of the
// store it reaches (carriedGuess), else nil.
func carriedQuestion(q *model.Question) *model.Flow {
	fl := q.Target.Flow
	if fl == nil || fl.Inferred&model.InferredCarries == 0 || len(q.Threats) == 0 {
		return nil
	}
	for _, f := range q.Threats {
		if carriedGuess(f) != fl {
			return nil
		}
	}
	return fl
}

// heldQuestion returns the component question q is about when every threat
// it settles stands on what that component holds by Ward's reading of its
// flows (heldGuess), else nil: the question is asked because of a guess.
func heldQuestion(q *model.Question) *model.Component {
	c := q.Target.Component
	if c == nil || c.Inferred&(model.InferredStores|model.InferredProcesses) == 0 || len(q.Threats) == 0 {
		return nil
	}
	for _, f := range q.Threats {
		if heldGuess(f) != c {
			return nil
		}
	}
	return c
}
