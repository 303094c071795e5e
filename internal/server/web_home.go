package server

import (
	"context"
	"net/http"

	"github.com/wardtm/ward/internal/model"

	"github.com/wardtm/ward/internal/store"
)

// Home: what a person sees after signing in, by role; the gap finder; the
// systems and findings lists behind every number.

func (s *Server) homePages(wr webRouter) {
	wr.page("GET /{$}", s.pageHome)
	wr.page("GET /systems", s.pageSystems)
	wr.page("GET /findings", s.pageFindings)
	wr.page("GET /gaps/{kind}", s.pageGap)
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
	if Allowed(p, Review, "") || p.TeamID != "" {
		// The review queue (web_review.go): its top for security, the
		// team's own requests for members.
		slot, err := s.reviewHomeSlot(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, slot)
	}
	return out, nil
}

type homeView struct {
	Slots []homeSlot
	// Team is the principal's team (members); Systems its systems' risk.
	Team    string
	Systems []*riskRow
	// Top are the organisation's worst open findings (security, admins).
	Top []findingRow
	// ByTeam and ByClass are risk by team and by asset class (leaders:
	// admins, security, viewers who read everything).
	ByTeam, ByClass []*riskRow
	Gaps            []gapCard
	Totals          riskRow
	Count           int
	// Unverified counts threats not known to be mitigated: a control the
	// model leaves unknown (answering the question settles them).
	Unverified int
}

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	slots, err := s.homeSlots(ctx, p)
	if err != nil {
		return err
	}
	rows, err := s.portfolio(ctx, p, "")
	if err != nil {
		return err
	}
	hv := homeView{Slots: slots, Count: len(rows), Gaps: gapCards(gapCounts(rows, s.cfg.Now()), "")}
	if !Allowed(p, Read, "") {
		hv.Team = p.TeamID
	}
	for _, sr := range rows {
		for i := range sr.Result.Findings {
			if sr.Result.Findings[i].Status == string(model.StatusUnverified) {
				hv.Unverified++
			}
		}
	}
	hv.Systems = systemRisk(rows)
	for _, rr := range hv.Systems {
		for sev, n := range rr.BySev {
			hv.Totals.add(sev, n)
		}
	}
	if Allowed(p, Read, "") {
		// Everything is readable: show the organisation's picture.
		hv.ByTeam, hv.ByClass = teamRisk(rows), assetRisk(rows)
		top := filterFindings(rows, findingFilter{Status: "open"})
		hv.Top = top[:min(len(top), 10)]
		if len(hv.Systems) > 10 {
			hv.Systems = hv.Systems[:10]
		}
	}
	return s.render(w, r, "home.html", "Home", hv)
}

type systemsView struct {
	Team    string
	Teams   []store.Team
	Systems []*riskRow
	Info    map[string]store.System
}

func (s *Server) pageSystems(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	team := r.URL.Query().Get("team")
	rows, err := s.portfolio(ctx, p, team)
	if err != nil {
		return err
	}
	sv := systemsView{Team: team, Systems: systemRisk(rows), Info: map[string]store.System{}}
	for _, sr := range rows {
		sv.Info[sr.System.ID] = sr.System
	}
	return s.render(w, r, "systems.html", "Systems", sv)
}

type findingsView struct {
	Filter  findingFilter
	Options filterOptions
	Rows    []findingRow
	Total   int
	Limited bool
}

// maxListed bounds the rows a list page shows.
const maxListed = 300

func (s *Server) pageFindings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	ff := readFindingFilter(r)
	rows, err := s.portfolio(ctx, p, ff.Team)
	if err != nil {
		return err
	}
	list := filterFindings(rows, ff)
	fv := findingsView{Filter: ff, Options: optionsOf(rows, ""), Rows: list, Total: len(list)}
	if len(list) > maxListed {
		fv.Rows, fv.Limited = list[:maxListed], true
	}
	return s.render(w, r, "findings.html", "Findings", fv)
}

type gapView struct {
	Kind, Title, Empty, Team string
	Items                    []gapItem
	Total                    int
}

func (s *Server) pageGap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	kind := r.PathValue("kind")
	gv := gapView{Kind: kind, Team: r.URL.Query().Get("team")}
	for _, k := range gapKinds {
		if k.ID == kind {
			gv.Title, gv.Empty = k.Title, k.Empty
		}
	}
	if gv.Title == "" {
		return errorf(http.StatusNotFound, "not_found", "There is no gap list %q.", kind)
	}
	rows, err := s.portfolio(ctx, p, gv.Team)
	if err != nil {
		return err
	}
	gv.Items = gaps(rows, s.cfg.Now(), kind)
	gv.Total = len(gv.Items)
	if len(gv.Items) > maxListed {
		gv.Items = gv.Items[:maxListed]
	}
	return s.render(w, r, "gaps.html", gv.Title, gv)
}
