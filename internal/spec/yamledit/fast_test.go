package yamledit

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// sameParse reports where the tree a (a File's, fast-parsed) differs
// from yaml v4's tree b in anything but comments.
func sameParse(a, b *yaml.Node, path string) error {
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value || a.Line != b.Line || a.Column != b.Column ||
		a.Anchor != b.Anchor || (a.Alias == nil) != (b.Alias == nil) || len(a.Content) != len(b.Content) {
		return fmt.Errorf("%s: %+v against yaml v4's %+v", path, *a, *b)
	}
	for i := range a.Content {
		if err := sameParse(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkFastParse checks that a file parsed fast has yaml v4's tree but
// for comments, and that ParseFull's Tree is yaml v4's tree with its comments.
func checkFastParse(t *testing.T, src string) {
	t.Helper()
	f, err := Parse(src)
	if err != nil || !f.fast {
		return
	}
	var want yaml.Node
	if err := yaml.Unmarshal([]byte(src), &want); err != nil {
		t.Fatalf("the fast parser read %q, yaml v4 refuses it: %v", src, err)
	}
	if err := sameParse(&f.doc, &want, ""); err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	full, err := ParseFull(src)
	if err != nil || full.fast {
		t.Fatalf("ParseFull(%q): fast %v, %v", src, full != nil && full.fast, err)
	}
	tree := full.Tree()
	var a, b strings.Builder
	for _, x := range []struct {
		n *yaml.Node
		w *strings.Builder
	}{{tree, &a}, {&want, &b}} {
		enc := yaml.NewEncoder(x.w)
		if err := enc.Encode(x.n); err != nil {
			t.Fatal(err)
		}
		enc.Close()
	}
	if a.String() != b.String() {
		t.Fatalf("%q: ParseFull's tree re-encodes as\n%s\nyaml v4's tree as\n%s", src, a.String(), b.String())
	}
}

// TestFastParse: model files in the plain subset are parsed by the fast
// parser into yaml v4's tree, comments aside; ParseFull keeps comments.
func TestFastParse(t *testing.T) {
	srcs := []string{base,
		"# head\ndecisions: # after the key\n- finding: a # on the item\n  status: accepted\n  reason: 'it''s fine'\n# foot\n",
		"mitigations:\n- id: m1\n  title: >-\n    folded\n    text\n  owner: \"bob\"\n",
		"a: 1\nb: [x, y]\nc: {k: v}\n",
	}
	fast := 0
	for _, src := range srcs {
		checkFastParse(t, src)
		if f, err := Parse(src); err == nil && f.fast {
			fast++
		}
	}
	if fast < 3 {
		t.Errorf("%d of %d plain files were parsed fast", fast, len(srcs))
	}
	// Outside the subset: yaml v4, as before.
	for _, src := range []string{"a: &x {k: v}\nb: *x\n", "a: !!str 1\n"} {
		f, err := Parse(src)
		if err != nil || f.fast {
			t.Errorf("%q: fast %v, %v", src, f != nil && f.fast, err)
		}
	}
}
