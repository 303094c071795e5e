package formats

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// bothChecks writes doc as ward import does and checks it both ways: the
// full parse of the written text (what ward import did before) and
// CheckWritten's shortcut (utf8.Valid and spec.CheckDecoded on the
// document). The shortcut may only say "valid" when the parse finds no
// error; sure reports whether it did.
func bothChecks(t testing.TB, doc *spec.Document, what string) (sure, parsedOK, clean bool) {
	t.Helper()
	out, err := interop.EncodeYAML(doc, []string{"a note"}, "test")
	if err != nil {
		return false, false, false // nothing written, nothing to check
	}
	_, diags, perr := spec.Parse("imported.yaml", out)
	sure = utf8.Valid(out) && spec.CheckDecoded(doc, len(out))
	if sure && perr != nil {
		t.Errorf("%s: CheckDecoded says valid, Parse says %v\n%s", what, perr, out)
	}
	return sure, perr == nil, len(diags) == 0
}

// importAll imports every importer fixture of the repository (and, when
// WARD_CORPUS names a directory, every file under it).
func importAll(t *testing.T, each func(name string, res *interop.Imported)) {
	var files []string
	dirs := []string{"../otm/testdata", "../threagile/testdata", "../threatcomposer/testdata", "../threatdragon/testdata", "../tmt/testdata"}
	if c := os.Getenv("WARD_CORPUS"); c != "" {
		dirs = append(dirs, c)
	}
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.Contains(p, "/golden/") && !strings.Contains(p, "/fuzz/") {
				files = append(files, p)
			}
			return nil
		})
	}
	n := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		imp := Find("", p, data)
		if imp == nil {
			continue
		}
		var res *interop.Imported
		if imp.ImportFrom != nil {
			root, err := os.OpenRoot(filepath.Dir(p))
			if err != nil {
				t.Fatal(err)
			}
			res, err = imp.Run(interop.Options{Root: root}, p, data)
			root.Close()
		} else {
			res, err = imp.Import(p, data)
		}
		if err != nil {
			continue
		}
		n++
		each(p, res)
	}
	if n < 15 {
		t.Fatalf("only %d fixtures imported", n)
	}
}

// TestCheckDecodedMatchesParse holds CheckWritten's shortcut to the parse on
// every fixture the importers have: never "valid" where the parse finds an
// error, and "valid" wherever the parse finds nothing at all (so ward
// import takes the shortcut on real models).
func TestCheckDecodedMatchesParse(t *testing.T) {
	sureN := 0
	importAll(t, func(name string, res *interop.Imported) {
		sure, _, clean := bothChecks(t, res.Doc, name)
		if clean && !sure {
			t.Errorf("%s: the parse finds nothing, CheckDecoded is not sure", name)
		}
		if sure {
			sureN++
		}
	})
	t.Logf("%d fixtures checked without parsing", sureN)
}

// TestCheckDecodedMutations breaks a generated model in each way the
// decoder or the build refuses (and a few they accept) and compares.
func TestCheckDecodedMutations(t *testing.T) {
	muts := map[string]func(d *spec.Document){
		"none":                   func(d *spec.Document) {},
		"duplicate id":           func(d *spec.Document) { d.Components[1].ID = d.Components[0].ID },
		"id shared across kinds": func(d *spec.Document) { d.Assets[0].ID = d.Components[0].ID },
		"dangling flow":          func(d *spec.Document) { d.Flows[0].To = "nowhere" },
		"flow to itself":         func(d *spec.Document) { d.Flows[0].To = d.Flows[0].From },
		"flow to an asset":       func(d *spec.Document) { d.Flows[0].To = d.Assets[0].ID },
		"bad enum":               func(d *spec.Document) { d.Components[0].Kind = "mainframe" },
		"enum in capitals":       func(d *spec.Document) { d.Components[0].Kind = "Service" },
		"bad id":                 func(d *spec.Document) { d.Components[0].ID = "a b" },
		"empty id":               func(d *spec.Document) { d.Components[0].ID = "" },
		"missing kind":           func(d *spec.Document) { d.Components[0].Kind = "" },
		"no system":              func(d *spec.Document) { d.System = nil },
		"empty system name":      func(d *spec.Document) { d.System.Name = "" },
		"port out of range":      func(d *spec.Document) { d.Flows[0].Port = 70000 },
		"negative port":          func(d *spec.Document) { d.Flows[0].Port = -1 },
		"ward 2":                 func(d *spec.Document) { d.Ward = 2 },
		"unknown control":        func(d *spec.Document) { d.Components[0].Controls = map[string]string{"frobs": "yes"} },
		"control bad value":      func(d *spec.Document) { d.Components[0].Controls = map[string]string{"mfa": "maybe"} },
		"control in capitals":    func(d *spec.Document) { d.Components[0].Controls = map[string]string{"mfa": "Yes"} },
		"control empty value":    func(d *spec.Document) { d.Components[0].Controls = map[string]string{"mfa": ""} },
		"nil component":          func(d *spec.Document) { d.Components = append(d.Components, nil) },
		"empty lists":            func(d *spec.Document) { d.Threats = []*spec.Threat{}; d.Components[0].Stores = []string{} },
		"bad date": func(d *spec.Document) {
			d.Threats = append(d.Threats, &spec.Threat{ID: "t-x", Title: "x", Status: "accepted", Owner: "o", Reason: "r", Expires: "2026-13-01"})
		},
		"accepted without owner": func(d *spec.Document) {
			d.Threats = append(d.Threats, &spec.Threat{ID: "t-x", Title: "x", Status: "accepted", Reason: "r", Expires: "2027-01-01"})
		},
		"accepted threat": func(d *spec.Document) {
			d.Threats = append(d.Threats, &spec.Threat{ID: "t-x", Title: "x", Status: "accepted", Owner: "o", Reason: "r", Expires: "2027-01-01", Targets: []string{d.Components[0].ID}})
		},
		"threat on nothing": func(d *spec.Document) {
			d.Threats = append(d.Threats, &spec.Threat{ID: "t-x", Title: "x", Targets: []string{"nowhere"}})
		},
		"two flows without id": func(d *spec.Document) {
			f := *d.Flows[0]
			f.ID = ""
			g := f
			d.Flows = append(d.Flows, &f, &g)
		},
		"policy out of range": func(d *spec.Document) { d.Policy = &spec.Policy{Uncertainty: 9} },
		"empty policy":        func(d *spec.Document) { d.Policy = &spec.Policy{} },
		"decision not finding": func(d *spec.Document) {
			d.Decisions = []*spec.Decision{{Finding: "x", Status: "mitigated", Reason: "r"}}
		},
		"invalid UTF-8":     func(d *spec.Document) { d.Components[0].Description = "a\xffb" },
		"control character": func(d *spec.Document) { d.Components[0].Description = "a\x01b\r\nc\u2028d" },
		"deep boundaries": func(d *spec.Document) {
			b := &spec.Boundary{ID: "b-0", Trust: "internal"}
			d.Boundaries = append(d.Boundaries, b)
			for i := 1; i < 80; i++ {
				c := &spec.Boundary{ID: "b-" + strings.Repeat("x", i), Trust: "internal"}
				b.Boundaries, b = []*spec.Boundary{c}, c
			}
		},
	}
	for name, mut := range muts {
		// ward import's check gives the parse's error, word for word.
		d := synthDoc(t, 40)
		mut(d)
		if out, err := interop.EncodeYAML(d, nil, "test"); err == nil {
			want, got := interop.CheckEncoded(out), interop.CheckWritten(d, out)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: CheckWritten says %v, CheckEncoded %v", name, got, want)
			}
		}
		d = synthDoc(t, 40)
		mut(d)
		sure, ok, clean := bothChecks(t, d, name)
		t.Logf("%-24s parse ok %-5v clean %-5v shortcut %v", name, ok, clean, sure)
		if name == "none" && !sure {
			t.Errorf("the generated model is not checked without parsing")
		}
	}
}

// synthYAML holds generated models by size, made once (the fuzz target
// starts from one on every run).
var synthYAML sync.Map // int -> []byte

func synthDoc(t testing.TB, n int) *spec.Document {
	y, ok := synthYAML.Load(n)
	if !ok {
		y, _ = synthYAML.LoadOrStore(n, synth.Generate(n, 7))
	}
	var d spec.Document
	if err := yaml.Unmarshal(y.([]byte), &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// leaves lists every value of doc a mutation may change: strings, ints,
// bools, string lists, maps, pointers and lists of pointers.
func leaves(v reflect.Value, out *[]reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		*out = append(*out, v)
		if !v.IsNil() {
			leaves(v.Elem(), out)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() && t.Field(i).Tag.Get("yaml") != "" {
				leaves(v.Field(i), out)
			}
		}
	case reflect.Slice:
		*out = append(*out, v)
		for i := range v.Len() {
			leaves(v.Index(i), out)
		}
	case reflect.String, reflect.Int, reflect.Bool, reflect.Map:
		*out = append(*out, v)
	}
}

// mutate applies the operations coded in data to doc: each picks a value
// (two bytes) and changes it (an operation byte, then text from data).
func mutate(doc *spec.Document, data []byte) {
	for len(data) >= 4 {
		var vs []reflect.Value
		leaves(reflect.ValueOf(doc).Elem(), &vs)
		v := vs[int(binary.LittleEndian.Uint16(data))%len(vs)]
		op, n := data[2], int(data[3])%16
		data = data[4:]
		n = min(n, len(data))
		text := string(data[:n])
		data = data[n:]
		// Another string of the model (ids, enums, references).
		var strs []string
		for _, x := range vs {
			if x.Kind() == reflect.String && x.String() != "" {
				strs = append(strs, x.String())
			}
		}
		other := ""
		if len(strs) > 0 {
			other = strs[(int(op)*7+n)%len(strs)]
		}
		switch v.Kind() {
		case reflect.String:
			switch op % 6 {
			case 0:
				v.SetString(text)
			case 1, 2:
				v.SetString(other)
			case 3:
				v.SetString(strings.ToUpper(v.String()))
			case 4: // another string with white space or a line break around it
				ws := []string{" ", "\n", "\r\n", "\t", "\n\n", "\u2028", "\u0085", "\ufeff"}
				w := ws[n%len(ws)]
				v.SetString([]string{other + w, w + other, other + w + other}[int(op/6)%3])
			case 5: // text and another string, joined
				v.SetString(text + other)
			}
		case reflect.Int:
			v.SetInt(int64(int16(op) * int16(n+1) * 37))
		case reflect.Bool:
			v.SetBool(!v.Bool())
		case reflect.Map:
			keys := []string{"mfa", "authn", "encrypts_at_rest", text, other}
			vals := []string{"yes", "no", "unknown", "", "Yes", text}
			v.Set(reflect.ValueOf(map[string]string{keys[int(op)%len(keys)]: vals[n%len(vals)]}))
		case reflect.Pointer:
			switch {
			case op%3 == 0:
				v.SetZero()
			case v.IsNil() && v.Type().Elem().Kind() == reflect.Struct:
				v.Set(reflect.New(v.Type().Elem()))
			}
		case reflect.Slice:
			switch op % 5 {
			case 0:
				v.SetZero()
			case 1:
				if v.Len() > 0 {
					v.Set(v.Slice(0, v.Len()-1))
				}
			case 2: // repeat an item (duplicate ids)
				if v.Len() > 0 {
					v.Set(reflect.Append(v, v.Index(int(op)%v.Len())))
				}
			case 3: // a new, empty item (or text)
				e := reflect.New(v.Type().Elem()).Elem()
				if e.Kind() == reflect.Pointer && op%2 == 0 {
					e.Set(reflect.New(e.Type().Elem()))
				} else if e.Kind() == reflect.String {
					e.SetString(text)
				}
				v.Set(reflect.Append(v, e))
			case 4:
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
		}
	}
}

// FuzzCheckDecoded mutates a generated model (any string, references to
// other elements, enums in capitals, nil and empty items, repeated items,
// controls, ports) and checks that CheckWritten's shortcut never calls
// valid what the parse of the written text refuses.
func FuzzCheckDecoded(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{5, 0, 1, 0, 9, 0, 2, 3, 'a', 'b', 'c'})
	f.Add([]byte{40, 0, 0, 2, 'x', ' ', 77, 1, 3, 0})
	f.Add([]byte{200, 0, 6, 0, 13, 1, 7, 4, 0xff, 0xfe, '\r', 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		d := synthDoc(t, 6)
		mutate(d, data)
		bothChecks(t, d, "mutated")
	})
}

// BenchmarkCheckWritten compares the two ways ward import checks a written
// model: parsing its text (CheckEncoded) and checking its document
// (CheckWritten's shortcut), on a generated model of 2,000 components.
func BenchmarkCheckWritten(b *testing.B) {
	doc := synthDoc(b, 2000)
	out, err := interop.EncodeYAML(doc, nil, "test")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := interop.CheckEncoded(out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("document", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !utf8.Valid(out) || !spec.CheckDecoded(doc, len(out)) {
				b.Fatal("not sure")
			}
		}
	})
}
