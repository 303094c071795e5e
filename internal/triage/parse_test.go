package triage

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

const examplePolicy = `# Acme's triage policy
ward_policy: 1
name: acme
weights:
  internet_facing: 25
  sensitive_data:
    pii: 30
  criticality:
    critical: 40
thresholds:
  security_led: 60
overrides:
  - when:
      internet_facing: yes
      auth_changes: [yes, unknown]
    tier: security-led
    reason: internet-facing login changes are reviewed by security
`

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy("policy.yaml", []byte(examplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultPolicy()
	want.Name = "acme"
	want.Weights.InternetFacing = 25
	want.Weights.SensitiveData.PII = 30
	want.Weights.Criticality.Critical = 40
	want.Thresholds.SecurityLed = 60
	want.Overrides = []Override{{
		When:   Condition{InternetFacing: []model.Tri{model.Yes}, AuthChanges: []model.Tri{model.Yes, model.Unknown}},
		Tier:   TierSecurityLed,
		Reason: "internet-facing login changes are reviewed by security",
	}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ParsePolicy (-want +got):\n%s", diff)
	}
	r := Evaluate(with(func(a *Answers) { a.InternetFacing, a.AuthChanges = model.Yes, model.Unknown }), p)
	if r.Tier != TierSecurityLed {
		t.Errorf("override did not apply: %+v", r)
	}
	// Overrides given replace the default ones.
	r = Evaluate(with(func(a *Answers) { a.SensitiveData = []model.DataKind{model.DataPaymentCard} }), p)
	if r.Tier != TierSelfServe {
		t.Errorf("payment card under acme policy: %s, want self-serve", r.Tier)
	}
}

func diagStrings(t *testing.T, err error) []string {
	t.Helper()
	var ds spec.Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error %v is not spec.Diagnostics", err)
	}
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown key with suggestion", "ward_policy: 1\nwieghts:\n  paved_path: 3\n",
			[]string{`p.yaml:2:1: unknown key "wieghts" in the policy — did you mean "weights"?`}},
		{"unknown nested key", "weights:\n  internet_facng: 3\n  sensitive_data:\n    payment_cards: 3\n",
			[]string{
				`p.yaml:2:3: unknown key "internet_facng" in weights — did you mean "internet_facing"?`,
				`p.yaml:4:5: unknown key "payment_cards" in weights.sensitive_data — did you mean "payment_card"?`,
			}},
		{"out of range and not a number", "weights:\n  paved_path: 300\n  auth_changes: lots\n",
			[]string{
				`p.yaml:2:15: "paved_path" is 300, out of range — write a number from 0 to 100`,
				`p.yaml:3:17: "auth_changes" must be a whole number, not "lots" — write a number from 0 to 100`,
			}},
		{"bad override", "overrides:\n  - when: {sensitive_data: [payment-card]}\n    tier: security_led\n  - tier: none\n",
			[]string{
				`p.yaml:2:29: "payment-card" is not a valid sensitive_data — did you mean "payment_card"? (one of: pii, phi, payment_card, credentials, secrets, financial, none, unknown)`,
				`p.yaml:3:11: "security_led" is not a tier an override can force — did you mean "security-led"?`,
				`p.yaml:4:11: "none" is not a tier an override can force — use one of: self-serve, security-led`,
				`p.yaml:4:5: override is missing "when" — add ` + "`when:`" + ` with the answers that trigger it, e.g. ` + "`when: {sensitive_data: [payment_card]}`",
			}},
		{"unknown lowers tier", "weights:\n  criticality:\n    low: 10\n    unknown: 5\n",
			[]string{`p.yaml:2:3: criticality unknown (5) weighs less than low (10) — give unknown at least the weight of low: unknown answers must never lower the tier`}},
		{"version", "ward_policy: 2\n", []string{"p.yaml:1:14: unsupported policy format version 2 — write `ward_policy: 1`"}},
		{"duplicate key", "name: a\nname: b\n", []string{`p.yaml:2:1: key "name" appears twice in the policy — keep one of them`}},
		{"syntax", "weights:\n  paved_path: [1\n", nil},
		{"empty", "", []string{"p.yaml:1:1: the file is empty — write `key: value` lines (see docs/triage.md)"}},
		{"not a mapping", "- a\n", []string{`p.yaml:1:1: the file must be a mapping of keys to values, not a list — write ` + "`key: value`" + ` lines (see docs/triage.md)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePolicy("p.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			got := diagStrings(t, err)
			if tt.want == nil {
				if len(got) != 1 || !strings.HasPrefix(got[0], "p.yaml:") || !strings.Contains(got[0], "YAML syntax error") {
					t.Errorf("got %q", got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAnswers(t *testing.T) {
	tests := []struct {
		name, src string
		want      Answers
	}{
		{"full", "paved_path: yes\ninternet_facing: no\nsensitive_data: [pii, pii, payment_card]\nnew_third_parties: [Stripe]\nauth_changes: unknown\ncriticality: high\n",
			Answers{PavedPath: model.Yes, InternetFacing: model.No, SensitiveData: []model.DataKind{model.DataPII, model.DataPaymentCard}, SensitiveDataKnown: true,
				NewThirdParties: []string{"Stripe"}, NewThirdPartiesKnown: true, Criticality: model.High}},
		{"under context, none and empty list", "context:\n  sensitive_data: none\n  new_third_parties: []\n  paved_path: true\n",
			Answers{PavedPath: model.Yes, SensitiveData: []model.DataKind{}, SensitiveDataKnown: true, NewThirdParties: []string{}, NewThirdPartiesKnown: true}},
		{"unknown words", "sensitive_data: unknown\ncriticality: unknown\n", Answers{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAnswers("a.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseAnswers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAnswersErrors(t *testing.T) {
	src := "paved_path: maybe\ninternet_faceing: yes\nsensitive_data: pii\ncriticality: hihg\nnew_third_parties: [\"\"]\n"
	_, err := ParseAnswers("a.yaml", []byte(src))
	want := []string{
		`a.yaml:1:13: "maybe" is not a valid paved_path — use one of: yes, no, unknown`,
		`a.yaml:2:1: unknown key "internet_faceing" in the answers — did you mean "internet_facing"?`,
		`a.yaml:3:17: "sensitive_data" must be a list, none or unknown, not "pii" — write a list such as [pii], or none, or unknown`,
		`a.yaml:4:14: "hihg" is not a valid criticality — did you mean "high"? (one of: low, medium, high, critical, unknown)`,
		`a.yaml:5:21: "new_third_parties" has an empty name — remove the empty item`,
	}
	if diff := cmp.Diff(want, diagStrings(t, err)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestContextKeys(t *testing.T) {
	got := ContextKeys([]byte("ward: 1\ncontext:\n  sensitive_data: []\n  paved_path: yes\n"))
	if diff := cmp.Diff(map[string]bool{"sensitive_data": true, "paved_path": true}, got); diff != "" {
		t.Error(diff)
	}
	if ContextKeys([]byte("ward: 1\n")) != nil || ContextKeys([]byte("[")) != nil {
		t.Error("want nil")
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(examplePolicy))
	f.Add([]byte("weights: &w {sensitive_data: *w}\n"))
	f.Add([]byte("overrides: [{when: {criticality: [low, unknown]}, tier: self-serve}]\n"))
	f.Add([]byte("paved_path: yes\nsensitive_data: [pii]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("fuzz.yaml", data)
		if err != nil {
			var ds spec.Diagnostics
			if !errors.As(err, &ds) || !ds.HasErrors() {
				t.Fatalf("error is not diagnostics: %v", err)
			}
			for _, d := range ds {
				if d.Pos.Line < 1 || d.Msg == "" {
					t.Fatalf("diagnostic without position or message: %+v", d)
				}
			}
		} else {
			if verr := p.Validate(); verr != nil {
				t.Fatalf("parsed policy is invalid: %v", verr)
			}
			Evaluate(Answers{}, p)
		}
		if a, err := ParseAnswers("fuzz.yaml", data); err == nil {
			Evaluate(a, DefaultPolicy())
		}
	})
}
