package training

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v4"
)

// TestSchemaAcceptsTheExercises checks schema/training.schema.json (for
// editors) against the shipped exercises and the parser's minimal one,
// and that it refuses what the parser refuses at the level of keys.
func TestSchemaAcceptsTheExercises(t *testing.T) {
	c := jsonschema.NewCompiler()
	for _, n := range []string{"ward.schema.json", "training.schema.json"} {
		f, err := os.Open(filepath.Join("..", "..", "schema", n))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if err := c.AddResource("https://raw.githubusercontent.com/wardtm/ward/main/schema/"+n, doc); err != nil {
			t.Fatal(err)
		}
	}
	sch, err := c.Compile("https://raw.githubusercontent.com/wardtm/ward/main/schema/training.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, data []byte) error {
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		return sch.Validate(inst)
	}
	files, _ := filepath.Glob("exercises/*.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := check(f, data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if err := check("minimal", []byte(minimal)); err != nil {
		t.Errorf("minimal: %v", err)
	}
	if err := check("misspelt", []byte(strings.Replace(minimal, "design:", "desing:", 1))); err == nil {
		t.Error("the schema accepts a misspelt key")
	}
}
