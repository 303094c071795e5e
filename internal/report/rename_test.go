package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestRenameFilesOnce checks that RenameFiles renames every location once,
// though Build shares a location among the findings, targets and questions
// at one position: the result is the same as renaming a copy decoded from
// JSON, whose locations are all distinct.
func TestRenameFilesOnce(t *testing.T) {
	for name, r := range streamCases(t) {
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var distinct Result
		if err := json.Unmarshal(data, &distinct); err != nil {
			t.Fatal(err)
		}
		rename := func(s string) string { return "renamed/" + s } // not idempotent
		r.RenameFiles(rename)
		distinct.RenameFiles(rename)
		got, _ := json.Marshal(r)
		want, _ := json.Marshal(&distinct)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: renamed result differs from the renamed copy\n%s", name, firstDiff(string(want), string(got)))
		}
		if bytes.Contains(got, []byte("renamed/renamed/")) {
			t.Errorf("%s: a location was renamed twice", name)
		}
		if !strings.Contains(string(got), `"renamed/`) && len(r.Findings) > 0 {
			t.Errorf("%s: nothing was renamed", name)
		}
	}
}

// TestBuildSharesRisks checks that Build makes one Risk per distinct value
// (the findings share them) and that each is still the finding's own
// value: the result decoded from JSON, whose risks are distinct, says the
// same.
func TestBuildSharesRisks(t *testing.T) {
	r := synthesised(t)
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var distinct Result
	if err := json.Unmarshal(data, &distinct); err != nil {
		t.Fatal(err)
	}
	byValue := map[Risk]*Risk{}
	for i := range r.Findings {
		f, d := &r.Findings[i], &distinct.Findings[i]
		for j, p := range []*Risk{f.Inherent, f.Residual, f.Projected} {
			if p == nil {
				t.Fatalf("%s: risk %d is nil", f.ID, j)
			}
			if q := byValue[*p]; q != nil && q != p {
				t.Fatalf("%s: risk %+v is not shared", f.ID, *p)
			}
			byValue[*p] = p
		}
		if *f.Inherent != *d.Inherent || *f.Residual != *d.Residual || *f.Projected != *d.Projected {
			t.Fatalf("%s: risks differ from the decoded copy", f.ID)
		}
	}
	if len(r.Findings) < 100 || len(byValue) > len(r.Findings)/10 {
		t.Errorf("%d distinct risks for %d findings", len(byValue), len(r.Findings))
	}
}
