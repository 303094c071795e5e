package rule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// builtinForTest stands for the built-in rules custom ids may not take.
var builtinForTest = []*Rule{{ID: "unauthenticated-entry-point"}}

func readSource(t testing.TB, name string) spec.Source {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return spec.Source{Name: name, Data: data}
}

func parseModel(t testing.TB, name string) *model.Model {
	t.Helper()
	src := readSource(t, name)
	m, _, err := spec.Parse(src.Name, src.Data)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return m
}

// diagStrings returns the diagnostics of err, one string each.
func diagStrings(t *testing.T, err error) []string {
	t.Helper()
	var ds spec.Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("error is %T (%v), want spec.Diagnostics", err, err)
	}
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

func TestLoadCustomValid(t *testing.T) {
	rules, err := LoadCustom([]spec.Source{readSource(t, "valid.yaml")}, builtinForTest)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(rules); err != nil {
		t.Fatal(err)
	}
	type meta struct {
		ID, Title, Source string
		Category          model.Category
		On                On
		Origin            model.Origin
		Property          model.Property
		Exploitability    int
		Vector            model.Vector
		CWE, CAPEC        []int
		Mitigations, Refs []string
	}
	var got []meta
	for _, r := range rules {
		got = append(got, meta{r.ID, r.Title, r.Source.String(), r.Category, r.On, r.Origin, r.PropertyAtStake(), r.Exploitability, r.Vector,
			r.CWE, r.CAPEC, r.Mitigations, r.References})
	}
	want := []meta{
		{"acme-no-ftp", "Legacy FTP in use", "valid.yaml:4:5", model.InformationDisclosure, OnFlow, model.OriginCustom, model.Confidentiality, 1, model.VectorNetwork,
			[]int{319}, []int{157}, []string{"Use SFTP or HTTPS."}, []string{"https://example.com/ftp"}},
		{"acme-unsigned-partner-webhook", "Partner webhook without signature check", "valid.yaml:18:5", model.Spoofing, OnFlow, model.OriginCustom, model.Integrity, 0, model.VectorNetwork, nil, nil, nil, nil},
		{"acme-card-store-unencrypted", "Card data stored without application-level encryption", "valid.yaml:27:5", model.InformationDisclosure, OnComponent, model.OriginCustom, model.Confidentiality, 0, model.VectorNetwork, nil, nil, nil, nil},
		{"acme-storage-backups", "Storage without backups", "valid.yaml:38:5", model.DenialOfService, OnComponent, model.OriginCustom, model.Availability, 0, model.VectorNetwork, nil, nil, nil, nil},
		{"acme-partner-boundary", "Partner zone", "valid.yaml:46:5", model.Tampering, OnBoundary, model.OriginCustom, model.Integrity, 0, model.VectorNetwork, nil, nil, nil, nil},
		{"acme-restricted-asset", "Restricted asset", "valid.yaml:54:5", model.InformationDisclosure, OnAsset, model.OriginCustom, model.Confidentiality, 0, model.VectorNetwork, nil, nil, nil, nil},
		{"acme-never", "Never fires", "valid.yaml:61:5", model.Tampering, OnComponent, model.OriginCustom, model.Integrity, 0, model.VectorSupplyChain, nil, nil, nil, nil},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rules (-want +got):\n%s", d)
	}

	res, err := Run(context.Background(), parseModel(t, "model.yaml"), rules)
	if err != nil {
		t.Fatal(err)
	}
	var findings []string
	for _, f := range res.Findings {
		if f.Status == model.StatusUnverified {
			findings = append(findings, f.ID+" | "+f.Title+" (unverified)")
			continue
		}
		findings = append(findings, f.ID+" | "+f.Title)
		if f.Origin != model.OriginCustom {
			t.Errorf("%s: origin %v, want custom", f.ID, f.Origin)
		}
	}
	wantFindings := []string{
		"acme-card-store-unencrypted:db | db (datastore) stores card data in dc",
		"acme-no-ftp:upload | `upload` uses FTP (legacy → batch)",
		"acme-partner-boundary:partners | Boundary partners is partner",
		"acme-restricted-asset:cards | `cards`: Restricted asset",
		"acme-storage-backups:db | `db`: Storage without backups",
		"acme-unsigned-partner-webhook:hook | `hook`: Partner webhook without signature check",
		"acme-unsigned-partner-webhook:hook2 | `hook2`: Partner webhook without signature check (unverified)",
		"acme-unsigned-partner-webhook:upload | `upload`: Partner webhook without signature check (unverified)",
	}
	if d := cmp.Diff(wantFindings, findings); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	var questions []string
	for _, q := range res.Questions {
		questions = append(questions, fmt.Sprintf("%s %v", q.ID, q.Rules))
	}
	// hook2 and upload state nothing: ask. hook3 verifies signatures: quiet.
	// archive has backups: quiet. pull uses FTP over TLS: quiet.
	wantQuestions := []string{"hook2.verifies_signatures [acme-unsigned-partner-webhook]", "upload.verifies_signatures [acme-unsigned-partner-webhook]"}
	if d := cmp.Diff(wantQuestions, questions); d != "" {
		t.Errorf("questions (-want +got):\n%s", d)
	}
	if errs := EvalErrors(rules); len(errs) != 0 {
		t.Errorf("evaluation errors: %v", errs)
	}
}

func TestLoadCustomErrorsFile(t *testing.T) {
	_, err := LoadCustom([]spec.Source{readSource(t, "errors.yaml")}, builtinForTest)
	want := []string{
		`errors.yaml:3:9: rule id "Bad_ID" is not kebab-case — use lower-case letters, digits and single hyphens, e.g. acme-no-ftp`,
		`errors.yaml:9:9: rule id "unauthenticated-entry-point" clashes with the built-in rule "unauthenticated-entry-point" — choose another id; prefix custom rules with your organisation, e.g. acme-unauthenticated-entry-point`,
		`errors.yaml:11:15: "spoofin" is not a STRIDE category — did you mean "spoofing"? (one of: spoofing, tampering, repudiation, information_disclosure, denial_of_service, elevation_of_privilege) (or a STRIDE letter S, T, R, I, D, E)`,
		`errors.yaml:12:9: "flows" is not an element kind a rule can examine — did you mean "flow"? (one of: component, flow, boundary, asset)`,
		`errors.yaml:15:5: rule is missing "title" — add ` + "`title:`",
		`errors.yaml:16:5: unknown key "titel" in rule — did you mean "title"?`,
		`errors.yaml:20:16: unknown control "verifies_signature" — did you mean "verifies_signatures"? (see ` + "`ward help controls`)",
		`errors.yaml:20:36: "encryption" can be required only by flow rules — they are facts about flows; write an ` + "`on: flow` rule",
		`errors.yaml:22:9: rule id "acme-a" is defined twice — first defined at errors.yaml:15:9; give each rule its own id`,
		`errors.yaml:26:16: invalid "when" expression: undefined field 'protocl' — did you mean "protocol"? (fields are listed in docs/rules.md)`,
		`errors.yaml:32:11: the "when" expression must be true or false, not string — write a condition that is true or false, e.g. ` + "`flow.protocol == \"ftp\"`",
		`errors.yaml:33:15: "requires" applies only to component and flow rules, not asset rules — use ` + "`when` and `unless` conditions instead",
		`errors.yaml:34:14: placeholder {{from}} does not apply to asset rules — it applies to flow rules`,
		`errors.yaml:35:21: exploitability must be between -2 and 2, not "3" — use a whole number from -2 (hard) to 2 (trivial)`,
		`errors.yaml:37:5: rule is missing "title" — add ` + "`title:`",
		`errors.yaml:37:9: rule id "people" is reserved for threats written by people — choose another id`,
		`errors.yaml:40:29: invalid "when" expression: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER} — see docs/rules.md for the variables and functions conditions can use`,
	}
	if d := cmp.Diff(want, diagStrings(t, err)); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
}

// rule wraps rule lines into a file with one rule.
func ruleFile(lines ...string) string {
	return "ward_rules: 1\nrules:\n  - " + strings.Join(lines, "\n    ") + "\n"
}

func TestLoadCustomErrors(t *testing.T) {
	ok := []string{"id: acme-x", "title: T", "category: S", "on: component", "doc: D"}
	with := func(extra ...string) string { return ruleFile(append(append([]string{}, ok...), extra...)...) }
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"empty file", "", []string{"r.yaml:1:1: the rule file is empty — start it with `ward_rules: 1` and a `rules:` list (see docs/rules.md)"}},
		{"syntax error", "ward_rules: 1\nrules: [\n", []string{"r.yaml:3:1: YAML syntax error: did not find expected node content — check indentation (spaces, not tabs), colons and brackets on this line and the one before"}},
		{"not a mapping", "- a\n", []string{`r.yaml:1:1: a rule file must be a mapping, not a list — start it with ` + "`ward_rules: 1` and a `rules:` list (see docs/rules.md)"}},
		{"missing version", "rules: []\n", []string{`r.yaml:1:1: the rule file is missing "ward_rules" — add ` + "`ward_rules: 1` at the top"}},
		{"bad version", "ward_rules: 2\nrules: []\n", []string{`r.yaml:1:13: unsupported rule format version "2" — write ` + "`ward_rules: 1`"}},
		{"unknown top key", "ward_rules: 1\nrule: []\n", []string{
			`r.yaml:1:1: the rule file is missing "rules" — add a ` + "`rules:` list",
			`r.yaml:2:1: unknown key "rule" in the rule file — did you mean "rules"?`}},
		{"rules not a list", "ward_rules: 1\nrules: x\n", []string{`r.yaml:2:8: "rules" must be a list, not "x" — start each rule with ` + "`- id: ...`"}},
		{"rule not a mapping", "ward_rules: 1\nrules: [x]\n", []string{`r.yaml:2:9: a rule must be a mapping of keys to values, not "x" — start each rule with ` + "`- id: ...`"}},
		{"missing when", ruleFile(ok...), []string{`r.yaml:3:5: rule is missing "when" — add ` + "`when:` with a CEL condition, or `when: \"true\"` for every element"}},
		{"duplicate key", with("when: 'true'", "when: 'false'"), []string{`r.yaml:9:5: key "when" appears twice in rule — keep one of them`}},
		{"other element's variable", with("when: flow.one_way"), []string{`r.yaml:8:11: invalid "when" expression: undeclared reference to 'flow' — this rule can use: component, system`}},
		{"misspelt variable", with("when: compnent.admin"), []string{`r.yaml:8:11: invalid "when" expression: undeclared reference to 'compnent' (did you mean 'component'?) — this rule can use: component, system`}},
		{"type error", with(`when: component.in_count == "3"`), []string{`r.yaml:8:30: invalid "when" expression: found no matching overload for '_==_' applied to '(int, string)' — see docs/rules.md for the variables and functions conditions can use`}},
		{"literal block position", with("when: |", "  component.admin &&", "    component.nope"), []string{`r.yaml:10:18: invalid "when" expression: undefined field 'nope' — did you mean "name"? (fields are listed in docs/rules.md)`}},
		{"unless not bool", with("when: 'true'", "unless: component.tags"), []string{`r.yaml:9:13: the "unless" expression must be true or false, not list(string) — write a condition that is true or false, e.g. ` + "`flow.protocol == \"ftp\"`"}},
		{"bad property", with("when: 'true'", "property: secrecy"), []string{`r.yaml:9:15: "secrecy" is not a property — use one of: confidentiality, integrity, availability`}},
		{"bad vector", with("when: 'true'", "vector: supply-chain"), []string{`r.yaml:9:13: "supply-chain" is not an attack vector — did you mean "supply_chain"? (one of: network, content, supply_chain)`}},
		{"bad cwe", with("when: 'true'", "cwe: [CWE-79, x]"), []string{`r.yaml:9:19: "x" is not a CWE number — write the number, e.g. 319`}},
		{"list as scalar", with("when: 'true'", "mitigations: patch it"), []string{`r.yaml:9:18: "mitigations" must be a list — write [patch it]`}},
		{"unknown placeholder", with("when: 'true'", "finding: '{{idd}} is bad'"), []string{`r.yaml:9:14: unknown placeholder {{idd}} in "finding" — did you mean "id"?`}},
		{"unclosed placeholder", with("when: 'true'", "finding: '{{id is bad'"), []string{`r.yaml:9:14: unclosed {{ in "finding" — write placeholders as {{id}}`}},
		{"requires on boundary", ruleFile("id: acme-x", "title: T", "category: S", "on: boundary", "doc: D", "when: 'true'", "requires: [backups]"),
			[]string{`r.yaml:9:15: "requires" applies only to component and flow rules, not boundary rules — use ` + "`when` and `unless` conditions instead"}},
		{"on model", ruleFile("id: acme-x", "title: T", "category: S", "on: model", "doc: D", "when: 'true'"),
			[]string{`r.yaml:6:9: "model" is not an element kind a rule can examine — use one of: component, flow, boundary, asset`}},
		{"too deep", with("when: component.tags.all(a, component.tags.all(b, component.tags.all(c, component.tags.all(d, a == d))))"),
			[]string{`r.yaml:8:95: invalid "when" expression: comprehension exceeds nesting limit — see docs/rules.md for the variables and functions conditions can use`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := LoadCustom([]spec.Source{{Name: "r.yaml", Data: []byte(tt.src)}}, builtinForTest)
			if err == nil {
				t.Fatalf("loaded %d rules, want an error", len(rules))
			}
			if d := cmp.Diff(tt.want, diagStrings(t, err)); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nsource:\n%s", d, tt.src)
			}
		})
	}
}

func TestLoadCustomDuplicateAcrossFiles(t *testing.T) {
	src := ruleFile("id: acme-x", "title: T", "category: S", "on: component", "doc: D", "when: 'true'")
	_, err := LoadCustom([]spec.Source{{Name: "a.yaml", Data: []byte(src)}, {Name: "b.yaml", Data: []byte(src)}}, nil)
	want := []string{`b.yaml:3:9: rule id "acme-x" is defined twice — first defined at a.yaml:3:9; give each rule its own id`}
	if d := cmp.Diff(want, diagStrings(t, err)); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
}

func TestLoadCustomEmptyList(t *testing.T) {
	rules, err := LoadCustom([]spec.Source{{Name: "a.yaml", Data: []byte("ward_rules: 1\nrules: []\n")}}, nil)
	if err != nil || len(rules) != 0 {
		t.Fatalf("got %d rules, %v; want none and no error", len(rules), err)
	}
}

// A pathological expression is stopped by the cost limit: the rule does not
// apply, nothing hangs, and the failure is recorded.
func TestCustomCostLimit(t *testing.T) {
	big := "[" + strings.Repeat("1,", 199) + "1]"
	src := ruleFile("id: acme-slow", "title: T", "category: D", "on: component", "doc: D",
		"when: '"+big+".all(a, "+big+".all(b, "+big+".all(c, a + b + c > 0)))'")
	rules, err := LoadCustom([]spec.Source{{Name: "slow.yaml", Data: []byte(src)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := parseModel(t, "model.yaml")
	res, err := Run(context.Background(), m, rules)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("got %d findings, want none", len(res.Findings))
	}
	errs := EvalErrors(rules)
	if len(errs) != 1 || errs[0].Count != 6 || !strings.Contains(errs[0].Err, "cost limit exceeded") {
		t.Fatalf("EvalErrors = %v, want one entry for 6 components with a cost-limit error", errs)
	}
	if got, want := errs[0].String(), `slow.yaml:3:5: custom rule "acme-slow" failed on 6 element(s), first on "user": operation cancelled: actual cost limit exceeded`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// Run-time errors (a missing map key) make a rule not apply; they are
// counted, not fatal.
func TestCustomEvalError(t *testing.T) {
	src := ruleFile("id: acme-missing", "title: T", "category: S", "on: component", "doc: D",
		`when: component.controls["no_such_control"] == "no" || component.id == "api"`)
	rules, err := LoadCustom([]spec.Source{{Name: "e.yaml", Data: []byte(src)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), parseModel(t, "model.yaml"), rules)
	if err != nil {
		t.Fatal(err)
	}
	// CEL's || is commutative for errors: `error || true` is true, so api
	// is reported; on the other five components the error counts.
	if len(res.Findings) != 1 || res.Findings[0].ID != "acme-missing:api" {
		t.Errorf("findings %v, want acme-missing:api", res.Findings)
	}
	errs := EvalErrors(rules)
	if len(errs) != 1 || errs[0].Count != 5 || errs[0].Target != "user" || !strings.Contains(errs[0].Err, "no such key") {
		t.Errorf("EvalErrors = %v", errs)
	}
}

// The same rules run on two models give each model's own answers.
func TestCustomTwoModels(t *testing.T) {
	src := ruleFile("id: acme-admin", "title: Admin", "category: E", "on: component", "doc: D", "when: component.admin && system.id == 'b'")
	rules, err := LoadCustom([]spec.Source{{Name: "a.yaml", Data: []byte(src)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, sys := range []string{"a", "b", "a"} {
		m, _, err := spec.Parse("m.yaml", []byte("ward: 1\nsystem: {id: "+sys+", name: X}\ncomponents:\n  - {id: console, kind: service, admin: true}\n"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), m, rules)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(res.Findings), map[string]int{"a": 0, "b": 1}[sys]; got != want {
			t.Errorf("system %s: %d findings, want %d", sys, got, want)
		}
	}
}

func TestExampleRulesInDocs(t *testing.T) {
	data, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	// Every ```yaml block that starts with ward_rules must load.
	blocks := strings.Split(string(data), "```yaml\n")
	n := 0
	for _, b := range blocks[1:] {
		b = b[:strings.Index(b, "```")]
		if !strings.HasPrefix(b, "ward_rules:") {
			continue
		}
		n++
		if _, err := LoadCustom([]spec.Source{{Name: fmt.Sprintf("docs-example-%d.yaml", n), Data: []byte(b)}}, nil); err != nil {
			t.Errorf("example %d in docs/rules.md does not load:\n%v", n, err)
		}
	}
	if n == 0 {
		t.Error("docs/rules.md has no rule file examples")
	}
}

// BenchmarkCustomRules runs the seven rules of valid.yaml over a generated model of
// 10,000 flows and 500 components; it reports the time per element examined
// by a rule (one rule on one element).
func BenchmarkCustomRules(b *testing.B) {
	rules, err := LoadCustom([]spec.Source{readSource(b, "valid.yaml")}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("ward: 1\nsystem: {id: big, name: Big}\nassets:\n  - {id: cards, kind: data, classification: restricted, data: [payment_card]}\n")
	sb.WriteString("boundaries:\n  - {id: partners, trust: partner}\n  - {id: dc, trust: internal}\ncomponents:\n")
	const comps, flows = 500, 10_000
	for i := range comps {
		b := "dc"
		extra := ""
		if i%10 == 0 {
			b, extra = "partners", ", third_party: true"
		}
		fmt.Fprintf(&sb, "  - {id: c%d, kind: service, boundary: %s, processes: [cards]%s}\n", i, b, extra)
	}
	sb.WriteString("flows:\n")
	protos := []string{"https", "ftp", "grpc", "postgres"}
	for i := range flows {
		fmt.Fprintf(&sb, "  - {id: f%d, from: c%d, to: c%d, protocol: %s, carries: [cards]}\n", i, i%comps, (i*7+1)%comps, protos[i%len(protos)])
	}
	m, _, err := spec.Parse("big.yaml", []byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	elems := 0
	for _, r := range rules {
		switch r.On {
		case OnFlow:
			elems += len(m.Flows)
		case OnComponent:
			elems += len(m.Components)
		case OnBoundary:
			elems += len(m.Boundaries)
		case OnAsset:
			elems += len(m.Assets)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(context.Background(), m, rules); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(elems), "ns/element")
}

// Rules shared by concurrent analyses of different models give each model its
// own answers.
func TestCustomConcurrent(t *testing.T) {
	rules, err := LoadCustom([]spec.Source{readSource(t, "valid.yaml")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	models := []*model.Model{parseModel(t, "model.yaml"), parseModel(t, "model.yaml"), parseModel(t, "model.yaml"),
		parseModel(t, "model.yaml"), parseModel(t, "model.yaml"), parseModel(t, "model.yaml")}
	counts := make([]int, len(models))
	done := make(chan struct{})
	for i, m := range models {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 5 {
				res, err := Run(context.Background(), m, rules)
				if err != nil {
					t.Error(err)
					return
				}
				counts[i] = len(res.Findings)
			}
		}()
	}
	for range models {
		<-done
	}
	for i, n := range counts {
		if n != 8 {
			t.Errorf("model %d: %d findings, want 8 (6 open, 2 unverified)", i, n)
		}
	}
}
