package server

import (
	"fmt"
	"net/http"
	"time"

	"github.com/wardtm/ward/internal/store"
)

// handleEvents streams a system's live events as server-sent events (new
// versions now; live sessions later). With PostgreSQL, events published by
// any replica reach every subscriber through LISTEN/NOTIFY.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	return s.streamEvents(w, r, x, func(ev []byte) ([]byte, bool) { return ev, true })
}

// streamEvents streams x's events to the principal of r, each passed
// through format (which may drop it), until the client leaves, the
// credentials stop working or the server shuts down. The JSON event
// stream and the web pages' live regions (web_live.go) share it.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request, x store.System, format func(ev []byte) ([]byte, bool)) error {
	if n := s.streams.Add(1); n > int64(s.cfg.MaxEventStreams) {
		s.streams.Add(-1)
		w.Header().Set("Retry-After", "30")
		return errorf(http.StatusServiceUnavailable, "too_many_streams", "the server has too many live streams open; try again later")
	}
	defer s.streams.Add(-1)
	p := principal(r.Context())
	st := s.streamSet.open(p, s.cfg.MaxStreamsPerAccount)
	if st == nil {
		return &Error{Status: http.StatusTooManyRequests, Code: "too_many_streams", RetryAfter: 30 * time.Second,
			Msg: fmt.Sprintf("you already have %d live streams open; close one first", s.cfg.MaxStreamsPerAccount)}
	}
	defer s.streamSet.release(st)
	// The credentials are checked again periodically (revocation on
	// another replica, session expiry) and at the token's expiry.
	recheck := time.NewTicker(s.cfg.StreamRecheck)
	defer recheck.Stop()
	var expiry <-chan time.Time
	if !p.TokenExpires.IsZero() {
		t := time.NewTimer(max(p.TokenExpires.Sub(s.cfg.Now()), 0))
		defer t.Stop()
		expiry = t.C
	}
	rc := http.NewResponseController(w)
	ch, stop := s.cfg.Events.Subscribe("system:" + x.ID)
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, ": subscribed to %s\n\n", x.ID)
	if err := rc.Flush(); err != nil {
		return nil
	}
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-st.done: // revoked, disabled, shutting down
			return nil
		case <-expiry:
			return nil
		case <-recheck.C:
			if q, err := s.authenticate(r); err != nil || q == nil || q.Role != p.Role || !Allowed(q, Read, x.TeamID) {
				return nil
			}
			continue
		case ev := <-ch:
			data, ok := format(ev)
			if !ok {
				continue
			}
			fmt.Fprintf(w, "data: %s\n\n", data)
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
