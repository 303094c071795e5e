package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestOutsideSecondApproval: staff of ours who release money in a system
// outside ours (a bank's portal) raise staff-action-without-second-approval
// on that system (unverified while its dual_approval is unknown, not raised
// where stated) and payment-file-tampering on their flow; a flow carrying
// no money raises neither (sparse27).
func TestOutsideSecondApproval(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "sparse27", "outside-approval.yaml"), rules.All())
	const sa = "staff-action-without-second-approval"
	if got, want := ofRule(fs, sa, model.StatusUnverified), []string{sa + ":bank-portal"}; !slices.Equal(got, want) {
		t.Errorf("%s unverified %v, want %v", sa, got, want)
	}
	if got := ofRule(fs, sa, model.StatusOpen); len(got) > 0 {
		t.Errorf("%s open %v, want none (second-bank states dual approval)", sa, got)
	}
	if got := asking(qs, sa); !slices.Contains(got, "bank-portal.dual_approval") {
		t.Errorf("%s asks %v, want bank-portal.dual_approval", sa, got)
	}
	const pf = "payment-file-tampering"
	want := []string{pf + ":clerk-to-bank-portal", pf + ":treasurer-to-second-bank"}
	if got := ofRule(fs, pf, model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("%s unverified %v, want %v", pf, got, want)
	}
	for _, f := range fs {
		for _, tg := range f.Targets {
			if (f.Rule == sa || f.Rule == pf) && (tg.ID() == "registry" || tg.ID() == "clerk-to-registry") {
				t.Errorf("%s raised on %s, which gets no money", f.ID, tg.ID())
			}
		}
	}
}

// TestBackupsStatedNeedsUnstated: a store stated without backups in a model
// that states no asset's sensitivity raises store-without-backups
// unverified, asking the asset's needs; a store whose backups are unknown
// stays quiet, and so does the stated gap where the asset's needs are
// stated medium (sparse27).
func TestBackupsStatedNeedsUnstated(t *testing.T) {
	const id = "store-without-backups"
	fs, qs := run(t, filepath.Join("testdata", "sparse27", "backups-stated.yaml"), rules.All())
	if got, want := ofRule(fs, id, ""), []string{id + ":volumes-db"}; !slices.Equal(got, want) {
		t.Errorf("threats %v, want %v", got, want)
	}
	if got := ofRule(fs, id, model.StatusUnverified); len(got) != 1 {
		t.Errorf("unverified %v, want the one threat", got)
	}
	if got := asking(qs, id); !slices.Contains(got, "volumes.needs") {
		t.Errorf("questions %v lack volumes.needs", got)
	}
	fs, _ = run(t, filepath.Join("testdata", "sparse27", "backups-stated-needs.yaml"), rules.All())
	if got := ofRule(fs, id, ""); len(got) > 0 {
		t.Errorf("with needs stated: %v, want none", got)
	}
}

// TestStaffChangesNeedsUnstated: staff changing records through a portal
// in a model that states no asset's sensitivity raise
// staff-changes-not-attributable unverified, asking the records' needs;
// with the need stated medium the portal is quiet (sparse27).
func TestStaffChangesNeedsUnstated(t *testing.T) {
	const id = "staff-changes-not-attributable"
	fs, qs := run(t, filepath.Join("testdata", "sparse27", "staff-changes-unstated.yaml"), rules.All())
	if got, want := ofRule(fs, id, model.StatusUnverified), []string{id + ":portal"}; !slices.Equal(got, want) {
		t.Errorf("unverified %v, want %v", got, want)
	}
	if got := asking(qs, id); !slices.Contains(got, "checkins.needs") {
		t.Errorf("questions %v lack checkins.needs", got)
	}
	fs, _ = run(t, filepath.Join("testdata", "sparse27", "staff-changes-stated.yaml"), rules.All())
	if got := ofRule(fs, id, ""); len(got) > 0 {
		t.Errorf("with the need stated: %v, want none", got)
	}
}

// TestLogWorkspaceService: a log sink drawn as a service that sends
// nothing on is a log store (log-store-tampering); a log forwarder that
// passes logs on is not (sparse27).
func TestLogWorkspaceService(t *testing.T) {
	const id = "log-store-tampering"
	fs, _ := run(t, filepath.Join("testdata", "sparse27", "log-workspace.yaml"), rules.All())
	if got, want := ofRule(fs, id, ""), []string{id + ":log-analytics"}; !slices.Equal(got, want) {
		t.Errorf("threats %v, want %v", got, want)
	}
}

// TestNewThirdPartyReturns: what a new vendor returns to a call of ours is
// ours held there; the call raises sensitive-data-to-new-third-party
// (sparse27). A vendor not new is quiet.
func TestNewThirdPartyReturns(t *testing.T) {
	const id = "sensitive-data-to-new-third-party"
	fs, _ := run(t, filepath.Join("testdata", id, "returns.yaml"), rules.All())
	if got, want := ofRule(fs, id, model.StatusOpen), []string{id + ":fetch-readings"}; !slices.Equal(got, want) {
		t.Errorf("open %v, want %v", got, want)
	}
	if got := ofRule(fs, id, ""); len(got) != 1 {
		t.Errorf("threats %v, want one", got)
	}
}

// TestRateLimitsStatedBehind: a component stated without rate limits that
// a component taking internet traffic calls is raised open; one whose
// rate limits are unknown behind the same front door is not (sparse27).
func TestRateLimitsStatedBehind(t *testing.T) {
	const id = "no-rate-limiting"
	fs, _ := run(t, filepath.Join("testdata", "sparse27", "rate-behind.yaml"), rules.All())
	if got, want := ofRule(fs, id, model.StatusOpen), []string{id + ":portal"}; !slices.Equal(got, want) {
		t.Errorf("open %v, want %v", got, want)
	}
	for _, f := range fs {
		if f.Rule == id && f.Targets[0].ID() == "api" {
			t.Errorf("raised on api: %s", f.ID)
		}
	}
}

// TestJobStatedOverprivileged: a job stated without least privilege that
// reaches stores of sensitive data raises integration-credentials-overreach
// open though no credential is named; a job whose least privilege is
// unknown is not raised on that reading (sparse27).
func TestJobStatedOverprivileged(t *testing.T) {
	const id = "integration-credentials-overreach"
	fs, _ := run(t, filepath.Join("testdata", "sparse27", "job-overprivileged.yaml"), rules.All())
	if got, want := ofRule(fs, id, ""), []string{id + ":sync-job"}; !slices.Equal(got, want) {
		t.Errorf("threats %v, want %v", got, want)
	}
	if got := ofRule(fs, id, model.StatusOpen); len(got) != 1 {
		t.Errorf("open %v, want the one threat", got)
	}
}

// TestBrokerSubscribersReturn: an MQTT broker drawn as a service whose
// subscribers call it for what it returns is a broker; a device that
// publishes there and takes high-integrity messages back raises the
// elevation copy of queue-topics-not-scoped (sparse27).
func TestBrokerSubscribersReturn(t *testing.T) {
	const id = "queue-topics-not-scoped"
	fs, _ := run(t, filepath.Join("testdata", id, "subscribe-returns.yaml"), rules.All())
	want := []string{id + ":broker", id + ":broker:elevation_of_privilege"}
	if got := ofRule(fs, id, model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("unverified %v, want %v", got, want)
	}
}

// TestAccessReviewedStated: a component that is not a store, stated
// without access reviews, raises admin-access-not-reviewed open whether or
// not it is administrative, an outside identity service included; a store
// and a component whose reviews are unknown do not (sparse27).
func TestAccessReviewedStated(t *testing.T) {
	const id = "admin-access-not-reviewed"
	fs, _ := run(t, filepath.Join("testdata", "sparse27", "access-reviewed-stated.yaml"), rules.All())
	want := []string{id + ":identity-center", id + ":portal"}
	got := ofRule(fs, id, "")
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("threats %v, want %v", got, want)
	}
}

// TestOutsideCallStated: a call of ours to an outside system that carries
// money (or gets credentials back) with its method stated raises
// unauthenticated-service-to-service: open where the method is none, not
// raised where it is mutual TLS (mitigated); a call whose method is
// unknown, or that carries nothing of value, is not raised on that
// reading (sparse27).
func TestOutsideCallStated(t *testing.T) {
	const id = "unauthenticated-service-to-service"
	fs, _ := run(t, filepath.Join("testdata", "sparse27", "outside-call-stated.yaml"), rules.All())
	if got, want := ofRule(fs, id, model.StatusOpen), []string{id + ":legacy-charge"}; !slices.Equal(got, want) {
		t.Errorf("open %v, want %v", got, want)
	}
	if got := ofRule(fs, id, model.StatusUnverified); len(got) > 0 {
		t.Errorf("unverified %v, want none", got)
	}
}

// TestServiceToServiceTampering: an unauthenticated call between services
// of ours that carries records of high integrity raises the tampering copy
// beside the spoofing while its method is unknown; a call of medium
// integrity, and a call stated unauthenticated, raise the spoofing alone
// (sparse27).
func TestServiceToServiceTampering(t *testing.T) {
	const id = "unauthenticated-service-to-service"
	fs, _ := run(t, filepath.Join("testdata", id, "tampering.yaml"), rules.All())
	want := []string{id + ":clearing-return", id + ":clearing-return:tampering", id + ":note-push"}
	got := ofRule(fs, id, model.StatusUnverified)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("unverified %v, want %v", got, want)
	}
	if got, want := ofRule(fs, id, model.StatusOpen), []string{id + ":legacy-return"}; !slices.Equal(got, want) {
		t.Errorf("open %v, want %v", got, want)
	}
}
