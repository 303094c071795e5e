package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/diff"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/spec"
)

func (a *app) diffCmd() *cobra.Command {
	var (
		af     analyseFlags
		format string
		failOn string
		rev    string
	)
	cmd := &cobra.Command{
		Use:   "diff OLD NEW | diff --git REV [MODEL]",
		Short: "Show what a change to a model means for security, and gate CI on added risk",
		Long: `Diff analyses two versions of a model and shows what changed in the attack
surface: components, flows, boundaries and assets added, removed or changed
(controls, protocol, authentication, encryption, carried and stored data), new
trust-boundary crossings, sensitive data newly carried or stored, findings that
appeared, disappeared or changed severity or status, decisions, mitigations,
assumptions and questions, and a verdict: more or less risk.

OLD and NEW are model files or directories (their ward.yaml). With --git REV,
the old version is the model as committed at REV (its includes and rule files
too) and the new one is the working tree's MODEL (default ./ward.yaml).

Both versions are evaluated at the same date (--date, default today).

Exit status: 3 when the change adds an open finding at or above --fail-on (a
new finding, a raised severity or a re-opened finding; default none: never),
2 when either model or the command line is invalid, 1 when ward itself
failed, 0 otherwise.`,
		Example: `  ward diff old/ward.yaml ward.yaml
  ward diff --git main
  ward diff --git origin/main services/pay --format markdown --fail-on high`,
		Args: func(cmd *cobra.Command, args []string) error {
			if rev != "" {
				return cobra.MaximumNArgs(1)(cmd, args)
			}
			if len(args) != 2 {
				return usagef("diff needs OLD and NEW models, or --git REV [MODEL]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			threshold, err := parseFailOn(failOn)
			if err != nil {
				return err
			}
			if !slices.Contains(diff.Formats(), format) {
				return usagef("unknown --format %q: use %s", format, strings.Join(diff.Formats(), ", "))
			}
			var oldRef string
			newArgs := args
			if rev != "" {
				oldRef = "git:" + rev
			} else {
				oldRef, newArgs = args[0], args[1:]
			}
			newPath, err := a.modelPath(newArgs)
			if err != nil {
				return err
			}
			oldSide, cleanup, err := a.side(ctx, oldRef, newPath, af)
			defer cleanup()
			if err != nil {
				return err
			}
			newSide, _, err := a.side(ctx, newPath, newPath, af)
			if err != nil {
				return err
			}
			d := diff.Compare(oldSide, newSide)
			if err := diff.Render(a.env.Stdout, format, d); err != nil {
				return err
			}
			if n := len(d.Worsened(threshold)); n > 0 {
				return findingsError{n: n, threshold: threshold.String() + " added by this change"}
			}
			return nil
		},
	}
	af.register(cmd)
	cmd.Flags().StringVar(&rev, "git", "", "compare the model as committed at git `REV` with the working tree")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output `format`: "+strings.Join(diff.Formats(), ", "))
	cmd.Flags().StringVar(&failOn, "fail-on", "none", "exit 3 when the change adds an open finding at or above this `severity`")
	return cmd
}

// side loads and analyses one version of a model. ref is a model file or
// directory, or git:REV for the model at current (a working-tree model file)
// as committed at REV. The cleanup function removes any temporary export.
func (a *app) side(ctx context.Context, ref, current string, af analyseFlags) (diff.Side, func(), error) {
	nothing := func() {}
	rev, isGit := strings.CutPrefix(ref, "git:")
	if !isGit {
		p := ref
		if p != current {
			var err error
			if p, err = a.modelPath([]string{ref}); err != nil {
				return diff.Side{}, nothing, err
			}
		}
		res, err := a.analyse(ctx, p, af)
		if err != nil {
			return diff.Side{}, nothing, err
		}
		return diff.Side{Label: a.display(p), Result: res.result, Model: res.analysis.Model}, nothing, nil
	}
	if rev == "" {
		return diff.Side{}, nothing, usagef("git: needs a revision, as in git:main")
	}
	limit, err := a.maxInputBytes()
	if err != nil {
		return diff.Side{}, nothing, err
	}
	file, tmp, err := gitExport(ctx, rev, current, limit)
	if err != nil {
		return diff.Side{}, nothing, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	label := "git:" + rev
	if file == "" {
		fmt.Fprintf(a.env.Stderr, "ward: %s did not exist at %s; comparing with an empty model\n", a.display(current), rev)
		return diff.Side{Label: label}, cleanup, nil
	}
	// Positions in the exported files read as REV:path in the repository.
	name := func(p string) string {
		if r, err := filepath.Rel(tmp, p); err == nil && !strings.HasPrefix(r, "..") {
			return rev + ":" + filepath.ToSlash(r)
		}
		return p
	}
	res, err := a.analyse(ctx, file, af)
	if err != nil {
		var ds spec.Diagnostics
		if errors.As(err, &ds) {
			for i := range ds {
				ds[i].Pos.File = name(ds[i].Pos.File)
			}
			return diff.Side{}, cleanup, ds
		}
		return diff.Side{}, cleanup, err
	}
	relocate(res.result, name)
	return diff.Side{Label: label, Result: res.result, Model: res.analysis.Model}, cleanup, nil
}

// gitExport writes the directory of the working-tree model file current, as
// committed at rev, into a new temporary directory. It returns the exported
// model file ("" when the model did not exist at rev) and the temporary
// directory. Files are cut just over limit (the loader then refuses them).
func gitExport(ctx context.Context, rev, current string, limit int64) (file, tmp string, err error) {
	abs, err := filepath.Abs(current)
	if err != nil {
		return "", "", err
	}
	dir := filepath.Dir(abs)
	top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return "", "", usagef("%s is not in a git repository: git:%s needs one (or compare two model files)", filepath.Dir(current), rev)
	}
	top = strings.TrimSpace(top)
	if _, err := git(ctx, dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return "", "", usagef("%q is not a revision in the git repository at %s: try a branch, tag or commit (fetch it first in a shallow CI checkout)", rev, top)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", "", err
	}
	realTop, err := filepath.EvalSymlinks(top)
	if err != nil {
		return "", "", err
	}
	relDir, err := filepath.Rel(realTop, realDir)
	if err != nil || strings.HasPrefix(relDir, "..") {
		return "", "", usagef("%s is outside the git repository at %s", current, top)
	}
	relDir = filepath.ToSlash(relDir)
	rel := path.Join(relDir, filepath.Base(abs))
	tmp, err = os.MkdirTemp("", "ward-git-")
	if err != nil {
		return "", "", err
	}
	if _, err := git(ctx, top, "cat-file", "-e", rev+":"+rel); err != nil {
		return "", tmp, nil
	}
	out, err := gitBytes(ctx, top, "archive", "--format=tar", rev, "--", relDir)
	if err != nil {
		return "", tmp, fmt.Errorf("git archive %s %s: %w", rev, relDir, err)
	}
	if err := untar(bytes.NewReader(out), tmp, limit); err != nil {
		return "", tmp, fmt.Errorf("export %s at %s: %w", relDir, rev, err)
	}
	return filepath.Join(tmp, filepath.FromSlash(rel)), tmp, nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	b, err := gitBytes(ctx, dir, args...)
	return string(b), err
}

func gitBytes(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%w: %s", err, msg)
		}
		return nil, err
	}
	return out, nil
}

// untar extracts the regular files and directories of a tar stream into dir,
// through an os.Root so nothing lands outside it, each cut just over limit
// bytes.
func untar(r io.Reader, dir string, limit int64) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(path.Clean(h.Name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if d := filepath.Dir(name); d != "." {
				if err := root.MkdirAll(d, 0o755); err != nil {
					return err
				}
			}
			f, err := root.Create(name)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, io.LimitReader(tr, limit+1))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}

// relocate renames the files in a result's locations.
func relocate(r *report.Result, name func(string) string) { r.RenameFiles(name) }

// baseline loads the baseline model for check --baseline and compares the
// checked model with it. The returned function, run after the report, lists
// the findings new since the baseline (on stdout for text and markdown, on
// stderr for machine formats) and fails when one reaches the threshold.
func (a *app) baseline(ctx context.Context, ref, current string, res *analysed, af analyseFlags, threshold model.Severity, format string) (func() error, error) {
	old, cleanup, err := a.side(ctx, ref, current, af)
	defer cleanup()
	if err != nil {
		return nil, err
	}
	d := diff.Compare(old, diff.Side{Label: a.display(current), Result: res.result, Model: res.analysis.Model})
	var worse []diff.FindingChange
	for _, f := range d.Findings {
		if f.Worse {
			worse = append(worse, f)
		}
	}
	failing := d.Worsened(threshold)
	return func() error {
		w := a.env.Stdout
		if format != "text" && format != "markdown" {
			w = a.env.Stderr
		}
		label := old.Label
		switch {
		case len(worse) == 0:
			fmt.Fprintf(w, "\nNo open finding is new since the baseline %s.\n", label)
		case format == "markdown":
			fmt.Fprintf(w, "\n## New since the baseline `%s`\n\n| Finding | Severity | Change |\n|---|---|---|\n", label)
			for _, f := range worse {
				fmt.Fprintf(w, "| `%s` %s | %s | %s |\n", f.ID, f.Title, f.Severity(), baselineChange(f))
			}
		default:
			fmt.Fprintf(w, "\nNew since the baseline %s (%d):\n", label, len(worse))
			for _, f := range worse {
				fmt.Fprintf(w, "  NEW %-8s %s — %s (%s)\n", f.Severity(), f.ID, f.Title, baselineChange(f))
			}
		}
		if len(failing) > 0 {
			return findingsError{n: len(failing), threshold: threshold.String() + " new since the baseline"}
		}
		return nil
	}, nil
}

func baselineChange(f diff.FindingChange) string {
	fold := ""
	if f.Fold != "" {
		// Folded on one side: its state there is f.Fold's (docs/diff.md).
		fold = ", folded into " + f.Fold + " on one side"
	}
	switch f.Change {
	case diff.Reopened:
		return "closed in the baseline: " + f.Old.Own() + fold
	case diff.Raised:
		return "was " + f.Old.Severity + " in the baseline" + fold
	}
	return "not in the baseline" + fold
}
