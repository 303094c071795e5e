package analysis

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// TestFoldFurther checks which of a weakness's further STRIDE threats fold
// into another threat of their category on the same elements, and that the
// questions and ranks follow.
func TestFoldFurther(t *testing.T) {
	api := model.Target{Component: &model.Component{ID: "api"}}
	db := model.Target{Component: &model.Component{ID: "db"}}
	flow := model.Target{Flow: &model.Flow{ID: "app-api"}}
	rules := []*rule.Rule{
		{ID: "idor", Category: model.ElevationOfPrivilege},
		{ID: "client-state", Category: model.Tampering},
		{ID: "deser", Category: model.Tampering},
		{ID: "ssrf", Category: model.InformationDisclosure},
		{ID: "deser-flow", Category: model.Tampering, On: rule.OnFlow, Receiver: true, Vector: model.VectorContent},
		{ID: "unauth-flow", Category: model.Spoofing, On: rule.OnFlow, Receiver: true},
	}
	into := model.Target{Flow: &model.Flow{ID: "app-api", To: api.Component}}
	const e = model.ElevationOfPrivilege
	find := func(id, r string, cat model.Category, st model.Status, tg ...model.Target) *model.Finding {
		return &model.Finding{ID: id, Rule: r, Category: cat, Status: st, Targets: tg}
	}
	un, op := model.StatusUnverified, model.StatusOpen
	for _, tc := range []struct {
		name string
		fs   []*model.Finding
		want []string
	}{
		{"a further threat after another rule's threat of its category on its element goes",
			[]*model.Finding{
				find("client-state:app-api", "client-state", model.Tampering, un, flow, api),
				find("idor:api", "idor", model.ElevationOfPrivilege, un, api),
				find("idor:api:tampering", "idor", model.Tampering, un, api),
			},
			[]string{"client-state:app-api", "idor:api"}},
		{"ranked before the other threat in its band, it goes too",
			[]*model.Finding{
				find("idor:api:tampering", "idor", model.Tampering, un, api),
				find("client-state:app-api", "client-state", model.Tampering, un, flow, api),
			},
			[]string{"client-state:app-api"}},
		{"ranked before the other threat in a higher band, it stays",
			[]*model.Finding{
				{ID: "idor:api:tampering", Rule: "idor", Category: model.Tampering, Status: un, Targets: []model.Target{api},
					Residual: model.Risk{Severity: model.SevHigh}},
				find("client-state:app-api", "client-state", model.Tampering, un, flow, api),
			},
			[]string{"idor:api:tampering", "client-state:app-api"}},
		{"two further threats on the same elements: the first stays",
			[]*model.Finding{
				find("idor:api:tampering", "idor", model.Tampering, un, api),
				find("ssrf:api:tampering", "ssrf", model.Tampering, un, api),
			},
			[]string{"idor:api:tampering"}},
		{"an element the other threat does not name keeps it",
			[]*model.Finding{
				find("idor:api", "idor", model.ElevationOfPrivilege, un, api),
				find("idor:app-api:tampering", "idor", model.Tampering, un, flow, api),
				find("deser:api", "deser", model.Tampering, un, api),
			},
			[]string{"idor:api", "idor:app-api:tampering", "deser:api"}},
		{"a stated gap never folds into an unknown",
			[]*model.Finding{
				find("client-state:app-api", "client-state", model.Tampering, un, flow, api),
				find("idor:api:tampering", "idor", model.Tampering, op, api),
			},
			[]string{"client-state:app-api", "idor:api:tampering"}},
		{"a rule's own threat never goes, and another category or element is no cover",
			[]*model.Finding{
				find("idor:db:tampering", "idor", model.Tampering, un, db),
				find("client-state:app-api", "client-state", model.Tampering, un, flow, api),
				find("deser:api", "deser", model.Tampering, un, api),
				find("idor:api:information_disclosure", "idor", model.InformationDisclosure, un, api),
			},
			[]string{"idor:db:tampering", "client-state:app-api", "deser:api", "idor:api:information_disclosure"}},
		{"a mitigated threat is no cover, and a decided one stays",
			[]*model.Finding{
				find("deser:api", "deser", model.Tampering, model.StatusMitigated, api),
				find("idor:api:tampering", "idor", model.Tampering, op, api),
				find("client-state:app-api", "client-state", model.Tampering, un, flow, api),
				{ID: "idor:db:tampering", Rule: "idor", Category: model.Tampering, Status: un, Targets: []model.Target{api},
					Decision: &model.Decision{Finding: "idor:db:tampering"}},
			},
			[]string{"deser:api", "idor:api:tampering", "client-state:app-api", "idor:db:tampering"}},
		{"the threat that stays takes the best place of those folded into it",
			[]*model.Finding{
				find("idor:api:tampering", "idor", model.Tampering, un, api),
				find("ssrf:api:tampering", "ssrf", model.Tampering, un, api, flow),
				find("client-state:app-api", "client-state", model.Tampering, un, flow, api),
			},
			[]string{"client-state:app-api"}},
		{"a receiver rule's further elevation on a flow folds into the receiver's elevation threat",
			[]*model.Finding{
				find("idor:api", "idor", e, un, api),
				find("deser-flow:app-api:elevation_of_privilege", "deser-flow", e, un, into, api),
			},
			[]string{"idor:api"}},
		{"ranked before it, it folds into the receiver's own threat, which takes its place",
			[]*model.Finding{
				find("deser-flow:app-api:elevation_of_privilege", "deser-flow", e, un, into, api),
				find("idor:api", "idor", e, un, api),
			},
			[]string{"idor:api"}},
		{"nor into another further threat ranked before it, which could fold on",
			[]*model.Finding{
				find("ssrf:api:elevation_of_privilege", "ssrf", e, un, api),
				find("deser-flow:app-api:elevation_of_privilege", "deser-flow", e, un, into, api),
			},
			[]string{"ssrf:api:elevation_of_privilege", "deser-flow:app-api:elevation_of_privilege"}},
		{"but not into another further threat ranked after it",
			[]*model.Finding{
				find("deser-flow:app-api:elevation_of_privilege", "deser-flow", e, un, into, api),
				find("ssrf:api:elevation_of_privilege", "ssrf", e, un, api, db),
			},
			[]string{"deser-flow:app-api:elevation_of_privilege", "ssrf:api:elevation_of_privilege"}},
		{"another category, a rule not about the receiver, or a network rule's elevation, needs a cover naming the flow",
			[]*model.Finding{
				find("ssrf:api", "ssrf", model.InformationDisclosure, un, api),
				find("deser-flow:app-api:information_disclosure", "deser-flow", model.InformationDisclosure, un, into, api),
				find("unauth-flow:app-api:elevation_of_privilege", "unauth-flow", e, un, into, api),
				find("client-state:app-api:elevation_of_privilege", "client-state", e, un, into, db),
				find("idor:api", "idor", e, un, api),
			},
			[]string{"ssrf:api", "deser-flow:app-api:information_disclosure", "unauth-flow:app-api:elevation_of_privilege",
				"client-state:app-api:elevation_of_privilege", "idor:api"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i, f := range tc.fs {
				f.Rank = i + 1
			}
			q := &model.Question{ID: "api.x", Threats: slices.Clone(tc.fs)}
			got, moves := foldFurther(slices.Clone(tc.fs), rules, nil, 1)
			dropFromQuestions([]*model.Question{q}, 1)
			for kept, gone := range moves {
				if gone.Rank != 0 || kept.Rank == 0 || gone != tc.fs[0] {
					t.Errorf("%s takes the place of %s, want of %s, the best-ranked", kept.ID, gone.ID, tc.fs[0].ID)
				}
			}
			var gotIDs, qIDs []string
			for i, f := range got {
				gotIDs = append(gotIDs, f.ID)
				if f.Rank != i+1 {
					t.Errorf("%s has rank %d at place %d", f.ID, f.Rank, i+1)
				}
			}
			for _, f := range q.Threats {
				qIDs = append(qIDs, f.ID)
			}
			if diff := cmp.Diff(tc.want, gotIDs); diff != "" {
				t.Errorf("threats (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, qIDs); diff != "" {
				t.Errorf("the question's threats (-want +got):\n%s", diff)
			}
		})
	}
}
