package report

// The HTML page as html/template wrote it before the long lists were
// written by hand (html.go): the same page model and the template as it
// was (testdata/html-oracle.tmpl). TestHTMLIsTemplate compares the bytes.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

var oracleTemplate = template.Must(template.New("html-oracle.tmpl").Funcs(htmlFuncs).ParseFiles("testdata/html-oracle.tmpl"))

func oracleHTML(ctx context.Context, w io.Writer, r *Result) error {
	// The template writes many small pieces: buffer them under the
	// filter, which shows control characters from names, not raw.
	bw := bufio.NewWriterSize(w, 1<<16)
	w = controlsShown{bw}
	p := oracleNewHTMLPage(r)
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
	if err := oracleTemplate.Execute(w, p); err != nil {
		return err
	}
	return bw.Flush()
}

type oracleHtmlPage struct {
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
	Sev         []oracleSevCount
	Categories  []oracleSevCount
	Assets      []oracleAssetBar
	Accepted    []oracleAcceptedRow
	Overdue     []Mitigation
	Invalidated int
	Findings    []oracleHtmlFinding
	FSev        []string
	FCat        []oracleFilterOption
	FStatus     []string
	Owners      []string
	Paths       []AttackPath
	Questions   []oracleHtmlQuestion
	Elements    []oracleElementRow
}

type oracleSevCount struct {
	Name string
	N    int
	Pct  string
}

type oracleAssetBar struct {
	Asset
	Pct string
}

type oracleAcceptedRow struct {
	Accepted
	Expired bool
}

type oracleFilterOption struct{ Value, Label string }

type oracleHtmlFinding struct {
	Finding
	Stride, StatusLabel, CategoryLabel, OwnerKey string
	Targets                                      []oracleHtmlTarget
	Mits                                         []Mitigation
	Risks                                        []oracleNamedRisk
	Location                                     string
}

type oracleHtmlTarget struct {
	Kind, Label string
	Href        template.URL
}

type oracleNamedRisk struct {
	Name string
	R    Risk
}

type oracleHtmlQuestion struct {
	Question
	Where, Location string
}

type oracleElementRow struct {
	Anchor, ID, Name, Kind, Boundary, Worst string
	Findings                                []string
	Inferred                                bool
	// Facts are the other inferred facts, shown under the kind: "admin",
	// "paid", "stores a, b", "processes a", each with where it was read.
	Facts []oracleFact
}

type oracleFact struct{ Text, From string }

func oracleNewHTMLPage(r *Result) *oracleHtmlPage {
	p := &oracleHtmlPage{R: r, Title: r.System.Name, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS), Paths: r.Paths}
	if p.Title == "" {
		p.Title = r.System.ID
	}
	s := r.Summary
	for _, sev := range severityOrder {
		p.Sev = append(p.Sev, oracleSevCount{Name: sev, N: s.BySeverity[sev], Pct: pct(s.BySeverity[sev], s.Open)})
	}
	for _, c := range model.Categories {
		if n := s.ByCategory[string(c)]; n > 0 {
			p.Categories = append(p.Categories, oracleSevCount{Name: c.Letter() + " · " + categoryLabel(string(c)), N: n})
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
		p.Assets = append(p.Assets, oracleAssetBar{Asset: a, Pct: pct(a.Open, maxOpen)})
	}
	day := r.Generated
	if len(day) >= 10 {
		day = day[:10]
	}
	for _, a := range s.Accepted {
		p.Accepted = append(p.Accepted, oracleAcceptedRow{Accepted: a, Expired: a.Expires != "" && a.Expires < day})
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
func (p *oracleHtmlPage) findings(r *Result, mits map[string]Mitigation) {
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
		h := oracleHtmlFinding{Finding: f, StatusLabel: strings.ReplaceAll(f.Status, "_", " "), Location: locString(f.Location)}
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
			ht := oracleHtmlTarget{Kind: t.Kind, Label: t.ID}
			if t.From != "" || t.To != "" {
				ht.Label = fmt.Sprintf("%s (%s → %s)", t.ID, t.From, t.To)
			}
			if prefix, ok := kinds[t.ID]; ok && (t.Kind == "component" || t.Kind == "flow") {
				ht.Href = template.URL("#" + prefix + t.ID)
			}
			h.Targets = append(h.Targets, ht)
		}
		h.Risks = []oracleNamedRisk{{"Inherent", *riskOr(f.Inherent)}, {"Residual", *riskOr(f.Residual)}, {"Projected", *riskOr(f.Projected)}}
		p.Findings = append(p.Findings, h)
	}
	for _, s := range severityOrder {
		if sevs[s] {
			p.FSev = append(p.FSev, s)
		}
	}
	for _, c := range model.Categories {
		if cats[string(c)] {
			p.FCat = append(p.FCat, oracleFilterOption{Value: string(c), Label: c.Letter() + " " + categoryLabel(string(c))})
		}
	}
	if cats["none"] {
		p.FCat = append(p.FCat, oracleFilterOption{Value: "none", Label: "unclassified"})
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
func (p *oracleHtmlPage) questions(r *Result) {
	for _, q := range r.Questions {
		p.Questions = append(p.Questions, oracleHtmlQuestion{Question: q, Where: answerPath(q), Location: locString(q.Location)})
	}
}

// elements lists every component and flow with its findings: the anchors
// the diagram links to.
func (p *oracleHtmlPage) elements(r *Result) {
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
		p.Elements = append(p.Elements, oracleElementRow{Anchor: "c-" + c.ID, ID: c.ID, Name: c.Name, Kind: c.Kind, Boundary: c.Boundary,
			Worst: c.Worst, Findings: byTarget[c.ID], Inferred: c.kindInferred(), Facts: oracleFacts(c)})
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
		var facts []oracleFact
		if slices.Contains(f.Inferred, "carries") {
			facts = []oracleFact{{"carries " + strings.Join(f.Carries, ", "), "the store it reaches"}}
		}
		p.Elements = append(p.Elements, oracleElementRow{Anchor: "fl-" + f.ID, ID: f.ID, Name: from + " → " + to, Kind: kind, Boundary: b,
			Worst: f.Worst, Findings: byTarget[f.ID], Facts: facts})
	}
}

// hostileStrings are values that need every escape html/template applies
// in text, attributes and links.
var hostileStrings = []string{"<b>&'\"+</b>", "nul\x00byte", "`code` and `half", "bad \xff\xfe utf8 \xe2\x80",
	"javascript:alert(1)", "HTTPS://example.com/a b?q=1&r='x'(y)%41%zz%4", "mailto:a@b.c", "/rel/path:x", "%", "ctl \x01\x1b[31m \u202e",
	"under_score_words", "é ü 日本 🎉"}

// hostileResult is the synthetic result with hostile strings in every
// field the hand-written rows print.
func hostileResult(t *testing.T) *Result {
	r := *synthesised(t)
	h := func(i int) string { return hostileStrings[i%len(hostileStrings)] }
	r.Findings = append([]Finding(nil), r.Findings...)
	for i := range r.Findings {
		if i%3 != 0 {
			continue
		}
		f := &r.Findings[i]
		f.Title, f.Description, f.Reopened = h(i)+" `x`", h(i+1)+"\n\n- item **b**", h(i+2)
		f.Severity, f.Status, f.FoundBy, f.Origin, f.Rule = h(i+3), h(i+4), h(i+5), h(i+6), h(i+7)
		f.Categories = []string{h(i + 8), "none"}
		// The references are shared between findings: change a copy.
		refs := *f.FindingRefs
		refs.References, refs.Suggested = []string{h(i), h(i + 4), h(i + 5), h(i + 6), h(i + 7)}, []string{h(i + 2)}
		f.FindingRefs = &refs
		f.Rationale, f.Assets, f.Questions = []string{h(i + 1)}, []string{h(i + 3)}, []string{h(i + 4)}
		f.Targets = append([]Target{{Kind: "flow", ID: h(i), From: h(i + 1), To: h(i + 2)}}, f.Targets...)
		// The risks are shared between findings: change copies.
		in, res := *f.Inherent, *f.Residual
		in.LikelihoodLabel, res.Severity = h(i+9), h(i+10)
		f.Inherent, f.Residual = &in, &res
		f.Location = &Location{File: h(i + 11), Line: i, Col: 2}
		f.Decision = &Decision{Status: h(i), Reason: h(i + 1), Owner: h(i + 2), Expires: h(i + 3), Covers: []string{h(i + 4), h(i + 5)}}
		f.Mitigations = []string{h(i), "no-such-mitigation"}
		if i%2 == 0 {
			f.Categories, f.Category = nil, h(i+5)
		}
	}
	r.Mitigations = append([]Mitigation(nil), r.Mitigations...)
	r.Mitigations = append(r.Mitigations, Mitigation{ID: hostileStrings[0], Title: h(1), Status: h(2), Owner: h(3), Overdue: true})
	r.Questions = append([]Question(nil), r.Questions...)
	for i := range r.Questions {
		if i%4 == 0 {
			q := &r.Questions[i]
			q.AtStake, q.Text, q.ID, q.First = h(i), h(i+1), h(i+2), true
			el := *q.Element // shared with the element's other questions
			el.ID = h(i + 3)
			q.Element, q.Location = &el, &Location{File: h(i + 4)}
		}
	}
	r.Components = append([]Component(nil), r.Components...)
	for i := range r.Components {
		if i%5 == 0 {
			c := &r.Components[i]
			c.Name, c.Kind, c.Boundary, c.Worst = h(i), h(i+1), h(i+2), h(i+3)
		}
	}
	r.Flows = append([]Flow(nil), r.Flows...)
	for i := range r.Flows {
		if i%5 == 0 {
			f := &r.Flows[i]
			f.Protocol, f.Worst, f.From = h(i), h(i+1), h(i+2)
		}
	}
	return &r
}

// TestHTMLIsTemplate compares the page with the page html/template wrote
// from the template before the long lists were written by hand.
func TestHTMLIsTemplate(t *testing.T) {
	cases := streamCases(t)
	cases["hostile"] = hostileResult(t)
	empty := *build(t, "minimal")
	empty.Findings, empty.Questions, empty.Components, empty.Flows = nil, nil, nil, nil
	cases["empty"] = &empty
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			var got, want bytes.Buffer
			if err := HTML(context.Background(), &got, r); err != nil {
				t.Fatal(err)
			}
			if err := oracleHTML(context.Background(), &want, r); err != nil {
				t.Fatal(err)
			}
			// Graphviz's line count carries over from a failed parse to the
			// next in the process: the second drawing of a diagram it
			// rejects names another line.
			g, w := graphvizLine.ReplaceAll(got.Bytes(), nil), graphvizLine.ReplaceAll(want.Bytes(), nil)
			if !bytes.Equal(g, w) {
				t.Errorf("HTML differs from the template's\n%s", firstDiff(string(g), string(w)))
			}
		})
	}
}

var graphvizLine = regexp.MustCompile(`syntax error in line \d+`)

// FuzzHTMLEscapes compares the hand-written escapes with html/template's
// in text, attribute and link positions.
func FuzzHTMLEscapes(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	tmpl := template.Must(template.New("").Funcs(htmlFuncs).Parse(
		`<p title="{{.}}">{{.}}</p><a href="{{.}}">{{ticks .}}</a><a href="{{anchor "x-" .}}"></a>`))
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := tmpl.Execute(controlsShown{&want}, s); err != nil {
			t.Fatal(err)
		}
		got := append([]byte(`<p title="`), appendEsc(nil, s)...)
		got = append(append(got, `">`...), appendEsc(nil, s)...)
		got = append(append(got, `</p><a href="`...), appendURL(nil, s)...)
		got = append(append(got, `">`...), appendTicks(nil, s)...)
		got = append(append(got, `</a><a href="`...), appendAnchor(nil, "x-", s)...)
		got = append(got, `"></a>`...)
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want.Bytes())
		}
	})
}

func oracleFacts(c Component) []oracleFact {
	var out []oracleFact
	for _, f := range c.Inferred {
		switch f {
		case "admin", "paid":
			out = append(out, oracleFact{f, "its name and the flows into it"})
		case "stores":
			out = append(out, oracleFact{"stores " + strings.Join(c.Stores, ", "), "its flows"})
		case "processes":
			out = append(out, oracleFact{"processes " + strings.Join(c.Processes, ", "), "its flows"})
		}
	}
	return out
}
