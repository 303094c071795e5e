package threatcomposer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wardtm/ward/internal/interop/jsontest"
)

// checkRead compares readWorkspace with encoding/json on data (jsontest.Check).
func checkRead(t *testing.T, data []byte) bool {
	t.Helper()
	return jsontest.Check(t, data, readWorkspace)
}

var readSeeds = []string{
	`{"schema":1,"applicationInfo":{"name":"x","description":""},"threats":[{"id":"a","numericId":1,"threatSource":"s","threatAction":"a","impactedAssets":["db"],"metadata":[{"key":"STRIDE","value":["S"]},{"key":"Priority","value":"High"}]}],"mitigations":[{"id":"m","numericId":1,"content":"c"}],"mitigationLinks":[{"mitigationId":"m","linkedId":"a"}],"assumptions":[{"id":"x","content":"y"}],"assumptionLinks":[{"type":"Threat","assumptionId":"x","linkedId":"a"}]}`,
	`{"schema":1,"type":"threat-pack","namespace":"threat-composer","name":"p","threats":[]}`,
	`null`, `{}`, ` { "threats" : null , "mitigations":[null, {}] } `, `{"Threats":[]}`, `{"schema":1.0}`, `{"schema":-0}`,
	`{"schema":1e2}`, `{"schema":"1"}`, `{"name":"a\u2192b\n\"c\"\\"}`, `{"name":"\ud83d\ude00 \ud800"}`, "{\"name\":\"\xff\"}",
	`{"threats":[{"metadata":[{"key":"k","value":{"a":[1,2.5,-3e-2,true,false,null,"s"],"a":{}}}]}]}`,
	`{"threats":[{"tags":["a",null,"b"],"impactedGoal":[]}]}`, `{"id":"a","id":"b"}`, `{"x":[1,{"y":"z"}],"id":"a"}`,
	`{"schema":01}`, `{"schema":1}x`, `{"schema":1,}`, `{"applicationInfo":null,"architecture":{},"dataflow":{"image":"i"}}`,
	`{"schema":9223372036854775808}`, `{"a":tru}`, `{"a":truee}`, "{\"name\":\"a\tb\"}", `{"ſchema":1}`,
}

func TestReadWorkspace(t *testing.T) {
	for i, s := range readSeeds {
		if !checkRead(t, []byte(s)) && i == 0 {
			t.Error("the first seed, a whole workspace, was refused")
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

// FuzzReadWorkspace: the reader decodes what encoding/json decodes.
func FuzzReadWorkspace(f *testing.F) {
	for _, s := range readSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data)
	})
}
