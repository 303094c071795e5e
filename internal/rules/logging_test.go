package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestSecurityLoggingForChanges: an entry point that handles nothing
// confidential but changes what others rely on being right (integrity high
// or more, or money) must record who changed it: no-security-event-logging
// is raised, unverified while logging is unknown (changes.yaml); with only
// ordinary internal data it is not (changes-quiet.yaml). A process of ours
// that other components call and that changes such data raises it too
// (internal.yaml).
func TestSecurityLoggingForChanges(t *testing.T) {
	dir := filepath.Join("testdata", "no-security-event-logging")
	fs, qs := run(t, filepath.Join(dir, "changes.yaml"), rules.All())
	if got, want := ofRule(fs, "no-security-event-logging", model.StatusUnverified), []string{"no-security-event-logging:command-service"}; !slices.Equal(got, want) {
		t.Errorf("changes.yaml: got %v, want %v", got, want)
	}
	if got := asking(qs, "no-security-event-logging"); !slices.Contains(got, "command-service.logs_security_events") {
		t.Errorf("changes.yaml: questions %v, want command-service.logs_security_events", got)
	}
	fs, _ = run(t, filepath.Join(dir, "internal.yaml"), rules.All())
	if got, want := ofRule(fs, "no-security-event-logging", model.StatusUnverified), []string{"no-security-event-logging:rules-engine"}; !slices.Equal(got, want) {
		t.Errorf("internal.yaml: got %v, want %v", got, want)
	}
	fs, qs = run(t, filepath.Join(dir, "changes-quiet.yaml"), rules.All())
	if got := ofRule(fs, "no-security-event-logging", ""); len(got) > 0 {
		t.Errorf("changes-quiet.yaml: raised %v, want nothing", got)
	}
	if got := asking(qs, "no-security-event-logging"); len(got) > 0 {
		t.Errorf("changes-quiet.yaml: questions %v, want none", got)
	}
}

// TestSecurityLoggingForJobs: a job nobody calls that writes what others
// rely on being right and states it keeps no logs raises
// no-security-event-logging, open (scorer); unstated logging (ranker) or
// only ordinary data (exporter) stays quiet and asks nothing.
func TestSecurityLoggingForJobs(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "no-security-event-logging", "job.yaml"), rules.All())
	if got, want := ofRule(fs, "no-security-event-logging", ""), []string{"no-security-event-logging:scorer"}; !slices.Equal(got, want) {
		t.Errorf("job.yaml: got %v, want %v", got, want)
	}
	if got := ofRule(fs, "no-security-event-logging", model.StatusOpen); len(got) != 1 {
		t.Errorf("job.yaml: open %v, want scorer open", got)
	}
	if got := asking(qs, "no-security-event-logging"); len(got) > 0 {
		t.Errorf("job.yaml: questions %v, want none", got)
	}
}

// TestSecurityLoggingForGateways: a remote-access device that states it
// keeps no logs and forwards sessions from a less trusted place onto
// equipment holding what others rely on raises no-security-event-logging,
// open (vpn-router); unstated logging (lan-router) or only ordinary data
// (sensor-router) stays quiet and asks nothing of them.
func TestSecurityLoggingForGateways(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "no-security-event-logging", "gateway.yaml"), rules.All())
	if got, want := ofRule(fs, "no-security-event-logging", ""), []string{"no-security-event-logging:vpn-router"}; !slices.Equal(got, want) {
		t.Errorf("gateway.yaml: got %v, want %v", got, want)
	}
	if got := ofRule(fs, "no-security-event-logging", model.StatusOpen); len(got) != 1 {
		t.Errorf("gateway.yaml: open %v, want vpn-router open", got)
	}
	for _, q := range asking(qs, "no-security-event-logging") {
		if q == "lan-router.logs_security_events" || q == "sensor-router.logs_security_events" {
			t.Errorf("gateway.yaml: asks %s, want no question on the routers", q)
		}
	}
}
