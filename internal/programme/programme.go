// Package programme is the self-serve programme's logic: who found each
// threat, whether a model would have caught an outside finding (pen test,
// bug bounty, incident), the phases teams move through with the rules that
// propose a move and the numbers behind each proposal, and the cost view
// leadership reads, always as ranges with their sources.
//
// Everything here is a pure function over values: no storage, no HTTP, no
// clock (callers pass now). Package store keeps the records; package server
// wires them up; the parsers for outside findings (Parse) read bytes the
// caller has already read.
package programme

import (
	"fmt"
	"slices"
	"strings"
)

// Phase is where a team stands in the self-serve programme.
type Phase string

// The phases, in order.
const (
	Traditional      Phase = "traditional"       // security builds the model
	Training         Phase = "training"          // the team is being trained
	Observation      Phase = "observation"       // the team leads, security attends and guides
	Review           Phase = "review"            // security only reviews the artefacts
	SecurityOptional Phase = "security_optional" // review optional and sampled
)

// Phases lists the phases in order.
var Phases = []Phase{Traditional, Training, Observation, Review, SecurityOptional}

// ParsePhase parses a phase name.
func ParsePhase(s string) (Phase, bool) {
	p := Phase(s)
	return p, slices.Contains(Phases, p)
}

// Label is the phase for people.
func (p Phase) Label() string {
	switch p {
	case Traditional:
		return "Traditional"
	case Training:
		return "Training"
	case Observation:
		return "Observation"
	case Review:
		return "Review"
	case SecurityOptional:
		return "Security-optional"
	}
	return string(p)
}

// Index is the phase's position (0 for Traditional); -1 for an unknown one.
func (p Phase) Index() int { return slices.Index(Phases, p) }

// Next returns the phase after p, false for the last.
func (p Phase) Next() (Phase, bool) {
	i := p.Index()
	if i < 0 || i+1 >= len(Phases) {
		return "", false
	}
	return Phases[i+1], true
}

// Prev returns the phase before p, false for the first.
func (p Phase) Prev() (Phase, bool) {
	i := p.Index()
	if i <= 0 {
		return "", false
	}
	return Phases[i-1], true
}

// LeadsAnalysis reports whether a team in phase p leads its own threat
// analysis (BSIMM AA3.1's "engineering teams lead architecture analysis"):
// Observation and later.
func (p Phase) LeadsAnalysis() bool { return p.Index() >= Observation.Index() }

// Who found a threat (the found_by values of the model).
const (
	ByTeam           = "team"
	BySecurityReview = "security_review"
	ByPenTest        = "pen_test"
	ByBugBounty      = "bug_bounty"
	ByIncident       = "incident"
	ByTool           = "tool"
)

// Sources lists the found_by values in the order tables show them.
var Sources = []string{ByTeam, BySecurityReview, ByTool, ByPenTest, ByBugBounty, ByIncident}

// OutsideSources are the sources of outside findings.
var OutsideSources = []string{ByPenTest, ByBugBounty, ByIncident, BySecurityReview}

// SourceLabel says who found a threat in words.
func SourceLabel(s string) string {
	switch s {
	case ByTeam:
		return "team"
	case BySecurityReview:
		return "security review"
	case ByPenTest:
		return "pen test"
	case ByBugBounty:
		return "bug bounty"
	case ByIncident:
		return "incident"
	case ByTool:
		return "engine"
	}
	return s
}

// Severities lists the severities, worst first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// SevRank ranks a severity: critical 5 … info 1, 0 for anything else.
func SevRank(s string) int {
	if i := slices.Index(Severities, s); i >= 0 {
		return len(Severities) - i
	}
	return 0
}

// Categories are the STRIDE categories as the model writes them.
var Categories = []string{"spoofing", "tampering", "repudiation", "information_disclosure", "denial_of_service", "elevation_of_privilege"}

// normCategory accepts a STRIDE category by name, letter or common
// spelling ("Information Disclosure", "I", "info-disclosure").
func normCategory(s string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.NewReplacer(" ", "_", "-", "_").Replace(k)
	if slices.Contains(Categories, k) {
		return k, true
	}
	switch k {
	case "s":
		return "spoofing", true
	case "t":
		return "tampering", true
	case "r":
		return "repudiation", true
	case "i", "info_disclosure", "disclosure":
		return "information_disclosure", true
	case "d", "dos", "denial":
		return "denial_of_service", true
	case "e", "eop", "elevation", "privilege_escalation":
		return "elevation_of_privilege", true
	}
	return "", false
}

// normSeverity accepts a severity in common spellings ("Critical", "P1",
// "sev-2") and CVSS-style numbers are not guessed: an unknown value fails.
func normSeverity(s string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	if SevRank(k) > 0 {
		return k, true
	}
	switch k {
	case "p1", "sev1", "sev-1", "s1", "urgent":
		return "critical", true
	case "p2", "sev2", "sev-2", "s2", "important", "error":
		return "high", true
	case "p3", "sev3", "sev-3", "s3", "moderate", "warning":
		return "medium", true
	case "p4", "sev4", "sev-4", "s4", "note", "minor":
		return "low", true
	case "p5", "informational", "none":
		return "info", true
	}
	return "", false
}

// CWECategory is the STRIDE category a weakness most often stands for,
// for outside findings that name a CWE but no category.
func CWECategory(cwe int) (string, bool) {
	c, ok := cweStride[cwe]
	return c, ok
}

var cweStride = map[int]string{
	20: "tampering", 22: "information_disclosure", 77: "tampering", 78: "tampering", 79: "tampering", 89: "tampering",
	94: "tampering", 200: "information_disclosure", 209: "information_disclosure", 284: "elevation_of_privilege",
	285: "elevation_of_privilege", 287: "spoofing", 290: "spoofing", 295: "spoofing", 306: "spoofing", 307: "spoofing",
	311: "information_disclosure", 312: "information_disclosure", 319: "information_disclosure", 321: "information_disclosure",
	345: "tampering", 347: "tampering", 352: "tampering", 384: "spoofing", 400: "denial_of_service", 434: "tampering",
	502: "tampering", 532: "information_disclosure", 601: "spoofing", 611: "information_disclosure", 613: "spoofing",
	639: "elevation_of_privilege", 668: "information_disclosure", 732: "elevation_of_privilege", 770: "denial_of_service",
	778: "repudiation", 798: "information_disclosure", 862: "elevation_of_privilege", 863: "elevation_of_privilege",
	918: "elevation_of_privilege", 1336: "tampering",
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
