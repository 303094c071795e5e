package report

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// SARIF 2.1.0, written by hand: the few objects Ward needs, shaped as the
// OASIS schema (internal/report/testdata/sarif-schema-2.1.0.json) says. One
// result per open finding; closed findings and questions are left out, so a
// code-scanning dashboard shows what still needs action.

// SARIFSchema is the schema URI written in every SARIF log.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// InformationURI is where users learn about Ward.
const InformationURI = "https://github.com/wardtm/ward"

// rulesDocURI documents the built-in rule catalogue.
const rulesDocURI = InformationURI + "/blob/main/docs/rules.md"

// fingerprintKey names Ward's partial fingerprint: a hash of the finding id,
// which is stable across runs and edits elsewhere in the model.
const fingerprintKey = "wardFindingId/v1"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool        `json:"tool"`
	AutomationDetails *sarifAutomation `json:"automationDetails,omitempty"`
	ColumnKind        string           `json:"columnKind"`
	Results           []sarifResult    `json:"results"`
	Properties        map[string]any   `json:"properties,omitempty"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	Help             sarifText      `json:"help"`
	HelpURI          string         `json:"helpUri,omitempty"`
	Properties       map[string]any `json:"properties"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Kind                string            `json:"kind,omitempty"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLocation struct {
	ID               *int                  `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifText            `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// sarifLevel maps a residual severity to a SARIF level.
func sarifLevel(sev string) string {
	switch sev {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// securitySeverity is the CVSS-like score GitHub code scanning reads from
// properties["security-severity"] to show critical (9.0+), high (7.0–8.9),
// medium (4.0–6.9) and low (0.1–3.9).
var securitySeverity = map[string]float64{"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 3.0, "info": 1.0}

// securitySeverityText is securitySeverity written out once.
var securitySeverityText = func() map[string]string {
	out := make(map[string]string, len(securitySeverity))
	for k, v := range securitySeverity {
		out[k] = fmt.Sprintf("%.1f", v)
	}
	return out
}()

func securitySeverityString(sev string) string {
	if s, ok := securitySeverityText[sev]; ok {
		return s
	}
	return fmt.Sprintf("%.1f", securitySeverity[sev])
}

// peopleRule is the synthetic rule of threats written in the model.
var peopleRule = RuleInfo{ID: "people", Title: "Threat written in the threat model by the team",
	Doc: "A threat the team recorded in the model's threats: section (from design review, a security review, " +
		"a penetration test, a bug bounty report or an incident), ranked by the likelihood and impact stated there.",
	CWE: []int{}, CAPEC: []int{}, Mitigations: []string{}, References: []string{}, Origin: "people"}

// SARIF writes the open findings of r as a SARIF 2.1.0 log. It streams:
// the rules (one per rule with an open finding) are collected first, then
// the log is written around the results, which are encoded one at a time
// (a 10,000-component model's log is several hundred MB). The bytes are
// exactly what encoding/json with a two-space indent would write for the
// whole log (TestSARIFIsEncodingJSON).
func SARIF(w io.Writer, r *Result) error {
	docs := make(map[string]RuleInfo, len(r.RuleDocs)+1)
	docs[peopleRule.ID] = peopleRule
	for _, d := range r.RuleDocs {
		docs[d.ID] = d
	}
	var (
		rules     []sarifRule
		index     = map[string]int{}
		worst     = map[string]int{} // rule id -> index of its worst severity in sevOrder
		ruleIndex = make([]int, len(r.Findings))
	)
	for k, f := range r.Findings {
		if !Active(f.Status) {
			continue
		}
		i, ok := index[f.Rule]
		if !ok {
			d, known := docs[f.Rule]
			if !known { // a rule the result has no docs for: describe it by the finding
				d = RuleInfo{ID: f.Rule, Title: f.Title, Category: f.Category, CWE: f.CWE(), CAPEC: f.CAPEC(), Origin: f.Origin}
			}
			i = len(rules)
			index[f.Rule] = i
			rules = append(rules, sarifRuleOf(d))
		}
		ruleIndex[k] = i
		if s := sevRank(f.Severity); s > worst[f.Rule] && f.Status == "open" {
			worst[f.Rule] = s
		}
	}
	for id, i := range index {
		// GitHub reads security-severity from the rule: the worst open finding's.
		rules[i].Properties["security-severity"] = securitySeverityString(sevOrder[worst[id]])
	}
	if rules == nil {
		rules = []sarifRule{}
	}
	log := sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{{
		Tool:              sarifTool{Driver: sarifDriver{Name: r.Tool.Name, Version: r.Tool.Version, InformationURI: InformationURI, Rules: rules}},
		AutomationDetails: &sarifAutomation{ID: "ward/" + r.System.ID + "/"},
		ColumnKind:        "unicodeCodePoints",
		Results:           []sarifResult{},
		Properties: map[string]any{"ward-schema": r.Schema, "system": r.System.ID, "open-findings": r.Summary.Open,
			"questions": r.Summary.Questions, "worst": r.Summary.Worst},
	}}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return err
	}
	// The log with no results, indented; the results go between the two
	// halves of its empty list. Strings cannot hold the marker: a newline
	// in a string is written as \n.
	frame := indentJSON(nil, bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "")
	const marker, prefix = "\n      \"results\": [", "        "
	at := bytes.Index(frame, []byte(marker+"]"))
	if at < 0 {
		return fmt.Errorf("sarif: no results list in the log")
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(frame[:at+len(marker)])
	// The results, in chunks on all cores (writeChunks).
	var active []int
	for k := range r.Findings {
		if Active(r.Findings[k].Status) {
			active = append(active, k)
		}
	}
	var pool chunkPool
	err := writeChunks(bw, len(active), jsonChunk, &pool, func(dst []byte, lo, hi int) ([]byte, error) {
		for j, k := range active[lo:hi] {
			if lo+j > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, "\n"+prefix...)
			w := jsonW{b: dst, depth: len(prefix) / 2}
			w.sarifResult(r, &r.Findings[k], ruleIndex[k])
			dst = w.b
		}
		return dst, nil
	})
	if err != nil {
		return err
	}
	if len(active) > 0 {
		bw.WriteString("\n      ")
	}
	bw.Write(frame[at+len(marker):])
	bw.WriteByte('\n')
	return bw.Flush()
}

// sevOrder lists severities from none to critical; sevRank is the index.
var sevOrder = []string{"none", "info", "low", "medium", "high", "critical"}

func sevRank(s string) int {
	for i, x := range sevOrder {
		if x == s {
			return i
		}
	}
	return 0
}

func sarifRuleOf(d RuleInfo) sarifRule {
	short := d.Title
	full := d.Doc
	if full == "" {
		full = short
	}
	var text, md strings.Builder
	text.WriteString(full)
	md.WriteString(full)
	if len(d.Mitigations) > 0 {
		text.WriteString("\n\nMitigations:")
		md.WriteString("\n\n## Mitigations\n")
		for _, m := range d.Mitigations {
			text.WriteString("\n- " + m)
			md.WriteString("\n- " + m)
		}
	}
	var refs []string
	for _, c := range d.CWE {
		refs = append(refs, fmt.Sprintf("[CWE-%d](https://cwe.mitre.org/data/definitions/%d.html)", c, c))
	}
	for _, c := range d.CAPEC {
		refs = append(refs, fmt.Sprintf("[CAPEC-%d](https://capec.mitre.org/data/definitions/%d.html)", c, c))
	}
	for _, ref := range d.References {
		refs = append(refs, "<"+ref+">")
	}
	if len(d.References) > 0 {
		text.WriteString("\n\nReferences:")
		for _, ref := range d.References {
			text.WriteString("\n- " + ref)
		}
	}
	if len(refs) > 0 {
		md.WriteString("\n\n## References\n")
		for _, ref := range refs {
			md.WriteString("\n- " + ref)
		}
	}
	tags := []string{"security", "threat-model"}
	if d.Category != "" {
		tags = append(tags, "stride/"+d.Category)
	}
	if d.Origin == "people" {
		tags = append(tags, "written-by-team")
	}
	for _, c := range d.CWE {
		tags = append(tags, fmt.Sprintf("external/cwe/cwe-%03d", c))
	}
	for _, c := range d.CAPEC {
		tags = append(tags, fmt.Sprintf("external/capec/capec-%d", c))
	}
	props := map[string]any{"tags": dedupe(tags), "origin": d.Origin}
	if d.Category != "" {
		props["stride"] = d.Category
	}
	rule := sarifRule{ID: d.ID, Name: pascal(d.ID), ShortDescription: sarifText{Text: short}, FullDescription: sarifText{Text: full},
		Help: sarifText{Text: text.String(), Markdown: md.String()}, Properties: props}
	switch {
	case d.Origin == "builtin":
		rule.HelpURI = rulesDocURI
	case len(d.References) > 0 && isAbsURI(d.References[0]):
		rule.HelpURI = d.References[0]
	}
	return rule
}

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

// sarifResult writes the SARIF result of finding f, indented at w's
// level: what encoding/json writes for a sarifResult with HTML escaping off,
// indented (TestSARIFIsEncodingJSON), without reflection or a second pass
// to indent it.
func (w *jsonW) sarifResult(r *Result, f *Finding, ruleIndex int) {
	text, level, kind := sarifMessage(f)
	w.open('{')
	w.str("ruleId", f.Rule)
	w.int("ruleIndex", ruleIndex)
	w.str("level", level)
	w.strOmit("kind", kind)
	w.key("message")
	w.open('{')
	w.str("text", text)
	w.close('}')
	primary, related := sarifLocations(r, f)
	if primary != nil {
		w.key("locations")
		w.open('[')
		w.newline()
		w.open('{')
		w.key("physicalLocation")
		w.sarifPhysical(physical(*primary))
		w.close('}')
		w.close(']')
	}
	if len(related) > 0 {
		w.key("relatedLocations")
		w.open('[')
		for _, l := range related {
			w.newline()
			w.open('{')
			w.int("id", *l.ID)
			w.key("physicalLocation")
			w.sarifPhysical(l.PhysicalLocation)
			w.key("message")
			w.open('{')
			w.str("text", l.Message.Text)
			w.close('}')
			w.close('}')
		}
		w.close(']')
	}
	w.key("partialFingerprints")
	w.open('{')
	w.str(fingerprintKey, findingHash(f.ID))
	w.close('}')
	// Properties, in the order encoding/json writes a map: sorted keys.
	w.key("properties")
	w.open('{')
	w.strs("assets", orEmpty(f.Assets))
	w.strs("mitigations", orEmpty(f.Mitigations))
	w.int("rank", f.Rank)
	w.strOmit("reopened", f.Reopened)
	w.int("score", f.Score)
	w.str("security-severity", securitySeverityString(f.Severity))
	w.str("severity", f.Severity)
	w.str("status", f.Status)
	w.key("tags")
	w.list(sarifTags(f))
	w.key("targets")
	w.list(sarifTargets(f))
	w.str("ward-finding-id", f.ID)
	w.close('}')
	w.close('}')
}

// sarifPhysical writes a physical location as a member's value.
func (w *jsonW) sarifPhysical(pl sarifPhysicalLocation) {
	w.open('{')
	w.key("artifactLocation")
	w.open('{')
	w.str("uri", pl.ArtifactLocation.URI)
	w.strOmit("uriBaseId", pl.ArtifactLocation.URIBaseID)
	w.close('}')
	if pl.Region != nil {
		w.key("region")
		w.open('{')
		w.int("startLine", pl.Region.StartLine)
		if pl.Region.StartColumn != 0 {
			w.int("startColumn", pl.Region.StartColumn)
		}
		w.close('}')
	}
	w.close('}')
}

// findingHash is the hex SHA-256 of a finding id.
func findingHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// physical makes a SARIF location of a model location: a relative path
// under %SRCROOT% (the repository root when uploaded from its root), or a
// file: URI for an absolute path.
func physical(l Location) sarifPhysicalLocation {
	p := filepath.ToSlash(l.File)
	art := sarifArtifactLocation{}
	if path.IsAbs(p) || filepath.IsAbs(l.File) {
		art.URI = (&url.URL{Scheme: "file", Path: p}).String()
	} else {
		art.URI = (&url.URL{Path: path.Clean(p)}).String()
		art.URIBaseID = "%SRCROOT%"
	}
	pl := sarifPhysicalLocation{ArtifactLocation: art}
	if l.Line > 0 {
		pl.Region = &sarifRegion{StartLine: l.Line}
		if l.Col > 0 {
			pl.Region.StartColumn = l.Col
		}
	}
	return pl
}

// targetLabel names a target for people: "flow checkout (browser → api)".
func targetLabel(t Target) string {
	s := t.Kind + " " + t.ID
	if t.From != "" || t.To != "" {
		s += " (" + t.From + " → " + t.To + ")"
	}
	return s
}

// pascal turns a kebab-case rule id into a SARIF rule name.
func pascal(id string) string {
	var b strings.Builder
	up := true
	for _, c := range id {
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ' || c == ':' || c == '/':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(c)))
			up = false
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func isAbsURI(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != ""
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
