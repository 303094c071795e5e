package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestReaderWords: reports people read never show the codes the JSON keeps
// (path weaknesses, found_by values) nor call the team's threats a rule.
func TestReaderWords(t *testing.T) {
	var codes []string
	for c := range weaknessWords {
		if strings.Contains(c, "_") { // "unauthenticated" and "plaintext" are words too
			codes = append(codes, c)
		}
	}
	for _, name := range scenarios {
		r := build(t, name)
		for _, f := range []struct {
			name   string
			render func(*bytes.Buffer) error
		}{
			{"markdown", func(b *bytes.Buffer) error { return Markdown(b, r) }},
			{"text", func(b *bytes.Buffer) error { return Text(b, r, TextOptions{All: true, Verbose: true}) }},
			{"html", func(b *bytes.Buffer) error { return HTML(t.Context(), b, r) }},
			{"paths", func(b *bytes.Buffer) error {
				return WritePaths(b, "text", &PathsReport{Paths: r.Paths})
			}},
		} {
			var b bytes.Buffer
			if err := f.render(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, c := range append(codes, "people rule", "found by pen_test", "found by security_review", "found by bug_bounty") {
				if strings.Contains(out, c) {
					t.Errorf("%s %s shows %q", name, f.name, c)
				}
			}
		}
	}
	if got := OriginText("people", "people"); got != "written by people" {
		t.Errorf("OriginText = %q", got)
	}
}

// TestSummaryCountsEveryStatus: the summary line names every closed status,
// a new one too, not only open.
func TestSummaryCountsEveryStatus(t *testing.T) {
	s := Summary{Findings: 12, Open: 4, ByStatus: map[string]int{"open": 4, "mitigated": 2, "accepted": 3, "false_positive": 1, "transferred": 1, "unverified": 1}}
	if got, want := statusCounts(s), "4 open, 2 mitigated, 3 accepted, 1 transferred, 1 false positive, 1 unverified"; got != want {
		t.Errorf("statusCounts = %q, want %q", got, want)
	}
	var b bytes.Buffer
	if err := Text(&b, &Result{Summary: s}, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "12 findings, 4 open, 2 mitigated, 3 accepted, 1 transferred, 1 false positive, 1 unverified") {
		t.Errorf("text summary: %s", b.String())
	}
}

// TestClosedSeverity: a mitigated finding's residual severity is not shown
// as an open risk (text in parentheses, HTML "was").
func TestClosedSeverity(t *testing.T) {
	r := &Result{Findings: []Finding{
		{ID: "a", Rank: 1, Severity: "high", Status: "open", Title: "Open one"},
		{ID: "b", Rank: 2, Severity: "medium", Status: "mitigated", Title: "Mitigated one"},
	}}
	var b bytes.Buffer
	if err := Text(&b, r, TextOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "2. (medium) mitigated") || strings.Contains(b.String(), "MEDIUM") {
		t.Errorf("text:\n%s", b.String())
	}
	b.Reset()
	if err := HTML(t.Context(), &b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ">was medium</span>") {
		t.Error("HTML shows a mitigated finding's severity as open")
	}
}
