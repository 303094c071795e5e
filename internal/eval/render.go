package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wardtm/ward/internal/model"
)

// WriteJSON writes the report as indented JSON (schema ward.eval/v1).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes one line per case and the totals; verbose adds, per
// case, the listed threats Ward did not raise and where the matched ones
// rank.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	fmt.Fprintf(w, "Ward quality benchmark: %d case%s, %d listed threats\n\n", r.Total.Cases, plural(r.Total.Cases), r.Total.Counts.Listed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\tlisted\tweighted recall\traised (open+unverified)\tnoise\thigh/crit in top 10\t(strict)\ttop 3 in top 10\tquestions/element (all)\t")
	row := func(name string, c Counts, s Scores) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d (%d+%d)\t%.2f\t%s\t%s\t%s\t%.2f (%d/%d; all %d)\t\n", name, c.Listed, pct(s.Recall), c.Raised, c.Open, c.Unverified,
			s.Noise, frac(c.HighInTop, c.HighListed), frac(c.HighInTopStrict, c.HighListed), frac(c.Top3InTop, c.Top3Listed), s.QuestionsPerElement, c.Questions, c.Elements, c.AllQuestions)
	}
	for _, c := range r.Cases {
		row(c.Case, c.Counts, c.Scores)
	}
	row("TOTAL", r.Total.Counts, r.Total.Scores)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nWeighted recall over all listed threats %s; mean of the cases' weighted recall %s.\n", pct(r.Total.Scores.Recall), pct(r.Total.MeanRecall))
	fmt.Fprintf(w, "Raised threats that a reviewer listed too: %d of %d (%s).\n", r.Total.Counts.OnList, r.Total.Counts.Raised, pct(r.Total.Scores.OnList))
	fmt.Fprintf(w, "Noise with each raised threat counted once per listed threat it matches: %.2f (%d for %d listed).\n",
		r.Total.Scores.LineNoise, r.Total.Counts.RaisedPerLine, r.Total.Counts.Listed)
	fmt.Fprintf(w, "High/critical in the top 10 through the threat's own element (strict: not through the further elements a zone-wide or merged threat names): %s.\n",
		frac(r.Total.Counts.HighInTopStrict, r.Total.Counts.HighListed))
	fmt.Fprintf(w, "High/critical in the top 10 of those a top 10 can hold (at most 10 a case): %s.\n",
		frac(r.Total.Counts.HighInTop, r.Total.Counts.HighReachable))
	fmt.Fprint(w, "Listed threats found, by STRIDE category:")
	for _, c := range model.Categories {
		if x, ok := r.Total.ByCategory[string(c)]; ok {
			fmt.Fprintf(w, " %s %d/%d", c.Letter(), x.Matched, x.Listed)
		}
	}
	fmt.Fprint(w, "; by severity:")
	for _, sev := range []model.Severity{model.SevCritical, model.SevHigh, model.SevMedium, model.SevLow} {
		if x, ok := r.Total.BySeverity[sev.String()]; ok {
			fmt.Fprintf(w, " %s %d/%d (%d in top 10)", sev, x.Matched, x.Listed, x.InTop)
		}
	}
	fmt.Fprintln(w, ".")
	fmt.Fprintln(w, "Targets (issue 7): weighted recall >= 85 %, noise <= 3, high/critical in top 10 >= 80 %, questions <= 2 per element.")
	if !verbose {
		fmt.Fprintln(w, "Run with --verbose for the threats each case misses.")
		return nil
	}
	for _, c := range r.Cases {
		fmt.Fprintf(w, "\n%s (%s)\n", c.Case, c.Model)
		for _, t := range c.Threats {
			mark := "missed"
			switch {
			case t.Found && t.InTop:
				mark = fmt.Sprintf("top #%d", t.Rank)
			case t.Found && t.Rank > 0:
				mark = fmt.Sprintf("rank #%d", t.Rank)
			case t.Found:
				mark = t.Status
			}
			top := ""
			if t.Top3 {
				top = " [top 3]"
			}
			fmt.Fprintf(w, "  %-9s %-8s %s %s  %s%s: %s\n", mark, t.Severity, model.Category(t.Category).Letter(), strings.Join(t.Targets, "|"), t.ID, top, t.Text)
			if len(t.Matches) > 0 {
				more := ""
				if len(t.Matches) > 3 {
					more = fmt.Sprintf(" and %d more", len(t.Matches)-3)
				}
				fmt.Fprintf(w, "            matched by %s%s\n", strings.Join(t.Matches[:min(3, len(t.Matches))], ", "), more)
			}
		}
	}
	return nil
}

func pct(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }

func frac(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%.0f %%)", a, b, 100*float64(a)/float64(b))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
