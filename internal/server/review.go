package server

// Design reviews (issue 8 §4): the operations behind both the JSON API
// (/api/v1/reviews...) and the web pages (web_review.go). Each operation
// takes the principal and its input and authorizes through Allowed; the
// handlers only decode input and encode output. The rules (states, ranking,
// capacity, approvals, badge, reminders) are package review's.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/triage"
)

// Review settings keys in the store.
const (
	settingPolicy   = "triage_policy"
	settingReviewer = "review_settings"
)

// openStates are the states of requests in the queue.
var openStates = func() []string {
	var out []string
	for _, s := range review.States {
		if s.Open() {
			out = append(out, string(s))
		}
	}
	return out
}()

// reviewConfig is the organisation's triage policy and review settings.
type reviewConfig struct {
	Policy triage.Policy
	// PolicyYAML is the policy as stored, or the default written out.
	PolicyYAML string
	Custom     bool
	Settings   review.Settings
}

func (s *Server) reviewConfig(ctx context.Context) (reviewConfig, error) {
	c := reviewConfig{Policy: triage.DefaultPolicy(), Settings: review.DefaultSettings()}
	text, err := s.store.ReviewSetting(ctx, settingPolicy)
	if err != nil {
		return c, err
	}
	if text != "" {
		p, err := triage.ParsePolicy("triage-policy.yaml", []byte(text))
		if err != nil {
			// A server fault, not the caller's: an administrator fixes it
			// on /review/policy, which shows the problems.
			return c, fmt.Errorf("the stored triage policy no longer parses (fix it at /review/policy): %v", err)
		}
		c.Policy, c.PolicyYAML, c.Custom = p, text, true
	} else {
		c.PolicyYAML = review.PolicyYAML(c.Policy)
	}
	js, err := s.store.ReviewSetting(ctx, settingReviewer)
	if err != nil {
		return c, err
	}
	if js != "" {
		if err := json.Unmarshal([]byte(js), &c.Settings); err != nil {
			return c, fmt.Errorf("stored review settings: %w", err)
		}
	}
	return c, nil
}

// reviewJSON is a review request as the API shows it.
type reviewJSON struct {
	ID          string          `json:"id"`
	System      string          `json:"system"`
	Team        string          `json:"team"`
	Title       string          `json:"title"`
	DesignDoc   string          `json:"design_doc"`
	State       review.State    `json:"state"`
	Tier        triage.Tier     `json:"tier"`
	Priority    int             `json:"priority"`
	Triage      triage.Result   `json:"triage"`
	Answers     review.Form     `json:"answers"`
	Assignee    string          `json:"assignee"`
	RequestedBy string          `json:"requested_by"`
	WantedBy    string          `json:"wanted_by,omitempty"`
	Due         time.Time       `json:"due"`
	AgeDays     int             `json:"age_days"`
	Overdue     bool            `json:"overdue"`
	Note        string          `json:"note"`
	Revision    int64           `json:"revision"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	Actions     []review.Action `json:"actions"`
	// Modelled tells whether the system has a model in Ward yet (a review
	// may come first, at design time).
	Modelled bool `json:"modelled"`
	// Rank, Estimate, Fits, Engineer and Why are the queue's: the place in
	// the ranking and the week's capacity plan.
	Rank     int     `json:"rank,omitempty"`
	Estimate float64 `json:"estimate_hours,omitempty"`
	Fits     *bool   `json:"fits,omitempty"`
	Engineer string  `json:"planned_engineer,omitempty"`
	Why      string  `json:"plan,omitempty"`
}

// StateLabel is the state for people.
func (x reviewJSON) StateLabel() string { return x.State.Label() }

// Planned reports whether the review fits in this week's hours.
func (x reviewJSON) Planned() bool { return x.Fits != nil && *x.Fits }

// rule returns the request as the review rules see it.
func ruleRequest(r store.ReviewRequest) review.Request {
	return review.Request{ID: r.ID, SystemID: r.SystemID, TeamID: r.TeamID, Title: r.Title, State: review.State(r.State),
		Tier: triage.Tier(r.Tier), Score: r.Score, Assignee: r.Assignee, Created: r.CreatedAt, Due: r.Due}
}

// reviewView builds the API view of a request for p at now.
func reviewView(r store.ReviewRequest, p *Principal, now time.Time) reviewJSON {
	x := reviewJSON{ID: r.ID, System: r.SystemID, Team: r.TeamID, Title: r.Title, DesignDoc: r.DesignDoc, State: review.State(r.State),
		Tier: triage.Tier(r.Tier), Priority: r.Score, Assignee: r.Assignee, RequestedBy: r.RequestedBy, Due: r.Due, Note: r.Note,
		Revision: r.Revision, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Actions: []review.Action{}}
	_ = json.Unmarshal([]byte(r.Reasons), &x.Triage)
	_ = json.Unmarshal([]byte(r.Answers), &x.Answers)
	if !r.WantedBy.IsZero() {
		x.WantedBy = r.WantedBy.Format(time.DateOnly)
	}
	rr := ruleRequest(r)
	x.AgeDays, x.Overdue = rr.Age(now), rr.Overdue(now)
	for _, a := range review.Possible(x.State) {
		if mayAct(p, a, r.TeamID) {
			x.Actions = append(x.Actions, a)
		}
	}
	return x
}

// mayAct reports whether p may take action a on a request of team.
func mayAct(p *Principal, a review.Action, team string) bool {
	if a.BySecurity() {
		return Allowed(p, Approve, team)
	}
	return Allowed(p, Write, team) || Allowed(p, Approve, team)
}

// reviewInput is a new review request.
type reviewInput struct {
	System    string      `json:"system"`
	Team      string      `json:"team"`
	Title     string      `json:"title"`
	DesignDoc string      `json:"design_doc"`
	WantedBy  string      `json:"wanted_by"`
	Answers   review.Form `json:"answers"`
}

func invalid(format string, args ...any) error {
	return errorf(http.StatusBadRequest, "invalid", format, args...)
}

// requestReview files a design review request: the answers are triaged
// under the organisation's policy at once; security-led designs enter the
// queue, the others are self-serve.
func (s *Server) requestReview(ctx context.Context, p *Principal, in reviewInput) (reviewJSON, error) {
	in.System, in.Team = strings.TrimSpace(in.System), strings.TrimSpace(in.Team)
	if !validID(in.System) {
		return reviewJSON{}, invalid("system %q: name the system by its id (lower-case letters, digits, -, _ and .)", in.System)
	}
	x, err := s.store.GetSystem(ctx, in.System)
	switch {
	case err == nil:
		if !Allowed(p, Read, x.TeamID) {
			return reviewJSON{}, store.ErrNotFound // another team's system is not revealed
		}
		if in.Team == "" {
			in.Team = x.TeamID
		}
		if in.Team != x.TeamID {
			return reviewJSON{}, invalid("system %q belongs to team %q, not %q", in.System, x.TeamID, in.Team)
		}
	case errors.Is(err, store.ErrNotFound):
		// A design not modelled yet: the review comes first.
		if in.Team == "" && p.TeamID != "" {
			in.Team = p.TeamID
		}
		if in.Team == "" {
			return reviewJSON{}, invalid("team: name the team that owns the design")
		}
	default:
		return reviewJSON{}, err
	}
	if !Allowed(p, Write, in.Team) {
		if !Allowed(p, Read, in.Team) {
			return reviewJSON{}, errorf(http.StatusForbidden, "forbidden", "you can only request reviews for your team")
		}
		return reviewJSON{}, errorf(http.StatusForbidden, "forbidden", "your role (%s) cannot request design reviews for team %q", p.Role, in.Team)
	}
	if _, err := s.store.GetTeam(ctx, in.Team); errors.Is(err, store.ErrNotFound) {
		return reviewJSON{}, invalid("team %q does not exist", in.Team)
	} else if err != nil {
		return reviewJSON{}, err
	}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		in.Title = "Design review of " + in.System
	}
	if len(in.Title) > 200 {
		return reviewJSON{}, invalid("title: at most 200 characters")
	}
	if err := checkDocLink(in.DesignDoc); err != nil {
		return reviewJSON{}, err
	}
	now := s.cfg.Now().UTC()
	var wanted time.Time
	if in.WantedBy != "" {
		wanted, err = time.Parse(time.DateOnly, in.WantedBy)
		if err != nil {
			return reviewJSON{}, invalid("wanted_by %q: write a date as YYYY-MM-DD", in.WantedBy)
		}
		if wanted.Before(now.Truncate(24 * time.Hour)) {
			return reviewJSON{}, invalid("wanted_by %s is in the past", in.WantedBy)
		}
	}
	ans, err := in.Answers.Answers()
	if err != nil {
		return reviewJSON{}, invalid("answers: %v", err)
	}
	cfg, err := s.reviewConfig(ctx)
	if err != nil {
		return reviewJSON{}, err
	}
	res := triage.Evaluate(ans, cfg.Policy)
	state := review.InitialState(res.Tier)
	summary := res.Summary
	if st, why := s.reviewStateForPhase(ctx, in.Team, string(state), res.Score); why != "" {
		state, summary = review.State(st), res.Summary+"; "+why // the team's programme phase (programme.go)
	}
	if state.Open() {
		open, _, err := s.store.ListReviews(ctx, store.ReviewQuery{SystemID: in.System, States: openStates, Page: store.Page{Limit: 1}})
		if err != nil {
			return reviewJSON{}, err
		}
		if len(open) > 0 {
			return reviewJSON{}, errorf(http.StatusConflict, "review_open", "a review of %s is already open (%s, %s): add to it instead", in.System, open[0].ID, review.State(open[0].State).Label())
		}
	}
	answers, _ := json.Marshal(review.FormOf(ans))
	result, _ := json.Marshal(res)
	rq := store.ReviewRequest{ID: "rv-" + newID(5), SystemID: in.System, TeamID: in.Team, Title: in.Title, DesignDoc: in.DesignDoc,
		Answers: string(answers), Tier: string(res.Tier), Score: res.Score, Reasons: string(result), Policy: res.Policy, State: string(state),
		RequestedBy: p.display(), WantedBy: wanted, Due: cfg.Settings.Due(now, wanted)}
	rq, err = s.store.CreateReview(ctx, rq, store.ReviewEvent{At: now, Actor: p.Actor(), Action: "request", To: string(state), Note: summary})
	if err != nil {
		return reviewJSON{}, err
	}
	if state.Open() {
		s.notifyRequested(ctx, p, rq) // security hears of it (notify.go)
	}
	return reviewView(rq, p, now), nil
}

// display names the principal for people: the email of an account, the
// actor of a token.
func (p *Principal) display() string {
	if p.Email != "" {
		return p.Email
	}
	return p.Actor()
}

func checkDocLink(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || len(s) > 2000 || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("design_doc: give the design document's http(s) link")
	}
	return nil
}

// getReview loads a request p may read; other teams' requests are not
// revealed (404).
func (s *Server) getReview(ctx context.Context, p *Principal, id string) (store.ReviewRequest, error) {
	r, err := s.store.GetReview(ctx, id)
	if err != nil {
		return r, err
	}
	if !Allowed(p, Read, r.TeamID) {
		return r, store.ErrNotFound
	}
	return r, nil
}

// reviewDetail is one request with its history.
type reviewDetail struct {
	reviewJSON
	History []reviewEventJSON `json:"history"`
	// Engineers are whom the request can be assigned to (for security).
	Engineers []string `json:"-"`
}

type reviewEventJSON struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Note   string    `json:"note"`
}

func (s *Server) reviewDetail(ctx context.Context, p *Principal, id string) (reviewDetail, error) {
	r, err := s.getReview(ctx, p, id)
	if err != nil {
		return reviewDetail{}, err
	}
	evs, err := s.store.ReviewEvents(ctx, id)
	if err != nil {
		return reviewDetail{}, err
	}
	d := reviewDetail{reviewJSON: reviewView(r, p, s.cfg.Now()), History: []reviewEventJSON{}}
	if x, err := s.store.GetSystem(ctx, r.SystemID); err == nil {
		d.Modelled = x.Latest > 0
	} else if !errors.Is(err, store.ErrNotFound) {
		return reviewDetail{}, err
	}
	for _, e := range evs {
		d.History = append(d.History, reviewEventJSON{At: e.At, Actor: e.Actor, Action: e.Action, From: e.From, To: e.To, Note: e.Note})
	}
	if Allowed(p, Approve, r.TeamID) {
		if d.Engineers, err = s.securityEngineers(ctx); err != nil {
			return reviewDetail{}, err
		}
	}
	return d, nil
}

// securityEngineers lists the emails of the accounts that may review:
// enabled security engineers and administrators.
func (s *Server) securityEngineers(ctx context.Context) ([]string, error) {
	var out []string
	err := s.eachUser(ctx, func(u store.User) error {
		if !u.Disabled && (u.Role == store.RoleSecurity || u.Role == store.RoleAdmin) {
			out = append(out, u.Email)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}

// reviewActionInput is an action on a request.
type reviewActionInput struct {
	Action       review.Action `json:"action"`
	Assignee     *string       `json:"assignee"`
	Note         string        `json:"note"`
	BaseRevision int64         `json:"base_revision"`
}

// actOnReview takes an action on a request: moves it along the workflow,
// changes its assignee, and on approval records the approval on the
// system with the version approved and its high and critical risks.
func (s *Server) actOnReview(ctx context.Context, p *Principal, id string, in reviewActionInput) (reviewJSON, error) {
	r, err := s.getReview(ctx, p, id)
	if err != nil {
		return reviewJSON{}, err
	}
	if !slices.Contains(review.Actions, in.Action) {
		return reviewJSON{}, invalid("action %q: one of %v", in.Action, review.Actions)
	}
	if !mayAct(p, in.Action, r.TeamID) {
		return reviewJSON{}, errorf(http.StatusForbidden, "forbidden", "your role (%s) cannot %s a design review", p.Role, in.Action.Label())
	}
	from := review.State(r.State)
	to, err := review.Next(from, in.Action)
	if err != nil {
		return reviewJSON{}, errorf(http.StatusConflict, "invalid_transition", "%v", err)
	}
	if in.BaseRevision != 0 && in.BaseRevision != r.Revision {
		return reviewJSON{}, fmt.Errorf("review %s changed since you read it (revision %d, not %d); reload: %w", id, r.Revision, in.BaseRevision, store.ErrConflict)
	}
	in.Note = strings.TrimSpace(in.Note)
	if len(in.Note) > 4000 {
		return reviewJSON{}, invalid("note: at most 4000 characters")
	}
	if in.Action == review.RequestChanges && in.Note == "" {
		return reviewJSON{}, invalid("note: say what the team should change")
	}
	base := r.Revision
	next := r
	next.State = string(to)
	if in.Note != "" {
		next.Note = in.Note
	}
	switch {
	case in.Assignee != nil:
		a := strings.TrimSpace(*in.Assignee)
		if a != "" {
			engineers, err := s.securityEngineers(ctx)
			if err != nil {
				return reviewJSON{}, err
			}
			if !slices.Contains(engineers, a) {
				return reviewJSON{}, invalid("assignee %q is not a security engineer's or administrator's email", a)
			}
		}
		next.Assignee = a
	case in.Action == review.Assign:
		return reviewJSON{}, invalid("assignee: name the security engineer (an email), or \"\" to unassign")
	case (in.Action == review.Triage || in.Action == review.Start) && r.Assignee == "" && p.Email != "":
		next.Assignee = p.Email // who triages or starts takes it, unless they name someone
	}
	var appr *store.Approval
	now := s.cfg.Now().UTC()
	if in.Action == review.Approve {
		cfg, err := s.reviewConfig(ctx)
		if err != nil {
			return reviewJSON{}, err
		}
		version, high, err := s.latestRisk(ctx, r.SystemID)
		if err != nil {
			return reviewJSON{}, err
		}
		a := review.NewApproval(r.SystemID, r.ID, version, p.display(), now, high, cfg.Settings)
		appr = &store.Approval{SystemID: a.SystemID, TeamID: r.TeamID, RequestID: a.RequestID, Version: a.Version, ApprovedBy: a.By,
			ApprovedAt: a.At, ExpiresAt: a.Expires, HighRisks: a.HighRisks}
	}
	out, err := s.store.UpdateReview(ctx, store.ReviewUpdate{Request: next, BaseRevision: base, Approval: appr,
		Event: store.ReviewEvent{At: now, Actor: p.Actor(), Action: string(in.Action), From: string(from), To: string(to), Note: in.Note}})
	if err != nil {
		return reviewJSON{}, err
	}
	s.notifyReview(ctx, p, r, out, in.Action) // assigned, approved (notify.go)
	if appr != nil {
		s.recordReviewed(ctx, *appr) // programme evidence (programme.go)
	}
	return reviewView(out, p, now), nil
}

// reviewSettingsInput changes the triage policy and review settings.
type reviewSettingsInput struct {
	// Policy is a triage policy file (as for ward triage --policy); ""
	// restores Ward's default policy.
	Policy   *string          `json:"policy"`
	Settings *review.Settings `json:"settings"`
}

// policyError is a policy that does not parse: 422 with its diagnostics.
func policyError(err error) error {
	var diags spec.Diagnostics
	if !errors.As(err, &diags) {
		return invalid("policy: %v", err)
	}
	pe := classify(diags)
	pe.Code, pe.Msg = "invalid_policy", fmt.Sprintf("the triage policy is invalid (%d problems)", len(diags))
	if len(diags) == 1 {
		pe.Msg = "the triage policy is invalid (1 problem)"
	}
	return pe
}

// setReviewSettings changes the organisation's triage policy and review
// settings (administrators).
func (s *Server) setReviewSettings(ctx context.Context, p *Principal, in reviewSettingsInput) (reviewConfig, error) {
	if !Allowed(p, Admin, "") {
		return reviewConfig{}, errorf(http.StatusForbidden, "forbidden", "only administrators change the triage policy and review settings")
	}
	if in.Policy != nil {
		text := strings.TrimSpace(*in.Policy)
		if len(text) > triage.MaxFileBytes {
			return reviewConfig{}, invalid("policy: larger than %d bytes", triage.MaxFileBytes)
		}
		if text != "" {
			if _, err := triage.ParsePolicy("triage-policy.yaml", []byte(text)); err != nil {
				return reviewConfig{}, policyError(err)
			}
			text += "\n"
		}
		if err := s.store.SetReviewSetting(ctx, settingPolicy, text, p.Actor()); err != nil {
			return reviewConfig{}, err
		}
	}
	if in.Settings != nil {
		if err := in.Settings.Validate(); err != nil {
			return reviewConfig{}, invalid("settings: %v", err)
		}
		js, _ := json.Marshal(in.Settings)
		if err := s.store.SetReviewSetting(ctx, settingReviewer, string(js), p.Actor()); err != nil {
			return reviewConfig{}, err
		}
	}
	return s.reviewConfig(ctx)
}

func configJSON(c reviewConfig) map[string]any {
	qs := make([]map[string]string, 0, len(triage.Questions))
	for _, q := range triage.Questions {
		qs = append(qs, map[string]string{"id": string(q.ID), "text": q.Text, "choices": q.Choices})
	}
	return map[string]any{"policy": c.PolicyYAML, "policy_name": c.Policy.Name, "custom_policy": c.Custom, "settings": c.Settings, "questions": qs}
}

// previewTriage triages answers under the organisation's policy without
// storing anything (the request form's live answer).
func (s *Server) previewTriage(ctx context.Context, f review.Form) (triage.Result, error) {
	ans, err := f.Answers()
	if err != nil {
		return triage.Result{}, invalid("answers: %v", err)
	}
	cfg, err := s.reviewConfig(ctx)
	if err != nil {
		return triage.Result{}, err
	}
	return triage.Evaluate(ans, cfg.Policy), nil
}

// modelAnswers reads the intake answers in the context: section of a
// system's latest model, for a request form to start from; ok is false
// when the system has no model p may read.
func (s *Server) modelAnswers(ctx context.Context, p *Principal, systemID string) (f review.Form, ok bool, err error) {
	x, err := s.store.GetSystem(ctx, systemID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (x.Latest == 0 || !Allowed(p, Read, x.TeamID)) {
		return f, false, nil
	}
	if err != nil {
		return f, false, err
	}
	v, err := s.store.GetVersion(ctx, x.ID, 0)
	if err != nil {
		return f, false, err
	}
	b := unarchive(v.YAML)
	a, _, err := s.analyseBundle(ctx, b)
	if err != nil {
		return f, false, err
	}
	declared := triage.ContextKeys([]byte(b.Files[b.Main]))["sensitive_data"]
	return review.FormOf(triage.FromContext(a.Model.Context, declared)), true, nil
}

// LoadDemoReviews files design reviews of the demo team's systems, when
// there are none yet, so the queue of ward serve --demo is not empty: the
// answers come from each model's context: section; the first system's
// review is approved, the second's in review, the others wait.
func (s *Server) LoadDemoReviews(ctx context.Context) error {
	if _, n, err := s.store.ListReviews(ctx, store.ReviewQuery{Page: store.Page{Limit: 1}}); err != nil || n > 0 {
		return err
	}
	systems, _, err := s.store.ListSystems(ctx, "demo", store.Page{Limit: 20})
	if err != nil {
		return err
	}
	member := &Principal{UserID: "demo", Email: "member@demo.example", Role: store.RoleMember, TeamID: "demo"}
	security := &Principal{UserID: "demo", Email: "security@demo.example", Role: store.RoleSecurity}
	for i, x := range systems {
		f, ok, err := s.modelAnswers(ctx, security, x.ID)
		if err != nil || !ok {
			return err
		}
		r, err := s.requestReview(ctx, member, reviewInput{System: x.ID, Title: "Design review of " + x.Name,
			DesignDoc: "https://docs.example.com/designs/" + x.ID, Answers: f})
		if err != nil {
			return fmt.Errorf("demo review of %s: %w", x.ID, err)
		}
		var steps []review.Action
		switch {
		case r.State != review.Requested:
		case i == 0:
			steps = []review.Action{review.Triage, review.Start, review.Approve}
		case i == 1:
			steps = []review.Action{review.Triage, review.Start}
		}
		for _, a := range steps {
			if _, err := s.actOnReview(ctx, security, r.ID, reviewActionInput{Action: a, Note: "demo"}); err != nil {
				return fmt.Errorf("demo review of %s: %s: %w", x.ID, a, err)
			}
		}
	}
	return nil
}
