package diff_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/diff"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

var update = flag.Bool("update", false, "rewrite golden files")

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func side(t *testing.T, label string, src string) diff.Side {
	t.Helper()
	if src == "" {
		return diff.Side{Label: label}
	}
	m, _, err := spec.Parse(label+".yaml", []byte(src))
	if err != nil {
		t.Fatalf("parse %s: %v", label, err)
	}
	return analyse(t, label, m)
}

func analyse(t *testing.T, label string, m *model.Model) diff.Side {
	t.Helper()
	an, err := analysis.Run(t.Context(), m, rules.All(), analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return diff.Side{Label: label, Result: report.Build(an, report.Tool{Name: "ward"}), Model: m}
}

// brief is a diff reduced to one line per change, for readable tests.
type brief struct {
	Verdict     string
	Worse       int
	Findings    []string
	Elements    []string
	Crossings   []string
	Exposures   []string
	Decisions   []string
	Mitigations []string
	Assumptions []string
	Questions   []string
}

func summarise(d *diff.Diff) brief {
	b := brief{Verdict: d.Summary.Verdict, Worse: d.Summary.Worse}
	for _, f := range d.Findings {
		b.Findings = append(b.Findings, fmt.Sprintf("%s %s %s", f.Change, f.ID, f.Severity()))
	}
	for _, e := range d.Elements {
		var fs []string
		for _, f := range e.Fields {
			fs = append(fs, f.Field+"="+f.Old+">"+f.New)
		}
		b.Elements = append(b.Elements, fmt.Sprintf("%s %s %s [%s]", e.Change, e.Kind, e.ID, strings.Join(fs, " ")))
	}
	for _, c := range d.Crossings {
		b.Crossings = append(b.Crossings, fmt.Sprintf("%s %s>%s new=%t", c.Flow, c.FromTrust, c.ToTrust, c.NewFlow))
	}
	for _, e := range d.Exposures {
		b.Exposures = append(b.Exposures, fmt.Sprintf("%s %s %s crosses=%t third=%t", e.Asset, e.How, e.Element, e.CrossesBoundary, e.ThirdParty))
	}
	for _, c := range d.Decisions {
		b.Decisions = append(b.Decisions, c.Change+" "+c.Finding)
	}
	for _, c := range d.Mitigations {
		b.Mitigations = append(b.Mitigations, fmt.Sprintf("%s %s %s>%s", c.Change, c.ID, c.Old, c.New))
	}
	for _, c := range d.Assumptions {
		b.Assumptions = append(b.Assumptions, fmt.Sprintf("%s %s %s>%s", c.Change, c.ID, c.Old, c.New))
	}
	for _, q := range d.Questions {
		b.Questions = append(b.Questions, q.Change+" "+q.ID)
	}
	return b
}

const base = `ward: 1
system: {id: s, name: S}
assets:
  - {id: orders, classification: restricted, data: [pii]}
  - {id: logs, classification: internal}
boundaries:
  - {id: internet, trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: user, kind: person, boundary: internet}
  - id: api
    kind: service
    boundary: dc
    processes: [orders]
    controls: {authenticates: yes, authorizes: yes, validates_input: yes, rate_limits: yes}
  - {id: db, kind: datastore, boundary: dc, stores: [orders], controls: {encrypts_at_rest: yes, backups: yes}}
flows:
  - {id: u-api, from: user, to: api, protocol: https, encryption: tls, carries: [orders]}
`

func TestCompare(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     brief
	}{
		{
			name: "unchanged",
			old:  base,
			new:  base,
			want: brief{Verdict: "same"},
		},
		{
			name: "control turned off",
			old:  base,
			new:  strings.Replace(base, "authenticates: yes", "authenticates: no", 1),
			want: brief{Verdict: "more", Worse: 1,
				Findings: []string{"appeared unauthenticated-entry-point:api critical"},
				Elements: []string{"changed component api [controls.authenticates=yes>no]"}},
		},
		{
			name: "new third party gets sensitive data across a boundary",
			old:  base,
			new: strings.Replace(base, "flows:\n", `  - {id: crm, kind: external, third_party: true}
flows:
  - {id: api-crm, from: api, to: crm, protocol: https, authentication: api_key, encryption: tls, carries: [orders, logs]}
`, 1),
			want: brief{
				Elements: []string{
					"added component crm [kind=>external third_party=>true]",
					"added flow api-crm [from=>api to=>crm protocol=>https authentication=>api_key encryption=>tls carries=>orders, logs crosses_boundary=>true]"},
				Crossings: []string{"api-crm internal>internet new=true"},
				Exposures: []string{"orders carried api-crm crosses=true third=true"},
			},
		},
		{
			name: "accepted",
			old:  strings.Replace(base, "authenticates: yes", "authenticates: no", 1),
			new: strings.Replace(base, "authenticates: yes", "authenticates: no", 1) + `decisions:
  - finding: unauthenticated-entry-point:api
    status: accepted
    owner: alice
    reason: public by design
    expires: 2027-01-31
`,
			want: brief{Verdict: "less",
				Findings:  []string{"closed unauthenticated-entry-point:api critical"},
				Decisions: []string{"added unauthenticated-entry-point:api"}},
		},
		{
			name: "finding gone, decision still in the file: orphaned, not removed",
			old: strings.Replace(base, "authenticates: yes", "authenticates: no", 1) + `decisions:
  - {finding: "unauthenticated-entry-point:api", status: accepted, owner: alice, reason: public, expires: 2027-01-31}
`,
			new: base + `decisions:
  - {finding: "unauthenticated-entry-point:api", status: accepted, owner: alice, reason: public, expires: 2027-01-31}
`,
			want: brief{Verdict: "same",
				Findings:  []string{"disappeared unauthenticated-entry-point:api critical"},
				Elements:  []string{"changed component api [controls.authenticates=no>yes]"},
				Decisions: []string{"orphaned unauthenticated-entry-point:api"}},
		},
		{
			name: "acceptance expired on the new side re-opens",
			old: strings.Replace(base, "authenticates: yes", "authenticates: no", 1) + `decisions:
  - {finding: "unauthenticated-entry-point:api", status: accepted, owner: alice, reason: public, expires: 2027-01-31}
`,
			new: strings.Replace(base, "authenticates: yes", "authenticates: no", 1) + `decisions:
  - {finding: "unauthenticated-entry-point:api", status: accepted, owner: alice, reason: public, expires: 2026-01-31}
`,
			want: brief{Verdict: "more", Worse: 1,
				Findings:  []string{"reopened unauthenticated-entry-point:api critical"},
				Decisions: []string{"changed unauthenticated-entry-point:api"}},
		},
		{
			name: "model removed",
			old:  strings.Replace(base, "authenticates: yes", "authenticates: no", 1),
			new:  "",
			want: brief{Verdict: "less",
				// The open threat and the unverified ones disappear with the model.
				Findings: []string{"disappeared unauthenticated-entry-point:api critical",
					"disappeared cross-site-scripting:api high",
					"disappeared sensitive-data-in-logs:api high", "disappeared unencrypted-backups:db high",
					"disappeared bearer-token-replay:u-api medium",
					"disappeared no-request-limits:api medium", "disappeared no-security-event-logging:api medium",
					"disappeared overprivileged-entry-point:api medium"},
				Elements: []string{"removed boundary internet []", "removed boundary dc []", "removed asset orders []", "removed asset logs []",
					"removed component user []", "removed component api []", "removed component db []", "removed flow u-api []"}},
		},
		{
			name: "mitigation and assumption",
			old: base + `threats:
  - {id: t1, title: Scraping, targets: [api], stride: [information_disclosure], mitigations: [m1]}
mitigations:
  - {id: m1, title: Quotas, status: planned}
assumptions:
  - {id: a1, text: The API is only reachable through the gateway, status: unvalidated, supports: [t1]}
`,
			new: base + `threats:
  - {id: t1, title: Scraping, targets: [api], stride: [information_disclosure], mitigations: [m1]}
mitigations:
  - {id: m1, title: Quotas, status: implemented}
assumptions:
  - {id: a1, text: The API is only reachable through the gateway, status: invalidated, supports: [t1]}
`,
			want: brief{Verdict: "same",
				Mitigations: []string{"changed m1 planned>implemented"},
				Assumptions: []string{"invalidated a1 unvalidated>invalidated"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diff.Compare(side(t, "old", tt.old), side(t, "new", tt.new))
			got := summarise(d)
			// Findings not under test are summarised by the verdict only.
			if tt.want.Findings == nil {
				got.Findings, got.Worse, got.Verdict = nil, tt.want.Worse, tt.want.Verdict
			}
			if tt.want.Questions == nil {
				got.Questions = nil
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compare (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWorsened(t *testing.T) {
	d := diff.Compare(side(t, "old", base), side(t, "new", strings.Replace(base, "authenticates: yes", "authenticates: no", 1)))
	for _, tc := range []struct {
		threshold model.Severity
		want      int
	}{{model.SevNone, 0}, {model.SevCritical, 1}, {model.SevLow, 1}} {
		if got := len(d.Worsened(tc.threshold)); got != tc.want {
			t.Errorf("Worsened(%s) = %d findings, want %d", tc.threshold, got, tc.want)
		}
	}
}

// TestGolden renders the diff of the shop example and a modified copy in
// every format.
func TestGolden(t *testing.T) {
	load := func(dir string) diff.Side {
		l, err := spec.Load(t.Context(), filepath.Join("testdata", dir, "ward.yaml"))
		if err != nil {
			t.Fatalf("load %s: %v", dir, err)
		}
		return analyse(t, dir, l.Model)
	}
	d := diff.Compare(load("shop-old"), load("shop-new"))
	for _, format := range diff.Formats() {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := diff.Render(&buf, format, d); err != nil {
				t.Fatal(err)
			}
			ext := map[string]string{"text": "txt", "markdown": "md", "json": "json"}[format]
			golden := filepath.Join("testdata", "shop."+ext)
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s output (-want +got):\n%s", format, diff)
			}
		})
	}
}

// TestOrphanedDecisionText: the words say the decision is still there and
// what to do.
func TestOrphanedDecisionText(t *testing.T) {
	dec := `decisions:
  - {finding: "unauthenticated-entry-point:api", status: accepted, owner: alice, reason: public, expires: 2027-01-31}
`
	d := diff.Compare(side(t, "old", strings.Replace(base, "authenticates: yes", "authenticates: no", 1)+dec), side(t, "new", base+dec))
	var b strings.Builder
	if err := diff.Text(&b, d); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "orphaned decision (accepted by alice until 2027-01-31) — the finding is gone, the decision is still in the model at new.yaml:") ||
		!strings.Contains(out, "remove it") || strings.Contains(out, "removed (was") {
		t.Errorf("text:\n%s", out)
	}
}

// TestCompareMergedHops: when a stated gap on one of two hops into a store
// becomes unknown, the two per-flow threats merge into one (RULE:RECEIVER);
// the diff shows the hop that was open as closed under the merged id, and
// no per-flow threat as gone nor the merged one as appeared. Back again, the
// merged threat splits and the hop shows as reopened.
func TestCompareMergedHops(t *testing.T) {
	const hops = `ward: 1
system: {id: s, name: S}
assets:
  - {id: orders, classification: restricted, data: [pii]}
boundaries:
  - {id: dc, trust: internal}
  - {id: app, trust: internal}
components:
  - {id: api, kind: service, boundary: app, processes: [orders]}
  - {id: jobs, kind: service, boundary: app, processes: [orders]}
  - {id: db, kind: datastore, boundary: dc, stores: [orders]}
flows:
  - {id: api-db, from: api, to: db, protocol: iso8583, carries: [orders], encryption: none}
  - {id: jobs-db, from: jobs, to: db, protocol: iso8583, carries: [orders]}
`
	open, unknown := side(t, "old", hops), side(t, "new", strings.Replace(hops, ", encryption: none", "", 1))
	merged := ""
	for _, f := range unknown.Result.Findings {
		if len(f.Aliases) > 1 && strings.HasSuffix(f.ID, ":db") {
			merged = f.ID
		}
	}
	if merged == "" {
		t.Fatal("no threat merged from the two hops into db")
	}
	rule, _, _ := strings.Cut(merged, ":")
	check := func(d *diff.Diff, want string) {
		t.Helper()
		found := false
		for _, f := range d.Findings {
			if f.Rule != rule {
				continue
			}
			if f.Change == diff.Appeared || f.Change == diff.Disappeared {
				t.Errorf("%s %s: the hops' threat should continue, not %s", f.ID, f.Severity(), f.Change)
			}
			if f.Change == want {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s change for %s in %v", want, rule, summarise(d).Findings)
		}
	}
	check(diff.Compare(open, unknown), diff.Closed)
	check(diff.Compare(unknown, open), diff.Reopened)
}

// TestWithheldDecision: a hop joining a merged threat after its acceptance
// was taken withholds the decision (analysis/covers.go); the diff says so
// and where the decision is, instead of calling it removed.
func TestWithheldDecision(t *testing.T) {
	dec := synth.HopsAccepted("dana", "a", "b")
	two := synth.Hops("s", "S", []string{"a", "b"}, dec)
	three := synth.Hops("s", "S", []string{"a", "b", "c"}, dec)
	d := diff.Compare(side(t, "old", two), side(t, "new", three))
	var got *diff.DecisionChange
	for i, c := range d.Decisions {
		if c.Finding == "sensitive-data-in-cleartext:db" {
			got = &d.Decisions[i]
		}
	}
	if got == nil || got.Change != diff.Withheld || got.Location == nil || got.Location.Line == 0 ||
		!strings.Contains(got.Why, "sensitive-data-in-cleartext:c-db") {
		t.Fatalf("decision change = %+v, want withheld with location and the hop that joined", got)
	}
	var b strings.Builder
	if err := diff.Text(&b, d); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "sensitive-data-in-cleartext:db: withheld decision (accepted by dana until 2027-01-31) — hop `sensitive-data-in-cleartext:c-db` joined") ||
		!strings.Contains(out, "the decision is at new.yaml:") || !strings.Contains(out, "take it again") ||
		strings.Contains(out, "removed (was") {
		t.Errorf("text:\n%s", out)
	}
}

// TestCompareFolded: a threat the listing steps folded into another (it
// restated that threat on its line; report.Finding.Folded) on one side
// and listed on its own on the other continues: it neither appeared nor
// disappeared, and a decision that splits it out is a change of status.
func TestCompareFolded(t *testing.T) {
	load := func(dir string, edit func(string) string) diff.Side {
		t.Helper()
		tmp := t.TempDir()
		for _, name := range []string{"ward.yaml", "threats.yaml"} {
			b, err := os.ReadFile(filepath.Join("testdata", dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if name == "threats.yaml" && edit != nil {
				b = []byte(edit(string(b)))
			}
			if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		l, err := spec.Load(t.Context(), filepath.Join(tmp, "ward.yaml"))
		if err != nil {
			t.Fatalf("load %s: %v", dir, err)
		}
		return analyse(t, dir, l.Model)
	}
	// shop-old as an engine before OneLine (rule.Rule.OneLine) listed it:
	// privileged-store-access's readings on the customer store each their
	// own threat, folded in shop-new into the store's broad-access threats.
	at := now
	var before []*rule.Rule
	for _, r := range rules.All() {
		c := *r
		c.OneLine = false
		before = append(before, &c)
	}
	old, now := load("shop-old", nil), load("shop-new", nil)
	an, err := analysis.Run(t.Context(), old.Model, before, analysis.Options{Now: at})
	if err != nil {
		t.Fatal(err)
	}
	old.Result = report.Build(an, report.Tool{Name: "ward"})
	// A threat listed on its own in shop-old and folded in shop-new.
	var id, into string
	alone := map[string]bool{}
	for _, f := range old.Result.Findings {
		alone[f.ID] = true
	}
	for _, f := range now.Result.Findings {
		for _, x := range f.Folded {
			// (Another rule's threat, as the pair was written for: not a
			// OneLine rule's reading folded into its own threat.)
			if alone[x] && id == "" && !strings.HasPrefix(x, f.Rule+":") {
				id, into = x, f.ID
			}
		}
	}
	if id == "" {
		t.Fatal("no threat alone in shop-old is folded in shop-new")
	}
	none := func(d *diff.Diff) {
		t.Helper()
		for _, f := range d.Findings {
			if f.ID == id {
				t.Errorf("%s (folded into %s on one side): %s, want no change", id, into, f.Change)
			}
		}
	}
	none(diff.Compare(old, now))
	none(diff.Compare(now, old))
	// Accepting it splits it out of the threat it was folded into.
	accepted := load("shop-new", func(s string) string {
		return strings.Replace(s, "decisions:\n", "decisions:\n  - {finding: "+id+", status: accepted, owner: sam, expires: 2027-01-01, reason: test}\n", 1)
	})
	split := diff.Compare(now, accepted)
	for _, format := range []string{"text", "markdown"} {
		var buf bytes.Buffer
		if err := diff.Render(&buf, format, split); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "(folded into `"+into+"` on one side)") {
			t.Errorf("%s: no fold note for %s:\n%s", format, id, buf.String())
		}
	}
	found := false
	for _, f := range split.Findings {
		if f.ID != id {
			continue
		}
		found = true
		if f.Change != diff.Closed || f.Fold != into || f.Worse || !f.Better {
			t.Errorf("%s split out by a decision: %s fold %q worse %t better %t, want closed, fold %s, better", id, f.Change, f.Fold, f.Worse, f.Better, into)
		}
	}
	if !found {
		t.Errorf("%s split out by a decision: no change listed, want closed", id)
	}
}

// recsModel is a model of an API writing asset recs to db over TLS, with
// the asset's and the store's lines given.
func recsModel(asset, db string) string {
	return `ward: 1
system: {id: s, name: S}
assets:
  - ` + asset + `
components:
  - {id: api, kind: service, processes: [recs]}
  - ` + db + `
flows:
  - {id: api-db, from: api, to: db, protocol: https, encryption: tls, carries: [recs]}
`
}

// TestCompareInferred: a kind or data the loader read from an element's
// words is compared as the analysis used it, but marked as inferred, so a
// rename that changes the guess does not read as an edit of the kind, and
// a model that comes to state what was guessed is no change.
func TestCompareInferred(t *testing.T) {
	guessed := side(t, "old", recsModel("{id: recs, name: Patient records}", "{id: db, kind: service, name: Orders database, stores: [recs]}"))
	renamed := side(t, "new", recsModel("{id: recs, name: Records}", "{id: db, kind: service, name: Orders service, stores: [recs]}"))
	stated := side(t, "new", recsModel("{id: recs, name: Patient records, data: [phi]}", "{id: db, kind: datastore, name: Orders database, stores: [recs]}"))

	d := diff.Compare(guessed, renamed)
	var buf bytes.Buffer
	if err := diff.Render(&buf, "text", d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind datastore (inferred) → service", "data -phi (inferred)"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("renamed: no %q in\n%s", want, buf.String())
		}
	}
	for _, e := range d.Elements {
		for _, f := range e.Fields {
			if f.Field == "kind" && e.Kind == "component" && (!f.OldInferred || f.NewInferred) {
				t.Errorf("component kind %s → %s: old_inferred %t new_inferred %t, want true false", f.Old, f.New, f.OldInferred, f.NewInferred)
			}
		}
	}
	for _, e := range diff.Compare(guessed, stated).Elements {
		for _, f := range e.Fields {
			switch f.Field {
			case "kind", "data", "confidentiality", "integrity", "availability":
				t.Errorf("stating what was guessed: %s %s %s %s → %s, want no change", e.Kind, e.ID, f.Field, f.Old, f.New)
			}
		}
	}
}

// TestCompareInferredAdmin: a rename that drops an inferred admin flag (a
// support console becomes a support portal) shows the old flag marked
// inferred; stating the flag shows no change.
func TestCompareInferredAdmin(t *testing.T) {
	model := func(console string) string {
		return `ward: 1
system: {id: s, name: S}
boundaries:
  - {id: corp, trust: internal}
components:
  - {id: staff, name: Support staff, kind: person, boundary: corp}
  - ` + console + `
flows:
  - {id: staff-console, from: staff, to: console, protocol: https, encryption: tls}
`
	}
	guessed := side(t, "old", model("{id: console, name: Support console, kind: service, boundary: corp}"))
	renamed := side(t, "new", model("{id: console, name: Support portal, kind: service, boundary: corp}"))
	stated := side(t, "new", model("{id: console, name: Support console, kind: service, boundary: corp, admin: true}"))
	d := diff.Compare(guessed, renamed)
	var buf bytes.Buffer
	if err := diff.Render(&buf, "text", d); err != nil {
		t.Fatal(err)
	}
	if want := "admin true (inferred) → false"; !strings.Contains(buf.String(), want) {
		t.Errorf("renamed: no %q in\n%s", want, buf.String())
	}
	for _, e := range diff.Compare(guessed, stated).Elements {
		for _, f := range e.Fields {
			if f.Field == "admin" {
				t.Errorf("stating the guessed flag: admin %s → %s, want no change", f.Old, f.New)
			}
		}
	}
}

// TestCompareFoldedOwnStatus: a threat folded into another keeps its own
// status in the result (folded_status), and the diff reads a change from
// it. An unverified flow threat folded into its receiver's open threat is
// no change when it comes to stand alone still unverified, or when its
// receiver's threat opens around it; it is re-opened when it stands alone
// open. Before the status was kept, the first read as re-opened (it took
// the open threat's status) and the last as no change.
func TestCompareFoldedOwnStatus(t *testing.T) {
	model := func(flowAuth, decisions string) string {
		return `ward: 1
system: {id: s, name: S}
boundaries:
  - {id: partner, trust: partner}
  - {id: corp, trust: internal}
components:
  - {id: feed, name: Partner feed, kind: service, boundary: partner, third_party: true}
  - {id: api, name: Orders API, kind: service, boundary: corp, controls: {authenticates: no}}
flows:
  - {id: feed-api, from: feed, to: api, protocol: https, encryption: tls` + flowAuth + `}
` + decisions
	}
	const x, into = "unauthenticated-inbound-flow:feed-api", "unauthenticated-entry-point:api"
	folded := side(t, "folded", model("", ""))
	accepted := side(t, "accepted", model("", "decisions:\n  - {finding: \""+into+"\", status: accepted, owner: sam, expires: 2027-01-01, reason: test}\n"))
	stated := side(t, "stated", model(", authentication: none", ""))
	var found bool
	for _, f := range folded.Result.Findings {
		if f.ID == into {
			found = slices.Contains(f.Folded, x) && f.Status == "open" && f.FoldedStatus[x] == "unverified"
		}
	}
	if !found {
		t.Fatalf("%s is not folded into the open %s with folded_status unverified", x, into)
	}
	get := func(d *diff.Diff) *diff.FindingChange {
		for i := range d.Findings {
			if d.Findings[i].ID == x {
				return &d.Findings[i]
			}
		}
		return nil
	}
	// Alone and unverified (its receiver's threat accepted) on one side,
	// folded into the open one on the other: no change of its own.
	for _, d := range []*diff.Diff{diff.Compare(accepted, folded), diff.Compare(folded, accepted)} {
		if c := get(d); c != nil {
			t.Errorf("%s unverified on both sides, folded on one: %s %+v → %+v, want no change", x, c.Change, c.Old, c.New)
		}
	}
	// Alone and open (authentication: none stated) in the newer version.
	for _, tc := range []struct {
		d      *diff.Diff
		change string
		worse  bool
	}{
		{diff.Compare(folded, stated), diff.Reopened, true},
		{diff.Compare(stated, folded), diff.Closed, false},
	} {
		c := get(tc.d)
		if c == nil {
			t.Errorf("%s unverified in a fold, then open alone: no change listed, want %s", x, tc.change)
			continue
		}
		if c.Change != tc.change || c.Worse != tc.worse || c.Fold != into {
			t.Errorf("%s: %s worse %t fold %q, want %s worse %t fold %s", x, c.Change, c.Worse, c.Fold, tc.change, tc.worse, into)
		}
		side := c.Old
		if tc.change == diff.Closed {
			side = c.New
		}
		if side.Status != "open" || side.FoldedStatus != "unverified" || side.Own() != "unverified" {
			t.Errorf("%s folded side: status %s folded_status %q, want open, unverified", x, side.Status, side.FoldedStatus)
		}
	}
	var buf bytes.Buffer
	if err := diff.Render(&buf, "text", diff.Compare(folded, stated)); err != nil {
		t.Fatal(err)
	}
	if want := "unverified → open"; !strings.Contains(buf.String(), want) {
		t.Errorf("text: no %q in\n%s", want, buf.String())
	}
}

// TestCompareInferredHeldAndPaid: what a component stores or processes
// read from its flows (model.InferHeld) and a paid flag read from its name
// are marked inferred on the side they were guessed; stating them is no
// change.
func TestCompareInferredHeldAndPaid(t *testing.T) {
	model := func(sms, carries, held string) string {
		return `ward: 1
system: {id: s, name: S}
assets:
  - {id: recs, name: Records, data: [pii]}
  - {id: notes, name: Notes, data: [pii]}
components:
  - {id: auth, name: Login service, kind: service}
  - ` + sms + `
  - {id: api, name: Records API, kind: service` + held + `}
  - {id: db, name: Records database, kind: datastore}
flows:
  - {id: auth-sms, from: auth, to: sms, protocol: https, encryption: tls}
  - {id: api-db, from: api, to: db, protocol: tls, encryption: tls, carries: [` + carries + `]}
`
	}
	const gw = "{id: sms, name: SMS gateway, kind: external, third_party: true}"
	guessed := side(t, "old", model(gw, "recs", ""))
	more := side(t, "new", model("{id: sms, name: Mail provider, kind: external, third_party: true}", "recs, notes", ""))
	stated := side(t, "new", model("{id: sms, name: SMS gateway, kind: external, third_party: true, paid: true}", "recs", ", processes: [recs]"))
	d := diff.Compare(guessed, more)
	var buf bytes.Buffer
	if err := diff.Render(&buf, "text", d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"processes +notes (inferred)", "paid true (inferred) → false", "notes (pii) processed by api (inferred)",
		"notes (pii) stored by db (inferred)"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no %q in\n%s", want, buf.String())
		}
	}
	for _, e := range d.Elements {
		for _, f := range e.Fields {
			if f.Field == "stores" && (!f.OldInferred || !f.NewInferred) {
				t.Errorf("db stores %s → %s: old_inferred %t new_inferred %t, want both", f.Old, f.New, f.OldInferred, f.NewInferred)
			}
		}
	}
	// Stating the processes elsewhere (api) turns InferHeld off for the
	// whole model: db then stores nothing, which is a change; api's and
	// sms's stated facts are not.
	for _, e := range diff.Compare(guessed, stated).Elements {
		for _, f := range e.Fields {
			if e.ID == "api" && f.Field == "processes" || f.Field == "paid" {
				t.Errorf("stating what was guessed: %s %s %s → %s, want no change", e.ID, f.Field, f.Old, f.New)
			}
		}
	}
}

// TestCompareFoldedBothSides: a threat folded into an open one on both
// sides is listed when its own status (folded_status) changed: folded as
// unverified, then open, it is re-opened as the threat it restates; the
// same status on both sides is no change.
func TestCompareFoldedBothSides(t *testing.T) {
	const x, y = "rule-x:api:tampering", "rule-y:api"
	result := func(st map[string]string) *report.Result {
		return &report.Result{Findings: []report.Finding{{ID: y, Title: "API trusts what it is sent", Rule: "rule-y", Severity: "high",
			Status: "open", Targets: []report.Target{{Kind: "component", ID: "api"}}, Folded: []string{x}, FoldedStatus: st}}}
	}
	unverified, open := result(map[string]string{x: "unverified"}), result(nil)
	cmp := func(o, n *report.Result) *diff.Diff {
		return diff.Compare(diff.Side{Label: "old", Result: o}, diff.Side{Label: "new", Result: n})
	}
	for _, tc := range []struct {
		o, n   *report.Result
		change string
	}{
		{unverified, open, diff.Reopened},
		{open, unverified, diff.Closed},
		{unverified, unverified, ""},
		{open, open, ""},
	} {
		d := cmp(tc.o, tc.n)
		var got []string
		for _, f := range d.Findings {
			got = append(got, f.ID+" "+f.Change+" fold "+f.Fold+" "+f.Old.Own()+"→"+f.New.Own())
		}
		want := []string(nil)
		if tc.change != "" {
			from, to := "unverified", "open"
			if tc.change == diff.Closed {
				from, to = to, from
			}
			want = []string{x + " " + tc.change + " fold " + y + " " + from + "→" + to}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%v → %v: %q, want %q", tc.o.Findings[0].FoldedStatus, tc.n.Findings[0].FoldedStatus, got, want)
		}
	}
}

// TestCompareInferredClass: an asset taken as confidential for want of a
// stated sensitivity is marked inferred where the diff shows it: its
// classification and needs when a rename changes the guess, and its
// sensitivity when it is newly stored; stating the classification shows
// no change.
func TestCompareInferredClass(t *testing.T) {
	guessed := side(t, "old", recsModel("{id: recs, name: Meter readings}", "{id: db, kind: datastore}"))
	stored := side(t, "new", recsModel("{id: recs, name: Meter readings}", "{id: db, kind: datastore, stores: [recs]}"))
	public := side(t, "new", recsModel("{id: recs, name: Published readings}", "{id: db, kind: datastore}"))
	stated := side(t, "new", recsModel("{id: recs, name: Meter readings, classification: confidential}", "{id: db, kind: datastore}"))

	var buf bytes.Buffer
	d := diff.Compare(guessed, stored)
	if err := diff.Render(&buf, "text", d); err != nil {
		t.Fatal(err)
	}
	if want := "recs (confidential (inferred)) stored by db"; !strings.Contains(buf.String(), want) {
		t.Errorf("stored: no %q in\n%s", want, buf.String())
	}
	if len(d.Exposures) != 1 || !d.Exposures[0].SensitivityInferred {
		t.Errorf("stored: exposures %+v, want one with sensitivity_inferred", d.Exposures)
	}
	buf.Reset()
	if err := diff.Render(&buf, "text", diff.Compare(guessed, public)); err != nil {
		t.Fatal(err)
	}
	if want := "classification confidential (inferred) → —"; !strings.Contains(buf.String(), want) {
		t.Errorf("renamed public: no %q in\n%s", want, buf.String())
	}
	// Stating the classification is no change of it; the confidentiality
	// need it implies rises (a guess implies medium), from a guess.
	for _, e := range diff.Compare(guessed, stated).Elements {
		for _, f := range e.Fields {
			switch {
			case e.Kind != "asset":
			case f.Field == "confidentiality":
				if f.Old != "medium" || f.New != "high" || !f.OldInferred || f.NewInferred {
					t.Errorf("stating confidential: confidentiality %s (inferred %t) → %s (inferred %t), want medium (inferred) → high",
						f.Old, f.OldInferred, f.New, f.NewInferred)
				}
			default:
				t.Errorf("stating what was guessed: %s %s %s → %s, want no change", e.ID, f.Field, f.Old, f.New)
			}
		}
	}
}
