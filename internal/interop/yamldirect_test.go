package interop

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// nodePath is what the node path of yamlPiece.encode writes for a piece:
// fastYAML, or the emitter where it refuses.
func nodePath(t testing.TB, p yamlPiece) (out []byte, empty bool) {
	t.Helper()
	var val *yaml.Node
	if p.lo < 0 {
		if val = toNode(p.v); val == nil {
			return nil, false
		}
	} else {
		val = &yaml.Node{Kind: yaml.SequenceNode}
		for j := p.lo; j < p.hi; j++ {
			if c := toNode(p.v.Index(j)); c != nil {
				val.Content = append(val.Content, c)
			}
		}
		empty = len(val.Content) == 0
	}
	var buf bytes.Buffer
	if fastYAML(&buf, p.key, val) {
		return buf.Bytes(), empty
	}
	return []byte(emitted(t, p.key, val)), empty
}

// sameAsNodePath checks that directYAML either refuses or writes the node
// path's bytes for the piece, and reports whether it wrote.
func sameAsNodePath(t testing.TB, p yamlPiece) bool {
	t.Helper()
	var got bytes.Buffer
	got.WriteString("before")
	ok, empty := directYAML(&got, p.key, p.v, p.lo, p.hi)
	if !ok {
		if got.String() != "before" {
			t.Fatalf("a refusal left output: %q", got.String())
		}
		return false
	}
	want, wantEmpty := nodePath(t, p)
	if g := got.String()[len("before"):]; g != string(want) || empty != wantEmpty {
		t.Fatalf("directYAML wrote (empty %v)\n%s\nthe node path (empty %v)\n%s", empty, g, wantEmpty, want)
	}
	return true
}

// pieces splits the struct v into the pieces encodeYAML writes.
func pieces(v reflect.Value) []yamlPiece {
	var ps []yamlPiece
	for key, fv := range yamlFields(v) {
		if fv.Kind() != reflect.Slice || fv.Type().Elem().Kind() == reflect.String || fv.Len() <= yamlChunk {
			ps = append(ps, yamlPiece{key: key, v: fv, lo: -1})
			continue
		}
		for lo := 0; lo < fv.Len(); lo += yamlChunk {
			ps = append(ps, yamlPiece{key: key, v: fv, lo: lo, hi: min(lo+yamlChunk, fv.Len())})
		}
	}
	return ps
}

// TestDirectYAMLOnModels: directYAML writes every piece of a generated
// model, and the node path's bytes for each.
func TestDirectYAMLOnModels(t *testing.T) {
	var doc spec.Document
	if err := yaml.Unmarshal(synth.Generate(600, synth.DefaultSeed), &doc); err != nil {
		t.Fatal(err)
	}
	doc.Ward = 1
	ps := pieces(reflect.ValueOf(&doc).Elem())
	wrote := 0
	for _, p := range ps {
		if sameAsNodePath(t, p) {
			wrote++
		}
	}
	if wrote*10 < len(ps)*9 {
		t.Errorf("directYAML wrote %d of %d pieces of a generated model, want at least 90 %%", wrote, len(ps))
	}
	t.Logf("directYAML wrote %d of %d pieces", wrote, len(ps))
}

// directDoc is a value of every shape toNode handles: pointers (nil and
// not), nested structs, lists of strings (flow and block), of structs and
// of pointers to them (nil among them), maps, ints, bools, and a kind
// toNode leaves out.
type directDoc struct {
	Name    string            `yaml:"name"`
	Skip    float64           `yaml:"skip"`
	Count   int               `yaml:"count"`
	On      bool              `yaml:"on"`
	Tags    []string          `yaml:"tags"`
	Map     map[string]string `yaml:"map"`
	Inner   *directInner      `yaml:"inner"`
	Empty   *directInner      `yaml:"empty"`
	Items   []*directInner    `yaml:"items"`
	Values  []directInner     `yaml:"values"`
	Numbers []int             `yaml:"numbers"`
	hidden  string
	NoTag   string
}

type directInner struct {
	ID    string            `yaml:"id"`
	Text  string            `yaml:"text"`
	Skip  float64           `yaml:"skip"`
	Tags  []string          `yaml:"tags"`
	Map   map[string]string `yaml:"map"`
	Deep  *directInner      `yaml:"deep"`
	Count int               `yaml:"count"`
}

// directDocs puts s (and key, as a map key) in every position directYAML
// writes a string in.
func directDocs(s, key string) []directDoc {
	in := &directInner{ID: "x-1", Text: s, Tags: []string{"a", s}, Map: map[string]string{key: s, "b": "c"}, Count: -3,
		Deep: &directInner{Text: s, Tags: []string{s, s, s, s, s}}}
	return []directDoc{
		{Name: s, Count: 7, On: true, Skip: 1},
		{Tags: []string{s}, Map: map[string]string{key: s}},
		{Tags: []string{s, strings.Repeat("w", 40), "x y"}},
		{Inner: in, Empty: &directInner{}},
		{Items: []*directInner{nil, in, {}, nil}, Values: []directInner{{}, *in}},
		{Items: []*directInner{nil, nil}, Numbers: []int{0, -1, 12}},
		{Inner: &directInner{Skip: 2}, Values: []directInner{{Skip: 1}}},
	}
}

// FuzzDirectYAML: for any text in any position, directYAML writes the
// node path's bytes (fastYAML's, or the emitter's) or refuses.
func FuzzDirectYAML(f *testing.F) {
	for _, s := range []string{"plain", "two words", strings.Repeat("word ", 20) + "x", "a\nb\n", "a: b", "yes", "ü ü", "it's: " + strings.Repeat("wörd ", 20) + "x", "2026-12-06", "", "k,v"} {
		f.Add(s, "key")
	}
	f.Fuzz(func(t *testing.T, s, key string) {
		for _, d := range directDocs(s, key) {
			for _, p := range pieces(reflect.ValueOf(&d).Elem()) {
				sameAsNodePath(t, p)
			}
			p := yamlPiece{key: key, v: reflect.ValueOf(d.Items), lo: 0, hi: len(d.Items)}
			sameAsNodePath(t, p)
			if len(d.Items) > 1 {
				sameAsNodePath(t, yamlPiece{key: "items", v: reflect.ValueOf(d.Items), lo: 1, hi: 2})
			}
		}
	})
}

// TestDirectYAMLShapes: directYAML writes the shapes of directDoc on
// common text, as the node path does.
func TestDirectYAMLShapes(t *testing.T) {
	wrote, total := 0, 0
	for _, s := range []string{"plain", "two words", strings.Repeat("word ", 30), "a\nb\n", "a: b", "yes", "null", "", "2026-12-06", "k,v", "x y"} {
		for _, d := range directDocs(s, "key") {
			for _, p := range pieces(reflect.ValueOf(&d).Elem()) {
				total++
				if sameAsNodePath(t, p) {
					wrote++
				}
			}
		}
	}
	if wrote*2 < total {
		t.Errorf("directYAML wrote %d of %d pieces", wrote, total)
	}
	t.Logf("directYAML wrote %d of %d pieces", wrote, total)
}

// BenchmarkWritePieces writes every piece of a generated model of 2,000
// components straight from the values (direct) and through the node tree
// (node: toNode, then fastYAML), one goroutine.
func BenchmarkWritePieces(b *testing.B) {
	var doc spec.Document
	if err := yaml.Unmarshal(synth.Generate(2000, synth.DefaultSeed), &doc); err != nil {
		b.Fatal(err)
	}
	doc.Ward = 1
	ps := pieces(reflect.ValueOf(&doc).Elem())
	b.Run("direct", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			for _, p := range ps {
				buf.Reset()
				if ok, _ := directYAML(&buf, p.key, p.v, p.lo, p.hi); !ok {
					b.Fatalf("directYAML refused %s", p.key)
				}
			}
		}
	})
	b.Run("node", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			for _, p := range ps {
				buf.Reset()
				var val *yaml.Node
				if p.lo < 0 {
					val = toNode(p.v)
				} else {
					val = &yaml.Node{Kind: yaml.SequenceNode}
					for j := p.lo; j < p.hi; j++ {
						val.Content = append(val.Content, toNode(p.v.Index(j)))
					}
				}
				if !fastYAML(&buf, p.key, val) {
					b.Fatalf("fastYAML refused %s", p.key)
				}
			}
		}
	})
}
