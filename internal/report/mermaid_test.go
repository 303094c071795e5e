package report

import (
	"fmt"
	"strings"
	"testing"
)

// mermaidNodeOracle is a component's node as Mermaid wrote it before
// appendMermaidNode.
func mermaidNodeOracle(v *view, c Component) string {
	open, close := mermaidShape(c.Kind)
	return fmt.Sprintf("%s%s\"%s\"%s", v.comp(c.ID), open, mermaidLines(componentLabel(c)), close)
}

// sanitizeIDOracle is how node ids were sanitised before sanitizeIDAfter.
func sanitizeIDOracle(id string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// TestMermaidNode compares appendMermaidNode and sanitizeIDAfter with
// their oracles on every component of the report scenarios and on
// components whose text needs escaping.
func TestMermaidNode(t *testing.T) {
	for name, r := range streamCases(t) {
		v, err := newView(r, DiagramOptions{})
		if err != nil {
			t.Fatal(err)
		}
		check := func(c *Component) {
			t.Helper()
			if got, want := string(v.appendMermaidNode([]byte("x"), c)), "x"+mermaidNodeOracle(v, *c); got != want {
				t.Errorf("%s, component %s: %q, want %q", name, c.ID, got, want)
			}
		}
		for _, c := range v.components {
			check(c)
		}
		for i, s := range []string{"", "api", "a#1", "a\"b", "x\r\ny", "\u200bhidden", "\u202eevil", "é<", "\x01"} {
			c := &Component{ID: fmt.Sprint("h", i), Name: s, Kind: []string{"person", "queue", "llm", ""}[i%4], Tech: []string{"", s}[i%2], OutOfScope: i%3 == 0}
			check(c)
			c.Inferred = []string{"kind"} // marked (inferred)
			check(c)
		}
	}
	for _, id := range []string{"", "a", "a.b-c_d", "é", "a\xffb", "日本", "x\u202e"} {
		if got, want := sanitizeIDAfter("c_", id), "c_"+sanitizeIDOracle(id); got != want {
			t.Errorf("sanitizeIDAfter(%q) = %q, want %q", id, got, want)
		}
	}
}

// mermaidFlowOracle is a flow's Mermaid line as Mermaid wrote it before
// appendMermaidFlow: the label's lines made by flowLabel, escaped by
// mermaidLines.
func mermaidFlowOracle(v *view, f *Flow) string {
	arrow := "-->"
	if flowMarks(*f) != "" {
		arrow = "-.->"
	}
	if lines := v.flowLabel(*f); len(lines) > 0 {
		return fmt.Sprintf("  %s %s|\"%s\"| %s\n", v.comp(f.From), arrow, mermaidLines(lines), v.comp(f.To))
	}
	return fmt.Sprintf("  %s %s %s\n", v.comp(f.From), arrow, v.comp(f.To))
}

// TestMermaidFlowLine compares appendMermaidFlow with the oracle on every
// flow of the report scenarios and a generated model, and on flows with
// every label part and text that needs escaping.
func TestMermaidFlowLine(t *testing.T) {
	for name, r := range streamCases(t) {
		v, err := newView(r, DiagramOptions{})
		if err != nil {
			t.Fatal(err)
		}
		check := func(f *Flow) {
			t.Helper()
			if got, want := string(v.appendMermaidFlow([]byte("x"), f)), "x"+mermaidFlowOracle(v, f); got != want {
				t.Errorf("%s, flow %s: %q, want %q", name, f.ID, got, want)
			}
		}
		for _, f := range v.flows {
			check(f)
		}
		from, to := "", ""
		if len(r.Components) > 1 {
			from, to = r.Components[0].ID, r.Components[1].ID
		}
		assets := []string{"no-such-asset", "a#1", "a\"b", "x\r\ny", "\u200bhidden", "é"}
		for _, a := range r.Assets {
			assets = append(assets, a.ID)
		}
		for i, p := range []string{"", "https", "h<t>tp", "q#1", "\x01ctl", "\u202eevil", "x\r", "ü"} {
			for j := range 4 {
				f := &Flow{ID: fmt.Sprint("h", i, j), From: from, To: to, Protocol: p, Port: 443 * (j % 2)}
				if j >= 2 {
					f.Carries = assets[(i+j)%len(assets):]
				}
				f.Encryption = []string{"", "none", "tls", "none"}[(i+j)%4]
				f.Authentication = []string{"none", "", "mtls", "none"}[(i+2*j)%4]
				check(f)
			}
		}
	}
}

// FuzzMermaidText compares appendMermaidText with mermaidText.
func FuzzMermaidText(f *testing.F) {
	for _, s := range []string{"", "a", "#", "a\r\nb", "\u200b", "\xff", "é<"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendMermaidText([]byte("p"), s)), "p"+mermaidText(s); got != want {
			t.Errorf("appendMermaidText(%q) = %q, want %q", s, got, want)
		}
	})
}
