package report

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/wardtm/ward/internal/model"
)

//go:embed htmlreport/report.html.tmpl htmlreport/report.css htmlreport/report.js
var htmlFiles embed.FS

// htmlFuncs are the functions the page template calls.
var htmlFuncs = template.FuncMap{
	"join":      strings.Join,
	"pl":        pl,
	"inc":       func(i int) int { return i + 1 },
	"locString": locString,
	"ticks":     ticks,
	// anchor links to an element of the page. Ids are the model's own
	// (letters, digits, '.', '-', '_', ':'), so the fragment needs no escaping.
	"anchor":     func(prefix, id string) template.URL { return template.URL("#" + prefix + id) },
	"words":      func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"weaknesses": weaknessList,
	"source":     SourceText,
	"closed":     closedCounts,
	"markdown":   markdownHTML,
	"active":     Active,
	// inferredMark is InferredMark without its leading space.
	"inferredMark": func() string { return strings.TrimPrefix(InferredMark, " ") },
}

// htmlTemplate parses the page template on first use: parsing it costs
// about a millisecond, which every other command would pay at start-up.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report.html.tmpl").Funcs(htmlFuncs).ParseFS(htmlFiles, "htmlreport/report.html.tmpl"))
})

var htmlCSS, htmlJS = mustRead("htmlreport/report.css"), mustRead("htmlreport/report.js")

func mustRead(name string) string {
	b, err := htmlFiles.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// HTML writes the result as one self-contained HTML page: an executive
// summary, the data-flow diagram as inline SVG (elements link to their
// findings), the ranked findings with filters, attack paths, mitigations,
// assumptions, open questions, elements and warnings. Styles and the small
// filter script are embedded; the page loads nothing from the network and
// prints cleanly. The diagram is laid out in process (see SVG).
func HTML(ctx context.Context, w io.Writer, r *Result) error {
	// The template writes many small pieces: buffer them under the
	// filter, which shows control characters from names, not raw.
	bw := bufio.NewWriterSize(w, 1<<16)
	w = controlsShown{bw}
	p := newHTMLPage(r)
	if len(r.Components) > 0 {
		svg, err := inlineSVG(ctx, r, DiagramOptions{})
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// The rest of the report is worth having without the picture.
			p.DiagramError = err.Error()
		}
		p.SVG = template.HTML(svg) // Graphviz escapes every label it writes.
		p.Condensed = len(r.Components) > MaxSVGComponents
		p.Tiles = printTiles(svg)
		// Fit the page's width when that keeps labels legible.
		if m := svgWidth.FindStringSubmatch(svg); m != nil {
			w, _ := strconv.Atoi(m[1])
			p.Fit = w <= 1800
		}
	}
	// The template writes the page around its long lists, which are
	// written by hand (htmlrows.go): on a large model they are nearly all
	// of it, and html/template's reflection and escapers cost seconds.
	hw := htmlRows{p: p, r: r}
	hw.index()
	for _, part := range []struct {
		name string
		rows func(io.Writer) error
	}{{"top", hw.findings}, {"findings-end", hw.questions}, {"questions-end", hw.elements}, {"end", nil}} {
		if err := htmlTemplate().ExecuteTemplate(w, part.name, p); err != nil {
			return err
		}
		if part.rows != nil {
			if err := part.rows(bw); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// ticks escapes s and sets `quoted` spans, as rule titles write ids, in code.
func ticks(s string) template.HTML {
	parts := strings.Split(template.HTMLEscapeString(s), "`")
	if len(parts)%2 == 0 {
		// An unpaired backtick stays as it is.
		return template.HTML(strings.Join(parts, "`"))
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + p + "</code>")
		} else {
			b.WriteString(p)
		}
	}
	return template.HTML(b.String())
}

var svgWidth = regexp.MustCompile(`<svg width="(\d+)pt"`)

type htmlPage struct {
	R            *Result
	Title        string
	CSS          template.CSS
	JS           template.JS
	SVG          template.HTML
	Condensed    bool
	Fit          bool
	DiagramError string
	// Tiles is the diagram cut for print (landscape pages, legible scale).
	Tiles       []printTile
	Sev         []sevCount
	Categories  []sevCount
	Assets      []assetBar
	Accepted    []acceptedRow
	Overdue     []Mitigation
	Invalidated int
	// Findings are the result's findings in rank order.
	Findings  []*Finding
	FSev      []string
	FCat      []filterOption
	FStatus   []string
	Owners    []string
	Paths     []AttackPath
	Questions []Question
	// Elements is whether the model has components or flows to list.
	Elements bool
	// mits are the result's mitigations by id.
	mits map[string]*Mitigation
}

type sevCount struct {
	Name string
	N    int
	Pct  string
}

type assetBar struct {
	Asset
	Pct string
}

type acceptedRow struct {
	Accepted
	Expired bool
}

type filterOption struct{ Value, Label string }

// pct formats n/total as a CSS percentage with one decimal.
func pct(n, total int) string {
	if total == 0 {
		return "0"
	}
	return fmt.Sprintf("%.1f", float64(n)*100/float64(total))
}

// categoryLabel spells a STRIDE category for people.
func categoryLabel(c string) string {
	if c == "" {
		return "unclassified"
	}
	return strings.ReplaceAll(c, "_", " ")
}

func newHTMLPage(r *Result) *htmlPage {
	p := &htmlPage{R: r, Title: r.System.Name, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS), Paths: r.Paths,
		Questions: r.Questions, Elements: len(r.Components)+len(r.Flows) > 0}
	if p.Title == "" {
		p.Title = r.System.ID
	}
	s := r.Summary
	for _, sev := range severityOrder {
		p.Sev = append(p.Sev, sevCount{Name: sev, N: s.BySeverity[sev], Pct: pct(s.BySeverity[sev], s.Open)})
	}
	for _, c := range model.Categories {
		if n := s.ByCategory[string(c)]; n > 0 {
			p.Categories = append(p.Categories, sevCount{Name: c.Letter() + " · " + categoryLabel(string(c)), N: n})
		}
	}
	maxOpen := 0
	for _, a := range r.Assets {
		maxOpen = max(maxOpen, a.Open)
	}
	assets := append([]Asset(nil), r.Assets...)
	sort.SliceStable(assets, func(i, j int) bool { return assets[i].Open > assets[j].Open })
	for _, a := range assets {
		if a.Open == 0 {
			a.Worst = "none"
		}
		if a.Classification == "" && slices.Contains(a.Inferred, "kind") {
			a.Kind += InferredMark
		}
		if slices.Contains(a.Inferred, "classification") {
			a.Classification += InferredMark
		}
		p.Assets = append(p.Assets, assetBar{Asset: a, Pct: pct(a.Open, maxOpen)})
	}
	day := r.Generated
	if len(day) >= 10 {
		day = day[:10]
	}
	for _, a := range s.Accepted {
		p.Accepted = append(p.Accepted, acceptedRow{Accepted: a, Expired: a.Expires != "" && a.Expires < day})
	}
	p.mits = make(map[string]*Mitigation, len(r.Mitigations))
	for i, m := range r.Mitigations {
		p.mits[m.ID] = &r.Mitigations[i]
		if m.Overdue {
			p.Overdue = append(p.Overdue, m)
		}
	}
	for _, a := range r.Assumptions {
		if a.Status == string(model.AssumptionInvalidated) {
			p.Invalidated++
		}
	}
	p.findings(r)
	return p
}

// findingCategories are a finding's STRIDE categories as the page's
// filter knows them: "none" for an unclassified finding.
func findingCategories(f *Finding) []string {
	if len(f.Categories) > 0 {
		return f.Categories
	}
	if f.Category != "" {
		return []string{f.Category}
	}
	return []string{"none"}
}

// owners appends to who, once each, the people a finding concerns: its
// decision's owner and its mitigations' owners, or else the system's team.
func (p *htmlPage) owners(who []string, f *Finding) []string {
	who = who[:0]
	add := func(o string) {
		if o != "" && !contains(who, o) {
			who = append(who, o)
		}
	}
	if f.Decision != nil {
		add(f.Decision.Owner)
	}
	for _, id := range f.Mitigations {
		if m, ok := p.mits[id]; ok {
			add(m.Owner)
		}
	}
	if len(who) == 0 {
		add(p.R.System.Team)
	}
	return who
}

// findings ranks the findings and collects the filter options in use.
func (p *htmlPage) findings(r *Result) {
	p.Findings = make([]*Finding, len(r.Findings))
	for i := range r.Findings {
		p.Findings[i] = &r.Findings[i]
	}
	fs := p.Findings
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Rank != fs[j].Rank {
			return fs[i].Rank < fs[j].Rank
		}
		return fs[i].ID < fs[j].ID
	})
	sevs, cats, statuses, owners := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	var who []string
	for _, f := range fs {
		for _, c := range findingCategories(f) {
			cats[c] = true
		}
		sevs[f.Severity], statuses[f.Status] = true, true
		who = p.owners(who, f)
		for _, o := range who {
			owners[o] = true
		}
	}
	for _, s := range severityOrder {
		if sevs[s] {
			p.FSev = append(p.FSev, s)
		}
	}
	for _, c := range model.Categories {
		if cats[string(c)] {
			p.FCat = append(p.FCat, filterOption{Value: string(c), Label: c.Letter() + " " + categoryLabel(string(c))})
		}
	}
	if cats["none"] {
		p.FCat = append(p.FCat, filterOption{Value: "none", Label: "unclassified"})
	}
	for _, s := range append([]model.Status{model.StatusUnverified}, model.Statuses...) {
		if statuses[string(s)] {
			p.FStatus = append(p.FStatus, string(s))
		}
	}
	for o := range owners {
		p.Owners = append(p.Owners, o)
	}
	sort.Strings(p.Owners)
}
