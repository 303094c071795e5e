package threatcomposer

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

var update = flag.Bool("update", false, "rewrite golden files")

func importFile(t *testing.T, path string) ([]byte, *interop.Imported) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !Detect(filepath.Base(path), data) {
		t.Errorf("%s: not detected as Threat Composer", path)
	}
	im, err := Import(filepath.Base(path), data)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	out, err := interop.Encode(im.Doc, im.Notes, "Threat Composer file "+filepath.Base(path))
	if err != nil {
		t.Fatalf("encode %s: %v\n%s", path, err, out)
	}
	return out, im
}

// TestCorpus imports every public Threat Composer file we hold, checking the
// counts against the file.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.json")
	more, _ := filepath.Glob("../../../../shared/corpus/threat-composer/*.json")
	if len(files) < 5 {
		t.Fatalf("corpus has %d files, want 5", len(files))
	}
	for _, f := range append(files, more...) {
		t.Run(f, func(t *testing.T) {
			_, im := importFile(t, f)
			var w workspace
			data, _ := os.ReadFile(f)
			json.Unmarshal(data, &w)
			d := im.Doc
			if len(d.Threats) != len(w.Threats) || len(d.Mitigations) != len(w.Mitigations) || len(d.Assumptions) != len(w.Assumptions) {
				t.Errorf("imported %d threats, %d mitigations, %d assumptions; file has %d, %d, %d",
					len(d.Threats), len(d.Mitigations), len(d.Assumptions), len(w.Threats), len(w.Mitigations), len(w.Assumptions))
			}
			// Links naming ids not in the file (ThreatComposer.tc.json has
			// some) are dropped with a note.
			ids := map[string]bool{}
			for _, x := range w.Threats {
				ids[x.ID] = true
			}
			for _, x := range w.Mitigations {
				ids["m"+x.ID] = true
			}
			for _, x := range w.Assumptions {
				ids["a"+x.ID] = true
			}
			wantLinks, wantSupports := 0, 0
			for _, l := range w.MitigationLinks {
				if ids[l.LinkedID] && ids["m"+l.MitigationID] {
					wantLinks++
				}
			}
			for _, l := range w.AssumptionLinks {
				if ids["a"+l.AssumptionID] && (ids[l.LinkedID] || ids["m"+l.LinkedID]) {
					wantSupports++
				}
			}
			links := 0
			for _, th := range d.Threats {
				links += len(th.Mitigations)
			}
			if links != wantLinks {
				t.Errorf("%d mitigation links imported, want %d", links, wantLinks)
			}
			supports := 0
			for _, a := range d.Assumptions {
				supports += len(a.Supports)
			}
			if supports != wantSupports {
				t.Errorf("%d assumption links imported, want %d", supports, wantSupports)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	for _, f := range []string{"ThreatComposer.tc.json", "ThreatModelingForBuilders-Exercise1.tc.json"} {
		t.Run(f, func(t *testing.T) {
			got, _ := importFile(t, filepath.Join("testdata/corpus", f))
			golden := filepath.Join("testdata/golden", strings.TrimSuffix(f, ".tc.json")+".ward.yaml")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("imported YAML differs (-want +got):\n%s", d)
			}
		})
	}
}

func TestImportMapping(t *testing.T) {
	_, im := importFile(t, "testdata/corpus/ThreatComposer.tc.json")
	d := im.Doc
	if d.System.Name != "Threat composer" || d.Scope == nil || len(d.Scope.In) != 2 {
		t.Errorf("system/scope = %+v %+v", d.System, d.Scope)
	}
	var th *spec.Threat
	for _, x := range d.Threats {
		if x.ID == "threat-22" {
			th = x
		}
	}
	if th == nil {
		t.Fatal("threat-22 missing")
	}
	if diff := cmp.Diff([]string{"information_disclosure"}, th.Stride); diff != "" {
		t.Error(diff)
	}
	if th.Likelihood != "possible" || th.Impact != "moderate" || th.Status != "mitigated" {
		t.Errorf("threat-22 = %s/%s/%s", th.Likelihood, th.Impact, th.Status)
	}
	if !strings.Contains(th.Description, "Threat action: read the contents of local browser storage") {
		t.Errorf("grammar parts not kept:\n%s", th.Description)
	}
	if diff := cmp.Diff([]string{"application-metadata", "threats", "mitigations", "assumptions"}, th.Assets); diff != "" {
		t.Errorf("assets: %s", diff)
	}
}

func TestHostileInput(t *testing.T) {
	cases := []struct {
		name, in, want string
		line           int
	}{
		{"deep", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), "nest more than 200", 1},
		{"syntax", "{\n\"schema\": 1,\n\"threats\": [,]}", "JSON syntax error", 3},
		{"wrong shape", "{\"schema\": 1,\n\"applicationInfo\": {\"name\": \"x\"},\n\"threats\": [{\"impactedAssets\": \"db\"}]}", "threats.impactedAssets: expected an array", 3},
		{"not a workspace", `{"foo": 1}`, "not a Threat Composer workspace", 0},
		{"mitigation pack", `{"type": "mitigation-pack", "schema": 1}`, `a Threat Composer mitigation pack`, 0},
		{"other type", `{"type": "dashboard", "schema": 1}`, `type "dashboard"`, 0},
		{"array", `[]`, "expected an object", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Import("bad.tc.json", []byte(c.in))
			var ie *interop.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an InputError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
			if c.line != 0 && ie.Line != c.line {
				t.Errorf("line = %d, want %d (%v)", ie.Line, c.line, err)
			}
		})
	}
}

func topKeys(t *testing.T, data []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// fieldNames lists the keys used by the items of a top-level array.
func fieldNames(t *testing.T, data []byte, section string) []string {
	var m map[string][]map[string]any
	var w map[string]json.RawMessage
	json.Unmarshal(data, &w)
	json.Unmarshal([]byte(`{"x":`+string(w[section])+`}`), &m)
	seen := map[string]bool{}
	for _, it := range m["x"] {
		for k := range it {
			seen[k] = true
		}
	}
	var ks []string
	for k := range seen {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestExport checks exports of the examples: same shape as Threat Composer's
// own files, stable UUIDs, and they import back.
func TestExport(t *testing.T) {
	ref, err := os.ReadFile("testdata/corpus/ThreatComposer.tc.json")
	if err != nil {
		t.Fatal(err)
	}
	models, _ := filepath.Glob("../../../examples/*/ward.yaml")
	if len(models) == 0 {
		t.Fatal("no examples")
	}
	for _, path := range models {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			l, err := spec.Load(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			a, err := analysis.Run(t.Context(), l.Model, rules.All(), analysis.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			out, err := Export(a)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := Export(a)
			if !bytes.Equal(out, again) {
				t.Error("export is not deterministic")
			}
			if diff := cmp.Diff(topKeys(t, ref), topKeys(t, out)); diff != "" {
				t.Errorf("top-level keys differ from Threat Composer's (-tc +ward):\n%s", diff)
			}
			for _, sec := range []string{"threats", "mitigations", "assumptions", "mitigationLinks", "assumptionLinks"} {
				want, got := fieldNames(t, ref, sec), fieldNames(t, out, sec)
				for _, k := range got {
					if !contains(want, k) {
						t.Errorf("%s: field %q is not one Threat Composer writes (%v)", sec, k, want)
					}
				}
			}
			var w workspace
			json.Unmarshal(out, &w)
			if len(w.Threats) != len(a.Findings) {
				t.Errorf("%d threats for %d findings", len(w.Threats), len(a.Findings))
			}
			for _, th := range w.Threats {
				if !uuidRE.MatchString(th.ID) {
					t.Errorf("id %q is not a UUIDv5", th.ID)
				}
				if len(th.Statement) > maxStatement+3 || !strings.HasPrefix(th.Statement, "A") {
					t.Errorf("statement %q", th.Statement)
				}
			}
			im, err := Import("export.tc.json", out)
			if err != nil {
				t.Fatal(err)
			}
			if back, err := interop.Encode(im.Doc, im.Notes, "round trip"); err != nil {
				t.Fatalf("%v\n%s", err, back)
			}
			if len(im.Doc.Threats) != len(a.Findings) || len(im.Doc.Mitigations) != len(a.Model.Mitigations) || len(im.Doc.Assumptions) != len(a.Model.Assumptions) {
				t.Errorf("round trip lost threats, mitigations or assumptions")
			}
			// What the format can hold comes back with its ids and statuses.
			var before, after []string
			for _, x := range a.Model.Mitigations {
				before = append(before, "mitigation "+x.ID+" "+string(x.Status))
			}
			for _, x := range a.Model.Assumptions {
				before = append(before, "assumption "+x.ID+" "+string(x.Status))
			}
			for _, x := range a.Model.Threats {
				before = append(before, "threat "+x.ID+" "+string(x.Status)+" "+x.Owner)
			}
			for _, x := range im.Doc.Mitigations {
				after = append(after, "mitigation "+x.ID+" "+or(x.Status, "proposed"))
			}
			for _, x := range im.Doc.Assumptions {
				after = append(after, "assumption "+x.ID+" "+or(x.Status, "unvalidated"))
			}
			for _, x := range im.Doc.Threats {
				if !strings.HasPrefix(x.ID, "threat-") {
					after = append(after, "threat "+x.ID+" "+x.Status+" "+x.Owner)
				}
			}
			slices.Sort(before)
			slices.Sort(after)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("round trip (-exported +imported):\n%s", diff)
			}
			// What it cannot hold is listed in the export.
			for _, what := range []string{"cannot hold", "components, data flows, boundaries and assets", "security controls", "decisions on findings"} {
				if !strings.Contains(w.ApplicationInfo.Description, what) {
					t.Errorf("the export's notes do not mention %q", what)
				}
			}
		})
	}
}

func TestUUID5(t *testing.T) {
	// RFC 9562 appendix A.4 uses the DNS namespace and "www.example.com".
	saved := namespace
	defer func() { namespace = saved }()
	namespace = [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got := uuid5("www.example.com"); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("uuid5 = %s", got)
	}
}

func FuzzImportThreatComposer(f *testing.F) {
	f.Add([]byte(`{"schema":1,"applicationInfo":{"name":"x","description":""},"threats":[{"id":"a","numericId":1,"threatSource":"s","threatAction":"a","impactedAssets":["db"],"metadata":[{"key":"STRIDE","value":["S"]},{"key":"Priority","value":"High"}]}],"mitigations":[{"id":"m","numericId":1,"content":"c"}],"mitigationLinks":[{"mitigationId":"m","linkedId":"a"}],"assumptions":[{"id":"x","content":"y"}],"assumptionLinks":[{"type":"Threat","assumptionId":"x","linkedId":"a"}]}`))
	f.Add([]byte(`{"schema":1,"type":"threat-pack","namespace":"threat-composer","name":"p","threats":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := Import("fuzz.tc.json", data)
		if err != nil {
			var ie *interop.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error is not an InputError: %v", err)
			}
			return
		}
		if out, err := interop.Encode(im.Doc, im.Notes, "fuzz"); err != nil {
			t.Fatalf("imported model does not load: %v\n%s", err, out)
		}
	})
}

func or(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// TestImpactedAssetsOnce: a threat lists each asset once, however many of
// its impacted-asset names map to it (case, spacing, repeats), in the
// order first named; the next threat lists them again.
func TestImpactedAssetsOnce(t *testing.T) {
	data := []byte(`{"schema":1,"applicationInfo":{"name":"x"},"threats":[` +
		`{"id":"a","numericId":1,"statement":"one","impactedAssets":["DB","keys","db","Keys ","DB","logs"]},` +
		`{"id":"b","numericId":2,"statement":"two","impactedAssets":["logs","db","LOGS"]},` +
		`{"id":"c","numericId":3,"statement":"three","impactedAssets":["db"]}]}`)
	im, err := Import("x.tc.json", data)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, th := range im.Doc.Threats {
		got = append(got, th.Assets)
	}
	want := [][]string{{"db", "keys", "logs"}, {"logs", "db"}, {"db"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("threat assets (-want +got):\n%s", diff)
	}
	if len(im.Doc.Assets) != 3 {
		t.Errorf("%d assets, want 3", len(im.Doc.Assets))
	}
}

// TestListLines: a threat's goal, asset and tag lines are its list joined
// with ", ", trimmed and put on one line, whether each item is one line
// already (written without joining) or not — empty items, spaces at the
// ends, runs of white space, line breaks.
func TestListLines(t *testing.T) {
	pieces := []string{"", " ", "a", "b c", "x  y", "\t", "é", "z\n", " q", "r "}
	for seed := range 3000 {
		x := uint32(seed*2654435761 + 7)
		var tags []string
		for range int(x % 5) {
			x = x*1664525 + 1013904223
			tags = append(tags, pieces[(x>>16)%uint32(len(pieces))])
		}
		if seed%3 == 0 { // mostly clean items, the fast path
			for i := range tags {
				tags[i] = interop.OneLine(tags[i])
			}
		}
		th := threat{ID: "t", NumericID: 1, Statement: "s", Tags: tags, ImpactedGoal: tags}
		w := workspace{Schema: 1, ApplicationInfo: &appInfo{Name: "x"}, Threats: []threat{th}}
		data, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		im, err := Import("x.tc.json", data)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		if v := strings.TrimSpace(strings.Join(tags, ", ")); v != "" {
			v = interop.OneLine(v)
			want = append(want, "Impacted goal: "+v, "Tags: "+v)
		}
		var got []string
		for _, l := range strings.Split(im.Doc.Threats[0].Description, "\n") {
			if strings.HasPrefix(l, "Tags: ") || strings.HasPrefix(l, "Impacted goal: ") {
				got = append(got, l)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("tags %q: lines %q, want %q", tags, got, want)
		}
	}
}
