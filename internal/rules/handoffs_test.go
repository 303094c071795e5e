package rules_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestWebhookSSRF: a component sending webhooks to URLs its customers
// register is asked about SSRF even though it takes no input from the
// internet; one sending mail to a vendor is not.
func TestWebhookSSRF(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "server-side-request-forgery", "webhooks.yaml"), rules.All())
	got := ofRule(fs, "server-side-request-forgery", model.StatusOpen)
	want := []string{"server-side-request-forgery:webhook-sender", "server-side-request-forgery:webhook-sender:elevation_of_privilege"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ofRule(fs, "unsigned-outbound-webhook", ""); !slices.Equal(got, []string{"unsigned-outbound-webhook:deliver"}) {
		t.Errorf("unsigned-outbound-webhook: got %v, want [unsigned-outbound-webhook:deliver]", got)
	}
}

// TestInternalServiceToken: a service token on an internal call is
// replayable when the receiver holds restricted data, not otherwise.
func TestInternalServiceToken(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "bearer-token-replay", "internal.yaml"), rules.All())
	if got := ofRule(fs, "bearer-token-replay", ""); !slices.Equal(got, []string{"bearer-token-replay:fetch"}) {
		t.Errorf("got %v, want [bearer-token-replay:fetch]", got)
	}
}

// TestServesOtherSystems: in a business-critical system, a service that
// other systems' processes call is a single point of failure for what it
// answers them; one only people use is not.
func TestServesOtherSystems(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "single-point-of-failure", "other-systems.yaml"), rules.All())
	if got := ofRule(fs, "single-point-of-failure", ""); !slices.Equal(got, []string{"single-point-of-failure:scoring"}) {
		t.Errorf("got %v, want [single-point-of-failure:scoring]", got)
	}
}

// TestNewThirdPartyNamesVendor: data a new vendor sends back on its
// callback is disclosed to that vendor, which the threat names.
func TestNewThirdPartyNamesVendor(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "sensitive-data-to-new-third-party", "callback.yaml"), rules.All())
	for _, f := range fs {
		if f.Rule != "sensitive-data-to-new-third-party" {
			continue
		}
		var got []string
		for _, tg := range f.Targets {
			got = append(got, tg.ID())
		}
		if want := []string{"kyc-callback", "kyc-vendor", "portal"}; !slices.Equal(got, want) {
			t.Errorf("targets %v, want %v", got, want)
		}
		return
	}
	t.Error("no sensitive-data-to-new-third-party threat")
}

// TestHostedPartOutage: in a business-critical system, a vendor-run
// service drawn inside the design that our processes call is a third
// party the system cannot work without; an outside API is not, unless
// money or alarms go through it.
func TestHostedPartOutage(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "third-party-outage-no-fallback", "hosted-part.yaml"), rules.All())
	if got := ofRule(fs, "third-party-outage-no-fallback", ""); !slices.Equal(got, []string{"third-party-outage-no-fallback:cms"}) {
		t.Errorf("got %v, want [third-party-outage-no-fallback:cms]", got)
	}
	// The same design at medium criticality raises nothing.
	m := filepath.Join(t.TempDir(), "medium.yaml")
	b, err := os.ReadFile(filepath.Join("testdata", "third-party-outage-no-fallback", "hosted-part.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m, bytes.Replace(b, []byte("criticality: high"), []byte("criticality: medium"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	fs, _ = run(t, m, rules.All())
	if got := ofRule(fs, "third-party-outage-no-fallback", ""); len(got) != 0 {
		t.Errorf("medium criticality: got %v, want none", got)
	}
}

// TestNewHostedPartOutage: a part of the system run by a vendor new to
// the organisation is asked about its outage whatever the system's
// criticality; a known vendor's part and a new vendor's outside API are not.
func TestNewHostedPartOutage(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "third-party-outage-no-fallback", "new-hosted-part.yaml"), rules.All())
	if got, want := ofRule(fs, "third-party-outage-no-fallback", model.StatusUnverified), []string{"third-party-outage-no-fallback:index"}; !slices.Equal(got, want) {
		t.Errorf("unverified %v, want %v", got, want)
	}
	if got := ofRule(fs, "third-party-outage-no-fallback", ""); len(got) != 1 {
		t.Errorf("got %v, want only the new vendor's index", got)
	}
}

// TestClientFetchedCode: a client of ours that runs what it fetches from
// storage or a CDN (updates, a tag) raises tampering, naming the fetch and
// the source, and no elevation; one reading public pages does not.
func TestClientFetchedCode(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "build-artifact-tampering", "client-fetch.yaml"), rules.All())
	got := ofRule(fs, "build-artifact-tampering", "")
	want := []string{"build-artifact-tampering:agent", "build-artifact-tampering:tag"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, f := range fs {
		if f.ID != "build-artifact-tampering:agent" {
			continue
		}
		var ids []string
		for _, tg := range f.Targets {
			ids = append(ids, tg.ID())
		}
		if !slices.Equal(ids, []string{"agent", "poll", "updates"}) {
			t.Errorf("targets %v, want [agent poll updates]", ids)
		}
	}
}

// TestArtefactProducer: a registry's tampering threat names the job of
// ours that writes the artefacts into it (recall19), not a builder that has
// its own threat.
func TestArtefactProducer(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "build-artifact-tampering", "producer.yaml"), rules.All())
	for _, f := range fs {
		if f.ID != "build-artifact-tampering:model-registry" {
			continue
		}
		var ids []string
		for _, tg := range f.Targets {
			ids = append(ids, tg.ID())
		}
		if want := []string{"model-registry", "train-push", "training-job", "release-push", "load"}; !slices.Equal(ids, want) {
			t.Errorf("targets %v, want %v", ids, want)
		}
		return
	}
	t.Errorf("no build-artifact-tampering:model-registry in %v", ofRule(fs, "build-artifact-tampering", ""))
}

// TestLoggingWithoutAssets: in a model that names no assets (an import),
// an entry point's security logging is asked; what it handles is unknown.
func TestLoggingWithoutAssets(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "no-security-event-logging", "no-assets.yaml"), rules.All())
	if got := ofRule(fs, "no-security-event-logging", model.StatusUnverified); !slices.Equal(got, []string{"no-security-event-logging:api"}) {
		t.Errorf("got %v, want [no-security-event-logging:api]", got)
	}
	// What is unknown is not written as an empty name: no title or
	// description of any rule reads "handles  for".
	for _, f := range fs {
		for _, s := range []string{f.Title, f.Description} {
			if strings.Contains(s, "  ") || strings.Contains(s, " ,") || strings.Contains(s, " ;") {
				t.Errorf("%s: gap in text %q", f.ID, s)
			}
		}
	}
}

// TestHandedOverFile: payment instructions handed to a bank can be changed
// and sent in our name (tampering, then spoofing); other records of high
// integrity handed over as a file can be changed (tampering only).
func TestHandedOverFile(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "payment-file-tampering", "fires.yaml"), rules.All())
	want := []string{"payment-file-tampering:batch-drop", "payment-file-tampering:batch-drop:spoofing", "payment-file-tampering:results-upload"}
	if got := ofRule(fs, "payment-file-tampering", model.StatusOpen); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestHandedOverPush: a one-way push of critical-integrity records on an
// API protocol to an outside system is a hand-over (recall19); high
// integrity on an API protocol, and a log sink, are not.
func TestHandedOverPush(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "payment-file-tampering", "push.yaml"), rules.All())
	if got, want := ofRule(fs, "payment-file-tampering", ""), []string{"payment-file-tampering:books-push"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestCredentialSource: a store or service that other components get
// their credentials from is a single point of failure for them (session
// 15); one a person reads a credential from, or one stated redundant, is
// not, and a store of ours that answers data only is not either.
func TestCredentialSource(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "single-point-of-failure", "credentials.yaml"), rules.All())
	if got := ofRule(fs, "single-point-of-failure", ""); !slices.Equal(got, []string{"single-point-of-failure:secrets"}) {
		t.Errorf("got %v, want [single-point-of-failure:secrets]", got)
	}
	fs, _ = run(t, filepath.Join("testdata", "single-point-of-failure", "credentials-quiet.yaml"), rules.All())
	if got := ofRule(fs, "single-point-of-failure", ""); len(got) != 0 {
		t.Errorf("redundant store: got %v, want none", got)
	}
}

// TestDeviceSinglePoint: a device of ours that a service of critical
// availability runs through is its single point of failure (recall19); one
// carrying data of high availability is not.
func TestDeviceSinglePoint(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "single-point-of-failure", "device.yaml"), rules.All())
	if got := ofRule(fs, "single-point-of-failure", ""); !slices.Equal(got, []string{"single-point-of-failure:gateway"}) {
		t.Errorf("got %v, want [single-point-of-failure:gateway]", got)
	}
}

// TestBearerTokenClient: a replayable token sent by a client of ours names
// the client too, where the live session sits on people's devices (session
// 15); a partner's system is not named.
func TestBearerTokenClient(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "bearer-token-replay", "client.yaml"), rules.All())
	got := map[string][]string{}
	for _, f := range fs {
		if f.Rule != "bearer-token-replay" {
			continue
		}
		for _, tg := range f.Targets {
			got[f.ID] = append(got[f.ID], tg.ID())
		}
	}
	want := map[string][]string{
		"bearer-token-replay:app-api":     {"app-api", "api", "app"},
		"bearer-token-replay:partner-api": {"partner-api", "api"},
	}
	for id, w := range want {
		g := slices.Clone(got[id])
		slices.Sort(g)
		w = slices.Clone(w)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Errorf("%s: targets %v, want %v", id, got[id], want[id])
		}
	}
}

// TestSinglePointOfFailureAlerting: a process whose name says it raises
// alerts or alarms and that sends them out of the system (a push service,
// a person) is the only path for them (family27): alert-service and the
// alarm notifier raise single-point-of-failure; alert rules that feed an
// internal service, a redundant pager and a worker that raises no alerts
// do not. A notification hub that sends out an asset named alerts raises
// it too (family27b); one sending other data does not.
func TestSinglePointOfFailureAlerting(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "single-point-of-failure", "alerting.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule == "single-point-of-failure" && f.Active() {
			for _, tg := range f.Targets {
				got = append(got, tg.ID())
			}
		}
	}
	slices.Sort(got)
	if want := []string{"alert-service", "hub", "notifier"}; !slices.Equal(got, want) {
		t.Errorf("alerting.yaml: single-point-of-failure on %v, want %v", got, want)
	}
}
