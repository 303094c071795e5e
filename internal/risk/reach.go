// Reach: how much of the design's data a threat's elements hold or lead to
// (Finding.Reach), which the ranking counts on top of the score.

package risk

import "github.com/wardtm/ward/internal/model"

// reachWeight is how many points of score the most data within reach adds
// to a threat's ranking value (rankValue), in 128ths: 1.5 points. A threat
// on the element that reaches the design's crown jewels outranks one a
// point above it on an element that reaches little; it never leaves its
// severity band.
const reachWeight = 192

// reach holds the data within reach of each element of a model (reachOf),
// as the sum of the assets' worth (assetWorth).
type reach struct {
	comp map[*model.Component]int32
	flow map[*model.Flow]int32
	// most is the largest of the components': the element that holds or
	// leads to the design's crown jewels.
	most int32
}

// assetWorth is how much an asset is worth to an attacker, as stakeValue
// counts it: the larger of its confidentiality and integrity needs, or its
// business value if higher (low 1 … critical 4).
func assetWorth(a *model.Asset) int32 {
	return int32(max(a.Need(model.Confidentiality), a.Need(model.Integrity), a.Value))
}

// reachOf works out, for every component and flow of m, the data within
// its reach: a component's is what it stores or processes, what its
// outbound flows carry and what the data stores it sends to (a database,
// a bucket, a queue) hold; a flow's is what it carries and what its
// receiver reaches. Each asset counts once per element. A model that
// names no assets reaches nothing.
func reachOf(m *model.Model) *reach {
	r := &reach{}
	if len(m.Assets) == 0 {
		return r
	}
	// Assets are numbered so that each element's union is a stamp per
	// asset rather than a map.
	num := make(map[*model.Asset]int32, len(m.Assets))
	for i, a := range m.Assets {
		num[a] = int32(i)
	}
	stamp := make([]int32, len(m.Assets))
	gen := int32(0)
	var sum int32
	add := func(as []*model.Asset) {
		for _, a := range as {
			i, ok := num[a]
			if !ok || stamp[i] == gen {
				continue
			}
			stamp[i] = gen
			sum += assetWorth(a)
		}
	}
	// addComp adds what c holds, sends and keeps in the stores it sends to.
	addComp := func(c *model.Component) {
		add(c.Assets())
		for _, fl := range c.Out {
			add(fl.Carries)
			if fl.To != nil && fl.To.IsStore() {
				add(fl.To.Assets())
			}
		}
	}
	r.comp = make(map[*model.Component]int32, len(m.Components))
	for _, c := range m.Components {
		gen, sum = gen+1, 0
		addComp(c)
		r.comp[c] = sum
		r.most = max(r.most, sum)
	}
	r.flow = make(map[*model.Flow]int32, len(m.Flows))
	for _, fl := range m.Flows {
		gen, sum = gen+1, 0
		add(fl.Carries)
		if fl.To != nil {
			addComp(fl.To)
		}
		r.flow[fl] = sum
	}
	return r
}

// share returns the data within reach of f's elements (the most of any of
// its targets) as a share of the most a component reaches, in 64ths: a
// flow into that component reaches at least as much and counts as all.
func (r *reach) share(f *model.Finding) uint8 {
	if r.most == 0 {
		return 0
	}
	var v int32
	for _, t := range f.Targets {
		switch {
		case t.Flow != nil:
			v = max(v, r.flow[t.Flow])
		case t.Component != nil:
			v = max(v, r.comp[t.Component])
		}
	}
	return uint8(min(64, int64(v)*64/int64(r.most)))
}

// rankValue is what the ranking orders threats of one severity band by,
// in 128ths of a point: the residual score, plus up to reachWeight for the
// share of the design's data within the threat's reach (Finding.Reach).
func rankValue(f *model.Finding) int {
	return clampKey(f.Residual.Score)*128 + int(min(f.Reach, 64))*reachWeight/64
}
