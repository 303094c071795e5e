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

// TestSummaryCountsEveryStatus: the summary line names every status: open
// and unverified first, then every closed status, a new one too.
func TestSummaryCountsEveryStatus(t *testing.T) {
	s := Summary{Findings: 13, Open: 4, Unverified: 1, ByStatus: map[string]int{"open": 4, "mitigated": 2, "accepted": 3, "false_positive": 1, "transferred": 1, "unverified": 1, "waived": 1}}
	if got, want := statusCounts(s), "4 open, 1 unverified, 2 mitigated, 3 accepted, 1 transferred, 1 false positive, 1 waived"; got != want {
		t.Errorf("statusCounts = %q, want %q", got, want)
	}
	var b bytes.Buffer
	if err := Text(&b, &Result{Summary: s}, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "13 threats, 4 open, 1 unverified, 2 mitigated, 3 accepted, 1 transferred, 1 false positive, 1 waived") {
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

// TestMarkdownDescriptions: imported Markdown renders as Markdown in the
// HTML report (and so the PDF), and raw HTML in it stays text.
func TestMarkdownDescriptions(t *testing.T) {
	desc := "## Context\n\nThe **payment** flow:\n\n- tokens are `hashed`\n- see [the runbook](https://example.com/run?a=1&b=2)\n\n<script>alert(1)</script> and <b onclick=x>bold</b> and [bad](javascript:alert(1))"
	r := &Result{System: System{Name: "S", ID: "s", Description: desc}, Findings: []Finding{{ID: "a", Rank: 1, Severity: "high", Status: "open", Title: "T", Description: desc}}}
	var b bytes.Buffer
	if err := HTML(t.Context(), &b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`<p class="mdh"><strong>Context</strong></p>`, "<strong>payment</strong>", "<li>tokens are <code>hashed</code></li>",
		`<a href="https://example.com/run?a=1&amp;b=2" rel="noopener noreferrer">the runbook</a>`, "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b onclick=x&gt;"} {
		if strings.Count(out, want) != 2 {
			t.Errorf("want %q twice (system and finding)", want)
		}
	}
	for _, bad := range []string{"<script>alert", "## Context", "**payment**", `href="javascript`, "onclick=x>"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
}

// TestUnverifiedSeverityShown: an unverified threat is active: its
// severity shows as a risk, not as what it was.
func TestUnverifiedSeverityShown(t *testing.T) {
	r := &Result{Findings: []Finding{{ID: "u", Rank: 1, Severity: "high", Status: "unverified", Title: "Unverified one"}}}
	var b bytes.Buffer
	if err := HTML(t.Context(), &b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "was high") || !strings.Contains(b.String(), `<span class="badge sev-high">high</span>`) {
		t.Error("an unverified threat's severity is shown as closed")
	}
}
