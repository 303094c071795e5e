// Package schemagen generates the JSON Schema of the ward.yaml format and its
// reference documentation (docs/format.md) from internal/spec/types.go: the
// Go types give the structure, their struct tags the constraints and their
// doc comments the descriptions.
//
// It reads types.go as source (go/parser, go/doc) rather than importing the
// spec package, so that `go generate` works even while the generated files
// are stale or missing. It is used by internal/spec/gen (the generator run
// by `go generate ./internal/spec`) and by the spec package's tests, which
// check that the committed files are up to date.
package schemagen

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// SchemaID is the schema's $id: where it is published.
const SchemaID = "https://raw.githubusercontent.com/wardtm/ward/main/schema/ward.schema.json"

// IDPattern is the pattern of ids; it must match idPattern in decode.go.
const IDPattern = `^[A-Za-z0-9][A-Za-z0-9._-]*$`

// DatePattern is the pattern of YYYY-MM-DD dates.
const DatePattern = `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`

// Example is a short, complete model, shown in docs/format.md. The spec
// package's tests check that both the loader and the schema accept it.
//
//go:embed example.yaml
var Example []byte

// Output is what Generate produces.
type Output struct {
	Schema []byte // ward.schema.json
	Docs   []byte // docs/format.md
}

// fieldInfo is one key of a format type, as read from types.go.
type fieldInfo struct {
	Key      string
	GoName   string
	Doc      string
	Kind     string // string, int, bool, strings, structs, struct, controls
	Elem     string // the struct type for struct and structs
	Required bool
	Enum     []string
	Ref      string
	Keys     string
	Format   string
	ID       bool
}

// typeInfo is one format type.
type typeInfo struct {
	Name   string
	Doc    string
	Fields []fieldInfo
}

// Generate reads the source of types.go and returns the schema and the docs.
func Generate(typesGo []byte) (*Output, error) {
	types, err := parseTypes(typesGo)
	if err != nil {
		return nil, err
	}
	byName := map[string]*typeInfo{}
	for _, t := range types {
		byName[t.Name] = t
	}
	if byName["Document"] == nil {
		return nil, fmt.Errorf("types.go: no Document type")
	}
	for _, t := range types {
		for _, f := range t.Fields {
			if f.Elem != "" && byName[f.Elem] == nil {
				return nil, fmt.Errorf("types.go: %s.%s refers to %s, which is not a format type", t.Name, f.GoName, f.Elem)
			}
		}
	}
	schema, err := genSchema(types)
	if err != nil {
		return nil, err
	}
	return &Output{Schema: schema, Docs: genDocs(types)}, nil
}

func parseTypes(src []byte) ([]*typeInfo, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "types.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	pkg, err := doc.NewFromFiles(fset, []*ast.File{f}, "github.com/wardtm/ward/internal/spec", doc.AllDecls|doc.PreserveAST)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	for _, t := range pkg.Types {
		docs[t.Name] = t.Doc
	}
	var out []*typeInfo
	// Walk the file rather than pkg.Types, to keep declaration order.
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok || !ts.Name.IsExported() {
				continue
			}
			ti := &typeInfo{Name: ts.Name.Name, Doc: oneLine(docs[ts.Name.Name])}
			for _, fl := range st.Fields.List {
				if fl.Tag == nil || len(fl.Names) != 1 || !fl.Names[0].IsExported() {
					continue
				}
				tagStr, err := strconv.Unquote(fl.Tag.Value)
				if err != nil {
					return nil, fmt.Errorf("%s: bad tag: %v", fset.Position(fl.Pos()), err)
				}
				tag := reflect.StructTag(tagStr)
				key := tag.Get("yaml")
				if key == "" || key == "-" {
					continue
				}
				fi := fieldInfo{Key: key, GoName: fl.Names[0].Name, Doc: oneLine(fl.Doc.Text()),
					Required: tag.Get("required") == "true", Ref: tag.Get("ref"), Keys: tag.Get("keys"),
					Format: tag.Get("format"), ID: tag.Get("id") == "true"}
				if e := tag.Get("enum"); e != "" {
					fi.Enum = strings.Split(e, ",")
				}
				if fi.Doc == "" {
					return nil, fmt.Errorf("%s: %s.%s has no doc comment; it is the format's documentation", fset.Position(fl.Pos()), ti.Name, fi.GoName)
				}
				if err := fi.setKind(fl.Type); err != nil {
					return nil, fmt.Errorf("%s: %s.%s: %v", fset.Position(fl.Pos()), ti.Name, fi.GoName, err)
				}
				ti.Fields = append(ti.Fields, fi)
			}
			if len(ti.Fields) > 0 {
				out = append(out, ti)
			}
		}
	}
	return out, nil
}

func (fi *fieldInfo) setKind(e ast.Expr) error {
	switch t := e.(type) {
	case *ast.Ident:
		switch t.Name {
		case "string", "int", "bool":
			fi.Kind = t.Name
			return nil
		}
	case *ast.ArrayType:
		if t.Len != nil {
			break
		}
		if id, ok := t.Elt.(*ast.Ident); ok && id.Name == "string" {
			fi.Kind = "strings"
			return nil
		}
		if st, ok := t.Elt.(*ast.StarExpr); ok {
			if id, ok := st.X.(*ast.Ident); ok {
				fi.Kind, fi.Elem = "structs", id.Name
				return nil
			}
		}
	case *ast.StarExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			fi.Kind, fi.Elem = "struct", id.Name
			return nil
		}
	case *ast.MapType:
		k, kok := t.Key.(*ast.Ident)
		v, vok := t.Value.(*ast.Ident)
		if kok && vok && k.Name == "string" && v.Name == "string" && fi.Keys == "controls" {
			fi.Kind = "controls"
			return nil
		}
	}
	return fmt.Errorf("unsupported field type %s", types(e))
}

func types(e ast.Expr) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%T", e)
	return b.String()
}

// oneLine joins a doc comment's lines.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// isTri reports whether an enum is the yes/no/unknown tri-state, which also
// accepts YAML booleans.
func isTri(enum []string) bool {
	return len(enum) == 3 && enum[0] == "yes" && enum[1] == "no" && enum[2] == "unknown"
}

// controlsDoc describes the controls mapping.
const controlsDoc = "Security controls as yes / no / unknown facts (true and false are read as yes and no). Unknown, the default, is never taken to mean no: the threats it would settle are listed as unverified (not known to be mitigated), with the question to answer."

// ---- JSON Schema ----

// obj is a JSON object that keeps its keys in order.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(p.k)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(p.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func genSchema(types []*typeInfo) ([]byte, error) {
	var doc *typeInfo
	defs := obj{}
	for _, t := range types {
		if t.Name == "Document" {
			doc = t
			continue
		}
		defs = append(defs, kv{t.Name, structSchema(t, obj{{"title", t.Name}, {"description", t.Doc}})})
	}
	defs = append(defs, kv{"Controls", controlsSchema()})
	root := obj{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", SchemaID},
		{"title", "Ward threat model (ward.yaml, format version 1)"},
		{"description", doc.Doc + " Generated from internal/spec/types.go; see docs/format.md."},
	}
	root = structSchema(doc, root)
	root = append(root, kv{"$defs", defs})
	out, err := marshal(root)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, out, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func structSchema(t *typeInfo, head obj) obj {
	props := obj{}
	var required []string
	for _, f := range t.Fields {
		props = append(props, kv{f.Key, fieldSchema(f)})
		if f.Required {
			required = append(required, f.Key)
		}
	}
	s := append(head, kv{"type", "object"}, kv{"properties", props})
	if len(required) > 0 {
		s = append(s, kv{"required", required})
	}
	return append(s, kv{"additionalProperties", false})
}

func fieldSchema(f fieldInfo) obj {
	s := obj{{"description", f.Doc}}
	switch f.Kind {
	case "string":
		s = append(s, stringSchema(f)...)
	case "strings":
		s = append(s, kv{"type", "array"}, kv{"items", stringSchema(f)})
	case "int":
		s = append(s, kv{"type", "integer"})
		var nums []any
		for _, e := range f.Enum {
			n, _ := strconv.Atoi(e)
			nums = append(nums, n)
		}
		switch {
		case len(nums) == 1:
			s = append(s, kv{"const", nums[0]})
		case len(nums) > 1:
			s = append(s, kv{"enum", nums})
		}
		if f.Key == "port" { // checked by the decoder
			s = append(s, kv{"minimum", 0}, kv{"maximum", 65535})
		}
	case "bool":
		// The loader also reads yes and no as true and false.
		s = append(s, kv{"enum", []any{true, false, "yes", "no"}})
	case "struct":
		s = append(s, kv{"$ref", "#/$defs/" + f.Elem})
	case "structs":
		s = append(s, kv{"type", "array"}, kv{"items", obj{{"$ref", "#/$defs/" + f.Elem}}})
	case "controls":
		s = append(s, kv{"$ref", "#/$defs/Controls"})
	}
	return s
}

func stringSchema(f fieldInfo) obj {
	switch {
	case isTri(f.Enum):
		return obj{{"enum", []any{"yes", "no", "unknown", true, false}}}
	case len(f.Enum) > 0:
		return obj{{"type", "string"}, {"enum", f.Enum}}
	case f.ID || f.Ref != "":
		return obj{{"type", "string"}, {"pattern", IDPattern}}
	case f.Format == "date":
		return obj{{"type", "string"}, {"format", "date"}, {"pattern", DatePattern}}
	}
	return obj{{"type", "string"}}
}

func controlsSchema() obj {
	props := obj{}
	for _, c := range model.AllControls() {
		ci := c.Info()
		props = append(props, kv{ci.Key, obj{
			{"description", ci.Doc + " Ward asks: " + question(ci.Question)},
			{"enum", []any{"yes", "no", "unknown", true, false}},
		}})
	}
	return obj{{"title", "Controls"}, {"description", controlsDoc}, {"type", "object"}, {"properties", props}, {"additionalProperties", false}}
}

func question(q string) string {
	return strings.ReplaceAll(q, "%s", "<id>")
}

// ---- docs/format.md ----

func genDocs(types []*typeInfo) []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# The ward.yaml format (version 1)\n\n")
	w("<!-- Generated by `go generate ./internal/spec` from internal/spec/types.go. Do not edit. -->\n\n")
	w("A Ward threat model is a YAML file, usually named `ward.yaml`. This page lists every section and key.\n")
	w("Keys are snake_case; unknown keys are errors. Every problem is reported at once, as\n")
	w("`file:line:col: what is wrong — what to do`.\n\n")
	w("Editors can complete and check the file with the JSON Schema in\n")
	w("[schema/ward.schema.json](../schema/ward.schema.json) (`ward schema` prints it). With the YAML\n")
	w("language server, start the file with:\n\n")
	w("```yaml\n# yaml-language-server: $schema=%s\n```\n\n", SchemaID)
	w("Ids (of assets, boundaries, components, flows, threats, mitigations and assumptions) are letters,\n")
	w("digits, `.`, `_` and `-`, starting with a letter or digit, and are unique across the whole model.\n")
	w("Dates are written `YYYY-MM-DD`.\n\n")

	w("## Contents\n\n")
	for _, t := range types {
		w("- [%s](#%s)\n", heading(t), anchor(heading(t)))
	}
	w("- [Controls](#controls)\n- [Example](#example)\n\n")

	usedIn := map[string][]string{}
	for _, t := range types {
		for _, f := range t.Fields {
			if f.Elem != "" {
				usedIn[f.Elem] = append(usedIn[f.Elem], fmt.Sprintf("`%s` in [%s](#%s)", f.Key, heading(t), anchor(heading(t))))
			}
		}
	}
	for _, t := range types {
		w("## %s\n\n", heading(t))
		w("%s\n\n", t.Doc)
		if u := usedIn[t.Name]; len(u) > 0 {
			w("Used as: %s.\n\n", strings.Join(u, ", "))
		}
		w("| Key | Type | Required | Allowed values | Description |\n")
		w("|-----|------|----------|----------------|-------------|\n")
		for _, f := range t.Fields {
			req := ""
			if f.Required {
				req = "yes"
			}
			w("| `%s` | %s | %s | %s | %s |\n", f.Key, cell(typeName(f, types)), req, cell(allowed(f)), cell(f.Doc))
		}
		w("\n")
	}

	w("## Controls\n\n")
	w("%s\n\n", controlsDoc)
	w("Components and flows take a `controls:` mapping from these keys to `yes`, `no` or `unknown`.\n")
	w("The question is what Ward asks (in `ward triage` and in findings) while the answer is unknown.\n\n")
	w("| Key | Applies to | Question Ward asks | Meaning |\n")
	w("|-----|------------|--------------------|---------|\n")
	for _, c := range model.AllControls() {
		ci := c.Info()
		on := "components"
		if ci.Flow {
			on = "flows"
		}
		w("| `%s` | %s | %s | %s |\n", ci.Key, on, cell(question(ci.Question)), cell(ci.Doc))
	}
	w("\n## Example\n\n```yaml\n%s", Example)
	if !bytes.HasSuffix(Example, []byte("\n")) {
		w("\n")
	}
	w("```\n")
	return b.Bytes()
}

func heading(t *typeInfo) string {
	if t.Name == "Document" {
		return "Top level"
	}
	return t.Name
}

// anchor is the GitHub heading anchor of h.
func anchor(h string) string {
	return strings.ReplaceAll(strings.ToLower(h), " ", "-")
}

func typeName(f fieldInfo, types []*typeInfo) string {
	link := func(name string) string {
		for _, t := range types {
			if t.Name == name {
				return fmt.Sprintf("[%s](#%s)", name, anchor(heading(t)))
			}
		}
		return name
	}
	switch f.Kind {
	case "string":
		switch {
		case f.ID:
			return "id"
		case f.Format == "date":
			return "date"
		case f.Ref != "":
			return "reference"
		}
		return "text"
	case "strings":
		if f.Ref != "" {
			return "list of references"
		}
		return "list of text"
	case "int":
		return "number"
	case "bool":
		return "true/false"
	case "struct":
		return link(f.Elem)
	case "structs":
		return "list of " + link(f.Elem)
	case "controls":
		return "mapping"
	}
	return f.Kind
}

func allowed(f fieldInfo) string {
	var parts []string
	if len(f.Enum) > 0 {
		q := make([]string, len(f.Enum))
		for i, e := range f.Enum {
			q[i] = "`" + e + "`"
		}
		parts = append(parts, strings.Join(q, ", "))
	}
	if f.Ref != "" {
		what := strings.TrimSuffix(f.Ref, "s")
		if f.Ref == "elements" {
			what = "component, flow, boundary or asset"
		} else if f.Ref == "boundaries" {
			what = "boundary"
		}
		parts = append(parts, "the id of a "+what)
	}
	switch {
	case f.Kind == "bool":
		parts = append(parts, "`true`, `false`")
	case f.Kind == "controls":
		parts = append(parts, "[control keys](#controls): `yes`, `no`, `unknown`")
	case f.ID:
		parts = append(parts, "letters, digits, `.` `_` `-`")
	case f.Format == "date":
		parts = append(parts, "`YYYY-MM-DD`")
	case f.Key == "port" && f.Kind == "int":
		parts = append(parts, "0 to 65535")
	}
	return strings.Join(parts, "; ")
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
