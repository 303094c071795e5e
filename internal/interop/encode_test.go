package interop

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// encodeWhole is Encode's YAML as it was written before chunking: the
// whole model as one node tree, encoded at once.
func encodeWhole(t *testing.T, doc *spec.Document, head string) []byte {
	t.Helper()
	n := toNode(reflect.ValueOf(doc).Elem())
	n.HeadComment = head
	return encodeNode(t, n)
}

// encodeNode is the yaml emitter's encoding of n, configured as encodeYAML
// configures it.
func encodeNode(t testing.TB, n *yaml.Node) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		t.Fatal(err)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestEncodeChunksAsWhole checks that the chunked writer writes the bytes
// of one encoding of the whole model, on a generated model with lists of
// several chunks and multi-line text (kept trailing newlines, which make
// the yaml emitter's document open-ended) at and around chunk boundaries.
func TestEncodeChunksAsWhole(t *testing.T) {
	var doc spec.Document
	if err := yaml.Unmarshal(synth.Generate(600, synth.DefaultSeed), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Components) <= 2*yamlChunk || len(doc.Flows) <= 2*yamlChunk {
		t.Fatalf("%d components and %d flows: too few to span chunks", len(doc.Components), len(doc.Flows))
	}
	texts := []string{"two\nlines", "kept\ntrailing\n\n", "one trailing\n", "\n", " leading space\nx", "tab\there: and # hash"}
	for i, c := range doc.Components {
		if i%yamlChunk <= 1 || i%yamlChunk >= yamlChunk-2 || i == len(doc.Components)-1 {
			c.Description = texts[i%len(texts)]
		}
	}
	last := doc.Flows[len(doc.Flows)-1]
	last.Description = "the last flow\n\n\n"
	head := "Imported by ward from a test.\n\nNot carried over:\n- a note"
	var got bytes.Buffer
	if err := encodeYAML(&got, reflect.ValueOf(&doc).Elem(), head); err != nil {
		t.Fatal(err)
	}
	want := encodeWhole(t, &doc, head)
	if !bytes.Equal(got.Bytes(), want) {
		g, w := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("line %d differs:\n got: %q\nwant: %q", i+1, g[i], w[i])
			}
		}
		t.Fatalf("lengths differ: %d and %d lines", len(g), len(w))
	}
}

// TestEncodeHeadOnFirstWritten: the head comment goes on the first section
// actually written, also when the first field encodes to nothing (a kind
// toNode does not write) and the pieces are encoded concurrently.
func TestEncodeHeadOnFirstWritten(t *testing.T) {
	type item struct {
		ID string `yaml:"id"`
	}
	type doc struct {
		Skipped float64 `yaml:"skipped"`
		Name    string  `yaml:"name"`
		Items   []item  `yaml:"items"`
	}
	d := doc{Skipped: 1.5, Name: "n"}
	for i := range 3*yamlChunk + 7 {
		d.Items = append(d.Items, item{ID: strconv.Itoa(i)})
	}
	head := "the head\nof the file"
	var got bytes.Buffer
	if err := encodeYAML(&got, reflect.ValueOf(&d).Elem(), head); err != nil {
		t.Fatal(err)
	}
	n := toNode(reflect.ValueOf(d))
	n.HeadComment = head
	want := string(encodeNode(t, n))
	if !strings.HasPrefix(got.String(), "# the head\n# of the file\nname: n\n") || got.String() != want {
		t.Errorf("got\n%.200s\nwant\n%.200s", got.String(), want)
	}
}
