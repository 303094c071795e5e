package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/session"
	"github.com/wardtm/ward/internal/store"
)

// The live stream of a session: one server-sent event stream per browser
// tab. Each process keeps one room per session with open streams; the room
// hears "session S has event N" from the broker (from any replica, through
// PostgreSQL NOTIFY: ids, not HTML), reads the new events once, renders
// each event's fragment once per kind of viewer (author or not,
// facilitator or not, votes on the card) and fans the bytes out. Bulk
// changes (phase, reveal, merge, settings, decisions, reflection) go out
// as one "refresh" event: each tab reloads the board region.
//
// Every frame carries the event's sequence number as its SSE id, so a tab
// that reconnects (a dropped laptop, a restarted replica) sends
// Last-Event-ID and gets what it missed, from the database.

// liveHub holds this process's rooms.
type liveHub struct {
	mu    sync.Mutex
	rooms map[string]*liveRoom
	cache map[string]*liveEntry // session states (session.go)
}

type liveRoom struct {
	id   string
	subs map[*liveSub]struct{}
	// seq is the last event the room fanned out.
	seq  int64
	stop func()
}

type liveSub struct {
	viewer string
	ch     chan liveFrame
	// lost is set when the tab could not keep up and frames were
	// dropped; its stream then closes so that the browser reconnects and
	// replays from its Last-Event-ID.
	lost chan struct{}
	once sync.Once
}

// liveFrame is one event for one viewer: its seq and the SSE text.
type liveFrame struct {
	seq  int64
	text []byte
}

func (s *Server) hub() *liveHub {
	s.liveOnce.Do(func() { s.live = &liveHub{rooms: map[string]*liveRoom{}} })
	return s.live
}

// join adds a subscriber to a session's room, starting the room (and its
// broker subscription) on the first one.
func (s *Server) joinRoom(id, viewer string, seq int64) (*liveSub, func()) {
	h := s.hub()
	sub := &liveSub{viewer: viewer, ch: make(chan liveFrame, 256), lost: make(chan struct{})}
	h.mu.Lock()
	room := h.rooms[id]
	if room == nil {
		room = &liveRoom{id: id, subs: map[*liveSub]struct{}{}, seq: seq}
		h.rooms[id] = room
		ch, stop := s.cfg.Events.Subscribe(liveTopic(id))
		ctx, cancel := context.WithCancel(context.Background())
		room.stop = func() { cancel(); stop() }
		go s.runRoom(ctx, room, ch)
	}
	room.subs[sub] = struct{}{}
	h.mu.Unlock()
	return sub, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(room.subs, sub)
		if len(room.subs) == 0 && h.rooms[id] == room {
			delete(h.rooms, id)
			room.stop()
		}
	}
}

// runRoom reads and fans out a session's new events as the broker
// announces them. A periodic check catches announcements a broker dropped.
func (s *Server) runRoom(ctx context.Context, room *liveRoom, ch <-chan []byte) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ch:
		case <-tick.C:
		}
		if err := s.fanOut(ctx, room); err != nil && ctx.Err() == nil {
			s.log.Warn("session stream", "session", room.id, "err", err)
		}
	}
}

// fanOut sends the events after room.seq to every subscriber.
func (s *Server) fanOut(ctx context.Context, room *liveRoom) error {
	h := s.hub()
	h.mu.Lock()
	after := room.seq
	h.mu.Unlock()
	// Events first, then the state: the state is then at least as new as
	// the last event, so every event's card is in it.
	evs, err := s.store.LiveEvents(ctx, room.id, after, 1000)
	if err != nil || len(evs) == 0 {
		return err
	}
	last := evs[len(evs)-1].Seq
	h.mu.Lock()
	subs := make([]*liveSub, 0, len(room.subs))
	for sub := range room.subs {
		subs = append(subs, sub)
	}
	h.mu.Unlock()
	fan := func(st *session.State) error { return s.fanEvents(room, st, evs, subs) }
	if ok, err := s.cachedState(room.id, last, fan); ok || err != nil {
		return err
	}
	row, err := s.store.GetLiveSession(ctx, room.id)
	if err != nil {
		return err
	}
	st := &session.State{}
	if err := json.Unmarshal(row.State, st); err != nil {
		return err
	}
	return fan(st)
}

// fanEvents renders each event against st and sends it to the subscribers.
func (s *Server) fanEvents(room *liveRoom, st *session.State, evs []store.LiveEvent, subs []*liveSub) error {
	h := s.hub()
	for _, le := range evs {
		var e session.Event
		if err := json.Unmarshal(le.Data, &e); err != nil {
			return err
		}
		e.Seq = le.Seq
		cache := map[string][]byte{}
		for _, sub := range subs {
			text, err := s.renderFrame(st, &e, sub.viewer, cache)
			if err != nil {
				return err
			}
			select {
			case sub.ch <- liveFrame{seq: e.Seq, text: text}:
			default:
				sub.once.Do(func() { close(sub.lost) })
			}
		}
		h.mu.Lock()
		room.seq = e.Seq
		h.mu.Unlock()
	}
	return nil
}

// fragmentTypes are the events sent as fragments; the rest refresh.
var fragmentTypes = []string{session.EvAdd, session.EvEdit, session.EvTake, session.EvDismiss, session.EvVote, session.EvReady, session.EvHand, session.EvJoin}

// renderFrame renders event e for viewer against the current state. Frames
// are cached by what makes them differ between viewers, so that an event
// is rendered once per kind of viewer, not once per tab.
func (s *Server) renderFrame(st *session.State, e *session.Event, viewer string, cache map[string][]byte) ([]byte, error) {
	if !oneOf(e.Type, fragmentTypes...) {
		key := "refresh"
		if b, ok := cache[key]; ok {
			return b, nil
		}
		b := sseFrame(e.Seq, "refresh", e.Type)
		cache[key] = b
		return b, nil
	}
	card := ""
	switch e.Type {
	case session.EvAdd, session.EvEdit:
		if e.Card != nil {
			card = e.Card.ID
		}
	case session.EvTake, session.EvDismiss:
		card = e.CardID
	case session.EvVote:
		if e.Actor == viewer {
			card = e.CardID // other members never learn who voted where
		}
	}
	var c *session.Card
	if card != "" {
		c = st.Card(card)
	}
	// The status panel differs by role and by the viewer's own ready and
	// hand buttons; a card by whether the viewer wrote it (hidden, edit),
	// the role, and the viewer's votes on it.
	m := st.Member(viewer)
	role, ready, hand := session.Role(""), false, false
	if m != nil {
		role, ready, hand = m.Role, m.Ready, m.Hand
	}
	key := fmt.Sprintf("status|%s|%t|%t", role, ready, hand)
	if c != nil {
		key += fmt.Sprintf("|card|%s|%t|%t|%d", c.ID, st.Hidden(c, viewer), containsStr(c.Authors, viewer), st.Votes[viewer][c.ID])
		if e.Type == session.EvVote {
			key += "|" + viewer // the voter's own tabs: their votes left
		}
	}
	if b, ok := cache[key]; ok {
		return b, nil
	}
	v := st.View(viewer)
	var buf bytes.Buffer
	if c != nil {
		if err := s.renderSession(&buf, "session-card", cardView{V: &v, C: *viewCard(&v, c.ID)}); err != nil {
			return nil, err
		}
		if e.Type == session.EvVote {
			if err := s.renderSession(&buf, "session-myvotes", &v); err != nil {
				return nil, err
			}
		}
	}
	if err := s.renderSession(&buf, "session-status", &v); err != nil {
		return nil, err
	}
	b := sseFrame(e.Seq, "upsert", buf.String())
	cache[key] = b
	return b, nil
}

func containsStr(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// viewCard returns the view's copy of a card.
func viewCard(v *session.View, id string) *session.Card {
	for i := range v.Cards {
		if v.Cards[i].ID == id {
			return &v.Cards[i]
		}
	}
	return &session.Card{ID: id}
}

// sseFrame formats one server-sent event.
func sseFrame(seq int64, event, data string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %d\nevent: %s\n", seq, event)
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// isSessionStream tells the live sessions' streams, which have no request
// timeout.
func isSessionStream(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/s/") && strings.HasSuffix(r.URL.Path, "/stream")
}

// maxReplay is how many missed events a reconnecting tab gets one by one;
// beyond it, one refresh is cheaper.
const maxReplay = 200

// pageSessionStream streams a session's events to one tab.
func (s *Server) pageSessionStream(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	id := r.PathValue("session")
	if _, _, err := s.liveSession(r.Context(), p, id); err != nil {
		return err
	}
	last := int64(-1)
	for _, v := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("since")} {
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "invalid", "Last-Event-ID and since are event numbers")
		}
		last = n
		break
	}
	if n := s.streams.Add(1); n > int64(s.cfg.MaxEventStreams) {
		s.streams.Add(-1)
		w.Header().Set("Retry-After", "30")
		return errorf(http.StatusServiceUnavailable, "too_many_streams", "the server has too many live streams open; try again later")
	}
	defer s.streams.Add(-1)
	viewer := memberID(p)
	// Subscribe first, then read what is stored: nothing falls between.
	row, err := s.store.GetLiveSession(r.Context(), id)
	if err != nil {
		return err
	}
	sub, leave := s.joinRoom(id, viewer, row.Seq)
	defer leave()
	row, st, err := s.liveSession(r.Context(), p, id)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 1000\n: session %s at event %d\n\n", id, row.Seq)
	sent := row.Seq
	if last >= 0 && last < row.Seq {
		if err := s.replay(r.Context(), w, st, id, viewer, last, row.Seq); err != nil {
			return err
		}
	}
	if err := rc.Flush(); err != nil {
		return nil
	}
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-sub.lost:
			return nil // the browser reconnects and replays
		case f := <-sub.ch:
			if f.seq <= sent {
				continue
			}
			sent = f.seq
			_, _ = w.Write(f.text)
		case <-ping.C:
			// A stream outlives the checks made when it opened: drop it
			// when the account is disabled or signed out, the guest's
			// session ended, or the principal lost access.
			if !s.streamStillAllowed(r, id) {
				return nil
			}
			fmt.Fprint(w, ": ping\n\n")
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

// streamStillAllowed authenticates the stream's request again and checks
// its access to the session.
func (s *Server) streamStillAllowed(r *http.Request, id string) bool {
	p, err := s.authenticate(r)
	if err == nil && p == nil {
		p, err = s.authenticateGuest(r)
	}
	if err != nil || p == nil {
		return false
	}
	row, err := s.store.GetLiveSession(r.Context(), id)
	return err == nil && s.liveAccess(p, row) == nil
}

// replay sends the events after last up to upTo, rendered against the
// current state; if there are many, or any is bulk, one refresh.
func (s *Server) replay(ctx context.Context, w http.ResponseWriter, st *session.State, id, viewer string, last, upTo int64) error {
	if upTo-last > maxReplay {
		_, _ = w.Write(sseFrame(upTo, "refresh", "replay"))
		return nil
	}
	evs, err := s.store.LiveEvents(ctx, id, last, maxReplay)
	if err != nil {
		return err
	}
	var frames [][]byte
	for _, le := range evs {
		if le.Seq > upTo {
			break
		}
		var e session.Event
		if err := json.Unmarshal(le.Data, &e); err != nil {
			return err
		}
		e.Seq = le.Seq
		if !oneOf(e.Type, fragmentTypes...) {
			_, _ = w.Write(sseFrame(upTo, "refresh", "replay"))
			return nil
		}
		f, err := s.renderFrame(st, &e, viewer, map[string][]byte{})
		if err != nil {
			return err
		}
		frames = append(frames, f)
	}
	for _, f := range frames {
		if _, err := w.Write(f); err != nil {
			return errors.Join(errWritten, err)
		}
	}
	return nil
}
