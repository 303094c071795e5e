package cli

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/report"
)

func (a *app) briefCmd() *cobra.Command {
	var (
		af     analyseFlags
		format string
		output string
		top    int
	)
	cmd := &cobra.Command{
		Use:   "brief [MODEL]",
		Short: "Write the pen-test brief: scope, assets, attack paths, assumptions to disprove",
		Long: `Brief writes the document a security team hands a penetration-testing
vendor for a critical system: system and scope (in and out, with why), rules
of engagement to fill in, the assets that matter and why, the entry points
and the weakest attack paths, the controls the design relies on, and every
unvalidated assumption phrased as something to disprove ("Prove that … is
false") with what it holds up. It ends with how to record results back in
the model: an invalidated assumption re-opens what it supported, and
'ward check' shows it. docs/brief.md describes each section.`,
		Example: `  ward brief -o pentest-brief.md
  ward brief examples/shop --paths 5`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "markdown" {
				return usagef("unknown --format %q: the brief is written in markdown", format)
			}
			if top < 1 || top > report.ResultPaths {
				return usagef("--paths must be between 1 and %d", report.ResultPaths)
			}
			path, err := a.modelPath(args)
			if err != nil {
				return err
			}
			res, err := a.analyse(cmd.Context(), path, af)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := report.Brief(&buf, res.analysis, res.result, report.BriefOptions{Paths: top}); err != nil {
				return err
			}
			if output == "" || output == "-" {
				_, err := a.env.Stdout.Write(buf.Bytes())
				return err
			}
			if err := writeFileAtomic(a.path(output), buf.Bytes()); err != nil {
				return fmt.Errorf("write brief: %w", err)
			}
			fmt.Fprintf(a.env.Stderr, "wrote %s\n", output)
			return nil
		},
	}
	af.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "markdown", "output `format`: markdown")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `file` instead of standard output")
	cmd.Flags().IntVar(&top, "paths", 10, "list the `n` weakest attack paths")
	return cmd
}
