package cli

import (
	"bytes"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/paths"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/spec"
)

func (a *app) pathsCmd() *cobra.Command {
	var (
		af     analyseFlags
		format string
		assets []string
		from   []string
		maxN   int
		k      int
	)
	cmd := &cobra.Command{
		Use:   "paths [MODEL]",
		Short: "List the weakest attack paths from entry points to critical assets",
		Long: `Paths follows the model's flows from every entry point (people, clients,
devices, external systems and what they talk to, in internet and partner
boundaries) to every component that stores or processes a critical asset,
and lists the weakest paths first.

Each hop scores protection points: flow authentication and encryption, and
the receiver's authenticates, authorizes and validates_input controls (a
stated "yes" scores most, unknown half, "no" nothing); open findings on the
hop take points off. A path's score is the sum: the lower, the weaker.
--k paths are listed per (entry, asset) pair, at most --max in all.
docs/paths.md explains the scoring and the bounds.`,
		Example: `  ward paths
  ward paths --asset card-tokens --format markdown
  ward paths --from partner-api --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text", "json", "markdown":
			default:
				return usagef("unknown --format %q: use text, json or markdown", format)
			}
			if maxN < 1 || k < 1 {
				return usagef("--max and --k must be at least 1")
			}
			path, err := a.modelPath(args)
			if err != nil {
				return err
			}
			res, err := a.analyse(cmd.Context(), path, af)
			if err != nil {
				return err
			}
			m := res.analysis.Model
			opt := paths.Options{Findings: res.analysis.Findings, MaxPaths: maxN, K: k}
			for _, id := range assets {
				as := m.Asset(id)
				if as == nil {
					return unknownID("asset", id, assetIDs(m))
				}
				opt.Assets = append(opt.Assets, as)
			}
			for _, id := range from {
				c := m.Component(id)
				if c == nil {
					return unknownID("component", id, componentIDs(m))
				}
				opt.From = append(opt.From, c)
			}
			pr := report.NewPathsReport(m.System.ID, paths.Find(m, opt))
			var buf bytes.Buffer
			if err := report.WritePaths(&buf, format, pr); err != nil {
				return err
			}
			_, err = a.env.Stdout.Write(buf.Bytes())
			return err
		},
	}
	af.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output `format`: text, json or markdown")
	cmd.Flags().StringArrayVar(&assets, "asset", nil, "only paths to this asset `id` (repeatable; critical or not)")
	cmd.Flags().StringArrayVar(&from, "from", nil, "only paths from this component `id` (repeatable; entry point or not)")
	cmd.Flags().IntVar(&maxN, "max", paths.DefaultMaxPaths, "list at most `n` paths in all")
	cmd.Flags().IntVar(&k, "k", paths.DefaultK, "list at most `n` paths per (entry, asset) pair")
	return cmd
}

func (a *app) blastCmd() *cobra.Command {
	var (
		af     analyseFlags
		format string
	)
	cmd := &cobra.Command{
		Use:   "blast COMPONENT [MODEL]",
		Short: "Show the blast radius of a compromised component",
		Long: `Blast shows what an attacker who controls COMPONENT can reach: the
assets it stores, processes, sends or receives (0 hops); every component
it sends to, and onwards, since each of those can be attacked with the
compromised component's own identity (1, 2, … hops); and the callers that
take its responses on request/response flows (listed, not followed).
docs/paths.md documents the semantics.`,
		Example: `  ward blast web-frontend
  ward blast payment-service examples/shop --format json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q: use text or json", format)
			}
			if err := a.swappedArgs("blast", args); err != nil {
				return err
			}
			path, err := a.modelPath(args[1:])
			if err != nil {
				return err
			}
			res, err := a.analyse(cmd.Context(), path, af)
			if err != nil {
				return err
			}
			m := res.analysis.Model
			c := m.Component(args[0])
			if c == nil {
				return unknownID("component", args[0], componentIDs(m))
			}
			var buf bytes.Buffer
			if err := report.WriteBlast(&buf, format, report.NewBlastReport(paths.Blast(m, c))); err != nil {
				return err
			}
			_, err = a.env.Stdout.Write(buf.Bytes())
			return err
		},
	}
	af.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output `format`: text or json")
	return cmd
}

// unknownID is the usage error for an id the model does not define.
func unknownID(kind, id string, ids []string) error {
	if s := spec.Suggest(id, ids); s != "" {
		return usagef("no %s %q in the model (did you mean %q?)", kind, id, s)
	}
	if len(ids) == 0 {
		return usagef("no %s %q: the model has no %ss", kind, id, kind)
	}
	if len(ids) > 10 {
		return usagef("no %s %q in the model (it has %d; e.g. %s, …)", kind, id, len(ids), joinIDs(ids[:10]))
	}
	return usagef("no %s %q in the model (it has: %s)", kind, id, joinIDs(ids))
}

// swappedArgs explains `ward blast MODEL COMPONENT`: when the model
// argument does not exist but the component argument is a path, the two
// were given the wrong way round.
func (a *app) swappedArgs(cmd string, args []string) error {
	if len(args) != 2 {
		return nil
	}
	if _, err := os.Stat(a.path(args[1])); err == nil {
		return nil
	}
	if _, err := os.Stat(a.path(args[0])); err != nil {
		return nil
	}
	return usagef("no model at %s, and %s is a file or folder: the component comes first — ward %s %s %s", args[1], args[0], cmd, args[1], args[0])
}

func joinIDs(ids []string) string {
	var b bytes.Buffer
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(id)
	}
	return b.String()
}

func assetIDs(m *model.Model) []string {
	out := make([]string, len(m.Assets))
	for i, x := range m.Assets {
		out[i] = x.ID
	}
	return out
}

func componentIDs(m *model.Model) []string {
	out := make([]string, len(m.Components))
	for i, x := range m.Components {
		out[i] = x.ID
	}
	return out
}
