package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/report"
)

func (a *app) checkCmd() *cobra.Command {
	var (
		af      analyseFlags
		format  string
		failOn  string
		all     bool
		verbose bool
		unver   bool
		base    string
		track   report.TrackerOptions
	)
	cmd := &cobra.Command{
		Use:   "check [MODEL]",
		Short: "Validate a model, find threats, rank them by risk, and list open questions",
		Long: `Check validates the model (default ./ward.yaml; a directory means its ward.yaml),
runs the built-in and custom rules, applies decisions, mitigations and
assumptions, and prints open findings ranked by residual risk, then the
questions the model has not answered yet.

With --baseline OLD (a model file or directory, or git:REV for this model as
committed at REV), only findings new since the baseline count towards
--fail-on: absent there, closed there, or less severe there. The output lists
them under "New since the baseline". Use it to adopt Ward gradually.

Threats whose controls the model leaves unknown are listed as "unverified"
(not known to be mitigated) in the same ranking, each with the question that
settles it. --fail-on counts open threats only; add --fail-on-unverified (or
policy: {fail_on_unverified: true} in the model) to gate on unverified ones.

Exit status: 0 when no open finding reaches --fail-on, 3 when one does,
2 when the model or the command line is invalid, 1 when ward itself failed.
The exit status does not depend on --format.`,
		Example: `  ward check
  ward check services/payments/ward.yaml --fail-on critical
  ward check --format json > result.json
  ward check --baseline git:origin/main --fail-on high`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			threshold, err := parseFailOn(failOn)
			if err != nil {
				return err
			}
			if !slices.Contains(report.Formats(), format) {
				return fmtErr(format)
			}
			path, err := a.modelPath(args)
			if err != nil {
				return err
			}
			af.mitigated = all
			parts := report.FormatParts(format)
			if base != "" { // the comparison reads the whole result
				parts = report.AllParts
			}
			res, err := a.analyseFor(cmd.Context(), path, af, parts)
			if err != nil {
				return err
			}
			var since func() error
			if base != "" {
				res.built(false, false) // before the baseline's own analysis
				if since, err = a.baseline(cmd.Context(), base, path, res, af, threshold, format); err != nil {
					return err
				}
			}
			var gate error
			if since == nil {
				// Decide the exit status now and let the analysis go: the
				// renderers read only the result, and on a large model the
				// engine's findings are hundreds of megabytes the renderers
				// can reuse.
				gate = gateUnverified(res.analysis, threshold, unver)
				res.analysis, res.loaded = nil, nil
			}
			// Once the analysis is let go (see analyseFor); the text
			// format's render allocates little unless it lists more.
			res.built(res.analysis == nil, format == "text" && !verbose && !all)
			err = report.Render(a.env.Stdout, format, res.result, report.Options{Text: report.TextOptions{All: all, Verbose: verbose}, Tracker: track})
			if err != nil {
				return err
			}
			if since != nil {
				return since()
			}
			return gate
		},
	}
	af.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output `format`: "+strings.Join(report.Formats(), ", "))
	cmd.Flags().StringVar(&failOn, "fail-on", "high", "exit 3 when an open finding is at or above this `severity` (critical, high, medium, low, info, none)")
	cmd.Flags().StringVar(&base, "baseline", "", "fail only on findings new since this baseline `model` (file, directory or git:REV)")
	cmd.Flags().BoolVar(&all, "all", false, "also list closed findings (mitigated, accepted, false positive, transferred), threats whose controls are stated present, and every question")
	cmd.Flags().BoolVar(&unver, "fail-on-unverified", false, "let --fail-on count unverified threats (not known to be mitigated) too, not only open ones")
	trackerFlags(cmd, &track)
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "explain each finding: why, risk rationale and suggested mitigations")
	return cmd
}
