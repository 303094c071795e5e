package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// wideModel is a system whose diagram is much wider than tall, with the
// taller trust zones further right: a chain of zones left to right, the
// n-th holding 1+n/3 services.
func wideModel(zones int) map[string]string {
	var b strings.Builder
	b.WriteString("ward: 1\nsystem: {id: wide, name: Wide}\n" +
		"assets:\n  - {id: cards, classification: restricted, data: [payment_card]}\nboundaries:\n")
	for z := 1; z <= zones; z++ {
		fmt.Fprintf(&b, "  - {id: z%d, trust: internal}\n", z)
	}
	b.WriteString("components:\n")
	for z := 1; z <= zones; z++ {
		for i := 1; i <= 1+z/3; i++ {
			fmt.Fprintf(&b, "  - {id: s%d-%d, kind: service, boundary: z%d, processes: [cards]}\n", z, i, z)
		}
	}
	b.WriteString("flows:\n")
	for z := 1; z < zones; z++ {
		for i := 1; i <= 1+(z+1)/3; i++ {
			fmt.Fprintf(&b, "  - {id: f%d-%d, from: s%d-1, to: s%d-%d, protocol: https, carries: [cards]}\n", z, i, z, z+1, i)
		}
	}
	return map[string]string{"ward.yaml": b.String()}
}

// diagramBox is where the diagram's frame and its drawing are on the page,
// in CSS pixels.
type diagramBox struct {
	BoxWidth  float64 // the frame's inner width
	Band      float64 // from the frame's top to the first thing drawn in view
	SVGWidth  float64 // the drawing's rendered size
	SVGHeight float64
	Aspect    float64 // the drawing's viewBox height over width
	Scroll    bool    // the frame scrolls sideways
	VScroll   bool    // the frame scrolls up and down
	Pressed   string  // the toggle's aria-pressed
	Hidden    bool    // the toggle is hidden
	First     string  // the first thing drawn in view
	Zoom      string  // the zoom level shown
	ZoomShown bool    // the zoom buttons are shown
}

func (b *browser) diagramBox() diagramBox {
	b.t.Helper()
	box, err := chromedp.Run(b.ctx, chromedp.Evaluate[diagramBox](`(() => {
		const box = document.querySelector('.diagram'), svg = box.querySelector('svg');
		const c = box.getBoundingClientRect(), s = svg.getBoundingClientRect();
		const top = c.top + box.clientTop, left = c.left + box.clientLeft;
		let first = Infinity, id = '';
		for (const e of svg.querySelectorAll('g.node, g.cluster')) {
			const r = e.getBoundingClientRect();
			if (r.right > left && r.left < left + box.clientWidth && r.bottom > top && r.top < top + box.clientHeight) {
				if (r.top < first) { first = r.top; id = e.id; }
			}
		}
		const vb = svg.viewBox.baseVal, btn = document.getElementById('diagram-fit');
		return {BoxWidth: box.clientWidth, Band: (first === Infinity ? top + box.clientHeight : first) - top, SVGWidth: s.width, SVGHeight: s.height,
			Aspect: vb.height / vb.width, Scroll: box.scrollWidth > box.clientWidth + 1, VScroll: box.scrollHeight > box.clientHeight + 1,
			Pressed: btn.getAttribute('aria-pressed'), Hidden: btn.hidden, First: id,
			Zoom: document.getElementById('diagram-scale').textContent, ZoomShown: !document.getElementById('diagram-zoom').hidden}
	})()`))
	if err != nil {
		b.fail(err)
	}
	return box
}

// TestBrowserWideDiagram: a wide diagram (left to right, taller zones
// further right) is fitted to its frame's width, its height following its
// aspect ratio, with no empty band above what is in view; the "Fit to
// width" toggle (keyboard too) shows it at actual size, scrolling sideways,
// and the choice is kept for the next page.
func TestBrowserWideDiagram(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser test: run without -short")
	}
	const token = "diagram-setup-token"
	b := newBrowser(t, token)
	admin := b.adminWithTeam(token)
	b.pushModel(admin, "wide", wideModel(14))
	b.signIn("ada@example.com", "correct horse battery")
	b.open("/systems/wide")
	b.scrollTo(".diagram-tools")

	fit := b.diagramBox()
	t.Logf("fitted: %+v", fit)
	if fit.Pressed != "true" || fit.Hidden {
		t.Errorf("the toggle on a wide diagram: aria-pressed %q, hidden %v", fit.Pressed, fit.Hidden)
	}
	if fit.SVGWidth > fit.BoxWidth+1 || fit.Scroll || fit.VScroll {
		t.Errorf("fitted, the diagram is %.0f px wide in a %.0f px frame (scrolls: %v, %v)", fit.SVGWidth, fit.BoxWidth, fit.Scroll, fit.VScroll)
	}
	if want := fit.SVGWidth * fit.Aspect; fit.SVGHeight > want+2 || fit.SVGHeight < want-2 {
		t.Errorf("fitted, the diagram is %.0f px high, want %.0f (its aspect ratio)", fit.SVGHeight, want)
	}
	if fit.Band > 40 {
		t.Errorf("fitted, an empty band of %.0f px above the diagram", fit.Band)
	}
	b.screenshot("system-diagram-fit")
	b.checkAccessible("system with a wide diagram")

	b.do(chromedp.Click(chromedp.ID("diagram-fit")))
	actual := b.diagramBox()
	t.Logf("actual size: %+v", actual)
	if actual.Band > 80 {
		t.Errorf("at actual size, an empty band of %.0f px above the diagram's start", actual.Band)
	}
	if actual.Pressed != "false" || actual.SVGWidth < fit.SVGWidth*1.2 || !actual.Scroll {
		t.Errorf("at actual size: aria-pressed %q, %.0f px wide (fitted %.0f), scrolls %v", actual.Pressed, actual.SVGWidth, fit.SVGWidth, actual.Scroll)
	}
	b.screenshot("system-diagram-actual")

	// The choice is kept for the next page; Enter on the focused toggle
	// fits the diagram again.
	b.open("/systems/wide")
	b.scrollTo(".diagram-tools")
	if again := b.diagramBox(); again.Pressed != "false" || again.SVGWidth != actual.SVGWidth {
		t.Errorf("after reloading: aria-pressed %q, %.0f px wide, want the actual size kept", again.Pressed, again.SVGWidth)
	}
	b.do(chromedp.Focus(chromedp.ID("diagram-fit")), chromedp.KeyEvent("\r"))
	if back := b.diagramBox(); back.Pressed != "true" || back.SVGWidth != fit.SVGWidth {
		t.Errorf("Enter on the toggle: aria-pressed %q, %.0f px wide, want fitted %.0f", back.Pressed, back.SVGWidth, fit.SVGWidth)
	}

	b.zoomDiagram(fit)

	// The shop example: at actual size its frame opened on ~230 px of
	// nothing above the first zone; it now opens at that zone's top.
	if status, out := b.api("POST", "/api/v1/teams", admin, map[string]string{"id": "storefront", "name": "Storefront"}); status != 201 {
		t.Fatalf("team: %d %v", status, out)
	}
	if status, out := b.api("POST", "/api/v1/systems/larkspur-shop/versions", admin,
		map[string]any{"team": "storefront", "files": bundle(t, "../../examples/shop")}); status != 201 {
		t.Fatalf("shop: %d %v", status, out)
	}
	b.open("/systems/larkspur-shop")
	b.scrollTo(".diagram-tools")
	if shop := b.diagramBox(); shop.Pressed != "true" || shop.Band > 40 || shop.Scroll || shop.VScroll {
		t.Errorf("the shop fitted: %+v", shop)
	}
	b.do(chromedp.Click(chromedp.ID("diagram-fit")))
	if shop := b.diagramBox(); shop.Pressed != "false" || shop.Band > 40 || !shop.Scroll {
		t.Errorf("the shop at actual size: %+v", shop)
	}
	b.screenshot("system-shop-actual")
}

// scrollTo scrolls the page so that the element sel selects is at the top.
func (b *browser) scrollTo(sel string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { document.querySelector(`+jsString(sel)+`).scrollIntoView(); return true })()`)); err != nil {
		b.fail(err)
	}
}

// zoomDiagram checks the zoom of the fitted wide diagram fit: the buttons
// (keyboard too), + and - on the focused frame, Ctrl with the wheel around
// the pointer, the plain wheel left alone, and a selection on the zoomed
// diagram keeping its zoom.
func (b *browser) zoomDiagram(fit diagramBox) {
	t := b.t
	t.Helper()
	if !fit.ZoomShown || fit.Zoom == "" {
		t.Errorf("fitted: zoom buttons shown %v, zoom level %q", fit.ZoomShown, fit.Zoom)
	}
	near := func(got, want float64) bool { return got > want-1.5 && got < want+1.5 }

	// Enter on the focused "Zoom in", then a click: 125 %, then 156 % of
	// the fitted size, the frame scrolling sideways.
	b.do(chromedp.Focus(chromedp.ID("diagram-zoom-in")), chromedp.KeyEvent("\r"))
	in := b.diagramBox()
	if !near(in.SVGWidth, fit.SVGWidth*1.25) || in.Pressed != "false" || !in.Scroll || in.Zoom == fit.Zoom {
		t.Errorf("zoomed in once: %.0f px wide (fitted %.0f), aria-pressed %q, scrolls %v, zoom %q (fitted %q)", in.SVGWidth, fit.SVGWidth, in.Pressed, in.Scroll, in.Zoom, fit.Zoom)
	}
	b.do(chromedp.Click(chromedp.ID("diagram-zoom-in")))
	if in2 := b.diagramBox(); !near(in2.SVGWidth, fit.SVGWidth*1.25*1.25) || !in2.Scroll {
		t.Errorf("zoomed in twice: %.0f px wide, want %.0f; scrolls %v", in2.SVGWidth, fit.SVGWidth*1.5625, in2.Scroll)
	}
	b.do(chromedp.Click(chromedp.ID("diagram-zoom-reset")))
	if r := b.diagramBox(); r.SVGWidth != fit.SVGWidth || r.Pressed != "true" || r.Scroll || r.Zoom != fit.Zoom {
		t.Errorf("reset: %.0f px wide, want fitted %.0f; aria-pressed %q, scrolls %v, zoom %q", r.SVGWidth, fit.SVGWidth, r.Pressed, r.Scroll, r.Zoom)
	}

	// + and - on the focused frame; - from 125 % is the fitted size again.
	b.do(chromedp.Focus(chromedp.ID("diagram")), chromedp.KeyEvent("+"))
	if k := b.diagramBox(); !near(k.SVGWidth, fit.SVGWidth*1.25) {
		t.Errorf("+ on the frame: %.0f px wide, want %.0f", k.SVGWidth, fit.SVGWidth*1.25)
	}
	b.do(chromedp.KeyEvent("-"))
	if k := b.diagramBox(); k.SVGWidth != fit.SVGWidth || k.Pressed != "true" {
		t.Errorf("- on the frame: %.0f px wide, want fitted %.0f; aria-pressed %q", k.SVGWidth, fit.SVGWidth, k.Pressed)
	}

	// + on a focused component zooms around it, then 0 fits again.
	const s5 = `.diagram svg a[*|href*="element=s5-1"]`
	centreOf := func() float64 {
		x, err := chromedp.Run(b.ctx, chromedp.Evaluate[float64](`(() => { const r = document.querySelector(`+jsString(s5)+`).getBoundingClientRect(); return r.left + r.width / 2 })()`))
		if err != nil {
			b.fail(err)
		}
		return x
	}
	b.do(chromedp.Focus(chromedp.CSS(s5)))
	x0 := centreOf()
	b.do(chromedp.KeyEvent("+"))
	if k, x1 := b.diagramBox(), centreOf(); !near(k.SVGWidth, fit.SVGWidth*1.25) || x1 < x0-2 || x1 > x0+2 {
		t.Errorf("+ on a component: %.0f px wide (want %.0f), the component moved from x %.0f to %.0f", k.SVGWidth, fit.SVGWidth*1.25, x0, x1)
	}
	b.do(chromedp.KeyEvent("0"))
	if k := b.diagramBox(); k.SVGWidth != fit.SVGWidth || k.Pressed != "true" {
		t.Errorf("0 on a component: %.0f px wide, want fitted %.0f", k.SVGWidth, fit.SVGWidth)
	}

	// Ctrl with the wheel zooms in around the pointer: the zone under it
	// stays put. The wheel alone does not zoom.
	type wheel struct{ Width, Before, After float64 }
	roll := func(ctrl bool) wheel {
		w, err := chromedp.Run(b.ctx, chromedp.Evaluate[wheel](`(() => {
			const box = document.getElementById('diagram'), svg = box.querySelector('svg');
			const g = [...svg.querySelectorAll('g.cluster')][5], r = g.getBoundingClientRect();
			const x = r.left + r.width / 2, y = r.top + r.height / 2;
			box.dispatchEvent(new WheelEvent('wheel', {deltaY: -200, clientX: x, clientY: y, ctrlKey: `+fmt.Sprint(ctrl)+`, bubbles: true, cancelable: true}));
			const n = g.getBoundingClientRect();
			return {Width: svg.getBoundingClientRect().width, Before: x, After: n.left + n.width / 2};
		})()`))
		if err != nil {
			b.fail(err)
		}
		return w
	}
	if w := roll(false); w.Width != fit.SVGWidth {
		t.Errorf("the wheel alone zoomed: %.0f px wide, fitted %.0f", w.Width, fit.SVGWidth)
	}
	if w := roll(true); w.Width < fit.SVGWidth*1.4 || w.After < w.Before-2 || w.After > w.Before+2 {
		t.Errorf("Ctrl and the wheel: %.0f px wide (fitted %.0f); the zone under the pointer moved from x %.0f to %.0f", w.Width, fit.SVGWidth, w.Before, w.After)
	}

	// On the zoomed diagram a click on a component still selects it, and
	// the page it opens keeps the zoom.
	zoomed := b.diagramBox()
	b.do(chromedp.Click(chromedp.CSS(`.diagram svg a[*|href*="element=s2-1"]`)), chromedp.WaitVisible(chromedp.ID("selected")))
	if got := b.text("#selected h2"); !strings.Contains(got, "s2-1") {
		t.Errorf("a click on the zoomed diagram selected %q, want s2-1", got)
	}
	if sel := b.diagramBox(); !near(sel.SVGWidth, zoomed.SVGWidth) || sel.Pressed != "false" {
		t.Errorf("after the selection: %.0f px wide, want the zoom kept (%.0f); aria-pressed %q", sel.SVGWidth, zoomed.SVGWidth, sel.Pressed)
	}
	b.checkAccessible("system with a zoomed diagram")
	b.scrollTo("#diagram-h")
	b.screenshot("system-diagram-zoom")
	b.do(chromedp.Click(chromedp.ID("diagram-zoom-reset")))
	if r := b.diagramBox(); r.SVGWidth != fit.SVGWidth || r.Pressed != "true" {
		t.Errorf("reset after the selection: %.0f px wide, want fitted %.0f", r.SVGWidth, fit.SVGWidth)
	}
}
