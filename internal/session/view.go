package session

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/report"
)

// Element is an element or flow of the reviewed model: a board column.
type Element struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Kind is the component's kind (service, datastore, ...) or "flow".
	Kind string `json:"kind"`
}

// AssetRef is an asset of the reviewed model.
type AssetRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// strideNames maps the engine's category names to STRIDE letters.
var strideNames = map[string]string{
	"spoofing": "S", "tampering": "T", "repudiation": "R", "information_disclosure": "I",
	"denial_of_service": "D", "elevation_of_privilege": "E",
}

// StrideName returns the name of a STRIDE letter.
func StrideName(letter string) string {
	for n, l := range strideNames {
		if l == letter {
			return strings.ReplaceAll(n, "_", " ")
		}
	}
	return letter
}

// maxQuestionSeeds bounds the engine's open questions offered as cards, the
// most at stake first, so that the board stays readable.
const maxQuestionSeeds = 20

// Seeds returns the engine's open findings and open questions of a
// version's analysis as seed cards, and the elements and assets the board
// is about.
func Seeds(res *report.Result) ([]Card, []Element, []AssetRef) {
	var cards []Card
	for _, f := range res.Findings {
		if f.Status != "open" || len(f.Targets) == 0 {
			continue
		}
		c := Card{Kind: KindThreat, Target: f.Targets[0].ID, Text: f.Title, Source: f.ID, Asset: first(f.Assets)}
		for _, cat := range append([]string{f.Category}, f.Categories...) {
			if l := strideNames[cat]; l != "" && !slices.Contains(c.Stride, l) {
				c.Stride = append(c.Stride, l)
			}
		}
		cards = append(cards, c)
	}
	qs := slices.Clone(res.Questions)
	rank := map[string]int{"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
	slices.SortStableFunc(qs, func(a, b report.Question) int { return cmp.Compare(rank[a.AtStake], rank[b.AtStake]) })
	for i, q := range qs {
		if i == maxQuestionSeeds {
			break
		}
		cards = append(cards, Card{Kind: KindQuestion, Target: q.Element.ID, Text: q.Text, Source: q.ID})
	}
	var els []Element
	for _, c := range res.Components {
		if !c.OutOfScope {
			els = append(els, Element{ID: c.ID, Name: cmp.Or(c.Name, c.ID), Kind: c.Kind})
		}
	}
	for _, f := range res.Flows {
		els = append(els, Element{ID: f.ID, Name: f.From + " → " + f.To, Kind: "flow"})
	}
	var as []AssetRef
	for _, a := range res.Assets {
		as = append(as, AssetRef{ID: a.ID, Name: cmp.Or(a.Name, a.ID)})
	}
	return cards, els, as
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// Prompt is a STRIDE question for one element.
type Prompt struct {
	Letter string `json:"letter"`
	Text   string `json:"text"`
}

// Prompts returns the STRIDE questions that fit an element's kind.
func Prompts(kind string) []Prompt {
	switch kind {
	case "flow":
		return []Prompt{
			{"T", "Can someone change this data in transit, or replay it?"},
			{"I", "Can someone read this data on the way, or in logs of a hop?"},
			{"D", "What happens if this flow is flooded, slowed or cut?"},
		}
	case "datastore", "storage", "queue":
		return []Prompt{
			{"T", "Who else can write here, and would we notice a changed record?"},
			{"R", "Could someone deny a change here: is there an audit trail?"},
			{"I", "Who can read this store, its backups and snapshots?"},
			{"D", "What if it fills up, is deleted or locked?"},
		}
	case "person", "external", "client", "device":
		return []Prompt{
			{"S", "How could someone pretend to be this, or pose as us to it?"},
			{"R", "Could this party deny what it did?"},
		}
	}
	return []Prompt{
		{"S", "How could a caller pretend to be someone else here?"},
		{"T", "What input or code could someone change to alter what this does?"},
		{"R", "Which actions could someone later deny, without a log?"},
		{"I", "What could this leak: data, errors, secrets?"},
		{"D", "What could make this unavailable or slow?"},
		{"E", "How could a caller do more than it is allowed to?"},
	}
}

// Suggestion is an engine card and a team card on the same target and
// STRIDE category, offered for merging.
type Suggestion struct {
	Engine string `json:"engine"`
	Team   string `json:"team"`
}

// Suggestions returns the merges the engine suggests.
func (s *State) Suggestions() []Suggestion {
	var out []Suggestion
	for _, e := range s.Cards {
		if e.Kind != KindThreat || !e.Live() {
			continue
		}
		for _, t := range s.Cards {
			if t.Kind == KindTeam && t.Live() && t.Target == e.Target && overlap(t.Stride, e.Stride) {
				out = append(out, Suggestion{Engine: e.ID, Team: t.ID})
			}
		}
	}
	return out
}

func overlap(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// View is what one member sees of a session.
type View struct {
	State
	Viewer string `json:"viewer"`
	Role   Role   `json:"role"`
	// Mine are the viewer's votes per card; Used and Left count them.
	Mine map[string]int `json:"my_votes"`
	Used int            `json:"votes_used"`
	Left int            `json:"votes_left"`
	// Tally holds the votes per card once voting is over; nil before.
	Tally map[string]int `json:"tally,omitempty"`
	// Voters is how many members have cast at least one vote.
	Voters      int          `json:"voters"`
	Suggestions []Suggestion `json:"suggestions"`
	// Reflected is how many members answered the reflection.
	Reflected int `json:"reflected"`
	YesCount  int `json:"yes"`
}

// Hidden reports whether card c is hidden from viewer: other members'
// cards before the reveal, when the facilitator asked for it.
func (s *State) Hidden(c *Card, viewer string) bool {
	return s.Settings.HideUntilReveal && !s.Revealed && (c.Kind == KindTeam || c.Kind == KindHint) && !slices.Contains(c.Authors, viewer)
}

// anonymous names a member in anonymous sessions.
const anonymous = "anonymous"

// View returns what viewer may see: other members' hidden cards without
// their text, no authors in anonymous sessions (but one's own), one's own
// votes only and the tallies once voting is over, one's own reflection
// only (the facilitator sees all, anonymised as the session is).
func (s *State) View(viewer string) View {
	v := View{State: *s, Viewer: viewer, Role: s.role(viewer), Mine: map[string]int{}}
	// The view shares nothing mutable with the state, so that it can be
	// rendered while the state moves on.
	v.Members, v.Spans, v.Decisions, v.Merges = slices.Clone(s.Members), slices.Clone(s.Spans), slices.Clone(s.Decisions), slices.Clone(s.Merges)
	v.Elements, v.Assets = slices.Clone(s.Elements), slices.Clone(s.Assets)
	v.Threats = maps.Clone(s.Threats)
	if v.Role != Facilitator {
		v.GuestSecret = ""
	}
	v.Cards = make([]Card, len(s.Cards))
	for i, c := range s.Cards {
		c.Authors = slices.Clone(c.Authors)
		c.Stride = slices.Clone(c.Stride)
		if s.Hidden(&c, viewer) {
			c.Text, c.Asset, c.Stride, c.Authors, c.Version, c.Hidden = "", "", nil, nil, 0, true
		}
		if s.Settings.Anonymous {
			mine := slices.Contains(c.Authors, viewer)
			c.Authors = nil
			if mine {
				c.Authors = []string{viewer}
			}
		}
		v.Cards[i] = c
	}
	for c, n := range s.Votes[viewer] {
		v.Mine[c] = n
	}
	v.Used = s.Used(viewer)
	v.Left = max(s.Settings.Budget-v.Used, 0)
	v.Votes = nil
	for _, vs := range s.Votes {
		if len(vs) > 0 {
			v.Voters++
		}
	}
	if s.Phase.index() > Vote.index() {
		v.Tally = s.Tally()
	}
	v.Suggestions = s.Suggestions()
	v.Reflected, v.YesCount = len(s.Reflections), s.Yes()
	v.Reflections = map[string]Reflection{}
	if v.Role == Facilitator || s.Outcome != "" {
		n := 0
		for _, m := range s.Members {
			r, ok := s.Reflections[m.ID]
			if !ok {
				continue
			}
			n++
			key := m.ID
			if s.Settings.Anonymous {
				key = fmt.Sprintf("%s %d", anonymous, n)
			}
			v.Reflections[key] = r
		}
	} else if r, ok := s.Reflections[viewer]; ok {
		v.Reflections[viewer] = r
	}
	if s.Settings.Anonymous {
		for i := range v.Merges {
			v.Merges[i].By = ""
		}
	}
	return v
}

// Ranked returns the cards the team may vote on, the most voted first
// (only meaningful once the tallies are visible), ties by card order.
func (v *View) Ranked() []Card {
	var out []Card
	for _, c := range v.Cards {
		if c.Votable() {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Card) int { return cmp.Compare(v.Tally[b.ID], v.Tally[a.ID]) })
	return out
}

// Name returns a member's display name as the viewer may see it.
func (v *View) Name(id string) string {
	if m := v.Member(id); m != nil {
		return cmp.Or(m.Name, m.ID)
	}
	return id
}
