package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/cli"
	"github.com/wardtm/ward/internal/synth"
)

// TestProgressOnlyOnTerminals: a large model shows progress on a terminal,
// and nothing at all when stderr is a pipe.
func TestProgressOnlyOnTerminals(t *testing.T) {
	if testing.Short() {
		t.Skip("analyses a 6,000-element model")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ward.yaml"), synth.Generate(1000, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tty := range []bool{false, true} {
		var stdout, stderr bytes.Buffer
		code := cli.Main(t.Context(), []string{"check", "--fail-on", "none", "--format", "json"}, cli.Env{Stdout: &stdout, Stderr: &stderr, Dir: dir, StderrTTY: tty})
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		shown := strings.Contains(stderr.String(), "analysing") || strings.Contains(stderr.String(), "%")
		if tty && !shown {
			t.Errorf("no progress on a terminal; stderr: %q", stderr.String())
		}
		if !tty && stderr.Len() > 0 {
			t.Errorf("output on stderr in a pipe: %q", stderr.String())
		}
	}
}
