package threatdragon

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/interop"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCorpus imports every public Threat Dragon model in testdata/corpus,
// checks the result loads (Encode re-parses it) and compares it with its
// golden file.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.json")
	if len(files) < 5 {
		t.Fatalf("corpus has %d files, want 5", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !Detect(f, data) {
				t.Fatal("not detected")
			}
			res, err := Import(f, data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := interop.Encode(res.Doc, res.Notes, "OWASP Threat Dragon file "+filepath.Base(f))
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(f), ".json")+".yaml")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), string(out)); d != "" {
				t.Errorf("import differs from %s (-want +got), rerun with -update if intended:\n%s", golden, d)
			}
		})
	}
}

func TestHostile(t *testing.T) {
	otm, _ := os.ReadFile("testdata/corpus/v2-threat-model.json")
	tests := []struct {
		name, data, want string
	}{
		{"deep nesting", `{"summary": {}, "detail": {"diagrams": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}`, "nests too deeply"},
		{"syntax error", "{\"summary\": {},\n \"detail\": {\"diagrams\": [}}", "invalid JSON"},
		{"diagrams not a list", `{"summary": {}, "detail": {"diagrams": {"a": 1}}}`, "unexpected object"},
		{"threats not a list", `{"summary": {}, "detail": {"diagrams": [{"cells": [{"shape": "process", "data": {"threats": "x"}}]}]}}`, "unexpected string"},
		{"no detail", `{"summary": {"title": "x"}}`, "no \"detail\""},
		{"position of wrong type", `{"summary": {}, "detail": {"diagrams": [{"cells": [{"shape": "actor", "position": "here"}]}]}}`, "unexpected string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import("td.json", []byte(tt.data))
			var ie *interop.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an InputError containing %q", err, tt.want)
			}
		})
	}
	if !Detect("x.json", otm) {
		t.Error("v2 model not detected")
	}
	if Detect("m.otm.json", []byte(`{"otmVersion": "0.1.0", "project": {}, "summary": {}, "detail": {"diagrams": [1]}}`)) {
		t.Error("an OTM file was claimed")
	}
}

// TestNotOTM checks that the Threat Dragon detector leaves the OTM file
// Threat Dragon ships alone (another importer reads it).
func TestNotOTM(t *testing.T) {
	data, err := os.ReadFile("../../../../shared/corpus/threat-dragon/mobile-cloud.otm.json")
	if err != nil {
		t.Skip("shared corpus not present")
	}
	if Detect("mobile-cloud.otm.json", data) {
		t.Error("mobile-cloud.otm.json was claimed as Threat Dragon")
	}
}

func TestMultipleDiagrams(t *testing.T) {
	data := `{"summary": {"title": "Two"}, "detail": {"diagrams": [
	  {"title": "Web", "cells": [{"id": "a", "shape": "process", "data": {"name": "API"}}, {"id": "b", "shape": "store", "data": {"name": "DB"}},
	    {"id": "f", "shape": "flow", "source": {"cell": "a"}, "target": {"cell": "b"}, "data": {"name": "q", "isBidirectional": true}}]},
	  {"title": "Batch", "cells": [{"id": "a", "shape": "process", "data": {"name": "API", "threats": [{"title": "T", "type": "Linkability", "modelType": "LINDDUN", "status": "NotApplicable"}]}}]}]}}`
	res, err := Import("two.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := interop.Encode(res.Doc, res.Notes, "two")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"id: web-api", "id: batch-api", "id: db\n", "id: q-reverse", "LINDDUN: Linkability.", "status: false_positive"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func FuzzImportThreatDragon(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.json")
	for _, p := range files {
		data, _ := os.ReadFile(p)
		f.Add(data)
	}
	f.Add([]byte(`{"summary": {}, "detail": {"diagrams": [{"cells": [{"id": "a", "shape": "trust-boundary-box", "position": {"x": 0, "y": 0}, "size": {"width": 1, "height": 1}}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import("fuzz.json", data)
		if err != nil {
			return
		}
		if _, err := interop.Encode(res.Doc, res.Notes, "fuzz"); err != nil {
			t.Fatalf("valid input gave an invalid model: %v", err)
		}
	})
}

// TestRealFiles imports files Threat Dragon itself saved (testdata/real):
// flow labels given as plain strings name the flows.
func TestRealFiles(t *testing.T) {
	data, err := os.ReadFile("testdata/real/URL-shortener-LLM.json")
	if err != nil {
		t.Fatal(err)
	}
	if !Detect("URL-shortener-LLM.json", data) {
		t.Fatal("not detected")
	}
	res, err := Import("URL-shortener-LLM.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := interop.Encode(res.Doc, res.Notes, "test"); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range res.Doc.Flows {
		names = append(names, f.Name)
	}
	// A bidirectional flow is two Ward flows.
	want := []string{"Store URL Mapping", "Shorten Request", "Shorten Request", "Redirect Request", "Redirect Request", "Fetch API credentials",
		"User Request", "User Request", "Retrieve Long URL"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("flows (-want +got):\n%s", d)
	}
}
