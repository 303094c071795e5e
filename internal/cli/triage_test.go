package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/cli"
)

type wardRun struct {
	code           int
	stdout, stderr string
}

// runIn runs ward in dir with stdin; tty says whether stdin is a terminal.
func runIn(t *testing.T, dir, stdin string, tty bool, args ...string) wardRun {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Dir: dir, StdinTTY: tty,
		Now: func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) },
	})
	return wardRun{code, out.String(), errb.String()}
}

func writeFile(t *testing.T, dir, name, data string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

type triageJSON struct {
	Tier    string         `json:"tier"`
	Score   int            `json:"score"`
	Unknown []string       `json:"unknown"`
	Answers map[string]any `json:"answers"`
	Reasons []struct {
		Question string `json:"question"`
		Answer   string `json:"answer"`
	} `json:"reasons"`
}

func triageOut(t *testing.T, r wardRun) triageJSON {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	var out triageJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	return out
}

var harmlessFlags = []string{"--paved-path", "yes", "--internet-facing", "no", "--sensitive-data", "none", "--new-third-party", "none", "--auth-changes", "no", "--criticality", "low"}

func TestTriageFlags(t *testing.T) {
	dir := t.TempDir()
	out := triageOut(t, runIn(t, dir, "", false, append([]string{"triage", "--format", "json"}, harmlessFlags...)...))
	if out.Tier != "none" || out.Score != 0 || len(out.Unknown) != 0 {
		t.Errorf("harmless: %+v", out)
	}
	out = triageOut(t, runIn(t, dir, "", false, "triage", "-f", "json", "--sensitive-data", "payment_card,pii", "--new-third-party", "Stripe", "--new-third-party", "Twilio"))
	if out.Tier != "security-led" {
		t.Errorf("payment card: %+v", out)
	}
	if diff := cmp.Diff([]string{"paved_path", "internet_facing", "auth_changes", "criticality"}, out.Unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"Stripe", "Twilio"}, out.Answers["new_third_parties"]); diff != "" {
		t.Errorf("third parties (-want +got):\n%s", diff)
	}
}

func TestTriageText(t *testing.T) {
	r := runIn(t, t.TempDir(), "", false, "triage", "--internet-facing", "yes")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"Tier: security-led", "Priority score: 75/100", "internet_facing: yes — part of the system is reachable from the internet (+15)",
		"answer paved_path to refine", "(--paved-path)", "Policy: default"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("non-interactive run wrote to stderr: %q", r.stderr)
	}
}

func TestTriagePrecedence(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ward.yaml", "ward: 1\nsystem: {id: s, name: S}\ncontext:\n  paved_path: no\n  internet_facing: yes\n  sensitive_data: []\n  criticality: high\n")
	writeFile(t, dir, "answers.yaml", "internet_facing: no\nauth_changes: no\n")
	out := triageOut(t, runIn(t, dir, "", false, "triage", "--answers", "answers.yaml", "--paved-path", "yes", "-f", "json"))
	want := map[string]any{"paved_path": "yes", "internet_facing": "no", "sensitive_data": []any{}, "new_third_parties": "unknown", "auth_changes": "no", "criticality": "high"}
	if diff := cmp.Diff(want, out.Answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if out.Tier != "self-serve" || out.Score != 15 {
		t.Errorf("got %s/%d, want self-serve/15", out.Tier, out.Score)
	}
}

func TestTriageInteractive(t *testing.T) {
	dir := t.TempDir()
	// paved_path: "maybe" is re-asked, then yes; internet_facing Enter =
	// unknown; sensitive data with a typo, then pii; third parties none; auth
	// n; criticality high.
	stdin := "maybe\nyes\n\npi\npii\nnone\nn\nhigh\n"
	r := runIn(t, dir, stdin, true, "triage", "-f", "json")
	out := triageOut(t, r)
	want := map[string]any{"paved_path": "yes", "internet_facing": "unknown", "sensitive_data": []any{"pii"}, "new_third_parties": []any{}, "auth_changes": "no", "criticality": "high"}
	if diff := cmp.Diff(want, out.Answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	for _, q := range []string{"paved path", "reachable from the internet", "sensitive data", `"maybe" is not yes or no — try again`, `"pi" is not a kind of sensitive data — did you mean "pii"?`} {
		if !strings.Contains(r.stderr, q) {
			t.Errorf("stderr lacks %q:\n%s", q, r.stderr)
		}
	}
	if strings.Contains(r.stdout, "?") {
		t.Errorf("questions went to stdout: %s", r.stdout)
	}
	// Flags answer everything: no question is asked.
	r = runIn(t, dir, "", true, append([]string{"triage"}, harmlessFlags...)...)
	if r.code != 0 || r.stderr != "" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	// End of input mid-questionnaire leaves the rest unknown.
	out = triageOut(t, runIn(t, dir, "yes\n", true, "triage", "-f", "json"))
	if out.Answers["paved_path"] != "yes" || len(out.Unknown) != 5 {
		t.Errorf("after EOF: %+v", out)
	}
}

func TestTriageErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "policy.yaml", "weights:\n  internet_facng: 3\n")
	writeFile(t, dir, "answers.yaml", "criticality: hihg\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"triage", "--paved-path", "maybe"}, `--paved-path "maybe": use yes, no or unknown`},
		{[]string{"triage", "--sensitive-data", "pci"}, `--sensitive-data: "pci" is not a kind of sensitive data`},
		{[]string{"triage", "--criticality", "huge"}, `--criticality "huge": use low, medium, high or critical`},
		{[]string{"triage", "--format", "xml"}, `unknown --format "xml"`},
		{[]string{"triage", "--policy", "policy.yaml"}, "policy.yaml:2:3: unknown key \"internet_facng\" in weights — did you mean \"internet_facing\"?\nward: the policy file policy.yaml is invalid (1 problem)"},
		{[]string{"triage", "--answers", "answers.yaml"}, `answers.yaml:1:14: "hihg" is not a valid criticality — did you mean "high"?`},
		{[]string{"triage", "--answers", "missing.yaml"}, "missing.yaml does not exist"},
		{[]string{"triage", "nope.yaml"}, "nope.yaml does not exist"},
	}
	for _, tt := range tests {
		r := runIn(t, dir, "", false, tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	writeFile(t, dir, "ward.yaml", "ward: 1\nsystem: {id: s, name: S}\ncontext:\n  paved_pth: yes\n")
	if r := runIn(t, dir, "", false, "triage"); r.code != 2 || !strings.Contains(r.stderr, `did you mean "paved_path"?`) {
		t.Errorf("invalid model: exit %d, %s", r.code, r.stderr)
	}
}
