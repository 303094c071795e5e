package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/training"
)

// Guest links for training runs: the run's instructor makes a link
// (shown once; the run keeps only its hash) for one-off participants. A
// guest opens it, gives a display name, picks a group and gets a cookie
// with a secret of their own (the run keeps its hash). The guest principal
// (RoleGuest, TeamID "training:<run>") reads that run and trains in its
// group; Allowed (auth.go) gives it nothing else. The guest cookie is read
// by the run's pages only, never by the API. Guests join with no team, so
// they never count as team training evidence. Revoking the link forgets
// the guests too; completing the run ends them.

// TraineeCookie holds a training guest's run id and own secret.
const TraineeCookie = "__Host-ward_trainee"

const runScopePrefix = "training:"

// runScope is the "team" a training guest may access: its run.
func runScope(runID string) string { return runScopePrefix + runID }

// isRunScope reports whether a principal's team is a run (a guest's).
func isRunScope(team string) bool { return strings.HasPrefix(team, runScopePrefix) }

// evidenceTeam is the team a participant's training counts for: none for
// a run's guest.
func evidenceTeam(p *Principal) string {
	if isRunScope(p.TeamID) {
		return ""
	}
	return p.TeamID
}

// authenticateTrainee returns the guest principal of the request's
// trainee cookie, or nil; 410 once the run is complete.
func (s *Server) authenticateTrainee(r *http.Request) (*Principal, error) {
	c, err := r.Cookie(TraineeCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	runID, secret, ok := strings.Cut(c.Value, "~")
	if !ok || runID == "" || secret == "" {
		return nil, nil
	}
	run, _, err := s.loadRun(r.Context(), runID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	g, ok := run.Guests[hashSecret(secret)]
	if !ok {
		return nil, nil
	}
	if run.Phase == training.Done {
		return nil, errorf(http.StatusGone, "run_over", "this training run is complete; guest links end with it")
	}
	return &Principal{UserID: g.ID, Email: g.Name, Role: store.RoleGuest, TeamID: runScope(runID)}, nil
}

// trainingPageAuthed is pageAuthed that also accepts a run guest's cookie.
func (s *Server) trainingPageAuthed(h handlerFunc) handlerFunc {
	return s.pageAuthedOr(s.authenticateTrainee, h)
}

// loadRun reads a run's state and row, without any access check.
func (s *Server) loadRun(ctx context.Context, id string) (*training.Run, store.TrainingRun, error) {
	row, err := s.store.GetTrainingRun(ctx, id)
	if err != nil {
		return nil, row, err
	}
	r := &training.Run{}
	if err := json.Unmarshal(row.State, r); err != nil {
		return nil, row, fmt.Errorf("training run %s: stored state: %w", id, err)
	}
	return r, row, nil
}

// updateRun changes a run's state with fn under the run's compare-and-set,
// retrying when another request came first. It never completes a run
// (fn must not move phases), so it records no evidence.
func (s *Server) updateRun(ctx context.Context, id string, fn func(*training.Run, *training.Exercise, time.Time) error) (*training.Run, error) {
	for attempt := 0; ; attempt++ {
		r, row, err := s.loadRun(ctx, id)
		if err != nil {
			return nil, err
		}
		x, err := parseExercise(row.ExerciseSource)
		if err != nil {
			return nil, err
		}
		now := s.cfg.Now().UTC().Truncate(time.Millisecond)
		base, phase := r.Seq, r.Phase
		if err := fn(r, x, now); err != nil {
			return nil, err
		}
		if r.Phase != phase {
			return nil, errors.New("training: updateRun must not move phases")
		}
		r.Seq++
		state, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		err = s.store.UpdateTrainingRun(ctx, store.TrainingRun{ID: r.ID, Title: r.Title, Phase: string(r.Phase), Seq: r.Seq, State: state,
			UpdatedAt: now, CompletedAt: r.Completed}, base, nil)
		if errors.Is(err, store.ErrConflict) && attempt < 50 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// trainingGuestLink makes a new guest link for a run (the run's
// instructor only), replacing any earlier one; guests who joined already
// stay. It returns the link's path, which is shown once.
func (s *Server) trainingGuestLink(ctx context.Context, p *Principal, id string) (string, error) {
	if _, _, err := s.trainingRun(ctx, p, id); err != nil {
		return "", err
	}
	secret := randomSecret()
	_, err := s.updateRun(ctx, id, func(r *training.Run, _ *training.Exercise, _ time.Time) error {
		if err := instructs(p, r); err != nil {
			return err
		}
		if r.Phase == training.Done {
			return errorf(http.StatusConflict, "wrong_phase", "the run is complete: guest links end with it")
		}
		r.GuestLink = hashSecret(secret)
		return nil
	})
	if err != nil {
		return "", err
	}
	s.log.Info("training guest link made", "run", id, "by", p)
	return "/training/runs/" + url.PathEscape(id) + "/guest/" + url.PathEscape(secret), nil
}

// trainingRevokeGuests revokes a run's guest link and signs its guests
// out (their cards stay on their group's board).
func (s *Server) trainingRevokeGuests(ctx context.Context, p *Principal, id string) error {
	if _, _, err := s.trainingRun(ctx, p, id); err != nil {
		return err
	}
	_, err := s.updateRun(ctx, id, func(r *training.Run, _ *training.Exercise, _ time.Time) error {
		if err := instructs(p, r); err != nil {
			return err
		}
		r.GuestLink, r.Guests = "", nil
		return nil
	})
	if err == nil {
		s.log.Info("training guest link revoked", "run", id, "by", p)
	}
	return err
}

// instructs checks that p is the run's instructor (and still may instruct).
func instructs(p *Principal, r *training.Run) error {
	if !Allowed(p, Instruct, "") || r.Instructor != memberID(p) {
		return errorf(http.StatusForbidden, "forbidden", "only the run's instructor manages its guest link")
	}
	return nil
}

// guestRun checks a guest link: the run, while it is not complete.
func (s *Server) guestRun(r *http.Request) (*training.Run, error) {
	run, _, err := s.loadRun(r.Context(), r.PathValue("run"))
	if err != nil || run.GuestLink == "" || !constantTimeEqual(run.GuestLink, hashSecret(r.PathValue("secret"))) {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		return nil, errorf(http.StatusNotFound, "not_found", "This guest link is not valid: ask the instructor for a new one.")
	}
	if run.Phase == training.Done {
		return nil, errorf(http.StatusGone, "run_over", "This training run is complete; its guest link has expired.")
	}
	return run, nil
}

// trainingJoinGuest registers a guest with a secret of their own and puts
// them in a group, in one change of the run. The guest has no team.
func (s *Server) trainingJoinGuest(ctx context.Context, runID, linkHash, name, group string) (*Principal, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 60 {
		return nil, "", errorf(http.StatusBadRequest, "invalid", "Give a name of 1 to 60 characters, so your group knows who you are.")
	}
	secret := randomSecret()
	g := training.Guest{ID: "tg-" + newID(5), Name: name + " (guest)"}
	_, err := s.updateRun(ctx, runID, func(r *training.Run, x *training.Exercise, now time.Time) error {
		if r.GuestLink != linkHash || r.Phase == training.Done {
			return errorf(http.StatusGone, "run_over", "This guest link has expired or was revoked.")
		}
		if len(r.Guests) >= 100 {
			return errorf(http.StatusConflict, "too_many", "This run has 100 guests already.")
		}
		if r.Guests == nil {
			r.Guests = map[string]training.Guest{}
		}
		r.Guests[hashSecret(secret)] = g
		return trainingError(r.ApplyTo(x, training.Action{Type: "join", Group: group}, training.Actor{ID: g.ID, Name: g.Name}, now))
	})
	if err != nil {
		return nil, "", err
	}
	return &Principal{UserID: g.ID, Email: g.Name, Role: store.RoleGuest, TeamID: runScope(runID)}, runID + "~" + secret, nil
}

// JSON handlers.

func (s *Server) handleRunGuestLink(w http.ResponseWriter, r *http.Request) error {
	link, err := s.trainingGuestLink(r.Context(), principal(r.Context()), r.PathValue("run"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"guest_link": link})
	return nil
}

func (s *Server) handleRevokeRunGuests(w http.ResponseWriter, r *http.Request) error {
	if err := s.trainingRevokeGuests(r.Context(), principal(r.Context()), r.PathValue("run")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Pages.

type trainingGuestPage struct {
	Run    *training.Run
	Secret string
}

func (s *Server) pageTrainingGuest(w http.ResponseWriter, r *http.Request) error {
	run, err := s.guestRun(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "training_guest.html", "Join "+run.Title, trainingGuestPage{Run: run, Secret: r.PathValue("secret")})
}

func (s *Server) pageTrainingGuestJoin(w http.ResponseWriter, r *http.Request) error {
	run, err := s.guestRun(r)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p, cookie, err := s.trainingJoinGuest(r.Context(), run.ID, run.GuestLink, formValue(r, "name"), formValue(r, "group"))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: TraineeCookie, Value: cookie, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		MaxAge: 12 * 3600})
	return s.done(w, r, "/training/runs/"+run.ID, "Welcome, "+strings.TrimSuffix(p.Email, " (guest)")+".")
}

func (s *Server) pageRunGuestLink(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	id := r.PathValue("run")
	link, err := s.trainingGuestLink(r.Context(), p, id)
	if err != nil {
		return flashBack(w, r, err, "/training/runs/"+id)
	}
	// Shown once, on this answer: the run keeps only the link's hash.
	run, x, err := s.trainingRun(r.Context(), p, id)
	if err != nil {
		return err
	}
	v := s.runView(r, narrow(p, run), x, nil)
	v.Self, v.NewGuestLink, v.GuestLinkOn, v.Guests = "/training/runs/"+id, link, true, len(run.Guests)
	return s.render(w, r, "training_run.html", run.Title, v)
}

func (s *Server) pageRunRevokeGuests(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("run")
	if err := s.trainingRevokeGuests(r.Context(), principal(r.Context()), id); err != nil {
		return flashBack(w, r, err, "/training/runs/"+id)
	}
	return s.done(w, r, "/training/runs/"+id, "Guest link revoked: its guests are signed out of this run.")
}
