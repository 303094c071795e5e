package report

import (
	"fmt"
	"strings"
	"testing"
)

// The text renderer as it was written with fmt, kept to compare the
// hand-written appends with.

func oracleTextFinding(dst []byte, f *Finding, qs map[string]Question, opt TextOptions) []byte {
	line := func(format string, args ...any) {
		start := len(dst)
		dst = fmt.Appendf(dst, format, args...)
		if mayHide(dst[start:]) {
			shown := mdControls(string(dst[start:]))
			dst = append(dst[:start], shown...)
		}
	}
	status := strings.ReplaceAll(f.Status, "_", " ")
	if f.Reopened != "" {
		status = "reopened"
	}
	// A closed threat's severity is what it was, not an open risk.
	sev := strings.ToUpper(f.Severity)
	if !Active(f.Status) {
		sev = "(" + f.Severity + ")"
	}
	line("%3d. %-8s %-10s %s\n", f.Rank, sev, status, f.Title)
	cats := f.Category
	if len(f.Categories) > 1 {
		cats = strings.Join(f.Categories, ", ")
	}
	line("     %s  [%s%s]  %s\n", f.ID, cats, oracleCWEList(f.CWE()), oracleLocString(f.Location))
	if d := f.Decision; d != nil && len(d.Covers) > 0 {
		line("     %s, covers hops %s\n", strings.ReplaceAll(d.Status, "_", " "), strings.Join(d.Covers, ", "))
	}
	if f.Reopened != "" {
		line("     re-opened: %s\n", f.Reopened)
	}
	if f.Status == "unverified" {
		for _, id := range f.Questions {
			if q, ok := qs[id]; ok {
				line("     settle: set %s\n", oracleAnswerPath(q))
			}
		}
	}
	if opt.Verbose {
		if f.Description != "" {
			line("     %s\n", f.Description)
		}
		line("     risk: likelihood %s × impact %s = %d (inherent %d, projected %d)\n", riskOr(f.Residual).LikelihoodLabel, riskOr(f.Residual).ImpactLabel,
			riskOr(f.Residual).Score, riskOr(f.Inherent).Score, riskOr(f.Projected).Score)
		for _, why := range f.Rationale {
			line("       - %s\n", why)
		}
		for _, m := range f.Suggested() {
			line("     fix: %s\n", m)
		}
	}
	return dst
}
func oracleAnswerPath(q Question) string {
	switch q.Key {
	case "encryption", "authentication", "forwards_identity":
		return fmt.Sprintf("flows[%s].%s", q.Element.ID, q.Key)
	case "*":
		return fmt.Sprintf("%ss[%s].controls", q.Element.Kind, q.Element.ID)
	}
	return fmt.Sprintf("%ss[%s].controls.%s", q.Element.Kind, q.Element.ID, q.Key)
}
func oracleCWEList(cwe []int) string {
	if len(cwe) == 0 {
		return ""
	}
	parts := make([]string, len(cwe))
	for i, c := range cwe {
		parts[i] = fmt.Sprintf("CWE-%d", c)
	}
	return ", " + strings.Join(parts, ", ")
}
func oracleLocString(l *Location) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Col)
}

// TestTextFindingIsFmt compares textFinding with the fmt version on
// findings with every field set, empty, wide, and holding control and
// non-ASCII characters.
func TestTextFindingIsFmt(t *testing.T) {
	qs := map[string]Question{
		"q1": {ID: "q1", Key: "encryption", Element: &Target{Kind: "flow", ID: "a-to-b"}},
		"q2": {ID: "q2", Key: "*", Element: &Target{Kind: "component", ID: "db"}},
		"q3": {ID: "q3", Key: "authn\x1b[31m", Element: &Target{Kind: "component", ID: "wéb"}},
	}
	var fs []Finding
	for _, rank := range []int{0, 7, 42, 999, 1000, 123456, -3} {
		for _, st := range []string{"open", "unverified", "accepted", "false_positive", "mitigated"} {
			for _, sev := range []string{"critical", "high", "low", "", "sévère-très-longue", "x\x07y"} {
				fs = append(fs, Finding{Rank: rank, Status: st, Severity: sev, Title: "Tampering with `db` \u202e" + sev,
					ID: "r:" + st, Category: "tampering", FindingRefs: &FindingRefs{CWE: []int{rank, 79}[:rank&1+1], Suggested: []string{"fix it"}}, Location: &Location{File: "m/ward.yaml", Line: rank, Col: 3},
					Reopened: map[bool]string{true: "mitigation m1 is gone"}[rank == 42], Questions: []string{"q1", "q2", "q3", "nope"},
					Description: "desc\r\nline", Rationale: []string{"why", "ünïcode"},
					Residual: &Risk{LikelihoodLabel: "high", ImpactLabel: "low", Score: 6}, Inherent: &Risk{Score: 9}, Projected: &Risk{Score: 2},
					Decision: map[bool]*Decision{true: {Status: st, Covers: []string{"r:a-db", "r:b-\x1b[2Jdb"}}}[rank == 7 || rank == 999]})
			}
		}
	}
	fs = append(fs, Finding{})
	for _, verbose := range []bool{false, true} {
		opt := TextOptions{Verbose: verbose}
		for i := range fs {
			ptrs := make(map[string]*Question, len(qs))
			for id, q := range qs {
				ptrs[id] = &q
			}
			got := string(textFinding(nil, &fs[i], ptrs, opt))
			want := string(oracleTextFinding(nil, &fs[i], qs, opt))
			if got != want {
				t.Errorf("finding %d, verbose %v:\ngot  %q\nwant %q", i, verbose, got, want)
			}
		}
	}
}
