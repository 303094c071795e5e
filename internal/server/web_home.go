package server

import (
	"context"
	"net/http"
)

// Home: what a person sees after signing in, by role.

func (s *Server) homePages(wr webRouter) {
	wr.page("GET /{$}", s.pageHome)
}

// homeSlot is a section another area adds to the home page: the template
// (defined in a partial, ui/templates/_*.html) and its data.
type homeSlot struct {
	Template string
	Data     any
}

// homeSlots lists the sections other areas add to p's home page (the
// review queue for security engineers). Each area appends its own; a slot
// that does not apply to p is left out.
func (s *Server) homeSlots(ctx context.Context, p *Principal) ([]homeSlot, error) {
	var out []homeSlot
	if Allowed(p, Review, "") {
		out = append(out, homeSlot{Template: "home-review-placeholder"})
	}
	return out, nil
}

type homeView struct {
	Slots []homeSlot
}

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	slots, err := s.homeSlots(r.Context(), p)
	if err != nil {
		return err
	}
	return s.render(w, r, "home.html", "Home", homeView{Slots: slots})
}
