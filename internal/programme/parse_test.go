package programme

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseCSV(t *testing.T) {
	in := Header + "\n" +
		"pen_test,PT-1,Order ids enumerable,High,2026-10-02,larkspur-shop,orders-api,E,CWE-639,,1200\n" +
		"bug_bounty,H1-9,\"Stored XSS in reviews\",critical,2026-11-03T10:00:00Z,larkspur-shop,web,,79,,\"2,500.00\"\n"
	got, err := Parse([]byte(in), ParseOptions{File: "f.csv"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Outside{
		{Source: "pen_test", Ref: "PT-1", Title: "Order ids enumerable", Severity: "high", Found: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC),
			SystemID: "larkspur-shop", Element: "orders-api", Category: "elevation_of_privilege", CWE: []int{639}, Cost: 1200},
		{Source: "bug_bounty", Ref: "H1-9", Title: "Stored XSS in reviews", Severity: "critical", Found: time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC),
			SystemID: "larkspur-shop", Element: "web", CWE: []int{79}, Cost: 2500},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, in string
		opt      ParseOptions
		want     []string
	}{
		{"empty", "", ParseOptions{}, []string{"f:1: the file is empty — the first line must be the header"}},
		{"unknown column", "title,severity,found,colour\n", ParseOptions{}, []string{`f:1:22: unknown column "colour"`}},
		{"missing required column", "title,found\n", ParseOptions{}, []string{"f:1:1: the header has no severity column"}},
		{"bad row", Header + "\npen_test,1,X,severe,2026-13-01,s,,,,,\n", ParseOptions{},
			[]string{`f:2:14: severity "severe": write critical, high, medium, low or info`, `f:2:21: date "2026-13-01": write it as YYYY-MM-DD`}},
		{"no source or system", "title,severity,found\nX,high,2026-01-01\n", ParseOptions{},
			[]string{"f:2:1: no source: write pen_test", "f:2:1: no system: name the system's id (or pass --system)"}},
		{"defaults fill in", "title,severity,found\nX,high,2026-01-01\n", ParseOptions{Source: "pen_test", System: "s"}, nil},
		{"bad quotes", Header + "\n\"unterminated,x\n", ParseOptions{}, []string{"f:2:"}},
		{"json syntax", `{"findings": [{"title": "x",}]}`, ParseOptions{Format: "json"}, []string{"f:1:29: invalid character '}'"}},
		{"json unknown key", "[\n  {\"title\": \"x\", \"severity\": \"high\", \"found\": \"2026-01-01\", \"colour\": 1}\n]", ParseOptions{Format: "json", Source: "incident", System: "s"},
			[]string{`f:2:3: unknown key "colour"`}},
		{"json second finding", "[\n{\"title\": \"x\", \"severity\": \"high\", \"found\": \"2026-01-01\"},\n  {\"title\": \"y\", \"severity\": \"high\"}]", ParseOptions{Format: "json", Source: "incident", System: "s"},
			[]string{"f:3:3: no date found"}},
		{"sarif not sarif", `{"version": "2.1.0"}`, ParseOptions{Format: "sarif"}, []string{`f:1:1: no "runs"`}},
		{"mapping names a missing column", "Summary,Priority\n", ParseOptions{Mapping: map[string]string{"title": "Summary", "found": "Created"}}, []string{`column "Created" for found`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in), ParseOptions{File: "f", Format: c.opt.Format, Source: c.opt.Source, System: c.opt.System, Mapping: c.opt.Mapping})
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseJSONAndMapping(t *testing.T) {
	js := `{"tool": "x", "findings": [{"source": "bug_bounty", "title": "IDOR", "severity": "P2", "found": "2026-09-09", "system": "s", "cwe": [639, 284], "cost": 750}]}`
	got, err := Parse([]byte(js), ParseOptions{File: "f.json"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Severity != "high" || got[0].Cost != 750 || !cmp.Equal(got[0].CWE, []int{639, 284}) {
		t.Errorf("got %+v", got)
	}
	m, err := ParseMapping("hackerone, system=asset_identifier")
	if err != nil {
		t.Fatal(err)
	}
	csv := "id,title,severity_rating,reported_at,weakness,total_awarded_amount,structured_scope,asset_identifier,state\n" +
		"2231,Account takeover via reset,critical,2026-07-01 09:30:00 UTC,Improper Authentication - Generic (CWE-287),3000,login,larkspur-shop,resolved\n"
	got, err = Parse([]byte(csv), ParseOptions{File: "h1.csv", Source: "bug_bounty", Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Ref != "2231" || got[0].Element != "login" || got[0].SystemID != "larkspur-shop" || !cmp.Equal(got[0].CWE, []int{287}) || got[0].Cost != 3000 {
		t.Errorf("got %+v", got)
	}
	if _, err := ParseMapping("nosuch"); err == nil {
		t.Error("unknown preset accepted")
	}
	if _, err := ParseMapping("colour=x"); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestParseSARIF(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "pentest.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data, ParseOptions{File: "pentest.sarif", Source: "pen_test", System: "larkspur-shop"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d findings: %+v", len(got), got)
	}
	if got[0].Severity != "high" || got[0].Element != "checkout-api" || !cmp.Equal(got[0].CWE, []int{352}) || got[0].Found.Format(time.DateOnly) != "2026-10-20" {
		t.Errorf("first = %+v", got[0])
	}
	if got[1].Severity != "low" || got[1].Cost != 300 || got[1].Category != "information_disclosure" {
		t.Errorf("second = %+v", got[1])
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"pentest.sarif", "findings.csv", "findings.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Add([]byte("Summary,Priority,Created\nx,P1,2026-01-01\n"), "title=Summary,severity=Priority,found=Created")
	f.Fuzz(func(t *testing.T, data []byte, mapping string) {
		m, err := ParseMapping(mapping)
		if err != nil {
			m = nil
		}
		out, err := Parse(data, ParseOptions{File: "fuzz", Source: "pen_test", System: "s", Mapping: m})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not marked invalid: %v", err)
			}
			if out != nil {
				t.Fatal("findings returned with an error")
			}
			return
		}
		for _, o := range out {
			if o.Title == "" || SevRank(o.Severity) == 0 || o.Found.IsZero() || o.SystemID == "" || o.Source == "" {
				t.Fatalf("invalid finding accepted: %+v", o)
			}
		}
	})
}

// tenK is a CSV of 10,000 outside findings.
func tenK() []byte {
	var b strings.Builder
	b.WriteString(Header + "\n")
	srcs := []string{"pen_test", "bug_bounty", "incident"}
	for i := range 10_000 {
		fmt.Fprintf(&b, "%s,R-%d,Finding number %d with a title of ordinary length,%s,2026-%02d-%02d,larkspur-shop,web,%s,CWE-%d,,%d\n",
			srcs[i%3], i, i, Severities[i%5], i%12+1, i%28+1, Categories[i%6], 79+i%5, i%2000)
	}
	return []byte(b.String())
}

func BenchmarkParseCSV10k(b *testing.B) {
	data := tenK()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		out, err := Parse(data, ParseOptions{File: "b.csv"})
		if err != nil || len(out) != 10_000 {
			b.Fatal(err, len(out))
		}
	}
}
