package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/session"
	"github.com/wardtm/ward/internal/store"
)

// Live threat-modeling sessions (package session). Every change is an
// event: an operation loads the session, lets the domain check and apply
// the event, and appends it to the session's log with a compare-and-set on
// the sequence number (retrying when another request or replica came
// first). The JSON API (below) and the pages (web_session.go) call the
// same operations; the stream (session_stream.go) tells every open tab.

// GuestCookie holds a guest's own secret for one session.
const GuestCookie = "__Host-ward_guest"

// guestScope is the "team" a guest principal may access: its session.
func guestScope(sessionID string) string { return "session:" + sessionID }

// memberID names a principal in a session.
func memberID(p *Principal) string {
	if p.TokenID != "" {
		return "token:" + p.TokenID
	}
	return p.UserID
}

// authenticateGuest returns the guest principal of the request's guest
// cookie, or nil. Guest cookies are read by session routes only.
func (s *Server) authenticateGuest(r *http.Request) (*Principal, error) {
	c, err := r.Cookie(GuestCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	g, err := s.store.GetLiveGuest(r.Context(), hashSecret(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Principal{UserID: g.MemberID, Email: g.Name, Role: store.RoleGuest, TeamID: guestScope(g.SessionID)}, nil
}

// liveSession loads a session the principal may read: 404 for sessions of
// teams it may not read (not revealed), and for guests outside their
// session or after it ended.
func (s *Server) liveSession(ctx context.Context, p *Principal, id string) (store.LiveSession, *session.State, error) {
	row, err := s.store.GetLiveSession(ctx, id)
	if err != nil {
		return row, nil, err
	}
	if err := s.liveAccess(p, row); err != nil {
		return row, nil, err
	}
	st := &session.State{}
	if err := json.Unmarshal(row.State, st); err != nil {
		return row, nil, fmt.Errorf("session %s: stored state: %w", id, err)
	}
	return row, st, nil
}

// displayName is how a principal is named on a board: the account's
// name, else its email, else the token.
func (s *Server) displayName(ctx context.Context, p *Principal) string {
	if p.UserID != "" && p.Role != store.RoleGuest {
		if u, err := s.store.GetUser(ctx, p.UserID); err == nil && u.Name != "" {
			return u.Name
		}
	}
	if p.Email != "" {
		return p.Email
	}
	return p.Actor()
}

// liveAccess checks that p may read the session: 404 for other teams'
// sessions, 410 for guests after it ended.
func (s *Server) liveAccess(p *Principal, row store.LiveSession) error {
	if !Allowed(p, Read, row.TeamID) && !Allowed(p, Read, guestScope(row.ID)) {
		return store.ErrNotFound
	}
	if p.Role == store.RoleGuest && (row.Phase == string(session.Close) || !s.cfg.Now().Before(row.ExpiresAt)) {
		return errorf(http.StatusGone, "session_over", "this session is over; guest links end with it")
	}
	return nil
}

// sessionRole is the role a principal joins a session with, or "" when it
// may only read it.
func sessionRole(p *Principal, row store.LiveSession) session.Role {
	switch {
	case Allowed(p, Join, guestScope(row.ID)) && p.Role == store.RoleGuest:
		return session.Guest
	case Allowed(p, Join, row.TeamID):
		return session.Participant
	case Allowed(p, Observe, row.TeamID):
		return session.Observer
	}
	return ""
}

// domainError maps the domain's refusals to HTTP errors.
func domainError(err error) error {
	status, code := 0, ""
	switch {
	case errors.Is(err, session.ErrForbidden):
		status, code = http.StatusForbidden, "forbidden"
	case errors.Is(err, session.ErrPhase):
		status, code = http.StatusConflict, "wrong_phase"
	case errors.Is(err, session.ErrStale):
		status, code = http.StatusConflict, "stale"
	case errors.Is(err, session.ErrNotFound):
		status, code = http.StatusNotFound, "not_found"
	case errors.Is(err, session.ErrInvalid):
		status, code = http.StatusBadRequest, "invalid"
	default:
		return err
	}
	return errorf(status, code, "%s", err.Error())
}

// sessionCmd is a change a member asks for (POST /api/v1/sessions/{session}/actions).
type sessionCmd struct {
	Type string `json:"type"`
	// RequestID makes a retried request harmless: the second is not applied.
	RequestID  string              `json:"request_id,omitempty"`
	Card       *session.Card       `json:"card,omitempty"`
	CardID     string              `json:"card_id,omitempty"`
	From       string              `json:"from,omitempty"`
	Count      int                 `json:"count,omitempty"`
	On         bool                `json:"on,omitempty"`
	Phase      session.Phase       `json:"phase,omitempty"`
	Timer      int                 `json:"timer,omitempty"`
	Settings   *session.Settings   `json:"settings,omitempty"`
	Decision   *session.Decision   `json:"decision,omitempty"`
	Reflection *session.Reflection `json:"reflection,omitempty"`
	// Name is the display name for join (guests choose one).
	Name string `json:"name,omitempty"`
}

var memberTypes = []string{session.EvJoin, session.EvPhase, session.EvSettings, session.EvAdd, session.EvEdit, session.EvTake, session.EvDismiss,
	session.EvMerge, session.EvPresent, session.EvReady, session.EvHand, session.EvVote, session.EvDecide, session.EvReflect, session.EvConclude}

// sessionAct applies a member's command to a session and returns the
// state after it. A command with a request id already stored returns the
// current state without applying it again.
func (s *Server) sessionAct(ctx context.Context, p *Principal, id string, c sessionCmd) (*session.View, error) {
	if !oneOf(c.Type, memberTypes...) {
		return nil, errorf(http.StatusBadRequest, "invalid", "type must be one of %s", strings.Join(memberTypes, ", "))
	}
	if len(c.RequestID) > 64 {
		return nil, errorf(http.StatusBadRequest, "invalid", "request_id has at most 64 characters")
	}
	actor := memberID(p)
	return s.sessionAppend(ctx, p, id, c.RequestID, func(row store.LiveSession, st *session.State) (session.Event, error) {
		e := session.Event{Type: c.Type, Actor: actor, Phase: c.Phase, Timer: c.Timer, Settings: c.Settings, CardID: c.CardID, From: c.From,
			Count: c.Count, On: c.On, Decision: c.Decision, Reflection: c.Reflection}
		if c.Card != nil {
			card := *c.Card
			e.Card = &card
		}
		if c.Type == session.EvJoin {
			role := sessionRole(p, row)
			if role == "" {
				return e, errorf(http.StatusForbidden, "forbidden", "your role (%s) may read this session but not join it", p.Role)
			}
			name := strings.TrimSpace(c.Name)
			if p.Role != store.RoleGuest || name == "" {
				name = s.displayName(ctx, p)
			}
			if len(name) > 100 {
				name = name[:100]
			}
			e.Member = &session.Member{ID: actor, Name: name, Role: role}
			return e, nil
		}
		if sessionRole(p, row) == "" && st.Member(actor) != nil && st.Member(actor).Role != session.Facilitator {
			return e, errorf(http.StatusForbidden, "forbidden", "your role (%s) does not allow this any more", p.Role)
		}
		if c.Type == session.EvAdd {
			if e.Card == nil {
				return e, errorf(http.StatusBadRequest, "invalid", "card is missing")
			}
			e.Card.ID = fmt.Sprintf("c%d", st.Seq+1)
		}
		return e, nil
	})
}

// liveEntry caches a session's state in this process, at event seq, so
// that an action does not decode the stored state again; its lock also
// queues this process's actions on the session, so that they do not
// conflict with each other (other replicas' are caught by the
// compare-and-set in AppendLiveEvent).
type liveEntry struct {
	mu  sync.Mutex
	st  *session.State
	seq int64
}

func (s *Server) liveEntry(id string) *liveEntry {
	h := s.hub()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cache == nil || len(h.cache) > 10000 {
		h.cache = map[string]*liveEntry{} // a cache: dropping it is safe
	}
	e := h.cache[id]
	if e == nil {
		e = &liveEntry{}
		h.cache[id] = e
	}
	return e
}

// sessionAppend builds an event against the current state, applies it and
// appends it, retrying on a concurrent append. It returns what the
// principal sees afterwards.
func (s *Server) sessionAppend(ctx context.Context, p *Principal, id, requestID string, build func(store.LiveSession, *session.State) (session.Event, error)) (*session.View, error) {
	entry := s.liveEntry(id)
	entry.mu.Lock()
	defer entry.mu.Unlock()
	viewer := memberID(p)
	for attempt := 0; ; attempt++ {
		row, err := s.store.GetLiveSession(ctx, id)
		if err != nil {
			return nil, err
		}
		if entry.st == nil || entry.seq != row.Seq {
			// Stale or empty: decode the stored state.
			entry.st = nil
			if _, entry.st, err = s.liveSession(ctx, p, id); err != nil {
				entry.st = nil
				return nil, err
			}
			entry.seq = entry.st.Seq
			if entry.seq != row.Seq {
				entry.st = nil
				continue
			}
		} else if err := s.liveAccess(p, row); err != nil {
			return nil, err
		}
		st := entry.st
		if requestID != "" {
			if _, err := s.store.LiveEventByRequest(ctx, id, requestID); err == nil {
				v := st.View(viewer)
				return &v, nil
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
		e, err := build(row, st)
		if err != nil {
			return nil, err
		}
		e.At, e.Seq = s.cfg.Now().UTC().Truncate(time.Millisecond), st.Seq+1
		if err := st.Apply(e); err != nil {
			return nil, domainError(err) // the state is unchanged
		}
		data, err := json.Marshal(e)
		if err != nil {
			entry.st = nil
			return nil, err
		}
		state, err := json.Marshal(st)
		if err != nil {
			entry.st = nil
			return nil, err
		}
		err = s.store.AppendLiveEvent(ctx, store.LiveEvent{SessionID: id, At: e.At, Actor: e.Actor, Type: e.Type, RequestID: requestID, Data: data},
			row.Seq, state, string(st.Phase))
		if err != nil {
			entry.st = nil // applied but not stored: decode again
		}
		switch {
		case err == nil:
			entry.seq = e.Seq
			v := st.View(viewer)
			s.announce(ctx, id, e.Seq)
			return &v, nil
		case errors.Is(err, store.ErrExists):
			continue // stored by a concurrent retry: the next round returns it
		case errors.Is(err, store.ErrConflict) && attempt < 50:
			continue
		}
		return nil, err
	}
}

// cachedState calls fn with the cached state of a session when it is at
// least at event seq; it reports whether it did.
func (s *Server) cachedState(id string, seq int64, fn func(*session.State) error) (bool, error) {
	entry := s.liveEntry(id)
	entry.mu.Lock()
	defer entry.mu.Unlock()
	if entry.st == nil || entry.seq < seq {
		return false, nil
	}
	return true, fn(entry.st)
}

// announce tells every replica's streams that the session has new events:
// ids only, each replica reads and renders them itself.
func (s *Server) announce(ctx context.Context, id string, seq int64) {
	msg, _ := json.Marshal(map[string]any{"session": id, "seq": seq})
	if err := s.cfg.Events.Publish(ctx, liveTopic(id), msg); err != nil {
		s.log.Warn("publish session event", "err", err)
	}
}

func liveTopic(id string) string { return "live:" + id }

// createSessionRequest opens a session.
type createSessionRequest struct {
	Title string `json:"title"`
	// Version is the model version to review (default the latest).
	Version int `json:"version"`
	// Minutes is the time box (default 90); guest links end with it.
	Minutes  int               `json:"minutes"`
	Settings *session.Settings `json:"settings,omitempty"`
	// InviteSecurity invites security to observe (notification
	// session.observe); absent, it does so when the team is in the
	// programme's Observation phase.
	InviteSecurity *bool `json:"invite_security,omitempty"`
}

// createdSession is what opening a session returns.
type createdSession struct {
	ID        string `json:"id"`
	GuestLink string `json:"guest_link"`
}

// sessionCreate opens a session on a system's version with the engine's
// seed cards; the principal facilitates it. Any member who may write the
// system's model may open one.
func (s *Server) sessionCreate(ctx context.Context, p *Principal, systemID string, req createSessionRequest) (createdSession, error) {
	x, err := s.store.GetSystem(ctx, systemID)
	if err != nil {
		return createdSession{}, err
	}
	if !Allowed(p, Read, x.TeamID) {
		return createdSession{}, store.ErrNotFound
	}
	if !Allowed(p, Write, x.TeamID) {
		return createdSession{}, errorf(http.StatusForbidden, "forbidden", "your role (%s) cannot open a session on this system", p.Role)
	}
	if req.Minutes == 0 {
		req.Minutes = 90
	}
	if req.Minutes < 5 || req.Minutes > 7*24*60 {
		return createdSession{}, errorf(http.StatusBadRequest, "invalid", "minutes (the time box) is between 5 and 10080")
	}
	req.Title = strings.TrimSpace(req.Title)
	if req.Title == "" || len(req.Title) > 200 {
		return createdSession{}, errorf(http.StatusBadRequest, "invalid", "give the session a title (at most 200 characters)")
	}
	v, err := s.store.GetVersion(ctx, x.ID, req.Version)
	if err != nil {
		return createdSession{}, err
	}
	var res report.Result
	if err := json.Unmarshal(v.Result, &res); err != nil {
		return createdSession{}, fmt.Errorf("version %d: stored analysis: %w", v.Number, err)
	}
	seeds, els, assets := session.Seeds(&res)
	now := s.cfg.Now().UTC().Truncate(time.Millisecond)
	id := newID(5)
	secret := randomSecret()
	invite := s.observedByDefault(ctx, x.TeamID)
	if req.InviteSecurity != nil {
		invite = *req.InviteSecurity
	}
	first := session.New(session.Info{ID: id, SystemID: x.ID, TeamID: x.TeamID, Version: v.Number, Title: req.Title, Facilitator: memberID(p),
		Name: s.displayName(ctx, p), Elements: els, Assets: assets, SecurityInvited: invite}, seeds, now)
	first.Seq = 1
	if req.Settings != nil {
		tmp := &session.State{}
		if err := tmp.Apply(first); err != nil {
			return createdSession{}, err
		}
		if err := tmp.Apply(session.Event{Type: session.EvSettings, Actor: memberID(p), Settings: req.Settings}); err != nil {
			return createdSession{}, domainError(err)
		}
		first.Session.Settings = *req.Settings
	}
	st := &session.State{}
	if err := st.Apply(first); err != nil {
		return createdSession{}, err
	}
	// The guest link's secret is kept in the state (a cache of the log)
	// for the facilitator's page only; the log never holds it.
	st.GuestSecret = secret
	data, _ := json.Marshal(first)
	state, _ := json.Marshal(st)
	err = s.store.CreateLiveSession(ctx, store.LiveSession{ID: id, SystemID: x.ID, TeamID: x.TeamID, Title: req.Title, Phase: string(st.Phase), State: state,
		GuestHash: hashSecret(secret), CreatedBy: p.Actor(), CreatedAt: now, ExpiresAt: now.Add(time.Duration(req.Minutes) * time.Minute)},
		store.LiveEvent{Seq: 1, At: now, Actor: memberID(p), Type: session.EvCreate, Data: data})
	if err != nil {
		return createdSession{}, err
	}
	if invite {
		s.inviteObserver(ctx, p, x, id, req.Title, now.Add(time.Duration(req.Minutes)*time.Minute))
	}
	return createdSession{ID: id, GuestLink: "/s/" + id + "/guest/" + secret}, nil
}

// sessionPromote saves the decisions not yet in the model as a new version
// of it, with the same operation a push uses, and records the version.
func (s *Server) sessionPromote(ctx context.Context, p *Principal, id string) (*session.View, pushResponse, error) {
	_, st, err := s.liveSession(ctx, p, id)
	if err != nil {
		return nil, pushResponse{}, err
	}
	if st.Member(memberID(p)) == nil || st.Member(memberID(p)).Role != session.Facilitator {
		return nil, pushResponse{}, errorf(http.StatusForbidden, "forbidden", "only the facilitator saves the decisions")
	}
	if !Allowed(p, Write, st.TeamID) || !Allowed(p, Review, st.TeamID) {
		return nil, pushResponse{}, errorf(http.StatusForbidden, "forbidden", "your role (%s) cannot change this system's model", p.Role)
	}
	if st.Phase != session.Decide {
		return nil, pushResponse{}, errorf(http.StatusConflict, "wrong_phase", "decisions are saved in the decide phase")
	}
	plan := st.Plan()
	if len(plan.Cards) == 0 {
		return nil, pushResponse{}, errorf(http.StatusBadRequest, "invalid", "there is no new decision to save")
	}
	x, err := s.store.GetSystem(ctx, st.SystemID)
	if err != nil {
		return nil, pushResponse{}, err
	}
	v, err := s.store.GetVersion(ctx, x.ID, 0)
	if err != nil {
		return nil, pushResponse{}, err
	}
	b := unarchive(v.YAML)
	merged, err := mergedIndex(v.Result)
	if err != nil {
		return nil, pushResponse{}, err
	}
	if err := applyPlan(&b, plan, merged); err != nil {
		return nil, pushResponse{}, err
	}
	msg := fmt.Sprintf("threat-modeling session %s: %s (%d decisions)", st.ID, st.Title, len(plan.Cards))
	out, err := s.storeVersion(ctx, p, x.ID, x.TeamID, msg, x.Revision, b)
	if err != nil {
		return nil, pushResponse{}, err
	}
	after, err := s.sessionAppend(ctx, p, id, "", func(_ store.LiveSession, _ *session.State) (session.Event, error) {
		return session.Event{Type: session.EvPromoted, Actor: memberID(p), Produced: out.Version, Threats: plan.Cards}, nil
	})
	return after, out, err
}

// JSON API.

func (s *Server) handleCreateSession(w http.ResponseWriter, r *http.Request) error {
	var req createSessionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	out, err := s.sessionCreate(r.Context(), principal(r.Context()), r.PathValue("system"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleListSessions(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	list, err := s.store.ListLiveSessions(r.Context(), x.ID, pg)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, l := range list {
		out = append(out, map[string]any{"id": l.ID, "title": l.Title, "phase": l.Phase, "events": l.Seq, "created_at": l.CreatedAt, "updated_at": l.UpdatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (s *Server) handleGetSession(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	_, st, err := s.liveSession(r.Context(), p, r.PathValue("session"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st.View(memberID(p)))
	return nil
}

func (s *Server) handleSessionAction(w http.ResponseWriter, r *http.Request) error {
	var c sessionCmd
	if err := decodeJSON(r, &c); err != nil {
		return err
	}
	p := principal(r.Context())
	if !oneOf(r.URL.Query().Get("view"), "", "full", "brief") {
		return errorf(http.StatusBadRequest, "invalid_query", "view is full or brief")
	}
	v, err := s.sessionAct(r.Context(), p, r.PathValue("session"), c)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("view") {
	case "", "full":
		writeJSON(w, http.StatusOK, v)
	case "brief":
		// For clients that follow the stream: the event number and the
		// card acted on, not the whole board.
		id := c.CardID
		if c.Card != nil && c.Card.ID != "" {
			id = c.Card.ID
		}
		if c.Type == session.EvAdd {
			id = fmt.Sprintf("c%d", v.Seq)
		}
		out := map[string]any{"seq": v.Seq}
		if cd := viewCard(v, id); id != "" && cd.Version > 0 {
			out["card"] = cd
		}
		writeJSON(w, http.StatusOK, out)
	}
	return nil
}

func (s *Server) handlePromoteSession(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	st, out, err := s.sessionPromote(r.Context(), p, r.PathValue("session"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"version": out, "threats": st.Threats})
	return nil
}

// handleSessionRecord exports the record as JSON, or Markdown with
// ?format=markdown.
func (s *Server) handleSessionRecord(w http.ResponseWriter, r *http.Request) error {
	_, st, err := s.liveSession(r.Context(), principal(r.Context()), r.PathValue("session"))
	if err != nil {
		return err
	}
	rec := st.Record(s.cfg.Now())
	switch r.URL.Query().Get("format") {
	case "", "json":
		writeJSON(w, http.StatusOK, rec)
	case "markdown", "md":
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=session-%s.md", st.ID))
		_, _ = w.Write([]byte(rec.Markdown()))
	default:
		return errorf(http.StatusBadRequest, "invalid_query", "format is json or markdown")
	}
	return nil
}

// handleSessionEvents returns the event log after ?after=N, for replay and
// audit. Events are the domain's, as stored.
func (s *Server) handleSessionEvents(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	id := r.PathValue("session")
	_, st, err := s.liveSession(r.Context(), p, id)
	if err != nil {
		return err
	}
	if st.Member(memberID(p)) == nil && !Allowed(p, Review, st.TeamID) {
		return errorf(http.StatusForbidden, "forbidden", "the event log is for the session's members and reviewers")
	}
	if st.Settings.Anonymous || st.Settings.HideUntilReveal && !st.Revealed {
		if st.Member(memberID(p)) == nil || st.Member(memberID(p)).Role != session.Facilitator || st.Phase != session.Close {
			return errorf(http.StatusForbidden, "forbidden", "the raw log of an anonymous or unrevealed session is readable only after it closes, by its facilitator")
		}
	}
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		if _, err := fmt.Sscan(v, &after); err != nil || after < 0 {
			return errorf(http.StatusBadRequest, "invalid_query", "after must be a sequence number")
		}
	}
	evs, err := s.store.LiveEvents(r.Context(), id, after, 1000)
	if err != nil {
		return err
	}
	out := make([]json.RawMessage, 0, len(evs))
	for _, e := range evs {
		out = append(out, e.Data)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}
