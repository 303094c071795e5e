package cli_test

import (
	"bytes"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/wardtm/ward/examples"
	"github.com/wardtm/ward/internal/cli"
)

// TestLoadMaxInput: the commands that load a model refuse a model file
// over the --max-input limit (else WARD_MAX_INPUT, else 1 GiB) with exit 2
// and the flag that would load it, and load it under a larger limit. The
// shop's ward.yaml is 15,231 bytes; the threats.yaml it includes, 9,344.
func TestLoadMaxInput(t *testing.T) {
	dir := t.TempDir()
	sub, err := fs.Sub(examples.FS, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dir, sub); err != nil {
		t.Fatal(err)
	}
	run := func(env map[string]string, args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Main(t.Context(), args, cli.Env{Stdout: &stdout, Stderr: &stderr, Dir: dir, Getenv: func(k string) string { return env[k] }})
		return code, stderr.String()
	}
	const over = "ward.yaml: the file is 15231 bytes, over the 8 KiB limit — pass --max-input 16KiB to load it, or split the model with include\n"
	small := map[string]string{"WARD_MAX_INPUT": "8KiB"}
	tests := []struct {
		env  map[string]string
		args []string
		code int
		err  string
	}{
		{nil, []string{"check", "--fail-on", "none", "ward.yaml"}, 0, ""},
		{nil, []string{"--max-input", "8KiB", "check", "ward.yaml"}, 2, over},
		{nil, []string{"check", "--max-input", "8KiB", "ward.yaml"}, 2, over},
		{small, []string{"report", "ward.yaml"}, 2, over},
		{small, []string{"diagram", "ward.yaml"}, 2, over},
		{small, []string{"export", "--to", "otm", "ward.yaml"}, 2, over},
		{small, []string{"diff", "ward.yaml", "ward.yaml"}, 2, over},
		{small, []string{"check", "--max-input", "15KiB", "--fail-on", "none", "ward.yaml"}, 0, ""}, // the flag wins
		// Each file is bounded: ward.yaml and the file it includes are under 15,300.
		{nil, []string{"check", "--max-input", "15300", "--fail-on", "none", "ward.yaml"}, 0, ""},
		{nil, []string{"check", "--max-input", "64mb", "ward.yaml"}, 2, "--max-input: \"64mb\" is not a size"},
		{map[string]string{"WARD_MAX_INPUT": "lots"}, []string{"check", "ward.yaml"}, 2, "WARD_MAX_INPUT: \"lots\" is not a size"},
		// Commands that read no model or import file refuse the flag rather than ignore it.
		{nil, []string{"--max-input", "2GiB", "serve"}, 2, "ward serve reads none"},
		{nil, []string{"user", "list", "--max-input", "2GiB"}, 2, "ward user reads none"},
		{nil, []string{"version", "--max-input", "2GiB"}, 2, "ward version reads none"},
		{small, []string{"version"}, 0, ""}, // the variable is only read where it applies
	}
	for _, tt := range tests {
		code, errOut := run(tt.env, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.err) {
			t.Errorf("ward %v (%v): exit %d\nstderr: %s", tt.args, tt.env, code, errOut)
		}
	}
}
