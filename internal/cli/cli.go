// Package cli implements the ward command: one function, Main, with every
// input and output passed in, so tests drive it exactly as people do. Each
// subcommand lives in its own file; errors are classified once, here, and
// mapped to exit codes: 0 ok, 1 tool failure, 2 usage or invalid model,
// 3 findings at or above --fail-on.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/spec"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitInvalid  = 2
	ExitFindings = 3
)

// Env is everything the program reads from and writes to the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable.
	Getenv func(string) string
	// Now returns the current time.
	Now func() time.Time
	// Dir is the working directory relative paths are taken from ("" = process's).
	Dir string
	// StdinTTY and StderrTTY say whether those streams are terminals.
	StdinTTY  bool
	StderrTTY bool
	// Version is the program's version.
	Version string
	// Analysed, when set, is called after each analysis, before its result
	// is built (cmd/ward collects garbage there; see its gc.go); build says
	// whether it will be, and parts which of its parts (the renderer's,
	// report.FormatParts). Built, when set, is called once it is; alone
	// says the command has let the analysis go, so that the result is all
	// that stays live (ward check), and small that the render that follows
	// allocates little (ward check's text, without --verbose or --all).
	Analysed func(build bool, parts report.Parts)
	Built    func(alone, small bool)
	// Loaded, when set, is called once a model to analyse is loaded, before
	// its rules are (cmd/ward collects the loading's garbage there when the
	// model is large).
	Loaded func()
}

// usageError marks errors in how ward was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// findingsError says findings reached the --fail-on threshold.
type findingsError struct {
	n         int
	threshold string
}

func (e findingsError) Error() string {
	return fmt.Sprintf("%d open finding(s) at or above %s", e.n, e.threshold)
}

// Main runs ward with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Version == "" {
		env.Version = Version()
	}
	a := &app{env: env, log: newLogger(env)}
	b, berr := budgetFromEnv(env.Getenv)
	if berr != nil {
		return a.exit(berr)
	}
	ctx = rule.WithBudget(ctx, b) // the same analysis limits as the server
	root := a.root()
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	return a.exit(err)
}

// exit prints err the way its class asks and returns the exit code.
func (a *app) exit(err error) int {
	if err == nil {
		return ExitOK
	}
	var diags spec.Diagnostics
	var fe findingsError
	var ue usageError
	switch {
	case errors.As(err, &diags):
		for _, d := range diags {
			fmt.Fprintln(a.env.Stderr, d.String())
		}
		n := 0
		for _, d := range diags {
			if d.Level == spec.Error {
				n++
			}
		}
		fmt.Fprintf(a.env.Stderr, "ward: the model is invalid (%d problem%s)\n", n, plural(n))
		return ExitInvalid
	case rule.IsBudget(err):
		fmt.Fprintf(a.env.Stderr, "ward: %v\n", err)
		return ExitInvalid
	case errors.As(err, new(*interop.InputError)):
		fmt.Fprintf(a.env.Stderr, "ward: %v\n", err)
		return ExitInvalid
	case errors.As(err, &fe):
		fmt.Fprintf(a.env.Stderr, "ward: %s\n", fe.Error())
		return ExitFindings
	case isCobraUsage(err):
		fmt.Fprintf(a.env.Stderr, "ward: %v\nRun 'ward help' for usage.\n", err)
		return ExitInvalid
	case errors.As(err, &ue):
		fmt.Fprintf(a.env.Stderr, "ward: %v\n", err)
		return ExitInvalid
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(a.env.Stderr, "ward: interrupted")
		return ExitFailure
	case errors.Is(err, os.ErrNotExist):
		fmt.Fprintf(a.env.Stderr, "ward: %v\n", err)
		return ExitInvalid
	}
	fmt.Fprintf(a.env.Stderr, "ward: %v\n", err)
	return ExitFailure
}

// budgetFromEnv reads the analysis limits (docs/rules.md): the
// WARD_MAX_CUSTOM_RULES, WARD_MAX_FINDINGS and WARD_MAX_RULE_COST
// variables, the same settings ward serve has as flags.
func budgetFromEnv(get func(string) string) (rule.Budget, error) {
	var b rule.Budget
	for _, v := range []struct {
		name string
		set  func(int64)
	}{
		{"WARD_MAX_CUSTOM_RULES", func(n int64) { b.MaxCustomRules = int(n) }},
		{"WARD_MAX_FINDINGS", func(n int64) { b.MaxFindings = int(n) }},
		{"WARD_MAX_RULE_COST", func(n int64) { b.MaxCost = n }},
	} {
		if s := get(v.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 || n > 1<<40 {
				return b, usagef("%s=%q: use a positive whole number", v.name, s)
			}
			v.set(n)
		}
	}
	return rule.WithBudgetDefaults(b), nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// isCobraUsage recognises cobra's own argument and flag errors.
func isCobraUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "bad flag syntax", "flags in group"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

type app struct {
	env Env
	log *slog.Logger
	// maxInput is the --max-input flag (see maxInputBytes); flags holds it.
	maxInput string
	flags    *pflag.FlagSet
}

func newLogger(env Env) *slog.Logger {
	level := slog.LevelWarn
	if env.Getenv("WARD_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
}

// path resolves a user-given path against the working directory.
func (a *app) path(p string) string {
	if p == "" || filepath.IsAbs(p) || a.env.Dir == "" {
		return p
	}
	return filepath.Join(a.env.Dir, p)
}

// display turns a path back into what the user typed, for messages.
func (a *app) display(p string) string {
	if a.env.Dir == "" {
		return p
	}
	if r, err := filepath.Rel(a.env.Dir, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "ward",
		Short: "Self-serve threat modeling: models as code, findings ranked by business risk",
		Long: `Ward reads a threat model kept as YAML beside your design and code (ward.yaml),
finds what can go wrong, ranks it by business risk, asks the security questions
the design has not answered yet, and gates CI on unmitigated high risk.

Start with 'ward init', then 'ward check'. 'ward help format' documents the
model format; 'ward help controls' lists the controls Ward asks about.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		CompletionOptions: cobra.CompletionOptions{
			HiddenDefaultCmd: true,
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	a.flags = root.PersistentFlags()
	a.flags.StringVar(&a.maxInput, "max-input", "", "refuse model and import files larger than `size` (such as 2GiB or 256MiB; default 1GiB, or WARD_MAX_INPUT; for the commands that read them — the server keeps 64MiB)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if a.flags.Changed("max-input") && !readsInput(cmd) {
			return usagef("--max-input bounds the files a command reads (a model, a file to import); ward %s reads none — drop the flag (the server keeps 64MiB a request)", topCommand(cmd).Name())
		}
		return nil
	}
	root.AddCommand(a.checkCmd(), a.reportCmd(), a.diagramCmd(), a.triageCmd(), a.initCmd(), a.rulesCmd(), a.versionCmd(), a.schemaCmd(), a.importCmd(), a.exportCmd(), a.diffCmd(), a.serveCmd(), a.pushCmd(), a.pullCmd(), a.backupCmd())
	root.AddCommand(a.pathsCmd(), a.blastCmd(), a.briefCmd())
	root.AddCommand(a.userCmd(), a.tokenCmd(), a.teamCmd())
	root.AddCommand(a.reviewCmd())
	root.AddCommand(a.findingsCmd(), a.decideCmd())
	root.AddCommand(a.evalCmd())
	root.AddCommand(a.notifyCmd())
	root.AddCommand(a.trainingCmd())
	a.addHelpTopics(root)
	groupCommands(root)
	return root
}

// groupCommands sorts the commands into groups for 'ward help'.
func groupCommands(root *cobra.Command) {
	groups := []struct{ id, title string }{
		{"model", "Threat models:"},
		{"change", "Change, interop and pen tests:"},
		{"server", "The Ward server:"},
		{"topics", "Help topics (ward help TOPIC):"},
		{"other", "Other:"},
	}
	for _, g := range groups {
		root.AddGroup(&cobra.Group{ID: g.id, Title: g.title})
	}
	of := map[string]string{
		"init": "model", "check": "model", "report": "model", "diagram": "model", "rules": "model", "triage": "model", "decide": "model",
		"diff": "change", "import": "change", "export": "change", "paths": "change", "blast": "change", "brief": "change",
		"eval":  "model",
		"serve": "server", "push": "server", "pull": "server", "backup": "server",
		"user": "server", "token": "server", "team": "server", "review": "server", "training": "server", "findings": "server",
		"format": "topics", "controls": "topics", "risk": "topics", "exit-codes": "topics",
	}
	for _, c := range root.Commands() {
		if g, ok := of[c.Name()]; ok {
			c.GroupID = g
		} else {
			c.GroupID = "other"
		}
	}
	root.SetHelpCommandGroupID("other")
	root.SetCompletionCommandGroupID("other")
}

// inputCommands are the top-level commands that read a model or a file to
// import, the ones --max-input bounds.
var inputCommands = map[string]bool{
	"check": true, "report": true, "diagram": true, "triage": true, "init": true, "rules": true,
	"import": true, "export": true, "diff": true, "push": true, "paths": true, "blast": true,
	"brief": true, "review": true, "decide": true, "eval": true,
}

// topCommand is cmd's ancestor just below the root (cmd itself at the top).
func topCommand(cmd *cobra.Command) *cobra.Command {
	for cmd.HasParent() && cmd.Parent().HasParent() {
		cmd = cmd.Parent()
	}
	return cmd
}

// readsInput reports whether cmd reads model or import files (--max-input
// applies to it).
func readsInput(cmd *cobra.Command) bool {
	return inputCommands[topCommand(cmd).Name()]
}
