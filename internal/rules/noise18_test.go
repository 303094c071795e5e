package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestSessionsHeldForStaffAsked: insecure-session-management raises where
// sessions come from the internet, directly or through a relay, and asks
// where every session is held for staff inside; a stated gap is a threat
// either way.
func TestSessionsHeldForStaffAsked(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "noise18", "staff-sessions.yaml"), rules.All())
	if got, want := ofRule(fs, "insecure-session-management", ""), []string{"insecure-session-management:gateway", "insecure-session-management:ops-tool", "insecure-session-management:site"}; !slices.Equal(got, want) {
		t.Errorf("threats %v, want %v", got, want)
	}
	if got := ofRule(fs, "insecure-session-management", model.StatusOpen); !slices.Equal(got, []string{"insecure-session-management:ops-tool"}) {
		t.Errorf("open threats %v, want the stated gap only", got)
	}
	if got := asking(qs, "insecure-session-management"); !slices.Contains(got, "console.secure_sessions") {
		t.Errorf("questions %v, want console.secure_sessions", got)
	}
}

// TestPaymentIsNoProcessorHandoff: card data and money sent to the
// provider that executes the payment raise no sensitive-data-to-processor
// threat; personal data sent to an e-mail vendor still does, and so does a
// payment that carries health data (an insurance claim; recall20).
func TestPaymentIsNoProcessorHandoff(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise18", "payment-processor.yaml"), rules.All())
	if got, want := ofRule(fs, "sensitive-data-to-processor", ""), []string{"sensitive-data-to-processor:claims", "sensitive-data-to-processor:mail"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestSignInSecretsOnlyThroughDeliverers: sign-in material sent to a vendor
// named for messaging or drawn passing it on to a person is raised; sent to
// an identity provider that delivers nothing, it is not.
func TestSignInSecretsOnlyThroughDeliverers(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise18", "sign-in-vendors.yaml"), rules.All())
	want := []string{"sign-in-secrets-through-third-party:api-courier", "sign-in-secrets-through-third-party:api-sms"}
	if got := ofRule(fs, "sign-in-secrets-through-third-party", ""); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestTransportBetweenOutsidersQuiet: a hop an outside system sends to a
// person or another outside system raises no transport threat; our own hop
// to that system does.
func TestTransportBetweenOutsidersQuiet(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise18", "outsider-hops.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		for _, tg := range f.Targets {
			if tg.Flow != nil && f.Rule == "cleartext-protocol" && !slices.Contains(got, tg.Flow.ID) {
				got = append(got, tg.Flow.ID)
			}
		}
	}
	if want := []string{"notify-mail"}; !slices.Equal(got, want) {
		t.Errorf("cleartext-protocol on flows %v, want %v", got, want)
	}
}

// TestOIDCIsEncrypted: an OpenID Connect hop whose encryption is not stated
// raises no transport threat (the protocol requires TLS); an http hop does.
func TestOIDCIsEncrypted(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise18", "oidc.yaml"), rules.All())
	on := map[string]bool{}
	for _, f := range fs {
		if f.Rule != "cleartext-protocol" && f.Rule != "sensitive-data-in-cleartext" && f.Rule != "unencrypted-boundary-crossing" {
			continue
		}
		for _, tg := range f.Targets {
			if tg.Flow != nil {
				on[tg.Flow.ID] = true
			}
		}
	}
	if on["cms-idp"] || !on["cms-old-idp"] {
		t.Errorf("transport threats on %v, want cms-old-idp only", on)
	}
}

// TestSiteDevicesAsked: unattested-join raises for a device in the field
// and asks for one joining a service on its own site's network, unless the
// gap is stated; one joining a service at another site is raised
// (recall20).
func TestSiteDevicesAsked(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise18", "site-devices.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule != "unattested-join" {
			continue
		}
		for _, tg := range f.Targets {
			if tg.Flow != nil {
				got = append(got, tg.Flow.ID)
			}
		}
	}
	slices.Sort(got)
	if want := []string{"scanner-fleet", "scanner-sorter", "tracker-fleet"}; !slices.Equal(got, want) {
		t.Errorf("unattested-join on %v, want %v", got, want)
	}
}

// TestPersonToOutsideSystemQuiet: a person's hop to an outside system that
// carries nothing the model names raises no transport threat (the system's
// transport, nothing of ours on it); one carrying named data, and the
// person's hop to our own console, are raised (noise22).
func TestPersonToOutsideSystemQuiet(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "noise22", "person-to-vendor.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		switch f.Rule {
		case "cleartext-protocol", "credentials-in-cleartext", "sensitive-data-in-cleartext", "unencrypted-boundary-crossing", "unencrypted-internal-flow":
		default:
			continue
		}
		for _, tg := range f.Targets {
			if tg.Flow != nil && !slices.Contains(got, tg.Flow.ID) {
				got = append(got, tg.Flow.ID)
			}
		}
	}
	slices.Sort(got)
	if want := []string{"engineer-console", "patient-video"}; !slices.Equal(got, want) {
		t.Errorf("transport threats on flows %v, want %v", got, want)
	}
}
