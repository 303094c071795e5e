package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/paths"
	"github.com/wardtm/ward/internal/spec"
)

// inferredFactsModel is a sparse model whose loader infers an admin flag
// (a support console only support staff use), a paid flag (an SMS
// gateway a sign-in service calls) and what a database stores and the
// services process (no component states processes); stated, it states
// them all.
func inferredFactsModel(stated bool) string {
	console, sms, db, api := "", "", "", ""
	if stated {
		console, sms, db, api = ", admin: true", ", paid: true", ", stores: [records]", ", processes: [records]"
	}
	return `ward: 1
system: {id: s, name: S}
boundaries:
  - {id: corp, trust: internal}
  - {id: dmz, trust: internal}
components:
  - {id: staff, name: Support staff, kind: person, boundary: corp}
  - {id: console, name: Support console, kind: service, boundary: corp` + console + `}
  - {id: auth, name: Login service, kind: service, boundary: dmz}
  - {id: sms, name: SMS gateway, kind: external, third_party: true` + sms + `}
  - {id: api, name: Records API, kind: service, boundary: dmz` + api + `}
  - {id: db, name: Records database, kind: datastore, boundary: dmz` + db + `}
assets:
  - {id: records, name: Patient records, classification: restricted, data: [phi], confidentiality: critical}
flows:
  - {id: staff-console, from: staff, to: console, protocol: https, encryption: tls}
  - {id: auth-sms, from: auth, to: sms, protocol: https, encryption: tls}
  - {id: api-db, from: api, to: db, protocol: tls, encryption: tls, carries: [records]}
`
}

func inferredFactsResult(t *testing.T, stated bool) (*analysis.Analysis, *Result) {
	t.Helper()
	return analyseYAML(t, "m.yaml", inferredFactsModel(stated))
}

// TestInferredFactsMarked: the HTML report's element rows, the Markdown
// report and the pen-test brief mark each inferred admin or paid flag and
// each asset a component stores or processes by InferHeld, and say
// nothing of them when the model states them.
func TestInferredFactsMarked(t *testing.T) {
	for _, stated := range []bool{false, true} {
		a, r := inferredFactsResult(t, stated)
		var html, md, brief bytes.Buffer
		if err := Render(&html, "html", r, Options{}); err != nil {
			t.Fatal(err)
		}
		if err := Render(&md, "markdown", r, Options{}); err != nil {
			t.Fatal(err)
		}
		if err := Brief(&brief, a, r, BriefOptions{}); err != nil {
			t.Fatal(err)
		}
		mark := func(from string) string {
			return ` <span class="muted" title="not stated in the model: read from ` + from + ` (ward help inference)">(inferred)</span>`
		}
		for _, c := range []struct{ out, want string }{
			{html.String(), "<br>admin" + mark("its name and the flows into it")},
			{html.String(), "<br>paid" + mark("its name and the flows into it")},
			{html.String(), "<br>stores records" + mark("its flows")},
			{html.String(), "<br>processes records" + mark("its flows")},
			{md.String(), "| Support console | `console` | admin (inferred) |"},
			{md.String(), "| SMS gateway | `sms` | paid (inferred) |"},
			{md.String(), "| Records database | `db` | stores `records` (inferred) |"},
			{md.String(), "| Records API | `api` | processes `records` (inferred) |"},
			{md.String(), InferredFactsNote},
			{brief.String(), "`api` (inferred), `db` (inferred)"},
		} {
			if got := strings.Contains(c.out, c.want); got == stated {
				t.Errorf("stated %t: %q shown %t, want %t", stated, c.want, got, !stated)
			}
		}
		if stated && !strings.Contains(brief.String(), "`api`, `db`") {
			t.Errorf("stated: the brief does not say where the records live:\n%s", brief.String())
		}
	}
}

// TestBlastInferredHeld: ward blast marks an asset reached through what a
// component processes or stores by Ward's reading of its flows.
func TestBlastInferredHeld(t *testing.T) {
	for _, stated := range []bool{false, true} {
		m, _, err := spec.Parse("m.yaml", []byte(inferredFactsModel(stated)))
		if err != nil {
			t.Fatal(err)
		}
		c, _ := m.Element("api")
		r := NewBlastReport(paths.Blast(m, c.Component))
		var buf bytes.Buffer
		if err := WriteBlast(&buf, "text", r); err != nil {
			t.Fatal(err)
		}
		want := "processed by api (inferred)"
		if got := strings.Contains(buf.String(), want); got == stated || len(r.Assets) == 0 || r.Assets[0].Inferred == stated {
			t.Errorf("stated %t: %q shown %t, inferred %v:\n%s", stated, want, got, r.Assets, buf.String())
		}
	}
}

// TestPathsInferredHeld: an attack path whose target holds the asset only
// by Ward's reading of its flows is marked: JSON inferred, "(inferred)"
// after the asset in text and Markdown.
func TestPathsInferredHeld(t *testing.T) {
	for _, stated := range []bool{false, true} {
		api := ""
		if stated {
			api = ", processes: [recs]"
		}
		m, _, err := spec.Parse("m.yaml", []byte(`ward: 1
system: {id: s, name: S}
boundaries:
  - {id: net, trust: internet}
  - {id: corp, trust: internal}
assets:
  - {id: recs, name: Patient records, data: [phi], confidentiality: critical}
components:
  - {id: user, name: Patient, kind: person, boundary: net}
  - {id: api, name: Records API, kind: service, boundary: corp`+api+`}
flows:
  - {id: u-api, from: user, to: api, protocol: https, encryption: tls, carries: [recs]}
`))
		if err != nil {
			t.Fatal(err)
		}
		r := NewPathsReport("s", paths.Find(m, paths.Options{}))
		if len(r.Paths) != 1 || r.Paths[0].Inferred == stated {
			t.Fatalf("stated %t: paths %+v, want one, inferred %t", stated, r.Paths, !stated)
		}
		for format, want := range map[string]string{"text": "⇒ recs (inferred)", "markdown": "`recs` (inferred)"} {
			var buf bytes.Buffer
			if err := WritePaths(&buf, format, r); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(buf.String(), want); got == stated {
				t.Errorf("stated %t, %s: %q shown %t:\n%s", stated, format, want, got, buf.String())
			}
		}
	}
}
