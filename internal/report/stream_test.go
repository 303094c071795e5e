package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// The streaming renderers must write exactly what the straightforward
// versions (build everything, encode once) write. The scenarios are small;
// a generated model of a few hundred components exercises every kind of
// element, long lists and many findings per rule.

var (
	synthOnce   sync.Once
	synthResult *Result
)

// synthesised returns the result of a generated 300-component model.
func synthesised(t *testing.T) *Result {
	t.Helper()
	synthOnce.Do(func() {
		ctx := rule.WithBudget(context.Background(), rule.Budget{MaxFindings: 1 << 30})
		m, _, err := spec.Parse("ward.yaml", synth.Generate(300, synth.DefaultSeed))
		if err != nil {
			t.Fatal(err)
		}
		a, err := analysis.Run(ctx, m, rules.All(), analysis.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		synthResult = Build(a, Tool{Name: "ward", Version: "test"})
	})
	if synthResult == nil {
		t.Fatal("no synthetic result")
	}
	return synthResult
}

// streamCases are the results the streaming renderers are compared on.
func streamCases(t *testing.T) map[string]*Result {
	out := map[string]*Result{"synth-300": synthesised(t)}
	for _, name := range scenarios {
		out[name] = build(t, name)
	}
	// No open findings at all: the results list is empty.
	closed := *build(t, "payments")
	closed.Findings = nil
	out["no-findings"] = &closed
	return out
}

// sarifReference is SARIF as it was written before streaming: the whole
// log built, then encoded with an indenting encoder.
func sarifReference(w io.Writer, r *Result) error {
	docs := map[string]RuleInfo{peopleRule.ID: peopleRule}
	for _, d := range r.RuleDocs {
		docs[d.ID] = d
	}
	var (
		rules   []sarifRule
		index   = map[string]int{}
		worst   = map[string]int{}
		results = []sarifResult{}
	)
	for _, f := range r.Findings {
		if !Active(f.Status) {
			continue
		}
		i, ok := index[f.Rule]
		if !ok {
			d, known := docs[f.Rule]
			if !known {
				d = RuleInfo{ID: f.Rule, Title: f.Title, Category: f.Category, CWE: f.CWE(), CAPEC: f.CAPEC(), Origin: f.Origin}
			}
			i = len(rules)
			index[f.Rule] = i
			rules = append(rules, sarifRuleOf(d))
		}
		if s := sevRank(f.Severity); s > worst[f.Rule] && f.Status == "open" {
			worst[f.Rule] = s
		}
		results = append(results, sarifResultOf(r, f, i))
	}
	for id, i := range index {
		rules[i].Properties["security-severity"] = securitySeverityString(sevOrder[worst[id]])
	}
	if rules == nil {
		rules = []sarifRule{}
	}
	log := sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{{
		Tool:              sarifTool{Driver: sarifDriver{Name: r.Tool.Name, Version: r.Tool.Version, InformationURI: InformationURI, Rules: rules}},
		AutomationDetails: &sarifAutomation{ID: "ward/" + r.System.ID + "/"},
		ColumnKind:        "unicodeCodePoints",
		Results:           results,
		Properties: map[string]any{"ward-schema": r.Schema, "system": r.System.ID, "open-findings": r.Summary.Open,
			"questions": r.Summary.Questions, "worst": r.Summary.Worst},
	}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// sarifResultOf builds a result as the reference encodes it.
func sarifResultOf(r *Result, f Finding, ruleIndex int) sarifResult {
	text, level, kind := sarifMessage(&f)
	res := sarifResult{RuleID: f.Rule, RuleIndex: ruleIndex, Level: level, Kind: kind, Message: sarifText{Text: text},
		PartialFingerprints: map[string]string{fingerprintKey: findingHash(f.ID)}}
	primary, related := sarifLocations(r, &f)
	if primary != nil {
		res.Locations = []sarifLocation{{PhysicalLocation: physical(*primary)}}
	}
	res.RelatedLocations = related
	res.Properties = map[string]any{"security-severity": securitySeverityString(f.Severity), "tags": sarifTags(&f),
		"ward-finding-id": f.ID, "rank": f.Rank, "severity": f.Severity, "score": f.Score, "status": f.Status,
		"targets": sarifTargets(&f), "assets": orEmpty(f.Assets), "mitigations": orEmpty(f.Mitigations)}
	if f.Reopened != "" {
		res.Properties["reopened"] = f.Reopened
	}
	return res
}

var jsonStringSeeds = []string{"", "plain", "quote \" back \\ slash", "ctl \x00\x01\x08\x0c\n\r\t\x1f\x7f",
	"<html> & </html>", "\u2028\u2029 sep", "bad \xff\xfe utf8 \xe2\x80", "é ü 日本 🎉", "\u202e bidi"}

// TestAppendJSONString compares appendJSONString with encoding/json.
func TestAppendJSONString(t *testing.T) {
	for _, s := range jsonStringSeeds {
		checkJSONString(t, s)
	}
	// Every byte at every place of the eight-byte skip, and across its end.
	for c := range 256 {
		for at := range 17 {
			b := []byte("abcdefghijklmnopq")
			b[at] = byte(c)
			checkJSONString(t, string(b))
			checkJSONString(t, string(b[:at+1]))
		}
	}
}

// FuzzAppendJSONString compares appendJSONString with encoding/json on
// any string.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStringSeeds {
		f.Add(s)
	}
	f.Fuzz(checkJSONString)
}

func checkJSONString(t *testing.T, s string) {
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	if got := appendJSONString(nil, s); !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
		t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want.Bytes())
	}
}

func TestSARIFIsEncodingJSON(t *testing.T) {
	cases := streamCases(t)
	cases["hostile"] = hostileResult(t)
	cases["many-targets"] = manyTargets(t)
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			var got, want bytes.Buffer
			if err := SARIF(&got, r); err != nil {
				t.Fatal(err)
			}
			if err := sarifReference(&want, r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("SARIF differs from the reference\n%s", firstDiff(got.String(), want.String()))
			}
		})
	}
}

// manyTargets is a result whose findings have more targets at distinct
// locations than sarifW.see compares one by one (seenScan), some of them
// repeated, in two files, or with no location.
func manyTargets(t *testing.T) *Result {
	r := *synthesised(t)
	r.Findings = append([]Finding(nil), r.Findings...)
	for i := range r.Findings {
		if i%4 != 0 {
			continue
		}
		f := &r.Findings[i]
		var tg []Target
		for k := range 3*seenScan + i%7 {
			x := Target{Kind: "component", ID: "c" + strconv.Itoa(k)}
			switch {
			case k%5 == 4:
			case k%3 == 2: // the place of an earlier target
				x.Location = &Location{File: "ward.yaml", Line: k / 2, Col: 3}
			default:
				x.Location = &Location{File: []string{"ward.yaml", "parts/a.yaml"}[k%2], Line: k, Col: 3 + k%2}
			}
			tg = append(tg, x)
		}
		f.Targets = tg
	}
	return &r
}

// The pieces of a SARIF result as the reference builds them (as SARIF
// built them before it wrote each result in place).

// sarifMessage is a result's message text, level and kind.
func sarifMessage(f *Finding) (text, level, kind string) {
	// The message names every asset at stake (hundreds for some threats):
	// its pieces are written into one buffer of the final size.
	n := len(f.Title) + len(f.Severity) + len(f.ID) + 200
	for _, l := range [][]string{f.Categories, f.Assets, f.Questions} {
		for _, x := range l {
			n += len(x) + 2
		}
	}
	var msg strings.Builder
	msg.Grow(n)
	if f.Status == "unverified" {
		msg.WriteString("Unverified (not known to be mitigated): ")
	}
	msg.WriteString(f.Title)
	if !strings.HasSuffix(f.Title, ".") {
		msg.WriteString(".")
	}
	msg.WriteString(" Residual risk ")
	msg.WriteString(f.Severity)
	msg.WriteString(" (score ")
	msg.WriteString(strconv.Itoa(f.Score))
	msg.WriteString(")")
	writeList := func(prefix string, l []string) {
		msg.WriteString(prefix)
		for i, x := range l {
			if i > 0 {
				msg.WriteString(", ")
			}
			msg.WriteString(x)
		}
	}
	if len(f.Categories) > 0 {
		writeList(", STRIDE ", f.Categories)
	}
	if len(f.Assets) > 0 {
		writeList(", assets at stake: ", f.Assets)
	}
	msg.WriteString(". Finding ")
	msg.WriteString(f.ID)
	msg.WriteString(" (rank ")
	msg.WriteString(strconv.Itoa(f.Rank))
	msg.WriteString("): record a decision or a mitigation for it in the model.")
	level = sarifLevel(f.Severity)
	if f.Status == "unverified" {
		// SARIF's "review" kind: needs a person to decide; the level of a
		// result that is not a failure is "none".
		level, kind = "none", "review"
		writeList(" Settle it by answering ", f.Questions)
		msg.WriteString(".")
	}
	return msg.String(), level, kind
}

// sarifLocations returns a result's primary location (nil when none) and
// its related locations: the other targets' distinct locations.
func sarifLocations(r *Result, f *Finding) (primary *Location, related []sarifLocation) {
	primary = f.Location
	for _, t := range f.Targets {
		if primary == nil && t.Location != nil {
			primary = t.Location
		}
	}
	if primary == nil && len(r.Files) > 0 {
		primary = &Location{File: r.Files[0], Line: 1, Col: 1}
	}
	var seen []Location // few targets: a list beats a map
	if primary != nil {
		seen = append(seen, *primary)
	}
	for _, t := range f.Targets {
		if t.Location == nil || slices.Contains(seen, *t.Location) {
			continue
		}
		seen = append(seen, *t.Location)
		id := len(related) + 1
		related = append(related, sarifLocation{ID: &id, PhysicalLocation: physical(*t.Location),
			Message: &sarifText{Text: t.Kind + " " + t.ID}})
	}
	return primary, related
}

// sarifTags are a result's tags: security and its STRIDE categories.
func sarifTags(f *Finding) []string {
	tags := make([]string, 1, 1+len(f.Categories))
	tags[0] = "security"
	for _, c := range f.Categories {
		tags = append(tags, "stride/"+c)
	}
	return dedupe(tags)
}

// sarifTargets labels a result's targets.
func sarifTargets(f *Finding) []string {
	targets := make([]string, 0, len(f.Targets))
	for _, t := range f.Targets {
		targets = append(targets, targetLabel(t))
	}
	return targets
}

// findingHash is the hex SHA-256 of a finding id.
func findingHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}
