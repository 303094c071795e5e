package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/cli"
)

// TestImportRealFiles: ward import on files the tools themselves write or
// that are no model at all.
func TestImportRealFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "split"), os.DirFS("../interop/threagile/testdata/split")); err != nil {
		t.Fatal(err)
	}
	copyFile := func(from, to string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, to), data, 0o644)
	}
	copyFile("../interop/threatcomposer/testdata/real/mitigation-pack-Sample.json", "pack.json")
	copyFile("../interop/threatdragon/testdata/real/URL-shortener-LLM.json", "td.json")
	os.WriteFile(filepath.Join(dir, "model.tm7"), []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00garbage\x00\x01"), 0o644)
	os.WriteFile(filepath.Join(dir, "blob.json"), []byte("{\x00\x01\x02binary"), 0o644)
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Main(t.Context(), args, cli.Env{Stdout: &stdout, Stderr: &stderr, Dir: dir, Getenv: func(string) string { return "" }})
		return code, stdout.String(), stderr.String()
	}
	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"import", "split/model.yaml"}, 0, "name: Some Example Application", ""},
		{[]string{"import", "--from", "threagile", "split/model.yaml"}, 0, "id: customer-client", ""},
		{[]string{"import", "td.json"}, 0, "name: Shorten Request", ""},
		{[]string{"import", "pack.json"}, 2, "", "pack.json: a Threat Composer mitigation pack — a mitigation pack is a library of mitigations with no threats or architecture; import threat packs or workspaces"},
		{[]string{"import", "model.tm7"}, 2, "", "model.tm7 is a zip archive, not a threat model file"},
		{[]string{"import", "--from", "tmt", "model.tm7"}, 2, "", "model.tm7 is a zip archive, not a threat model file"},
		{[]string{"import", "blob.json"}, 2, "", "blob.json is a binary file, not a threat model file"},
	}
	for _, tt := range tests {
		code, out, errOut := run(tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
			t.Errorf("ward %v: exit %d\nstdout: %.300s\nstderr: %s", tt.args, code, out, errOut)
		}
		if strings.ContainsAny(errOut, "\x00\x01\x03") {
			t.Errorf("ward %v: raw bytes in the message: %q", tt.args, errOut)
		}
	}
}
