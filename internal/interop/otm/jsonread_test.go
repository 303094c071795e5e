package otm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/interop/jsontest"
)

// checkRead compares readDocument with encoding/json on data (jsontest.Check).
func checkRead(t *testing.T, data []byte) bool {
	t.Helper()
	return jsontest.Check(t, data, readDocument)
}

var readSeeds = []string{
	`{"otmVersion":"0.2.0","project":{"name":"p","id":"p","tags":["a"],"attributes":{"k":1}},"trustZones":[{"id":"z","name":"Z","risk":{"trustRating":50},"parent":null}],` +
		`"components":[{"id":"c","name":"C","type":"web","parent":{"trustZone":"z"},"assets":{"processed":["a",null],"stored":[]},"threats":[{"threat":"t","state":"exposed","mitigations":[{"mitigation":"m","state":"required"},null]}],"tags":["x"],"representations":[{"representation":"r","id":"x","position":{"x":1}}]}],` +
		`"dataflows":[{"id":"f","name":"F","source":"c","destination":"c","bidirectional":true,"assets":["a"],"threats":[]}],` +
		`"threats":[{"id":"t","name":"T","categories":["Spoofing"],"cwes":[],"risk":{"likelihood":null,"impact":50,"impactComment":"x"},"attributes":{"a":[1,"b",{"c":null}]}}],` +
		`"mitigations":[{"id":"m","name":"M","riskReduction":75.5}],"assets":[{"id":"a","name":"A","risk":{"confidentiality":1,"integrity":2,"availability":3}}],"representations":[{"name":"r","id":"r","type":"code"}]}`,
	`null`, `{}`, `{"project":null,"trustZones":null,"dataflows":[]}`, `{"Project":{}}`, `{"dataflows":[{"bidirectional":null},{"bidirectional":1}]}`,
	`{"threats":[{"risk":{"impact":1e400}}]}`, `{"threats":[{"risk":{"impact":-1.5e-3}}]}`, `{"otmVersion":"\u00e9"}`,
	`{"components":[{"properties":{},"attributes":null}]}`, `{"otmVersion":1}`, `{"otmVersion":"a","otmVersion":"b"}`,
}

func TestReadDocument(t *testing.T) {
	for i, s := range readSeeds {
		if !checkRead(t, []byte(s)) && i == 0 {
			t.Error("the first seed, a whole document, was refused")
		}
	}
	files, _ := filepath.Glob("testdata/*/*.json")
	accepted := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if checkRead(t, data) {
			accepted++
		}
	}
	t.Logf("%d of %d files read without encoding/json", accepted, len(files))
}

// FuzzReadDocument: the reader decodes what encoding/json decodes.
func FuzzReadDocument(f *testing.F) {
	for _, s := range readSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data)
	})
}
