//go:build unix

package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSpecialFilesRefused: ward never opens a named pipe it is given as a
// model, include, rule file or import, and says why (exit 2); a model that
// links out of its directory is exit 2 too.
func TestSpecialFilesRefused(t *testing.T) {
	dir := t.TempDir()
	pipe := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skip("no mkfifo:", err)
	}
	model := filepath.Join(dir, "ward.yaml")
	os.WriteFile(model, []byte("ward: 1\nsystem: {id: s, name: S}\ncomponents:\n  - {id: a, kind: service}\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "outside.yaml"), []byte("ward: 1\n"), 0o600)
	os.Mkdir(filepath.Join(dir, "m"), 0o700)
	os.Symlink("../outside.yaml", filepath.Join(dir, "m", "ward.yaml"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", pipe}, "named pipe"},
		{[]string{"check", "--rules", pipe, model}, "named pipe"},
		{[]string{"import", pipe}, "named pipe"},
		{[]string{"check", filepath.Join(dir, "m", "ward.yaml")}, "outside the model's directory"},
	} {
		var out, errb bytes.Buffer
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		start := time.Now()
		code := Main(ctx, c.args, Env{Stdout: &out, Stderr: &errb})
		cancel()
		if time.Since(start) > 5*time.Second {
			t.Errorf("%v: took %s", c.args, time.Since(start))
		}
		if code != ExitInvalid || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", c.args, code, errb.String(), c.want)
		}
	}
}
