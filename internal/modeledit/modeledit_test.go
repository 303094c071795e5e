package modeledit

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
	"go.yaml.in/yaml/v4"
)

var update = flag.Bool("update", false, "rewrite the golden out.yaml, diff and error sections")

// TestGolden applies each testdata/*.txtar's edits.json to its in.yaml and
// compares the result (out.yaml), its line diff (diff) or the error (error).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txtar")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			sec := map[string]string{}
			for _, f := range ar.Files {
				sec[f.Name] = string(f.Data)
			}
			edits, err := ParseEdits([]byte(sec["edits.json"]))
			var got map[string]string
			if err == nil {
				var out []byte
				out, err = Apply([]byte(sec["in.yaml"]), edits)
				if err == nil {
					var n yaml.Node
					if yerr := yaml.Unmarshal(out, &n); yerr != nil {
						t.Fatalf("output is not YAML: %v\n%s", yerr, out)
					}
					got = map[string]string{"out.yaml": string(out), "diff": Unified(LineDiff(sec["in.yaml"], string(out)), 1)}
				}
			}
			if err != nil {
				got = map[string]string{"error": err.Error() + "\n"}
			}
			if *update {
				ar.Files = ar.Files[:2]
				for _, name := range []string{"diff", "out.yaml", "error"} {
					if v, ok := got[name]; ok {
						ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(v)})
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := map[string]string{}
			for _, name := range []string{"diff", "out.yaml", "error"} {
				if v, ok := sec[name]; ok {
					want[name] = v
				}
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestIdempotent checks that applying an update twice changes nothing the
// second time, and that an update to the current values changes nothing.
func TestIdempotent(t *testing.T) {
	src := []byte("ward: 1\ncomponents:\n  - id: a\n    kind: service\n    controls:\n      authn: yes\n")
	e := []Edit{{Op: OpUpdate, Section: "components", ID: "a", Set: map[string]any{"kind": "function", "tags": []any{"x"}, "controls": map[string]any{"authn": "no", "mfa": "yes"}}}}
	once, err := Apply(src, e)
	if err != nil {
		t.Fatal(err)
	}
	e2 := []Edit{{Op: OpUpdate, Section: "components", ID: "a", Set: map[string]any{"kind": "function", "tags": []any{"x"}, "controls": map[string]any{"authn": "no", "mfa": "yes"}}}}
	twice, err := Apply(once, e2)
	if err != nil {
		t.Fatal(err)
	}
	if string(once) != string(twice) {
		t.Errorf("second apply changed the text:\n%s\n---\n%s", once, twice)
	}
}

// TestFromScratch builds a model from an almost empty file.
func TestFromScratch(t *testing.T) {
	src := []byte("ward: 1\nsystem:\n  id: s\n  name: S\n")
	edits := []Edit{
		{Op: OpAdd, Section: "boundaries", Set: map[string]any{"id": "b", "trust": "internal"}},
		{Op: OpAdd, Section: "components", Set: map[string]any{"id": "a", "kind": "service", "boundary": "b"}},
		{Op: OpAdd, Section: "components", Set: map[string]any{"id": "c", "kind": "datastore"}},
		{Op: OpAdd, Section: "flows", Set: map[string]any{"from": "a", "to": "c"}},
		{Op: OpAdd, Section: "layout", Set: map[string]any{"id": "a", "x": 1, "y": 2}},
	}
	out, err := Apply(src, edits)
	if err != nil {
		t.Fatal(err)
	}
	want := `ward: 1
system:
  id: s
  name: S

boundaries:
  - id: b
    trust: internal

components:
  - id: a
    kind: service
    boundary: b
  - id: c
    kind: datastore

flows:
  - from: a
    to: c

layout:
  - {id: a, x: 1, y: 2}
`
	if d := cmp.Diff(want, string(out)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestParseEditsErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not json":     `{`,
		"not a list":   `{"op":"add"}`,
		"unknown op":   `[{"op":"move","section":"components","id":"a"}]`,
		"no id":        `[{"op":"delete","section":"components"}]`,
		"float":        `[{"op":"update","section":"layout","id":"a","set":{"x":1.5}}]`,
		"nested list":  `[{"op":"update","section":"components","id":"a","set":{"tags":[["x"]]}}]`,
		"unset id":     `[{"op":"update","section":"components","id":"a","unset":["id"]}]`,
		"extra field":  `[{"op":"delete","section":"components","id":"a","colour":1}]`,
		"trailing":     `[] []`,
		"parent":       `[{"op":"add","section":"components","parent":"x","set":{"id":"a"}}]`,
		"add needs id": `[{"op":"add","section":"components","set":{"kind":"service"}}]`,
	} {
		if _, err := ParseEdits([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestApplyRefusals(t *testing.T) {
	for name, src := range map[string]string{
		"flow list":  "components: [{id: a, kind: service}]\n",
		"not a map":  "- a\n- b\n",
		"bad yaml":   "a: [\n",
		"flow root":  "{components: []}\n",
		"scalar sec": "components: 3\n",
	} {
		_, err := Apply([]byte(src), []Edit{{Op: OpAdd, Section: "components", Set: map[string]any{"id": "x", "kind": "service"}}})
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLineDiff(t *testing.T) {
	d := LineDiff("a\nb\nc\nd\n", "a\nx\nc\nd\ne\n")
	got := Unified(d, 1)
	want := "@@ -1,4 +1,5 @@\n a\n-b\n+x\n c\n d\n+e\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func FuzzApply(f *testing.F) {
	f.Add([]byte("ward: 1\ncomponents:\n  - id: a\n    kind: service\n"), []byte(`[{"op":"update","section":"components","id":"a","set":{"name":"A"}}]`))
	f.Add([]byte("flows:\n- from: a\n  to: b\n"), []byte(`[{"op":"add","section":"flows","set":{"from":"a","to":"b"}}]`))
	f.Add([]byte("boundaries:\n  - id: a\n    trust: internal\n"), []byte(`[{"op":"add","section":"boundaries","parent":"a","set":{"id":"b","trust":"internal"}},{"op":"delete","section":"boundaries","id":"a"}]`))
	f.Add([]byte("components:\n  - id: a # c\n    controls:\n      x: yes\n"), []byte(`[{"op":"update","section":"components","id":"a","set":{"controls":{"y":"no"}},"unset":["kind"]}]`))
	f.Fuzz(func(t *testing.T, src, editsJSON []byte) {
		edits, err := ParseEdits(editsJSON)
		if err != nil {
			return
		}
		var in yaml.Node
		if yaml.Unmarshal(src, &in) != nil {
			return // only valid input must give valid output
		}
		out, err := Apply(src, edits)
		if err != nil {
			return
		}
		var n yaml.Node
		if err := yaml.Unmarshal(out, &n); err != nil {
			t.Fatalf("Apply produced invalid YAML: %v\nin:\n%s\nedits: %s\nout:\n%s", err, src, editsJSON, out)
		}
	})
}

// BenchmarkApply applies a visual editor's typical change (a component, a
// flow to it and its place) to the shop example's main file (~400 lines).
func BenchmarkApply(b *testing.B) {
	src, err := os.ReadFile("../../examples/shop/ward.yaml")
	if err != nil {
		b.Fatal(err)
	}
	edits := []Edit{
		{Op: OpAdd, Section: "components", Set: map[string]any{"id": "fraud-check", "kind": "service", "boundary": "prod-vpc"}},
		{Op: OpAdd, Section: "flows", Set: map[string]any{"from": "orders-service", "to": "fraud-check", "protocol": "grpc"}},
		{Op: OpAdd, Section: "layout", Set: map[string]any{"id": "fraud-check", "x": 400, "y": 120}},
		{Op: OpUpdate, Section: "components", ID: "fraud-check", Set: map[string]any{"controls": map[string]any{"authenticates": "yes"}}},
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Apply(src, edits); err != nil {
			b.Fatal(err)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":          "plain text",
		"rule-id:element":     "rule-id:element",
		"https://x.example/a": "https://x.example/a",
		"a#b":                 "a#b",
		"a: b":                `"a: b"`,
		"a #b":                `"a #b"`,
		"a:":                  `"a:"`,
		"yes":                 "yes", // a string in YAML 1.2, as Ward writes controls
		"123":                 `"123"`,
		"2027-01-01":          `"2027-01-01"`,
		"-x":                  `"-x"`,
		"":                    `""`,
		" padded":             `" padded"`,
		"two\nlines":          `"two\nlines"`,
		"null":                `"null"`,
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}
