package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wardtm/ward/internal/report"
)

// Formats lists the output formats of a diff.
func Formats() []string { return []string{"json", "markdown", "text"} }

// Render writes d in the named format: text, markdown or json.
func Render(w io.Writer, format string, d *Diff) error {
	switch format {
	case "text":
		return Text(w, d)
	case "markdown":
		return Markdown(w, d)
	case "json":
		return JSON(w, d)
	}
	return fmt.Errorf("unknown format %q: use %s", format, strings.Join(Formats(), ", "))
}

// JSON writes the diff as indented JSON (schema "ward.diff/v1").
func JSON(w io.Writer, d *Diff) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(d)
}

// Headline is the verdict in one sentence.
func (d *Diff) Headline() string {
	s := d.Summary
	if d.Empty() {
		return "no change to the threat model"
	}
	var b strings.Builder
	switch s.Verdict {
	case "more":
		b.WriteString("more risk")
	case "less":
		b.WriteString("less risk")
	case "mixed":
		b.WriteString("risk both added and removed")
	default:
		b.WriteString("no change in open risk")
	}
	var parts []string
	if s.Worse > 0 {
		parts = append(parts, fmt.Sprintf("%d finding%s worse (worst %s)", s.Worse, plural(s.Worse), s.WorstAdded))
	}
	if s.Better > 0 {
		parts = append(parts, fmt.Sprintf("%d better", s.Better))
	}
	parts = append(parts, fmt.Sprintf("open findings %d → %d", s.OpenBefore, s.OpenAfter))
	b.WriteString(": " + strings.Join(parts, ", "))
	return b.String()
}

// Net is the net change in open findings by severity, worst first, leaving
// out severities that did not change ("" when none did).
func (d *Diff) Net() string {
	var parts []string
	for _, s := range []string{"critical", "high", "medium", "low", "info"} {
		if n := d.Summary.BySeverity[s]; n != 0 {
			parts = append(parts, fmt.Sprintf("%s %+d", s, n))
		}
	}
	return strings.Join(parts, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// findingLine describes a finding change in words: the change, severity and status.
func findingLine(f FindingChange) (mark, what, sevs, status string) {
	switch f.Change {
	case Appeared:
		mark, what = "+", "new"
	case Disappeared:
		mark, what = "-", "gone"
	case Reopened:
		mark, what = "!", "re-opened"
	case Closed:
		mark, what = "✓", "closed"
	case Raised:
		mark, what = "↑", "raised"
	case Lowered:
		mark, what = "↓", "lowered"
	default:
		mark, what = "~", "status"
	}
	switch {
	case f.Old == nil:
		sevs, status = f.New.Severity, f.New.Status
	case f.New == nil:
		sevs, status = f.Old.Severity, f.Old.Status
	default:
		// A folded side shows the threat's own status (FoldedStatus).
		sevs, status = arrow(f.Old.Severity, f.New.Severity), arrow(f.Old.Own(), f.New.Own())
	}
	return
}

// foldNote says, for a finding folded into another on one side only,
// which one (its state on that side is that finding's).
func foldNote(f FindingChange, q string) string {
	if f.Fold == "" {
		return ""
	}
	return " (folded into " + q + f.Fold + q + " on one side)"
}

func arrow(a, b string) string {
	if a == b {
		return b
	}
	return a + " → " + b
}

// fieldText describes a changed field.
func fieldText(f Field) string {
	if len(f.Added) > 0 || len(f.Removed) > 0 {
		var parts []string
		for _, x := range f.Added {
			parts = append(parts, "+"+x)
		}
		if len(f.Added) > 0 && f.NewInferred {
			parts[len(parts)-1] += report.InferredMark
		}
		for _, x := range f.Removed {
			parts = append(parts, "-"+x)
		}
		if len(f.Removed) > 0 && f.OldInferred {
			parts[len(parts)-1] += report.InferredMark
		}
		return f.Field + " " + strings.Join(parts, " ")
	}
	if f.Old == "" {
		return f.Field + " " + inferredText(f.New, f.NewInferred)
	}
	return f.Field + " " + inferredText(f.Old, f.OldInferred) + " → " + inferredText(orDash(f.New), f.NewInferred)
}

// inferredText is v marked " (inferred)" when Ward read it from the
// element's words.
func inferredText(v string, inferred bool) string {
	if inferred {
		return v + report.InferredMark
	}
	return v
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func elementMark(c string) string {
	switch c {
	case Added:
		return "+"
	case Removed:
		return "-"
	}
	return "~"
}

func crossingText(c Crossing) string {
	s := fmt.Sprintf("%s: %s (%s) → %s (%s)", c.Flow, c.From, orDash(c.FromTrust), c.To, orDash(c.ToTrust))
	if len(c.Carries) > 0 {
		s += " carrying " + strings.Join(c.Carries, ", ")
	}
	if c.NewFlow {
		s += " [new flow]"
	} else {
		s += " [now crosses a boundary]"
	}
	return s
}

func exposureText(e Exposure) string {
	what, mark := e.Asset, ""
	if e.SensitivityInferred {
		mark = report.InferredMark
	}
	if len(e.Data) > 0 {
		what += " (" + strings.Join(e.Data, ", ") + mark + ")"
	} else if e.Classification != "" {
		what += " (" + e.Classification + mark + ")"
	}
	s := fmt.Sprintf("%s %s by %s", what, e.How, e.Element)
	if e.Inferred {
		s += report.InferredMark
	}
	var where []string
	if e.CrossesBoundary {
		where = append(where, "across a trust boundary")
	}
	if e.ThirdParty {
		where = append(where, "to a third party")
	}
	if e.Trust != "" {
		where = append(where, "lands in "+e.Trust)
	}
	if len(where) > 0 {
		s += " — " + strings.Join(where, ", ")
	}
	return s
}

func decisionText(c DecisionChange) string {
	one := func(status, owner, expires string) string {
		s := status
		if owner != "" {
			s += " by " + owner
		}
		if expires != "" {
			s += " until " + expires
		}
		return s
	}
	switch c.Change {
	case Added:
		return c.Finding + ": " + one(c.New.Status, c.New.Owner, c.New.Expires)
	case Removed:
		return c.Finding + ": removed (was " + one(c.Old.Status, c.Old.Owner, c.Old.Expires) + ")"
	case Orphaned:
		s := c.Finding + ": orphaned decision (" + one(c.Old.Status, c.Old.Owner, c.Old.Expires) + ") — the finding is gone, the decision is still in the model"
		if c.Location != nil {
			s += fmt.Sprintf(" at %s:%d", c.Location.File, c.Location.Line)
		}
		return s + "; remove it"
	case Withheld:
		s := c.Finding + ": withheld decision (" + one(c.Old.Status, c.Old.Owner, c.Old.Expires) + ") — " + c.Why
		if c.Location != nil {
			s += fmt.Sprintf("; the decision is at %s:%d", c.Location.File, c.Location.Line)
		}
		return s + "; take it again for the new hops"
	}
	return c.Finding + ": " + one(c.Old.Status, c.Old.Owner, c.Old.Expires) + " → " + one(c.New.Status, c.New.Owner, c.New.Expires)
}

func statusText(c StatusChange) string {
	switch c.Change {
	case Added:
		return fmt.Sprintf("%s (%s): %s", c.ID, c.New, c.Text)
	case Removed:
		return fmt.Sprintf("%s: removed (was %s)", c.ID, c.Old)
	}
	return fmt.Sprintf("%s: %s → %s", c.ID, c.Old, c.New)
}

// Text writes the diff for a terminal.
func Text(w io.Writer, d *Diff) error {
	p := &printer{w: w}
	p.f("ward diff: %s → %s\n", d.Old.Label, d.New.Label)
	p.f("%s\n", capitalise(d.Headline()))
	if net := d.Net(); net != "" {
		p.f("Net open findings: %s\n", net)
	}
	if d.Empty() {
		return p.err
	}
	if len(d.Findings) > 0 {
		p.f("\nFindings\n")
		for _, f := range d.Findings {
			mark, what, sevs, status := findingLine(f)
			p.f("  %s %-9s %-16s %-22s %s — %s%s\n", mark, what, sevs, status, f.ID, f.Title, foldNote(f, "`"))
		}
	}
	if len(d.Elements) > 0 {
		p.f("\nAttack surface\n")
		for _, e := range d.Elements {
			var fs []string
			for _, f := range e.Fields {
				fs = append(fs, fieldText(f))
			}
			line := fmt.Sprintf("  %s %s %s", elementMark(e.Change), e.Kind, e.ID)
			if e.Change == Removed {
				line += " (removed)"
			}
			if len(fs) > 0 {
				line += ": " + strings.Join(fs, "; ")
			}
			p.f("%s\n", line)
		}
	}
	list(p, "New boundary crossings", d.Crossings, crossingText)
	list(p, "Sensitive data newly exposed", d.Exposures, exposureText)
	list(p, "Decisions", d.Decisions, decisionText)
	list(p, "Mitigations", d.Mitigations, statusText)
	list(p, "Assumptions", d.Assumptions, statusText)
	list(p, "Questions", d.Questions, func(q QuestionChange) string {
		return fmt.Sprintf("%s (%s at stake): %s", q.Change, q.AtStake, q.Text)
	})
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// list prints a titled list, or nothing when it is empty.
func list[T any](p *printer, title string, xs []T, line func(T) string) {
	if len(xs) == 0 {
		return
	}
	p.f("\n%s\n", title)
	for _, x := range xs {
		p.f("  %s\n", line(x))
	}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Markdown writes the diff as a pull-request comment: the verdict first,
// findings that got worse in a table, everything else in collapsible sections.
func Markdown(w io.Writer, d *Diff) error {
	p := &printer{w: w}
	icon := map[string]string{"more": "🔺", "less": "✅", "mixed": "⚠️", "same": "➖"}[d.Summary.Verdict]
	if d.Empty() {
		icon = "➖"
	}
	p.f("### %s Ward threat model: %s\n\n", icon, d.Headline())
	if net := d.Net(); net != "" {
		p.f("Net change in open findings: %s.\n\n", net)
	}
	p.f("Compared `%s` → `%s`.\n", md(d.Old.Label), md(d.New.Label))
	if d.Empty() {
		return p.err
	}
	if len(d.Findings) > 0 {
		p.f("\n| | Finding | Severity | Status | Change |\n|---|---|---|---|---|\n")
		for _, f := range d.Findings {
			mark, what, sevs, status := findingLine(f)
			p.f("| %s | `%s` %s%s | %s | %s | %s |\n", mark, md(f.ID), md(f.Title), foldNote(FindingChange{Fold: md(f.Fold)}, "`"), sevs, status, what)
		}
	}
	section := func(title string, n int, line func(int) string) {
		if n == 0 {
			return
		}
		p.f("\n<details><summary>%s (%d)</summary>\n\n", title, n)
		for i := range n {
			p.f("- %s\n", md(line(i)))
		}
		p.f("\n</details>\n")
	}
	if len(d.Elements) > 0 {
		p.f("\n<details><summary>Attack surface (%d)</summary>\n\n| | Element | Changes |\n|---|---|---|\n", len(d.Elements))
		for _, e := range d.Elements {
			var fs []string
			for _, f := range e.Fields {
				fs = append(fs, md(fieldText(f)))
			}
			if e.Change == Removed {
				fs = append(fs, "removed")
			}
			p.f("| %s | %s `%s` | %s |\n", elementMark(e.Change), e.Kind, md(e.ID), strings.Join(fs, "<br>"))
		}
		p.f("\n</details>\n")
	}
	section("New boundary crossings", len(d.Crossings), func(i int) string { return crossingText(d.Crossings[i]) })
	section("Sensitive data newly exposed", len(d.Exposures), func(i int) string { return exposureText(d.Exposures[i]) })
	section("Decisions", len(d.Decisions), func(i int) string { return decisionText(d.Decisions[i]) })
	section("Mitigations", len(d.Mitigations), func(i int) string { return statusText(d.Mitigations[i]) })
	section("Assumptions", len(d.Assumptions), func(i int) string { return statusText(d.Assumptions[i]) })
	section("Questions", len(d.Questions), func(i int) string {
		q := d.Questions[i]
		return fmt.Sprintf("%s (%s at stake): %s", q.Change, q.AtStake, q.Text)
	})
	return p.err
}

// md escapes what would break a table cell or turn into markup.
func md(s string) string {
	r := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "\n", " ")
	return r.Replace(s)
}
