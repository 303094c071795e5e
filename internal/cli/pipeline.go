package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/risk"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/spec"
)

// analyseFlags are the flags shared by commands that analyse a model.
type analyseFlags struct {
	rules []string
	date  string
	// mitigated keeps threats whose controls are stated present (check --all).
	mitigated bool
}

func (f *analyseFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.rules, "rules", nil, "extra custom rule `file` (repeatable; in addition to the model's own rules:)")
	cmd.Flags().StringVar(&f.date, "date", "", "evaluate acceptance expiry and due dates as of this `YYYY-MM-DD` (default today)")
}

// modelPath finds the model file: the argument, a directory's ward.yaml, or
// ./ward.yaml.
func (a *app) modelPath(args []string) (string, error) {
	p := "ward.yaml"
	if len(args) > 0 {
		p = args[0]
	}
	full := a.path(p)
	st, err := os.Stat(full)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if len(args) == 0 {
				return "", usagef("no ward.yaml here — pass the model file, or run 'ward init' to create one")
			}
			return "", usagef("%s does not exist", p)
		}
		return "", err
	}
	if st.IsDir() {
		full = filepath.Join(full, "ward.yaml")
		if _, err := os.Stat(full); err != nil {
			return "", usagef("%s has no ward.yaml — pass the model file, or run 'ward init' there", p)
		}
	}
	return full, nil
}

// analysed is a loaded and analysed model.
type analysed struct {
	loaded   *spec.Loaded
	analysis *analysis.Analysis
	result   *report.Result
	// pending is Env.Built when the caller is to call it (analyseFor):
	// built does, once.
	pending func(alone, small bool)
}

// built calls Env.Built if analyseFor left it to the caller; alone says
// the caller has let the analysis go, small that its render allocates
// little (Env.Built).
func (r *analysed) built(alone, small bool) {
	if r.pending != nil {
		r.pending(alone, small)
		r.pending = nil
	}
}

// analyse loads the model at path with its rules and analyses it.
func (a *app) analyse(ctx context.Context, path string, f analyseFlags) (*analysed, error) {
	return a.analyseAnd(ctx, path, f, true, report.AllParts, false)
}

// analyseFor is analyse with a result holding only the given optional
// parts (report.BuildOnly), for a command that renders it in a format that
// reads no others (report.FormatParts).
//
// Unlike analyse it leaves the call of Env.Built to the caller
// (analysed.built), which can first let the analysis go: the collection
// the large-model pacing makes there (afterBuild) then marks only what the
// render reads.
func (a *app) analyseFor(ctx context.Context, path string, f analyseFlags, parts report.Parts) (*analysed, error) {
	res, err := a.analyseAnd(ctx, path, f, true, parts, true)
	if res != nil {
		res.pending = a.env.Built
	}
	return res, err
}

// analyseOnly is analyse without the canonical result (nil), for commands
// that write the analysis in another form (ward export): building it would
// hold a second copy of every finding.
func (a *app) analyseOnly(ctx context.Context, path string, f analyseFlags) (*analysed, error) {
	return a.analyseAnd(ctx, path, f, false, 0, false)
}

func (a *app) analyseAnd(ctx context.Context, path string, f analyseFlags, build bool, parts report.Parts, later bool) (*analysed, error) {
	now := a.env.Now()
	if f.date != "" {
		t, err := time.Parse(time.DateOnly, f.date)
		if err != nil {
			return nil, usagef("--date %q is not a date: write YYYY-MM-DD", f.date)
		}
		now = t
	}
	prog := a.progress()
	defer prog.done()
	prog.step("loading model")
	l, err := a.load(ctx, path)
	if err != nil {
		return nil, a.relDiags(err)
	}
	if a.env.Loaded != nil {
		a.env.Loaded()
	}
	size := len(l.Model.Components) + len(l.Model.Flows)
	prog.large(size)
	prog.step("loading rules")
	if err := rule.CheckCustomCount(ctx, l.RuleFiles); err != nil { // before compiling them
		return nil, err
	}
	rs, err := a.loadRules(l, f.rules)
	if err != nil {
		return nil, a.relDiags(err)
	}
	prog.step("analysing")
	an, err := analysis.Run(ctx, l.Model, rs, analysis.Options{Now: now, Mitigated: f.mitigated})
	if err != nil {
		return nil, err
	}
	if a.env.Analysed != nil {
		a.env.Analysed(build, parts)
	}
	for _, w := range l.Warnings {
		an.Warnings = append(an.Warnings, risk.Warning{Pos: w.Pos, Msg: w.Msg, Hint: w.Hint})
	}
	for _, e := range rule.EvalErrors(rs) {
		an.Warnings = append(an.Warnings, risk.Warning{Pos: e.Source,
			Msg:  fmt.Sprintf("custom rule %q failed to evaluate on %d element(s), first on %q: %v", e.Rule, e.Count, e.Target, e.Err),
			Hint: "the rule was treated as not applying there; guard the expression with has() or fix it (see docs/rules.md)"})
	}
	if !build {
		return &analysed{loaded: l, analysis: an}, nil
	}
	prog.step("ranking")
	res := report.BuildOnly(an, report.Tool{Name: "ward", Version: a.env.Version}, parts)
	a.relResult(res)
	if a.env.Built != nil && !later {
		a.env.Built(false, false)
	}
	return &analysed{loaded: l, analysis: an, result: res}, nil
}

// loadRules returns the built-in rules plus the model's custom rules and any
// given with --rules.
func (a *app) loadRules(l *spec.Loaded, extra []string) ([]*rule.Rule, error) {
	var srcs []spec.Source
	for _, p := range extra {
		if err := checkRegular(a.path(p)); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(a.path(p))
		if err != nil {
			return nil, usagef("--rules: %v", err)
		}
		srcs = append(srcs, spec.Source{Name: a.path(p), Data: data})
	}
	return analysis.Rules(l, srcs)
}

// relDiags rewrites diagnostic paths relative to the working directory.
func (a *app) relDiags(err error) error {
	var ds spec.Diagnostics
	if !errors.As(err, &ds) || a.env.Dir == "" {
		return err
	}
	for i := range ds {
		ds[i].Pos.File = a.display(ds[i].Pos.File)
	}
	return ds
}

// relResult rewrites the result's file paths relative to the working directory.
func (a *app) relResult(r *report.Result) {
	if a.env.Dir == "" {
		return
	}
	r.RenameFiles(a.display)
}

// parseFailOn parses --fail-on.
func parseFailOn(s string) (model.Severity, error) {
	sev, ok := model.ParseSeverity(s)
	if !ok {
		return 0, usagef("--fail-on %q: use critical, high, medium, low, info or none", s)
	}
	return sev, nil
}

// gate returns a findingsError when open findings reach the threshold.
func gate(an *analysis.Analysis, threshold model.Severity) error {
	return gateUnverified(an, threshold, false)
}

// gateUnverified is gate counting unverified threats too when unverified is
// set or the model's policy says fail_on_unverified.
func gateUnverified(an *analysis.Analysis, threshold model.Severity, unverified bool) error {
	if threshold == model.SevNone {
		return nil
	}
	n := an.Count(threshold)
	if unverified || an.Model.Policy.FailOnUnverified {
		n += an.CountUnverified(threshold)
	}
	if n > 0 {
		return findingsError{n: n, threshold: threshold.String()}
	}
	return nil
}

func fmtErr(format string) error {
	return usagef("unknown --format %q: use %s", format, strings.Join(report.Formats(), ", "))
}
