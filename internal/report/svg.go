package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	graphviz "github.com/goccy/go-graphviz"
)

// MaxSVGComponents is the most components SVG draws one by one. Beyond it a
// diagram is no longer readable (nor quick to lay out), so SVG draws a
// condensed overview instead: one node per trust boundary, flows aggregated.
const MaxSVGComponents = 400

// svgOverviewLinks is the most links between groups the overview draws.
const svgOverviewLinks = 150

// Condensed reports whether SVG draws the condensed overview for opt: the
// view holds more than MaxSVGComponents components.
func Condensed(r *Result, opt DiagramOptions) (bool, error) {
	v, err := newView(r, opt)
	if err != nil {
		return false, err
	}
	return len(v.components) > MaxSVGComponents, nil
}

// SVG lays out the data-flow diagram with Graphviz compiled to WebAssembly
// (no external dot binary) and writes it as a standalone SVG document. Trust
// boundaries are clusters; components and flows are coloured by their worst
// open severity, carry an id ("c-<id>", "fl-<id>"), a class ("sev-<severity>")
// and a tooltip, and link to "#c-<id>" / "#fl-<id>", the anchors of their
// findings in the HTML report. A view larger than MaxSVGComponents is drawn
// as a condensed boundary-level overview that says so.
func SVG(ctx context.Context, w io.Writer, r *Result, opt DiagramOptions) error {
	v, err := newView(r, opt)
	if err != nil {
		return err
	}
	var dot bytes.Buffer
	layout := graphviz.DOT
	if len(v.components) > MaxSVGComponents {
		// Boundaries talk to each other in every direction: a
		// force-directed map reads better than ranks.
		layout = graphviz.SFDP
		err = v.writeOverview(&dot)
	} else {
		err = v.writeDOT(&dot, &dotLinks{open: openByElement(r)})
	}
	if err != nil {
		return err
	}
	out, err := layoutSVG(ctx, dot.Bytes(), layout)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// inlineSVG is the diagram as an <svg> element for an HTML page: without
// the XML prolog, doctype and comments.
func inlineSVG(ctx context.Context, r *Result, opt DiagramOptions) (string, error) {
	var buf bytes.Buffer
	if err := SVG(ctx, &buf, r, opt); err != nil {
		return "", err
	}
	s := buf.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	s = svgComment.ReplaceAllString(s, "")
	// In HTML the parser puts <svg> in the SVG namespace by itself.
	s = strings.Replace(s, ` xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"`, "", 1)
	return s, nil
}

var svgComment = regexp.MustCompile(`(?s)<!--.*?-->\n?`)

// graphviz holds one Graphviz instance for the process. The library keeps a
// single WebAssembly module, which is not safe for concurrent use, so renders
// take turns. The module is compiled and instantiated on the first drawing
// (graphviz.New calls graphviz.Load), not when the program starts: Ward uses
// a copy of go-graphviz patched for that (third_party/go-graphviz/WARD.md),
// so commands that draw nothing do not pay 20–180 ms for it.
var gv struct {
	sync.Mutex
	g *graphviz.Graphviz
}

// layoutSVG lays out a DOT graph and renders it as SVG.
func layoutSVG(ctx context.Context, dot []byte, layout graphviz.Layout) ([]byte, error) {
	gv.Lock()
	defer gv.Unlock()
	if gv.g == nil {
		g, err := graphviz.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("start graphviz: %w", err)
		}
		gv.g = g
	}
	gv.g.SetLayout(layout)
	graph, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("graphviz: parse diagram: %w", err)
	}
	defer graph.Close()
	var buf bytes.Buffer
	if err := gv.g.Render(ctx, graph, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("graphviz: render diagram: %w", err)
	}
	return buf.Bytes(), nil
}

// openByElement counts open findings per target id.
func openByElement(r *Result) map[string]int {
	n := map[string]int{}
	for _, f := range r.Findings {
		if f.Status != "open" {
			continue
		}
		for _, t := range f.Targets {
			n[t.ID]++
		}
	}
	return n
}

// Beyond these many flows, SVG trades layout quality for time: fewer
// crossing-minimisation passes, then straight edges with their labels moved
// into tooltips (hundreds of labels are unreadable anyway). Measured on
// synthetic models: 500 flows take 4 s of CPU with the defaults, 0.3 s tuned.
const (
	svgQuickFlows    = 100
	svgLabelledFlows = 250
)

// tuning is the graph attributes for a view with n flows.
func (l *dotLinks) tuning(n int) string {
	var s string
	if n > svgQuickFlows {
		s += "  nslimit=1; nslimit1=1; mclimit=0.1;\n"
	}
	if n > svgLabelledFlows {
		s += "  splines=line;\n"
	}
	return s
}

// attrs are the DOT attributes that make an element addressable in SVG.
func (l *dotLinks) attrs(id, worst, what string, open int) []string {
	sev := worst
	if _, ok := severityStyle[sev]; !ok {
		sev = "none"
	}
	tip := what + ": no open findings"
	if open > 0 {
		tip = fmt.Sprintf("%s: %d open finding%s, worst %s", what, open, pl(open), worst)
	}
	return []string{"id=" + dotQuote(id), "class=" + dotQuote("el sev-"+sev), "URL=" + dotQuote("#"+id),
		"tooltip=" + dotQuote(tip), "target=" + dotQuote("_top")}
}

// group is one node of the condensed overview.
type group struct {
	key, label, trust string
	components, open  int
	worst             int
}

// writeOverview writes the condensed overview: one node per trust boundary
// (or per trust level, when even the boundaries are too many) with its
// component count and open findings, and one edge per pair of groups with
// the number of flows between them, coloured by their worst open severity.
func (v *view) writeOverview(w io.Writer) error {
	r := v.r
	bound := map[string]Boundary{}
	for _, b := range r.Boundaries {
		bound[b.ID] = b
	}
	byTrust := len(v.bounds) > MaxSVGComponents
	keyOf := func(boundary string) string {
		b, ok := bound[boundary]
		switch {
		case !ok:
			return "none"
		case byTrust:
			return "trust:" + b.Trust
		}
		return b.ID
	}
	groups := map[string]*group{}
	var order []string
	get := func(key string) *group {
		g := groups[key]
		if g == nil {
			g = &group{key: key}
			switch b, ok := bound[key]; {
			case key == "none":
				g.label, g.trust = "outside any boundary", ""
			case strings.HasPrefix(key, "trust:"):
				g.trust = strings.TrimPrefix(key, "trust:")
				g.label = "all " + g.trust + " boundaries"
			case ok:
				g.label, g.trust = boundaryLabel(b), b.Trust
			}
			groups[key] = g
			order = append(order, key)
		}
		return g
	}
	rank := map[string]int{}
	for i, s := range severityOrder {
		rank[s] = len(severityOrder) - i
	}
	open := openByElement(r)
	compGroup := map[string]string{}
	for _, c := range v.components {
		g := get(keyOf(c.Boundary))
		compGroup[c.ID] = g.key
		g.components++
		g.open += open[c.ID]
		g.worst = max(g.worst, rank[c.Worst])
	}
	type pair struct{ from, to string }
	type agg struct{ flows, worst int }
	edges := map[pair]*agg{}
	var pairs []pair
	for _, f := range v.flows {
		p := pair{compGroup[f.From], compGroup[f.To]}
		if p.from == p.to {
			continue
		}
		e := edges[p]
		if e == nil {
			e = &agg{}
			edges[p] = e
			pairs = append(pairs, p)
		}
		e.flows++
		e.worst = max(e.worst, rank[f.Worst])
	}
	sort.Strings(order)
	ids := map[string]string{}
	for i, k := range order {
		ids[k] = fmt.Sprintf("g%d", i)
	}
	sevName := func(n int) string {
		if n == 0 {
			return "none"
		}
		return severityOrder[len(severityOrder)-n]
	}
	ew := &errWriter{w: w}
	ew.printf("digraph %s {\n", dotQuote(r.System.ID))
	ew.printf("  overlap=prism; sep=\"+8\"; outputorder=edgesfirst;\n")
	unit := "trust boundary"
	if byTrust {
		unit = "trust level"
	}
	ew.printf("  graph [fontname=\"Helvetica\", fontsize=12, labelloc=t, label=%s];\n", dotQuote(fmt.Sprintf(
		"Condensed overview: %d components, %d flows, one node per %s (more than %d components to draw one by one).\nDraw one part with --boundary or --asset.",
		len(v.components), len(v.flows), unit, MaxSVGComponents)))
	ew.printf("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"filled,rounded\", fillcolor=\"#ffffff\", color=\"#495057\"];\n")
	ew.printf("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#868e96\"];\n")
	for _, k := range order {
		g := groups[k]
		sev := sevName(g.worst)
		label := fmt.Sprintf("%s\n%d component%s, %d open finding%s", g.label, g.components, pl(g.components), g.open, pl(g.open))
		attrs := []string{"label=" + dotQuote(label), "id=" + dotQuote("g-"+k), "class=" + dotQuote("el sev-"+sev),
			"tooltip=" + dotQuote(label+", worst "+sev)}
		if st, ok := severityStyle[sev]; ok {
			attrs = append(attrs, "fillcolor="+dotQuote(st[0]), "color="+dotQuote(st[1]), "penwidth=2")
		}
		if g.trust != "" {
			attrs = append(attrs, "style="+dotQuote("filled,rounded,"+trustStyle(g.trust)))
		}
		ew.printf("  %s [%s];\n", ids[k], strings.Join(attrs, ", "))
	}
	// Keep the most serious links: worst severity first, then most flows.
	sort.Slice(pairs, func(i, j int) bool {
		a, b := edges[pairs[i]], edges[pairs[j]]
		if a.worst != b.worst {
			return a.worst > b.worst
		}
		if a.flows != b.flows {
			return a.flows > b.flows
		}
		if pairs[i].from != pairs[j].from {
			return pairs[i].from < pairs[j].from
		}
		return pairs[i].to < pairs[j].to
	})
	omitted := 0
	if len(pairs) > svgOverviewLinks {
		omitted = len(pairs) - svgOverviewLinks
		pairs = pairs[:svgOverviewLinks]
	}
	for _, p := range pairs {
		e := edges[p]
		attrs := []string{"label=" + dotQuote(fmt.Sprintf("%d flow%s", e.flows, pl(e.flows)))}
		if st, ok := severityStyle[sevName(e.worst)]; ok {
			attrs = append(attrs, "color="+dotQuote(st[1]))
		}
		ew.printf("  %s -> %s [%s];\n", ids[p.from], ids[p.to], strings.Join(attrs, ", "))
	}
	if omitted > 0 {
		ew.printf("  omitted [shape=note, style=filled, fillcolor=\"#f8f9fa\", label=%s];\n",
			dotQuote(fmt.Sprintf("%d less serious links between groups not drawn", omitted)))
	}
	ew.printf("}\n")
	return ew.err
}
