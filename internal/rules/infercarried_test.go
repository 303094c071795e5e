package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestInferCarriedRaises: a sql flow that states nothing it carries into a
// database that stores customer records carries them (model.InferCarried):
// stated unencrypted, its cleartext is open; unknown across a boundary,
// unverified and settled by the flow's encryption; into a database that
// states nothing it stores, nothing is at stake and nothing is raised.
func TestInferCarriedRaises(t *testing.T) {
	for _, tc := range []struct {
		file   string
		status model.Status
		want   []string
	}{
		{"open.yaml", model.StatusOpen, []string{"sensitive-data-in-cleartext:api-db"}},
		{"unverified.yaml", model.StatusUnverified, []string{"sensitive-data-in-cleartext:api-db"}},
		{"quiet.yaml", "", nil},
	} {
		fs, _ := run(t, filepath.Join("testdata", "infercarried", tc.file), rules.All())
		if got := ofRule(fs, "sensitive-data-in-cleartext", tc.status); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.file, got, tc.want)
		}
	}
}

// TestInferCarriedAsks: the unverified threat on a flow that carries what
// its database stores by Ward's reading is settled by what the flow
// carries too: one question, key carries, on the flow; the open threat
// (its gap stated) asks nothing of it.
func TestInferCarriedAsks(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"unverified.yaml", []string{"sensitive-data-in-cleartext:api-db"}},
		{"open.yaml", nil},
	} {
		_, qs := run(t, filepath.Join("testdata", "infercarried", tc.file), rules.All())
		var got []string
		n := 0
		for _, q := range qs {
			if q.Key != "carries" {
				continue
			}
			n++
			if q.Target.Flow == nil || q.Target.Flow.ID != "api-db" {
				t.Errorf("%s: carries question on %v", tc.file, q.Target)
			}
			for _, f := range q.Threats {
				got = append(got, f.ID)
			}
		}
		if !slices.Equal(got, tc.want) || n > 1 {
			t.Errorf("%s: %d carries questions settling %v, want %v", tc.file, n, got, tc.want)
		}
	}
}
