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

// TestImportMaxInput: ward import refuses a file, or a file it includes,
// over its limit (--max-input, else WARD_MAX_INPUT, else 1 GiB) with the
// flag that would take it, exit 2, and takes it under a larger limit.
func TestImportMaxInput(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "split"), os.DirFS("../interop/threagile/testdata/split")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../interop/threatdragon/testdata/real/URL-shortener-LLM.json") // 20,395 bytes
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "td.json"), data, 0o644)
	run := func(env map[string]string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := cli.Main(t.Context(), args, cli.Env{Stdout: &stdout, Stderr: &stderr, Dir: dir, Getenv: func(k string) string { return env[k] }})
		return code, stdout.String(), stderr.String()
	}
	small := map[string]string{"WARD_MAX_INPUT": "16KiB"}
	tests := []struct {
		env      map[string]string
		args     []string
		code     int
		out, err string
	}{
		{nil, []string{"import", "td.json"}, 0, "name: Shorten Request", ""},
		{nil, []string{"import", "--max-input", "16KiB", "td.json"}, 2, "",
			"td.json: the file is 20395 bytes, over the 16 KiB limit — pass --max-input 32KiB to import it\n"},
		{nil, []string{"import", "--max-input", "20395", "td.json"}, 0, "name: Shorten Request", ""},
		{small, []string{"import", "td.json"}, 2, "", "td.json: the file is 20395 bytes, over the 16 KiB limit — pass --max-input 32KiB"},
		{small, []string{"import", "--max-input", "1MiB", "td.json"}, 0, "name: Shorten Request", ""}, // the flag wins
		{map[string]string{"WARD_MAX_INPUT": "1MB"}, []string{"import", "td.json"}, 0, "name: Shorten Request", ""},
		{nil, []string{"import", "--max-input", "64mb", "td.json"}, 2, "", "--max-input: \"64mb\" is not a size"},
		{map[string]string{"WARD_MAX_INPUT": "lots"}, []string{"import", "td.json"}, 2, "", "WARD_MAX_INPUT: \"lots\" is not a size"},
		// An included file is bounded too: the model (282 bytes) is under
		// the limit, the assets it includes (9,571) are not.
		{nil, []string{"import", "--max-input", "1KiB", "split/model.yaml"}, 2, "",
			"technical_assets_clients.yaml: the file is 9571 bytes, over the 1 KiB limit — pass --max-input 16KiB to import it"},
		{nil, []string{"import", "--max-input", "10KiB", "split/model.yaml"}, 0, "name: Some Example Application", ""},
		{nil, []string{"import", "--max-input", "100", "split/model.yaml"}, 2, "", "split/model.yaml: the file is 282 bytes, over the 100 bytes limit — pass --max-input 512 to import it"},
	}
	for _, tt := range tests {
		code, out, errOut := run(tt.env, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
			t.Errorf("ward %v (%v): exit %d\nstdout: %.300s\nstderr: %s", tt.args, tt.env, code, out, errOut)
		}
	}
}
