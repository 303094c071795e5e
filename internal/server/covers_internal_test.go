package server

import (
	"slices"
	"testing"
)

// TestMergedFrom: only a merged threat (one with aliases) gets covers.
func TestMergedFrom(t *testing.T) {
	res := []byte(`{"findings":[{"id":"r:db","origin":"builtin","aliases":["r:a-db","r:b-db"]},{"id":"q:x","origin":"builtin"}]}`)
	if got, _ := mergedFrom(res, "r:db"); !slices.Equal(got, []string{"r:a-db", "r:b-db"}) {
		t.Errorf("merged: %v", got)
	}
	if got, _ := mergedFrom(res, "q:x"); got != nil {
		t.Errorf("single: %v", got)
	}
	if got, _ := mergedFrom(nil, "q:x"); got != nil {
		t.Errorf("no result: %v", got)
	}
}
