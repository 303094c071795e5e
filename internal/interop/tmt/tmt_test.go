package tmt

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/interop"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob("testdata/corpus/*.tm7")
	if len(files) == 0 {
		t.Fatal("no corpus files")
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
			out, err := interop.Encode(res.Doc, res.Notes, "Microsoft Threat Modeling Tool file "+filepath.Base(f))
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(filepath.Base(f), ".tm7")+".yaml")
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

// TestTemplateRefused checks that a .tb7 knowledge base is recognised and
// refused with a clear message. The real Azure template (3.4 MB) is used
// when the shared corpus is next to the repository.
func TestTemplateRefused(t *testing.T) {
	data := []byte(`<?xml version="1.0" encoding="utf-8"?>
<KnowledgeBase xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Manifest name="T"/></KnowledgeBase>`)
	name := "AzureTemplate.v4.tb7"
	if real, err := os.ReadFile("../../../../shared/corpus/ms-tmt/AzureTemplate.v4.tb7"); err == nil {
		data = real
	}
	if !Detect(name, data) {
		t.Fatal("template not detected")
	}
	_, err := Import(name, data)
	var ie *interop.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "this is a template (.tb7), not a model") {
		t.Fatalf("err = %v, want a template InputError", err)
	}
}

func TestHostile(t *testing.T) {
	deep := strings.Repeat("<a>", 100_000) + strings.Repeat("</a>", 100_000)
	many := "<ThreatModel xmlns=\"http://schemas.datacontract.org/2004/07/ThreatModeling.Model\">" + strings.Repeat("<a/>", MaxTokens/2+10) + "</ThreatModel>"
	tests := []struct {
		name, data, want string
	}{
		{"deep nesting", "<ThreatModel>" + deep + "</ThreatModel>", "nests more than"},
		{"many tokens", many, "tokens"},
		{"doctype", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><ThreatModel>&lol2;</ThreatModel>`, "DTD"},
		{"undefined entity", `<ThreatModel><MetaInformation><ThreatModelName>&lol;</ThreatModelName></MetaInformation></ThreatModel>`, "invalid XML"},
		{"not xml", `{"summary": {}}`, "no XML element"},
		{"wrong root", `<Project/>`, "not a Threat Modeling Tool model"},
		{"empty", ``, "no XML element"},
		{"wrong shapes", `<ThreatModel><DrawingSurfaceList><DrawingSurfaceModel><Borders><KeyValueOfguidanyType><Value><Left>abc</Left></Value></KeyValueOfguidanyType></Borders><Lines><KeyValueOfguidanyType><Value i:type="Connector" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><SourceGuid>x</SourceGuid></Value></KeyValueOfguidanyType></Lines></DrawingSurfaceModel></DrawingSurfaceList></ThreatModel>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			res, err := Import("x.tm7", []byte(tt.data))
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := interop.Encode(res.Doc, res.Notes, "x"); err != nil {
					t.Fatal(err)
				}
				return
			}
			var ie *interop.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an InputError containing %q", err, tt.want)
			}
		})
	}
}

func FuzzImportTMT(f *testing.F) {
	seed, _ := os.ReadFile("testdata/corpus/test_model.tm7")
	f.Add(seed)
	f.Add([]byte(`<ThreatModel><DrawingSurfaceList><DrawingSurfaceModel><Borders><KeyValueOfguidanyType><Value i:type="StencilEllipse" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><GenericTypeId>GE.P</GenericTypeId><Guid>a</Guid></Value></KeyValueOfguidanyType></Borders></DrawingSurfaceModel></DrawingSurfaceList></ThreatModel>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import("fuzz.tm7", data)
		if err != nil {
			return
		}
		if _, err := interop.Encode(res.Doc, res.Notes, "fuzz"); err != nil {
			t.Fatalf("valid input gave an invalid model: %v", err)
		}
	})
}
