// The events' rules: Apply checks each event against the state (who may
// do what in which phase, budgets, card versions) and applies it.

package session

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func errf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", kind, fmt.Sprintf(format, args...))
}

func (s *State) checkCard(c *Card) error {
	c.Text = strings.TrimSpace(c.Text)
	if c.Text == "" {
		return errf(ErrInvalid, "write what could go wrong (text)")
	}
	if len(c.Text) > 2000 {
		return errf(ErrInvalid, "a card holds at most 2000 characters")
	}
	if c.Target == "" {
		return errf(ErrInvalid, "say which element or flow the card is about (target)")
	}
	if len(c.Target) > 200 || len(c.Asset) > 200 {
		return errf(ErrInvalid, "target and asset are ids of at most 200 characters")
	}
	for _, l := range c.Stride {
		if !slices.Contains(StrideLetters, l) {
			return errf(ErrInvalid, "STRIDE letter %q: use S, T, R, I, D or E", l)
		}
	}
	if len(s.Elements) > 0 && !slices.ContainsFunc(s.Elements, func(e Element) bool { return e.ID == c.Target }) {
		return errf(ErrInvalid, "target %q is not an element or flow of the model", c.Target)
	}
	if c.Asset != "" && !slices.ContainsFunc(s.Assets, func(a AssetRef) bool { return a.ID == c.Asset }) {
		return errf(ErrInvalid, "asset %q is not an asset of the model", c.Asset)
	}
	return nil
}

// canChange reports whether actor may change the board now.
func (s *State) canChange(actor string) error {
	r := s.role(actor)
	if r == "" {
		return errf(ErrForbidden, "join the session first")
	}
	if s.Phase == Close {
		return errf(ErrPhase, "the session is closed")
	}
	if s.Settings.Locked && r != Facilitator {
		return errf(ErrForbidden, "the facilitator locked the board")
	}
	return nil
}

func (s *State) facilitator(actor string) error {
	if s.role(actor) != Facilitator {
		return errf(ErrForbidden, "only the facilitator does this")
	}
	return nil
}

func (s *State) inPhase(ps ...Phase) error {
	if !slices.Contains(ps, s.Phase) {
		names := make([]string, len(ps))
		for i, p := range ps {
			names[i] = string(p)
		}
		return errf(ErrPhase, "this is done in the %s phase, and the session is in %s", strings.Join(names, " or "), s.Phase)
	}
	return nil
}

// Apply checks e against the state and applies it. On error the state is
// unchanged.
func (s *State) Apply(e Event) error {
	if e.Type != EvCreate && e.Seq != 0 && e.Seq != s.Seq+1 {
		return fmt.Errorf("event %d applied after %d", e.Seq, s.Seq)
	}
	if err := s.apply(e); err != nil {
		return err
	}
	if e.Seq != 0 {
		s.Seq = e.Seq
	} else {
		s.Seq++
	}
	return nil
}

func (s *State) apply(e Event) error {
	if e.Type != EvCreate {
		// Maps left out of stored JSON come back nil.
		if s.Votes == nil {
			s.Votes = map[string]map[string]int{}
		}
		if s.Reflections == nil {
			s.Reflections = map[string]Reflection{}
		}
		if s.Threats == nil {
			s.Threats = map[string]string{}
		}
	}
	switch e.Type {
	case EvCreate:
		if e.Session == nil || s.ID != "" {
			return errf(ErrInvalid, "a session is created once")
		}
		*s = *e.Session
		s.Spans = []Span{{Phase: s.Phase, Start: e.At}}
		s.Votes, s.Reflections, s.Threats = map[string]map[string]int{}, map[string]Reflection{}, map[string]string{}
		return nil
	case EvJoin:
		return s.join(e)
	case EvPhase:
		return s.phase(e)
	case EvSettings:
		return s.settings(e)
	case EvAdd:
		return s.add(e)
	case EvEdit:
		return s.edit(e)
	case EvTake, EvDismiss:
		return s.seed(e)
	case EvMerge:
		return s.merge(e)
	case EvPresent:
		if err := s.facilitator(e.Actor); err != nil {
			return err
		}
		if e.CardID != "" && s.Card(e.CardID) == nil {
			return errf(ErrNotFound, "card %q", e.CardID)
		}
		s.Presented = e.CardID
		return nil
	case EvReady, EvHand:
		m := s.Member(e.Actor)
		if m == nil {
			return errf(ErrForbidden, "join the session first")
		}
		if e.Type == EvReady {
			m.Ready = e.On
		} else {
			m.Hand = e.On
		}
		return nil
	case EvVote:
		return s.vote(e)
	case EvDecide:
		return s.decide(e)
	case EvPromoted:
		if err := s.facilitator(e.Actor); err != nil {
			return err
		}
		if err := s.inPhase(Decide); err != nil {
			return err
		}
		s.Produced = e.Produced
		for k, v := range e.Threats {
			s.Threats[k] = v
		}
		return nil
	case EvReflect:
		return s.reflect(e)
	case EvConclude:
		return s.conclude(e)
	}
	return errf(ErrInvalid, "unknown event %q", e.Type)
}

func (s *State) join(e Event) error {
	if e.Member == nil || e.Member.ID == "" {
		return errf(ErrInvalid, "join needs a member")
	}
	m := *e.Member
	if !slices.Contains([]Role{Participant, Observer, Guest, Facilitator}, m.Role) {
		return errf(ErrInvalid, "role %q: use participant, observer or guest", m.Role)
	}
	if old := s.Member(m.ID); old != nil {
		// Joining again (another tab, after a reconnect) keeps the
		// first join and its role; a facilitator stays one.
		if old.Role != Facilitator && m.Role != Facilitator && old.Role != m.Role {
			old.Role = m.Role
		}
		return nil
	}
	if m.Role == Facilitator {
		return errf(ErrInvalid, "a session has one facilitator")
	}
	if s.Phase == Close {
		return errf(ErrPhase, "the session is closed")
	}
	m.JoinedAt = e.At
	m.Ready, m.Hand = false, false
	s.Members = append(s.Members, m)
	return nil
}

func (s *State) phase(e Event) error {
	if err := s.facilitator(e.Actor); err != nil {
		return err
	}
	to := e.Phase
	if to.index() < 0 {
		return errf(ErrInvalid, "phase %q: use one of review, brainstorm, reveal, group, vote, decide, reflect, close", to)
	}
	if s.Phase == Close {
		return errf(ErrPhase, "the session is closed")
	}
	if e.Timer < 0 || e.Timer > 24*3600 {
		return errf(ErrInvalid, "a timer is between 0 and 86400 seconds")
	}
	if to == Close && s.Outcome != SignedOff {
		// Closing without sign-off is allowed; the record says so.
		s.Outcome = StaysOpen
	}
	if n := len(s.Spans); n > 0 && s.Spans[n-1].End.IsZero() {
		s.Spans[n-1].End = e.At
	}
	s.Phase = to
	s.Spans = append(s.Spans, Span{Phase: to, Start: e.At})
	s.Deadline = time.Time{}
	if e.Timer > 0 {
		s.Deadline = e.At.Add(time.Duration(e.Timer) * time.Second)
	}
	if to.index() >= Reveal.index() {
		s.Revealed = true
	}
	for i := range s.Members {
		s.Members[i].Ready = false
	}
	s.Presented = ""
	if to == Close {
		s.Spans[len(s.Spans)-1].End = e.At
	}
	return nil
}

func (s *State) settings(e Event) error {
	if err := s.facilitator(e.Actor); err != nil {
		return err
	}
	n := e.Settings
	if n == nil {
		return errf(ErrInvalid, "settings missing")
	}
	if n.Budget < 1 || n.Budget > 100 || n.MaxPerCard < 1 || n.MaxPerCard > n.Budget {
		return errf(ErrInvalid, "the budget is 1 to 100 votes and at most the budget on one card")
	}
	if n.Majority < 0 || n.Majority > 99 {
		return errf(ErrInvalid, "the majority is a percentage from 0 to 99 (yes must be more than it)")
	}
	// A lower budget trims nobody's votes silently: members over it
	// keep their votes but cannot add more until under budget.
	s.Settings = *n
	return nil
}

func (s *State) add(e Event) error {
	if err := s.canChange(e.Actor); err != nil {
		return err
	}
	if err := s.inPhase(Review, Brainstorm, Reveal, Group); err != nil {
		return err
	}
	if e.Card == nil {
		return errf(ErrInvalid, "card missing")
	}
	c := *e.Card
	if err := s.checkCard(&c); err != nil {
		return err
	}
	if s.Card(c.ID) != nil || c.ID == "" {
		return errf(ErrInvalid, "card id %q is taken", c.ID)
	}
	c.Kind = KindTeam
	if s.role(e.Actor) == Observer {
		c.Kind = KindHint
	}
	c.Version, c.Authors, c.Seed, c.Source, c.MergedInto, c.Merged, c.Hints = 1, []string{e.Actor}, "", "", "", nil, nil
	c.CreatedAt = e.At
	s.Cards = append(s.Cards, c)
	return nil
}

func (s *State) edit(e Event) error {
	if err := s.canChange(e.Actor); err != nil {
		return err
	}
	if e.Card == nil {
		return errf(ErrInvalid, "card missing")
	}
	c := s.Card(e.Card.ID)
	if c == nil {
		return errf(ErrNotFound, "card %q", e.Card.ID)
	}
	if !slices.Contains(c.Authors, e.Actor) && s.role(e.Actor) != Facilitator {
		return errf(ErrForbidden, "only the card's authors and the facilitator edit it")
	}
	if e.Card.Version != c.Version {
		return errf(ErrStale, "card %s is at version %d, not %d", c.ID, c.Version, e.Card.Version)
	}
	n := *c
	n.Text, n.Target, n.Stride, n.Asset = e.Card.Text, e.Card.Target, e.Card.Stride, e.Card.Asset
	if err := s.checkCard(&n); err != nil {
		return err
	}
	n.Version++
	*c = n
	return nil
}

func (s *State) seed(e Event) error {
	if err := s.canChange(e.Actor); err != nil {
		return err
	}
	if s.role(e.Actor) == Observer {
		return errf(ErrForbidden, "observers hint; the team takes or dismisses engine cards")
	}
	c := s.Card(e.CardID)
	if c == nil || c.Seed == "" {
		return errf(ErrNotFound, "engine card %q", e.CardID)
	}
	c.Seed = SeedTaken
	if e.Type == EvDismiss {
		c.Seed = SeedDismissed
	}
	c.Version++
	return nil
}

func (s *State) merge(e Event) error {
	if err := s.canChange(e.Actor); err != nil {
		return err
	}
	if s.role(e.Actor) == Observer {
		return errf(ErrForbidden, "observers do not merge the team's cards")
	}
	if err := s.inPhase(Reveal, Group); err != nil {
		return err
	}
	into, from := s.Card(e.CardID), s.Card(e.From)
	if into == nil || from == nil {
		return errf(ErrNotFound, "both cards must exist")
	}
	if into.ID == from.ID || !into.Live() || !from.Live() {
		return errf(ErrInvalid, "merge two different cards that are on the board")
	}
	if into.Seed == SeedOffered {
		into.Seed = SeedTaken // merging a team card into an engine card takes it
	}
	for _, a := range from.Authors {
		if !slices.Contains(into.Authors, a) {
			into.Authors = append(into.Authors, a)
		}
	}
	for _, l := range from.Stride {
		if !slices.Contains(into.Stride, l) {
			into.Stride = append(into.Stride, l)
		}
	}
	if into.Asset == "" {
		into.Asset = from.Asset
	}
	if from.Kind == KindHint {
		into.Hints = append(into.Hints, from.ID)
	}
	into.Hints = append(into.Hints, from.Hints...)
	into.Merged = append(into.Merged, from.ID)
	into.Text = into.Text + "\n— " + from.Text
	if len(into.Text) > 4000 {
		into.Text = into.Text[:4000]
	}
	into.Version++
	from.MergedInto = into.ID
	from.Version++
	// Votes on the merged card move to the card it joined, within each
	// member's per-card limit.
	for _, vs := range s.Votes {
		if n := vs[from.ID]; n > 0 {
			vs[into.ID] = min(vs[into.ID]+n, s.Settings.MaxPerCard)
			delete(vs, from.ID)
		}
	}
	s.Merges = append(s.Merges, Merge{Into: into.ID, From: from.ID, By: e.Actor, At: e.At})
	return nil
}

func (s *State) vote(e Event) error {
	if err := s.canChange(e.Actor); err != nil {
		return err
	}
	if err := s.inPhase(Vote); err != nil {
		return err
	}
	if s.role(e.Actor) == Observer {
		return errf(ErrForbidden, "observers do not vote")
	}
	c := s.Card(e.CardID)
	if c == nil || !c.Votable() {
		return errf(ErrNotFound, "card %q is not on the board to vote on", e.CardID)
	}
	if e.Count < 0 || e.Count > s.Settings.MaxPerCard {
		return errf(ErrInvalid, "at most %d votes on one card", s.Settings.MaxPerCard)
	}
	mine := s.Votes[e.Actor]
	if e.Count > mine[c.ID] && s.Used(e.Actor)-mine[c.ID]+e.Count > s.Settings.Budget {
		return errf(ErrInvalid, "that would use %d of your %d votes", s.Used(e.Actor)-mine[c.ID]+e.Count, s.Settings.Budget)
	}
	if mine == nil {
		mine = map[string]int{}
		s.Votes[e.Actor] = mine
	}
	if e.Count == 0 {
		delete(mine, c.ID)
	} else {
		mine[c.ID] = e.Count
	}
	return nil
}

// Likelihoods and Impacts are the scales decisions use.
var (
	Likelihoods = []string{"rare", "unlikely", "possible", "likely", "almost_certain"}
	Impacts     = []string{"negligible", "minor", "moderate", "major", "severe"}
)

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func (s *State) decide(e Event) error {
	if err := s.facilitator(e.Actor); err != nil {
		return err
	}
	if err := s.inPhase(Decide); err != nil {
		return err
	}
	d := e.Decision
	if d == nil {
		return errf(ErrInvalid, "decision missing")
	}
	c := s.Card(d.Card)
	if c == nil || !c.Votable() {
		return errf(ErrNotFound, "card %q is not on the board", d.Card)
	}
	if _, done := s.Threats[c.ID]; done {
		return errf(ErrInvalid, "card %s is already in the model", c.ID)
	}
	if !slices.Contains(Likelihoods, d.Likelihood) || !slices.Contains(Impacts, d.Impact) {
		return errf(ErrInvalid, "likelihood is one of %s; impact one of %s", strings.Join(Likelihoods, ", "), strings.Join(Impacts, ", "))
	}
	d.Title = strings.TrimSpace(d.Title)
	if d.Title == "" {
		d.Title = firstLine(c.Text)
	}
	switch d.Status {
	case "mitigate":
		if d.Owner == "" || strings.TrimSpace(d.Mitigation) == "" {
			return errf(ErrInvalid, "a mitigation needs what will be done and an owner")
		}
		if d.Due != "" && !isDate(d.Due) {
			return errf(ErrInvalid, "due is a date, YYYY-MM-DD")
		}
	case "accept":
		if d.Owner == "" || d.Reason == "" || !isDate(d.Expires) {
			return errf(ErrInvalid, "accepting needs an owner, a reason and an expiry date (YYYY-MM-DD)")
		}
	case "false_positive":
		if d.Reason == "" {
			return errf(ErrInvalid, "say why it is a false positive (reason)")
		}
	default:
		return errf(ErrInvalid, "decision is mitigate, accept or false_positive")
	}
	for i := range s.Decisions {
		if s.Decisions[i].Card == d.Card {
			s.Decisions[i] = *d
			return nil
		}
	}
	s.Decisions = append(s.Decisions, *d)
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120]
	}
	return strings.TrimSpace(s)
}

func (s *State) reflect(e Event) error {
	if err := s.inPhase(Reflect); err != nil {
		return err
	}
	r := s.role(e.Actor)
	if r == "" || r == Observer {
		return errf(ErrForbidden, "the team reflects: facilitator, participants and guests")
	}
	if e.Reflection == nil {
		return errf(ErrInvalid, "reflection missing")
	}
	x := *e.Reflection
	x.Comment = strings.TrimSpace(x.Comment)
	if len(x.Comment) > 2000 {
		return errf(ErrInvalid, "a comment holds at most 2000 characters")
	}
	s.Reflections[e.Actor] = x
	return nil
}

// Present returns the members counted for the majority: everyone who
// joined except observers.
func (s *State) Present() int {
	n := 0
	for _, m := range s.Members {
		if m.Role != Observer {
			n++
		}
	}
	return n
}

// Yes counts the yes answers.
func (s *State) Yes() int {
	n := 0
	for _, r := range s.Reflections {
		if r.Yes {
			n++
		}
	}
	return n
}

// Passes reports whether the yes answers are more than the majority
// percentage of those present.
func (s *State) Passes() bool {
	p := s.Present()
	return p > 0 && s.Yes()*100 > s.Settings.Majority*p
}

// conclude closes the reflection: signed off when the majority said yes
// (the session closes), otherwise it stays open with the dissent recorded.
func (s *State) conclude(e Event) error {
	if err := s.facilitator(e.Actor); err != nil {
		return err
	}
	if err := s.inPhase(Reflect); err != nil {
		return err
	}
	if !s.Passes() {
		s.Outcome = StaysOpen
		return nil
	}
	s.Outcome = SignedOff
	n := len(s.Spans)
	s.Spans[n-1].End = e.At
	s.Phase = Close
	s.Deadline = time.Time{}
	s.Spans = append(s.Spans, Span{Phase: Close, Start: e.At, End: e.At})
	return nil
}
