//go:build unix

package spec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWithin loads file, failing the test if it takes more than 5 s (a
// named pipe used to block the open for ever).
func loadWithin(t *testing.T, file string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := Load(t.Context(), file)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("loading %s hangs", file)
		return nil
	}
}

func wantFileDiag(t *testing.T, err error, want string) {
	t.Helper()
	var ds Diagnostics
	if !errors.As(err, &ds) || len(ds) == 0 || !strings.Contains(ds[0].String(), want) {
		t.Errorf("got %v, want a diagnostic saying %q", err, want)
	}
}

// TestSpecialFiles: a model, include or rule file that is a FIFO, a device
// or a directory is refused before it is opened, as a model problem.
func TestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o600); err != nil {
		t.Skip("no mkfifo here:", err)
	}
	os.Mkdir(filepath.Join(dir, "adir.yaml"), 0o700)
	write("inc-pipe.yaml", "ward: 1\ninclude: [pipe.yaml]\nsystem: {id: s, name: S}\n")
	write("rules-pipe.yaml", "ward: 1\nrules: [pipe.yaml]\nsystem: {id: s, name: S}\n")
	write("inc-dir.yaml", "ward: 1\ninclude: [adir.yaml]\nsystem: {id: s, name: S}\n")
	for file, want := range map[string]string{
		"pipe.yaml":       "pipe.yaml:1:1: the file is a named pipe (FIFO), not a regular file",
		"inc-pipe.yaml":   "named pipe",
		"rules-pipe.yaml": "named pipe",
		"inc-dir.yaml":    "a directory",
	} {
		wantFileDiag(t, loadWithin(t, filepath.Join(dir, file)), want)
	}
	wantFileDiag(t, loadWithin(t, "/dev/null"), "/dev/null:1:1: the file is a device")
}

// TestSymlinkEscape: a model or include that is a link out of the model's
// directory is a model problem (exit 2), not an I/O failure.
func TestSymlinkEscape(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte("ward: 1\nsystem: {id: s, name: S}\n"), 0o600)
	m := filepath.Join(dir, "m")
	os.Mkdir(m, 0o700)
	os.Symlink("../secret.yaml", filepath.Join(m, "ward.yaml"))
	wantFileDiag(t, loadWithin(t, filepath.Join(m, "ward.yaml")), "symbolic link to a file outside the model's directory")
	os.WriteFile(filepath.Join(m, "main.yaml"), []byte("ward: 1\ninclude: [ward.yaml]\nsystem: {id: s, name: S}\n"), 0o600)
	wantFileDiag(t, loadWithin(t, filepath.Join(m, "main.yaml")), "outside the model's directory")
}

// TestFlowsInSeveralFiles is a regression test: flows in an included file
// were dropped when the main file also had flows (the broken-flow pass ran
// per file, before the later files' flows were resolved).
func TestFlowsInSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	main := "ward: 1\nsystem: {id: s, name: S}\ninclude: [more.yaml]\ncomponents:\n  - {id: a, kind: service}\n  - {id: b, kind: service}\n" +
		"flows:\n  - {id: f1, from: a, to: b}\n"
	more := "ward: 1\nflows:\n  - {id: f2, from: b, to: a}\n"
	for name, s := range map[string]string{"ward.yaml": main, "more.yaml": more} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Load(context.Background(), filepath.Join(dir, "ward.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(l.Model.Flows); n != 2 {
		t.Errorf("%d flows, want 2 (one per file)", n)
	}
}
