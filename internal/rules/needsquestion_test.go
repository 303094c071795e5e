package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
)

// questionsOf maps each question's id to the ids of the threats it settles.
func questionsOf(qs []*model.Question) map[string][]string {
	out := map[string][]string{}
	for _, q := range qs {
		var ts []string
		for _, f := range q.Threats {
			ts = append(ts, f.ID)
		}
		slices.Sort(ts)
		out[q.ID] = ts
	}
	return out
}

// TestNeedsQuestion: a threat that stands on an asset's unstated need asks
// what the asset needs, once per asset whatever the threats and rules that
// ask it: sparse24d's shared-store threat (even where the store's audit gap
// is stated, so that it is not left with no question), and a rule that
// raises only for sensitive data when every asset at stake is sensitive
// only by the confidential default. The fixtures draw no boundaries, so
// the two stores' threats of a zone-wide rule are one naming both (noise26).
func TestNeedsQuestion(t *testing.T) {
	dir := filepath.Join("testdata", "shared-store-tampering")
	_, qs := run(t, filepath.Join(dir, "needs-unstated.yaml"), rules.All())
	got := questionsOf(qs)
	want := []string{"sensitive-store-unencrypted:db", "shared-store-tampering:db"}
	if !slices.Equal(got["readings.needs"], want) {
		t.Errorf("readings.needs settles %v, want %v", got["readings.needs"], want)
	}
	// "Session state" names credentials: sensitive by what it holds, its
	// store's threat does not ask what it needs.
	if _, ok := got["sessions.needs"]; ok {
		t.Errorf("sessions.needs asked; its data kind is read from its words")
	}
	n := 0
	for _, q := range qs {
		if q.Key == rule.NeedsKey {
			n++
			if q.Target.Asset == nil || q.Target.Kind() != "asset" {
				t.Errorf("%s: target %v, want an asset", q.ID, q.Target)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d needs questions, want 1 (one per asset)", n)
	}

	_, qs = run(t, filepath.Join("testdata", "needs-question", "mixed.yaml"), rules.All())
	got = questionsOf(qs)
	if want := []string{"sensitive-store-unencrypted:vault"}; !slices.Equal(got["drafts.needs"], want) {
		t.Errorf("mixed.yaml: drafts.needs settles %v, want %v", got["drafts.needs"], want)
	}
	if _, ok := got["ledger.needs"]; ok {
		t.Errorf("mixed.yaml: ledger.needs asked of a stated asset")
	}

	// A model that states one asset's sensitivity raises no shared-store
	// threat on the unstated one; its guessed confidentiality still asks.
	_, qs = run(t, filepath.Join(dir, "needs-stated.yaml"), rules.All())
	got = questionsOf(qs)
	if want := []string{"sensitive-store-unencrypted:db"}; !slices.Equal(got["readings.needs"], want) {
		t.Errorf("needs-stated.yaml: readings.needs settles %v, want %v", got["readings.needs"], want)
	}
	if _, ok := got["sessions.needs"]; ok {
		t.Errorf("needs-stated.yaml: sessions.needs asked of a stated asset")
	}
}

// TestNeedUnstated: an asset's need is unstated when it states none of
// classification, data, needs and value, whatever Ward read from its words.
func TestNeedUnstated(t *testing.T) {
	for _, c := range []struct {
		name string
		a    model.Asset
		want bool
	}{
		{"bare", model.Asset{ID: "a"}, true},
		{"inferred class", model.Asset{ID: "a", Classification: model.ClassConfidential, Inferred: model.InferredClass}, true},
		{"inferred data", model.Asset{ID: "a", Data: []model.DataKind{model.DataPII}, Inferred: model.InferredData}, true},
		{"stated class", model.Asset{ID: "a", Classification: model.ClassConfidential}, false},
		{"stated need", model.Asset{ID: "a", Integrity: model.High}, false},
		{"stated value", model.Asset{ID: "a", Value: model.Low}, false},
	} {
		if got := rule.NeedUnstated(&c.a); got != c.want {
			t.Errorf("%s: NeedUnstated = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestNeedsQuestionSparseReadings: the threats raised unverified because a
// model states no asset's sensitivity (sparse25: an internal call's
// authentication, a service's own credential presented outside) ask what
// the asset at stake needs, since stating it settles them.
func TestNeedsQuestionSparseReadings(t *testing.T) {
	for _, c := range []struct{ file, question, threat string }{
		{"unauthenticated-service-to-service", "scores.needs", "unauthenticated-service-to-service:report"},
		{"unauthenticated-service-to-service", "scores.needs", "unauthenticated-service-to-service:gap-call"},
		{"critical-credentials-overreach", "cluster-creds.needs", "critical-credentials-overreach:runner"},
	} {
		_, qs := run(t, filepath.Join("testdata", c.file, "needs-unstated.yaml"), rules.All())
		if got := questionsOf(qs)[c.question]; !slices.Contains(got, c.threat) {
			t.Errorf("%s: %s settles %v, want it to settle %s", c.file, c.question, got, c.threat)
		}
	}
}
