package server

// Design-review pages: the request form, the queue with the capacity
// plan and reminders, a request with its actions, and the administrators'
// triage policy page. They call the same operations as the JSON API
// (review.go); these handlers only read forms and render.

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/triage"
)

func (s *Server) reviewPages(wr webRouter) {
	wr.page("GET /review", s.pageReviewQueue)
	wr.page("GET /review/new", s.pageReviewNew)
	wr.page("POST /review", s.pageReviewCreate)
	wr.page("POST /review/triage", s.pageReviewPreview)
	wr.page("GET /review/{id}", s.pageReviewDetail)
	wr.page("POST /review/{id}/act", s.pageReviewAct)
	wr.page("POST /review/capacity", s.pageReviewCapacity)
	wr.page("GET /review/policy", s.pageReviewPolicy)
	wr.page("POST /review/policy", s.pageReviewPolicySave)
}

// formOf reads the triage questions of a request form: radio buttons
// (yes/no/unknown), checkboxes for the kinds of sensitive data (none of
// them ticked is unknown; "none" is none) and a comma-separated list of
// new third parties (empty is unknown; "none" is none).
func formOf(r *http.Request) review.Form {
	f := review.Form{PavedPath: formValue(r, "paved_path"), InternetFacing: formValue(r, "internet_facing"),
		AuthChanges: formValue(r, "auth_changes"), Criticality: formValue(r, "criticality")}
	if kinds := r.PostForm["sensitive_data"]; len(kinds) > 0 {
		f.SensitiveData = slices.Clone(kinds)
	}
	if tp := formValue(r, "new_third_parties"); tp != "" {
		f.NewThirdParties = []string{}
		for _, name := range strings.Split(tp, ",") {
			f.NewThirdParties = append(f.NewThirdParties, strings.TrimSpace(name))
		}
	}
	return f
}

// reviewFormView is the request form with what was entered.
type reviewFormView struct {
	In        reviewInput
	Error     string
	Teams     []store.Team
	Systems   []store.System
	Kinds     []model.DataKind
	Questions []triage.QuestionInfo
	Preview   *triage.Result
	Policy    string
	// FromModel tells that the answers come from the model's context.
	FromModel bool
}

func (v reviewFormView) Has(kind model.DataKind) bool {
	return slices.Contains(v.In.Answers.SensitiveData, string(kind))
}

// triQuestion is a yes/no/unknown question of the form.
type triQuestion struct {
	Name, Text, Value string
	Options           []string
}

// Tri describes the yes/no/unknown question name with its answer.
func (v reviewFormView) Tri(name string) triQuestion {
	q := triQuestion{Name: name, Text: triage.Question(name).Info().Text, Options: []string{"yes", "no", ""}}
	switch name {
	case "paved_path":
		q.Value = v.In.Answers.PavedPath
	case "internet_facing":
		q.Value = v.In.Answers.InternetFacing
	case "auth_changes":
		q.Value = v.In.Answers.AuthChanges
	}
	if q.Value == "unknown" {
		q.Value = ""
	}
	return q
}

// KindLabel names a kind of sensitive data for people.
func (v reviewFormView) KindLabel(k model.DataKind) string {
	switch k {
	case model.DataPII:
		return "PII"
	case model.DataPHI:
		return "PHI (health)"
	case model.DataPaymentCard:
		return "Payment cards"
	}
	return strings.ToUpper(string(k[:1])) + strings.ReplaceAll(string(k[1:]), "_", " ")
}

// Levels are the criticality choices ("" is unknown).
func (v reviewFormView) Levels() []string { return []string{"", "low", "medium", "high", "critical"} }

func (v reviewFormView) ThirdParties() string {
	if v.In.Answers.NewThirdParties == nil {
		return ""
	}
	if len(v.In.Answers.NewThirdParties) == 0 {
		return "none"
	}
	return strings.Join(v.In.Answers.NewThirdParties, ", ")
}

func (v reviewFormView) NoneTicked() bool {
	return v.In.Answers.SensitiveData != nil && (len(v.In.Answers.SensitiveData) == 0 || slices.Contains(v.In.Answers.SensitiveData, "none"))
}

func (s *Server) reviewForm(ctx context.Context, p *Principal, in reviewInput, msg string) (reviewFormView, error) {
	v := reviewFormView{In: in, Error: msg, Kinds: model.DataKinds, Questions: triage.Questions}
	team, err := scopeTeam(p, "")
	if err != nil {
		return v, err
	}
	if team != "" {
		t, err := s.store.GetTeam(ctx, team)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return v, err
		}
		if err == nil {
			v.Teams = []store.Team{t}
		}
	} else if v.Teams, _, err = s.store.ListTeams(ctx, store.Page{Limit: 500}); err != nil {
		return v, err
	}
	if v.Systems, _, err = s.store.ListSystems(ctx, team, store.Page{Limit: 500}); err != nil {
		return v, err
	}
	cfg, err := s.reviewConfig(ctx)
	if err != nil {
		return v, err
	}
	v.Policy = cfg.Policy.Name
	return v, nil
}

func (s *Server) pageReviewNew(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	in := reviewInput{System: r.URL.Query().Get("system"), Team: r.URL.Query().Get("team")}
	if x, err := s.store.GetSystem(ctx, in.System); err == nil && Allowed(p, Read, x.TeamID) {
		in.Team = x.TeamID
	}
	// A modelled system: start from the answers in its model's context.
	f, fromModel, err := s.modelAnswers(ctx, p, in.System)
	if err != nil {
		return err
	}
	if fromModel {
		in.Answers = f
	}
	v, err := s.reviewForm(ctx, p, in, "")
	if err != nil {
		return err
	}
	if fromModel {
		v.FromModel = true
		res, err := s.previewTriage(ctx, f)
		if err != nil {
			return err
		}
		v.Preview = &res
	}
	return s.render(w, r, "review_new.html", "Request a design review", v)
}

func (s *Server) pageReviewCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	p := principal(ctx)
	in := reviewInput{System: formValue(r, "system"), Team: formValue(r, "team"), Title: formValue(r, "title"), DesignDoc: formValue(r, "design_doc"),
		WantedBy: formValue(r, "wanted_by"), Answers: formOf(r)}
	x, err := s.requestReview(ctx, p, in)
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) || pe.Status != http.StatusBadRequest && pe.Status != http.StatusConflict {
			return err
		}
		// Show the form again with what was entered and what is wrong.
		v, ferr := s.reviewForm(ctx, p, in, pe.Msg)
		if ferr != nil {
			return ferr
		}
		return s.renderStatus(w, r, pe.Status, "review_new.html", "layout", s.viewFor(w, r, "Request a design review", v))
	}
	msg := "Review requested: " + string(x.Tier) + ", priority " + strconv.Itoa(x.Priority) + "."
	if x.State == review.SelfServe {
		msg = "No security review needed (" + string(x.Tier) + "): your team threat-models this design itself."
	}
	return s.done(w, r, "/review/"+x.ID, msg)
}

// pageReviewPreview answers the request form's live triage (htmx).
func (s *Server) pageReviewPreview(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	res, err := s.previewTriage(r.Context(), formOf(r))
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) && pe.Status == http.StatusBadRequest {
			return s.renderFragment(w, r, "review_new.html", "triage-preview-fragment", reviewFormView{Error: pe.Msg})
		}
		return err
	}
	return s.renderFragment(w, r, "review_new.html", "triage-preview-fragment", reviewFormView{Preview: &res})
}

// reviewDetailView is a request's page.
type reviewDetailView struct {
	reviewDetail
	Badge *review.Badge
}

// ListAnswer writes a list answer: unknown, none or the items.
func (v reviewDetailView) ListAnswer(q string) string {
	l := v.Answers.SensitiveData
	if q == "new_third_parties" {
		l = v.Answers.NewThirdParties
	}
	switch {
	case l == nil:
		return "unknown"
	case len(l) == 0:
		return "none"
	}
	return strings.Join(l, ", ")
}

// Can reports whether the principal may take action a.
func (v reviewDetailView) Can(a string) bool {
	return slices.Contains(v.Actions, review.Action(a))
}

func (s *Server) pageReviewDetail(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d, err := s.reviewDetail(ctx, principal(ctx), r.PathValue("id"))
	if err != nil {
		return err
	}
	v := reviewDetailView{reviewDetail: d}
	if x, err := s.store.GetSystem(ctx, d.System); err == nil {
		b, err := s.systemBadge(ctx, x)
		if err != nil {
			return err
		}
		v.Badge = &b
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.render(w, r, "review_detail.html", d.Title, v)
}

func (s *Server) pageReviewAct(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	in := reviewActionInput{Action: review.Action(formValue(r, "action")), Note: formValue(r, "note")}
	if _, ok := r.PostForm["assignee"]; ok {
		a := formValue(r, "assignee")
		in.Assignee = &a
	}
	if rev := formValue(r, "base_revision"); rev != "" {
		n, err := strconv.ParseInt(rev, 10, 64)
		if err != nil {
			return invalid("base_revision must be a number")
		}
		in.BaseRevision = n
	}
	id := r.PathValue("id")
	x, err := s.actOnReview(r.Context(), principal(r.Context()), id, in)
	if err != nil {
		return err
	}
	msg := in.Action.Label() + ": the review is now " + x.State.Label() + "."
	switch in.Action {
	case review.Approve:
		msg = "Approved: recorded on " + x.System + "."
	case review.Assign:
		msg = "Reassigned " + x.Title + " to " + or(x.Assignee, "nobody") + "."
	}
	to := "/review/" + id
	if formValue(r, "next") == "/review" { // reassigned from the queue
		to = "/review"
	}
	return s.done(w, r, to, msg)
}

func (s *Server) pageReviewQueue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(ctx)
	q := r.URL.Query()
	v, err := s.reviewQueue(ctx, p, q.Get("team"), q.Get("week"))
	if err != nil {
		return err
	}
	return s.render(w, r, "review_queue.html", "Review queue", queuePage{queueView: v, CanRequest: canRequest(p)})
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// canRequest reports whether p may request design reviews: members of
// their team, and administrators.
func canRequest(p *Principal) bool {
	return p.TeamID != "" && Allowed(p, Write, p.TeamID) || Allowed(p, Admin, "")
}

type queuePage struct {
	queueView
	CanRequest bool
}

// Prev and Next name the weeks before and after the plan's.
func (q queuePage) Prev() string { return q.shift(-7) }
func (q queuePage) Next() string { return q.shift(7) }

func (q queuePage) shift(days int) string {
	monday, err := review.ParseWeek(q.Week)
	if err != nil {
		return q.Week
	}
	return review.Week(monday.AddDate(0, 0, days))
}

// LeftOf is an engineer's hours left after the plan.
func (q queuePage) LeftOf(engineer string) float64 {
	for _, h := range q.Left {
		if h.Engineer == engineer {
			return h.Hours
		}
	}
	return 0
}

// HoursOf is the hours an engineer entered (for the form).
func (q queuePage) HoursOf(engineer string) string {
	for _, h := range q.Capacity {
		if h.Engineer == engineer {
			return strconv.FormatFloat(h.Hours, 'f', -1, 64)
		}
	}
	return ""
}

func (s *Server) pageReviewCapacity(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r.Context())
	week := formValue(r, "week")
	hours, err := strconv.ParseFloat(formValue(r, "hours"), 64)
	if err != nil {
		return invalid("hours: enter a number of hours, e.g. 12 or 7.5")
	}
	if err := s.setCapacity(r.Context(), p, week, formValue(r, "engineer"), hours); err != nil {
		return err
	}
	return s.done(w, r, "/review?week="+week, "Hours saved for "+week+".")
}

type policyPage struct {
	Config reviewConfig
	Text   string
	Error  string
	Diags  any
}

func (s *Server) pageReviewPolicy(w http.ResponseWriter, r *http.Request) error {
	if err := s.require(r, Admin, ""); err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.reviewConfig(ctx)
	if err == nil {
		return s.render(w, r, "review_policy.html", "Triage policy", policyPage{Config: c, Text: c.PolicyYAML})
	}
	// The stored policy no longer parses: show it with its problems so
	// the administrator can fix it here.
	text, serr := s.store.ReviewSetting(ctx, settingPolicy)
	if serr != nil {
		return serr
	}
	_, perr := triage.ParsePolicy("triage-policy.yaml", []byte(text))
	if perr == nil {
		return err // something else is wrong
	}
	pp := policyPage{Config: reviewConfig{Policy: triage.DefaultPolicy(), Settings: review.DefaultSettings(), Custom: true}, Text: text}
	if pe, ok := policyError(perr).(*Error); ok {
		pp.Error, pp.Diags = "The stored policy no longer parses; Ward cannot triage until it is fixed. "+pe.Msg, pe.Details
	}
	return s.render(w, r, "review_policy.html", "Triage policy", pp)
}

func (s *Server) pageReviewPolicySave(w http.ResponseWriter, r *http.Request) error {
	if err := s.require(r, Admin, ""); err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	p := principal(ctx)
	text := r.PostFormValue("policy")
	in := reviewSettingsInput{Policy: &text}
	if r.PostFormValue("reset") != "" {
		empty := ""
		in.Policy = &empty
	}
	st := review.Settings{}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"approval_days", &st.ApprovalDays}, {"warn_days", &st.WarnDays}, {"due_days", &st.DueDays}} {
		n, err := strconv.Atoi(formValue(r, f.name))
		if err != nil {
			return invalid("%s: enter a whole number of days", f.name)
		}
		*f.dst = n
	}
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"security_led_hours", &st.SecurityLedHours}, {"self_serve_hours", &st.SelfServeHours}} {
		n, err := strconv.ParseFloat(formValue(r, f.name), 64)
		if err != nil {
			return invalid("%s: enter a number of hours", f.name)
		}
		*f.dst = n
	}
	in.Settings = &st
	if _, err := s.setReviewSettings(ctx, p, in); err != nil {
		var pe *Error
		if !errors.As(err, &pe) || pe.Status >= 500 || pe.Status == http.StatusForbidden {
			return err
		}
		c, cerr := s.reviewConfig(ctx)
		if cerr != nil {
			return cerr
		}
		c.Settings = st
		return s.renderStatus(w, r, pe.Status, "review_policy.html", "layout", s.viewFor(w, r, "Triage policy", policyPage{Config: c, Text: text, Error: pe.Msg, Diags: pe.Details}))
	}
	return s.done(w, r, "/review/policy", "Triage policy and review settings saved.")
}

// reviewHome is the review queue's card on the home page.
type reviewHome struct {
	Top       []reviewJSON
	Open      int
	Waiting   int
	Reminders []reminderJSON
	Week      string
	// CanRequest tells whether p may request reviews (of their team).
	CanRequest bool
	Error      string
}

// reviewHomeSlot is the review queue card for p's home page: the top of
// the queue and the reminders (security and administrators), or the
// team's own requests (members).
func (s *Server) reviewHomeSlot(ctx context.Context, p *Principal) (homeSlot, error) {
	q, err := s.reviewQueue(ctx, p, "", "")
	if err != nil {
		// The home page stays up: the card says the queue failed, with an
		// id that is also in the log.
		id := newID(8)
		s.log.Error("review queue card", "error_id", id, "request_id", requestID(ctx), "err", err)
		return homeSlot{Template: "home-review-queue", Data: reviewHome{Error: "The review queue could not be loaded (error id " + id + ")."}}, nil
	}
	h := reviewHome{Open: len(q.Items), Waiting: q.Waiting, Reminders: q.Reminders, Week: q.Week, CanRequest: canRequest(p)}
	h.Top = q.Items[:min(len(q.Items), 5)]
	if len(h.Reminders) > 5 {
		h.Reminders = h.Reminders[:5]
	}
	return homeSlot{Template: "home-review-queue", Data: h}, nil
}
