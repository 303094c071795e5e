// Package ward_test holds repository-wide checks: dependencies point inward
// and every package is documented.
package ward_test

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestModelHasNoIO keeps internal/model free of I/O: it imports no YAML,
// SQL, HTTP, file, logging or process package.
func TestModelHasNoIO(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", "./internal/model").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{"os", "io/fs", "net", "net/http", "database/sql", "log", "log/slog", "os/exec", "go.yaml.in/yaml/v4", "syscall"}
	deps := strings.Fields(string(out))
	for _, d := range deps {
		for _, f := range forbidden {
			if d == f {
				t.Errorf("internal/model depends on %s; the domain model must not do I/O", d)
			}
		}
	}
}

// TestDependenciesPointInward checks that lower layers never import the
// layers that wire things together.
func TestDependenciesPointInward(t *testing.T) {
	rules := map[string][]string{
		"./internal/model":     {"internal/spec", "internal/rule", "internal/risk", "internal/report", "internal/cli", "internal/analysis"},
		"./internal/spec":      {"internal/rule", "internal/risk", "internal/report", "internal/cli", "internal/analysis"},
		"./internal/rule":      {"internal/risk", "internal/report", "internal/cli", "internal/analysis"},
		"./internal/rules":     {"internal/risk", "internal/report", "internal/cli", "internal/analysis"},
		"./internal/risk":      {"internal/report", "internal/cli", "internal/spec"},
		"./internal/analysis":  {"internal/report", "internal/cli", "internal/server"},
		"./internal/report":    {"internal/cli", "internal/server", "internal/store"},
		"./internal/diff":      {"internal/cli", "internal/server", "internal/store"},
		"./internal/decide":    {"internal/cli", "internal/server", "internal/store", "internal/analysis", "internal/report", "internal/rule", "internal/risk"},
		"./internal/paths":     {"internal/cli", "internal/server", "internal/store", "internal/report"},
		"./internal/interop":   {"internal/cli", "internal/server", "internal/store"},
		"./internal/store":     {"internal/server", "internal/cli"},
		"./internal/programme": {"internal/server", "internal/cli", "internal/store", "internal/spec", "internal/report"},
		"./internal/notify":    {"internal/server", "internal/cli"},
		"./internal/server":    {"internal/cli"},
		"./internal/training":  {"internal/server", "internal/cli", "internal/store"},
	}
	for pkg, banned := range rules {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, d := range strings.Fields(string(out)) {
			for _, b := range banned {
				if strings.HasSuffix(d, b) {
					t.Errorf("%s imports %s: dependencies must point inward (spec -> model -> rule -> risk -> report; cli wires)", pkg, d)
				}
			}
		}
	}
}

// TestPureCoreHasNoIO keeps the analysis packages free of files, network,
// databases and processes: only the CLI, the server, the store and the
// loaders touch the outside world.
func TestPureCoreHasNoIO(t *testing.T) {
	forbidden := []string{"os", "os/exec", "net", "net/http", "database/sql", "io/fs", "syscall"}
	for _, pkg := range []string{"./internal/model", "./internal/rule", "./internal/rules", "./internal/risk", "./internal/analysis", "./internal/diff", "./internal/paths", "./internal/programme", "./internal/decide"} {
		out, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, d := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if d == f {
					t.Errorf("%s imports %s: analysis code must not do I/O", pkg, d)
				}
			}
		}
	}
}

// TestPackagesDocumented requires a package comment on every package.
func TestPackagesDocumented(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// third_party holds other modules (patched copies), not Ward's code.
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "third_party" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			return nil
		}
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, path, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			return err
		}
		for name, p := range pkgs {
			documented := false
			for _, f := range p.Files {
				if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
					documented = true
				}
			}
			if !documented {
				t.Errorf("package %s in %s has no package comment", name, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
