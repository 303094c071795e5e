package session

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Record is a session's history for the design doc and as programme
// evidence: who joined, how long each phase took, the cards with their
// authors (unless the session was anonymous), merges, vote tallies,
// decisions and the threats they became, the reflection and the model
// version produced.
type Record struct {
	Schema     string            `json:"schema"`
	ID         string            `json:"id"`
	System     string            `json:"system"`
	Team       string            `json:"team"`
	Version    int               `json:"version"`
	Title      string            `json:"title"`
	Created    time.Time         `json:"created"`
	Anonymous  bool              `json:"anonymous"`
	Phase      Phase             `json:"phase"`
	Members    []RecordMember    `json:"members"`
	Phases     []RecordPhase     `json:"phases"`
	Cards      []RecordCard      `json:"cards"`
	Merges     []Merge           `json:"merges"`
	Decisions  []Decision        `json:"decisions"`
	Threats    map[string]string `json:"threats"`
	Produced   int               `json:"produced_version,omitempty"`
	Reflection RecordReflection  `json:"reflection"`

	// SecurityInvited: security was invited to observe.
	SecurityInvited bool `json:"security_invited,omitempty"`
}

// RecordMember is one member who joined.
type RecordMember struct {
	Name     string    `json:"name"`
	Role     Role      `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

// RecordPhase is how long a phase took.
type RecordPhase struct {
	Phase   Phase     `json:"phase"`
	Start   time.Time `json:"start"`
	Seconds int       `json:"seconds"`
}

// RecordCard is a card with its votes.
type RecordCard struct {
	ID         string   `json:"id"`
	Kind       string   `json:"kind"`
	Authors    []string `json:"authors"`
	Target     string   `json:"target"`
	Stride     []string `json:"stride"`
	Asset      string   `json:"asset,omitempty"`
	Text       string   `json:"text"`
	Source     string   `json:"source,omitempty"`
	Seed       string   `json:"seed,omitempty"`
	MergedInto string   `json:"merged_into,omitempty"`
	Votes      int      `json:"votes"`
}

// RecordReflection is the result of "did we do a good enough job?".
type RecordReflection struct {
	Present  int    `json:"present"`
	Yes      int    `json:"yes"`
	NotYet   int    `json:"not_yet"`
	Majority int    `json:"majority_percent"`
	Outcome  string `json:"outcome"`
	// Comments keep every answer's comment, the dissent included;
	// By is empty in anonymous sessions.
	Comments []RecordComment `json:"comments"`
}

// RecordComment is one reflection answer with a comment.
type RecordComment struct {
	By      string `json:"by,omitempty"`
	Yes     bool   `json:"yes"`
	Comment string `json:"comment"`
}

// RecordSchema names the record's JSON format.
const RecordSchema = "ward.session/v1"

// Record returns the session's record; now ends a phase still running.
func (s *State) Record(now time.Time) Record {
	r := Record{Schema: RecordSchema, ID: s.ID, System: s.SystemID, Team: s.TeamID, Version: s.Version, Title: s.Title, Created: s.Created,
		Anonymous: s.Settings.Anonymous, SecurityInvited: s.SecurityInvited, Phase: s.Phase, Produced: s.Produced, Threats: map[string]string{}, Decisions: slices.Clone(s.Decisions)}
	name := func(id string) string {
		if m := s.Member(id); m != nil {
			return cmp.Or(m.Name, m.ID)
		}
		return id
	}
	for _, m := range s.Members {
		r.Members = append(r.Members, RecordMember{Name: cmp.Or(m.Name, m.ID), Role: m.Role, JoinedAt: m.JoinedAt})
	}
	for _, sp := range s.Spans {
		end := sp.End
		if end.IsZero() {
			end = now
		}
		r.Phases = append(r.Phases, RecordPhase{Phase: sp.Phase, Start: sp.Start, Seconds: int(end.Sub(sp.Start).Seconds())})
	}
	tally := s.Tally()
	for _, c := range s.Cards {
		if c.Seed == SeedOffered {
			continue // the engine's offers nobody took are in the analysis already
		}
		rc := RecordCard{ID: c.ID, Kind: c.Kind, Target: c.Target, Stride: c.Stride, Asset: c.Asset, Text: c.Text, Source: c.Source, Seed: c.Seed,
			MergedInto: c.MergedInto, Votes: tally[c.ID], Authors: []string{}}
		if !s.Settings.Anonymous {
			for _, a := range c.Authors {
				rc.Authors = append(rc.Authors, name(a))
			}
		}
		r.Cards = append(r.Cards, rc)
	}
	for _, m := range s.Merges {
		if s.Settings.Anonymous {
			m.By = ""
		} else {
			m.By = name(m.By)
		}
		r.Merges = append(r.Merges, m)
	}
	for k, v := range s.Threats {
		r.Threats[k] = v
	}
	rf := RecordReflection{Present: s.Present(), Yes: s.Yes(), NotYet: len(s.Reflections) - s.Yes(), Majority: s.Settings.Majority, Outcome: s.Outcome,
		Comments: []RecordComment{}}
	for _, m := range s.Members {
		x, ok := s.Reflections[m.ID]
		if !ok || x.Comment == "" {
			continue
		}
		c := RecordComment{Yes: x.Yes, Comment: x.Comment}
		if !s.Settings.Anonymous {
			c.By = name(m.ID)
		}
		rf.Comments = append(rf.Comments, c)
	}
	r.Reflection = rf
	return r
}

// Markdown renders the record for a design document.
func (r *Record) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Threat-modeling session: %s\n\n", md(r.Title))
	p("System `%s` (team `%s`), model version %d, opened %s.\n", r.System, r.Team, r.Version, r.Created.UTC().Format("2006-01-02 15:04 MST"))
	switch r.Reflection.Outcome {
	case SignedOff:
		p("**Signed off**: %d of %d present said the job was good enough (more than %d %% needed).\n", r.Reflection.Yes, r.Reflection.Present, r.Reflection.Majority)
	case StaysOpen:
		p("**Not signed off**: %d of %d present said yes (more than %d %% needed); the session stays open.\n", r.Reflection.Yes, r.Reflection.Present, r.Reflection.Majority)
	default:
		p("In progress (phase: %s).\n", r.Phase)
	}
	if r.SecurityInvited {
		p("Security was invited to observe.\n")
	}
	if r.Produced > 0 {
		p("The decisions were saved as model version %d.\n", r.Produced)
	}
	p("\n## Who took part\n\n")
	for _, m := range r.Members {
		p("- %s (%s)\n", md(m.Name), m.Role)
	}
	p("\n## Phases\n\n| phase | minutes |\n|---|---|\n")
	for _, ph := range r.Phases {
		p("| %s | %.1f |\n", ph.Phase, float64(ph.Seconds)/60)
	}
	p("\n## Decisions\n\n")
	if len(r.Decisions) == 0 {
		p("None.\n")
	}
	for _, d := range r.Decisions {
		id := r.Threats[d.Card]
		p("- **%s** (`%s`, likelihood %s × impact %s): ", md(d.Title), id, d.Likelihood, d.Impact)
		switch d.Status {
		case "mitigate":
			p("mitigate — %s, owner %s", md(d.Mitigation), md(d.Owner))
			if d.Due != "" {
				p(", due %s", d.Due)
			}
		case "accept":
			p("accepted by %s until %s — %s", md(d.Owner), d.Expires, md(d.Reason))
		default:
			p("false positive — %s", md(d.Reason))
		}
		p("\n")
		if d.Assumption != "" {
			p("  - assumed: %s\n", md(d.Assumption))
		}
	}
	p("\n## Cards\n\n| card | kind | target | STRIDE | votes | text | by |\n|---|---|---|---|---|---|---|\n")
	for _, c := range r.Cards {
		text := c.Text
		if c.MergedInto != "" {
			text = "(merged into " + c.MergedInto + ") " + text
		}
		p("| %s | %s | %s | %s | %d | %s | %s |\n", c.ID, c.Kind, c.Target, strings.Join(c.Stride, ""), c.Votes, cell(text), cell(strings.Join(c.Authors, ", ")))
	}
	if len(r.Merges) > 0 {
		p("\n## Merges\n\n")
		for _, m := range r.Merges {
			p("- %s into %s", m.From, m.Into)
			if m.By != "" {
				p(" by %s", md(m.By))
			}
			p("\n")
		}
	}
	p("\n## Reflection: did we do a good enough job?\n\n%d yes, %d not yet, of %d present.\n", r.Reflection.Yes, r.Reflection.NotYet, r.Reflection.Present)
	for _, c := range r.Reflection.Comments {
		ans := "not yet"
		if c.Yes {
			ans = "yes"
		}
		by := ""
		if c.By != "" {
			by = " — " + md(c.By)
		}
		p("- %s: %s%s\n", ans, md(c.Comment), by)
	}
	return b.String()
}

// md keeps user text on one line in Markdown.
func md(s string) string { return strings.Join(strings.Fields(s), " ") }

// cell makes text safe inside a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(md(s), "|", "\\|") }
