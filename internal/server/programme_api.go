package server

import (
	"encoding/json"
	"net/http"

	"github.com/wardtm/ward/internal/store"
)

// The JSON handlers of the self-serve programme: each decodes its input,
// calls the operation in programme*.go and encodes the result.

func (s *Server) handleImportOutside(w http.ResponseWriter, r *http.Request) error {
	var in outsideImportInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.importOutside(r.Context(), principal(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, res)
	return nil
}

func (s *Server) handleListOutside(w http.ResponseWriter, r *http.Request) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items, total, err := s.listOutside(r.Context(), principal(r.Context()), store.OutsideQuery{TeamID: q.Get("team"), SystemID: q.Get("system"),
		Source: q.Get("source"), Catch: q.Get("catch"), Batch: q.Get("batch"), Page: pg})
	if err != nil {
		return err
	}
	if items == nil {
		items = []outsideJSON{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": total})
	return nil
}

func (s *Server) handleProgrammeTeams(w http.ResponseWriter, r *http.Request) error {
	rows, err := s.programmeOverview(r.Context(), principal(r.Context()))
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []programmeTeamRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": rows})
	return nil
}

func (s *Server) handleProgrammeTeam(w http.ResponseWriter, r *http.Request) error {
	v, err := s.teamProgramme(r.Context(), principal(r.Context()), r.PathValue("team"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) handleSetTeamPhase(w http.ResponseWriter, r *http.Request) error {
	var in teamPhaseInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := principal(r.Context())
	if !Allowed(p, Read, r.PathValue("team")) {
		return store.ErrNotFound
	}
	v, err := s.setTeamPhase(r.Context(), p, r.PathValue("team"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) handleDecideProposal(w http.ResponseWriter, r *http.Request) error {
	var in proposalDecisionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	pp, err := s.decideProposal(r.Context(), principal(r.Context()), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, proposalView(pp))
	return nil
}

func (s *Server) handleLeadership(w http.ResponseWriter, r *http.Request) error {
	v, err := s.leadershipView(r.Context(), principal(r.Context()))
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("format") {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="ward-leadership.csv"`)
		return writeLeadershipCSV(w, v)
	case "", "json":
		writeJSON(w, http.StatusOK, v)
		return nil
	}
	return invalid("format: json or csv")
}

func (s *Server) handleGetProgrammeSettings(w http.ResponseWriter, r *http.Request) error {
	c, err := s.programmeConfig(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) handleSetProgrammeSettings(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Rules json.RawMessage `json:"rules"`
		Costs json.RawMessage `json:"costs"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.setProgrammeConfig(r.Context(), principal(r.Context()), in.Rules, in.Costs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
