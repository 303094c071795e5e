package report

import (
	"fmt"
	"html/template"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// The printed report (PDF) cannot scroll a wide diagram, and a diagram
// shrunk to a page's width is unreadable. So the print view shows the
// diagram at a legible scale on landscape pages, cut into tiles left to
// right (and top to bottom when needed), each tile the same SVG with its
// own viewBox.

// printTile is one printed piece of the diagram.
type printTile struct {
	SVG   template.HTML
	N, Of int
}

const (
	// tilePageW and tilePageH are the room for a diagram on a landscape A4
	// page with 10 mm margins, less a caption, in points.
	tilePageW, tilePageH = 780.0, 500.0
	// minPrintScale keeps Graphviz's 10–11 pt labels at 7 pt or more.
	minPrintScale = 0.7
	// tileOverlap repeats a strip of the previous tile, for continuity.
	tileOverlap = 24.0
)

var svgSize = regexp.MustCompile(`<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([\d.-]+) ([\d.-]+) ([\d.]+) ([\d.]+)"`)

// printTiles cuts a Graphviz SVG into tiles for print; nil when it cannot
// read the SVG's size.
func printTiles(svg string) []printTile {
	m := svgSize.FindStringSubmatchIndex(svg)
	if m == nil {
		return nil
	}
	num := func(i int) float64 {
		f, _ := strconv.ParseFloat(svg[m[2*i]:m[2*i+1]], 64)
		return f
	}
	vx, vy, vw, vh := num(3), num(4), num(5), num(6)
	if vw <= 0 || vh <= 0 {
		return nil
	}
	// The scale fits the page when that stays legible, else the minimum.
	scale := math.Min(1, math.Min(tilePageW/vw, tilePageH/vh))
	scale = math.Max(scale, minPrintScale)
	cols := int(math.Ceil(vw * scale / tilePageW))
	rows := int(math.Ceil(vh * scale / tilePageH))
	if cols*rows > 64 {
		return nil
	}
	tw, th := vw/float64(cols), vh/float64(rows)
	rest := svg[m[1]:]
	var out []printTile
	for r := range rows {
		for c := range cols {
			x, y, w, h := vx+float64(c)*tw, vy+float64(r)*th, tw, th
			if c > 0 {
				x, w = x-tileOverlap, w+tileOverlap
			}
			if r > 0 {
				y, h = y-tileOverlap, h+tileOverlap
			}
			head := fmt.Sprintf(`<svg width="%.0fpt" height="%.0fpt" viewBox="%.2f %.2f %.2f %.2f"`, w*scale, h*scale, x, y, w, h)
			// Ids must stay unique in the page: the screen diagram has them.
			tile := strings.NewReplacer(` id="`, ` id="t`+strconv.Itoa(len(out))+`-`).Replace(rest)
			out = append(out, printTile{SVG: template.HTML(head + tile), N: len(out) + 1})
		}
	}
	for i := range out {
		out[i].Of = len(out)
	}
	return out
}
