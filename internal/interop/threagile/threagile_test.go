package threagile

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/interop"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestModels(t *testing.T) {
	files, _ := filepath.Glob("testdata/models/*.yaml")
	if len(files) < 2 {
		t.Fatal("no test models")
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
			out, err := interop.Encode(res.Doc, res.Notes, "Threagile file "+filepath.Base(f))
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			golden := filepath.Join("testdata", "golden", filepath.Base(f))
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

// aliasBomb returns a Threagile-looking file whose aliases expand to 10^levels
// nodes.
func aliasBomb(levels int) string {
	var b strings.Builder
	b.WriteString("title: bomb\ntechnical_assets: {}\ndata_assets: {}\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "x%d: &x%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*x%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestHostile(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"alias bomb", aliasBomb(9), "more than"},
		{"deep nesting", "technical_assets: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n", ""},
		{"deep mappings", "technical_assets:\n" + func() string {
			var b strings.Builder
			for i := 0; i < 200; i++ {
				b.WriteString(strings.Repeat(" ", i+1) + "a:\n")
			}
			return b.String()
		}(), "more than"},
		{"not a mapping", "- a\n- b\n", "YAML mapping"},
		{"technical_assets a list", "title: x\ntechnical_assets: [a, b]\n", "must be a mapping"},
		{"asset of wrong shape", "technical_assets:\n  A:\n    id: [1, 2]\n", "unexpected shape"},
		{"link of wrong shape", "technical_assets:\n  A:\n    id: a\n    communication_links: 3\n", "must be a mapping"},
		{"syntax error", "technical_assets:\n  A: [\n", "invalid YAML"},
		{"empty", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Import("threagile.yaml", []byte(tt.data))
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			var ie *interop.InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an InputError containing %q", err, tt.want)
			}
		})
	}
}

func TestCycleAndUnknownRefs(t *testing.T) {
	data := `title: cyc
technical_assets:
  A: {id: a, type: process, communication_links: {L: {target: nowhere}}}
trust_boundaries:
  X: {id: x, trust_boundaries_nested: [y], technical_assets_inside: [a, ghost]}
  Y: {id: y, trust_boundaries_nested: [x]}
`
	res, err := Import("t.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := interop.Encode(res.Doc, res.Notes, "t"); err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"cycle was broken", `unknown technical asset "ghost"`, `targets unknown technical asset "nowhere"`} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

func FuzzImportThreagile(f *testing.F) {
	for _, p := range []string{"testdata/models/webshop.yaml", "testdata/models/minimal.yaml"} {
		data, _ := os.ReadFile(p)
		f.Add(data)
	}
	f.Add([]byte(aliasBomb(3)))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import("fuzz.yaml", data)
		if err != nil {
			return
		}
		if _, err := interop.Encode(res.Doc, res.Notes, "fuzz"); err != nil {
			t.Fatalf("valid input gave an invalid model: %v", err)
		}
	})
}

// TestIncludes: a model split with includes: (Threagile's own files) is
// detected, its includes are read from its directory and merged; includes
// that leave the directory, or a model read without its directory, are
// refused clearly.
func TestIncludes(t *testing.T) {
	data, err := os.ReadFile("testdata/split/model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !Detect("model.yaml", data) {
		t.Error("a model with includes: is not detected")
	}
	root, err := os.OpenRoot("testdata/split")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	res, err := ImportFrom(interop.Options{Root: root}, "model.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if res.Doc.System.Name != "Some Example Application" || len(res.Doc.Components) != 3 {
		t.Errorf("system %q, %d components; want the included title and 3 components", res.Doc.System.Name, len(res.Doc.Components))
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "includes were read and merged: meta.yaml, technical_assets_clients.yaml") {
		t.Errorf("notes: %v", res.Notes)
	}
	if _, err := interop.Encode(res.Doc, res.Notes, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := Import("model.yaml", data); err == nil || !strings.Contains(err.Error(), "includes other files") {
		t.Errorf("import without the directory: %v", err)
	}

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "m", "parts"), 0o755)
	os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte("title: outside\n"), 0o644)
	os.Symlink(filepath.Join(dir, "secret.yaml"), filepath.Join(dir, "m", "link.yaml"))
	write := func(name, s string) { os.WriteFile(filepath.Join(dir, "m", name), []byte(s), 0o644) }
	write("parts/a.yaml", "includes: [b.yaml]\ntechnical_assets:\n  A:\n    id: a\n    type: process\n")
	write("parts/b.yaml", "includes: [a.yaml]\ntechnical_assets:\n  B:\n    id: b\n    type: datastore\n")
	r2, _ := os.OpenRoot(filepath.Join(dir, "m"))
	defer r2.Close()
	for _, tt := range []struct{ main, want string }{
		{"threagile_version: 1.0.0\nincludes: [parts/a.yaml]\n", ""},
		{"threagile_version: 1.0.0\nincludes: [../secret.yaml]\n", "outside the model's directory"},
		{"threagile_version: 1.0.0\nincludes: [link.yaml]\n", "include \"link.yaml\""},
		{"threagile_version: 1.0.0\nincludes: [/etc/passwd]\n", "outside the model's directory"},
		{"threagile_version: 1.0.0\nincludes: [parts/a.yaml]\ntechnical_assets:\n  A:\n    id: a\n", "technical_assets \"A\" is also defined in"},
	} {
		res, err := ImportFrom(interop.Options{Root: r2}, "main.yaml", []byte(tt.main))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.main, err)
		case tt.want == "" && len(res.Doc.Components) != 2:
			t.Errorf("%q: %d components, want 2 (nested includes, a cycle)", tt.main, len(res.Doc.Components))
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: got %v, want an error with %q", tt.main, err, tt.want)
		}
	}

	// An included file is bounded by the caller's limit, as the model is.
	small := interop.Options{Root: r2, MaxBytes: 40, Hint: func(int64) string { return "raise it" }}
	_, err = ImportFrom(small, "main.yaml", []byte("threagile_version: 1.0.0\nincludes: [parts/a.yaml]\n"))
	if !errors.Is(err, interop.ErrTooLarge) || err.Error() != "parts/a.yaml: the file is 70 bytes, over the 40 bytes limit — raise it" {
		t.Errorf("include over the limit: %v", err)
	}
	if _, err := ImportFrom(interop.Options{Root: r2, MaxBytes: 72}, "main.yaml", []byte("threagile_version: 1.0.0\nincludes: [parts/a.yaml]\n")); err != nil {
		t.Errorf("include at the limit: %v", err)
	}
}
