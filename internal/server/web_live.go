package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
)

// The system page's live region: one server-sent event stream per tab
// (hx-sse:connect), each event an HTML fragment that htmx swaps in. Today
// it says when someone else saved a new version; live sessions will add
// events to the same stream.

func (s *Server) livePages(wr webRouter) {
	wr.page("GET /systems/{system}/live", s.pageLive)
}

// isLiveStream tells the page event streams (no request timeout).
func isLiveStream(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/systems/") && strings.HasSuffix(r.URL.Path, "/live")
}

var liveVersion = template.Must(template.New("live").Parse(
	`<p class="flash flash-ok">Version {{.Version}} was just saved. <a href="/systems/{{.System}}">Reload</a> to see it.</p>`))

func (s *Server) pageLive(w http.ResponseWriter, r *http.Request) error {
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
	ch, stop := s.cfg.Events.Subscribe("system:" + x.ID)
	defer stop()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": live\n\n")
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
			var e struct {
				Type    string `json:"type"`
				System  string `json:"system"`
				Version int    `json:"version"`
			}
			if json.Unmarshal(ev, &e) != nil || e.Type != "version" {
				continue
			}
			var buf bytes.Buffer
			if err := liveVersion.Execute(&buf, e); err != nil {
				return nil
			}
			fmt.Fprintf(w, "data: %s\n\n", strings.ReplaceAll(buf.String(), "\n", " "))
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
