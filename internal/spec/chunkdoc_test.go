package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/synth"
)

// checkChunked decodes data in pieces of about target bytes and from the
// whole tree and requires the same document and diagnostics; a chunked
// decode that gives up must leave no diagnostics behind.
func checkChunked(t *testing.T, data []byte, target int) (chunked bool) {
	t.Helper()
	src := Source{Name: "m.yaml", Data: data}
	if _, bad := invalidUTF8(data); bad != 0 {
		return false // parseDoc stops before either
	}
	text, ascii, roots, ok := prepareText(data, 64, false, true)
	if !ok {
		return false
	}
	var dc, dt Diagnostics
	dc = append(dc, Diagnostic{Msg: "earlier"})
	dt = append(dt, Diagnostic{Msg: "earlier"})
	cdoc, ok := chunkDoc(src, text, ascii, roots, &dc, target)
	if !ok {
		if len(dc) != 1 {
			t.Fatalf("a chunked decode that gave up left diagnostics: %v", dc)
		}
		return false
	}
	sameAsTree(t, "chunked", src, cdoc, dc, dt)
	return true
}

// chunkSeeds are models around the cuts: lists at column 0 and indented,
// items holding block scalars (with blank lines longer than the next line,
// kept trailing lines), multi-line plain and quoted values, flow
// collections over several lines, comments between items and at column 0,
// a document marker, problems in items, and files chunkDoc must give up on.
var chunkSeeds = []string{
	"ward: 1\nsystem: {id: s, name: S}\ncomponents:\n- id: a\n  kind: service\n- id: b\n  kind: datastore\n- id: c\n  kind: queue\n",
	"---\nward: 1\ncomponents:\n  - id: a\n    description: |+\n      one\n\n  - id: b\n    description: >\n      two\n      lines\n\n\n  # between\n# at zero\n  - id: c\n    description: |\n\n  - id: d\n    tags: [x,\n      y]\n  - id: e\n    name: a long\n      name\n  - id: f\n    name: 'quoted\n      on two'\nflows:\n  - {from: a, to: b}\n  - from: b\n    to: c\n",
	"ward: 1\ncomponents:\n  - id: a\n    description: |\n      \n  - id: b\n",
	"ward: 1\ncomponents:\n  - id: a\n    kind: nope\n  - id: b\n    colour: red\n  - id: c\n    port: 1\nbogus: 1\nflows:\n  - id: f\n    port: 99999\n",
	"ward: 1\ncomponents:\n  - id: a\ncomponents:\n  - id: b\n",
	"ward: 1\ncomponents:\n  - id: a\n -x: 1\n  - id: b\n",
	"ward: 1\ncomponents:\n  - id: a\n  x: 1\n  - id: b\n",
	"ward: 1\ncomponents:\n  - id: a\n- id: b\n",
	"ward: 1\ncomponents:\n  - &a {id: a}\n  - *a\n",
	"ward: 1\ncomponents:\n  - id: a\n    kind: service\n  - id: b\n    boundaries:\n      - id: c\n x: 1\n",
	"  ward: 1\n  components:\n    - id: a\n",
	"ward: 1\ncomponents:\n  -\n  - id: a\n  - \n",
	"ward: 1\ncomponents:\n  - id: a\n    controls:\n      mfa: yes\n      waf: maybe\n  - id: é\n    name: ü\n",
	"ward: 1\ncomponents:\n  - id: a\r\n  - id: b\r\n",
	"ward: 1\ncomponents:\n  - id: a\n  - id: b",
	"ward: 1\ncomponents: [\n  {id: a}\n]\nflows:\n  - {from: a, to: a}\n",
	"ward: 1\ncomponents:\n\n  - id: a\n\n  - id: b\nthreats:\n  - id: t\n    title: T\n",
}

func TestChunkedMatchesTree(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(p, func(t *testing.T) {
			for _, target := range []int{1, 40, 1000} {
				checkChunked(t, data, target)
			}
		})
	}
	for i, s := range chunkSeeds {
		t.Run(fmt.Sprint("seed", i), func(t *testing.T) {
			for _, target := range []int{1, 20, 60, 1000} {
				checkChunked(t, []byte(s), target)
			}
		})
	}
	if !checkChunked(t, []byte(chunkSeeds[1]), 1) {
		t.Fatal("the seed of every construct was not chunked")
	}
	// parseDoc's own setting, on a file large enough for it.
	if big := synth.Generate(1000, synth.DefaultSeed); len(big) < chunkMin || !checkChunked(t, big, chunkTarget) {
		t.Fatalf("a generated model of %d bytes was not chunked", len(big))
	}
	gen := synth.Generate(700, synth.DefaultSeed)
	for _, target := range []int{1, 5000, 60000, 1 << 30} {
		if !checkChunked(t, gen, target) {
			t.Fatalf("a generated model was not chunked (target %d)", target)
		}
	}
	// Problems in items here and there, and more than MaxDiagnostics.
	bad := strings.ReplaceAll(string(gen), "    kind: queue\n", "    kind: queue\n    colour: blue\n")
	bad = strings.Replace(bad, "  - id: f-10\n", "  - id: f-10\n    port: 99999\n", 1)
	if bad == string(gen) {
		t.Fatal("no problem was injected")
	}
	if !checkChunked(t, []byte(bad), 3000) {
		t.Fatal("a model with a few problems was not chunked")
	}
	worse := strings.ReplaceAll(string(gen), "    kind: service\n", "    kind: service\n    colour: blue\n")
	if checkChunked(t, []byte(worse), 3000) {
		t.Fatal("a model with too many problems was chunked")
	}
}

// FuzzChunked compares the chunked decode with the whole tree's on any
// input, cut into pieces of (almost) every item.
func FuzzChunked(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data, uint8(1))
		}
	}
	for _, s := range append(chunkSeeds, streamSeeds...) {
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(50))
	}
	f.Fuzz(func(t *testing.T, data []byte, target uint8) { checkChunked(t, data, int(target)) })
}
