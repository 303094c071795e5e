package training

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/session"
)

// Phase is where a training run stands.
type Phase string

// Phases of a run, in order. Each group's board follows the run's phase.
const (
	// Read: groups read the design; they may write assumptions and questions.
	Read Phase = "read"
	// Find: groups write threats (cards per element or flow, with STRIDE).
	Find Phase = "find"
	// Prioritise: groups tidy their threats (edit, merge) and rank a top three.
	Prioritise Phase = "prioritise"
	// Done: the run is complete; results and the comparison are shown to all.
	Done Phase = "done"
)

// Phases lists the phases in order.
var Phases = []Phase{Read, Find, Prioritise, Done}

// boardPhase is the live-session phase a group's board is in for each run
// phase: the board's rules (who may add, edit and merge cards) are the
// session's.
var boardPhase = map[Phase]session.Phase{Read: session.Review, Find: session.Brainstorm, Prioritise: session.Group, Done: session.Close}

// Limits of a run.
const (
	MaxGroups      = 12
	MaxNotes       = 200
	MaxNameLen     = 80
	maxCardsPerRun = 2000
)

// Errors of Apply, all errors of the request.
var (
	ErrForbidden = session.ErrForbidden
	ErrPhase     = session.ErrPhase
	ErrInvalid   = session.ErrInvalid
	ErrNotFound  = session.ErrNotFound
)

func errf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))
}

// Run is one training run of an exercise.
type Run struct {
	ID       string `json:"id"`
	Exercise string `json:"exercise"`
	Title    string `json:"title"`
	// Instructor is the member id of who opened the run; they facilitate
	// every group's board.
	Instructor     string    `json:"instructor"`
	InstructorName string    `json:"instructor_name"`
	Phase          Phase     `json:"phase"`
	Minutes        Minutes   `json:"minutes"`
	Deadline       time.Time `json:"deadline,omitzero"`
	Created        time.Time `json:"created"`
	Completed      time.Time `json:"completed,omitzero"`
	Groups         []*Group  `json:"groups"`
	// Added are threats the instructor accepted from groups' finds
	// outside the reference; they count as reference threats in this run.
	Added []RefThreat `json:"added,omitempty"`
	// Matched maps a group's card ("g1/g1-c3") to the reference threat
	// the instructor judged it to be, when the mechanical match (same
	// element, shared STRIDE letter) missed it.
	Matched map[string]string `json:"matched,omitempty"`
	Seq     int64             `json:"seq"`
	// GuestLink is the hash of the run's guest link secret ("" when the
	// instructor made none or revoked it); Guests maps the hash of each
	// guest's own cookie secret to the guest. Both stay on the server
	// (the server blanks them in what it answers).
	GuestLink string           `json:"guest_link,omitempty"`
	Guests    map[string]Guest `json:"guests,omitempty"`
}

// Guest is a one-off participant who joined through the run's guest link.
// Guests join a group like members but never count as team evidence.
type Guest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Group is one group of a run with its own board.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Board is the group's board: a live session's state (cards, members,
	// phases and time boxes).
	Board session.State `json:"board"`
	// Notes are the group's assumptions and questions about the design.
	Notes []Note `json:"notes"`
	// TopThree lists card ids, most important first.
	TopThree    []string  `json:"top_three"`
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	// Teams maps each participant's member id to their team at joining
	// (for training evidence; "" for people without a team).
	Teams map[string]string `json:"teams"`
}

// Note kinds.
const (
	Assumption = "assumption"
	Question   = "question"
)

// Note is an assumption or a question a group wrote about the design.
type Note struct {
	ID     string    `json:"id"`
	Kind   string    `json:"kind"`
	Author string    `json:"author"`
	Target string    `json:"target,omitempty"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

// Actor is who acts on a run.
type Actor struct {
	ID   string
	Name string
	// Team is the actor's team, recorded when they join a group.
	Team string
}

// Action is one change to a run. Only the fields of its type are set.
type Action struct {
	// Type is join, card.add, card.edit, card.merge, note.add, top_three,
	// submit (groups); phase, accept (the instructor).
	Type  string `json:"type"`
	Group string `json:"group,omitempty"`
	// card.add, card.edit (Card.Version names the version edited)
	Card *session.Card `json:"card,omitempty"`
	// card.merge: From is merged into CardID
	CardID string `json:"card_id,omitempty"`
	From   string `json:"from,omitempty"`
	// note.add
	Note *Note `json:"note,omitempty"`
	// top_three: card ids, most important first
	TopThree []string `json:"top_three,omitempty"`
	// phase
	Phase Phase `json:"phase,omitempty"`
	// accept: the card (of Group) added to the reference with a severity
	Severity string `json:"severity,omitempty"`
	// match: the card (of Group) counts as this reference threat ("" undoes)
	Ref   string `json:"ref,omitempty"`
	Title string `json:"title,omitempty"`
}

// Open starts a run of an exercise with named groups, in the read phase
// with its time box running. Zero minutes take the exercise's.
func Open(id string, x *Exercise, title string, groups []string, minutes Minutes, instructor Actor, at time.Time) (*Run, error) {
	if len(groups) < 1 || len(groups) > MaxGroups {
		return nil, errf(ErrInvalid, "a run has 1 to %d groups", MaxGroups)
	}
	if minutes == (Minutes{}) {
		minutes = x.Minutes
	}
	for _, m := range []int{minutes.Read, minutes.Find, minutes.Prioritise} {
		if m < 1 || m > 240 {
			return nil, errf(ErrInvalid, "each phase's time box is 1 to 240 minutes")
		}
	}
	title = strings.TrimSpace(title)
	if title == "" {
		title = x.Title
	}
	if len(title) > 200 {
		return nil, errf(ErrInvalid, "a title holds at most 200 characters")
	}
	r := &Run{ID: id, Exercise: x.ID, Title: title, Instructor: instructor.ID, InstructorName: instructor.Name,
		Phase: Read, Minutes: minutes, Created: at}
	var els []session.Element
	for _, e := range x.Elements() {
		els = append(els, session.Element{ID: e.ID, Name: e.Name, Kind: e.Kind})
	}
	var assets []session.AssetRef
	for _, a := range x.Model.Assets {
		assets = append(assets, session.AssetRef{ID: a.ID, Name: a.Name})
	}
	seen := map[string]bool{}
	for i, name := range groups {
		name = strings.TrimSpace(name)
		if name == "" || len(name) > MaxNameLen {
			return nil, errf(ErrInvalid, "group names are 1 to %d characters", MaxNameLen)
		}
		if seen[strings.ToLower(name)] {
			return nil, errf(ErrInvalid, "two groups are called %q", name)
		}
		seen[strings.ToLower(name)] = true
		g := &Group{ID: fmt.Sprintf("g%d", i+1), Name: name, Teams: map[string]string{}}
		ev := session.New(session.Info{ID: id + "-" + g.ID, Title: name, Facilitator: instructor.ID, Name: instructor.Name,
			Elements: els, Assets: assets}, nil, at)
		if err := g.Board.Apply(ev); err != nil {
			return nil, err
		}
		// A group's members see each other's cards as they write them,
		// like one shared document; other groups never see them until
		// the run is done.
		st := g.Board.Settings
		st.HideUntilReveal = false
		if err := g.Board.Apply(session.Event{At: at, Actor: instructor.ID, Type: session.EvSettings, Settings: &st}); err != nil {
			return nil, err
		}
		r.Groups = append(r.Groups, g)
	}
	r.Deadline = at.Add(time.Duration(r.Minutes.Read) * time.Minute)
	return r, nil
}

// Group returns the group with the id, or nil.
func (r *Run) Group(id string) *Group {
	for _, g := range r.Groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// GroupOf returns the group the member joined, or nil.
func (r *Run) GroupOf(member string) *Group {
	for _, g := range r.Groups {
		if _, ok := g.Teams[member]; ok {
			return g
		}
	}
	return nil
}

// Participants counts the members who joined a group.
func (r *Run) Participants() int {
	n := 0
	for _, g := range r.Groups {
		n += len(g.Teams)
	}
	return n
}

// EvidenceTeams lists the teams of the participants, each once, sorted.
func (r *Run) EvidenceTeams() []string {
	var out []string
	for _, g := range r.Groups {
		for _, t := range g.Teams {
			if t != "" && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Reference returns the run's reference: the exercise's threats and the
// ones the instructor added during the run.
func (r *Run) Reference(x *Exercise) Reference {
	ref := Reference{TopThree: x.Reference.TopThree}
	ref.Threats = append(slices.Clone(x.Reference.Threats), r.Added...)
	return ref
}

// Submissions returns each group's live threat cards and top three.
func (r *Run) Submissions() []Submission {
	var out []Submission
	for _, g := range r.Groups {
		s := Submission{Group: g.ID, Name: g.Name, TopThree: g.TopThree}
		for _, c := range g.Threats() {
			s.Threats = append(s.Threats, Found{ID: c.ID, Target: c.Target, Stride: c.Stride, Asset: c.Asset, Text: c.Text, Ref: r.Matched[g.ID+"/"+c.ID]})
		}
		out = append(out, s)
	}
	return out
}

// Threats returns the group's threat cards on the board (merged cards
// count once, through the card they were merged into).
func (g *Group) Threats() []session.Card {
	var out []session.Card
	for _, c := range g.Board.Cards {
		if c.Live() && c.Kind == session.KindTeam {
			out = append(out, c)
		}
	}
	return out
}

// Apply checks the action and applies it to the run; on error the run is
// unchanged only as far as the action goes (callers apply to a copy read
// from the store and discard it on error).
func (r *Run) Apply(a Action, by Actor, at time.Time) error {
	return r.ApplyTo(nil, a, by, at)
}

// ApplyTo is Apply with the run's exercise, which the instructor's match
// action checks reference threat ids against.
func (r *Run) ApplyTo(x *Exercise, a Action, by Actor, at time.Time) error {
	if by.ID == "" {
		return errf(ErrForbidden, "sign in first")
	}
	instructor := by.ID == r.Instructor
	switch a.Type {
	case "phase":
		if !instructor {
			return errf(ErrForbidden, "only the instructor moves the phases")
		}
		return r.phase(a.Phase, at)
	case "accept":
		if !instructor {
			return errf(ErrForbidden, "only the instructor adds threats to the reference")
		}
		return r.accept(a)
	case "match":
		if !instructor {
			return errf(ErrForbidden, "only the instructor matches threats to the reference")
		}
		return r.match(a, x)
	}
	if r.Phase == Done {
		return errf(ErrPhase, "the run is complete")
	}
	if a.Type == "join" {
		return r.join(a.Group, by, at)
	}
	g := r.GroupOf(by.ID)
	if instructor && a.Group != "" {
		g = r.Group(a.Group)
	}
	if g == nil {
		return errf(ErrForbidden, "join a group first")
	}
	if a.Group != "" && a.Group != g.ID {
		return errf(ErrForbidden, "you are in group %s, not %s", g.Name, a.Group)
	}
	switch a.Type {
	case "card.add", "card.edit":
		if r.Phase != Find && r.Phase != Prioritise {
			return errf(ErrPhase, "threats are written in the find and prioritise phases; now is %s", r.Phase)
		}
		if a.Card == nil {
			return errf(ErrInvalid, "card missing")
		}
		c := *a.Card
		typ := session.EvEdit
		if a.Type == "card.add" {
			typ = session.EvAdd
			n := 0
			for _, g := range r.Groups {
				n += len(g.Board.Cards)
			}
			if n >= maxCardsPerRun {
				return errf(ErrInvalid, "a run holds at most %d cards", maxCardsPerRun)
			}
			c.ID = fmt.Sprintf("%s-c%d", g.ID, len(g.Board.Cards)+1)
		}
		return g.Board.Apply(session.Event{At: at, Actor: by.ID, Type: typ, Card: &c})
	case "card.merge":
		if r.Phase != Prioritise {
			return errf(ErrPhase, "duplicates are merged in the prioritise phase")
		}
		if err := g.Board.Apply(session.Event{At: at, Actor: by.ID, Type: session.EvMerge, CardID: a.CardID, From: a.From}); err != nil {
			return err
		}
		g.TopThree = slices.DeleteFunc(g.TopThree, func(id string) bool { return id == a.From })
		return nil
	case "note.add":
		return g.note(a.Note, by, at, r.Phase)
	case "top_three":
		if r.Phase != Prioritise {
			return errf(ErrPhase, "the top three is chosen in the prioritise phase")
		}
		return g.rank(a.TopThree)
	case "submit":
		if r.Phase != Prioritise {
			return errf(ErrPhase, "groups submit in the prioritise phase")
		}
		if len(g.TopThree) == 0 {
			return errf(ErrInvalid, "rank your top three before submitting")
		}
		g.SubmittedAt = at
		return nil
	}
	return errf(ErrInvalid, "unknown action %q", a.Type)
}

func (r *Run) join(group string, by Actor, at time.Time) error {
	g := r.Group(group)
	if g == nil {
		return errf(ErrNotFound, "no group %q", group)
	}
	if by.ID == r.Instructor {
		return errf(ErrInvalid, "the instructor facilitates every group and joins none")
	}
	if cur := r.GroupOf(by.ID); cur != nil {
		if cur == g {
			return nil
		}
		return errf(ErrInvalid, "you are in group %s already", cur.Name)
	}
	name := strings.TrimSpace(by.Name)
	if name == "" {
		name = by.ID
	}
	if err := g.Board.Apply(session.Event{At: at, Actor: by.ID, Type: session.EvJoin,
		Member: &session.Member{ID: by.ID, Name: name, Role: session.Participant}}); err != nil {
		return err
	}
	g.Teams[by.ID] = by.Team
	return nil
}

func (r *Run) phase(to Phase, at time.Time) error {
	i, now := slices.Index(Phases, to), slices.Index(Phases, r.Phase)
	if i < 0 {
		return errf(ErrInvalid, "phase %q: use read, find, prioritise or done", to)
	}
	if r.Phase == Done {
		return errf(ErrPhase, "the run is complete")
	}
	if i < now {
		return errf(ErrPhase, "a run moves forward only (it is in %s)", r.Phase)
	}
	mins := map[Phase]int{Read: r.Minutes.Read, Find: r.Minutes.Find, Prioritise: r.Minutes.Prioritise}[to]
	for _, g := range r.Groups {
		if g.Board.Phase == boardPhase[to] {
			continue
		}
		if err := g.Board.Apply(session.Event{At: at, Actor: r.Instructor, Type: session.EvPhase, Phase: boardPhase[to], Timer: mins * 60}); err != nil {
			return err
		}
	}
	r.Phase = to
	r.Deadline = time.Time{}
	if mins > 0 {
		r.Deadline = at.Add(time.Duration(mins) * time.Minute)
	}
	if to == Done {
		r.Completed = at
	}
	return nil
}

func (g *Group) note(n *Note, by Actor, at time.Time, p Phase) error {
	if p == Done {
		return errf(ErrPhase, "the run is complete")
	}
	if n == nil {
		return errf(ErrInvalid, "note missing")
	}
	x := Note{Kind: n.Kind, Target: n.Target, Text: strings.TrimSpace(n.Text), Author: by.ID, At: at}
	if x.Kind != Assumption && x.Kind != Question {
		return errf(ErrInvalid, "a note is an assumption or a question")
	}
	if x.Text == "" || len(x.Text) > 2000 {
		return errf(ErrInvalid, "write the %s (at most 2000 characters)", x.Kind)
	}
	if x.Target != "" && !slices.ContainsFunc(g.Board.Elements, func(e session.Element) bool { return e.ID == x.Target }) {
		return errf(ErrInvalid, "%q is not an element or flow of the design", x.Target)
	}
	if len(g.Notes) >= MaxNotes {
		return errf(ErrInvalid, "a group holds at most %d notes", MaxNotes)
	}
	x.ID = fmt.Sprintf("%s-n%d", g.ID, len(g.Notes)+1)
	g.Notes = append(g.Notes, x)
	return nil
}

func (g *Group) rank(ids []string) error {
	if len(ids) > 3 {
		return errf(ErrInvalid, "a top three has at most three threats")
	}
	var out []string
	for _, id := range ids {
		if id == "" {
			continue
		}
		c := g.Board.Card(id)
		if c == nil || !c.Live() || c.Kind != session.KindTeam {
			return errf(ErrNotFound, "card %q is not one of the group's threats", id)
		}
		if slices.Contains(out, id) {
			return errf(ErrInvalid, "card %s is ranked twice", id)
		}
		out = append(out, id)
	}
	g.TopThree = out
	return nil
}

// match records that a group's card is a reference threat of the run
// (of the exercise, or added during the run), or undoes it (Ref "").
func (r *Run) match(a Action, x *Exercise) error {
	if r.Phase != Prioritise && r.Phase != Done {
		return errf(ErrPhase, "threats are matched to the reference once groups prioritise")
	}
	g := r.Group(a.Group)
	if g == nil {
		return errf(ErrNotFound, "no group %q", a.Group)
	}
	c := g.Board.Card(a.CardID)
	if c == nil || !c.Live() || c.Kind != session.KindTeam {
		return errf(ErrNotFound, "card %q is not one of the group's threats", a.CardID)
	}
	key := g.ID + "/" + c.ID
	if a.Ref == "" {
		delete(r.Matched, key)
		return nil
	}
	known := slices.ContainsFunc(r.Added, func(t RefThreat) bool { return t.ID == a.Ref })
	if x != nil && x.Reference.Threat(a.Ref) != nil {
		known = true
	}
	if !known {
		return errf(ErrNotFound, "%q is not a reference threat of this run", a.Ref)
	}
	if r.Matched == nil {
		r.Matched = map[string]string{}
	}
	r.Matched[key] = a.Ref
	return nil
}

// accept adds a group's card, found outside the reference, to the run's
// reference with a severity.
func (r *Run) accept(a Action) error {
	if r.Phase != Prioritise && r.Phase != Done {
		return errf(ErrPhase, "threats are added to the reference once groups prioritise")
	}
	g := r.Group(a.Group)
	if g == nil {
		return errf(ErrNotFound, "no group %q", a.Group)
	}
	c := g.Board.Card(a.CardID)
	if c == nil || !c.Live() || c.Kind != session.KindTeam {
		return errf(ErrNotFound, "card %q is not one of the group's threats", a.CardID)
	}
	if !slices.Contains(Severities, a.Severity) {
		return errf(ErrInvalid, "severity is critical, high, medium or low")
	}
	if len(c.Stride) == 0 {
		return errf(ErrInvalid, "the card has no STRIDE category; the group (or you) should set one first")
	}
	for _, t := range r.Added {
		if t.Added == g.ID+"/"+c.ID {
			return errf(ErrInvalid, "card %s is in the reference already", c.ID)
		}
	}
	title := strings.TrimSpace(a.Title)
	if title == "" {
		title, _, _ = strings.Cut(c.Text, "\n")
	}
	if len(title) > 300 {
		title = title[:300]
	}
	r.Added = append(r.Added, RefThreat{ID: fmt.Sprintf("added-%d", len(r.Added)+1), Title: title, Target: c.Target,
		Stride: slices.Clone(c.Stride), Asset: c.Asset, Severity: a.Severity, Added: g.ID + "/" + c.ID})
	return nil
}

// IsRequestError reports whether err is the request's fault (forbidden,
// wrong phase, invalid, not found) rather than the server's.
func IsRequestError(err error) bool {
	return errors.Is(err, ErrForbidden) || errors.Is(err, ErrPhase) || errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotFound)
}
