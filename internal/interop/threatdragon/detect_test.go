package threatdragon

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDetectFast: detectFast, when it decides, decides as the probe does.
func FuzzDetectFast(f *testing.F) {
	for _, s := range []string{`{"summary":{},"detail":{"diagrams":[]}}`, `{"summary":null,"detail":{"diagrams":[]}}`,
		`{"summary":1,"detail":{"diagrams":null}}`, `{"summary":1,"detail":{}}`, `{"summary":1,"detail":null}`,
		`{"summary":1,"detail":5}`, `{"Summary":1,"detail":{"diagrams":1}}`, `{"summary":1,"summary":null,"detail":{"diagrams":1}}`,
		`{"summary":"\u00e9\"","detail":{"x":[1,{"y":"\\"}],"diagrams":{"a":1}}}`, `{"summary":1,"detail":{"diagrams":1}} x`} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 1<<16 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if is, ok := detectFast(data); ok && is != detectProbe(data) {
			t.Fatalf("detectFast %v, the probe %v: %q", is, !is, data)
		}
	})
}
