package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/wardtm/ward/internal/report"
)

// pdfTimeout bounds one Chromium print.
const pdfTimeout = 60 * time.Second

// chromiumNames are the browser commands tried on PATH, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// errNoChromium says no browser to print with was found.
var errNoChromium = errors.New("no Chromium to print the PDF with: install it (Debian/Ubuntu: apt-get install chromium) " +
	"or point WARD_CHROMIUM at a Chromium or Chrome binary")

// pdfOutput refuses a PDF on standard output: it is binary.
func pdfOutput(format, output string) error {
	if format == "pdf" && (output == "" || output == "-") {
		return usagef("--format pdf writes a binary file: pass -o FILE")
	}
	return nil
}

// findChromium returns the browser to print with: WARD_CHROMIUM if set,
// else the first of chromiumNames on PATH.
func (a *app) findChromium() (string, error) {
	if p := a.env.Getenv("WARD_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			// Not wrapped: a missing browser is a tool failure (exit 1),
			// not a missing model file.
			return "", fmt.Errorf("WARD_CHROMIUM=%s: no such file: %w", p, errNoChromium)
		}
		return p, nil
	}
	for _, n := range chromiumNames {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", errNoChromium
}

// writePDF renders the HTML report and prints it to path with headless
// Chromium, in a temporary profile removed afterwards.
func (a *app) writePDF(ctx context.Context, r *report.Result, path string) error {
	bin, err := a.findChromium()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "ward-pdf-*")
	if err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	defer os.RemoveAll(tmp)
	var page bytes.Buffer
	if err := report.HTML(ctx, &page, r); err != nil {
		return err
	}
	htmlPath, pdfPath := filepath.Join(tmp, "report.html"), filepath.Join(tmp, "report.pdf")
	if err := os.WriteFile(htmlPath, page.Bytes(), 0o600); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	args := []string{"--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-extensions", "--no-first-run", "--no-default-browser-check", "--mute-audio",
		"--user-data-dir=" + filepath.Join(tmp, "profile"), "--no-pdf-header-footer", "--print-to-pdf=" + pdfPath}
	if os.Geteuid() == 0 {
		// Chromium refuses to run as root with its sandbox on.
		args = append(args, "--no-sandbox")
	}
	args = append(args, "file://"+filepath.ToSlash(htmlPath))
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("pdf: %s did not finish within %s", bin, pdfTimeout)
		}
		a.log.Debug("chromium failed", "stderr", stderr.String())
		return fmt.Errorf("pdf: %s: %w (run with WARD_DEBUG=1 for its output)", bin, err)
	}
	data, err := os.ReadFile(pdfPath)
	if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
		a.log.Debug("chromium wrote no PDF", "stderr", stderr.String())
		return fmt.Errorf("pdf: %s wrote no PDF (run with WARD_DEBUG=1 for its output)", bin)
	}
	if err := writeFileAtomic(a.path(path), data); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintf(a.env.Stderr, "wrote %s\n", path)
	return nil
}
