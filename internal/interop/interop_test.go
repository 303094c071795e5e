package interop

import (
	"errors"
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

func TestRunLimit(t *testing.T) {
	calls := 0
	imp := Importer{Name: "x", Import: func(string, []byte) (*Imported, error) { calls++; return &Imported{}, nil }}
	data := make([]byte, 100)
	if _, err := imp.Run(Options{MaxBytes: 99}, "f.json", data); !errors.Is(err, ErrTooLarge) ||
		err.Error() != "f.json: the file is 100 bytes, over the 99 bytes limit" || calls != 0 {
		t.Errorf("over the limit: %v (%d calls)", err, calls)
	}
	if _, err := imp.Run(Options{MaxBytes: 100}, "f.json", data); err != nil || calls != 1 {
		t.Errorf("at the limit: %v (%d calls)", err, calls)
	}
	if got := (Options{}).Limit(); got != MaxInputBytes {
		t.Errorf("default limit %d, want %d", got, MaxInputBytes)
	}
	big := Options{Hint: func(n int64) string { return "pass --max-input " + FormatSize(n) }}
	if err := big.TooLarge("big.tc.json", 160_000_000); err.Error() != "big.tc.json: the file is 153 MiB, over the 64 MiB limit — pass --max-input 153 MiB" {
		t.Errorf("TooLarge: %v", err)
	}
}

func TestSizes(t *testing.T) {
	for s, want := range map[string]int64{"1GiB": 1 << 30, "256 MiB": 256 << 20, "512KiB": 512 << 10, "100MB": 100e6, "2GB": 2e9, "4096": 4096, "10B": 10} {
		if n, err := ParseSize(s); err != nil || n != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, n, err, want)
		}
	}
	for _, s := range []string{"", "0", "-1", "1.5GiB", "1 TB", "2048GiB", "MiB", "64mib"} {
		if n, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", s, n)
		}
	}
	for n, want := range map[int64]string{1: "1 byte", 100: "100 bytes", 2048: "2 KiB", 64 << 20: "64 MiB", 160_000_000: "153 MiB", 1 << 30: "1 GiB", 3 << 30: "3 GiB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestRunDefaultLimit: a caller that sets no limit (the server) gets
// MaxInputBytes, 64 MiB.
func TestRunDefaultLimit(t *testing.T) {
	imp := Importer{Name: "x", Import: func(string, []byte) (*Imported, error) { return &Imported{}, nil }}
	if _, err := imp.Run(Options{}, "big.json", make([]byte, MaxInputBytes+1)); !errors.Is(err, ErrTooLarge) ||
		!strings.Contains(err.Error(), "over the 64 MiB limit") {
		t.Errorf("over 64 MiB: %v", err)
	}
}
