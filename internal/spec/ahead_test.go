package spec_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// TestIncludesParsedAheadSame: loading parses the odd files of an include
// pattern on another core; the model, errors and warnings are exactly those
// of loading on one core, where every file is parsed in turn.
func TestIncludesParsedAheadSame(t *testing.T) {
	part := func(id, kind string) string {
		return fmt.Sprintf("ward: 1\ncomponents:\n  - id: %s\n    kind: %s\n", id, kind)
	}
	mainPart, parts := synth.Split(synth.Generate(300, synth.DefaultSeed), 20_000)
	split := map[string]string{"ward.yaml": string(mainPart)}
	for name, b := range parts {
		split[name] = string(b)
	}
	trees := map[string]map[string]string{
		"valid parts": {
			"ward.yaml":    head + "include: [p/*.yaml]\n",
			"p/a.yaml":     part("a", "service"),
			"p/b.yaml":     part("b", "datastore"),
			"p/c.yaml":     part("c", "queue"),
			"p/d.yaml":     part("d", "client"),
			"p/e.yaml":     part("e", "service"),
			"p/other.txt":  "not matched",
			"p/f.yaml":     part("f", "function"),
			"p/g/h.yaml":   part("h", "service"),
			"nested.yaml":  part("n", "service"),
			"unused.yaml":  "ward: 1\n",
			"another.yaml": "ward: 1\n",
		},
		"problems in odd and even parts": {
			"ward.yaml": head + "include: [p/*.yaml]\n",
			"p/a.yaml":  part("a", "servce"),
			"p/b.yaml":  part("b", "datastor"),
			"p/c.yaml":  part("a", "queue"),
			"p/d.yaml":  "ward: 1\ncomponents: [\n",
			"p/e.yaml":  "",
			"p/f.yaml":  part("f", "function") + "bogus: 1\n",
		},
		"odd parts include more": {
			"ward.yaml": head + "include: [p/*.yaml, q.yaml]\n",
			"p/a.yaml":  part("a", "service"),
			"p/b.yaml":  part("b", "service") + "include: [../q.yaml, ../r/*.yaml]\n",
			"p/c.yaml":  part("c", "service"),
			"p/d.yaml":  part("d", "service") + "include: [c.yaml]\n",
			"q.yaml":    part("q", "service"),
			"r/x.yaml":  part("x", "service"),
			"r/y.yaml":  part("y", "servic"),
			"r/z.yaml":  part("z", "service"),
		},
		"a part seen before": {
			"ward.yaml": head + "include: [p/b.yaml, p/*.yaml]\n",
			"p/a.yaml":  part("a", "service"),
			"p/b.yaml":  part("b", "service"),
			"p/c.yaml":  part("c", "service"),
			"p/d.yaml":  part("d", "servic"),
		},
		"a directory among the parts": {
			"ward.yaml":     head + "include: [p/*]\n",
			"p/a.yaml":      part("a", "service"),
			"p/b/keep.yaml": part("k", "service"),
			"p/c.yaml":      part("c", "service"),
		},
		"synthetic model in parts": split,
	}
	load := func(t *testing.T, dir string) []string {
		l, err := spec.Load(t.Context(), filepath.Join(dir, "ward.yaml"))
		var out []string
		var ds spec.Diagnostics
		switch {
		case errors.As(err, &ds):
			out = diagLines(ds)
		case err != nil:
			out = []string{"error: " + err.Error()}
		default:
			out = diagLines(l.Warnings)
			m := l.Model
			for _, c := range m.Components {
				out = append(out, fmt.Sprintf("component %s %s %s", c.ID, c.Kind, c.Pos))
			}
			for _, f := range m.Flows {
				out = append(out, fmt.Sprintf("flow %s %s", f.ID, f.Pos))
			}
			out = append(out, fmt.Sprintf("%d assets, %d boundaries, files %v", len(m.Assets), len(m.Boundaries), m.Files))
		}
		for i, s := range out {
			out[i] = strings.ReplaceAll(s, dir, "DIR")
		}
		return out
	}
	for name, files := range trees {
		t.Run(name, func(t *testing.T) {
			dir := writeTree(t, files)
			old := runtime.GOMAXPROCS(1)
			one := load(t, dir)
			runtime.GOMAXPROCS(max(old, 2))
			defer runtime.GOMAXPROCS(old)
			for range 3 {
				if two := load(t, dir); !slices.Equal(one, two) {
					t.Fatalf("on two cores:\n%s\non one:\n%s", strings.Join(two, "\n"), strings.Join(one, "\n"))
				}
			}
		})
	}
}
