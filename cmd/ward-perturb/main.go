// Command ward-perturb copies an evaluation set, rewriting each case's
// ward.yaml as a sparser modeller might have written it, to measure how
// Ward's engine degrades under a different modelling style. It is a
// development tool, not part of Ward. Reference lists, READMEs and imported
// models are copied unchanged.
//
//	go run ./cmd/ward-perturb -p no-needs,no-trust -o /tmp/p testdata/eval-holdout6
//	go run ./cmd/ward-perturb -p minimal -o /tmp/m testdata/eval-holdout6
//	ward eval /tmp/m
//
// Perturbations (-list prints them): no-needs, no-data-tags, no-trust,
// two-trust, no-boundaries, generic-kinds, no-descriptions, no-context, no-controls,
// no-flow-security, no-flags, no-tech, no-held, minimal (all of them) and
// words-only (all of them but generic-kinds and no-descriptions: ids, names,
// descriptions, component kinds and flows' carried assets stay).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/wardtm/ward/internal/perturb"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command with its I/O passed in; it returns the exit code
// (0 ok, 1 failure, 2 usage).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ward-perturb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := fs.String("p", "", "comma-separated `NAMES` of perturbations to apply (minimal: all; words-only: all but generic-kinds and no-descriptions)")
	out := fs.String("o", "", "output `DIR` (must not exist or be empty)")
	list := fs.Bool("list", false, "list the perturbations and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ward-perturb -p NAME[,NAME] -o OUTDIR SETDIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *list {
		for _, p := range perturb.All {
			fmt.Fprintf(stdout, "%-17s %s\n", p.Name, p.Doc)
		}
		fmt.Fprintf(stdout, "%-17s %s\n", perturb.Minimal, "all of the above")
		fmt.Fprintf(stdout, "%-17s %s\n", perturb.WordsOnly, perturb.WordsOnlyDoc)
		return 0
	}
	if fs.NArg() != 1 || *out == "" || *names == "" {
		fs.Usage()
		return 2
	}
	ps, err := perturb.Parse(*names)
	if err != nil {
		fmt.Fprintln(stderr, "ward-perturb:", err)
		return 2
	}
	n, err := perturb.Set(fs.Arg(0), *out, ps)
	if err != nil {
		fmt.Fprintln(stderr, "ward-perturb:", err)
		return 1
	}
	fmt.Fprintf(stderr, "ward-perturb: %d models rewritten into %s\n", n, *out)
	return 0
}
