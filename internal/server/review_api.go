package server

import (
	"net/http"

	"github.com/wardtm/ward/internal/review"
)

// The JSON handlers of design reviews: each decodes its input, calls the
// operation in review.go and encodes the result.

func (s *Server) handleListReviews(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v, err := s.reviewQueue(r.Context(), principal(r.Context()), q.Get("team"), q.Get("week"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) handleCreateReview(w http.ResponseWriter, r *http.Request) error {
	var in reviewInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	x, err := s.requestReview(r.Context(), principal(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) handleGetReview(w http.ResponseWriter, r *http.Request) error {
	d, err := s.reviewDetail(r.Context(), principal(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) handleReviewAction(w http.ResponseWriter, r *http.Request) error {
	var in reviewActionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	x, err := s.actOnReview(r.Context(), principal(r.Context()), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) handleSetCapacity(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Week     string  `json:"week"`
		Engineer string  `json:"engineer"`
		Hours    float64 `json:"hours"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p := principal(r.Context())
	if in.Week == "" {
		in.Week = review.Week(s.cfg.Now().UTC())
	}
	if err := s.setCapacity(r.Context(), p, in.Week, in.Engineer, in.Hours); err != nil {
		return err
	}
	v, err := s.reviewQueue(r.Context(), p, "", in.Week)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"week": v.Week, "capacity": v.Capacity, "capacity_hours": v.Total, "planned_hours": v.Planned,
		"waiting": v.Waiting, "hours_left": v.Left})
	return nil
}

func (s *Server) handleReviewReminders(w http.ResponseWriter, r *http.Request) error {
	v, err := s.reviewQueue(r.Context(), principal(r.Context()), r.URL.Query().Get("team"), "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": v.Reminders})
	return nil
}

func (s *Server) handleGetReviewSettings(w http.ResponseWriter, r *http.Request) error {
	c, err := s.reviewConfig(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, configJSON(c))
	return nil
}

func (s *Server) handleSetReviewSettings(w http.ResponseWriter, r *http.Request) error {
	var in reviewSettingsInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.setReviewSettings(r.Context(), principal(r.Context()), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, configJSON(c))
	return nil
}

func (s *Server) handleTriagePreview(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Answers review.Form `json:"answers"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.previewTriage(r.Context(), in.Answers)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleSystemReview(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	b, err := s.systemBadge(r.Context(), x)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, badgeJSON(b))
	return nil
}
