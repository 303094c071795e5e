package ward_test

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// yamlKeys collects the YAML keys of a format type and everything under it.
func yamlKeys(t reflect.Type, keys map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			yamlKeys(f.Type, keys, seen)
			continue
		}
		if k := strings.Split(f.Tag.Get("yaml"), ",")[0]; k != "" && k != "-" {
			keys[k] = true
		}
		yamlKeys(f.Type, keys, seen)
	}
}

var (
	fence      = regexp.MustCompile("(?s)```ya?ml\n(.*?)```")
	findingRef = regexp.MustCompile("`([a-z][a-z0-9]*(?:-[a-z0-9]+)+):[A-Za-z0-9][A-Za-z0-9._-]*`")
	kebab      = regexp.MustCompile("`([a-z][a-z0-9]*(?:-[a-z0-9]+){2,})`")
)

// TestDocsUseRealNames extracts the rule ids and model keys the docs and
// the README use — in Ward YAML examples and in finding ids — and checks
// that each exists, so an example never teaches a name Ward refuses.
func TestDocsUseRealNames(t *testing.T) {
	ruleIDs := map[string]bool{}
	var ids []string
	for _, r := range rules.All() {
		ruleIDs[r.ID] = true
		ids = append(ids, r.ID)
	}
	top, keys := map[string]bool{}, map[string]bool{}
	yamlKeys(reflect.TypeOf(spec.Document{}), keys, map[reflect.Type]bool{})
	dt := reflect.TypeOf(spec.Document{})
	for i := range dt.NumField() {
		if k := strings.Split(dt.Field(i).Tag.Get("yaml"), ",")[0]; k != "" {
			top[k] = true
		}
	}
	for _, k := range model.ControlKeys() {
		keys[k] = true
	}
	files, _ := filepath.Glob("docs/*.md")
	files = append(files, "README.md")
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, m := range findingRef.FindAllStringSubmatch(text, -1) {
			if strings.HasPrefix(m[1], "ward-") || strings.Contains(m[0], "/") {
				continue
			}
			if !ruleIDs[m[1]] {
				t.Errorf("%s: finding id %s names no rule %q (did you mean %q?)", file, m[0], m[1], spec.Suggest(m[1], ids))
			}
		}
		for _, m := range kebab.FindAllStringSubmatch(text, -1) {
			if !ruleIDs[m[1]] {
				if s := spec.Suggest(m[1], ids); s != "" && s != m[1] && !strings.Contains(s, m[1]) && !strings.Contains(m[1], s) {
					t.Errorf("%s: `%s` is no rule — did you mean `%s`?", file, m[1], s)
				}
			}
		}
		for _, m := range fence.FindAllStringSubmatch(text, -1) {
			var doc yaml.Node
			if yaml.Unmarshal([]byte(m[1]), &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
				continue
			}
			root := doc.Content[0]
			ward := len(root.Content) > 0
			for i := 0; i < len(root.Content); i += 2 {
				if !top[root.Content[i].Value] {
					ward = false // another tool's YAML, or a custom rule file
				}
			}
			if !ward {
				continue
			}
			checked++
			var walk func(n *yaml.Node, under string)
			walk = func(n *yaml.Node, under string) {
				switch n.Kind {
				case yaml.MappingNode:
					for i := 0; i+1 < len(n.Content); i += 2 {
						k := n.Content[i].Value
						if under != "contacts" && !keys[k] {
							t.Errorf("%s:%d: key %q in a Ward example is not a model key (did you mean %q?)", file,
								strings.Count(text[:strings.Index(text, m[1])], "\n")+1+n.Content[i].Line, k, spec.Suggest(k, mapKeys(keys)))
						}
						if k == "finding" {
							if r, _, ok := strings.Cut(n.Content[i+1].Value, ":"); ok && !ruleIDs[r] {
								t.Errorf("%s: decision on %q names no rule %q", file, n.Content[i+1].Value, r)
							}
						}
						walk(n.Content[i+1], k)
					}
				case yaml.SequenceNode:
					for _, c := range n.Content {
						walk(c, under)
					}
				}
			}
			walk(root, "")
		}
	}
	if checked < 2 {
		t.Errorf("only %d Ward YAML examples found in the docs; the extraction is broken", checked)
	}
}

func mapKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
