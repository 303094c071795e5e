package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// machineFormats are the formats for tools: SARIF, CSV and tracker exports.
var machineFormats = []struct {
	ext    string
	render func(*bytes.Buffer, *Result) error
}{
	{"sarif", func(b *bytes.Buffer, r *Result) error { return SARIF(b, r) }},
	{"csv", func(b *bytes.Buffer, r *Result) error { return CSV(b, r) }},
	{"github-issues.json", func(b *bytes.Buffer, r *Result) error { return GitHubIssues(b, r, TrackerOptions{}) }},
	{"jira.json", func(b *bytes.Buffer, r *Result) error { return Jira(b, r, TrackerOptions{}) }},
}

func TestMachineGolden(t *testing.T) {
	for _, name := range scenarios {
		t.Run(name, func(t *testing.T) {
			for _, f := range machineFormats {
				var buf, again bytes.Buffer
				if err := f.render(&buf, build(t, name)); err != nil {
					t.Fatalf("%s: %v", f.ext, err)
				}
				golden(t, name+"."+f.ext+".golden", buf.Bytes())
				if err := f.render(&again, build(t, name)); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(buf.Bytes(), again.Bytes()) {
					t.Errorf("%s output is not deterministic", f.ext)
				}
			}
		})
	}
}

// TestTrackerOptions covers the Jira project key and real back-links.
func TestTrackerOptions(t *testing.T) {
	r := build(t, "payments")
	opt := TrackerOptions{JiraProject: "SEC", SourceURL: "https://github.com/acme/pay/blob/main/"}
	var buf bytes.Buffer
	if err := Jira(&buf, r, opt); err != nil {
		t.Fatal(err)
	}
	golden(t, "payments.jira-options.json.golden", buf.Bytes())
	buf.Reset()
	if err := GitHubIssues(&buf, r, opt); err != nil {
		t.Fatal(err)
	}
	if want := "[payments.yaml:140:5](https://github.com/acme/pay/blob/main/payments.yaml#L140)"; !strings.Contains(buf.String(), want) {
		t.Errorf("github issues lack the back-link %s", want)
	}
}

// sarifSchema compiles the official OASIS SARIF 2.1.0 schema vendored under
// testdata (see testdata/sarif-schema-2.1.0.README).
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestSARIFSchema validates every SARIF golden file, and a log with an
// absolute path and odd characters, against the official schema.
func TestSARIFSchema(t *testing.T) {
	sch := sarifSchema(t)
	p := message.NewPrinter(language.English)
	files, err := filepath.Glob(filepath.Join("testdata", "*.sarif.golden"))
	if err != nil || len(files) < len(scenarios) {
		t.Fatalf("found %d SARIF golden files (%v); run go test ./internal/report -update", len(files), err)
	}
	docs := map[string][]byte{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs[file] = data
	}
	r := build(t, "payments")
	for i := range r.Findings {
		if r.Findings[i].Location != nil {
			r.Findings[i].Location.File = "/abs/dir with space/models/pay:ments.yaml"
		}
	}
	r.Files = []string{"models/ward.yaml"}
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	docs["payments with absolute paths"] = buf.Bytes()
	for name, data := range docs {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := sch.Validate(inst); err != nil {
			var ve *jsonschema.ValidationError
			if errorsAs(err, &ve) {
				t.Errorf("%s does not conform to SARIF 2.1.0:\n%s", name, ve.LocalizedError(p))
			} else {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	if !strings.Contains(buf.String(), `"uri": "file:///abs/dir%20with%20space/models/pay:ments.yaml"`) {
		t.Errorf("absolute path not written as an escaped file URI:\n%s", buf.String())
	}
}

func errorsAs(err error, ve **jsonschema.ValidationError) bool {
	v, ok := err.(*jsonschema.ValidationError)
	if ok {
		*ve = v
	}
	return ok
}

// TestSARIFGoSARIF reads the log back with an independent SARIF library and
// checks what code scanning relies on.
func TestSARIFGoSARIF(t *testing.T) {
	r := build(t, "payments")
	var buf bytes.Buffer
	if err := SARIF(&buf, r); err != nil {
		t.Fatal(err)
	}
	log, err := gosarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if got := *run.Tool.Driver.Name; got != "ward" {
		t.Errorf("driver name %q", got)
	}
	active, unverified := openFindings(r), 0
	for _, f := range active {
		if f.Status == "unverified" {
			unverified++
		}
	}
	if len(run.Results) != len(active) || unverified == 0 {
		t.Fatalf("%d results, want one per open or unverified finding (%d, %d unverified)", len(run.Results), len(active), unverified)
	}
	rules := map[string]bool{}
	for _, rl := range run.Tool.Driver.Rules {
		rules[*rl.ID] = true
	}
	var got []string
	for i, res := range run.Results {
		f := active[i]
		if *res.RuleID != f.Rule || !rules[*res.RuleID] {
			t.Errorf("result %d: rule %q, want %q described in driver.rules", i, *res.RuleID, f.Rule)
		}
		want, kind := sarifLevel(f.Severity), "fail"
		if f.Status == "unverified" {
			want, kind = "none", "review"
		}
		if res.Level != want || res.Kind != kind && !(kind == "fail" && res.Kind == "") {
			t.Errorf("result %d: level %s kind %s, want %s %s", i, res.Level, res.Kind, want, kind)
		}
		if res.PartialFingerprints[fingerprintKey] != findingHash(f.ID) {
			t.Errorf("result %d: fingerprint %v", i, res.PartialFingerprints)
		}
		if len(res.Locations) == 0 {
			t.Errorf("result %d has no location", i)
			continue
		}
		pl := res.Locations[0].PhysicalLocation
		if f.Status != "open" {
			continue
		}
		got = append(got, *pl.ArtifactLocation.URI+":"+strconv.Itoa(*pl.Region.StartLine)+":"+strconv.Itoa(*pl.Region.StartColumn))
	}
	// The people threats point at their definitions, the generated finding at its element.
	// The cleartext credentials raise disclosure and spoofing (the orders
	// they travel with need only medium integrity: no tampering), one
	// threat carrying both (rule.Rule.OneLine): one result at the flow.
	want := []string{"payments.yaml:108:5", "payments.yaml:85:5", "payments.yaml:119:5"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("locations (-want +got):\n%s", diff)
	}
}

// openFindings lists the active findings (open and unverified), ranked.
func openFindings(r *Result) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if Active(f.Status) {
			out = append(out, f)
		}
	}
	return out
}

// TestSARIFFingerprintStable checks that a finding keeps its fingerprint
// when the model around it changes (other lines move).
func TestSARIFFingerprintStable(t *testing.T) {
	r := build(t, "payments")
	first := sarifResultOf(r, r.Findings[0], 0).PartialFingerprints
	moved := r.Findings[0]
	loc := *moved.Location
	loc.Line += 10
	moved.Location = &loc
	moved.Rank = 3
	if diff := cmp.Diff(first, sarifResultOf(r, moved, 0).PartialFingerprints); diff != "" {
		t.Errorf("fingerprint changed when the finding moved (-before +after):\n%s", diff)
	}
}

func TestCSVInjection(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"＝1+1", "'＝1+1"},
		{"safe = text", "safe = text"},
		{"", ""},
		{"12", "12"},
	} {
		if got := csvSafe(c.in); got != c.want {
			t.Errorf("csvSafe(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	r := &Result{Findings: []Finding{{ID: "T9", Rank: 1, Rule: "people", Severity: "high", Status: "open",
		Title: "=cmd|' /C calc'!A0", Category: "tampering", Assets: []string{"@asset"},
		Targets: []Target{{Kind: "component", ID: "-api"}}, Decision: &Decision{Status: "accepted", Owner: "+owner"}}}}
	var buf bytes.Buffer
	if err := CSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(rows[1]) != len(csvHeader) {
		t.Fatalf("rows = %q", rows)
	}
	for i, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s starts with %q: %q", csvHeader[i], cell[0], cell)
		}
	}
	if got := rows[1][6]; got != "'=cmd|' /C calc'!A0" {
		t.Errorf("title cell = %q", got)
	}
}

// TestCSVRoundTrip checks RFC 4180: CRLF rows, quotes and line breaks in
// cells survive a standard reader.
func TestCSVRoundTrip(t *testing.T) {
	r := build(t, "payments")
	var buf bytes.Buffer
	if err := CSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		t.Error("rows do not end with CRLF")
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(r.Findings)+1 {
		t.Fatalf("%d rows, want header + %d", len(rows), len(r.Findings))
	}
	if diff := cmp.Diff(csvHeader, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	for i, f := range r.Findings {
		if rows[i+1][1] != f.ID || rows[i+1][6] != csvSafe(f.Title) {
			t.Errorf("row %d = %q, want finding %s", i+1, rows[i+1], f.ID)
		}
	}
}

// TestTrackerItems checks what becomes an issue: open mitigations, open
// findings no open mitigation addresses, and the questions to answer first
// (settling unverified threats); nothing else.
func TestTrackerItems(t *testing.T) {
	r := build(t, "payments")
	var ids []string
	for _, it := range workItems(r) {
		ids = append(ids, it.externalID)
	}
	want := []string{"mitigation/M1", "finding/credentials-in-cleartext:store-order", "finding/T2"}
	for _, q := range r.Questions {
		if q.First {
			want = append(want, "question/"+q.ID)
		}
	}
	if len(want) == 3 {
		t.Error("no question to answer first became a work item")
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("work items (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if err := Jira(&buf, r, TrackerOptions{}); err != nil {
		t.Fatal(err)
	}
	var payload map[string][]map[string]map[string]any
	dec := json.NewDecoder(&buf)
	if err := dec.Decode(&payload); err != nil {
		t.Fatal(err)
	}
	if len(payload) != 1 || len(payload["issueUpdates"]) != len(want) {
		t.Fatalf("jira payload keys/items: %d/%d", len(payload), len(payload["issueUpdates"]))
	}
	for _, u := range payload["issueUpdates"] {
		f := u["fields"]
		if f["project"].(map[string]any)["key"] != DefaultJiraProject || f["summary"] == "" || f["issuetype"] == nil {
			t.Errorf("jira fields %v", f)
		}
		for _, l := range f["labels"].([]any) {
			if strings.ContainsAny(l.(string), " \t") {
				t.Errorf("jira label %q has a space", l)
			}
		}
	}
}

func TestJiraText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"`a` calls `b`", "{{a}} calls {{b}}"},
		{"odd `tick", "odd {{tick}}"},
		{"{code} [x|y]", `\{code\} \[x\|y\]`},
	} {
		if got := jiraText(c.in); got != c.want {
			t.Errorf("jiraText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestGitHubAssignees(t *testing.T) {
	r := &Result{System: System{ID: "s", Name: "S"}, Mitigations: []Mitigation{
		{ID: "M1", Title: "a", Status: "planned", Owner: "@octocat"},
		{ID: "M2", Title: "b", Status: "proposed", Owner: "Carol Smith"},
		{ID: "M3", Title: "c", Status: "implemented", Owner: "@done"},
	}}
	var buf bytes.Buffer
	if err := GitHubIssues(&buf, r, TrackerOptions{}); err != nil {
		t.Fatal(err)
	}
	var issues []githubIssue
	if err := json.Unmarshal(buf.Bytes(), &issues); err != nil {
		t.Fatal(err)
	}
	if len(issues) != 2 {
		t.Fatalf("%d issues, want 2 (implemented mitigations are done)", len(issues))
	}
	if diff := cmp.Diff([][]string{{"octocat"}, {}}, [][]string{issues[0].Assignees, issues[1].Assignees}); diff != "" {
		t.Errorf("assignees (-want +got):\n%s", diff)
	}
}
