package server

// The programme's pages (docs/programme.md): the overview a security lead
// reads to see which team is ready to move on and why, each team's page
// with the evidence and the proposal to confirm, outside findings with
// their import form, leadership's view and the one-page summary. They are
// views over the operations in programme*.go.

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/programme"
	"github.com/wardtm/ward/internal/store"
)

func (s *Server) programmePages(wr webRouter) {
	wr.page("GET /programme", s.pageProgramme)
	wr.page("GET /programme/teams/{team}", s.pageProgrammeTeam)
	wr.page("POST /programme/teams/{team}/phase", s.pageProgrammeSetPhase)
	wr.page("POST /programme/proposals/{id}", s.pageProgrammeDecide)
	wr.page("GET /programme/findings", s.pageOutside)
	wr.page("POST /programme/findings", s.pageOutsideImport)
	wr.page("GET /programme/leadership", s.pageLeadership)
	wr.page("GET /programme/summary", s.pageSummary)
	wr.page("POST /review/{id}/threats", s.pageReviewThreat)
	wr.page("GET /programme/settings", s.pageProgrammeSettings)
	wr.page("POST /programme/settings", s.pageSetProgrammeSettings)
}

// pct shows a share as a whole percentage.
func sharePct(x float64) string { return fmt.Sprintf("%.0f %%", x*100) }

type programmePage struct {
	Teams     []programmeTeamRow
	Observe   []observeInvite
	Phases    []phaseCount
	LeadShare string
	BSIMM     string
	Source    string
	Org       bool
}

func (s *Server) pageProgramme(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	rows, err := s.programmeOverview(ctx, p)
	if err != nil {
		return err
	}
	v := programmePage{Teams: rows, BSIMM: sharePct(bsimmAA31), Source: bsimmAA31Source, Org: Allowed(p, Read, "")}
	if Allowed(p, Coach, "") {
		if v.Observe, err = s.observeInvites(ctx, rows); err != nil {
			return err
		}
	}
	counts := map[programme.Phase]int{}
	lead := 0
	for _, t := range rows {
		counts[t.Phase]++
		if t.Phase.LeadsAnalysis() {
			lead++
		}
	}
	for _, ph := range programme.Phases {
		v.Phases = append(v.Phases, phaseCount{Phase: ph, Label: ph.Label(), Teams: counts[ph]})
	}
	if len(rows) > 0 {
		v.LeadShare = sharePct(float64(lead) / float64(len(rows)))
	}
	return s.render(w, r, "programme.html", "Programme", v)
}

type programmeTeamPage struct {
	teamProgramme
	Phases   []programme.Phase
	FixedPct string
}

func (s *Server) pageProgrammeTeam(w http.ResponseWriter, r *http.Request) error {
	v, err := s.teamProgramme(r.Context(), principal(r.Context()), r.PathValue("team"))
	if err != nil {
		return err
	}
	return s.render(w, r, "programme_team.html", "Team "+v.Team.Name, programmeTeamPage{teamProgramme: v, Phases: programme.Phases, FixedPct: sharePct(v.FixedShare)})
}

func (s *Server) pageProgrammeSetPhase(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	p := principal(ctx)
	team := r.PathValue("team")
	if !Allowed(p, Read, team) {
		return store.ErrNotFound
	}
	v, err := s.setTeamPhase(ctx, p, team, teamPhaseInput{Phase: formValue(r, "phase"), Note: formValue(r, "note")})
	if err != nil {
		return s.programmeFormError(w, r, "/programme/teams/"+team, err)
	}
	return s.done(w, r, "/programme/teams/"+team, fmt.Sprintf("%s is now in phase %s.", v.Team.Name, v.Phase.Label()))
}

func (s *Server) pageProgrammeDecide(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	confirm := formValue(r, "decision") == "confirm"
	pp, err := s.decideProposal(ctx, principal(ctx), r.PathValue("id"), proposalDecisionInput{Confirm: confirm, Note: formValue(r, "note")})
	if err != nil {
		return s.programmeFormError(w, r, "/programme/teams/"+pp.TeamID, err)
	}
	msg := fmt.Sprintf("Proposal dismissed; %s stays in %s.", pp.TeamID, programme.Phase(pp.From).Label())
	if confirm {
		msg = fmt.Sprintf("Confirmed: %s moves to %s.", pp.TeamID, programme.Phase(pp.To).Label())
	}
	return s.done(w, r, "/programme/teams/"+pp.TeamID, msg)
}

// programmeFormError turns a refused form into a flash message on the page it came
// from (bad input) or an error page (anything else).
func (s *Server) programmeFormError(w http.ResponseWriter, r *http.Request, back string, err error) error {
	var pe *Error
	if errors.As(err, &pe) && (pe.Status == http.StatusBadRequest || pe.Status == http.StatusConflict || pe.Status == http.StatusUnprocessableEntity) && back != "/programme/teams/" {
		setFlash(w, r, "error", pe.Msg)
		http.Redirect(w, r, localPath(back), http.StatusSeeOther)
		return nil
	}
	return err
}

type outsidePage struct {
	Items    []outsideJSON
	Total    int
	Catch    string
	Team     string
	CanCoach bool
	Header   string
	Presets  []string
	Result   *outsideImportResult
	Error    string
	Problems []string
	In       outsideImportInput
}

func (s *Server) outsidePage(r *http.Request) (outsidePage, error) {
	ctx := r.Context()
	p := principal(ctx)
	q := r.URL.Query()
	v := outsidePage{Catch: q.Get("catch"), Team: q.Get("team"), CanCoach: Allowed(p, Coach, ""), Header: programme.Header, Presets: []string{"hackerone", "bugcrowd"}}
	var err error
	v.Items, v.Total, err = s.listOutside(ctx, p, store.OutsideQuery{TeamID: v.Team, Catch: v.Catch, Page: store.Page{Limit: 200}})
	return v, err
}

func (s *Server) pageOutside(w http.ResponseWriter, r *http.Request) error {
	v, err := s.outsidePage(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "programme_findings.html", "Outside findings", v)
}

func (s *Server) pageOutsideImport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	if err := s.requireP(p, Coach, ""); err != nil {
		return err
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errorf(http.StatusBadRequest, "invalid_form", "the form could not be read")
	}
	in := outsideImportInput{Format: formValue(r, "format"), Source: formValue(r, "source"), System: formValue(r, "system"), Mapping: formValue(r, "mapping"),
		Content: r.PostFormValue("content"), File: "pasted text"}
	if f, h, err := r.FormFile("file"); err == nil {
		data, err := io.ReadAll(io.LimitReader(f, maxOutsideBytes+1))
		f.Close()
		if err != nil {
			return err
		}
		if len(data) > 0 {
			in.Content, in.File = string(data), h.Filename
		}
	}
	res, err := s.importOutside(ctx, p, in)
	v, verr := s.outsidePage(r)
	if verr != nil {
		return verr
	}
	in.Content = ""
	v.In = in
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) || pe.Status >= 500 || pe.Status == http.StatusForbidden {
			return err
		}
		v.Error = pe.Msg
		if ps, ok := pe.Details.([]problemJSON); ok {
			for _, x := range ps {
				v.Problems = append(v.Problems, x.String())
			}
		}
		return s.renderStatus(w, r, pe.Status, "programme_findings.html", "layout", s.viewFor(w, r, "Outside findings", v))
	}
	v.Result = &res
	return s.render(w, r, "programme_findings.html", "Outside findings", v)
}

type leadPage struct {
	leadership
	Lead string
}

// Pct shows a share.
func (leadPage) Pct(x float64) string { return sharePct(x) }

// PerTeam shows a trend cell: outside findings per team in the phase.
func (leadPage) PerTeam(r programme.TrendRow, ph programme.Phase) string {
	v, ok := r.PerTeam(ph)
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.1f", v)
}

// Money shows an amount without false precision.
func (leadPage) Money(x float64) string { return programme.Money(x) }

func (s *Server) pageLeadership(w http.ResponseWriter, r *http.Request) error {
	v, err := s.leadershipView(r.Context(), principal(r.Context()))
	if err != nil {
		return err
	}
	return s.render(w, r, "programme_leadership.html", "Leadership", leadPage{leadership: v, Lead: sharePct(v.LeadShare)})
}

func (s *Server) pageSummary(w http.ResponseWriter, r *http.Request) error {
	v, err := s.leadershipView(r.Context(), principal(r.Context()))
	if err != nil {
		return err
	}
	return s.render(w, r, "programme_summary.html", "Executive summary", leadPage{leadership: v, Lead: sharePct(v.LeadShare)})
}

// The programme templates' functions, added to the shared set (templates
// are parsed on first use, after package initialisation).
var _ = func() bool {
	templateFuncs["sourceLabel"] = programme.SourceLabel
	templateFuncs["sevOrder"] = func() []string { return []string{"critical", "high", "medium", "low"} }
	templateFuncs["sourcesOutside"] = func() []string { return programme.OutsideSources }
	templateFuncs["catches"] = func() []string { return []string{"escape", "engine", "known", "unlinked"} }
	templateFuncs["likelihoods"] = func() []string { return model.LikelihoodNames }
	templateFuncs["impacts"] = func() []string { return model.ImpactNames }
	templateFuncs["strideNames"] = func() []string { return programme.Categories }
	templateFuncs["refAnchor"] = func(id string) string { return strings.NewReplacer("@", "-", "/", "-").Replace(id) }
	return true
}()
