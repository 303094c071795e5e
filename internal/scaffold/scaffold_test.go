package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// TestTemplatesLoad proves every template loads as written, with awkward
// names and teams, and carries the system's id.
func TestTemplatesLoad(t *testing.T) {
	for _, tpl := range Templates {
		for _, name := range []string{"", "Shop: v2 #1", "yes", `Quote "this"`} {
			out, err := FromTemplate(tpl.Name, "my-sys", name, "team-a")
			if err != nil {
				t.Fatalf("%s %q: %v", tpl.Name, name, err)
			}
			m, _, err := spec.Parse("ward.yaml", out)
			if err != nil {
				t.Fatalf("%s: %v\n%s", tpl.Name, err, out)
			}
			if m.System.ID != "my-sys" {
				t.Errorf("%s: system id %q", tpl.Name, m.System.ID)
			}
			if want := strings.TrimSpace(name); want != "" && m.System.Name != want {
				t.Errorf("%s: system name %q, want %q", tpl.Name, m.System.Name, want)
			}
		}
	}
	if _, err := FromTemplate("nope", "x", "", ""); err == nil {
		t.Error("unknown template: no error")
	}
	if _, err := FromTemplate("web-app", "bad id", "", ""); err == nil {
		t.Error("bad id: no error")
	}
	if _, err := FromTemplate("web-app", "ok", "", "bad team!"); err == nil {
		t.Error("bad team: no error")
	}
}

// TestRenderLoads checks a scaffold with every kind loads through the
// loader (as ward init checks before writing).
func TestRenderLoads(t *testing.T) {
	sc := Scaffold{ID: "x", Team: "t", Kinds: model.ComponentKinds}
	dir := t.TempDir()
	file := filepath.Join(dir, "ward.yaml")
	if err := os.WriteFile(file, sc.Render(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := spec.Load(context.Background(), file); err != nil {
		t.Fatal(err)
	}
}
