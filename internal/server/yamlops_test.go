package server

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
)

var update = flag.Bool("update", false, "rewrite golden files")

// exampleBundle reads an example's YAML files as a bundle.
func exampleBundle(t *testing.T, name string) Bundle {
	t.Helper()
	dir := filepath.Join("..", "..", "examples", name)
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := Bundle{Main: "ward.yaml", Files: map[string]string{}}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".yaml") {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			b.Files[e.Name()] = string(data)
		}
	}
	return b
}

// TestEditGolden: one server-side edit of an example is exactly the diff
// in testdata/edits — comments, blank lines, quoting, order and line width
// of every other line kept.
func TestEditGolden(t *testing.T) {
	long := "The partner endpoint is only reachable through the private link, and the partner signs every request; a compromise would need both the link and the key."
	tests := []struct {
		name    string
		example string
		edit    func(*Bundle) error
	}{
		{"shop-add-decision", "shop", func(b *Bundle) error {
			return applyDecision(b, decisionRequest{Finding: "admin-access-not-reviewed:back-office", Status: "accepted", Reason: long, Owner: "dana.okafor", Expires: "2027-02-01"})
		}},
		{"shop-change-decision", "shop", func(b *Bundle) error {
			return applyDecision(b, decisionRequest{Finding: "no-rate-limiting:web-frontend", Status: "mitigated", Mitigations: []string{"bot-detection-login"}})
		}},
		{"shop-mitigation-status", "shop", func(b *Bundle) error {
			return applyItemFields(b, "mitigations", "bot-detection-login", map[string]string{"status": "implemented", "owner": "sam", "due": "2027-03-01"})
		}},
		{"shop-assumption-validated", "shop", func(b *Bundle) error {
			return applyItemFields(b, "assumptions", "webhook-ip-allowlist", map[string]string{"status": "validated", "evidence": "WAF rule export, SHOP-1400: only the provider's ranges; #2 reviewed"})
		}},
		{"events-add-decision", "events", func(b *Bundle) error {
			return applyDecision(b, decisionRequest{Finding: "warehouse-pii-sprawl", Status: "false_positive", Reason: "no PII reaches the warehouse"})
		}},
		{"events-change-decision", "events", func(b *Bundle) error {
			return applyDecision(b, decisionRequest{Finding: "paid-api-no-spending-limit:shipping-partner", Status: "mitigated", Mitigations: []string{"partner-spend-alert"}})
		}},
		{"admin-agent-add-decision", "admin-agent", func(b *Bundle) error {
			return applyDecision(b, decisionRequest{Finding: "llm-prompt-injection:copilot-agent", Status: "transferred", Reason: "the model vendor's guardrails", Owner: "lea.moreau"})
		}},
		{"admin-agent-mitigation-status", "admin-agent", func(b *Bundle) error {
			return applyItemFields(b, "mitigations", "refund-cap-server-side", map[string]string{"status": "verified", "ticket": "OPS-12"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := exampleBundle(t, tt.example)
			before := map[string]string{}
			for k, v := range b.Files {
				before[k] = v
			}
			if err := tt.edit(&b); err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, name := range []string{"ward.yaml", "threats.yaml"} {
				if before[name] != b.Files[name] {
					got.Write(diff.Diff("a/"+name, []byte(before[name]), "b/"+name, []byte(b.Files[name])))
				}
			}
			golden := filepath.Join("testdata", "edits", tt.name+".diff")
			if *update {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("diff of the edit:\n%s\nwant:\n%s", got.String(), want)
			}
		})
	}
}
