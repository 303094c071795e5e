package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const diagramModel = `ward: 1
system: {id: t, name: Test}
assets:
  - {id: card, classification: restricted}
boundaries:
  - id: dc
    trust: internal
    boundaries:
      - {id: db.zone, trust: restricted}
components:
  - {id: user, kind: person}
  - {id: api, kind: service, boundary: dc}
  - {id: db, kind: datastore, boundary: db.zone, stores: [card]}
flows:
  - {from: user, to: api, protocol: https, carries: [card]}
  - {from: api, to: db, protocol: sql, carries: [card]}
`

func runDiagram(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), append([]string{"diagram"}, args...), Env{Stdout: &out, Stderr: &errb, Dir: dir,
		Now: func() time.Time { return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) }, Version: "test"})
	return code, out.String(), errb.String()
}

func TestDiagramCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ward.yaml"), []byte(diagramModel), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runDiagram(t, dir)
	if code != ExitOK || !strings.HasPrefix(out, "flowchart LR\n") || !strings.Contains(out, "subgraph b_db_zone") {
		t.Fatalf("mermaid: exit %d, stderr %q, out:\n%s", code, errs, out)
	}
	code, out, _ = runDiagram(t, dir, "--format", "dot", "--boundary", "db.zone")
	if code != ExitOK || !strings.HasPrefix(out, "digraph") || !strings.Contains(out, "cluster_b_db_zone") || strings.Contains(out, "c_user") {
		t.Fatalf("dot --boundary: exit %d, out:\n%s", code, out)
	}
	code, out, _ = runDiagram(t, dir, "-o", "dfd.mmd", "--asset", "card")
	data, err := os.ReadFile(filepath.Join(dir, "dfd.mmd"))
	if code != ExitOK || out != "" || err != nil || !strings.Contains(string(data), "c_db") {
		t.Fatalf("-o: exit %d, err %v, file:\n%s", code, err, data)
	}
	code, _, errs = runDiagram(t, dir, "--boundary", "nope")
	if code != ExitInvalid || !strings.Contains(errs, `unknown boundary "nope" (boundaries: db.zone, dc)`) {
		t.Fatalf("unknown boundary: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runDiagram(t, dir, "--asset", "nope")
	if code != ExitInvalid || !strings.Contains(errs, `unknown asset "nope" (assets: card)`) {
		t.Fatalf("unknown asset: exit %d, stderr %q", code, errs)
	}
	code, out, errs = runDiagram(t, dir, "--format", "svg", "--boundary", "dc")
	if code != ExitOK || !strings.HasPrefix(out, "<?xml") || !strings.Contains(out, "<svg") || !strings.Contains(out, `xlink:href="#c-api"`) ||
		!strings.Contains(out, `xlink:href="#c-db"`) {
		t.Fatalf("svg: exit %d, stderr %q, out:\n%s", code, errs, out)
	}
	code, _, errs = runDiagram(t, dir, "--format", "png")
	if code != ExitInvalid || !strings.Contains(errs, "mermaid, dot or svg") {
		t.Fatalf("bad format: exit %d, stderr %q", code, errs)
	}
}
