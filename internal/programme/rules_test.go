package programme

import (
	"errors"
	"slices"
	"testing"
)

// TestSettingsProblemsNameTheirFields: every problem of the rules and of
// the cost model names its field, for pages to show it next to it.
func TestSettingsProblemsNameTheirFields(t *testing.T) {
	fields := func(err error) []string {
		var inv Invalid
		if !errors.As(err, &inv) {
			t.Fatalf("%v is not an Invalid", err)
		}
		var out []string
		for _, e := range inv {
			out = append(out, e.Field)
		}
		return out
	}
	_, err := ParseRules([]byte(`{"sample_share": 2, "review_models": 0}`))
	if got := fields(err); !slices.Equal(got, []string{"review_models", "sample_share"}) {
		t.Errorf("rule fields %v", got)
	}
	if err.Error() != "review_models must be between 1 and 100 (is 0); sample_share must be a share between 0 and 1 (is 2)" {
		t.Errorf("message %q", err)
	}
	_, err = ParseCostModel([]byte(`{"currency": "EURO", "engineer_rate": {"low": 3, "central": 2, "high": 4, "currency": "US", "source": " "},
		"bounty": {"high": {"low": 1, "central": 2, "high": 3, "currency": "USD"}}}`))
	want := []string{"currency", "engineer_rate", "engineer_rate.currency", "engineer_rate.source", "bounty.high.source"}
	if got := fields(err); !slices.Equal(got, want) {
		t.Errorf("cost fields %v, want %v", got, want)
	}
}
