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
