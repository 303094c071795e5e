package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/cli"
)

// TestPushPullKeepDecisions drives push and pull as a team would: a
// decision taken on the server between two pushes is merged into the
// second (and said so), .ward-base follows, and a conflicting change is
// refused with its file and line.
func TestPushPullKeepDecisions(t *testing.T) {
	ts := newTeamServer(t)
	srv, call, admin, tok := ts.srv, ts.call, ts.admin, ts.token

	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "shop"), os.DirFS("../../examples/shop")); err != nil {
		t.Fatal(err)
	}
	ward := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := cli.Main(t.Context(), args, cli.Env{Stdout: &stdout, Stderr: &stderr, Dir: dir, Now: time.Now,
			Getenv: func(k string) string {
				return map[string]string{"WARD_SERVER": srv.URL, "WARD_TOKEN": tok}[k]
			}})
		if code != wantCode {
			t.Fatalf("ward %v: exit %d, want %d\n%s%s", args, code, wantCode, stdout.String(), stderr.String())
		}
		return stdout.String(), stderr.String()
	}
	base := func() map[string]any {
		data, err := os.ReadFile(filepath.Join(dir, "shop", ".ward-base"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		return m
	}
	edit := func(name, old, new string) {
		p := filepath.Join(dir, "shop", name)
		data, _ := os.ReadFile(p)
		if !bytes.Contains(data, []byte(old)) {
			t.Fatalf("%s has no %q", name, old)
		}
		os.WriteFile(p, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644)
	}

	ward(0, "push", "shop")
	if b := base(); b["version"] != 1.0 || b["pushed"] != true {
		t.Fatalf(".ward-base after the first push: %v", b)
	}
	f := "admin-access-not-reviewed:back-office"
	call("/api/v1/systems/larkspur-shop/decisions", admin, map[string]any{"finding": f, "status": "accepted", "reason": "reviewed quarterly", "owner": "dana", "expires": "2027-02-01"})

	edit("ward.yaml", "  name: Larkspur Shop\n", "  name: Larkspur Store\n")
	out, _ := ward(0, "push", "shop")
	for _, want := range []string{"pushed larkspur-shop version 3", "merged 1 change(s) made on the server since version 1", "decision on " + f + " added", "ward pull larkspur-shop --dir shop --force"} {
		if !strings.Contains(out, want) {
			t.Errorf("push output lacks %q:\n%s", want, out)
		}
	}
	ward(0, "pull", "larkspur-shop", "--dir", "shop", "--force")
	threats, _ := os.ReadFile(filepath.Join(dir, "shop", "threats.yaml"))
	if !strings.Contains(string(threats), "- finding: "+f+"\n    status: accepted") {
		t.Fatalf("the pulled files lack the decision:\n%s", threats)
	}
	if b := base(); b["version"] != 3.0 || b["pushed"] != nil {
		t.Fatalf(".ward-base after pull: %v", b)
	}

	// The server decides differently; so do the local files: a conflict.
	call("/api/v1/systems/larkspur-shop/decisions", admin, map[string]any{"finding": f, "status": "false_positive", "reason": "not reachable"})
	edit("threats.yaml", "- finding: "+f+"\n    status: accepted", "- finding: "+f+"\n    status: mitigated")
	_, errOut := ward(2, "push", "shop")
	line := 1 + strings.Count(string(threats[:strings.Index(string(threats), "- finding: "+f)]), "\n")
	for _, want := range []string{"nothing was stored", "threats.yaml:" + strconv.Itoa(line) + ": decision on " + f, "status: false_positive on the server, mitigated in yours", "ward push --force"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("conflict message lacks %q:\n%s", want, errOut)
		}
	}
	out, _ = ward(0, "push", "shop", "--force")
	if !strings.Contains(out, "version 5") {
		t.Errorf("forced push: %s", out)
	}
}
