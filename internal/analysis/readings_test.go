package analysis_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestFoldReadings: a rule marked OneLine (an administrator's sign-in
// without a second factor: the account taken over, and its rights with it)
// lists its readings on one element as one threat, the better-ranked,
// carrying both categories and asking the question once; a decision on
// one reading keeps them apart.
func TestFoldReadings(t *testing.T) {
	src := `ward: 1
system: {id: s, name: S}
assets:
  - {id: settings, kind: data, classification: internal}
boundaries:
  - {id: internet, trust: internet}
  - {id: office, trust: internal}
components:
  - {id: admin, kind: person, boundary: internet}
  - id: console
    kind: service
    boundary: office
    admin: true
    processes: [settings]
    controls: {authenticates: yes, logs_security_events: yes, encodes_output: yes, generic_errors: yes, pins_dependencies: yes, validates_input: yes, rate_limits: yes, timeouts: yes}
flows:
  - {from: admin, to: console, protocol: https, authentication: password}
`
	const own, elev = "admin-without-mfa:console", "admin-without-mfa:console:elevation_of_privilege"
	for _, gap := range []string{"", "mfa_for_admins: no, "} {
		a := analyse(t, strings.Replace(src, "controls: {", "controls: {"+gap, 1))
		if find(a, elev) != nil {
			t.Errorf("%q: %s listed beside %s: %v", gap, elev, own, ids(a))
		}
		k := find(a, own)
		if k == nil {
			t.Fatalf("%q: no %s: %v", gap, own, ids(a))
		}
		if !slices.Equal(k.Categories, []model.Category{model.Spoofing, model.ElevationOfPrivilege}) {
			t.Errorf("%q: %s categories %v, want spoofing and elevation", gap, own, k.Categories)
		}
		if !slices.Equal(k.Questions, []string{"console.mfa_for_admins"}) && gap == "" {
			t.Errorf("%s questions %v", own, k.Questions)
		}
		if len(k.Folded) != 1 || k.Folded[0].ID != elev {
			t.Errorf("%q: %s folded %v, want %s", gap, own, k.Folded, elev)
		}
	}
	// A decision on the elevation reading alone keeps both listed.
	decidedApart(t, src, elev, own)
}
