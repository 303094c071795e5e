package otm

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

var update = flag.Bool("update", false, "rewrite golden files")

func importFile(t *testing.T, path string) ([]byte, *interop.Imported) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !Detect(filepath.Base(path), data) {
		t.Errorf("%s: not detected as OTM", path)
	}
	im, err := Import(filepath.Base(path), data)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	out, err := interop.Encode(im.Doc, im.Notes, "Open Threat Model file "+filepath.Base(path))
	if err != nil {
		t.Fatalf("encode %s: %v\n%s", path, err, out)
	}
	return out, im
}

// TestCorpus imports every public OTM file we hold; every result must load.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.json")
	ys, _ := filepath.Glob("testdata/corpus/*.yaml")
	files = append(files, ys...)
	if len(files) < 5 {
		t.Fatalf("corpus has %d files, want 5", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			out, im := importFile(t, f)
			if len(im.Doc.Components) == 0 {
				t.Errorf("no components imported")
			}
			if !bytes.HasPrefix(out, []byte("# Imported by ward from")) {
				t.Errorf("no notes header")
			}
		})
	}
	// The shared corpus, when present, may hold more files than we copied.
	for _, pat := range []string{"../../../../shared/corpus/otm/*.json", "../../../../shared/corpus/otm/*.yaml", "../../../../shared/corpus/threat-dragon/*.otm.json"} {
		more, _ := filepath.Glob(pat)
		for _, f := range more {
			if filepath.Base(f) == "otm_schema.json" {
				continue
			}
			t.Run("shared/"+filepath.Base(f), func(t *testing.T) { importFile(t, f) })
		}
	}
}

// TestGolden pins the imported YAML of two corpus files.
func TestGolden(t *testing.T) {
	for _, f := range []string{"EXAMPLE.json", "mtmt_example.yaml"} {
		t.Run(f, func(t *testing.T) {
			got, _ := importFile(t, filepath.Join("testdata/corpus", f))
			golden := filepath.Join("testdata/golden", strings.TrimSuffix(f, filepath.Ext(f))+".ward.yaml")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("imported YAML differs (-want +got):\n%s", d)
			}
		})
	}
}

func TestImportMapping(t *testing.T) {
	_, im := importFile(t, "testdata/corpus/EXAMPLE.json")
	d := im.Doc
	if d.System.ID != "test-project" || d.System.Team != "John Doe" || d.System.Contacts[0] != "john.doe@example.com" {
		t.Errorf("system = %+v", d.System)
	}
	trust := map[string]string{}
	for _, b := range d.Boundaries {
		trust[b.Name] = b.Trust
	}
	if diff := cmp.Diff(map[string]string{"Internet": "internet", "Private": "restricted"}, trust); diff != "" {
		t.Errorf("trust (-want +got):\n%s", diff)
	}
	kinds := map[string]string{}
	for _, c := range d.Components {
		kinds[c.ID] = c.Kind
	}
	if diff := cmp.Diff(map[string]string{"web-client": "client", "web-service": "service", "customer-database": "datastore", "class-customerdatabase": "datastore"}, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if len(d.Threats) != 1 {
		t.Fatalf("threats = %d", len(d.Threats))
	}
	th := d.Threats[0]
	if diff := cmp.Diff([]string{"spoofing", "tampering"}, th.Stride); diff != "" {
		t.Errorf("stride: %s", diff)
	}
	if th.Likelihood != "possible" || th.Impact != "severe" {
		t.Errorf("risk = %s/%s", th.Likelihood, th.Impact)
	}
	if diff := cmp.Diff([]string{"web-service", "cc-store-in-db"}, th.Targets); diff != "" {
		t.Errorf("targets: %s", diff)
	}
	if len(th.Mitigations) != 1 || d.Mitigations[0].Status != "planned" {
		t.Errorf("mitigation link/status: %v %s", th.Mitigations, d.Mitigations[0].Status)
	}
}

func TestNestedZones(t *testing.T) {
	_, im := importFile(t, "testdata/corpus/mtmt_example.yaml")
	var found bool
	for _, b := range im.Doc.Boundaries {
		for _, c := range b.Boundaries {
			if c.Name == "Sandbox environment" && b.Name == "Internet" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("Sandbox environment not nested in Internet")
	}
	// Cycles and self-parents are broken, not followed.
	src := `{"otmVersion":"0.2.0","project":{"name":"p","id":"p"},
	"trustZones":[{"id":"a","name":"A","risk":{"trustRating":10},"parent":{"trustZone":"b"}},
	              {"id":"b","name":"B","risk":{"trustRating":90},"parent":{"trustZone":"a"}},
	              {"id":"c","name":"C","risk":{"trustRating":50},"parent":{"trustZone":"c"}}],
	"components":[{"id":"x","name":"X","type":"web-service","parent":{"component":"y"}},
	              {"id":"y","name":"Y","type":"web-service","parent":{"component":"x"}}],
	"dataflows":[{"id":"f","name":"F","source":"x","destination":"nowhere"}]}`
	got, err := Import("loop.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := interop.Encode(got.Doc, got.Notes, "loop.json"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestHostileInput(t *testing.T) {
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	bomb := "otmVersion: 0.2.0\nproject: {name: p, id: p}\na: &a [x,x,x,x,x,x,x,x,x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 9) + "*" + prev + "]\n"
		prev = n
	}
	bomb += "components: [{id: c, name: c, type: t, parent: {trustZone: z}, attributes: {x: *i}}]\n"
	cases := []struct {
		name, in, want string
		line           int
	}{
		{"deep", `{"otmVersion":` + deep + `}`, "nest more than 200 levels", 1},
		{"syntax", "{\n  \"otmVersion\": \"0.2.0\",\n  \"project\": {\"name\": }\n}", "JSON syntax error", 3},
		{"wrong shape", "{\n  \"otmVersion\": \"0.2.0\",\n  \"project\": {\"name\": \"p\", \"id\": \"p\"},\n  \"trustZones\": {}\n}", "trustZones: expected an array, found a JSON object", 4},
		{"wrong nested", "{\"otmVersion\": \"0.2.0\", \"project\": {\"name\": \"p\", \"id\": \"p\"},\n\"components\": [{\"id\": 7}]}", "components.id: expected a string", 2},
		{"truncated", `{"otmVersion": "0.2.0", "project": {`, "ends in the middle", 1},
		{"trailing", `{"otmVersion": "0.2.0", "project": {"name":"p","id":"p"}} {}`, "unexpected data after", 1},
		{"no version", `{"project": {"name":"p","id":"p"}}`, "no otmVersion", 0},
		{"alias bomb", bomb, "excessive aliasing", 0},
		{"yaml shape", "otmVersion: 0.2.0\nproject: {name: p, id: p}\ntrustZones:\n  - id: z\n    risk: {trustRating: high}\n", "YAML", 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Import("bad.json", []byte(c.in))
			var ie *interop.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an InputError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
			if c.line != 0 && ie.Line != c.line {
				t.Errorf("line = %d, want %d (%v)", ie.Line, c.line, err)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

func loadExample(t *testing.T, path string) *analysis.Analysis {
	t.Helper()
	l, err := spec.Load(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(t.Context(), l.Model, rules.All(), analysis.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/otm_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("otm_schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("otm_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExport checks that exports of the examples validate against the OTM
// schema and import back into a model that loads.
func TestExport(t *testing.T) {
	schema := compileSchema(t)
	models, _ := filepath.Glob("../../../examples/*/ward.yaml")
	if len(models) == 0 {
		t.Fatal("no examples")
	}
	for _, path := range models {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			a := loadExample(t, path)
			out, err := Export(a)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("export does not validate against the OTM schema: %v", err)
			}
			var d document
			if err := json.Unmarshal(out, &d); err != nil {
				t.Fatal(err)
			}
			if d.OTMVersion != Version || len(d.Components) != len(a.Model.Components) || len(d.Threats) != len(a.Findings) {
				t.Errorf("export has %d components, %d threats; model %d, %d", len(d.Components), len(d.Threats), len(a.Model.Components), len(a.Findings))
			}
			im, err := Import("shop.otm.json", out)
			if err != nil {
				t.Fatal(err)
			}
			back, err := interop.Encode(im.Doc, im.Notes, "round trip")
			if err != nil {
				t.Fatalf("%v\n%s", err, back)
			}
			m, _, err := spec.Parse("back.yaml", back)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Components) != len(a.Model.Components) || len(m.Flows) != len(a.Model.Flows) || len(m.Boundaries) < len(a.Model.Boundaries) {
				t.Errorf("round trip: %d components, %d flows, %d boundaries; want %d, %d, %d",
					len(m.Components), len(m.Flows), len(m.Boundaries), len(a.Model.Components), len(a.Model.Flows), len(a.Model.Boundaries))
			}
			for _, c := range a.Model.Components {
				if got := m.Component(c.ID); got == nil || got.Kind != c.Kind {
					t.Errorf("component %s: kind not kept (%v)", c.ID, got)
				}
			}
		})
	}
}

// FuzzImportOTM checks that no input panics and every import loads. The
// corpus seeds are several KB, so minimising each new input takes the whole
// default budget: run with -fuzzminimizetime 1s, or fuzzing looks stalled.
func FuzzImportOTM(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 20000 {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"otmVersion":"0.2.0","project":{"name":"p","id":"p"},"trustZones":[{"id":"a","name":"A","risk":{"trustRating":1},"parent":{"trustZone":"a"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		im, err := Import("fuzz", data)
		if err != nil {
			var ie *interop.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error is not an InputError: %v", err)
			}
			return
		}
		if out, err := interop.Encode(im.Doc, im.Notes, "fuzz"); err != nil {
			t.Fatalf("imported model does not load: %v\n%s", err, out)
		}
	})
}
