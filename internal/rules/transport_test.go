package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestCleartextTampering: an unencrypted hop raises tampering besides
// disclosure only where what it carries needs high integrity or more (card
// data, data stated integrity: high); personal data read on the way, or an
// internal cache entry, is a disclosure threat alone. Credentials in the
// clear are replayed (spoofing) wherever they travel, and add tampering only
// where what travels with them needs high integrity.
func TestCleartextTampering(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "sensitive-data-in-cleartext", "integrity.yaml"), rules.All())
	// The stated gaps inside one zone are one threat per category (the
	// transport family's merge): read each hop's categories off the targets.
	var got []string
	for _, f := range fs {
		switch f.Rule {
		case "credentials-in-cleartext", "sensitive-data-in-cleartext", "unencrypted-internal-flow":
		default:
			continue
		}
		if f.Status != model.StatusOpen {
			continue
		}
		for _, tg := range f.Targets {
			if tg.Flow != nil {
				got = append(got, tg.Flow.ID+" "+string(f.Category))
			}
		}
	}
	slices.Sort(got)
	want := []string{"book information_disclosure", "book tampering",
		"charge information_disclosure", "charge spoofing", "charge tampering",
		"login information_disclosure", "login spoofing",
		"pay information_disclosure", "pay tampering", "put information_disclosure", "read-profile information_disclosure"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestStoreHopInZoneAsks: a hop between the organisation's own zones whose
// encryption is unknown is asked about, not raised, when it goes to a data
// store inside one zone or uses a protocol with a TLS mode; a hop stated
// unencrypted, one over a protocol without a TLS mode and one into a
// partner's zone stay threats.
func TestStoreHopInZoneAsks(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "sensitive-data-in-cleartext", "store-hop.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule != "sensitive-data-in-cleartext" || f.Category != model.InformationDisclosure {
			continue
		}
		for _, tg := range f.Targets {
			if tg.Flow != nil {
				got = append(got, tg.Flow.ID+" "+string(f.Status))
			}
		}
	}
	slices.Sort(got)
	want := []string{"to-audit open", "to-lab unverified", "to-lis unverified"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	asked := asking(qs, "sensitive-data-in-cleartext")
	for _, q := range []string{"to-orders.encryption", "to-files.encryption", "to-ledger.encryption", "to-billing.encryption"} {
		if !slices.Contains(asked, q) {
			t.Errorf("questions %v, want %s among them", asked, q)
		}
	}
}

// TestPrivateCrossingCarriesSomething: between two of the organisation's
// own zones a flow is a transport threat only when it carries something
// non-public, and asked rather than raised over a protocol with a TLS mode;
// a crossing into a partner's zone is one either way.
func TestPrivateCrossingCarriesSomething(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "unencrypted-boundary-crossing", "private.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule != "unencrypted-boundary-crossing" || f.Category != model.InformationDisclosure {
			continue
		}
		for _, tg := range f.Targets {
			if tg.Flow != nil {
				got = append(got, tg.Flow.ID)
			}
		}
	}
	slices.Sort(got)
	if want := []string{"api-partner", "api-print"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if asked := asking(qs, "unencrypted-boundary-crossing"); !slices.Contains(asked, "api-reports.encryption") {
		t.Errorf("questions %v, want api-reports.encryption among them", asked)
	}
}

// TestProcessHopInZoneAsks: between two of our services inside one zone, a
// hop over a protocol with a TLS mode whose encryption is unknown is asked,
// not raised (as sensitive-data-in-cleartext asks); a protocol without a TLS
// mode and a stated gap stay threats (unencrypted-internal-flow/
// process-hop.yaml, noise21).
func TestProcessHopInZoneAsks(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "unencrypted-internal-flow", "process-hop.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule == "unencrypted-internal-flow" && f.Category == model.InformationDisclosure {
			got = append(got, f.ID+" "+string(f.Status))
		}
	}
	slices.Sort(got)
	want := []string{"unencrypted-internal-flow:to-audit open", "unencrypted-internal-flow:to-lab unverified"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if asked := asking(qs, "unencrypted-internal-flow"); !slices.Contains(asked, "to-sessions.encryption") {
		t.Errorf("questions %v, want to-sessions.encryption among them", asked)
	}
}

// TestCleartextProtocolTamperingWhereIntegrity: a legacy cleartext hop
// raises tampering only where what it carries needs high integrity, or
// where it names nothing it carries; spoofing and disclosure stay
// (cleartext-protocol/integrity.yaml, noise21).
func TestCleartextProtocolTamperingWhereIntegrity(t *testing.T) {
	fs, _ := run(t, filepath.Join("testdata", "cleartext-protocol", "integrity.yaml"), rules.All())
	var got []string
	for _, f := range fs {
		if f.Rule != "cleartext-protocol" {
			continue
		}
		for _, tg := range f.Targets {
			if tg.Flow != nil {
				got = append(got, tg.Flow.ID+" "+string(f.Category))
			}
		}
	}
	slices.Sort(got)
	want := []string{"ping information_disclosure", "ping spoofing", "ping tampering",
		"settle information_disclosure", "settle spoofing", "settle tampering",
		"views information_disclosure", "views spoofing"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
