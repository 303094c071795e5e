package server

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/session"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/training"
)

// Training pages: the list of exercises and runs with the form that opens
// a run (/training), an exercise's design (/training/exercises/{id}), a
// run (/training/runs/{run}: the instructor's overview, or the
// participant's group board), one group's board, one POST for every
// action (the same operation as POST /api/v1/training/runs/{run}/actions)
// and the results with the overlap matrix.

func (s *Server) trainingPages(wr webRouter) {
	wr.page("GET /training", s.pageTraining)
	wr.page("POST /training/runs", s.pageOpenRun)
	wr.page("POST /training/exercises", s.pageSaveExercise)
	wr.page("GET /training/exercises/{exercise}", s.pageExercise)
	// A run's pages also take its guests (training_guest.go).
	tp := func(pattern string, fn handlerFunc) {
		s.webPatterns = append(s.webPatterns, pattern)
		wr.mux.Handle(pattern, s.adaptPage(s.trainingPageAuthed(fn)))
	}
	tp("GET /training/runs/{run}", s.pageRun)
	tp("GET /training/runs/{run}/groups/{group}", s.pageRunGroup)
	tp("POST /training/runs/{run}/act", s.pageRunAct)
	tp("GET /training/runs/{run}/results", s.pageRunResults)
	wr.page("POST /training/runs/{run}/guest-link", s.pageRunGuestLink)
	wr.page("POST /training/runs/{run}/guest-link/revoke", s.pageRunRevokeGuests)
	wr.public("GET /training/runs/{run}/guest/{secret}", s.pageTrainingGuest)
	wr.public("POST /training/runs/{run}/guest/{secret}", s.pageTrainingGuestJoin)
}

type trainingPage struct {
	Exercises []*training.Exercise
	Runs      []runSummary
	Instruct  bool
	// Source and Problems are an exercise sent back with its problems.
	Source   string
	Problems []string
}

func (s *Server) pageTraining(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	xs, err := s.trainingExercises(r.Context(), p)
	if err != nil {
		return err
	}
	runs, err := s.trainingRuns(r.Context(), p, store.Page{Limit: 100})
	if err != nil {
		return err
	}
	return s.render(w, r, "training.html", "Training", trainingPage{Exercises: xs, Runs: runs, Instruct: Allowed(p, Instruct, "")})
}

func (s *Server) pageSaveExercise(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r.Context())
	src := formValue(r, "source")
	x, err := s.trainingSaveExercise(r.Context(), p, saveExerciseRequest{Source: src})
	if err != nil && classify(err).Code == "invalid_exercise" {
		// Shown in the page, each problem with its line and column.
		var diags spec.Diagnostics
		_, perr := training.Parse("exercise.yaml", []byte(src))
		errors.As(perr, &diags)
		var problems []string
		for _, d := range diags {
			problems = append(problems, d.String())
		}
		xs, lerr := s.trainingExercises(r.Context(), p)
		if lerr != nil {
			return lerr
		}
		runs, lerr := s.trainingRuns(r.Context(), p, store.Page{Limit: 100})
		if lerr != nil {
			return lerr
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, "training.html", "layout", s.viewFor(w, r, "Training",
			trainingPage{Exercises: xs, Runs: runs, Instruct: true, Source: src, Problems: problems}))
	}
	if err != nil {
		return flashBack(w, r, err, "/training")
	}
	return s.done(w, r, "/training/exercises/"+x.ID, "Exercise saved: groups can now be given it in a run.")
}

func (s *Server) pageOpenRun(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var groups []string
	for _, g := range strings.Split(formValue(r, "groups"), "\n") {
		if g = strings.TrimSpace(g); g != "" {
			groups = append(groups, g)
		}
	}
	var mins training.Minutes
	for _, f := range []struct {
		key string
		to  *int
	}{{"read", &mins.Read}, {"find", &mins.Find}, {"prioritise", &mins.Prioritise}} {
		if v := formValue(r, f.key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return flashBack(w, r, errorf(http.StatusBadRequest, "invalid", "minutes are whole numbers"), "/training")
			}
			*f.to = n
		}
	}
	run, err := s.trainingOpen(r.Context(), principal(r.Context()), openRunRequest{Exercise: formValue(r, "exercise"), Title: formValue(r, "title"), Groups: groups, Minutes: mins})
	if err != nil {
		return flashBack(w, r, err, "/training")
	}
	return s.done(w, r, "/training/runs/"+run.ID, fmt.Sprintf("Run opened for %d groups: the read phase has started.", len(run.Groups)))
}

// flashBack shows a request's refusal by validation or phase (400, 409)
// as a flash message on the page it came from; other errors (403, 404,
// 500) go to the error page.
func flashBack(w http.ResponseWriter, r *http.Request, err error, to string) error {
	var pe *Error
	if errors.As(err, &pe) && (pe.Status == http.StatusBadRequest || pe.Status == http.StatusConflict) {
		setFlash(w, r, "error", pe.Msg)
		http.Redirect(w, r, localPath(to), http.StatusSeeOther)
		return nil
	}
	return err
}

type exercisePage struct {
	X        *training.Exercise
	Design   template.HTML
	Instruct bool
}

func (s *Server) pageExercise(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	x, err := s.trainingExercise(r.Context(), p, r.PathValue("exercise"))
	if err != nil {
		return err
	}
	return s.render(w, r, "training_exercise.html", x.Title, exercisePage{X: x, Design: report.MarkdownHTML(x.Design), Instruct: Allowed(p, Instruct, "")})
}

// runView is what the run templates get.
type runView struct {
	Run      *training.Run
	X        *training.Exercise
	Design   template.HTML
	Viewer   string
	Instruct bool // the viewer is this run's instructor
	// SeesAll tells that the viewer may see every group before the end.
	SeesAll bool
	CanJoin bool
	// Group is the board shown (nil on the instructor's overview).
	Group *groupView
	Next  string
	// Self is the page's path, which its live regions poll.
	Self string
	now  time.Time
	// Guest link (instructor): whether one is on, how many guests
	// joined, and a new link (shown once).
	GuestLinkOn  bool
	Guests       int
	NewGuestLink string
	// Guest tells that the viewer is a guest of this run.
	Guest bool
}

type groupView struct {
	G        *training.Group
	Columns  []trainingColumn
	Threats  []session.Card
	Top      []session.Card
	Mine     bool // the viewer works on this board
	Phase    training.Phase
	Elements []session.Element
}

type trainingColumn struct {
	ID, Name, Kind string
	Cards          []session.Card
}

func (v *runView) In(phases ...string) bool { return slices.Contains(phases, string(v.Run.Phase)) }

// Steps lists the run's phases with where it stands.
func (v *runView) Steps() []phaseStep {
	cur := slices.Index(training.Phases, v.Run.Phase)
	out := make([]phaseStep, len(training.Phases))
	for i, p := range training.Phases {
		out[i] = phaseStep{Name: string(p), Current: i == cur, Done: i < cur}
	}
	return out
}

// Deadline is the phase's end (RFC 3339), "" without one.
func (v *runView) Deadline() string {
	if v.Run.Deadline.IsZero() || v.Run.Phase == training.Done {
		return ""
	}
	return v.Run.Deadline.UTC().Format("15:04 UTC")
}

// StrideName names a STRIDE letter.
func (v *runView) StrideName(l string) string { return session.StrideName(l) }

// Left says how long the phase's time box has left, at rendering.
func (v *runView) Left() string {
	d := v.Run.Deadline.Sub(v.now)
	switch {
	case d <= 0:
		return "time is up"
	case d < time.Minute:
		return "less than a minute left"
	}
	return fmt.Sprintf("%d min left", int(d.Minutes()+0.5))
}

// StrideLetters are the STRIDE letters for the card form.
func (v *runView) StrideLetters() []string { return session.StrideLetters }

type rankSlot struct {
	Key      string
	N        int
	Selected string
}

// Slots are the three places of the top-three form with the current ranking.
func (v *runView) Slots() []rankSlot {
	out := make([]rankSlot, 3)
	for i := range out {
		out[i] = rankSlot{Key: fmt.Sprintf("top%d", i+1), N: i + 1}
		if v.Group != nil && i < len(v.Group.G.TopThree) {
			out[i].Selected = v.Group.G.TopThree[i]
		}
	}
	return out
}

// Member names a member of a group.
func (v *runView) Member(g *training.Group, id string) string { return boardName(g, id) }

func (s *Server) runView(r *http.Request, run *training.Run, x *training.Exercise, group *training.Group) *runView {
	p := principal(r.Context())
	me := memberID(p)
	v := &runView{Run: run, X: x, Design: report.MarkdownHTML(x.Design), Viewer: me, Instruct: run.Instructor == me, SeesAll: seesAll(p), now: s.cfg.Now(), Self: r.URL.Path,
		CanJoin: run.Phase != training.Done && run.GroupOf(me) == nil && run.Instructor != me && Allowed(p, Train, p.TeamID), Guest: isRunScope(p.TeamID)}
	if i := slices.Index(training.Phases, run.Phase); i+1 < len(training.Phases) {
		v.Next = string(training.Phases[i+1])
	}
	if group != nil {
		gv := &groupView{G: group, Mine: run.GroupOf(me) == group, Phase: run.Phase, Elements: group.Board.Elements}
		gv.Threats = group.Threats()
		byTarget := map[string][]session.Card{}
		for _, c := range gv.Threats {
			byTarget[c.Target] = append(byTarget[c.Target], c)
		}
		for _, e := range group.Board.Elements {
			if cs := byTarget[e.ID]; len(cs) > 0 {
				gv.Columns = append(gv.Columns, trainingColumn{ID: e.ID, Name: e.Name, Kind: e.Kind, Cards: cs})
			}
		}
		for _, id := range group.TopThree {
			if c := group.Board.Card(id); c != nil {
				gv.Top = append(gv.Top, *c)
			}
		}
		v.Group = gv
	}
	return v
}

// phaseMoved answers a live region's poll (htmx, ?phase=) when the run
// moved to another phase since the page was rendered: the whole page
// reloads (HX-Refresh), since its forms change with the phase.
func phaseMoved(w http.ResponseWriter, r *http.Request, run *training.Run) bool {
	seen := r.URL.Query().Get("phase")
	if r.Header.Get("HX-Request") != "true" || seen == "" || seen == string(run.Phase) {
		return false
	}
	w.Header().Set("HX-Refresh", "true")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return true
}

// runPage loads the run of a page as the principal may see it; answered
// is set when a live region's poll was answered (the phase moved).
func (s *Server) runPage(w http.ResponseWriter, r *http.Request) (run *training.Run, x *training.Exercise, answered bool, err error) {
	p := principal(r.Context())
	run, x, err = s.trainingRun(r.Context(), p, r.PathValue("run"))
	if err != nil || phaseMoved(w, r, run) {
		return nil, nil, err == nil, err
	}
	return narrow(p, run), x, false, nil
}

func (s *Server) pageRun(w http.ResponseWriter, r *http.Request) error {
	run, x, answered, err := s.runPage(w, r)
	if err != nil || answered {
		return err
	}
	v := s.runView(r, run, x, run.GroupOf(memberID(principal(r.Context()))))
	if v.Instruct {
		raw, _, err := s.loadRun(r.Context(), run.ID)
		if err != nil {
			return err
		}
		v.GuestLinkOn, v.Guests = raw.GuestLink != "", len(raw.Guests)
	}
	return s.render(w, r, "training_run.html", run.Title, v)
}

func (s *Server) pageRunGroup(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	run, x, answered, err := s.runPage(w, r)
	if err != nil || answered {
		return err
	}
	g := run.Group(r.PathValue("group"))
	if g == nil {
		return store.ErrNotFound
	}
	if run.Phase != training.Done && !seesAll(p) && run.Instructor != memberID(p) && run.GroupOf(memberID(p)) != g {
		return errorf(http.StatusForbidden, "forbidden", "other groups' boards open when the run is done")
	}
	return s.render(w, r, "training_run.html", g.Name+" · "+run.Title, s.runView(r, run, x, g))
}

// runForm reads an action from a form.
func runForm(r *http.Request) (training.Action, error) {
	if err := parseForm(r); err != nil {
		return training.Action{}, err
	}
	f := func(k string) string { return formValue(r, k) }
	a := training.Action{Type: f("type"), Group: f("group"), CardID: f("card_id"), From: f("from"), Phase: training.Phase(f("phase")),
		Severity: f("severity"), Title: f("title"), Ref: f("ref")}
	switch a.Type {
	case "card.add", "card.edit":
		v, _ := strconv.Atoi(f("version"))
		a.Card = &session.Card{ID: f("card_id"), Version: v, Target: f("target"), Asset: f("asset"), Text: f("text"), Stride: r.PostForm["stride"]}
	case "note.add":
		a.Note = &training.Note{Kind: f("kind"), Target: f("target"), Text: f("text")}
	case "top_three":
		for _, k := range []string{"top1", "top2", "top3"} {
			if id := f(k); id != "" {
				a.TopThree = append(a.TopThree, id)
			}
		}
	}
	return a, nil
}

func (s *Server) pageRunAct(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("run")
	a, err := runForm(r)
	if err != nil {
		return err
	}
	back := "/training/runs/" + id
	if next := formValue(r, "next"); strings.HasPrefix(next, back) {
		back = next
	}
	if _, err := s.trainingAct(r.Context(), principal(r.Context()), id, a); err != nil {
		return flashBack(w, r, err, back)
	}
	msg := map[string]string{"join": "You joined the group.", "submit": "Your group's answer is submitted; you can still change it until the instructor moves on.",
		"accept": "Added to this run's reference.", "top_three": "Top three saved.", "match": "Matched: it counts as that reference threat."}[a.Type]
	if a.Type == "phase" {
		msg = "Every group is now in the " + string(a.Phase) + " phase."
		if a.Phase == training.Done {
			msg = "The run is complete: training evidence recorded for the participants' teams."
			back = "/training/runs/" + id + "/results"
		}
	}
	return s.done(w, r, back, msg)
}

// resultsView is the results page.
type resultsView struct {
	Run       *training.Run
	X         *training.Exercise
	Ref       training.Reference
	C         training.Comparison
	Instruct  bool
	Groups    []*training.Group
	Severity  []string
	CanAccept bool
}

// Pct formats a share as a whole percentage.
func (v *resultsView) Pct(n, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%d %%", (n*100+of/2)/of)
}

// Score formats an agreement score (0..1) as a percentage.
func (v *resultsView) Score(x float64) string { return fmt.Sprintf("%.0f %%", x*100) }

// Together counts the reference threats at least one group found.
func (v *resultsView) Together() int { return len(v.Ref.Threats) - len(v.C.Missed) }

// Best is the most reference threats one group found.
func (v *resultsView) Best() int {
	n := 0
	for _, g := range v.C.Groups {
		n = max(n, len(g.Covered))
	}
	return n
}

// Threat returns a reference threat.
func (v *resultsView) Threat(id string) *training.RefThreat { return v.Ref.Threat(id) }

// Name is an element's or flow's name.
func (v *resultsView) Name(id string) string { return v.X.ElementName(id) }

// GroupName names a group by id.
func (v *resultsView) GroupName(id string) string {
	if g := v.Run.Group(id); g != nil {
		return g.Name
	}
	return id
}

// Cell is one overlap cell with its heat (0..4) for the colour scale.
type overlapCell struct {
	N, Heat int
	Diag    bool
}

// Matrix returns the overlap matrix rows with heat levels.
func (v *resultsView) Matrix() [][]overlapCell {
	top := 1
	for i := range v.C.Overlap {
		top = max(top, v.C.Overlap[i][i])
	}
	out := make([][]overlapCell, len(v.C.Overlap))
	for i, row := range v.C.Overlap {
		for j, n := range row {
			out[i] = append(out[i], overlapCell{N: n, Heat: (n*4 + top - 1) / top, Diag: i == j})
		}
	}
	return out
}

func (s *Server) pageRunResults(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	run, x, c, err := s.trainingResults(r.Context(), p, r.PathValue("run"))
	if err != nil {
		return err
	}
	instruct := run.Instructor == memberID(p)
	return s.render(w, r, "training_results.html", "Results · "+run.Title, &resultsView{Run: run, X: x, Ref: run.Reference(x), C: c, Instruct: instruct,
		Groups: run.Groups, Severity: training.Severities, CanAccept: instruct && (run.Phase == training.Prioritise || run.Phase == training.Done)})
}
