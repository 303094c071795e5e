package server

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/training"
)

// Training runs (package training). An instructor (security or an
// administrator: Instruct) opens a run of an exercise for several groups;
// members join a group of a run (Train, for their own team) and work on
// the group's board through the phases; completing the run records
// training evidence for the participants' teams. The JSON API (below) and
// the pages (web_training.go) call the same operations.

// exerciseJSON describes an exercise without its reference (which groups
// must not see before the debrief).
type exerciseJSON struct {
	ID       string             `json:"id"`
	Title    string             `json:"title"`
	Summary  string             `json:"summary"`
	Minutes  training.Minutes   `json:"minutes"`
	Design   string             `json:"design,omitempty"`
	Model    string             `json:"model,omitempty"`
	Elements []training.Element `json:"elements,omitempty"`
	Flaws    int                `json:"flaws"`
	Threats  int                `json:"reference_threats"`
}

func exerciseOut(x *training.Exercise, full bool) exerciseJSON {
	out := exerciseJSON{ID: x.ID, Title: x.Title, Summary: x.Summary, Minutes: x.Minutes, Flaws: len(x.Flaws), Threats: len(x.Reference.Threats)}
	if full {
		out.Design, out.Model, out.Elements = x.Design, x.ModelYAML, x.Elements()
	}
	return out
}

// canTrain reports whether p may read training runs: as a participant
// (Train for their own team) or as a reader of everything.
// A run's guest trains in that run only (trainingRun), never elsewhere.
func canTrain(p *Principal) bool {
	return Allowed(p, Read, "") || !isRunScope(p.TeamID) && Allowed(p, Train, p.TeamID)
}

// seesAll reports whether p sees every group's board before a run is done.
func seesAll(p *Principal) bool { return Allowed(p, Instruct, "") || Allowed(p, Read, "") }

// trainingExercises lists the built-in exercises and those instructors
// stored.
func (s *Server) trainingExercises(ctx context.Context, p *Principal) ([]*training.Exercise, error) {
	if !canTrain(p) {
		return nil, errorf(http.StatusForbidden, "forbidden", "your role (%s) does not take part in training", p.Role)
	}
	xs, err := training.Builtin()
	if err != nil {
		return nil, err
	}
	stored, err := s.store.ListTrainingExercises(ctx)
	if err != nil {
		return nil, err
	}
	for _, row := range stored {
		x, _, err := s.exercise(ctx, row.ID)
		if err != nil {
			// Saved by an older Ward that was less strict: listed by the
			// log, not the page.
			s.log.Warn("stored training exercise does not parse", "exercise", row.ID, "err", err)
			continue
		}
		xs = append(xs, x)
	}
	return xs, nil
}

// trainingExercise returns an exercise the principal may read.
func (s *Server) trainingExercise(ctx context.Context, p *Principal, id string) (*training.Exercise, error) {
	if !canTrain(p) {
		return nil, errorf(http.StatusForbidden, "forbidden", "your role (%s) does not take part in training", p.Role)
	}
	x, _, err := s.exercise(ctx, id)
	return x, err
}

// exercise finds an exercise, built in or stored, with its YAML.
func (s *Server) exercise(ctx context.Context, id string) (*training.Exercise, []byte, error) {
	if x := training.Lookup(id); x != nil {
		src, err := training.Source(id)
		return x, src, err
	}
	row, err := s.store.GetTrainingExercise(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errorf(http.StatusNotFound, "not_found", "no exercise %q; GET /api/v1/training/exercises lists them", id)
	}
	if err != nil {
		return nil, nil, err
	}
	x, err := parseExercise(row.Source)
	return x, row.Source, err
}

// exerciseCache keeps parsed exercises by the hash of their YAML, so that
// pages do not parse a run's exercise on every request. It is a cache:
// dropping it is safe.
var exerciseCache struct {
	sync.Mutex
	m map[[32]byte]*training.Exercise
}

// parseExercise parses a stored exercise (or a run's copy of one).
func parseExercise(src []byte) (*training.Exercise, error) {
	key := sha256.Sum256(src)
	exerciseCache.Lock()
	x := exerciseCache.m[key]
	exerciseCache.Unlock()
	if x != nil {
		return x, nil
	}
	x, err := training.Parse("exercise.yaml", src)
	if err != nil {
		return nil, err
	}
	exerciseCache.Lock()
	if exerciseCache.m == nil || len(exerciseCache.m) >= 64 {
		exerciseCache.m = map[[32]byte]*training.Exercise{}
	}
	exerciseCache.m[key] = x
	exerciseCache.Unlock()
	return x, nil
}

// saveExerciseRequest stores an exercise an instructor wrote.
type saveExerciseRequest struct {
	// Source is the exercise's YAML (docs/training.md).
	Source string `json:"source"`
}

// trainingSaveExercise checks and stores an exercise (Instruct): a new
// one, or a new text of one instructors stored before; built-in ids are
// taken. Problems come back as diagnostics with line and column.
func (s *Server) trainingSaveExercise(ctx context.Context, p *Principal, req saveExerciseRequest) (*training.Exercise, error) {
	if !Allowed(p, Instruct, "") {
		return nil, errorf(http.StatusForbidden, "forbidden", "your role (%s) cannot write training exercises: instructors are security engineers or administrators", p.Role)
	}
	src := []byte(req.Source)
	x, err := training.Parse("exercise.yaml", src)
	if err != nil {
		if e := classify(err); e.Code == "invalid_model" {
			e.Code, e.Msg = "invalid_exercise", strings.Replace(e.Msg, "model", "exercise", 1)
			return nil, e
		}
		return nil, err
	}
	if training.Lookup(x.ID) != nil {
		return nil, errorf(http.StatusConflict, "exists", "%q is a built-in exercise: give yours another id", x.ID)
	}
	now := s.cfg.Now().UTC().Truncate(time.Millisecond)
	if err := s.store.PutTrainingExercise(ctx, store.TrainingExercise{ID: x.ID, Title: x.Title, Source: src, CreatedBy: p.Actor(), CreatedAt: now, UpdatedAt: now}); err != nil {
		return nil, err
	}
	s.log.Info("training exercise saved", "exercise", x.ID, "by", p)
	return x, nil
}

func (s *Server) handleSaveExercise(w http.ResponseWriter, r *http.Request) error {
	var req saveExerciseRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	x, err := s.trainingSaveExercise(r.Context(), principal(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, exerciseOut(x, true))
	return nil
}

// openRunRequest opens a training run.
type openRunRequest struct {
	Exercise string   `json:"exercise"`
	Title    string   `json:"title"`
	Groups   []string `json:"groups"`
	// Minutes overrides the exercise's time boxes (all three, or none).
	Minutes training.Minutes `json:"minutes"`
}

// trainingOpen opens a run; the principal is its instructor.
func (s *Server) trainingOpen(ctx context.Context, p *Principal, req openRunRequest) (*training.Run, error) {
	if !Allowed(p, Instruct, "") {
		return nil, errorf(http.StatusForbidden, "forbidden", "your role (%s) cannot open training runs: instructors are security engineers or administrators", p.Role)
	}
	x, src, err := s.exercise(ctx, req.Exercise)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC().Truncate(time.Millisecond)
	r, err := training.Open(newID(5), x, req.Title, req.Groups, req.Minutes, training.Actor{ID: memberID(p), Name: s.displayName(ctx, p)}, now)
	if err != nil {
		return nil, trainingError(err)
	}
	r.Seq = 1
	state, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateTrainingRun(ctx, store.TrainingRun{ID: r.ID, ExerciseID: x.ID, ExerciseSource: src, Title: r.Title, Phase: string(r.Phase), Seq: 1, State: state,
		CreatedBy: p.Actor(), CreatedAt: now}); err != nil {
		return nil, err
	}
	s.log.Info("training run opened", "run", r.ID, "exercise", x.ID, "by", p)
	return r, nil
}

// trainingRun loads a run the principal may read, with its exercise.
func (s *Server) trainingRun(ctx context.Context, p *Principal, id string) (*training.Run, *training.Exercise, error) {
	switch {
	case Allowed(p, Read, runScope(id)): // a guest of this run (or a reader of everything)
	case isRunScope(p.TeamID):
		return nil, nil, store.ErrNotFound // a guest of another run: not revealed
	case !canTrain(p):
		return nil, nil, errorf(http.StatusForbidden, "forbidden", "your role (%s) does not take part in training", p.Role)
	}
	r, row, err := s.loadRun(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	// The run keeps the exercise as it was opened.
	x, err := parseExercise(row.ExerciseSource)
	if err != nil {
		return nil, nil, fmt.Errorf("training run %s: its exercise: %w", id, err)
	}
	return r, x, nil
}

// narrow hides other groups' work from a participant until the run is done.
// The guest link's and guests' hashes stay on the server.
func narrow(p *Principal, r *training.Run) *training.Run {
	out := *r
	out.GuestLink, out.Guests = "", nil
	if r.Phase == training.Done || seesAll(p) || r.Instructor == memberID(p) {
		return &out
	}
	// The instructor's judgements name reference threats: not before
	// the debrief.
	out.Groups, out.Added, out.Matched = nil, nil, nil
	mine := r.GroupOf(memberID(p))
	for _, g := range r.Groups {
		if g == mine {
			out.Groups = append(out.Groups, g)
			continue
		}
		other := *g
		other.Board.Cards, other.Notes, other.TopThree = nil, nil, nil
		out.Groups = append(out.Groups, &other)
	}
	return &out
}

// trainingAct applies an action to a run, retrying when another request
// changed it first, and records the evidence when the run completes.
func (s *Server) trainingAct(ctx context.Context, p *Principal, id string, a training.Action) (*training.Run, error) {
	if !slices.Contains([]string{"join", "card.add", "card.edit", "card.merge", "note.add", "top_three", "submit", "phase", "accept", "match"}, a.Type) {
		return nil, errorf(http.StatusBadRequest, "invalid", "type is join, card.add, card.edit, card.merge, note.add, top_three, submit, phase, accept or match")
	}
	if a.Type == "join" && !Allowed(p, Train, p.TeamID) {
		return nil, errorf(http.StatusForbidden, "forbidden", "your role (%s) does not join training groups: members join for their team", p.Role)
	}
	for attempt := 0; ; attempt++ {
		// The stored state carries the row's sequence number: the base
		// of the compare-and-set.
		r, x, err := s.trainingRun(ctx, p, id)
		if err != nil {
			return nil, err
		}
		base := r.Seq
		// A participant who lost the right to train (role or team
		// changed) reads but no longer acts; the instructor keeps
		// running the run.
		if a.Type != "join" && r.Instructor != memberID(p) && !Allowed(p, Train, p.TeamID) {
			return nil, errorf(http.StatusForbidden, "forbidden", "your role (%s) does not take part in training", p.Role)
		}
		now := s.cfg.Now().UTC().Truncate(time.Millisecond)
		by := training.Actor{ID: memberID(p), Team: evidenceTeam(p)}
		if a.Type == "join" {
			by.Name = s.displayName(ctx, p)
		}
		wasDone := r.Phase == training.Done
		if err := r.ApplyTo(x, a, by, now); err != nil {
			return nil, trainingError(err)
		}
		r.Seq++
		state, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		var ev []store.TrainingEvidence
		if r.Phase == training.Done && !wasDone {
			counts := map[string]int{}
			for _, g := range r.Groups {
				for _, t := range g.Teams {
					if t != "" {
						counts[t]++
					}
				}
			}
			for _, t := range r.EvidenceTeams() {
				ev = append(ev, store.TrainingEvidence{TeamID: t, ExerciseID: r.Exercise, RunID: r.ID, Participants: counts[t], CompletedAt: r.Completed})
			}
		}
		err = s.store.UpdateTrainingRun(ctx, store.TrainingRun{ID: r.ID, Title: r.Title, Phase: string(r.Phase), Seq: r.Seq, State: state,
			UpdatedAt: now, CompletedAt: r.Completed}, base, ev)
		switch {
		case err == nil:
			if len(ev) > 0 {
				s.log.Info("training run completed", "run", r.ID, "teams", len(ev))
			}
			// Completing a run is training evidence in the self-serve
			// programme (programme.go), which may propose a phase change.
			// The run is saved either way; a failure here is logged.
			for _, e := range ev {
				if err := s.RecordTrainingDone(context.WithoutCancel(ctx), e.TeamID, "training:"+r.ID, "Training run "+r.Title, r.Completed); err != nil {
					s.log.Warn("programme: training evidence", "team", e.TeamID, "run", r.ID, "err", err)
				}
			}
			return r, nil
		case errors.Is(err, store.ErrConflict) && attempt < 50:
			continue
		}
		return nil, err
	}
}

// trainingResults compares a run's groups: the instructor, security,
// administrators and viewers see it at any time, participants once the
// run is done.
func (s *Server) trainingResults(ctx context.Context, p *Principal, id string) (*training.Run, *training.Exercise, training.Comparison, error) {
	r, x, err := s.trainingRun(ctx, p, id)
	if err != nil {
		return nil, nil, training.Comparison{}, err
	}
	if r.Phase != training.Done && !seesAll(p) && r.Instructor != memberID(p) {
		return nil, nil, training.Comparison{}, errorf(http.StatusConflict, "wrong_phase", "results are shown when the instructor completes the run")
	}
	return r, x, training.Compare(r.Reference(x), r.Submissions()), nil
}

// trainingError maps the domain's refusals to HTTP errors.
func trainingError(err error) error {
	if training.IsRequestError(err) {
		return domainError(err)
	}
	return err
}

// JSON handlers.

func (s *Server) handleListExercises(w http.ResponseWriter, r *http.Request) error {
	xs, err := s.trainingExercises(r.Context(), principal(r.Context()))
	if err != nil {
		return err
	}
	out := []exerciseJSON{}
	for _, x := range xs {
		out = append(out, exerciseOut(x, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (s *Server) handleGetExercise(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	x, err := s.trainingExercise(r.Context(), p, r.PathValue("exercise"))
	if err != nil {
		return err
	}
	out := map[string]any{"exercise": exerciseOut(x, true)}
	if Allowed(p, Instruct, "") {
		out["flaws"], out["reference"] = x.Flaws, x.Reference
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleOpenRun(w http.ResponseWriter, r *http.Request) error {
	var req openRunRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	run, err := s.trainingOpen(r.Context(), principal(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, run)
	return nil
}

// runSummary is a run in a list.
type runSummary struct {
	ID        string    `json:"id"`
	Exercise  string    `json:"exercise"`
	Title     string    `json:"title"`
	Phase     string    `json:"phase"`
	CreatedAt time.Time `json:"created_at"`
	Completed time.Time `json:"completed_at,omitzero"`
}

// trainingRuns lists runs, newest first.
func (s *Server) trainingRuns(ctx context.Context, p *Principal, pg store.Page) ([]runSummary, error) {
	if !canTrain(p) {
		return nil, errorf(http.StatusForbidden, "forbidden", "your role (%s) does not take part in training", p.Role)
	}
	rows, err := s.store.ListTrainingRuns(ctx, pg)
	if err != nil {
		return nil, err
	}
	out := []runSummary{}
	for _, x := range rows {
		out = append(out, runSummary{ID: x.ID, Exercise: x.ExerciseID, Title: x.Title, Phase: x.Phase, CreatedAt: x.CreatedAt, Completed: x.CompletedAt})
	}
	return out, nil
}

func (s *Server) handleListRuns(w http.ResponseWriter, r *http.Request) error {
	out, err := s.trainingRuns(r.Context(), principal(r.Context()), store.Page{Limit: 100})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

func (s *Server) handleGetRun(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	run, _, err := s.trainingRun(r.Context(), p, r.PathValue("run"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, narrow(p, run))
	return nil
}

func (s *Server) handleRunAction(w http.ResponseWriter, r *http.Request) error {
	var a training.Action
	if err := decodeJSON(r, &a); err != nil {
		return err
	}
	p := principal(r.Context())
	run, err := s.trainingAct(r.Context(), p, r.PathValue("run"), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, narrow(p, run))
	return nil
}

func (s *Server) handleRunResults(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "markdown" {
		return errorf(http.StatusBadRequest, "invalid", "format is json or markdown")
	}
	run, x, c, err := s.trainingResults(r.Context(), principal(r.Context()), r.PathValue("run"))
	if err != nil {
		return err
	}
	if format == "markdown" {
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="training-`+run.ID+`.md"`)
		return training.Markdown(w, x, run, c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"run": run.ID, "exercise": x.ID, "phase": run.Phase, "reference": run.Reference(x), "comparison": c})
	return nil
}

// trainingEvidence lists a team's training evidence: readers of the team.
func (s *Server) trainingEvidence(ctx context.Context, p *Principal, team string) ([]store.TrainingEvidence, error) {
	if !Allowed(p, Read, team) {
		return nil, store.ErrNotFound
	}
	return s.store.ListTrainingEvidence(ctx, team)
}

func (s *Server) handleTrainingEvidence(w http.ResponseWriter, r *http.Request) error {
	ev, err := s.trainingEvidence(r.Context(), principal(r.Context()), r.PathValue("team"))
	if err != nil {
		return err
	}
	type item struct {
		Team         string    `json:"team"`
		Exercise     string    `json:"exercise"`
		Run          string    `json:"run"`
		Participants int       `json:"participants"`
		CompletedAt  time.Time `json:"completed_at"`
	}
	out := []item{}
	for _, e := range ev {
		out = append(out, item{e.TeamID, e.ExerciseID, e.RunID, e.Participants, e.CompletedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

// trainingActor names the member in templates.
func boardName(g *training.Group, id string) string {
	if m := g.Board.Member(id); m != nil {
		return m.Name
	}
	return strings.TrimPrefix(id, "token:")
}
