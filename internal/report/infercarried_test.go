package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// carriedModel: a sql link stated unencrypted to a database that stores
// customer records; stated, the link says it carries them.
func carriedModel(stated bool) string {
	carries := ""
	if stated {
		carries = ", carries: [customers]"
	}
	return `ward: 1
system: {id: shop, name: Shop}
assets:
  - {id: customers, name: Customer records}
components:
  - {id: api, name: Orders API, kind: service}
  - {id: orders-db, name: Orders database, kind: datastore, stores: [customers]}
flows:
  - {id: api-db, from: api, to: orders-db, protocol: sql, encryption: none` + carries + `}
`
}

// TestInferredCarriesMarked: a flow that carries what its database stores
// by Ward's reading (model.InferCarried) is marked in the JSON flow, the
// inferred count, the threat's title, the Markdown and HTML reports and
// the Mermaid diagram; stated, nothing is marked and the same threat is raised.
func TestInferredCarriesMarked(t *testing.T) {
	for _, stated := range []bool{false, true} {
		_, r := analyseYAML(t, "m.yaml", carriedModel(stated))
		if got := slices.Contains(r.Flows[0].Inferred, "carries"); got == stated {
			t.Errorf("stated %t: flow inferred %v", stated, r.Flows[0].Inferred)
		}
		n := 0
		if r.Summary.Inferred != nil {
			n = r.Summary.Inferred.FlowCarries
		}
		if (n == 1) == stated {
			t.Errorf("stated %t: flow_carries %d", stated, n)
		}
		var title string
		for _, f := range r.Findings {
			if f.ID == "sensitive-data-in-cleartext:api-db" {
				title = f.Title
			}
		}
		if title == "" {
			t.Fatalf("stated %t: sensitive-data-in-cleartext:api-db not raised", stated)
		}
		const mark = "(inferred: what `api-db` carries is read from what `orders-db` stores)"
		if strings.HasSuffix(title, mark) == stated {
			t.Errorf("stated %t: title %q", stated, title)
		}
		var html, md, diagram bytes.Buffer
		for _, x := range []struct {
			format string
			buf    *bytes.Buffer
		}{{"html", &html}, {"markdown", &md}} {
			if err := Render(x.buf, x.format, r, Options{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := Mermaid(&diagram, r, DiagramOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ out, want string }{
			{html.String(), `<br>carries customers <span class="muted" title="not stated in the model: read from the store it reaches`},
			{md.String(), "| api → orders-db | `api-db` | carries `customers` (inferred) |"},
			{md.String(), InferredCarriesNote},
			{diagram.String(), "Customer records (inferred)"},
		} {
			if got := strings.Contains(c.out, c.want); got == stated {
				t.Errorf("stated %t: %q shown %t, want %t", stated, c.want, got, !stated)
			}
		}
	}
}

// TestCarriesQuestionShown: the question of what a flow carries is shown
// with the flow's carries as its answer path in text, Markdown and JSON,
// and its tracker issue says what answers it.
func TestCarriesQuestionShown(t *testing.T) {
	_, r := analyseYAML(t, "m.yaml", `ward: 1
system: {id: shop, name: Shop}
assets:
  - {id: customers, name: Customer records}
boundaries:
  - {id: office, trust: partner}
  - {id: cloud, trust: restricted}
components:
  - {id: api, name: Orders API, kind: service, boundary: office}
  - {id: orders-db, name: Orders database, kind: datastore, boundary: cloud, stores: [customers]}
flows:
  - {id: api-db, from: api, to: orders-db, protocol: sql}
`)
	var q *Question
	for i := range r.Questions {
		if r.Questions[i].Key == CarriesKey {
			q = &r.Questions[i]
		}
	}
	if q == nil {
		t.Fatal("no carries question")
	}
	if got := answerPath(*q); got != "flows[api-db].carries" {
		t.Errorf("answer path %q", got)
	}
	if strings.Contains(q.Text, "(inferred:") || !strings.Contains(q.Text, "What does flow `api-db`") {
		t.Errorf("text %q", q.Text)
	}
	if !strings.Contains(answerValues(q), "carries") || !strings.Contains(questionUnknown(q), "carries") {
		t.Errorf("tracker: %q, %q", answerValues(q), questionUnknown(q))
	}
	for _, format := range []string{"text", "markdown", "json"} {
		var b bytes.Buffer
		if err := Render(&b, format, r, Options{}); err != nil {
			t.Fatal(err)
		}
		if want := "flows[api-db].carries"; format != "json" && !strings.Contains(b.String(), want) {
			t.Errorf("%s: %q not shown", format, want)
		}
		if format == "json" && !strings.Contains(b.String(), `"key": "carries"`) {
			t.Errorf("json: no carries key")
		}
	}
}
