package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

func (a *app) rulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List and explain rules, built-in and custom",
		Long: `Rules lists every rule Ward applies: the built-in catalogue and, with --model
(or a ward.yaml in the current directory), the model's custom rules.`,
	}
	var modelFile string
	var extra []string
	var format string
	load := func(ctx context.Context) ([]*rule.Rule, error) {
		path := modelFile
		if path == "" {
			if p, err := a.modelPath(nil); err == nil {
				path = p
			}
		} else {
			p, err := a.modelPath([]string{path})
			if err != nil {
				return nil, err
			}
			path = p
		}
		if path == "" {
			l := &spec.Loaded{}
			return a.loadRules(l, extra)
		}
		l, err := a.load(ctx, path)
		if err != nil {
			return nil, a.relDiags(err)
		}
		rs, err := a.loadRules(l, extra)
		return rs, a.relDiags(err)
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List rules: id, STRIDE category, element kind, origin, title",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q: use text or json", format)
			}
			rs, err := load(cmd.Context())
			if err != nil {
				return err
			}
			sort.SliceStable(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
			if format == "json" {
				out := make([]ruleJSON, 0, len(rs))
				for _, r := range rs {
					out = append(out, toRuleJSON(r))
				}
				enc := json.NewEncoder(a.env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSTRIDE\tON\tORIGIN\tTITLE")
			for _, r := range rs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Category.Letter(), r.On, r.Origin, r.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "\n%d rules. 'ward rules explain ID' shows one in full.\n", len(rs))
			return nil
		},
	}
	list.Flags().StringVarP(&format, "format", "f", "text", "output `format`: text or json")
	explain := &cobra.Command{
		Use:   "explain ID",
		Short: "Explain one rule: what it finds, why it matters, how to fix it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := load(cmd.Context())
			if err != nil {
				return err
			}
			var ids []string
			for _, r := range rs {
				ids = append(ids, r.ID)
				if r.ID == args[0] {
					return a.explain(r)
				}
			}
			// Accept a finding id (rule:element) too.
			if id, _, ok := strings.Cut(args[0], ":"); ok {
				for _, r := range rs {
					if r.ID == id {
						return a.explain(r)
					}
				}
			}
			hint := "run 'ward rules list' to see them all"
			if s := spec.Suggest(args[0], ids); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			return usagef("no rule %q — %s", args[0], hint)
		},
	}
	for _, c := range []*cobra.Command{list, explain} {
		c.Flags().StringVar(&modelFile, "model", "", "also load the custom rules of this model `file`")
		c.Flags().StringArrayVar(&extra, "rules", nil, "also load this custom rule `file` (repeatable)")
	}
	cmd.AddCommand(list, explain)
	return cmd
}

func (a *app) explain(r *rule.Rule) error {
	w := &strings.Builder{}
	fmt.Fprintf(w, "%s — %s\n\n", r.ID, r.Title)
	fmt.Fprintf(w, "STRIDE:   %s (%s)\n", r.Category, r.Category.Letter())
	fmt.Fprintf(w, "Examines: every %s\n", r.On)
	fmt.Fprintf(w, "Against:  %s\n", r.PropertyAtStake())
	switch r.Vector {
	case model.VectorContent:
		fmt.Fprintf(w, "Vector:   content (likelihood follows where the content can originate)\n")
	case model.VectorSupplyChain:
		fmt.Fprintf(w, "Vector:   supply chain (likelihood does not follow exposure)\n")
	default:
		if r.Origin == model.OriginBuiltin && risk.HeldAccess(r.ID) {
			if r.Category == model.InformationDisclosure {
				fmt.Fprintf(w, "Vector:   held access (staff read beyond their need: possible at least where what they read is critical, wherever the element sits)\n")
			} else {
				fmt.Fprintf(w, "Vector:   held access (staff abuse access they hold: possible at least, wherever the element sits)\n")
			}
		}
	}
	if r.Origin == model.OriginBuiltin && risk.AfterCompromise(r.ID) {
		fmt.Fprintf(w, "Likelihood: after a compromise (the threat follows a flaw exploited, a secret leaked or a caller taken over: counted as a foothold)\n")
	}
	fmt.Fprintf(w, "Origin:   %s", r.Origin)
	if !r.Source.IsZero() {
		fmt.Fprintf(w, " (%s)", r.Source)
	}
	fmt.Fprintln(w)
	if len(r.CWE) > 0 {
		fmt.Fprintf(w, "CWE:      %s\n", joinInts("CWE-", r.CWE))
	}
	if len(r.CAPEC) > 0 {
		fmt.Fprintf(w, "CAPEC:    %s\n", joinInts("CAPEC-", r.CAPEC))
	}
	fmt.Fprintf(w, "\n%s\n", r.Doc)
	if len(r.Mitigations) > 0 {
		fmt.Fprintf(w, "\nMitigations:\n")
		for _, m := range r.Mitigations {
			fmt.Fprintf(w, "  - %s\n", m)
		}
	}
	if len(r.References) > 0 {
		fmt.Fprintf(w, "\nReferences:\n")
		for _, m := range r.References {
			fmt.Fprintf(w, "  - %s\n", m)
		}
	}
	_, err := fmt.Fprint(a.env.Stdout, w.String())
	return err
}

type ruleJSON struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Category    string   `json:"category"`
	On          string   `json:"on"`
	Origin      string   `json:"origin"`
	Doc         string   `json:"doc"`
	CWE         []int    `json:"cwe"`
	CAPEC       []int    `json:"capec"`
	Mitigations []string `json:"mitigations"`
	References  []string `json:"references"`
}

func toRuleJSON(r *rule.Rule) ruleJSON {
	return ruleJSON{ID: r.ID, Title: r.Title, Category: string(r.Category), On: r.On.String(), Origin: string(r.Origin), Doc: r.Doc,
		CWE: orNil(r.CWE), CAPEC: orNil(r.CAPEC), Mitigations: orNil(r.Mitigations), References: orNil(r.References)}
}

func orNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func joinInts(prefix string, xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%s%d", prefix, x)
	}
	return strings.Join(parts, ", ")
}

var _ = model.Spoofing
var _ = rules.All
