package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/report"
)

func (a *app) reportCmd() *cobra.Command {
	var (
		af     analyseFlags
		format string
		output string
		failOn string
		track  report.TrackerOptions
	)
	cmd := &cobra.Command{
		Use:   "report [MODEL]",
		Short: "Write a report: text, Markdown (a design-doc section) or JSON",
		Long: `Report renders the analysis of a model for people and tools.

  markdown  a ready "Threat model" section for a design document: scope,
            assets, diagram (Mermaid), ranked threats, mitigations,
            assumptions and open questions
  json      the versioned result contract (docs/json.md)
  text      the same as 'ward check --all --verbose'
  html      one self-contained page to open in a browser or send: summary,
            the diagram (SVG, elements link to their findings), findings
            with filters, mitigations, assumptions, questions; prints well
  pdf       the HTML report printed by headless Chromium (needs -o FILE
            and Chromium: apt-get install chromium, or WARD_CHROMIUM)
  sarif     SARIF 2.1.0 for GitHub code scanning and other dashboards:
            one result per open finding (docs/ci.md)
  csv       one row per finding for spreadsheets (formula-safe)
  github-issues, jira
            the open work as issues to import: open mitigations and
            open findings no mitigation addresses (docs/reports.md)

By default report never fails on findings; pass --fail-on to gate on them.`,
		Example: `  ward report --format markdown -o docs/threat-model.md
  ward report --format html -o threat-model.html
  ward report --format pdf -o threat-model.pdf
  ward report --format json > result.json
  ward report --format sarif -o ward.sarif
  ward report --format jira --jira-project SEC > issues.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			threshold, err := parseFailOn(failOn)
			if err != nil {
				return err
			}
			if !slices.Contains(report.Formats(), format) && format != "pdf" {
				return usagef("unknown --format %q: use %s", format, strings.Join(append(report.Formats(), "pdf"), ", "))
			}
			if err := pdfOutput(format, output); err != nil {
				return err
			}
			path, err := a.modelPath(args)
			if err != nil {
				return err
			}
			res, err := a.analyse(cmd.Context(), path, af)
			if err != nil {
				return err
			}
			if format == "pdf" {
				if err := a.writePDF(cmd.Context(), res.result, output); err != nil {
					return err
				}
				return gate(res.analysis, threshold)
			}
			var buf bytes.Buffer
			err = report.Render(&buf, format, res.result, report.Options{Text: report.TextOptions{All: true, Verbose: true}, Tracker: track})
			if err != nil {
				return err
			}
			if output == "" || output == "-" {
				if _, err := a.env.Stdout.Write(buf.Bytes()); err != nil {
					return err
				}
			} else if err := writeFileAtomic(a.path(output), buf.Bytes()); err != nil {
				return fmt.Errorf("write report: %w", err)
			} else {
				fmt.Fprintf(a.env.Stderr, "wrote %s\n", output)
			}
			return gate(res.analysis, threshold)
		},
	}
	af.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "markdown", "output `format`: "+strings.Join(append(report.Formats(), "pdf"), ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `file` instead of standard output")
	cmd.Flags().StringVar(&failOn, "fail-on", "none", "exit 3 when an open finding is at or above this `severity`")
	trackerFlags(cmd, &track)
	return cmd
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// into place, so a failure never leaves a half-written file.
func writeFileAtomic(path string, data []byte) error {
	return writeFileAtomicWith(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeFileAtomicWith is writeFileAtomic of what write writes.
func writeFileAtomicWith(path string, write func(io.Writer) error) error {
	dir := dirOf(path)
	if st, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return usagef("cannot write %s: the folder %s does not exist — create it first", filepath.Base(path), dir)
	} else if err == nil && !st.IsDir() {
		return usagef("cannot write %s: %s is a file, not a folder", filepath.Base(path), dir)
	}
	tmp, err := os.CreateTemp(dir, ".ward-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// trackerFlags registers the flags of the github-issues and jira formats.
func trackerFlags(cmd *cobra.Command, t *report.TrackerOptions) {
	cmd.Flags().StringVar(&t.JiraProject, "jira-project", report.DefaultJiraProject, "Jira project `key` for --format jira")
	cmd.Flags().StringVar(&t.SourceURL, "source-url", "", "link file:line in issues to `URL`/FILE#LLINE (e.g. https://github.com/org/repo/blob/main)")
}
