package analysis

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// foldReadings joins the listed threats of a OneLine rule (rule.Rule.OneLine)
// on one element: its own threat and its further STRIDE readings (a
// rule's Also, ids RULE:ELEMENT:CATEGORY) of a weakness a reviewer writes
// once — "insiders can read or change the store without oversight" is one
// line on who may reach the store, whether the reviewer files it as
// elevation, tampering or repudiation. The better-ranked threat stays in
// its place, names the others' elements and carries their categories
// (model.Finding.Categories), so a line written under any of them still
// finds it; the others leave the list, and their questions settle the one
// that stays.
//
// Threats meet on their first target (a zone-merged threat's first
// component). As in foldSameLine, only rules' threats, open or unverified,
// take part; an open threat never joins an unverified one, and a threat
// with a decision, a mitigation or a reopening stays apart. It runs last
// of the folds, on the threats listed (fs in rank order); the caller ranks
// again.
func foldReadings(fs []*model.Finding, qs []*model.Question, rules []*rule.Rule, workers int) []*model.Finding {
	var one map[string]bool
	for _, r := range rules {
		if r.OneLine {
			if one == nil {
				one = map[string]bool{}
			}
			one[r.ID] = true
		}
	}
	if one == nil {
		return fs
	}
	type at struct {
		rule string
		t    model.Target
		open bool
	}
	var first map[at]*model.Finding
	var into map[*model.Finding]*model.Finding
	var jr joiner
	for _, f := range fs {
		if !one[f.Rule] || f.Origin == model.OriginPeople || !f.Active() || held(f) || len(f.Targets) == 0 {
			continue
		}
		k := at{f.Rule, f.Targets[0], f.Open()}
		g := first[k]
		if g == nil {
			if first == nil {
				first = map[at]*model.Finding{}
			}
			first[k] = f
			continue
		}
		cats := slices.Clip(g.Categories)
		if len(cats) == 0 {
			cats = []model.Category{g.Category}
		}
		for _, c := range append([]model.Category{f.Category}, f.Categories...) {
			if !slices.Contains(cats, c) {
				cats = append(cats, c)
			}
		}
		g.Categories = cats
		jr.join(g, f)
		if into == nil {
			into = map[*model.Finding]*model.Finding{}
		}
		into[f] = g
	}
	return settle(fs, qs, into, workers)
}
