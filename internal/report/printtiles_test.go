package report

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestPrintTiles: the shop's wide diagram prints in tiles that each fit a
// landscape page at a scale that keeps its labels legible (≥ 0.7), and
// together cover the whole diagram.
func TestPrintTiles(t *testing.T) {
	l, err := spec.Load(context.Background(), "../../examples/shop/ward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(context.Background(), l.Model, rules.All(), analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	svg, err := inlineSVG(context.Background(), Build(a, Tool{Name: "ward"}), DiagramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := svgSize.FindStringSubmatch(svg)
	total, _ := strconv.ParseFloat(m[5], 64)
	tiles := printTiles(svg)
	if len(tiles) < 2 {
		t.Fatalf("%d tiles for a %.0f pt wide diagram", len(tiles), total)
	}
	head := regexp.MustCompile(`^<svg width="([\d.]+)pt" height="([\d.]+)pt" viewBox="([\d.-]+) ([\d.-]+) ([\d.]+) ([\d.]+)"`)
	covered := 0.0
	for _, tl := range tiles {
		h := head.FindStringSubmatch(string(tl.SVG))
		if h == nil {
			t.Fatalf("tile %d: %.80s", tl.N, tl.SVG)
		}
		f := func(i int) float64 { v, _ := strconv.ParseFloat(h[i], 64); return v }
		if f(1) > tilePageW+1 || f(2) > tilePageH+1 {
			t.Errorf("tile %d is %.0f×%.0f pt, larger than the page", tl.N, f(1), f(2))
		}
		if s := f(1) / f(5); s < minPrintScale-0.01 {
			t.Errorf("tile %d scale %.2f: labels too small to read", tl.N, s)
		}
		covered = max(covered, f(3)+f(5))
		if tl.Of != len(tiles) || strings.Contains(string(tl.SVG), ` id="graph0"`) {
			t.Errorf("tile %d: of %d, or ids not made unique", tl.N, tl.Of)
		}
	}
	if covered < total-1 {
		t.Errorf("tiles cover %.0f of %.0f pt", covered, total)
	}
}
