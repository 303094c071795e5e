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
