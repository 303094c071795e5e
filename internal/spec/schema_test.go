package spec_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/spec/internal/schemagen"
)

// TestSchemaUpToDate checks that the generated files match types.go.
func TestSchemaUpToDate(t *testing.T) {
	src, err := os.ReadFile("types.go")
	if err != nil {
		t.Fatal(err)
	}
	out, err := schemagen.Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want []byte
	}{
		{"ward.schema.json", out.Schema},
		{"../../schema/ward.schema.json", out.Schema},
		{"../../docs/format.md", out.Docs},
	} {
		got, err := os.ReadFile(c.path)
		if err != nil {
			t.Errorf("%s: %v; run go generate ./internal/spec", c.path, err)
			continue
		}
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s is out of date with types.go; run go generate ./internal/spec", c.path)
		}
	}
	if !bytes.Equal(spec.Schema(), out.Schema) {
		t.Errorf("the embedded schema is out of date; run go generate ./internal/spec")
	}
	// Generation is deterministic.
	again, err := schemagen.Generate(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Schema, out.Schema) || !bytes.Equal(again.Docs, out.Docs) {
		t.Error("two generations differ")
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(spec.Schema()))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemagen.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemagen.SchemaID)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

// yamlToJSON converts a YAML document into the values encoding/json would
// produce for the equivalent JSON, the way an editor's YAML language server
// sees it: tags decide numbers, booleans and nulls; dates stay strings.
func yamlToJSON(data []byte) (any, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if len(root.Content) == 0 {
		return nil, nil
	}
	budget := 1_000_000
	return nodeToJSON(root.Content[0], &budget)
}

func nodeToJSON(n *yaml.Node, budget *int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("too many nodes")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nodeToJSON(n.Alias, budget)
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeToJSON(n.Content[0], budget)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeToJSON(c, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		merged := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: non-scalar key", k.Line)
			}
			if k.Tag == "!!merge" {
				m, err := nodeToJSON(v, budget)
				if err != nil {
					return nil, err
				}
				srcs, ok := m.([]any)
				if !ok {
					srcs = []any{m}
				}
				for _, src := range srcs {
					mm, ok := src.(map[string]any)
					if !ok {
						return nil, fmt.Errorf("line %d: merge of a non-mapping", k.Line)
					}
					for mk, mv := range mm {
						if _, ok := merged[mk]; !ok { // earlier mappings win
							merged[mk] = mv
						}
					}
				}
				continue
			}
			if _, dup := out[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			val, err := nodeToJSON(v, budget)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		for k, v := range merged { // explicit keys win
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, err
			}
			return v, nil
		}
		return n.Value, nil // !!str, !!timestamp, !!binary, custom tags
	}
	return nil, fmt.Errorf("unexpected YAML node kind %v", n.Kind)
}

func validate(sch *jsonschema.Schema, data []byte) error {
	v, err := yamlToJSON(data)
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// TestSchemaAgreesWithDecoder checks that the schema accepts the models the
// loader accepts and rejects what it rejects.
func TestSchemaAgreesWithDecoder(t *testing.T) {
	sch := compileSchema(t)

	valid, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(valid) == 0 {
		t.Fatal("no testdata/valid/*.yaml")
	}
	check := func(name string, data []byte, parse bool) {
		t.Run("valid/"+name, func(t *testing.T) {
			if err := validate(sch, data); err != nil {
				t.Errorf("the schema rejects a valid model:\n%v", err)
			}
			if parse {
				if _, _, err := spec.Parse(name, data); err != nil {
					t.Errorf("the loader rejects a valid model:\n%v", err)
				}
			}
		})
	}
	for _, f := range valid {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(filepath.Base(f), data, true)
	}
	check("docs-example", schemagen.Example, true)

	// Examples: every YAML file must match the schema; every ward.yaml must
	// load with its includes.
	var examples []string
	_ = filepath.WalkDir("../../examples", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			examples = append(examples, p)
		}
		return nil
	})
	sort.Strings(examples)
	for _, p := range examples {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if isRuleFile(data) {
			continue
		}
		name := strings.TrimPrefix(filepath.ToSlash(p), "../../")
		check(name, data, false)
		if filepath.Base(p) == "ward.yaml" {
			t.Run("load/"+name, func(t *testing.T) {
				if _, err := spec.Load(t.Context(), p); err != nil {
					t.Errorf("the loader rejects an example:\n%v", err)
				}
			})
		}
	}

	invalid, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(invalid) == 0 {
		t.Fatal("no testdata/invalid/*.yaml")
	}
	for _, f := range invalid {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("invalid/"+filepath.Base(f), func(t *testing.T) {
			if err := validate(sch, data); err == nil {
				t.Error("the schema accepts an invalid model")
			}
			if _, _, err := spec.Parse(f, data); err == nil {
				t.Error("the loader accepts an invalid model")
			}
		})
	}
}

// isRuleFile tells custom rule files (which examples may hold) from model
// files: model files start with the format version.
func isRuleFile(data []byte) bool {
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return false
	}
	_, ok := m["ward"]
	return !ok
}
