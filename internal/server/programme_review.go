package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/programme"
	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/session"
	"github.com/wardtm/ward/internal/store"
)

// reviewThreatInput is a threat security adds to the model while
// reviewing a design (a review comment turned threat).
type reviewThreatInput struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Target      string   `json:"target"`
	Stride      []string `json:"stride"`
	Likelihood  string   `json:"likelihood"`
	Impact      string   `json:"impact"`
}

// addReviewThreat adds a threat found in a design review to the system's
// model as a new version, with found_by: security_review, and records it
// in the review's history. Only security (and administrators) add them,
// while the review is open.
func (s *Server) addReviewThreat(ctx context.Context, p *Principal, id string, in reviewThreatInput) (pushResponse, error) {
	r, err := s.getReview(ctx, p, id)
	if err != nil {
		return pushResponse{}, err
	}
	if !Allowed(p, Approve, r.TeamID) {
		return pushResponse{}, errorf(http.StatusForbidden, "forbidden", "your role (%s) cannot add threats to a design review", p.Role)
	}
	if !review.State(r.State).Open() {
		return pushResponse{}, errorf(http.StatusConflict, "review_closed", "review %s is %s: threats are added while it is open", id, review.State(r.State).Label())
	}
	in.Title, in.Target = strings.Join(strings.Fields(in.Title), " "), strings.TrimSpace(in.Target)
	switch {
	case in.Title == "":
		return pushResponse{}, invalid("title: say what can go wrong")
	case len(in.Title) > 200:
		return pushResponse{}, invalid("title: at most 200 characters")
	case len(in.Description) > 4000:
		return pushResponse{}, invalid("description: at most 4000 characters")
	case in.Target == "":
		return pushResponse{}, invalid("target: name the element (component, flow or boundary id) the threat is about")
	case len(in.Stride) == 0:
		return pushResponse{}, invalid("stride: name at least one STRIDE category")
	}
	for _, c := range in.Stride {
		if !slices.Contains(programme.Categories, c) {
			return pushResponse{}, invalid("stride %q: one of %s", c, strings.Join(programme.Categories, ", "))
		}
	}
	if _, ok := model.ParseLikelihood(in.Likelihood); !ok {
		return pushResponse{}, invalid("likelihood %q: one of %s", in.Likelihood, strings.Join(model.LikelihoodNames, ", "))
	}
	if _, ok := model.ParseImpact(in.Impact); !ok {
		return pushResponse{}, invalid("impact %q: one of %s", in.Impact, strings.Join(model.ImpactNames, ", "))
	}
	x, err := s.store.GetSystem(ctx, r.SystemID)
	if errors.Is(err, store.ErrNotFound) || err == nil && x.Latest == 0 {
		return pushResponse{}, errorf(http.StatusConflict, "not_modelled", "%s has no model yet: the team pushes one first", r.SystemID)
	}
	if err != nil {
		return pushResponse{}, err
	}
	threat := session.ThreatEntry{ID: "review-" + r.ID + "-" + newID(2), Title: in.Title, Description: strings.TrimSpace(in.Description),
		Stride: in.Stride, Targets: []string{in.Target}, Likelihood: in.Likelihood, Impact: in.Impact, FoundBy: programme.BySecurityReview}
	out, err := s.editModel(ctx, p, r.SystemID, Review, 0, fmt.Sprintf("threat added in design review %s by %s", r.ID, p.display()), func(b *Bundle) error {
		return applyPlan(b, session.Plan{Threats: []session.ThreatEntry{threat}}, nil)
	})
	if err != nil {
		return out, err
	}
	next := r
	if _, err := s.store.UpdateReview(ctx, store.ReviewUpdate{Request: next, BaseRevision: r.Revision,
		Event: store.ReviewEvent{At: s.cfg.Now().UTC(), Actor: p.Actor(), Action: "threat_added", From: r.State, To: r.State,
			Note: fmt.Sprintf("%s (%s, in version %d)", in.Title, threat.ID, out.Version)}}); err != nil && !errors.Is(err, store.ErrConflict) {
		return out, err
	}
	return out, nil
}

func (s *Server) handleReviewThreat(w http.ResponseWriter, r *http.Request) error {
	var in reviewThreatInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.addReviewThreat(r.Context(), principal(r.Context()), r.PathValue("id"), in)
	return writePush(w, out, err)
}

func (s *Server) pageReviewThreat(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	in := reviewThreatInput{Title: formValue(r, "title"), Description: formValue(r, "description"), Target: formValue(r, "target"),
		Stride: r.PostForm["stride"], Likelihood: formValue(r, "likelihood"), Impact: formValue(r, "impact")}
	out, err := s.addReviewThreat(ctx, principal(ctx), id, in)
	if err != nil {
		return s.programmeFormError(w, r, "/review/"+id, err)
	}
	return s.done(w, r, "/review/"+id, fmt.Sprintf("Threat added to the model (version %d), found by security review.", out.Version))
}
