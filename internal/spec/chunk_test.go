package spec

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v4"
)

// bigModel builds a block-style model large enough to be split.
func bigModel(n int, itemIndent string) []byte {
	var b bytes.Buffer
	b.WriteString("# a comment before everything\nward: 1\nsystem:\n  id: big\n  name: Big\ncomponents:\n")
	for i := range n {
		fmt.Fprintf(&b, "%s- id: c%d\n%s  kind: service\n%s  description: |\n%s    line one of c%d\n%s    - not an item\n", itemIndent, i, itemIndent, itemIndent, itemIndent, i, itemIndent)
	}
	b.WriteString("# between sections\nflows:\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "%s- {id: f%d, from: c%d, to: c%d, protocol: https}\n", itemIndent, i, i-1, i)
	}
	return b.Bytes()
}

type flat struct {
	Kind   yaml.Kind
	Value  string
	Line   int
	Column int
}

func flatten(n *yaml.Node, out *[]flat) {
	*out = append(*out, flat{n.Kind, n.Value, n.Line, n.Column})
	for _, c := range n.Content {
		flatten(c, out)
	}
}

// TestParallelParseMatches proves the split parse gives the same nodes,
// values and positions as one ordinary parse.
func TestParallelParseMatches(t *testing.T) {
	for _, indent := range []string{"", "  "} {
		data := bigModel(2000, indent)
		got, ok := parseParallel(data, 16<<10)
		if !ok {
			t.Fatalf("indent %q: the model was not split", indent)
		}
		var want yaml.Node
		if err := yaml.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		var g, w []flat
		flatten(got.Content[0], &g)
		flatten(want.Content[0], &w)
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("indent %q: split parse differs (-want +got):\n%.2000s", indent, diff)
		}
	}
}

// TestParallelParseFallsBack checks that files with anchors, or pieces that
// do not parse alone, fall back to the ordinary parse (and its errors).
func TestParallelParseFallsBack(t *testing.T) {
	data := bigModel(2000, "  ")
	withAlias := append(bytes.Clone(data), []byte("x: &a 1\ny: *a\n")...)
	if _, ok := parseParallel(withAlias, 16<<10); ok {
		t.Error("a file with anchors was split")
	}
	broken := append(bytes.Clone(data), []byte("flows2:\n  - {id: [\n")...)
	if _, ok := parseParallel(broken, 16<<10); ok {
		t.Error("a broken file was stitched")
	}
	if _, err := parseYAML(broken); err == nil {
		t.Error("a broken file parsed")
	}
}
