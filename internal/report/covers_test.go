package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// TestDecisionCovers: a decision on a merged threat carries the hops it
// covers into the result, and text, Markdown, HTML and JSON show them.
func TestDecisionCovers(t *testing.T) {
	model := synth.Hops("s", "S", []string{"a", "b"}, synth.HopsAccepted("dana", "a", "b"))
	m, _, err := spec.Parse("ward.yaml", []byte(model))
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(t.Context(), m, rules.All(), analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	r := Build(a, Tool{Name: "ward", Version: "test"})
	want := []string{"sensitive-data-in-cleartext:a-db", "sensitive-data-in-cleartext:b-db"}
	var decided *Finding
	for i := range r.Findings {
		if r.Findings[i].ID == "sensitive-data-in-cleartext:db" {
			decided = &r.Findings[i]
		}
	}
	if decided == nil || decided.Decision == nil || !slices.Equal(decided.Decision.Covers, want) {
		t.Fatalf("decision on the merged threat: %+v", decided)
	}
	hops := "covers hops " + strings.Join(want, ", ")
	for _, f := range []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"text", func(b *bytes.Buffer) error { return Text(b, r, TextOptions{All: true}) }},
		{"markdown", func(b *bytes.Buffer) error { return Markdown(b, r) }},
		{"html", func(b *bytes.Buffer) error { return HTML(t.Context(), b, r) }},
	} {
		var b bytes.Buffer
		if err := f.render(&b); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if n := strings.Count(b.String(), hops); n != 1 {
			t.Errorf("%s shows %q %d times, want once", f.name, hops, n)
		}
	}
	var b bytes.Buffer
	if err := JSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range back.Findings {
		if f.Decision != nil && f.Decision.Covers != nil {
			n++
			if !slices.Equal(f.Decision.Covers, want) {
				t.Errorf("JSON covers: %v", f.Decision.Covers)
			}
		}
	}
	if n != 1 {
		t.Errorf("JSON: %d decisions with covers, want 1", n)
	}
}
