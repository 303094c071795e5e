package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestBuildArtifactsOnRemovableMedia: programs carried on a USB stick from
// a less trusted zone into a more trusted one raise build-artifact-tampering
// on the receiving station, unverified while signed artefacts are unstated,
// naming the USB flow (eng-station); a stated check (checked-station), a
// stick with no software on it (panel) and one that crosses no boundary
// (bench-pc) stay quiet.
func TestBuildArtifactsOnRemovableMedia(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "build-artifact-tampering", "removable-media.yaml"), rules.All())
	if got, want := ofRule(fs, "build-artifact-tampering", ""), []string{"build-artifact-tampering:eng-station"}; !slices.Equal(got, want) {
		t.Fatalf("removable-media.yaml: got %v, want %v", got, want)
	}
	if got := ofRule(fs, "build-artifact-tampering", model.StatusUnverified); len(got) != 1 {
		t.Errorf("removable-media.yaml: unverified %v, want eng-station unverified", got)
	}
	for _, f := range fs {
		if f.Rule != "build-artifact-tampering" {
			continue
		}
		named := false
		for _, tg := range f.Targets {
			named = named || tg.ID() == "usb-in"
		}
		if !named {
			t.Errorf("removable-media.yaml: %s does not name usb-in", f.ID)
		}
	}
}
