package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/decide"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/modeledit"
	"github.com/wardtm/ward/internal/spec"
)

func (a *app) decideCmd() *cobra.Command {
	var (
		af     analyseFlags
		d      decide.Decision
		remove bool
		dryRun bool
	)
	cmd := &cobra.Command{
		Use:   "decide FINDING [MODEL]",
		Short: "Record a decision on a finding (accepted, false positive, transferred) in the model",
		Long: `Decide records what the team decided about a generated finding in the model's
decisions: list, the way the server does when a decision is taken on the
system page or through the API (the same code writes both).

It analyses the model first: FINDING must be the id of a current threat, as
ward check prints it. An earlier id of the threat (an alias, such as the id
of one hop of a merged threat) is taken as the threat's id, and says so. A
decision on a merged threat (one weakness on several hops into one receiver
or zone) records in covers the hops it is taken on, so that a hop joining
later is not silently covered (ward help risk).

The decision replaces the one on the same finding wherever it is (the main
file or an included file), or is added to the file that holds the decisions
(the main file when none does). Only the lines that change are written:
comments and layout are kept. The result is loaded again before and after it
is written; a decision the model would refuse (accepted without a reason,
an owner and an expiry date; false_positive or transferred without a reason;
an unknown mitigation) is not written.

--status is accepted, false_positive, transferred or mitigated. --remove
deletes the decision on FINDING instead (also one on a threat that is gone).
--dry-run prints the change as a unified diff and writes nothing.`,
		Example: `  ward decide sensitive-data-in-cleartext:db --status accepted \
      --reason "the data centre network is ours" --owner dana --expires 2027-01-31
  ward decide no-rate-limiting:web --status false_positive --reason "behind the gateway's limit" services/shop
  ward decide no-rate-limiting:web --status mitigated --mitigation gateway-rate-limit
  ward decide no-rate-limiting:web --remove --dry-run`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			d.Finding = args[0]
			if remove && cmd.Flags().Changed("status") {
				return usagef("--remove deletes the decision: give it without --status")
			}
			if !remove && d.Status == "" {
				return usagef("say what was decided: --status accepted, false_positive, transferred or mitigated (or --remove)")
			}
			if !remove {
				if err := decide.Check(d); err != nil {
					return usagef("%v", err)
				}
			}
			af.mitigated = true // every threat may be decided on
			return a.decide(cmd.Context(), args[1:], af, d, remove, dryRun)
		},
	}
	af.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&d.Status, "status", "", "what was decided: `accepted|false_positive|transferred|mitigated`")
	fl.StringVar(&d.Reason, "reason", "", "why, in a `sentence` (required for accepted, false_positive and transferred)")
	fl.StringVar(&d.Owner, "owner", "", "`who` owns the decision (required for accepted)")
	fl.StringVar(&d.Expires, "expires", "", "when an acceptance ends, `YYYY-MM-DD` (required for accepted)")
	fl.StringArrayVar(&d.Mitigations, "mitigation", nil, "a mitigation of the model that addresses the finding (`id`; repeatable)")
	fl.BoolVar(&remove, "remove", false, "delete the decision on FINDING")
	fl.BoolVar(&dryRun, "dry-run", false, "print the change as a unified diff; write nothing")
	return cmd
}

// decide records (or removes) a decision in the model's files.
func (a *app) decide(ctx context.Context, args []string, af analyseFlags, d decide.Decision, remove, dryRun bool) error {
	p, err := a.modelPath(args)
	if err != nil {
		return err
	}
	an, err := a.analyseOnly(ctx, p, af)
	if err != nil {
		return err
	}
	files, err := bundleFiles(an.loaded)
	if err != nil {
		return err
	}
	fs := &decide.Files{Main: filepath.Base(p), Files: maps.Clone(files)}

	f, others := findThreat(an.analysis.Findings, d.Finding)
	var name, what string
	if remove {
		// The decision on the id given is removed, even on a threat that
		// is gone or on an earlier id; else the one on the threat it names.
		name, err = decide.Remove(fs, d.Finding)
		if errors.Is(err, decide.ErrNoDecision) && f != nil && f.ID != d.Finding {
			var decided []*model.Finding
			for _, x := range append([]*model.Finding{f}, others...) {
				if x.Decision != nil && x.Decision.Finding == x.ID {
					decided = append(decided, x)
				}
			}
			if len(decided) > 1 {
				return usagef("%s is an earlier id of %d decided threats: remove the decision on one of them by its id:%s", d.Finding, len(decided), idList(decided))
			}
			if len(decided) == 1 {
				f = decided[0]
			}
			fmt.Fprintf(a.env.Stdout, "%s is an earlier id of %s: removing the decision on %s\n", d.Finding, f.ID, f.ID)
			d.Finding = f.ID
			name, err = decide.Remove(fs, d.Finding)
		}
		if errors.Is(err, decide.ErrNoDecision) {
			return usagef("the model has no decision on %s: nothing to remove", d.Finding)
		}
		what = "removed the decision on " + d.Finding
	} else {
		if f == nil {
			return usagef("no current threat has the id %q\n%s", d.Finding, closestIDs(d.Finding, an.analysis.Findings))
		}
		if len(others) > 0 {
			return usagef("%s is an earlier id of %d threats (the weakness was split by STRIDE category or merged): decide on one of them by its id:%s",
				d.Finding, len(others)+1, idList(append([]*model.Finding{f}, others...)))
		}
		if f.ID != d.Finding {
			fmt.Fprintf(a.env.Stdout, "%s is an earlier id of %s: the decision is taken on %s\n", d.Finding, f.ID, f.ID)
			d.Finding = f.ID
		}
		d.Covers = decide.Covers(string(f.Origin), f.Aliases)
		name, err = decide.Apply(fs, d)
		what = fmt.Sprintf("%s %s", d.Status, d.Finding)
		if len(d.Covers) > 0 {
			what += fmt.Sprintf(" (covers hops %s)", strings.Join(d.Covers, ", "))
		}
	}
	if err != nil {
		return err
	}
	dir := an.loaded.Dir
	shown := a.display(filepath.Join(dir, filepath.FromSlash(name)))
	if fs.Files[name] == files[name] {
		fmt.Fprintf(a.env.Stdout, "%s: unchanged (the model already records %s)\n", shown, what)
		return nil
	}
	// The model as it would be is loaded before anything is written.
	if err := a.checkFiles(ctx, dir, fs); err != nil {
		return err
	}
	if dryRun {
		fmt.Fprintf(a.env.Stdout, "--- a/%s\n+++ b/%s\n", name, name)
		fmt.Fprint(a.env.Stdout, modeledit.Unified(modeledit.LineDiff(files[name], fs.Files[name]), 3))
		fmt.Fprintf(a.env.Stdout, "dry run: %s would be written (%s)\n", shown, what)
		return nil
	}
	full := filepath.Join(dir, filepath.FromSlash(name))
	mode := os.FileMode(0o644)
	if st, err := os.Stat(full); err == nil {
		mode = st.Mode().Perm()
	}
	if err := writeFileAtomic(full, []byte(fs.Files[name])); err != nil {
		return err
	}
	if err := os.Chmod(full, mode); err != nil {
		return err
	}
	if _, err := a.load(ctx, p); err != nil { // proof: the file as written loads
		return fmt.Errorf("%s was written but does not load again: %w", shown, a.relDiags(err))
	}
	added, removed := 0, 0
	for _, l := range modeledit.LineDiff(files[name], fs.Files[name]) {
		switch l.Op {
		case '+':
			added++
		case '-':
			removed++
		}
	}
	fmt.Fprintf(a.env.Stdout, "%s: %s (+%d -%d lines)\n", shown, what, added, removed)
	return nil
}

// findThreat returns the finding with the id, or else the ones that have
// it as an alias (an earlier id, or the id of one hop of a merged threat):
// the first, and the others when there are several.
func findThreat(fs []*model.Finding, id string) (*model.Finding, []*model.Finding) {
	for _, f := range fs {
		if f.ID == id {
			return f, nil
		}
	}
	var found []*model.Finding
	for _, f := range fs {
		if slices.Contains(f.Aliases, id) {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return nil, nil
	}
	slices.SortFunc(found, func(x, y *model.Finding) int { return strings.Compare(x.ID, y.ID) })
	return found[0], found[1:]
}

// idList lists the findings' ids, one a line.
func idList(fs []*model.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s", f.ID)
	}
	return b.String()
}

// closestIDs lists the current threats' ids closest to id.
func closestIDs(id string, fs []*model.Finding) string {
	if len(fs) == 0 {
		return "the model has no threats to decide on"
	}
	type scored struct {
		id string
		d  int
	}
	var all []scored
	rule, _, _ := strings.Cut(id, ":")
	for _, f := range fs {
		if f.Origin == model.OriginPeople {
			continue // decisions on the team's own threats go in the threat's status
		}
		d := spec.Distance(id, f.ID)
		if strings.HasPrefix(f.ID, rule+":") {
			d -= len(rule) // the same rule counts most
		}
		all = append(all, scored{f.ID, d})
	}
	slices.SortStableFunc(all, func(x, y scored) int { return x.d - y.d })
	var b strings.Builder
	b.WriteString("closest ids (ward check --all lists them all):")
	for i, s := range all {
		if i == 5 {
			break
		}
		fmt.Fprintf(&b, "\n  %s", s.id)
	}
	return b.String()
}

// checkFiles loads the model as fs would make it, from a copy of its
// files in a temporary directory, with problems shown at the real paths.
func (a *app) checkFiles(ctx context.Context, dir string, fs *decide.Files) error {
	tmp, err := os.MkdirTemp("", "ward-decide-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for name, content := range fs.Files {
		full := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
			return err
		}
	}
	_, err = a.load(ctx, filepath.Join(tmp, fs.Main))
	var ds spec.Diagnostics
	if !errors.As(err, &ds) {
		return err
	}
	for i := range ds {
		if r, rerr := filepath.Rel(tmp, ds[i].Pos.File); rerr == nil && !strings.HasPrefix(r, "..") {
			ds[i].Pos.File = filepath.Join(dir, r)
		}
	}
	fmt.Fprintln(a.env.Stderr, "ward: the decision was not written: the model would not load")
	return a.relDiags(ds)
}
