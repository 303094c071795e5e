package report

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestGraphvizStartsLazily checks that linking the SVG renderer costs a
// program nothing at start-up: the Graphviz WebAssembly module is set up on
// the first drawing (graphviz.Load), not by a package init function. It runs
// this test binary again, running no test, with GODEBUG=inittrace=1, which
// lists every package init that does work.
func TestGraphvizStartsLazily(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(string(out), "init github.com/wardtm/ward/internal/report") {
		t.Fatalf("inittrace lists no report init; is GODEBUG=inittrace honoured?\n%s", out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "go-graphviz/internal/wasm") {
			t.Errorf("Graphviz starts with the program: %s", line)
		}
	}
}
