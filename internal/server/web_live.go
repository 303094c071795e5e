package server

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
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
	return s.streamEvents(w, r, x, func(ev []byte) ([]byte, bool) {
		var e struct {
			Type    string `json:"type"`
			System  string `json:"system"`
			Version int    `json:"version"`
		}
		if json.Unmarshal(ev, &e) != nil || e.Type != "version" {
			return nil, false
		}
		var buf bytes.Buffer
		if err := liveVersion.Execute(&buf, e); err != nil {
			return nil, false
		}
		return bytes.ReplaceAll(buf.Bytes(), []byte("\n"), []byte(" ")), true
	})
}
