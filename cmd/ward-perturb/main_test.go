package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	src := t.TempDir()
	c := filepath.Join(src, "case")
	if err := os.MkdirAll(c, 0o755); err != nil {
		t.Fatal(err)
	}
	model := "ward: 1\ncontext: {internet_facing: yes}\ncomponents:\n  - {id: db, kind: datastore, description: Orders}\n"
	if err := os.WriteFile(filepath.Join(c, "ward.yaml"), []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-p", "no-context,generic-kinds", "-o", out, src}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got, err := os.ReadFile(filepath.Join(out, "case", "ward.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "context") || !strings.Contains(string(got), "kind: service") || !strings.Contains(string(got), "Orders") {
		t.Errorf("output:\n%s", got)
	}
	if !strings.Contains(stderr.String(), "1 models rewritten") {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestRunErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{}, 2, "usage"},
		{[]string{"-p", "no-context", "dir"}, 2, "usage"},
		{[]string{"-p", "bogus", "-o", "x", "dir"}, 2, "unknown perturbation"},
		{[]string{"-p", "no-context", "-o", filepath.Join(t.TempDir(), "o"), filepath.Join(t.TempDir(), "missing")}, 1, "no such file"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.msg)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-list"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "minimal") || !strings.Contains(stdout.String(), "no-held") || !strings.Contains(stdout.String(), "words-only") {
		t.Errorf("-list: %d %q", code, stdout.String())
	}
}
