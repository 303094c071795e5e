package report

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// now is the fixed date every scenario is analysed on.
var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// scenarios are the models under testdata/<name>.yaml.
//
//	payments: nested boundaries, an accepted threat and an accepted
//	          decision, mitigations (one overdue), an invalidated
//	          assumption, questions, text needing escapes
//	agent:    no boundaries, LLM and agent, unencrypted unauthenticated flow
//	minimal:  nearly empty model
//	sparse:   a model that leaves kinds and data out (inferred facts marked)
var scenarios = []string{"payments", "agent", "minimal", "sparse"}

func build(t *testing.T, name string) *Result {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, diags, err := spec.Parse(name+".yaml", data)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	for _, d := range diags {
		t.Logf("%s", d.String())
	}
	a, err := analysis.Run(context.Background(), m, rules.All(), analysis.Options{Now: now})
	if err != nil {
		t.Fatalf("analyse %s: %v", name, err)
	}
	return Build(a, Tool{Name: "ward", Version: "test"})
}

// golden compares got with testdata/<file>, or rewrites it with -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./internal/report -update if the change is intended)\n%s",
			path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

func TestGolden(t *testing.T) {
	formats := []struct {
		ext    string
		render func(*bytes.Buffer, *Result) error
	}{
		{"md", func(b *bytes.Buffer, r *Result) error { return Markdown(b, r) }},
		{"mmd", func(b *bytes.Buffer, r *Result) error { return Mermaid(b, r, DiagramOptions{}) }},
		{"dot", func(b *bytes.Buffer, r *Result) error { return DOT(b, r, DiagramOptions{}) }},
		{"txt", func(b *bytes.Buffer, r *Result) error { return Text(b, r, TextOptions{All: true, Verbose: true}) }},
		{"json", func(b *bytes.Buffer, r *Result) error { return JSON(b, r) }},
	}
	for _, name := range scenarios {
		t.Run(name, func(t *testing.T) {
			r := build(t, name)
			for _, f := range formats {
				var buf bytes.Buffer
				if err := f.render(&buf, r); err != nil {
					t.Fatalf("%s: %v", f.ext, err)
				}
				golden(t, name+"."+f.ext+".golden", buf.Bytes())
				// Rendering twice gives the same bytes.
				var again bytes.Buffer
				if err := f.render(&again, build(t, name)); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf.Bytes(), again.Bytes()) {
					t.Errorf("%s output is not deterministic", f.ext)
				}
			}
		})
	}
}

func TestDiagramFilters(t *testing.T) {
	r := build(t, "payments")
	cases := []struct {
		file string
		opt  DiagramOptions
	}{
		{"payments.boundary-vpc.mmd.golden", DiagramOptions{Boundary: "vpc.private"}},
		{"payments.boundary-vpc.dot.golden", DiagramOptions{Boundary: "vpc.private"}},
		{"payments.asset-card.mmd.golden", DiagramOptions{Asset: "card"}},
		{"payments.asset-card.dot.golden", DiagramOptions{Asset: "card"}},
		{"payments.boundary-db-asset-orders.mmd.golden", DiagramOptions{Boundary: "db_zone", Asset: "orders"}},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		var err error
		if strings.HasSuffix(c.file, ".dot.golden") {
			err = DOT(&buf, r, c.opt)
		} else {
			err = Mermaid(&buf, r, c.opt)
		}
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		golden(t, c.file, buf.Bytes())
	}
}

func TestDiagramUnknown(t *testing.T) {
	r := build(t, "payments")
	for _, c := range []struct {
		opt  DiagramOptions
		want string
	}{
		{DiagramOptions{Boundary: "nope"}, `unknown boundary "nope" (boundaries: cloud, db_zone, internet, partner, vpc.private)`},
		{DiagramOptions{Asset: "nope"}, `unknown asset "nope" (assets: api-keys, card, orders)`},
	} {
		for _, render := range []func(*bytes.Buffer) error{
			func(b *bytes.Buffer) error { return Mermaid(b, r, c.opt) },
			func(b *bytes.Buffer) error { return DOT(b, r, c.opt) },
		} {
			var buf bytes.Buffer
			err := render(&buf)
			if err == nil || err.Error() != c.want {
				t.Errorf("%+v: got error %v, want %s", c.opt, err, c.want)
			}
			if buf.Len() != 0 {
				t.Errorf("%+v: wrote output despite the error", c.opt)
			}
		}
	}
}

func TestSanitizeIDs(t *testing.T) {
	r := &Result{System: System{ID: "s"}, Components: []Component{
		{ID: "a.b", Name: "A dot", Kind: "service"},
		{ID: "a-b", Name: "A dash", Kind: "service"},
		{ID: "a_b", Name: "A \"quoted\" | <b>", Kind: "service"},
	}, Flows: []Flow{{ID: "f", From: "a.b", To: "a-b", Protocol: "https"}}}
	var buf bytes.Buffer
	if err := Mermaid(&buf, r, DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{`c_a_b["A dot<br/>service"]`, `c_a_b_2["A dash<br/>service"]`, `c_a_b_3["A #quot;quoted#quot; | #lt;b#gt;<br/>service"]`, "c_a_b -->|\"https\"| c_a_b_2"} {
		if !strings.Contains(got, want) {
			t.Errorf("mermaid output lacks %s:\n%s", want, got)
		}
	}
	buf.Reset()
	if err := DOT(&buf, r, DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := `label="A \"quoted\" | <b>\nservice"`; !strings.Contains(buf.String(), want) {
		t.Errorf("dot output lacks %s:\n%s", want, buf.String())
	}
}

func TestMarkdownCellEscaping(t *testing.T) {
	if got, want := mdCell("a | b\nc\r\nd"), `a \| b<br>c<br>d`; got != want {
		t.Errorf("mdCell = %q, want %q", got, want)
	}
}

// TestJSONContract checks that the JSON round-trips into Result and that
// every finding carries the fields docs/json.md guarantees.
func TestJSONContract(t *testing.T) {
	for _, name := range scenarios {
		t.Run(name, func(t *testing.T) {
			r := build(t, name)
			var buf bytes.Buffer
			if err := JSON(&buf, r); err != nil {
				t.Fatal(err)
			}
			var back Result
			dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&back); err != nil {
				t.Fatalf("decode: %v", err)
			}
			var again bytes.Buffer
			if err := JSON(&again, &back); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Errorf("JSON does not round-trip\n%s", firstDiff(buf.String(), again.String()))
			}
			if back.Schema != Schema {
				t.Errorf("schema = %q, want %q", back.Schema, Schema)
			}
			// Collections are arrays, never null.
			var raw map[string]any
			if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"findings", "questions", "assets", "boundaries", "components", "flows", "mitigations", "assumptions", "warnings", "files", "rule_docs"} {
				if _, ok := raw[k].([]any); !ok {
					t.Errorf("%s is %T, want an array", k, raw[k])
				}
			}
			flows := map[string]bool{}
			for _, f := range back.Flows {
				flows[f.ID] = true
			}
			for _, f := range back.Findings {
				if f.ID == "" || f.Rule == "" || f.Severity == "" || f.Status == "" {
					t.Errorf("finding %+v lacks id, rule, severity or status", f)
				}
				if f.Category == "" && f.Origin != "people" {
					t.Errorf("generated finding %s has no category", f.ID)
				}
				if len(f.Targets) == 0 && f.Origin != "people" {
					t.Errorf("finding %s has no targets", f.ID)
				}
				for _, tg := range f.Targets {
					if tg.Kind == "" || tg.ID == "" {
						t.Errorf("finding %s: target %+v lacks kind or id", f.ID, tg)
					}
					if tg.Kind == "flow" && (tg.From == "" || tg.To == "" || !flows[tg.ID]) {
						t.Errorf("finding %s: flow target %+v lacks from/to or names an unknown flow", f.ID, tg)
					}
				}
				if f.Rank <= 0 {
					t.Errorf("finding %s has rank %d", f.ID, f.Rank)
				}
			}
		})
	}
}
