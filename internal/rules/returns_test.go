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

// TestUntrustedFetchUnstated: in a model that states no flow's returns and
// no asset's sensitivity, a call that a job of ours (not an entry point)
// makes to a system we do not control, sending it nothing, raises the
// tampering of its answer unverified, asked through the caller's
// validates_input, even where the gap is stated; a call an entry point
// makes, one that sends data, and one to a service of ours do not; a model
// that states returns anywhere reads the others as stated.
func TestUntrustedFetchUnstated(t *testing.T) {
	dir := filepath.Join("testdata", "untrusted-deserialization")
	fs, qs := run(t, filepath.Join(dir, "fetch-unstated.yaml"), rules.All())
	if got := ofRule(fs, "untrusted-deserialization", model.StatusOpen); len(got) > 0 {
		t.Errorf("fetch-unstated.yaml: open %v, want none", got)
	}
	want := []string{"untrusted-deserialization:gap-to-tides", "untrusted-deserialization:planner-to-weather"}
	if got := ofRule(fs, "untrusted-deserialization", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("fetch-unstated.yaml: unverified %v, want %v", got, want)
	}
	if got := asking(qs, "untrusted-deserialization"); !slices.Contains(got, "planner.validates_input") {
		t.Errorf("fetch-unstated.yaml: questions %v, want planner.validates_input", got)
	}
	fs, _ = run(t, filepath.Join(dir, "fetch-stated.yaml"), rules.All())
	if got := ofRule(fs, "untrusted-deserialization", ""); len(got) > 0 {
		t.Errorf("fetch-stated.yaml: raised %v, want nothing", got)
	}
}
