package cli

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/report"
)

func (a *app) diagramCmd() *cobra.Command {
	var (
		af     analyseFlags
		format string
		output string
		opt    report.DiagramOptions
	)
	cmd := &cobra.Command{
		Use:   "diagram [MODEL]",
		Short: "Draw the data-flow diagram: Mermaid, Graphviz DOT or SVG",
		Long: `Diagram draws the model's data-flow diagram with trust boundaries as nested
boxes, components shaped by kind and coloured by their worst open finding,
and flows labelled with protocol and the assets they carry (⚠ marks flows
explicitly unencrypted or unauthenticated). A kind Ward inferred from a
component's name is labelled "(inferred)", as "datastore (inferred)"
(ward help inference).

  mermaid  a Mermaid flowchart, rendered by GitHub, GitLab and most wikis
  dot      Graphviz DOT, for 'dot -Tsvg'
  svg      an SVG picture, laid out by Graphviz built into ward (no 'dot'
           needed); elements carry ids, tooltips and links to their findings
           in the HTML report. Views of more than 400 components are drawn as
           a condensed overview (one node per trust boundary, flows
           aggregated): draw parts with --boundary or --asset.

For large models, --boundary draws one trust boundary (with the boundaries
nested in it) and its direct neighbours, and --asset draws only what stores,
processes or carries one asset.`,
		Example: `  ward diagram > dfd.mmd
  ward diagram --format svg -o dfd.svg
  ward diagram --format dot | dot -Tsvg > dfd.svg
  ward diagram --boundary vpc --asset card-data -o docs/card-flows.mmd`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "mermaid" && format != "dot" && format != "svg" {
				return usagef("unknown format %q: use mermaid, dot or svg", format)
			}
			path, err := a.modelPath(args)
			if err != nil {
				return err
			}
			res, err := a.analyse(cmd.Context(), path, af)
			if err != nil {
				return err
			}
			if err := opt.Validate(res.result); err != nil {
				return usagef("%v", err)
			}
			var buf bytes.Buffer
			switch format {
			case "dot":
				err = report.DOT(&buf, res.result, opt)
			case "svg":
				if condensed, _ := report.Condensed(res.result, opt); condensed {
					fmt.Fprintf(a.env.Stderr, "ward: more than %d components: drawing a condensed overview, one node per trust boundary; "+
						"use --boundary or --asset for detail\n", report.MaxSVGComponents)
				}
				err = report.SVG(cmd.Context(), &buf, res.result, opt)
			default:
				err = report.Mermaid(&buf, res.result, opt)
			}
			if err != nil {
				return err
			}
			if output == "" || output == "-" {
				_, err := a.env.Stdout.Write(buf.Bytes())
				return err
			}
			if err := writeFileAtomic(a.path(output), buf.Bytes()); err != nil {
				return fmt.Errorf("write diagram: %w", err)
			}
			fmt.Fprintf(a.env.Stderr, "wrote %s\n", output)
			return nil
		},
	}
	af.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "mermaid", "output `format`: mermaid, dot or svg")
	cmd.Flags().StringVar(&opt.Boundary, "boundary", "", "draw only this trust boundary `id` (and those nested in it) with its direct neighbours")
	cmd.Flags().StringVar(&opt.Asset, "asset", "", "draw only the components and flows that touch this asset `id`")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `file` instead of standard output")
	return cmd
}
