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
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/wardtm/ward/internal/jsonstr"
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
	var (
		pool  chunkPool
		lists jsonLists // the long asset lists findings share
	)
	err := writeChunks(bw, len(active), jsonChunk, &pool, func(dst []byte, lo, hi int) ([]byte, error) {
		w := sarifWriters.Get().(*sarifW)
		defer sarifWriters.Put(w)
		w.jsonW = jsonW{b: dst, depth: len(prefix) / 2, lists: &lists}
		var x byte
		for _, k := range active[lo:hi] {
			x ^= touchFinding(&r.Findings[k])
		}
		runtime.KeepAlive(x)
		for j, k := range active[lo:hi] {
			// Room made ahead, the buffer doubled when it must grow
			// (jsonW.roomFor), not grown by append's steps of a quarter:
			// each target takes ≈ 400 bytes (a related location and a
			// label), and a threat merged across a zone has hundreds.
			w.roomFor(jsonItemRoom + 512*len(r.Findings[k].Targets))
			if lo+j > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, "\n"+prefix...)
			w.result(r, &r.Findings[k], ruleIndex[k])
		}
		dst = w.b
		w.jsonW = jsonW{}
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

// sarifW writes SARIF results: a jsonW, and what writing one result
// reuses from the last, so that a result allocates nothing of its own.
type sarifW struct {
	jsonW
	// scratch holds a message or a label as it is put together, before
	// it is escaped.
	scratch []byte
	// seen holds the distinct locations of the result being written,
	// and seenSet them too once there are more than seenScan.
	seen    []Location
	seenSet map[Location]struct{}
	// file and art are the last location's file and its artifact
	// location (nearly every location is in the model's one file).
	file string
	art  *sarifArtifactLocation
}

// sarifWriters are the writers of the chunks in flight.
var sarifWriters = sync.Pool{New: func() any { return new(sarifW) }}

// result writes the SARIF result of finding f, indented at w's level:
// what encoding/json writes for a sarifResult with HTML escaping off,
// indented (TestSARIFIsEncodingJSON), without reflection, a second pass to
// indent it, or the result built first.
func (w *sarifW) result(r *Result, f *Finding, ruleIndex int) {
	level, kind := sarifLevel(f.Severity), ""
	if f.Status == "unverified" {
		// SARIF's "review" kind: needs a person to decide; the level of a
		// result that is not a failure is "none".
		level, kind = "none", "review"
	}
	w.open('{')
	w.str("ruleId", f.Rule)
	w.int("ruleIndex", ruleIndex)
	w.str("level", level)
	w.strOmit("kind", kind)
	w.key("message")
	w.open('{')
	w.key("text")
	w.scratch = appendSARIFMessage(w.scratch[:0], f)
	// A message naming hundreds of assets at stake is longer than the
	// room made for the whole result, and the assets' list follows it.
	w.roomFor(3*len(w.scratch) + jsonItemRoom)
	w.b = jsonstr.AppendNoHTMLBytes(w.b, w.scratch)
	w.close('}')
	w.locations(r, f)
	w.key("partialFingerprints")
	w.open('{')
	w.key(fingerprintKey)
	sum := sha256.Sum256([]byte(f.ID))
	w.b = append(w.b, '"')
	w.b = hex.AppendEncode(w.b, sum[:])
	w.b = append(w.b, '"')
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
	// The tags: security and the finding's STRIDE categories, each once.
	w.key("tags")
	w.open('[')
	w.newline()
	w.b = append(w.b, `"security"`...)
	for i, c := range f.Categories {
		if slices.Contains(f.Categories[:i], c) {
			continue
		}
		w.newline()
		w.scratch = append(append(w.scratch[:0], "stride/"...), c...)
		w.b = jsonstr.AppendNoHTMLBytes(w.b, w.scratch)
	}
	w.close(']')
	w.key("targets")
	w.open('[')
	for i := range f.Targets {
		w.newline()
		w.scratch = appendTargetLabel(w.scratch[:0], &f.Targets[i])
		w.b = jsonstr.AppendNoHTMLBytes(w.b, w.scratch)
	}
	w.close(']')
	w.str("ward-finding-id", f.ID)
	w.close('}')
	w.close('}')
}

// locations writes a result's primary location (none when it has none)
// and its related locations: the other targets' distinct locations, each
// with an id from 1 and its target as the message.
func (w *sarifW) locations(r *Result, f *Finding) {
	primary := f.Location
	for _, t := range f.Targets {
		if primary == nil && t.Location != nil {
			primary = t.Location
		}
	}
	var model Location
	if primary == nil && len(r.Files) > 0 {
		model = Location{File: r.Files[0], Line: 1, Col: 1}
		primary = &model
	}
	w.seen = w.seen[:0]
	clear(w.seenSet)
	if primary != nil {
		w.seen = append(w.seen, *primary)
		w.key("locations")
		w.open('[')
		w.newline()
		w.open('{')
		w.key("physicalLocation")
		w.physical(*primary)
		w.close('}')
		w.close(']')
	}
	related := 0
	for i := range f.Targets {
		t := &f.Targets[i]
		if t.Location == nil || !w.see(*t.Location) {
			continue
		}
		if related == 0 {
			w.key("relatedLocations")
			w.open('[')
		}
		related++
		w.newline()
		w.open('{')
		w.int("id", related)
		w.key("physicalLocation")
		w.physical(*t.Location)
		w.key("message")
		w.open('{')
		w.key("text")
		w.scratch = append(append(append(w.scratch[:0], t.Kind...), ' '), t.ID...)
		w.b = jsonstr.AppendNoHTMLBytes(w.b, w.scratch)
		w.close('}')
		w.close('}')
	}
	if related > 0 {
		w.close(']')
	}
}

// seenScan is how many of a result's distinct locations w.see compares
// one by one; past it they go in a set (a threat merged across a zone has
// hundreds of targets, most at distinct places).
const seenScan = 16

// see adds l to the result's distinct locations (w.seen) and reports
// whether it was new there.
func (w *sarifW) see(l Location) bool {
	if len(w.seen) < seenScan {
		for i := range w.seen {
			// The line and column first: nearly every location is in
			// the model's one file.
			if s := &w.seen[i]; s.Line == l.Line && s.Col == l.Col && s.File == l.File {
				return false
			}
		}
		w.seen = append(w.seen, l)
		return true
	}
	if w.seenSet == nil {
		w.seenSet = map[Location]struct{}{}
	}
	if len(w.seenSet) == 0 {
		for _, s := range w.seen {
			w.seenSet[s] = struct{}{}
		}
	}
	if _, ok := w.seenSet[l]; ok {
		return false
	}
	w.seenSet[l] = struct{}{}
	w.seen = append(w.seen, l)
	return true
}

// physical writes the SARIF physical location of l (physical) as a
// member's value.
func (w *sarifW) physical(l Location) {
	if w.art == nil || l.File != w.file {
		pl := physical(Location{File: l.File})
		w.file, w.art = l.File, &pl.ArtifactLocation
	}
	w.open('{')
	w.key("artifactLocation")
	w.open('{')
	w.str("uri", w.art.URI)
	w.strOmit("uriBaseId", w.art.URIBaseID)
	w.close('}')
	if l.Line > 0 {
		w.key("region")
		w.open('{')
		w.int("startLine", l.Line)
		if l.Col > 0 {
			w.int("startColumn", l.Col)
		}
		w.close('}')
	}
	w.close('}')
}

// appendSARIFMessage appends a result's message text: its title, residual
// risk, STRIDE categories, assets at stake (hundreds for some threats)
// and what to do about it.
func appendSARIFMessage(dst []byte, f *Finding) []byte {
	if f.Status == "unverified" {
		dst = append(dst, "Unverified (not known to be mitigated): "...)
	}
	dst = append(dst, f.Title...)
	if !strings.HasSuffix(f.Title, ".") {
		dst = append(dst, '.')
	}
	dst = append(dst, " Residual risk "...)
	dst = append(dst, f.Severity...)
	dst = append(dst, " (score "...)
	dst = strconv.AppendInt(dst, int64(f.Score), 10)
	dst = append(dst, ')')
	list := func(prefix string, l []string) {
		dst = append(dst, prefix...)
		for i, x := range l {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, x...)
		}
	}
	if len(f.Categories) > 0 {
		list(", STRIDE ", f.Categories)
	}
	if len(f.Assets) > 0 {
		list(", assets at stake: ", f.Assets)
	}
	dst = append(dst, ". Finding "...)
	dst = append(dst, f.ID...)
	dst = append(dst, " (rank "...)
	dst = strconv.AppendInt(dst, int64(f.Rank), 10)
	dst = append(dst, "): record a decision or a mitigation for it in the model."...)
	if f.Status == "unverified" {
		list(" Settle it by answering ", f.Questions)
		dst = append(dst, '.')
	}
	return dst
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

// appendTargetLabel appends targetLabel(*t).
func appendTargetLabel(dst []byte, t *Target) []byte {
	dst = append(append(append(dst, t.Kind...), ' '), t.ID...)
	if t.From != "" || t.To != "" {
		dst = append(append(append(dst, " ("...), t.From...), " → "...)
		dst = append(append(dst, t.To...), ')')
	}
	return dst
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
