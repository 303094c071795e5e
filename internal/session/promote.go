package session

import (
	"slices"
	"strings"
)

// ThreatEntry is a threat to add to the model's threats list.
type ThreatEntry struct {
	ID          string
	Title       string
	Description string
	Stride      []string
	Targets     []string
	Assets      []string
	Likelihood  string
	Impact      string
	// FoundBy is team, or security_review when an observer's hint led to it.
	FoundBy     string
	Owner       string
	Status      string
	Reason      string
	Expires     string
	Mitigations []string
}

// MitigationEntry is a mitigation to add to the model.
type MitigationEntry struct {
	ID     string
	Title  string
	Status string
	Owner  string
	Due    string
}

// AssumptionEntry is an assumption to add to the model.
type AssumptionEntry struct {
	ID       string
	Text     string
	Supports []string
}

// FindingDecision is a decision on one of the engine's findings, for an
// engine card the team took and decided without rewriting it.
type FindingDecision struct {
	Finding     string
	Status      string
	Reason      string
	Owner       string
	Expires     string
	Mitigations []string
}

// Plan is what the session's decisions add to the model.
type Plan struct {
	Threats     []ThreatEntry
	Mitigations []MitigationEntry
	Assumptions []AssumptionEntry
	Decisions   []FindingDecision
	// Cards maps each decided card to the threat or finding id it became.
	Cards map[string]string
}

// Plan returns the model changes of the decisions not yet saved.
func (s *State) Plan() Plan {
	p := Plan{Cards: map[string]string{}}
	for _, d := range s.Decisions {
		c := s.Card(d.Card)
		if c == nil || s.Threats[c.ID] != "" {
			continue
		}
		id := "session-" + s.ID + "-" + c.ID
		var mits []string
		if d.Status == "mitigate" {
			m := MitigationEntry{ID: id + "-m", Title: oneLine(d.Mitigation), Status: "planned", Owner: d.Owner, Due: d.Due}
			p.Mitigations = append(p.Mitigations, m)
			mits = []string{m.ID}
		}
		var status string
		switch d.Status {
		case "accept":
			status = "accepted"
		case "false_positive":
			status = "false_positive"
		}
		if c.Kind == KindThreat && len(c.Authors) == 0 && c.Source != "" {
			// The engine's own finding, taken as it was: a decision on it.
			fd := FindingDecision{Finding: c.Source, Status: status, Reason: d.Reason, Expires: d.Expires, Mitigations: mits, Owner: d.Owner}
			if d.Status == "mitigate" {
				fd.Status = "mitigated"
			}
			p.Decisions = append(p.Decisions, fd)
			p.Cards[c.ID] = c.Source
		} else {
			t := ThreatEntry{ID: id, Title: oneLine(d.Title), Description: c.Text, Stride: slices.Clone(c.Stride), Targets: []string{c.Target},
				Likelihood: d.Likelihood, Impact: d.Impact, FoundBy: "team", Owner: d.Owner, Status: status, Mitigations: mits}
			if c.Asset != "" {
				t.Assets = []string{c.Asset}
			}
			if c.Kind == KindHint || len(c.Hints) > 0 {
				t.FoundBy = "security_review"
			}
			if status != "" {
				t.Reason = d.Reason
			}
			if status == "accepted" {
				t.Expires = d.Expires
			}
			p.Threats = append(p.Threats, t)
			p.Cards[c.ID] = id
		}
		if a := strings.TrimSpace(d.Assumption); a != "" {
			p.Assumptions = append(p.Assumptions, AssumptionEntry{ID: id + "-a", Text: a, Supports: []string{p.Cards[c.ID]}})
		}
	}
	return p
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
