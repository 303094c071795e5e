package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/synth"
)

// checkStream decodes data streaming and from the whole tree and requires
// the same document and diagnostics; a stream that gives up must leave no
// diagnostics behind.
func checkStream(t *testing.T, data []byte) (streamed bool) {
	t.Helper()
	src := Source{Name: "m.yaml", Data: data}
	if _, bad := invalidUTF8(data); bad != 0 {
		return false // parseDoc stops before either
	}
	var ds, dt Diagnostics
	sdoc, ok := streamDoc(src, &ds)
	if !ok {
		if len(ds) != 0 {
			t.Fatalf("a stream that gave up left diagnostics: %v", ds)
		}
		return false
	}
	sameAsTree(t, "stream", src, sdoc, ds, dt)
	return true
}

// sameAsTree fails the test unless doc and its diagnostics ds, read by the
// way named how, are what the whole-tree parse of src gives (dt holds the
// diagnostics the tree parse starts with).
func sameAsTree(t *testing.T, how string, src Source, doc *Document, ds, dt Diagnostics) {
	t.Helper()
	tdoc := parseDocTree(src, &dt)
	if !reflect.DeepEqual(ds, dt) {
		t.Fatalf("diagnostics differ:\n%s %v\ntree %v", how, ds, dt)
	}
	if (doc == nil) != (tdoc == nil) || !reflect.DeepEqual(doc, tdoc) {
		t.Fatalf("documents differ:\n%s %+v\ntree %+v", how, doc, tdoc)
	}
}

// streamSeeds are models around what the stream handles differently from
// the whole tree: lists at the keys' indentation or deeper, empty, null and
// flow lists, repeated and unknown keys, problems inside items, a document
// marker, comments, and files it must give up on.
var streamSeeds = []string{
	"ward: 1\nsystem: {id: s, name: S}\ncomponents:\n- id: a\n  kind: service\n- id: b\n  kind: datastore\n",
	"ward: 1\nsystem:\n  id: s\n  name: S\ncomponents:\n  - id: a\n    kind: service\n  # c\n\n  - id: b\n    kind: nope\n    extra: 1\nflows:\n  - {id: f, from: a, to: b}\n",
	"---\nward: 1\ncomponents: []\nflows:\nassets: [{id: x}]\n",
	"ward: 1\ncomponents:\n  - id: a\ncomponents:\n  - id: b\n",
	"components:\n  - id: a\n    kind: service\n",
	"ward: 2\nbogus:\n  - 1\ncomponents:\n  -\n  - id: a\n",
	"ward: 1\ncomponents:\n  id: a\n",
	"ward: 1\ncomponents: x\ninclude:\n  - a.yaml\n",
	"ward: 1\ncomponents:\n  - &a {id: a}\n  - *a\n",
	"ward: 1\ncomponents:\n  - id: a\n\tkind: service\n",
	"- ward: 1\n",
	"ward: 1\nsystem:\n  id: s\n  name: S\ncomponents: # the components\n  - id: a\n    kind: service\n    controls: {mfa: yes, waf: maybe}\n  - id: a\n    kind: service\n",
	"ward: 1\ncomponents:\n  - id: a\n    kind: service\n  - id: b\n    boundaries:\n      - id: c\n x: 1\n",
}

func TestStreamMatchesTree(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(p, func(t *testing.T) { checkStream(t, data) })
	}
	for i, s := range streamSeeds {
		t.Run("seed"+string(rune('a'+i)), func(t *testing.T) { checkStream(t, []byte(s)) })
	}
	// Generated models span many batches; the second has problems in
	// items here and there.
	gen := synth.Generate(700, synth.DefaultSeed)
	if !checkStream(t, gen) {
		t.Fatal("a generated model was not streamed")
	}
	bad := strings.ReplaceAll(string(gen), "    kind: queue\n", "    kind: queue\n    colour: blue\n")
	bad = strings.Replace(bad, "  - id: f-10\n", "  - id: f-10\n    port: 99999\n", 1)
	if bad == string(gen) {
		t.Fatal("no problem was injected")
	}
	checkStream(t, []byte(bad))
}

// FuzzStream compares the streaming decode with the whole tree's on any
// input.
func FuzzStream(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range streamSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkStream(t, data) })
}
