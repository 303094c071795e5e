package report

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestBriefShop renders the pen-test brief of examples/shop against a golden
// file.
func TestBriefShop(t *testing.T) {
	l, err := spec.Load(context.Background(), "../../examples/shop/ward.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(context.Background(), l.Model, rules.All(), analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	r := Build(a, Tool{Name: "ward", Version: "test"})
	var buf bytes.Buffer
	if err := Brief(&buf, a, r, BriefOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "shop.brief.md.golden", buf.Bytes())
	for _, want := range []string{"## 7. Assumptions to disprove", "Prove that \"Only the payment provider can reach the webhook endpoint",
		"threat `webhook-replay`", "## 5. Attack paths", "status: invalidated"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("brief lacks %q", want)
		}
	}
}

// TestBriefNoAssumptions: a model that records no assumptions does not get
// a brief saying every assumption was checked.
func TestBriefNoAssumptions(t *testing.T) {
	m, _, err := spec.Parse("m.yaml", []byte("ward: 1\nsystem: {id: s, name: S}\ncomponents:\n  - {id: u, kind: person}\n  - {id: api, kind: service}\nflows:\n  - {from: u, to: api, protocol: https}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(context.Background(), m, rules.All(), analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Brief(&buf, a, Build(a, Tool{Name: "ward"}), BriefOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "Every recorded assumption has been checked") || strings.Contains(out, "prove our assumptions wrong") {
		t.Errorf("the brief claims assumptions were checked or exist:\n%s", out)
	}
	if !strings.Contains(out, "The model records no assumptions, so none has been checked") {
		t.Errorf("the brief does not say no assumptions are recorded")
	}
}
