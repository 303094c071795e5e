package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/triage"
)

// answerFlags are the intake answers given on the command line, shared by
// ward triage and ward init.
type answerFlags struct {
	pavedPath, internetFacing, authChanges, criticality string
	sensitiveData                                       []string
	thirdParties                                        []string
}

func (f *answerFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.pavedPath, "paved-path", "", "does the design follow the paved path? `yes|no|unknown`")
	fl.StringVar(&f.internetFacing, "internet-facing", "", "is any part reachable from the internet? `yes|no|unknown`")
	fl.StringSliceVar(&f.sensitiveData, "sensitive-data", nil, "sensitive data handled: comma-separated `kinds` (pii, phi, payment_card, credentials, secrets, financial), none or unknown")
	fl.StringArrayVar(&f.thirdParties, "new-third-party", nil, "a third party new to the organisation (`name`; repeatable; none for none)")
	fl.StringVar(&f.authChanges, "auth-changes", "", "does it change authentication or authorization? `yes|no|unknown`")
	fl.StringVar(&f.criticality, "criticality", "", "business criticality: `low|medium|high|critical` (or unknown)")
}

// answers parses the flags; unset flags leave the question unknown.
func (f *answerFlags) answers(cmd *cobra.Command) (triage.Answers, error) {
	var a triage.Answers
	tri := func(name, v string, dst *model.Tri) error {
		if !cmd.Flags().Changed(name) {
			return nil
		}
		t, ok := model.ParseTri(strings.ToLower(strings.TrimSpace(v)))
		if !ok {
			return usagef("--%s %q: use yes, no or unknown", name, v)
		}
		*dst = t
		return nil
	}
	if err := errors.Join(tri("paved-path", f.pavedPath, &a.PavedPath), tri("internet-facing", f.internetFacing, &a.InternetFacing),
		tri("auth-changes", f.authChanges, &a.AuthChanges)); err != nil {
		return a, err
	}
	if cmd.Flags().Changed("criticality") {
		l, err := parseCriticality(f.criticality)
		if err != nil {
			return a, usagef("--criticality %q: %v", f.criticality, err)
		}
		a.Criticality = l
	}
	if cmd.Flags().Changed("sensitive-data") {
		kinds, known, err := parseDataKinds(strings.Join(f.sensitiveData, ","))
		if err != nil {
			return a, usagef("--sensitive-data: %v", err)
		}
		a.SensitiveData, a.SensitiveDataKnown = kinds, known
	}
	if cmd.Flags().Changed("new-third-party") {
		// One name per flag: names may contain commas ("Stripe, Inc.").
		names, known := []string{}, true
		for _, v := range f.thirdParties {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "", "unknown":
				known = false
			case "none", "no":
			default:
				if n := strings.TrimSpace(v); !slices.Contains(names, n) {
					names = append(names, n)
				}
			}
		}
		if !known && len(names) == 0 {
			names = nil
		}
		a.NewThirdParties, a.NewThirdPartiesKnown = names, known || len(names) > 0
	}
	return a, nil
}

func parseCriticality(s string) (model.Level, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "unknown" {
		return model.LevelUnset, nil
	}
	l, ok := model.ParseLevel(s)
	if !ok || l == model.LevelUnset {
		return 0, errors.New("use low, medium, high or critical")
	}
	return l, nil
}

// parseDataKinds parses "pii,payment_card", "none" or "unknown" ("" is unknown).
func parseDataKinds(s string) ([]model.DataKind, bool, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "unknown":
		return nil, false, nil
	case "none", "no":
		return []model.DataKind{}, true, nil
	}
	known := make([]string, len(model.DataKinds))
	for i, k := range model.DataKinds {
		known[i] = string(k)
	}
	out := []model.DataKind{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !slices.Contains(known, part) {
			hint := "use " + strings.Join(known, ", ") + ", none or unknown"
			if sug := spec.Suggest(part, known); sug != "" {
				hint = fmt.Sprintf("did you mean %q?", sug)
			}
			return nil, false, fmt.Errorf("%q is not a kind of sensitive data — %s", part, hint)
		}
		if !slices.Contains(out, model.DataKind(part)) {
			out = append(out, model.DataKind(part))
		}
	}
	return out, true, nil
}

// parseNames parses comma-separated names, "none" or "unknown".
func parseNames(s string) ([]string, bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "unknown":
		return nil, false, nil
	case "none", "no":
		return []string{}, true, nil
	}
	out := []string{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out, true, nil
}

// prompter asks questions on stderr and reads answers from stdin.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
	eof bool
}

func (a *app) prompter() *prompter {
	return &prompter{in: bufio.NewReader(a.env.Stdin), out: a.env.Stderr}
}

// ask prints the question and reads a line until parse accepts it. An empty
// line (Enter) is passed to parse, which decides what it means. At end of
// input ask returns "" without error.
func (p *prompter) ask(question, choices, def string, parse func(string) error) error {
	for {
		if p.eof {
			return parse("")
		}
		fmt.Fprintf(p.out, "%s\n  (%s)", question, choices)
		if def != "" {
			fmt.Fprintf(p.out, " [%s]", def)
		}
		fmt.Fprint(p.out, ": ")
		line, err := p.in.ReadString('\n')
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return err
			}
			p.eof = true
			fmt.Fprintln(p.out)
		}
		line = strings.TrimSpace(line)
		if line == "" && def != "" {
			line = def
		}
		perr := parse(line)
		if perr == nil {
			return nil
		}
		if p.eof {
			return parse("")
		}
		fmt.Fprintf(p.out, "  %v — try again (Enter leaves it unknown)\n", perr)
	}
}

// askAnswers asks every question a leaves unknown; Enter keeps it unknown.
func (p *prompter) askAnswers(a *triage.Answers) error {
	for _, q := range triage.Questions {
		if a.Known(q.ID) {
			continue
		}
		text := q.Text
		var parse func(string) error
		switch q.ID {
		case triage.QPavedPath, triage.QInternetFacing, triage.QAuthChanges:
			dst := map[triage.Question]*model.Tri{triage.QPavedPath: &a.PavedPath, triage.QInternetFacing: &a.InternetFacing, triage.QAuthChanges: &a.AuthChanges}[q.ID]
			parse = func(s string) error {
				t, ok := model.ParseTri(normYesNo(s))
				if !ok {
					return fmt.Errorf("%q is not yes or no", s)
				}
				*dst = t
				return nil
			}
		case triage.QSensitiveData:
			parse = func(s string) error {
				kinds, known, err := parseDataKinds(s)
				if err == nil {
					a.SensitiveData, a.SensitiveDataKnown = kinds, known
				}
				return err
			}
		case triage.QNewThirdParties:
			parse = func(s string) error {
				names, known, err := parseNames(s)
				if err == nil {
					a.NewThirdParties, a.NewThirdPartiesKnown = names, known
				}
				return err
			}
		case triage.QCriticality:
			parse = func(s string) error {
				if s == "" {
					return nil
				}
				l, err := parseCriticality(s)
				if err == nil {
					a.Criticality = l
				}
				return err
			}
		}
		if err := p.ask(text, q.Choices+"; Enter = unknown", "", parse); err != nil {
			return err
		}
	}
	return nil
}

func normYesNo(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "true":
		return "yes"
	case "n", "no", "false":
		return "no"
	case "", "?", "unknown", "dont know", "don't know":
		return "unknown"
	}
	return s
}

// triageOutput is the JSON form of ward triage's result.
type triageOutput struct {
	Tier    triage.Tier       `json:"tier"`
	Score   int               `json:"score"`
	Summary string            `json:"summary"`
	Reasons []triage.Reason   `json:"reasons"`
	Unknown []triage.Question `json:"unknown"`
	Answers map[string]any    `json:"answers"`
	Policy  string            `json:"policy"`
}

func (a *app) triageCmd() *cobra.Command {
	var (
		af          answerFlags
		answersFile string
		policyFile  string
		format      string
		noInput     bool
	)
	cmd := &cobra.Command{
		Use:   "triage [MODEL]",
		Short: "Decide whether a design needs a threat model, who leads it, and its review priority",
		Long: `Triage answers the intake questions for a design and says which tier it falls in:

  none          no threat model needed (paved path, no sensitive data, not
                internet-facing, no new third parties, no auth changes)
  self-serve    the team threat-models the design itself
  security-led  the security team leads or reviews the threat model

with a priority score from 0 to 100 that ranks the security review queue, and
the reasons, each naming the answer that caused it.

Answers come from, highest precedence first: the flags, --answers FILE, the
model's context: section (MODEL, default ./ward.yaml when it exists), and,
when standard input is a terminal and something is still unknown, a short
questionnaire (Enter leaves a question unknown). Unknown answers count as
risky: they never lower the tier, and are listed so you can answer them.

--policy FILE replaces the built-in policy (see docs/triage.md).

Exit status: 0 whatever the tier; 2 on invalid input (flags, answers, policy
or model). In CI, read the tier from --format json.`,
		Example: `  ward triage
  ward triage --paved-path yes --internet-facing no --sensitive-data none --new-third-party none --auth-changes no
  ward triage services/payments/ward.yaml --format json
  ward triage --answers intake.yaml --policy security/triage-policy.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("unknown --format %q: use text or json", format)
			}
			flagAns, err := af.answers(cmd)
			if err != nil {
				return err
			}
			policy := triage.DefaultPolicy()
			if policyFile != "" {
				data, err := a.readInput(policyFile)
				if err != nil {
					return err
				}
				if policy, err = triage.ParsePolicy(policyFile, data); err != nil {
					return a.inputErr("policy", policyFile, err)
				}
			}
			var ans triage.Answers
			if m, err := a.triageModelAnswers(cmd, args); err != nil {
				return err
			} else {
				ans = m
			}
			if answersFile != "" {
				data, err := a.readInput(answersFile)
				if err != nil {
					return err
				}
				fa, err := triage.ParseAnswers(answersFile, data)
				if err != nil {
					return a.inputErr("answers", answersFile, err)
				}
				ans = ans.Merge(fa)
			}
			ans = ans.Merge(flagAns)
			if a.env.StdinTTY && !noInput && len(ans.Unknown()) > 0 {
				fmt.Fprintln(a.env.Stderr, "Triage: answer what you know; press Enter to leave a question unknown.")
				if err := a.prompter().askAnswers(&ans); err != nil {
					return err
				}
				fmt.Fprintln(a.env.Stderr)
			}
			res := triage.Evaluate(ans, policy)
			if format == "json" {
				out := triageOutput{Tier: res.Tier, Score: res.Score, Summary: res.Summary, Reasons: res.Reasons, Unknown: res.Unknown,
					Policy: res.Policy, Answers: map[string]any{}}
				for _, q := range triage.Questions {
					out.Answers[string(q.ID)] = answerJSON(ans, q.ID)
				}
				enc := json.NewEncoder(a.env.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
			} else if err := writeTriageText(a.env.Stdout, res); err != nil {
				return err
			}
			return nil
		},
	}
	af.register(cmd)
	cmd.Flags().StringVar(&answersFile, "answers", "", "read answers from a YAML `file` (the keys of the model's context: section)")
	cmd.Flags().StringVar(&policyFile, "policy", "", "triage policy `file` replacing the built-in one (see docs/triage.md)")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output `format`: text or json")
	cmd.Flags().BoolVar(&noInput, "no-input", false, "never ask questions, even on a terminal")
	return cmd
}

func answerJSON(a triage.Answers, q triage.Question) any {
	if !a.Known(q) {
		return "unknown"
	}
	switch q {
	case triage.QSensitiveData:
		out := make([]string, len(a.SensitiveData))
		for i, k := range a.SensitiveData {
			out[i] = string(k)
		}
		return out
	case triage.QNewThirdParties:
		return append([]string{}, a.NewThirdParties...)
	}
	return a.Value(q)
}

// triageModelAnswers reads the answers in the model's context: section: the
// MODEL argument, or ./ward.yaml when it exists.
func (a *app) triageModelAnswers(cmd *cobra.Command, args []string) (triage.Answers, error) {
	if len(args) == 0 {
		if _, err := os.Stat(a.path("ward.yaml")); err != nil {
			return triage.Answers{}, nil
		}
	}
	path, err := a.modelPath(args)
	if err != nil {
		return triage.Answers{}, err
	}
	l, err := a.load(cmdContext(cmd), path)
	if err != nil {
		return triage.Answers{}, a.relDiags(err)
	}
	declared := false
	if data, err := os.ReadFile(path); err == nil {
		declared = triage.ContextKeys(data)["sensitive_data"]
	}
	return triage.FromContext(l.Model.Context, declared), nil
}

// readInput reads a user-named input file, mapping a missing file to a usage error.
func (a *app) readInput(p string) ([]byte, error) {
	if err := checkRegular(a.path(p)); err != nil {
		return nil, err
	}
	f, err := os.Open(a.path(p))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usagef("%s does not exist", p)
		}
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, triage.MaxFileBytes+1))
}

// inputErr prints a policy or answers file's diagnostics and returns a
// usage error (exit 2).
func (a *app) inputErr(what, file string, err error) error {
	var ds spec.Diagnostics
	if !errors.As(err, &ds) {
		return err
	}
	for _, d := range ds {
		fmt.Fprintln(a.env.Stderr, d.String())
	}
	n := 0
	for _, d := range ds {
		if d.Level == spec.Error {
			n++
		}
	}
	return usagef("the %s file %s is invalid (%d problem%s)", what, file, n, plural(n))
}

func writeTriageText(w io.Writer, r triage.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Tier: %s\n", r.Tier)
	fmt.Fprintf(&b, "Priority score: %d/100\n", r.Score)
	switch r.Tier {
	case triage.TierNone:
		b.WriteString("No threat model is needed for this design.\n")
	case triage.TierSelfServe:
		b.WriteString("The team threat-models this design itself (start with 'ward init', then 'ward check').\n")
	case triage.TierSecurityLed:
		b.WriteString("The security team leads or reviews this threat model; request a review with the score above.\n")
	}
	fmt.Fprintf(&b, "Why: %s\n", r.Summary)
	if len(r.Reasons) > 0 {
		b.WriteString("\nReasons:\n")
		for _, rs := range r.Reasons {
			fmt.Fprintf(&b, "  - %s\n", rs)
		}
	}
	if len(r.Unknown) > 0 {
		b.WriteString("\nStill unknown (counted as risky):\n")
		for _, q := range r.Unknown {
			info := q.Info()
			fmt.Fprintf(&b, "  - answer %s to refine: %s (%s)\n", q, info.Text, info.Flag)
		}
	}
	fmt.Fprintf(&b, "\nPolicy: %s\n", r.Policy)
	_, err := io.WriteString(w, b.String())
	return err
}
