package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// needsModel states no asset's sensitivity: two services writing one store
// ask what its readings need.
const needsModel = `ward: 1
system: {id: meters, name: Meters}
assets:
  - {id: readings, name: Meter readings}
components:
  - {id: ingest, kind: service}
  - {id: admin, kind: service}
  - {id: db, kind: datastore, stores: [readings]}
flows:
  - {from: ingest, to: db}
  - {from: admin, to: db}
`

// TestNeedsQuestionShown: the question of what an asset needs is shown
// wherever questions are, with where it is answered (the asset's needs or
// classification, not a control), and the brief says the asset's need is
// asked.
func TestNeedsQuestionShown(t *testing.T) {
	a, r := analyseYAML(t, "m.yaml", needsModel)
	q := questionsByID(r.Questions)["readings.needs"]
	if q == nil {
		t.Fatalf("no question readings.needs in %v", r.Questions)
	}
	if q.Key != NeedsKey || q.Element.Kind != "asset" || q.Element.ID != "readings" || q.Moves == 0 || len(q.Threats) == 0 {
		t.Errorf("readings.needs = key %q element %+v moves %d threats %v", q.Key, q.Element, q.Moves, q.Threats)
	}
	path := "assets[readings].confidentiality, integrity, availability or classification"
	if got := answerPath(*q); got != path {
		t.Errorf("answer path %q, want %q", got, path)
	}
	render := map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return Text(b, r, TextOptions{}) },
		"markdown": func(b *bytes.Buffer) error { return Markdown(b, r) },
		"html":     func(b *bytes.Buffer) error { return HTML(context.Background(), b, r) },
		"json":     func(b *bytes.Buffer) error { return JSON(b, r) },
		"github":   func(b *bytes.Buffer) error { return GitHubIssues(b, r, TrackerOptions{}) },
	}
	for name, fn := range render {
		var b bytes.Buffer
		if err := fn(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(b.String(), "readings.needs") || !strings.Contains(b.String(), "What does asset") {
			t.Errorf("%s does not show the question readings.needs", name)
		}
		if name == "github" && !strings.Contains(b.String(), "low, medium, high or critical; or public, internal, confidential or restricted") {
			t.Errorf("github issue does not say how the need is answered")
		}
	}
	var b bytes.Buffer
	if err := Brief(&b, a, r, BriefOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "what it needs is unstated, asked in `readings.needs`") {
		t.Errorf("brief does not say readings' need is asked:\n%s", b.String())
	}
}
