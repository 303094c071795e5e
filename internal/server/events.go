package server

import (
	"fmt"
	"net/http"
	"time"
)

// handleEvents streams a system's live events as server-sent events (new
// versions now; live sessions later). With PostgreSQL, events published by
// any replica reach every subscriber through LISTEN/NOTIFY.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	if n := s.streams.Add(1); n > int64(s.cfg.MaxEventStreams) {
		s.streams.Add(-1)
		w.Header().Set("Retry-After", "30")
		return errorf(http.StatusServiceUnavailable, "too_many_streams", "the server has too many live streams open; try again later")
	}
	defer s.streams.Add(-1)
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
		case ev := <-ch:
			fmt.Fprintf(w, "data: %s\n\n", ev)
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
