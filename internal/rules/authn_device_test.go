package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestServiceToDeviceCommands: a process of ours sending a device of ours
// data it must trust (commands, an asset needing high integrity) without
// authentication is unauthenticated-service-to-service on the hop: open
// where none is stated, unverified and asked where nothing is; quiet over
// mutual TLS, for data the device need not trust, on a local hop and to a
// vendor's device.
func TestServiceToDeviceCommands(t *testing.T) {
	dir := filepath.Join("testdata", "unauthenticated-service-to-service")
	const id = "unauthenticated-service-to-service:commands-to-pump"
	fs, _ := run(t, filepath.Join(dir, "device-fires.yaml"), rules.All())
	if got := ofRule(fs, "unauthenticated-service-to-service", model.StatusOpen); !slices.Equal(got, []string{id}) {
		t.Errorf("device-fires.yaml: got %v, want [%s]", got, id)
	}
	fs, qs := run(t, filepath.Join(dir, "device-unverified.yaml"), rules.All())
	// Commands to the pump: the tampering copy stands beside the spoofing
	// while the method is unknown (sparse27).
	if got := ofRule(fs, "unauthenticated-service-to-service", model.StatusUnverified); !slices.Equal(got, []string{id, id + ":tampering"}) {
		t.Errorf("device-unverified.yaml: got %v, want [%s %s:tampering]", got, id, id)
	}
	if got := asking(qs, "unauthenticated-service-to-service"); len(got) == 0 {
		t.Errorf("device-unverified.yaml: no question asked")
	}
	fs, qs = run(t, filepath.Join(dir, "device-quiet.yaml"), rules.All())
	if got := ofRule(fs, "unauthenticated-service-to-service", ""); len(got) > 0 {
		t.Errorf("device-quiet.yaml: raised %v", got)
	}
	if got := asking(qs, "unauthenticated-service-to-service"); len(got) > 0 {
		t.Errorf("device-quiet.yaml: asked %v", got)
	}
}

// TestDeviceToDevice: a device of ours feeding another device of ours data
// it must trust without authentication is the same weakness: unverified
// where nothing is stated, open where none is; quiet with a signature,
// for low-integrity data and from a vendor's device.
func TestDeviceToDevice(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "unauthenticated-service-to-service", "device-to-device.yaml"), rules.All())
	// The readings are critical: the tampering copy stands beside the
	// spoofing while the method is unknown (sparse27).
	if got, want := ofRule(fs, "unauthenticated-service-to-service", model.StatusUnverified), []string{"unauthenticated-service-to-service:sensor-to-gateway", "unauthenticated-service-to-service:sensor-to-gateway:tampering"}; !slices.Equal(got, want) {
		t.Errorf("unverified %v, want %v", got, want)
	}
	if got, want := ofRule(fs, "unauthenticated-service-to-service", model.StatusOpen), []string{"unauthenticated-service-to-service:controller-to-rsu"}; !slices.Equal(got, want) {
		t.Errorf("open %v, want %v", got, want)
	}
}

// TestServiceToServiceNeedsUnstated: in a model that states no asset's
// sensitivity, a call between services of ours that sends, or reaches, an
// asset raises unverified-only threats (the need is unknown, not medium),
// even where the call states no authentication; a call with nothing sent
// or held is quiet, and a model that states one asset's sensitivity reads
// the others as the default.
func TestServiceToServiceNeedsUnstated(t *testing.T) {
	dir := filepath.Join("testdata", "unauthenticated-service-to-service")
	fs, qs := run(t, filepath.Join(dir, "needs-unstated.yaml"), rules.All())
	if got := ofRule(fs, "unauthenticated-service-to-service", model.StatusOpen); len(got) > 0 {
		t.Errorf("needs-unstated.yaml: open %v, want none", got)
	}
	want := []string{"unauthenticated-service-to-service:gap-call", "unauthenticated-service-to-service:report"}
	if got := ofRule(fs, "unauthenticated-service-to-service", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("needs-unstated.yaml: unverified %v, want %v", got, want)
	}
	if got := asking(qs, "unauthenticated-service-to-service"); len(got) == 0 {
		t.Errorf("needs-unstated.yaml: no question asked")
	}
	fs, _ = run(t, filepath.Join(dir, "needs-stated.yaml"), rules.All())
	if got := ofRule(fs, "unauthenticated-service-to-service", ""); len(got) > 0 {
		t.Errorf("needs-stated.yaml: raised %v, want none", got)
	}
}
