package cli

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/programme"
)

// findingsCmd imports outside findings (pen test, bug bounty, incident)
// into a Ward server and lists them with the answer to "would the model
// have caught it?" (docs/programme.md).
func (a *app) findingsCmd() *cobra.Command {
	var r adminRemote
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "Import pen-test and bug-bounty findings into the server; would the model have caught them?",
		Long: `ward findings works with the outside findings of a Ward server: pen-test,
bug-bounty and incident results (docs/programme.md).

'ward findings import FILE' sends a CSV, JSON or SARIF file to the server,
which checks each finding against its system's latest model and answers
"would the model have caught it?": the model had it (a threat written or
decided), the engine raises it now, or an escape (nothing covered it — with
the element and STRIDE category the model should have had). A file with any
bad finding imports nothing; the problems are printed as file:line:col.
Importing the same file again adds nothing (findings are keyed by source,
system and ref).

The CSV header is:

  ` + programme.Header + `

title, severity (critical, high, medium, low, info; P1–P5 are read too) and
found (YYYY-MM-DD) are required; source (pen_test, bug_bounty, incident,
security_review) and system may come from --source and --system instead.
A platform's own CSV export is read with --map: a preset (hackerone,
bugcrowd) and/or field=column pairs, e.g. --map 'hackerone,system=program'.

Importing needs a security engineer or an administrator (--email, or a
token of one). 'ward findings list' prints the findings you may read.`,
		Example: `  ward findings import pentest-2026-q4.csv --source pen_test --email security@example.com
  ward findings import zap.sarif --source pen_test --system larkspur-shop
  ward findings import h1-export.csv --source bug_bounty --map hackerone,system=program
  ward findings list --catch escape`,
	}
	a.adminFlags(cmd, &r)

	var format, source, system, mapping string
	imp := &cobra.Command{Use: "import FILE", Short: "Import a file of outside findings", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			path := args[0]
			if !filepath.IsAbs(path) && a.env.Dir != "" {
				path = filepath.Join(a.env.Dir, path)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				if os.IsNotExist(err) {
					return usagef("%s does not exist", args[0])
				}
				return err
			}
			if len(data) > 32<<20 {
				return usagef("%s is %d bytes; at most 32 MiB: split it", args[0], len(data))
			}
			if format == "" {
				switch strings.ToLower(filepath.Ext(path)) {
				case ".csv":
					format = programme.FormatCSV
				case ".json":
					format = programme.FormatJSON
				case ".sarif":
					format = programme.FormatSARIF
				}
			}
			if mapping != "" {
				if _, err := programme.ParseMapping(mapping); err != nil {
					return usagef("--map: %v", err)
				}
			}
			if err := a.connect(c.Context(), &r); err != nil {
				return err
			}
			body := map[string]any{"content": string(data), "format": format, "file": args[0], "source": source, "system": system, "mapping": mapping}
			var out struct {
				Batch    string         `json:"batch"`
				Findings int            `json:"findings"`
				New      int            `json:"new"`
				ByCatch  map[string]int `json:"by_catch"`
				Took     string         `json:"took"`
				Escapes  []outsideOut   `json:"escapes"`
			}
			if err := a.call(c.Context(), r.remote, "POST", "/api/v1/programme/findings", body, &out); err != nil {
				return exitForAPI(err)
			}
			fmt.Fprintf(a.env.Stdout, "imported %d findings from %s (%d new) as %s in %s\n", out.Findings, args[0], out.New, out.Batch, out.Took)
			fmt.Fprintf(a.env.Stdout, "would the model have caught them? had it %d, engine raises it now %d, escapes %d, unlinked %d\n",
				out.ByCatch["known"], out.ByCatch["engine"], out.ByCatch["escape"], out.ByCatch["unlinked"])
			for _, e := range out.Escapes {
				fmt.Fprintf(a.env.Stdout, "escape %s %s %s: %s — %s\n", e.Severity, e.System, e.Found.Format(time.DateOnly), e.Title, e.Why)
			}
			return nil
		}}
	f := imp.Flags()
	f.StringVar(&format, "format", "", "csv, json or sarif (default: from the file's extension, else guessed)")
	f.StringVar(&source, "source", "", "pen_test, bug_bounty, incident or security_review, for findings that name none")
	f.StringVar(&system, "system", "", "the system `id`, for findings that name none")
	f.StringVar(&mapping, "map", "", "column mapping for a platform export: a preset (hackerone, bugcrowd) and/or field=column pairs")

	var team, catch string
	list := &cobra.Command{Use: "list", Short: "Print outside findings with the model's answer", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := a.connect(c.Context(), &r); err != nil {
				return err
			}
			q := url.Values{}
			for k, v := range map[string]string{"team": team, "catch": catch, "limit": "500"} {
				if v != "" {
					q.Set(k, v)
				}
			}
			var out struct {
				Items []outsideOut `json:"items"`
				Total int          `json:"total"`
			}
			if err := a.call(c.Context(), r.remote, "GET", "/api/v1/programme/findings?"+q.Encode(), nil, &out); err != nil {
				return exitForAPI(err)
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FOUND\tSOURCE\tSEVERITY\tSYSTEM\tANSWER\tTITLE")
			for _, x := range out.Items {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", x.Found.Format(time.DateOnly), x.Source, x.Severity, x.System, x.Catch, x.Title)
			}
			tw.Flush()
			fmt.Fprintf(a.env.Stdout, "%d of %d\n", len(out.Items), out.Total)
			return nil
		}}
	list.Flags().StringVar(&team, "team", "", "only this team's findings")
	list.Flags().StringVar(&catch, "catch", "", "only findings the model answers so: known, engine, escape, unlinked")
	cmd.AddCommand(imp, list)
	return cmd
}

type outsideOut struct {
	ID       string    `json:"id"`
	System   string    `json:"system"`
	Source   string    `json:"source"`
	Title    string    `json:"title"`
	Severity string    `json:"severity"`
	Found    time.Time `json:"found"`
	Catch    string    `json:"catch"`
	Why      string    `json:"why"`
}
