package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestUntrustedReturns: data a call of ours gets back from a system we do
// not control, when others rely on it being right, is input like any
// message from there: untrusted-deserialization raises tampering only, on
// the call, its caller and the system answering, unverified while
// validation is unknown (returns.yaml); an answer of ordinary integrity
// raises nothing (returns-quiet.yaml).
func TestUntrustedReturns(t *testing.T) {
	dir := filepath.Join("testdata", "untrusted-deserialization")
	fs, qs := run(t, filepath.Join(dir, "returns.yaml"), rules.All())
	if got, want := ofRule(fs, "untrusted-deserialization", model.StatusUnverified), []string{"untrusted-deserialization:fx-pull"}; !slices.Equal(got, want) {
		t.Errorf("returns.yaml: got %v, want %v", got, want)
	}
	for _, f := range fs {
		if f.Rule != "untrusted-deserialization" {
			continue
		}
		var tg []string
		for _, x := range f.Targets {
			tg = append(tg, x.ID())
		}
		if want := []string{"fx-pull", "transfers", "fx-feed"}; !slices.Equal(tg, want) {
			t.Errorf("returns.yaml: targets %v, want %v", tg, want)
		}
	}
	if got := asking(qs, "untrusted-deserialization"); !slices.Contains(got, "transfers.validates_input") {
		t.Errorf("returns.yaml: questions %v, want transfers.validates_input", got)
	}
	fs, _ = run(t, filepath.Join(dir, "returns-quiet.yaml"), rules.All())
	if got := ofRule(fs, "untrusted-deserialization", ""); len(got) > 0 {
		t.Errorf("returns-quiet.yaml: raised %v, want nothing", got)
	}
}
