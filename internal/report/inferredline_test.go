package report

import "testing"

func TestInferredLine(t *testing.T) {
	for _, tc := range []struct {
		n    InferredCount
		want string
	}{
		{InferredCount{ComponentKinds: 1, AssetData: 2},
			"Inferred: 1 component kind and 2 assets' data read from their names, not stated — state them in the model to be sure (ward help inference)."},
		{InferredCount{ComponentKinds: 2, ComponentFlags: 1},
			"Inferred: 2 component kinds and 1 admin or paid flag read from their names and flows, not stated — state them in the model to be sure (ward help inference)."},
		{InferredCount{AssetData: 1, AssetClasses: 3},
			"Inferred: 1 asset's data read from their names; 3 assets taken as confidential for want of a stated sensitivity, not stated — state them in the model to be sure (ward help inference)."},
		{InferredCount{AssetClasses: 1},
			"Inferred: 1 asset taken as confidential for want of a stated sensitivity, not stated — state them in the model to be sure (ward help inference)."},
	} {
		if got := InferredLine(&tc.n); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
		if tc.n.Total() == 0 {
			t.Error("total 0")
		}
	}
}
