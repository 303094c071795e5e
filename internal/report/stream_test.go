package report

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// The streaming renderers must write exactly what the straightforward
// versions (build everything, encode once) write. The scenarios are small;
// a generated model of a few hundred components exercises every kind of
// element, long lists and many findings per rule.

var (
	synthOnce   sync.Once
	synthResult *Result
)

// synthesised returns the result of a generated 300-component model.
func synthesised(t *testing.T) *Result {
	t.Helper()
	synthOnce.Do(func() {
		ctx := rule.WithBudget(context.Background(), rule.Budget{MaxFindings: 1 << 30})
		m, _, err := spec.Parse("ward.yaml", synth.Generate(300, synth.DefaultSeed))
		if err != nil {
			t.Fatal(err)
		}
		a, err := analysis.Run(ctx, m, rules.All(), analysis.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		synthResult = Build(a, Tool{Name: "ward", Version: "test"})
	})
	if synthResult == nil {
		t.Fatal("no synthetic result")
	}
	return synthResult
}

// streamCases are the results the streaming renderers are compared on.
func streamCases(t *testing.T) map[string]*Result {
	out := map[string]*Result{"synth-300": synthesised(t)}
	for _, name := range scenarios {
		out[name] = build(t, name)
	}
	// No open findings at all: the results list is empty.
	closed := *build(t, "payments")
	closed.Findings = nil
	out["no-findings"] = &closed
	return out
}

// sarifReference is SARIF as it was written before streaming: the whole
// log built, then encoded with an indenting encoder.
func sarifReference(w io.Writer, r *Result) error {
	docs := map[string]RuleInfo{peopleRule.ID: peopleRule}
	for _, d := range r.RuleDocs {
		docs[d.ID] = d
	}
	var (
		rules   []sarifRule
		index   = map[string]int{}
		worst   = map[string]int{}
		results = []sarifResult{}
	)
	for _, f := range r.Findings {
		if !Active(f.Status) {
			continue
		}
		i, ok := index[f.Rule]
		if !ok {
			d, known := docs[f.Rule]
			if !known {
				d = RuleInfo{ID: f.Rule, Title: f.Title, Category: f.Category, CWE: f.CWE, CAPEC: f.CAPEC, Origin: f.Origin}
			}
			i = len(rules)
			index[f.Rule] = i
			rules = append(rules, sarifRuleOf(d))
		}
		if s := sevRank(f.Severity); s > worst[f.Rule] && f.Status == "open" {
			worst[f.Rule] = s
		}
		results = append(results, sarifResultOf(r, f, i))
	}
	for id, i := range index {
		rules[i].Properties["security-severity"] = securitySeverityString(sevOrder[worst[id]])
	}
	if rules == nil {
		rules = []sarifRule{}
	}
	log := sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{{
		Tool:              sarifTool{Driver: sarifDriver{Name: r.Tool.Name, Version: r.Tool.Version, InformationURI: InformationURI, Rules: rules}},
		AutomationDetails: &sarifAutomation{ID: "ward/" + r.System.ID + "/"},
		ColumnKind:        "unicodeCodePoints",
		Results:           results,
		Properties: map[string]any{"ward-schema": r.Schema, "system": r.System.ID, "open-findings": r.Summary.Open,
			"questions": r.Summary.Questions, "worst": r.Summary.Worst},
	}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func TestSARIFIsEncodingJSON(t *testing.T) {
	for name, r := range streamCases(t) {
		t.Run(name, func(t *testing.T) {
			var got, want bytes.Buffer
			if err := SARIF(&got, r); err != nil {
				t.Fatal(err)
			}
			if err := sarifReference(&want, r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("SARIF differs from the reference\n%s", firstDiff(got.String(), want.String()))
			}
		})
	}
}
