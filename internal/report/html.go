package report

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

//go:embed htmlreport/report.html.tmpl htmlreport/report.css htmlreport/report.js
var htmlFiles embed.FS

var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
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
}).ParseFS(htmlFiles, "htmlreport/report.html.tmpl"))

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
	if err := htmlTemplate.Execute(w, p); err != nil {
		return err
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
	Findings    []htmlFinding
	FSev        []string
	FCat        []filterOption
	FStatus     []string
	Owners      []string
	Paths       []AttackPath
	Questions   []htmlQuestion
	Elements    []elementRow
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

type htmlFinding struct {
	Finding
	Stride, StatusLabel, CategoryLabel, OwnerKey string
	Targets                                      []htmlTarget
	Mits                                         []Mitigation
	Risks                                        []namedRisk
	Location                                     string
}

type htmlTarget struct {
	Kind, Label string
	Href        template.URL
}

type namedRisk struct {
	Name string
	R    Risk
}

type htmlQuestion struct {
	Question
	Where, Location string
}

type elementRow struct {
	Anchor, ID, Name, Kind, Boundary, Worst string
	Findings                                []string
}

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
	p := &htmlPage{R: r, Title: r.System.Name, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS), Paths: r.Paths}
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
		p.Assets = append(p.Assets, assetBar{Asset: a, Pct: pct(a.Open, maxOpen)})
	}
	day := r.Generated
	if len(day) >= 10 {
		day = day[:10]
	}
	for _, a := range s.Accepted {
		p.Accepted = append(p.Accepted, acceptedRow{Accepted: a, Expired: a.Expires != "" && a.Expires < day})
	}
	mits := map[string]Mitigation{}
	for _, m := range r.Mitigations {
		mits[m.ID] = m
		if m.Overdue {
			p.Overdue = append(p.Overdue, m)
		}
	}
	for _, a := range r.Assumptions {
		if a.Status == string(model.AssumptionInvalidated) {
			p.Invalidated++
		}
	}
	p.findings(r, mits)
	p.questions(r)
	p.elements(r)
	return p
}

// findings ranks the findings and collects the filter options in use.
func (p *htmlPage) findings(r *Result, mits map[string]Mitigation) {
	fs := append([]Finding(nil), r.Findings...)
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Rank != fs[j].Rank {
			return fs[i].Rank < fs[j].Rank
		}
		return fs[i].ID < fs[j].ID
	})
	kinds := map[string]string{}
	for _, c := range r.Components {
		kinds[c.ID] = "c-"
	}
	for _, f := range r.Flows {
		kinds[f.ID] = "fl-"
	}
	sevs, cats, statuses, owners := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, f := range fs {
		h := htmlFinding{Finding: f, StatusLabel: strings.ReplaceAll(f.Status, "_", " "), Location: locString(f.Location)}
		if f.Reopened != "" {
			h.StatusLabel = "re-opened"
		}
		cs := f.Categories
		if len(cs) == 0 && f.Category != "" {
			cs = []string{f.Category}
		}
		if len(cs) == 0 {
			cs = []string{"none"}
		}
		h.Stride = strings.Join(cs, " ")
		labels := make([]string, len(cs))
		for i, c := range cs {
			cats[c] = true
			if c == "none" {
				c = ""
			}
			labels[i] = categoryLabel(c)
		}
		h.CategoryLabel = strings.Join(labels, ", ")
		sevs[f.Severity], statuses[f.Status] = true, true
		var who []string
		add := func(o string) {
			if o != "" && !contains(who, o) {
				who = append(who, o)
			}
		}
		if f.Decision != nil {
			add(f.Decision.Owner)
		}
		for _, id := range f.Mitigations {
			m, ok := mits[id]
			if !ok {
				m = Mitigation{ID: id, Title: id, Status: "unknown"}
			}
			h.Mits = append(h.Mits, m)
			add(m.Owner)
		}
		if len(who) == 0 {
			add(r.System.Team)
		}
		for _, o := range who {
			owners[o] = true
		}
		h.OwnerKey = strings.Join(who, "|")
		for _, t := range f.Targets {
			ht := htmlTarget{Kind: t.Kind, Label: t.ID}
			if t.From != "" || t.To != "" {
				ht.Label = fmt.Sprintf("%s (%s → %s)", t.ID, t.From, t.To)
			}
			if prefix, ok := kinds[t.ID]; ok && (t.Kind == "component" || t.Kind == "flow") {
				ht.Href = template.URL("#" + prefix + t.ID)
			}
			h.Targets = append(h.Targets, ht)
		}
		h.Risks = []namedRisk{{"Inherent", f.Inherent}, {"Residual", f.Residual}, {"Projected", f.Projected}}
		p.Findings = append(p.Findings, h)
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

// questions lists the open questions in the result's order: the ones to
// answer first, then by how much risk their answer moves.
func (p *htmlPage) questions(r *Result) {
	for _, q := range r.Questions {
		p.Questions = append(p.Questions, htmlQuestion{Question: q, Where: answerPath(q), Location: locString(q.Location)})
	}
}

// elements lists every component and flow with its findings: the anchors
// the diagram links to.
func (p *htmlPage) elements(r *Result) {
	byTarget := map[string][]string{}
	for _, f := range p.Findings {
		for _, t := range f.Finding.Targets {
			if t.Kind == "component" || t.Kind == "flow" {
				byTarget[t.ID] = append(byTarget[t.ID], f.ID)
			}
		}
	}
	names := map[string]string{}
	for _, c := range r.Components {
		names[c.ID] = c.Name
		p.Elements = append(p.Elements, elementRow{Anchor: "c-" + c.ID, ID: c.ID, Name: c.Name, Kind: c.Kind, Boundary: c.Boundary,
			Worst: c.Worst, Findings: byTarget[c.ID]})
	}
	for _, f := range r.Flows {
		from, to := names[f.From], names[f.To]
		if from == "" {
			from = f.From
		}
		if to == "" {
			to = f.To
		}
		kind := "flow"
		if f.Protocol != "" {
			kind += " · " + f.Protocol
		}
		b := ""
		if f.Crosses {
			b = "crosses a boundary"
		}
		p.Elements = append(p.Elements, elementRow{Anchor: "fl-" + f.ID, ID: f.ID, Name: from + " → " + to, Kind: kind, Boundary: b,
			Worst: f.Worst, Findings: byTarget[f.ID]})
	}
}
