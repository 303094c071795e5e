package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestOneSpoofingThreatPerStaticKey: a component whose only secrets are
// static keys for other organisations gets unmanaged-secrets' disclosure
// threat, and the keys' replay once, as long-lived-credentials on the flows;
// a key for a system of ours keeps the holder's spoofing threat.
func TestOneSpoofingThreatPerStaticKey(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "unmanaged-secrets", "vendor-keys.yaml"), rules.All())
	got := ofRule(fs, "unmanaged-secrets", model.StatusOpen)
	want := []string{"unmanaged-secrets:exporter", "unmanaged-secrets:exporter:spoofing", "unmanaged-secrets:mailer"}
	if !slices.Equal(got, want) {
		t.Errorf("unmanaged-secrets: got %v, want %v", got, want)
	}
	// Both vendor flows go into one zone: one threat (the rule is zone-wide).
	n := 0
	for _, f := range fs {
		if f.Rule == "long-lived-credentials" && f.Status == model.StatusOpen {
			for _, t := range f.Targets {
				if t.Flow != nil {
					n++
				}
			}
		}
	}
	if got := ofRule(fs, "long-lived-credentials", model.StatusOpen); len(got) != 1 || n != 2 {
		t.Errorf("long-lived-credentials: got %v on %d flows, want one threat on both vendor flows", got, n)
	}
}

// TestCallbackTamperingOnce: an unsigned callback that changes high-integrity
// state has one tampering threat, third-party-callback-replay's; one whose
// replays are refused keeps the unsigned callback's own (forged content);
// one that carries nothing of high integrity has none (noise23).
func TestCallbackTamperingOnce(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "unverified-third-party-callback", "replay.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Category == model.Tampering && f.Status == model.StatusOpen {
			got = append(got, f.ID)
		}
	}
	slices.Sort(got)
	want := []string{"third-party-callback-replay:psp-webhook", "unverified-third-party-callback:bank-callback:tampering"}
	if !slices.Equal(got, want) {
		t.Errorf("tampering threats %v, want %v", got, want)
	}
}

// TestCredentialRecordsNoSpoofing: a hop carrying a store's credential
// records, with no secret of its own, is a disclosure threat and not a
// spoofing one; a hop that logs in with a password keeps its spoofing
// threat. Records on a hop between two private zones whose encryption is
// unknown are asked, not raised (session 18).
func TestCredentialRecordsNoSpoofing(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "credentials-in-cleartext", "records.yaml"), rules.All())
	got := ofRule(fs, "credentials-in-cleartext", "")
	want := []string{"credentials-in-cleartext:accounts", "credentials-in-cleartext:ledger-login", "credentials-in-cleartext:ledger-login:spoofing"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ofRule(fs, "credentials-in-cleartext", model.StatusOpen); !slices.Equal(got, []string{"credentials-in-cleartext:accounts"}) {
		t.Errorf("open %v, want the stated gap on accounts", got)
	}
	for _, f := range fs {
		for _, tg := range f.Targets {
			if f.Rule == "credentials-in-cleartext" && tg.Flow != nil && tg.Flow.ID == "sessions" {
				t.Errorf("%s names the token records' hop, want it asked", f.ID)
			}
		}
	}
	if got := asking(qs, "credentials-in-cleartext"); !slices.Contains(got, "sessions.encryption") {
		t.Errorf("questions %v, want sessions.encryption among them", got)
	}
}

// TestPartnerPush: a partner's system pushing records others rely on over a
// channel authenticated as the system (mutual TLS) or signed by it is asked
// whether each record's signature is verified: spoofing only, no tampering;
// pushes over an API key or of low-integrity data are not this rule's. The
// two pushes into one gateway merge into the gateway's threat.
func TestPartnerPush(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "unverified-third-party-callback", "push.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule != "unverified-third-party-callback" {
			continue
		}
		if f.Category != model.Spoofing || f.Status != model.StatusUnverified {
			t.Errorf("%s: %s %s, want unverified spoofing", f.ID, f.Category, f.Status)
		}
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
	}
	slices.Sort(got)
	if want := []string{"as2-push", "ehr-push", "gateway"}; !slices.Equal(got, want) {
		t.Errorf("targets %v, want %v", got, want)
	}
	if got := asking(qs, "unverified-third-party-callback"); !slices.Equal(got, []string{"as2-push.verifies_signatures", "ehr-push.verifies_signatures"}) {
		t.Errorf("questions %v", got)
	}
}

// TestLogsShipped: a flow into a log sink that names nothing, or one that
// carries a process's logs (an asset named so) to a store, carries what the
// sender handles unless it redacts its logs; a sender handling nothing
// sensitive raises nothing.
func TestLogsShipped(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "sensitive-data-to-log-sink", "shipped.yaml"), rules.All())
	got := ofRule(fs, "sensitive-data-to-log-sink", model.StatusUnverified)
	if want := []string{"sensitive-data-to-log-sink:payroll-logs", "sensitive-data-to-log-sink:runner-db"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestNewVendorNamedAndKeys: a vendor named in new_third_parties as part of
// a longer phrase ("hosted LLM vendor" for "Hosted LLM") is new; secrets a
// new vendor is drawn keeping are shared with it, a key it merely receives
// is not.
func TestNewVendorNamedAndKeys(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "sensitive-data-to-new-third-party", "named.yaml"), rules.All())
	got := ofRule(fs, "sensitive-data-to-new-third-party", "")
	if want := []string{"sensitive-data-to-new-third-party:prompt", "sensitive-data-to-new-third-party:provision"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestCallbackReplayNeedsUnstated: in a model that states no asset's
// sensitivity, a third party's callback that carries or reaches an asset
// raises third-party-callback-replay unverified (the integrity need is
// unknown, not low), asking the asset's need, even where the gap is
// stated; a callback that carries and reaches nothing raises nothing; a
// model that states one asset's sensitivity raises nothing either.
func TestCallbackReplayNeedsUnstated(t *testing.T) {
	dir := filepath.Join("testdata", "third-party-callback-replay")
	fs, qs := run(t, filepath.Join(dir, "needs-unstated.yaml"), rules.All())
	if got := ofRule(fs, "third-party-callback-replay", model.StatusOpen); len(got) > 0 {
		t.Errorf("needs-unstated.yaml: open %v, want none", got)
	}
	want := []string{"third-party-callback-replay:gap-webhook", "third-party-callback-replay:ivr-webhook", "third-party-callback-replay:transport-webhook"}
	if got := ofRule(fs, "third-party-callback-replay", model.StatusUnverified); !slices.Equal(got, want) {
		t.Errorf("needs-unstated.yaml: unverified %v, want %v", got, want)
	}
	if got := asking(qs, "third-party-callback-replay"); !slices.Contains(got, "visits.needs") || !slices.Contains(got, "pickups.needs") {
		t.Errorf("needs-unstated.yaml: questions %v, want visits.needs and pickups.needs", got)
	}
	fs, _ = run(t, filepath.Join(dir, "needs-stated.yaml"), rules.All())
	if got := ofRule(fs, "third-party-callback-replay", ""); len(got) > 0 {
		t.Errorf("needs-stated.yaml: raised %v, want none", got)
	}
}
