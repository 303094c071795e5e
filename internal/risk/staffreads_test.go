package risk

import (
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestStaffReadsRankLower: staff reading beyond their need ranks half a
// point below an equal threat (what the same staff can do goes first),
// still above a threat a point below it and within its severity band; the
// team's own threat of the same id is not moved, and the score is not.
func TestStaffReadsRankLower(t *testing.T) {
	console := &model.Component{ID: "console"}
	mk := func(id, rule string, score int, reach uint8, origin model.Origin) *model.Finding {
		r := model.Risk{Score: int32(score), Severity: Band(score), Likelihood: 3, Impact: model.Impact(score / 3)}
		return &model.Finding{ID: id, Rule: rule, Origin: origin, Category: model.InformationDisclosure,
			Targets: []model.Target{{Component: console}}, Status: model.StatusUnverified, Inherent: r, Residual: r, Reach: reach}
	}
	fs := []*model.Finding{
		mk("a-reads", staffReadRule, 15, 0, model.OriginBuiltin),
		mk("b-acts", "staff-action-without-second-approval", 15, 0, model.OriginBuiltin),
		mk("c-below", "admin-without-mfa", 14, 0, model.OriginBuiltin),
		mk("d-medium", "other", 11, 64, model.OriginBuiltin),
	}
	if v, w := rankValue(fs[0]), rankValue(fs[1]); v != w-staffReadStep {
		t.Errorf("ranking value %d, want %d less than %d", v, staffReadStep, w)
	}
	if fs[0].Residual.Score != 15 {
		t.Errorf("score changed: %d", fs[0].Residual.Score)
	}
	team := mk("a-reads", staffReadRule, 15, 0, model.OriginPeople)
	if staffReads(team) {
		t.Error("the team's own threat read as staff reading")
	}
	Rank(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.ID)
	}
	// c-below waits a round of the spread (a second threat of the
	// element), as it did before; a-reads keeps its band and its place
	// above every threat a point below.
	if want := []string{"b-acts", "a-reads", "c-below", "d-medium"}; !slices.Equal(got, want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
}
