package report

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestHTMLGolden renders each scenario as HTML (the inline SVG included:
// the Graphviz version is pinned, so its layout is stable) and checks the
// page is deterministic and self-contained.
func TestHTMLGolden(t *testing.T) {
	for _, name := range scenarios {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := HTML(context.Background(), &buf, build(t, name)); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".html.golden", buf.Bytes())
			var again bytes.Buffer
			if err := HTML(context.Background(), &again, build(t, name)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("HTML output is not deterministic")
			}
			checkSelfContained(t, buf.String())
		})
	}
}

// remoteResource matches anything that would make a browser fetch from
// the network: src/srcset/poster, stylesheet links, CSS url() and @import.
var remoteResource = regexp.MustCompile(`(?i)(src|srcset|poster|data)\s*=\s*["']?\s*(https?:)?//|<link\b|url\(\s*["']?\s*(https?:)?//|@import`)

func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	if m := remoteResource.FindString(page); m != "" {
		t.Errorf("page references a remote resource: %s", m)
	}
	for _, want := range []string{"<!DOCTYPE html>", "<style>", "<script>", "</html>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestHTMLContents(t *testing.T) {
	r := build(t, "payments")
	var buf bytes.Buffer
	if err := HTML(context.Background(), &buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	// Every diagram link lands on an anchor in the page, and every finding
	// has its anchor.
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids[strings.ReplaceAll(m[1], "&#45;", "-")] = true
	}
	links := regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(links) == 0 {
		t.Fatal("no internal links")
	}
	for _, m := range links {
		if !ids[m[1]] {
			t.Errorf("link #%s has no anchor", m[1])
		}
	}
	for _, f := range r.Findings {
		if !ids["finding-"+f.ID] {
			t.Errorf("finding %s has no anchor", f.ID)
		}
	}
	for _, want := range []string{"<svg", "Executive summary", "overdue", "invalidated", `name="severity"`, `name="stride"`,
		`name="status"`, `name="owner"`, "https://cwe.mitre.org/data/definitions/", "@media print"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Model text is escaped, never markup.
	if strings.Contains(page, "<b>") {
		t.Error("model text reached the page unescaped")
	}
}

func TestTicks(t *testing.T) {
	for in, want := range map[string]string{
		"`a` calls `b`": "<code>a</code> calls <code>b</code>",
		"<x> & `y`":     "&lt;x&gt; &amp; <code>y</code>",
		"odd ` tick":    "odd ` tick",
	} {
		if got := string(ticks(in)); got != want {
			t.Errorf("ticks(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSVGCondensed(t *testing.T) {
	r := &Result{System: System{ID: "big"}, Boundaries: []Boundary{{ID: "a", Name: "A", Trust: "internal"}, {ID: "b", Name: "B", Trust: "internet"}}}
	for i := range MaxSVGComponents + 1 {
		c := Component{ID: "c" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)), Name: "n", Kind: "service", Worst: "none", Boundary: "a"}
		if i%2 == 1 {
			c.Boundary, c.Worst = "b", "high"
		}
		r.Components = append(r.Components, c)
	}
	r.Flows = []Flow{{ID: "f", From: r.Components[0].ID, To: r.Components[1].ID, Worst: "high"}}
	if ok, err := Condensed(r, DiagramOptions{}); err != nil || !ok {
		t.Fatalf("Condensed = %v, %v; want true", ok, err)
	}
	var buf bytes.Buffer
	if err := SVG(context.Background(), &buf, r, DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"<svg", "Condensed overview", "A · internal", "B · internet", "1 flow"} {
		if !strings.Contains(out, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
}
