package rules_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestVendorDeviceFirmware: a vendor's device in scope that its vendor
// sends firmware raises build-artifact-tampering, naming the push (family23);
// one whose signed firmware is stated is mitigated, one out of scope is
// quiet.
func TestVendorDeviceFirmware(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "family23", "appliance-firmware.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule != "build-artifact-tampering" || f.Status == model.StatusMitigated {
			continue
		}
		if f.Targets[0].ID() == "communicator" && !slices.Contains(f.Targets, model.Target{Flow: flowOf(fs, "push")}) {
			t.Errorf("%s targets %v, want the push named", f.ID, f.Targets)
		}
		got = append(got, f.Targets[0].ID())
	}
	if !slices.Contains(got, "communicator") {
		t.Errorf("build-artifact-tampering on %v, want communicator", got)
	}
	for _, id := range []string{"signed-box", "panel"} {
		if slices.Contains(got, id) {
			t.Errorf("build-artifact-tampering on %v, want none on %s", got, id)
		}
	}
}

// TestApplianceRateLimits: receivers of ours in an internal zone that take
// traffic from the internet raise no-rate-limiting (open where limits are
// stated absent, unverified while unknown); one with limits stated is
// quiet, and a device at the site is not an appliance (family23).
func TestApplianceRateLimits(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "family23", "appliance-firmware.yaml"), rules.All())
	raised := ofRule(fs, "no-rate-limiting", "")
	if want := []string{"no-rate-limiting:receiver-a", "no-rate-limiting:receiver-b"}; !slices.Equal(raised, want) {
		t.Errorf("threats %v, want %v", raised, want)
	}
	if open := ofRule(fs, "no-rate-limiting", model.StatusOpen); !slices.Equal(open, []string{"no-rate-limiting:receiver-b"}) {
		t.Errorf("open threats %v, want receiver-b's", open)
	}
}

// flowOf returns the flow with id among the threats' targets.
func flowOf(fs []*model.Finding, id string) *model.Flow {
	for _, f := range fs {
		for _, t := range f.Targets {
			if t.Flow != nil && t.Flow.ID == id {
				return t.Flow
			}
		}
	}
	return nil
}

// TestRendererFetches: untrusted-file-parsing on a component stated to
// load pages or convert documents raises disclosure besides elevation and
// denial of service (what it fetches for the content comes back, family23);
// one running templates does not, and a sandboxed one is quiet.
func TestRendererFetches(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "family23", "renderers.yaml"), rules.All())
	got := ofRule(fs, "untrusted-file-parsing", "")
	want := []string{
		"untrusted-file-parsing:converter", "untrusted-file-parsing:converter:denial_of_service", "untrusted-file-parsing:converter:information_disclosure",
		"untrusted-file-parsing:renderer", "untrusted-file-parsing:renderer:denial_of_service",
		"untrusted-file-parsing:web-fetcher", "untrusted-file-parsing:web-fetcher:denial_of_service", "untrusted-file-parsing:web-fetcher:information_disclosure",
	}
	if !slices.Equal(got, want) {
		t.Errorf("threats %v, want %v", got, want)
	}
}

// TestBuilderKeepsSigningKey: signed artefacts stated on a builder that
// stores its signing key itself leave build-artifact-tampering unverified
// (whoever takes the builder signs what they like, family23); a builder
// that keeps no signing key stays settled by the signing stated.
func TestBuilderKeepsSigningKey(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "family23", "signing-key.yaml"), rules.All())
	got := ofRule(fs, "build-artifact-tampering", model.StatusUnverified)
	want := []string{"build-artifact-tampering:build-agent", "build-artifact-tampering:build-agent:elevation_of_privilege"}
	if !slices.Equal(got, want) {
		t.Errorf("unverified threats %v, want %v", got, want)
	}
	for _, id := range ofRule(fs, "build-artifact-tampering", "") {
		if strings.Contains(id, "ci-runner") {
			t.Errorf("%s raised, want ci-runner settled by its signing", id)
		}
	}
}
