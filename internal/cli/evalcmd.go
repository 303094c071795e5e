package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/eval"
	"github.com/wardtm/ward/internal/spec"
)

// defaultEvalDir is where the repository keeps the benchmark's dev set.
const defaultEvalDir = "testdata/eval"

func (a *app) evalCmd() *cobra.Command {
	var (
		format  string
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "eval [DIR]",
		Short: "Score Ward's threats against reviewers' threat lists (the quality benchmark)",
		Long: `Eval runs the engine over a set of benchmark cases and scores what it raises
against the threat list an experienced reviewer wrote for each design.

A case is a directory with a model (ward.yaml, or another tool's file that
Ward imports, its own threats dropped) and reference.yaml, the reviewer's
list: target element, STRIDE category, severity and a line of text per
threat. DIR is one case or a directory of cases (default ` + defaultEvalDir + `,
the dev set kept in Ward's repository).

Per case and in total it prints: weighted recall (listed threats matched on
target and STRIDE category by an open or unverified threat, weighted
critical 4, high 3, medium 2, low 1), the noise ratio (threats raised per
threat listed), the share of listed high and critical threats matched in
Ward's top 10, and questions per element (components and flows); in total
also the noise per line (each raised threat counted once per listed threat
it matches, so a threat naming several elements cannot hide noise) and
the strict share of high and critical threats in the top 10 (matched
through the element the threat is on, or a flow threat's receiver, not
through the further elements a zone-wide or merged threat names).
docs/quality.md explains the format, the matching rule and the numbers.

Exit status: 0 when the cases were scored, whatever the scores; 2 when a
case's model or reference list is invalid.`,
		Example: `  ward eval
  ward eval --verbose testdata/eval/original/webshop-psp
  ward eval --format json > eval.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q: use text or json", format)
			}
			dir := defaultEvalDir
			if len(args) > 0 {
				dir = args[0]
			}
			if _, err := os.Stat(a.path(dir)); err != nil {
				if len(args) == 0 {
					return usagef("no benchmark cases here (%s does not exist) — pass the directory of cases, or run ward eval at the root of Ward's repository", dir)
				}
				return usagef("%s does not exist — pass a case directory or a directory of cases", dir)
			}
			lo, err := a.loadOptions()
			if err != nil {
				return err
			}
			io, err := a.importOptions()
			if err != nil {
				return err
			}
			rep, err := eval.Run(cmd.Context(), a.path(dir), eval.Options{Importers: importers(), Version: a.env.Version, Load: lo, Import: io})
			if err != nil {
				var ds spec.Diagnostics
				if errors.As(a.relDiags(err), &ds) {
					for _, d := range ds {
						fmt.Fprintln(a.env.Stderr, d.String())
					}
					return usagef("the benchmark case is invalid (%d problem%s)", len(ds), plural(len(ds)))
				}
				return err
			}
			for i := range rep.Cases {
				rep.Cases[i].Model = a.display(rep.Cases[i].Model)
			}
			if format == "json" {
				return rep.WriteJSON(a.env.Stdout)
			}
			if err := rep.WriteText(a.env.Stdout, verbose); err != nil {
				return fmt.Errorf("write report: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output `format`: text or json")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list, per case, each listed threat: where Ward ranks it, or missed")
	return cmd
}
