package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/session"
	"github.com/wardtm/ward/internal/store"
)

// Live session pages: the board (/s/{session}), its region (what a
// "refresh" reloads), its stream, one POST for every member action (the
// same operation as POST /api/v1/sessions/{session}/actions), saving the
// decisions, the record, guest links, and the list of a system's sessions
// with the form that opens one.

func (s *Server) sessionPages(wr webRouter) {
	sp := func(pattern string, fn handlerFunc) {
		s.webPatterns = append(s.webPatterns, pattern)
		wr.mux.Handle(pattern, s.adaptPage(s.sessionPageAuthed(fn)))
	}
	wr.page("GET /systems/{system}/sessions", s.pageSessions)
	wr.page("POST /systems/{system}/sessions", s.pageCreateSession)
	sp("GET /s/{session}", s.pageSession)
	sp("GET /s/{session}/region", s.pageSessionRegion)
	sp("GET /s/{session}/stream", s.pageSessionStream)
	sp("POST /s/{session}/act", s.pageSessionAct)
	sp("POST /s/{session}/promote", s.pageSessionPromote)
	sp("GET /s/{session}/record", s.pageSessionRecord)
	wr.public("GET /s/{session}/guest/{secret}", s.pageGuest)
	wr.public("POST /s/{session}/guest/{secret}", s.pageGuestJoin)
}

// sessionPageAuthed is pageAuthed that also accepts a guest's cookie.
func (s *Server) sessionPageAuthed(h handlerFunc) handlerFunc {
	return s.pageAuthedOr(s.authenticateGuest, h)
}

// pageAuthedOr is pageAuthed that also accepts the principal guest finds
// (a guest's cookie) when the request has no account or token.
func (s *Server) pageAuthedOr(guest func(*http.Request) (*Principal, error), h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.authenticate(r)
		if err == nil && p == nil {
			p, err = guest(r)
		}
		if err != nil {
			return err
		}
		if p == nil {
			return s.pageAuthed(h)(w, r) // redirects to sign-in
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), keyPrincipal, p)))
	}
}

// liveView is what the session templates get: the member's view of the
// session and helpers.
type liveView struct {
	*session.View
	// By is the board's layout: "element" (default) or "stride".
	By string
	// Seq is the event the page shows; the stream continues from it.
	Seq int64
	// RequestID is a fresh id for the forms of this rendering, so that
	// a form sent twice is applied once.
	RequestID string
	// Facilitates tells that the viewer may also save to the model.
	CanSave bool
}

// cardView is one card for the card fragment.
type cardView struct {
	V *session.View
	C session.Card
}

// column is a board column: an element or flow, or a STRIDE letter.
type column struct {
	ID      string
	Name    string
	Kind    string
	Prompts []session.Prompt
	Cards   []cardView
}

func (v *liveView) Facilitator() bool { return v.Role == session.Facilitator }
func (v *liveView) Joined() bool      { return v.Role != "" }

// In reports whether the session is in one of the phases.
func (v *liveView) In(phases ...string) bool { return slices.Contains(phases, string(v.Phase)) }

// Next is the phase after the current one.
func (v *liveView) Next() string {
	i := slices.Index(session.Phases, v.Phase)
	if i < 0 || i+1 >= len(session.Phases) {
		return ""
	}
	return string(session.Phases[i+1])
}

type phaseStep struct {
	Name          string
	Current, Done bool
}

// Steps lists the phases with where the session stands.
func (v *liveView) Steps() []phaseStep {
	cur := slices.Index(session.Phases, v.Phase)
	out := make([]phaseStep, len(session.Phases))
	for i, p := range session.Phases {
		out[i] = phaseStep{Name: string(p), Current: i == cur, Done: i < cur}
	}
	return out
}

// Deadline is the phase timer's end (RFC 3339), "" without one.
func (v *liveView) Deadline() string {
	if v.State.Deadline.IsZero() {
		return ""
	}
	return v.State.Deadline.UTC().Format(time.RFC3339)
}

// Columns returns the board's columns with the team's cards and hints.
func (v *liveView) Columns() []column {
	var cols []column
	idx := map[string]int{}
	if v.By == "stride" {
		for _, l := range session.StrideLetters {
			idx[l] = len(cols)
			cols = append(cols, column{ID: "col-st-" + l, Name: l + " — " + session.StrideName(l), Kind: "stride"})
		}
	} else {
		for _, e := range v.Elements {
			idx[e.ID] = len(cols)
			cols = append(cols, column{ID: "col-el-" + e.ID, Name: e.Name, Kind: e.Kind, Prompts: session.Prompts(e.Kind)})
		}
	}
	for _, c := range v.Cards {
		if c.Kind != session.KindTeam && c.Kind != session.KindHint || c.MergedInto != "" {
			continue
		}
		key := c.Target
		if v.By == "stride" {
			key = "S"
			if len(c.Stride) > 0 {
				key = c.Stride[0]
			}
		}
		if i, ok := idx[key]; ok {
			cols[i].Cards = append(cols[i].Cards, cardView{V: v.View, C: c})
		}
	}
	return cols
}

// Seeds returns the engine's cards of a kind still on the board.
func (v *liveView) Seeds(kind string) []cardView {
	var out []cardView
	for _, c := range v.Cards {
		if c.Kind == kind && c.Live() {
			out = append(out, cardView{V: v.View, C: c})
		}
	}
	return out
}

// Live returns every card on the board, for the merge choices.
func (v *liveView) Live() []session.Card {
	var out []session.Card
	for _, c := range v.Cards {
		if c.Live() && !c.Hidden {
			out = append(out, c)
		}
	}
	return out
}

// RankedCards returns the votable cards, most voted first once tallied.
func (v *liveView) RankedCards() []cardView {
	var out []cardView
	for _, c := range v.Ranked() {
		out = append(out, cardView{V: v.View, C: c})
	}
	return out
}

// Decision returns the decision on a card, or nil.
func (v *liveView) Decision(card string) *session.Decision {
	for i := range v.Decisions {
		if v.Decisions[i].Card == card {
			return &v.Decisions[i]
		}
	}
	return nil
}

// Pending counts the decisions not yet saved to the model.
func (v *liveView) Pending() int {
	n := 0
	for _, d := range v.Decisions {
		if v.Threats[d.Card] == "" {
			n++
		}
	}
	return n
}

// Elem names an element.
func (v *liveView) Elem(id string) string {
	for _, e := range v.Elements {
		if e.ID == id {
			return e.Name
		}
	}
	return id
}

// Comments lists the reflection answers the viewer may see.
func (v *liveView) Comments() []session.RecordComment {
	var out []session.RecordComment
	for k, r := range v.Reflections {
		out = append(out, session.RecordComment{By: v.Name(k), Yes: r.Yes, Comment: r.Comment})
	}
	slices.SortFunc(out, func(a, b session.RecordComment) int { return strings.Compare(a.By, b.By) })
	return out
}

// MyReflection is the viewer's answer, if any.
func (v *liveView) MyReflection() *session.Reflection {
	if r, ok := v.Reflections[v.Viewer]; ok {
		return &r
	}
	return nil
}

// Likelihoods, Impacts and StrideLetters are the scales for forms.
func (v *liveView) Likelihoods() []string   { return session.Likelihoods }
func (v *liveView) Impacts() []string       { return session.Impacts }
func (v *liveView) StrideLetters() []string { return session.StrideLetters }

// cardView helpers.

func (c cardView) Col() string { return "col-el-" + c.C.Target }
func (c cardView) Col2() string {
	l := "S"
	if len(c.C.Stride) > 0 {
		l = c.C.Stride[0]
	}
	return "col-st-" + l
}
func (c cardView) Mine() int     { return c.V.Mine[c.C.ID] }
func (c cardView) Tally() int    { return c.V.Tally[c.C.ID] }
func (c cardView) Tallied() bool { return c.V.Tally != nil }
func (c cardView) Voting() bool {
	return c.V.Phase == session.Vote && c.C.Votable() && c.V.Role != session.Observer && c.V.Role != ""
}
func (c cardView) Plus() int       { return c.Mine() + 1 }
func (c cardView) Minus() int      { return max(c.Mine()-1, 0) }
func (c cardView) CanPlus() bool   { return c.Mine() < c.V.Settings.MaxPerCard && c.V.Left > 0 }
func (c cardView) Seed() bool      { return c.C.Seed != "" }
func (c cardView) Presented() bool { return c.V.Presented == c.C.ID }
func (c cardView) Target() string {
	for _, e := range c.V.Elements {
		if e.ID == c.C.Target {
			return e.Name
		}
	}
	return c.C.Target
}

// Authors names the card's authors as the viewer may see them.
func (c cardView) Authors() string {
	var names []string
	for _, a := range c.C.Authors {
		if a == c.V.Viewer {
			names = append(names, "you")
		} else {
			names = append(names, c.V.Name(a))
		}
	}
	return strings.Join(names, ", ")
}

// Editable tells that the viewer may edit the card's text.
func (c cardView) Editable() bool {
	return !c.C.Hidden && c.C.Kind != session.KindThreat && c.C.Kind != session.KindQuestion && c.V.Phase != session.Close &&
		(slices.Contains(c.C.Authors, c.V.Viewer) || c.V.Role == session.Facilitator)
}

// CanSeed tells that the viewer may take or dismiss an engine card.
func (c cardView) CanSeed() bool {
	return c.C.Seed == session.SeedOffered && c.V.Role != "" && c.V.Role != session.Observer && c.V.Phase != session.Close
}

// CanMerge tells that the viewer may merge cards into this one.
func (c cardView) CanMerge() bool {
	return (c.V.Phase == session.Group || c.V.Phase == session.Reveal) && c.V.Role != "" && c.V.Role != session.Observer && !c.C.Hidden
}

// Others are the cards that could be merged into this one.
func (c cardView) Others() []session.Card {
	var out []session.Card
	for _, x := range c.V.Cards {
		if x.ID != c.C.ID && x.Live() && !x.Hidden && x.Seed != session.SeedOffered {
			out = append(out, x)
		}
	}
	return out
}

// renderSession renders a block of session.html outside a request (stream
// frames).
func (s *Server) renderSession(w io.Writer, block string, data any) error {
	ts, err := templates()
	if err != nil {
		return err
	}
	t := ts["session.html"]
	if t == nil {
		return errors.New("no template session.html")
	}
	return t.ExecuteTemplate(w, block, data)
}

func (s *Server) liveViewFor(r *http.Request, st *session.State) *liveView {
	v := st.View(memberID(principal(r.Context())))
	return s.liveViewOf(r, &v)
}

// liveViewOf wraps a member's view for the templates.
func (s *Server) liveViewOf(r *http.Request, v *session.View) *liveView {
	p := principal(r.Context())
	by := r.URL.Query().Get("by")
	if by != "stride" {
		by = "element"
	}
	return &liveView{View: v, By: by, Seq: v.Seq, RequestID: newID(8), CanSave: Allowed(p, Write, v.TeamID) && Allowed(p, Review, v.TeamID)}
}

func (s *Server) pageSession(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	_, st, err := s.liveSession(r.Context(), p, r.PathValue("session"))
	if err != nil {
		return err
	}
	return s.render(w, r, "session.html", st.Title, s.liveViewFor(r, st))
}

func (s *Server) pageSessionRegion(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	_, st, err := s.liveSession(r.Context(), p, r.PathValue("session"))
	if err != nil {
		return err
	}
	return s.writeSessionFragment(w, "session-region", s.liveViewFor(r, st))
}

// writeSessionFragment writes a block of session.html. Unlike
// renderFragment it leaves the flash message alone: a refresh racing a
// redirect must not eat the message meant for the page.
func (s *Server) writeSessionFragment(w http.ResponseWriter, block string, data any) error {
	var buf bytes.Buffer
	if err := s.renderSession(&buf, block, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	if err != nil {
		return errWritten
	}
	return nil
}

// sessionForm reads a member action from a form.
func sessionForm(r *http.Request) (sessionCmd, error) {
	if err := parseForm(r); err != nil {
		return sessionCmd{}, err
	}
	f := func(k string) string { return formValue(r, k) }
	num := func(k string) (int, error) {
		v := f(k)
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, errorf(http.StatusBadRequest, "invalid", "%s must be a number", k)
		}
		return n, nil
	}
	c := sessionCmd{Type: f("type"), RequestID: f("request_id"), CardID: f("card_id"), From: f("from"), Phase: session.Phase(f("phase")),
		On: f("on") == "1", Name: f("name")}
	var err error
	if c.Count, err = num("count"); err != nil {
		return c, err
	}
	minutes, err := num("timer")
	if err != nil {
		return c, err
	}
	c.Timer = minutes * 60
	switch c.Type {
	case session.EvAdd, session.EvEdit:
		version, err := num("version")
		if err != nil {
			return c, err
		}
		var stride []string
		for _, l := range r.PostForm["stride"] {
			stride = append(stride, strings.TrimSpace(l))
		}
		c.Card = &session.Card{ID: c.CardID, Version: version, Text: f("text"), Target: f("target"), Asset: f("asset"), Stride: stride}
	case session.EvSettings:
		st := session.Settings{Anonymous: f("anonymous") == "1", HideUntilReveal: f("hide") == "1", Locked: f("locked") == "1"}
		if st.Budget, err = num("budget"); err != nil {
			return c, err
		}
		if st.MaxPerCard, err = num("max_per_card"); err != nil {
			return c, err
		}
		if st.Majority, err = num("majority"); err != nil {
			return c, err
		}
		c.Settings = &st
	case session.EvDecide:
		c.Decision = &session.Decision{Card: c.CardID, Title: f("title"), Likelihood: f("likelihood"), Impact: f("impact"), Status: f("status"),
			Owner: f("owner"), Mitigation: f("mitigation"), Due: f("due"), Reason: f("reason"), Expires: f("expires"), Assumption: f("assumption")}
	case session.EvReflect:
		c.Reflection = &session.Reflection{Yes: f("answer") == "yes", Comment: f("comment")}
	}
	return c, nil
}

func (s *Server) pageSessionAct(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	id := r.PathValue("session")
	c, err := sessionForm(r)
	if err != nil {
		return err
	}
	st, err := s.sessionAct(r.Context(), p, id, c)
	hx := r.Header.Get("HX-Request") == "true"
	var pe *Error
	if err != nil && hx && c.Type == session.EvEdit && errors.As(err, &pe) && pe.Code == "stale" {
		// Someone changed the card meanwhile: show it as it is now, with
		// the text this member typed kept in the edit box.
		_, cur, lerr := s.liveSession(r.Context(), p, id)
		if lerr != nil {
			return lerr
		}
		v := s.liveViewFor(r, cur)
		cv := cardView{V: v.View, C: *viewCard(v.View, c.CardID)}
		w.Header().Set("HX-Retarget", "#card-"+c.CardID)
		w.Header().Set("HX-Reswap", "outerHTML")
		return s.renderStatus(w, r, http.StatusConflict, "session.html", "session-card-conflict",
			s.viewFor(w, r, "", struct {
				cardView
				Typed string
			}{cv, c.Card.Text}))
	}
	if err != nil {
		return err
	}
	if !hx {
		return s.done(w, r, "/s/"+id, "")
	}
	if c.Type == session.EvAdd {
		return s.writeSessionFragment(w, "session-addform", s.liveViewOf(r, st))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) pageSessionPromote(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("session")
	_, out, err := s.sessionPromote(r.Context(), principal(r.Context()), id)
	if err != nil {
		return err
	}
	return s.done(w, r, "/s/"+id, fmt.Sprintf("The decisions were saved as version %d of the model.", out.Version))
}

func (s *Server) pageSessionRecord(w http.ResponseWriter, r *http.Request) error {
	return s.handleSessionRecord(w, r)
}

// sessionsPage is the list of a system's sessions.
type sessionsPage struct {
	System  store.System
	List    []store.LiveSession
	CanOpen bool
	// Observe ticks "invite security to observe" (Observation phase).
	Observe bool
}

func (s *Server) pageSessions(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	list, err := s.store.ListLiveSessions(r.Context(), x.ID, store.Page{Limit: 100})
	if err != nil {
		return err
	}
	return s.render(w, r, "sessions.html", "Sessions · "+x.Name, sessionsPage{System: x, List: list, CanOpen: Allowed(principal(r.Context()), Write, x.TeamID),
		Observe: s.observedByDefault(r.Context(), x.TeamID)})
}

func (s *Server) pageCreateSession(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	minutes, _ := strconv.Atoi(formValue(r, "minutes"))
	req := createSessionRequest{Title: formValue(r, "title"), Minutes: minutes}
	if formValue(r, "anonymous") == "1" {
		st := session.DefaultSettings()
		st.Anonymous = true
		req.Settings = &st
	}
	if formValue(r, "invite_choice") == "1" {
		invite := formValue(r, "invite_security") == "1"
		req.InviteSecurity = &invite
	}
	out, err := s.sessionCreate(r.Context(), principal(r.Context()), r.PathValue("system"), req)
	if err != nil {
		return err
	}
	return s.done(w, r, "/s/"+out.ID, "Session opened. Share its link with the team; guests use the guest link.")
}

// guestPage asks a guest for a name.
type guestPage struct {
	ID, Title, Secret string
}

// guestSession checks a guest link: the session, while it runs.
func (s *Server) guestSession(r *http.Request) (store.LiveSession, error) {
	row, err := s.store.GetLiveSessionByGuest(r.Context(), hashSecret(r.PathValue("secret")))
	if err != nil || row.ID != r.PathValue("session") {
		return row, errorf(http.StatusNotFound, "not_found", "This guest link is not valid.")
	}
	if row.Phase == string(session.Close) || !s.cfg.Now().Before(row.ExpiresAt) {
		return row, errorf(http.StatusGone, "session_over", "This session is over; its guest link has expired.")
	}
	return row, nil
}

func (s *Server) pageGuest(w http.ResponseWriter, r *http.Request) error {
	row, err := s.guestSession(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "session_guest.html", "Join "+row.Title, guestPage{ID: row.ID, Title: row.Title, Secret: r.PathValue("secret")})
}

// pageGuestJoin makes the visitor a guest of the session: a member id, a
// cookie with a secret of their own, and a join event.
func (s *Server) pageGuestJoin(w http.ResponseWriter, r *http.Request) error {
	row, err := s.guestSession(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	name := formValue(r, "name")
	if name == "" || len(name) > 60 {
		return errorf(http.StatusBadRequest, "invalid", "Give a name of 1 to 60 characters, so the team knows who you are.")
	}
	secret := randomSecret()
	g := store.LiveGuest{Hash: hashSecret(secret), SessionID: row.ID, MemberID: "g-" + newID(5), Name: name + " (guest)", CreatedAt: s.cfg.Now()}
	if err := s.store.CreateLiveGuest(r.Context(), g); err != nil {
		return err
	}
	p := &Principal{UserID: g.MemberID, Email: g.Name, Role: store.RoleGuest, TeamID: guestScope(row.ID)}
	if _, err := s.sessionAct(r.Context(), p, row.ID, sessionCmd{Type: session.EvJoin, Name: g.Name}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: GuestCookie, Value: secret, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: int(row.ExpiresAt.Sub(s.cfg.Now()).Seconds()) + 1})
	return s.done(w, r, "/s/"+row.ID, "Welcome, "+name+".")
}

// guestURL is the guest link of a session for the facilitator's page.
func guestURL(id, secret string) string {
	if secret == "" {
		return ""
	}
	return "/s/" + url.PathEscape(id) + "/guest/" + url.PathEscape(secret)
}

// GuestLink is the guest link, for the facilitator.
func (v *liveView) GuestLink() string { return guestURL(v.ID, v.GuestSecret) }
