package training

import (
	"fmt"
	"io"
	"strings"
)

// Markdown writes a run's results for the debrief: the overlap matrix,
// each group's coverage, agreement, unique finds and top three, what no
// group found, and the reference with who found each threat.
func Markdown(w io.Writer, x *Exercise, r *Run, c Comparison) error {
	ref := r.Reference(x)
	var b strings.Builder
	esc := func(s string) string {
		s = strings.Join(strings.Fields(s), " ")
		return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
	}
	title := func(id string) string {
		if t := ref.Threat(id); t != nil {
			return esc(t.Title)
		}
		return id
	}
	fmt.Fprintf(&b, "# Results: %s\n\nExercise: %s (%s). Phase: %s.", esc(r.Title), esc(x.Title), x.ID, r.Phase)
	if !r.Completed.IsZero() {
		fmt.Fprintf(&b, " Completed %s.", r.Completed.UTC().Format("2006-01-02 15:04 UTC"))
	}
	b.WriteString(" A teaching aid, not a grade.\n\n## Overlap between groups\n\nReference threats found by both groups; the diagonal is what each group found (of ")
	fmt.Fprintf(&b, "%d).\n\n|  |", len(ref.Threats))
	for _, g := range c.Groups {
		fmt.Fprintf(&b, " %s |", esc(g.Name))
	}
	b.WriteString("\n|---|")
	for range c.Groups {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for i, g := range c.Groups {
		fmt.Fprintf(&b, "| **%s** |", esc(g.Name))
		for j := range c.Groups {
			if i == j {
				fmt.Fprintf(&b, " **%d** |", c.Overlap[i][j])
			} else {
				fmt.Fprintf(&b, " %d |", c.Overlap[i][j])
			}
		}
		b.WriteString("\n")
	}
	best := 0
	for _, g := range c.Groups {
		best = max(best, len(g.Covered))
	}
	fmt.Fprintf(&b, "\nTogether the groups found %d of %d reference threats; the best single group found %d.\n",
		len(ref.Threats)-len(c.Missed), len(ref.Threats), best)
	b.WriteString("\n## Each group\n")
	for i, g := range c.Groups {
		fmt.Fprintf(&b, "\n### %s\n\n- Found %d of %d reference threats; top-three agreement %.0f %% (%d of 3 in any order).\n",
			esc(g.Name), len(g.Covered), g.Total, g.TopThree.Score*100, g.TopThree.InAnyOrder)
		var cells []string
		for _, x := range g.ByStride {
			cells = append(cells, fmt.Sprintf("%s %d/%d", x.Key, x.Found, x.Total))
		}
		fmt.Fprintf(&b, "- By STRIDE: %s.\n", strings.Join(cells, ", "))
		if len(g.Unique) > 0 {
			var ts []string
			for _, id := range g.Unique {
				ts = append(ts, title(id))
			}
			fmt.Fprintf(&b, "- Only this group found: %s.\n", strings.Join(ts, "; "))
		}
		if i < len(r.Groups) {
			grp := r.Groups[i]
			if len(grp.TopThree) > 0 {
				b.WriteString("- Its top three:\n")
				for n, id := range grp.TopThree {
					if card := grp.Board.Card(id); card != nil {
						fmt.Fprintf(&b, "  %d. %s (%s)\n", n+1, esc(card.Text), card.Target)
					}
				}
			}
			for _, note := range grp.Notes {
				fmt.Fprintf(&b, "- %s: %s\n", strings.ToUpper(note.Kind[:1])+note.Kind[1:], esc(note.Text))
			}
		}
		if len(g.Outside) > 0 {
			fmt.Fprintf(&b, "- Outside the reference: %d.\n", len(g.Outside))
		}
	}
	if len(c.Missed) > 0 {
		b.WriteString("\n## No group found\n\n")
		for _, id := range c.Missed {
			t := ref.Threat(id)
			fmt.Fprintf(&b, "- %s (%s, %s)\n", title(id), t.Target, t.Severity)
		}
	}
	b.WriteString("\n## The reference\n\nTop three: ")
	for i, id := range ref.TopThree {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%d. %s", i+1, title(id))
	}
	b.WriteString(".\n\n| threat | element or flow | STRIDE | severity | found by |\n|---|---|---|---|---|\n")
	names := map[string]string{}
	for _, g := range c.Groups {
		names[g.Group] = esc(g.Name)
	}
	for _, t := range ref.Threats {
		var by []string
		for _, g := range c.FoundBy[t.ID] {
			by = append(by, names[g])
		}
		found := strings.Join(by, ", ")
		if found == "" {
			found = "—"
		}
		added := ""
		if t.Added != "" {
			added = " (added in this run)"
		}
		fmt.Fprintf(&b, "| %s%s | %s | %s | %s | %s |\n", esc(t.Title), added, t.Target, strings.Join(t.Stride, ""), t.Severity, found)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
