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
// elevation, tampering or repudiation. The rule's own threat (id
// RULE:ELEMENT; the better-ranked where it is not listed) stays, so the
// weakness keeps its id, and takes the place of the best-ranked of them
// (the returned moves: the pair keeps its best place); it names the
// others' elements and carries their categories (model.Finding.Categories),
// so a line written under any of them still finds it; the others leave
// the list, and their questions settle the one that stays.
//
// Threats meet on their first target (a zone-merged threat's first
// component). As in foldSameLine, only rules' threats, open or unverified,
// take part; an open threat never joins an unverified one, and a threat
// with a decision, a mitigation or a reopening stays apart. It runs last
// of the folds, on the threats listed (fs in rank order); the caller ranks
// again (Ranking.RerankMoved).
func foldReadings(fs []*model.Finding, qs []*model.Question, rules []*rule.Rule, workers int) ([]*model.Finding, map[*model.Finding]*model.Finding) {
	var own map[string]model.Category
	for _, r := range rules {
		if r.OneLine {
			if own == nil {
				own = map[string]model.Category{}
			}
			own[r.ID] = r.Category
		}
	}
	if own == nil {
		return fs, nil
	}
	type at struct {
		rule string
		t    model.Target
		open bool
	}
	// The readings of each (rule, element, status), in rank order.
	var groups map[at][]*model.Finding
	var keys []at
	for _, f := range fs {
		if _, ok := own[f.Rule]; !ok || f.Origin == model.OriginPeople || !f.Active() || held(f) || len(f.Targets) == 0 {
			continue
		}
		k := at{f.Rule, f.Targets[0], f.Open()}
		if groups == nil {
			groups = map[at][]*model.Finding{}
		}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	var into, moves map[*model.Finding]*model.Finding
	var jr joiner
	for _, k := range keys {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		// The rule's own threat (id RULE:ELEMENT) stays, so the weakness
		// keeps its id; it takes the place of the best-ranked reading.
		keep := g[0]
		for _, f := range g {
			if f.Category == own[f.Rule] {
				keep = f
				break
			}
		}
		cats := slices.Clip(keep.Categories)
		if len(cats) == 0 {
			cats = []model.Category{keep.Category}
		}
		if into == nil {
			into = map[*model.Finding]*model.Finding{}
		}
		for _, f := range g {
			if f == keep {
				continue
			}
			for _, c := range append([]model.Category{f.Category}, f.Categories...) {
				if !slices.Contains(cats, c) {
					cats = append(cats, c)
				}
			}
			jr.join(keep, f)
			into[f] = keep
		}
		keep.Categories = cats
		if keep != g[0] {
			if moves == nil {
				moves = map[*model.Finding]*model.Finding{}
			}
			moves[keep] = g[0]
		}
	}
	return settle(fs, qs, into, workers), moves
}
