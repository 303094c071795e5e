package programme

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Outside is a finding made outside the model: a pen test, a bug bounty
// report, an incident, a security review after the fact.
type Outside struct {
	ID       string    `json:"id"`
	Source   string    `json:"source"` // pen_test, bug_bounty, incident, security_review
	Title    string    `json:"title"`
	Severity string    `json:"severity"`
	Found    time.Time `json:"found"`
	SystemID string    `json:"system"`
	// Element and Category say where in the model the flaw was and which
	// STRIDE category it belongs to, when the reporter (or the mapping)
	// knows; CWE is the weakness, when named.
	Element  string `json:"element,omitempty"`
	Category string `json:"category,omitempty"`
	CWE      []int  `json:"cwe,omitempty"`
	// Threat links the finding to a threat or finding id of the model.
	Threat string `json:"threat,omitempty"`
	// Cost is what the finding cost (bounty paid, share of the engagement),
	// in the organisation's currency; 0 when unknown.
	Cost float64 `json:"cost,omitempty"`
	// Ref is the finding's id on the platform it came from.
	Ref string `json:"ref,omitempty"`
}

// Catch is the answer to "would the model have caught it?".
type Catch string

// The answers.
const (
	// Known: the model already had the threat (open, accepted, mitigated
	// but not well enough, or a decided engine finding).
	Known Catch = "known"
	// Engine: nobody wrote it, but the engine raises it on the model now.
	Engine Catch = "engine"
	// Escape: nothing in the model covered it.
	Escaped Catch = "escape"
	// Unlinked: the finding names no system Ward knows, so nothing can be
	// said yet.
	Unlinked Catch = "unlinked"
)

// Label is the answer in words.
func (c Catch) Label() string {
	switch c {
	case Known:
		return "the model had it"
	case Engine:
		return "the engine raises it now"
	case Escaped:
		return "escape: nothing covered it"
	case Unlinked:
		return "not linked to a system"
	}
	return string(c)
}

// CatchResult explains the answer: the threat that matched and how, or for
// an escape the element and STRIDE category the model should have had.
type CatchResult struct {
	Catch        Catch  `json:"catch"`
	Threat       string `json:"threat,omitempty"`
	ThreatStatus string `json:"threat_status,omitempty"`
	Element      string `json:"element,omitempty"`
	Category     string `json:"category,omitempty"`
	Why          string `json:"why"`
}

// CatchOf answers "would the model have caught it?" for one outside
// finding against the findings of its system's model (people's threats and
// the engine's findings). It matches, in order: the threat named by the
// finding; a threat on the finding's element in its STRIDE category (from
// the CWE when no category is given); a threat on the element with the
// same CWE; a threat anywhere in the system with the same CWE. A people's
// threat or a decided engine finding means the model had it; an engine
// finding nobody decided means the engine raises it now; no match is an
// escape. known is false when the system has no model (Unlinked).
func CatchOf(o Outside, fs []Finding, known bool) CatchResult {
	if !known {
		return CatchResult{Catch: Unlinked, Why: "no model of this system is stored: link the finding to a system Ward knows"}
	}
	return NewModel(fs).Catch(o)
}

// Model is a system's findings ready for many catch analyses (an import
// checks thousands of findings against one model).
type Model struct {
	ranked []Finding
}

// NewModel prepares a model's findings: people's threats and decided
// findings are preferred over undecided ones when several match.
func NewModel(fs []Finding) *Model {
	ranked := slices.Clone(fs)
	slices.SortStableFunc(ranked, func(a, b Finding) int { return weight(b) - weight(a) })
	return &Model{ranked: ranked}
}

// Catch answers CatchOf for a system that has a model; nil answers
// Unlinked.
func (m *Model) Catch(o Outside) CatchResult {
	if m == nil {
		return CatchResult{Catch: Unlinked, Why: "no model of this system is stored: link the finding to a system Ward knows"}
	}
	cat := o.Category
	if cat == "" {
		for _, c := range o.CWE {
			if x, ok := CWECategory(c); ok {
				cat = x
				break
			}
		}
	}
	answer := func(f Finding, how string) CatchResult {
		r := CatchResult{Catch: Known, Threat: f.ID, ThreatStatus: f.Status, Element: first(f.Elements), Category: first(f.Categories)}
		who := "written by " + SourceLabel(f.FoundBy)
		if f.Origin != "people" {
			if !f.Decided {
				r.Catch = Engine
				r.Why = fmt.Sprintf("the engine raises %s (%s) %s; nobody decided on it", f.ID, f.Status, how)
				return r
			}
			who = "raised by the engine and decided"
		}
		r.Why = fmt.Sprintf("the model had %s (%s, %s) %s", f.ID, f.Status, who, how)
		return r
	}
	ranked := m.ranked
	if o.Threat != "" {
		for _, f := range ranked {
			if f.ID == o.Threat {
				return answer(f, "— the finding names it")
			}
		}
	}
	if o.Element != "" && cat != "" {
		for _, f := range ranked {
			if slices.Contains(f.Elements, o.Element) && slices.Contains(f.Categories, cat) {
				return answer(f, fmt.Sprintf("on %s in %s", o.Element, cat))
			}
		}
	}
	if len(o.CWE) > 0 {
		for _, f := range ranked {
			if (o.Element == "" || slices.Contains(f.Elements, o.Element)) && sharesCWE(f.CWE, o.CWE) {
				where := "in this system"
				if o.Element != "" {
					where = "on " + o.Element
				}
				return answer(f, fmt.Sprintf("with the same weakness (CWE-%d) %s", o.CWE[0], where))
			}
		}
	}
	r := CatchResult{Catch: Escaped, Element: o.Element, Category: cat}
	switch {
	case o.Threat != "":
		r.Why = fmt.Sprintf("the model has no threat %s", o.Threat)
	case o.Element == "" && cat == "":
		r.Why = "nothing in the model matches; the finding names no element or STRIDE category to place it"
	case o.Element == "":
		r.Why = fmt.Sprintf("no threat in %s anywhere in the model; name the element it should have been on", cat)
	case cat == "":
		r.Why = fmt.Sprintf("no threat on %s matches; the finding names no STRIDE category", o.Element)
	default:
		article := "a"
		if strings.ContainsRune("aeiou", rune(cat[0])) {
			article = "an"
		}
		r.Why = fmt.Sprintf("the model should have had %s %s threat on %s", article, cat, o.Element)
	}
	return r
}

func weight(f Finding) int {
	switch {
	case f.Origin == "people":
		return 2
	case f.Decided:
		return 1
	}
	return 0
}

func sharesCWE(a, b []int) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
