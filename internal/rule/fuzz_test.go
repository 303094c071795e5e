package rule

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/spec"
)

// FuzzLoadCustom checks that no rule file makes LoadCustom or the rules it
// loads panic, hang or fail without diagnostics.
func FuzzLoadCustom(f *testing.F) {
	for _, name := range []string{"valid.yaml", "errors.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("ward_rules: 1\nrules:\n  - &r {id: acme-a, title: T, category: S, on: flow, doc: D, when: 'flow.port > 0'}\n  - {<<: *r, id: acme-b}\n"))
	f.Add([]byte("ward_rules: 1\nrules:\n  - {id: acme-a, title: T, category: S, on: component, doc: D, when: 'component.controls[\"x\"] == \"no\"', finding: '{{id}} {{boundary}}'}\n"))
	f.Add([]byte("ward_rules: 1\nrules:\n  - {id: acme-a, title: T, category: S, on: asset, doc: D, when: 'asset.data.exists(d, d.matches(\"^p\"))'}\n"))
	f.Add([]byte("ward_rules: 1\nrules: [{id: acme-a, title: T, category: D, on: boundary, doc: D, when: 'size(boundary.components) / 0 > 1'}]\n"))
	data, err := os.ReadFile(filepath.Join("testdata", "model.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	m, _, err := spec.Parse("model.yaml", data)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := LoadCustom([]spec.Source{{Name: "fuzz.yaml", Data: data}}, builtinForTest)
		if err != nil {
			var ds spec.Diagnostics
			if !errors.As(err, &ds) || len(ds) == 0 {
				t.Fatalf("error %v is not diagnostics", err)
			}
			for _, d := range ds {
				if d.Pos.File != "fuzz.yaml" || d.Pos.Line < 1 || d.Msg == "" {
					t.Fatalf("diagnostic without a position or message: %+v", d)
				}
			}
			return
		}
		if err := Check(rules); len(rules) > 0 && err != nil {
			t.Fatalf("loaded rules are invalid: %v", err)
		}
		if _, err := Run(context.Background(), m, rules); err != nil {
			t.Fatal(err)
		}
	})
}
