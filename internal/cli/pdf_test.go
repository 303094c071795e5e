package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runReport(t *testing.T, dir string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), append([]string{"report"}, args...), Env{Stdout: &out, Stderr: &errb, Dir: dir,
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) }, Version: "test"})
	return code, out.String(), errb.String()
}

func reportDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ward.yaml"), []byte(diagramModel), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// chromiumOrSkip returns a Chromium binary. Without one the test skips on
// a laptop but fails in CI (CI is set), where .ci/run installs Chromium.
func chromiumOrSkip(t *testing.T) string {
	t.Helper()
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "" {
		t.Skip("no Chromium on PATH (apt-get install chromium); required when CI is set")
	}
	t.Fatal("CI is set but no Chromium is on PATH: .ci/run should install it")
	return ""
}

func TestReportPDF(t *testing.T) {
	bin := chromiumOrSkip(t)
	dir := reportDir(t)
	code, out, errs := runReport(t, dir, map[string]string{"WARD_CHROMIUM": bin}, "--format", "pdf", "-o", "tm.pdf")
	if code != ExitOK || out != "" || !strings.Contains(errs, "wrote tm.pdf") {
		t.Fatalf("pdf: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	data, err := os.ReadFile(filepath.Join(dir, "tm.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) || len(data) < 10_000 {
		t.Fatalf("not a PDF or too small: %d bytes, starts %q", len(data), data[:min(len(data), 8)])
	}
	// Found on PATH too, without WARD_CHROMIUM.
	if _, err := exec.LookPath(filepath.Base(bin)); err == nil {
		if code, _, errs := runReport(t, dir, nil, "--format", "pdf", "-o", "again.pdf"); code != ExitOK {
			t.Fatalf("pdf via PATH: exit %d, stderr %q", code, errs)
		}
	}
}

func TestReportPDFErrors(t *testing.T) {
	dir := reportDir(t)
	missing := filepath.Join(dir, "no-such-chromium")
	code, _, errs := runReport(t, dir, map[string]string{"WARD_CHROMIUM": missing}, "--format", "pdf", "-o", "tm.pdf")
	if code != ExitFailure || !strings.Contains(errs, "apt-get install chromium") || !strings.Contains(errs, "WARD_CHROMIUM="+missing) {
		t.Fatalf("missing chromium: exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "tm.pdf")); err == nil {
		t.Error("a failed print left a file behind")
	}
	for _, args := range [][]string{{"--format", "pdf"}, {"--format", "pdf", "-o", "-"}} {
		code, out, errs := runReport(t, dir, nil, args...)
		if code != ExitInvalid || out != "" || !strings.Contains(errs, "pass -o FILE") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
}

func TestReportHTML(t *testing.T) {
	dir := reportDir(t)
	code, out, errs := runReport(t, dir, nil, "--format", "html")
	if code != ExitOK || !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "<svg") {
		t.Fatalf("html: exit %d, stderr %q, out starts %.200q", code, errs, out)
	}
}

// TestReportPDFReadable: the shop's PDF puts its wide diagram on landscape
// pages (tiled at a legible scale) and the rest on portrait A4. The pages
// were looked at (pdftoppm → PNG) when this was written: no heading is
// left alone at a page's end, finding cards flow two or so to a page.
func TestReportPDFReadable(t *testing.T) {
	bin := chromiumOrSkip(t)
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "shop"), os.DirFS("../../examples/shop")); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runReport(t, dir, map[string]string{"WARD_CHROMIUM": bin}, "shop", "--format", "pdf", "-o", "shop.pdf")
	if code != ExitOK {
		t.Fatalf("pdf: exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(filepath.Join(dir, "shop.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	landscape := bytes.Count(data, []byte("/MediaBox [0 0 841.91998 594.95996]"))
	portrait := bytes.Count(data, []byte("/MediaBox [0 0 594.95996 841.91998]"))
	if landscape < 2 || portrait < 5 {
		t.Errorf("%d landscape and %d portrait pages; want the diagram on landscape pages and the rest portrait", landscape, portrait)
	}
}
