package interop

import (
	"regexp"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/spec"
)

func TestEncodeRoundTrips(t *testing.T) {
	var ids IDs
	web := ids.Make("Web Server (prod)", "component")
	db := ids.Make("Web Server (prod)", "component")
	doc := &spec.Document{
		System:     &spec.System{ID: ids.Make("Demo: shop!", "system"), Name: "Demo: shop!", Description: "line one\nline two"},
		Assets:     []*spec.Asset{{ID: "cards", Classification: "restricted", Data: []string{"payment_card"}}},
		Boundaries: []*spec.Boundary{{ID: "internet", Trust: "internet"}},
		Components: []*spec.Component{
			{ID: web, Kind: "service", Boundary: "internet", Controls: map[string]string{"authenticates": "yes"}},
			{ID: db, Kind: "datastore", Stores: []string{"cards"}},
		},
		Flows:   []*spec.Flow{{From: web, To: db, Protocol: "sql", Port: 5432, Carries: []string{"cards"}}},
		Threats: []*spec.Threat{{ID: "t1", Title: "yes", Stride: []string{"I"}, Targets: []string{db}}},
	}
	out, err := Encode(doc, []string{"diagram layout dropped"}, "test.json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{"# Imported by ward from test.json.", "# - diagram layout dropped", "id: web-server-prod\n", "id: web-server-prod-2\n",
		"title: yes", "controls: {authenticates: yes}", "port: 5432"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "name: \"\"") || strings.Contains(s, "out_of_scope") {
		t.Errorf("zero values were written:\n%s", s)
	}
}

// FuzzValidID compares ValidID with the pattern it stands for.
func FuzzValidID(f *testing.F) {
	for _, s := range []string{"", "a", "a-b.c_d", "-a", ".", "A9", "é", "a b", "a\n", "9_"} {
		f.Add(s)
	}
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidID(s), re.MatchString(s); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzCleanID: an id cleanID passes is one Make's clean-up leaves as it is.
func FuzzCleanID(f *testing.F) {
	for _, s := range []string{"threat-12", "a", "-a", "a.", "_", "A", "a b", "ü", "a--b", "x.y_z-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if cleanID(s) && strings.Trim(nonID.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), "-"), "-._") != s {
			t.Fatalf("cleanID(%q) but the clean-up changes it", s)
		}
	})
}
