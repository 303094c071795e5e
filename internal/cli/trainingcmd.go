package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/training"
)

func (a *app) trainingCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "training",
		Short: "Training exercises: list, show and validate them (docs/training.md)",
		Long: `A training exercise is a design (a Ward model and a short design document) with
planted flaws and a reference list of threats, written in YAML by instructors.
Ward ships two; runs with several groups happen on the server (/training).

  ward training list                   the built-in exercises
  ward training show ID|FILE           the design document and the elements to find threats on
  ward training show ID --reference    also the planted flaws and the reference (instructors)
  ward training show ID --yaml         the exercise's YAML, a start for writing your own
  ward training validate FILE          check an exercise you wrote (offline; exit 2 on problems)`,
	}
	var format string
	list := &cobra.Command{
		Use:   "list",
		Short: "List the built-in exercises",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q: use text or json", format)
			}
			xs, err := training.Builtin()
			if err != nil {
				return err
			}
			if format == "json" {
				type item struct {
					ID       string `json:"id"`
					Title    string `json:"title"`
					Summary  string `json:"summary"`
					Elements int    `json:"elements"`
					Flaws    int    `json:"flaws"`
					Threats  int    `json:"reference_threats"`
				}
				out := []item{}
				for _, x := range xs {
					out = append(out, item{x.ID, x.Title, x.Summary, len(x.Elements()), len(x.Flaws), len(x.Reference.Threats)})
				}
				enc := json.NewEncoder(a.env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tELEMENTS\tFLAWS\tREFERENCE\tTITLE")
			for _, x := range xs {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", x.ID, len(x.Elements()), len(x.Flaws), len(x.Reference.Threats), x.Title)
			}
			return tw.Flush()
		},
	}
	list.Flags().StringVar(&format, "format", "text", "text or json")

	var withRef, asYAML bool
	show := &cobra.Command{
		Use:   "show ID|FILE",
		Short: "Show an exercise: its design document and elements (--reference: flaws and reference)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asYAML {
				if training.Lookup(args[0]) == nil {
					return usagef("no built-in exercise %q; 'ward training list' lists them", args[0])
				}
				data, err := training.Source(args[0])
				if err != nil {
					return err
				}
				_, err = a.env.Stdout.Write(data)
				return err
			}
			x := training.Lookup(args[0])
			if x == nil {
				var err error
				if x, err = a.readExercise(args[0]); err != nil {
					return err
				}
			}
			a.printExercise(x, withRef)
			return nil
		},
	}
	show.Flags().BoolVar(&withRef, "reference", false, "also print the planted flaws and the reference (for instructors)")
	show.Flags().BoolVar(&asYAML, "yaml", false, "print the built-in exercise's YAML")

	validate := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check an exercise file (offline): problems as file:line:col, exit 2",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			x, err := a.readExercise(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "%s: exercise %s is valid: %d elements and flows, %d planted flaws, %d reference threats\n",
				args[0], x.ID, len(x.Elements()), len(x.Flaws), len(x.Reference.Threats))
			return nil
		},
	}
	cmd.AddCommand(list, show, validate)
	return cmd
}

// readExercise reads and parses an exercise file; an invalid one prints
// its problems and is a usage error (exit 2).
func (a *app) readExercise(name string) (*training.Exercise, error) {
	p := a.path(name)
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, usagef("%s is not a regular file", name)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, training.MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	x, err := training.Parse(name, data)
	var ds spec.Diagnostics
	if errors.As(err, &ds) {
		for _, d := range ds {
			fmt.Fprintln(a.env.Stderr, d.String())
		}
		return nil, usagef("the exercise is invalid (%d problem%s)", len(ds), plural(len(ds)))
	}
	return x, err
}

func (a *app) printExercise(x *training.Exercise, withRef bool) {
	w := a.env.Stdout
	fmt.Fprintf(w, "%s (%s)\n\n%s\n\nTime boxes: read %d min, find threats %d min, prioritise %d min.\n\n",
		x.Title, x.ID, x.Summary, x.Minutes.Read, x.Minutes.Find, x.Minutes.Prioritise)
	fmt.Fprintln(w, strings.TrimSpace(x.Design))
	fmt.Fprintln(w, "\nElements and flows to find threats on:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range x.Elements() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", e.ID, e.Kind, e.Name)
	}
	tw.Flush()
	if !withRef {
		return
	}
	fmt.Fprintln(w, "\nPlanted flaws:")
	for i, f := range x.Flaws {
		fmt.Fprintf(w, "  %d. %s (%s) — in %s\n", i+1, f.Title, f.ID, strings.Join(f.Where, ", "))
	}
	fmt.Fprintln(w, "\nReference threats:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tSEVERITY\tSTRIDE\tTARGET\tTITLE")
	for _, t := range x.Reference.Threats {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", t.ID, t.Severity, strings.Join(t.Stride, ""), t.Target, t.Title)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nReference top three: %s\n", strings.Join(x.Reference.TopThree, ", "))
}
