package threatdragon

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/interop/jsontest"
)

// checkRead compares readFile with encoding/json on data (jsontest.Check).
func checkRead(t *testing.T, data []byte) bool {
	t.Helper()
	return jsontest.Check(t, data, readFile)
}

var readSeeds = []string{
	`{"version":"2.0","summary":{"title":"t","owner":"o"},"detail":{"contributors":[{"name":"a"},null],"reviewer":"r","diagrams":[{"title":"d","cells":[` +
		`{"id":"1","shape":"process","position":{"x":1,"y":2.5},"size":{"width":3,"height":4},"attrs":{"text":{"text":"P"},"label":null},"data":{"type":"tm.Process","name":"P","isWebApplication":true,"threats":[{"title":"x","score":"7","severity":"High"},{"score":null},null]}},` +
		`{"id":"2","shape":"flow","source":{"cell":"1","x":null},"target":{"id":"3","x":5},"labels":["l",{"attrs":{"labelText":{"text":"L"}}},null],"vertices":[{"x":1},null],"isEncrypted":false,"protocol":"https"}]},null,` +
		`{"diagramJson":{"cells":[{"type":"tm.Store","storesCredentials":true,"threats":[{"score":{"a":[1]}}]}]}}]}}`,
	`null`, `{}`, `{"detail":null}`, `{"detail":{"diagrams":[]}}`, `{"Detail":{}}`, `{"detail":{"diagrams":[{"cells":[{"labels":[1]}]}]}}`,
	`{"detail":{"diagrams":[{"cells":[{"outOfScope":null,"isALog":"yes"}]}]}}`, `{"summary":null,"version":"1"}`,
}

func TestReadFile(t *testing.T) {
	for i, s := range readSeeds {
		if !checkRead(t, []byte(s)) && i == 0 {
			t.Error("the first seed, a whole file, was refused")
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

// FuzzReadFile: the reader decodes what encoding/json decodes.
func FuzzReadFile(f *testing.F) {
	for _, s := range readSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data)
	})
}
