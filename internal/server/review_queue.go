package server

// The review queue, the week's capacity plan, reminders and the system
// badge: operations shared by the JSON API (review_api.go) and the pages
// (web_review.go).

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/store"
)

// latestRisk returns a system's latest version number (0 when it has
// none) and that version's high and critical risks.
func (s *Server) latestRisk(ctx context.Context, systemID string) (int, []string, error) {
	x, err := s.store.GetSystem(ctx, systemID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	var fs []review.Finding
	for off := 0; ; off += 500 {
		page, total, err := s.store.Findings(ctx, store.FindingQuery{SystemID: systemID, MinSeverity: "high", Sort: "id", Page: store.Page{Limit: 500, Offset: off}})
		if err != nil {
			return 0, nil, err
		}
		for _, f := range page {
			fs = append(fs, review.Finding{ID: f.ID, Severity: f.Severity, Status: f.Status})
		}
		if off+500 >= total || len(page) == 0 {
			break
		}
	}
	return x.Latest, review.HighRisks(fs), nil
}

// systemBadge is a system's review badge.
func (s *Server) systemBadge(ctx context.Context, x store.System) (review.Badge, error) {
	cfg, err := s.reviewConfig(ctx)
	if err != nil {
		return review.Badge{}, err
	}
	return s.badgeWith(ctx, x.ID, cfg.Settings, nil)
}

// badgeWith decides a system's badge; approval, when not nil, is its
// latest approval already loaded.
func (s *Server) badgeWith(ctx context.Context, systemID string, st review.Settings, approval *store.Approval) (review.Badge, error) {
	var a *review.Approval
	if approval == nil {
		got, err := s.store.LatestApproval(ctx, systemID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return review.Badge{}, err
		}
		if err == nil {
			approval = &got
		}
	}
	if approval != nil {
		a = &review.Approval{SystemID: approval.SystemID, RequestID: approval.RequestID, Version: approval.Version, By: approval.ApprovedBy,
			At: approval.ApprovedAt, Expires: approval.ExpiresAt, HighRisks: approval.HighRisks}
	}
	open, _, err := s.store.ListReviews(ctx, store.ReviewQuery{SystemID: systemID, States: openStates, Page: store.Page{Limit: 1}})
	if err != nil {
		return review.Badge{}, err
	}
	var pending *review.Request
	if len(open) > 0 {
		rr := ruleRequest(open[0])
		pending = &rr
	}
	version, high, err := s.latestRisk(ctx, systemID)
	if err != nil {
		return review.Badge{}, err
	}
	return review.SystemBadge(systemID, a, pending, version, high, s.cfg.Now().UTC(), st), nil
}

// badgeJSON is the API view of a badge.
func badgeJSON(b review.Badge) map[string]any {
	out := map[string]any{"system": b.SystemID, "status": b.Status, "label": b.Status.Label(), "text": b.Text, "warning": b.Warning,
		"expired": b.Expired, "new_risks": orEmpty(b.NewRisks)}
	if a := b.Approval; a != nil {
		out["approval"] = map[string]any{"request": a.RequestID, "version": a.Version, "by": a.By, "at": a.At, "expires": a.Expires, "high_risks": orEmpty(a.HighRisks)}
	}
	if r := b.Pending; r != nil {
		out["pending"] = map[string]any{"request": r.ID, "state": r.State, "due": r.Due}
	}
	return out
}

// queueView is the review queue: the open requests ranked by risk
// priority with the week's capacity plan, and the reminders.
type queueView struct {
	Team      string          `json:"team"`
	Week      string          `json:"week"`
	Items     []reviewJSON    `json:"items"`
	Capacity  []review.Hours  `json:"capacity"`
	Left      []review.Hours  `json:"hours_left"`
	Total     float64         `json:"capacity_hours"`
	Planned   float64         `json:"planned_hours"`
	Waiting   int             `json:"waiting"`
	Reminders []reminderJSON  `json:"reminders"`
	Recent    []reviewJSON    `json:"recent"`
	Settings  review.Settings `json:"settings"`
	CanPlan   bool            `json:"-"`
	Engineers []string        `json:"-"`
}

type reminderJSON struct {
	Kind    review.ReminderKind `json:"kind"`
	System  string              `json:"system"`
	Request string              `json:"request,omitempty"`
	When    time.Time           `json:"when"`
	Text    string              `json:"text"`
}

// reviewQueue builds the queue p may see (narrowed to the principal's
// team for members and tokens) for an ISO week ("" for this week).
func (s *Server) reviewQueue(ctx context.Context, p *Principal, team, week string) (queueView, error) {
	team, err := scopeTeam(p, team)
	if err != nil {
		return queueView{}, err
	}
	now := s.cfg.Now().UTC()
	if week == "" {
		week = review.Week(now)
	} else if _, err := review.ParseWeek(week); err != nil {
		return queueView{}, errorf(http.StatusBadRequest, "invalid_query", "%v", err)
	}
	cfg, err := s.reviewConfig(ctx)
	if err != nil {
		return queueView{}, err
	}
	open, _, err := s.store.ListReviews(ctx, store.ReviewQuery{TeamID: team, States: openStates, Page: store.Page{Limit: 500}})
	if err != nil {
		return queueView{}, err
	}
	byID := map[string]store.ReviewRequest{}
	var rules []review.Request
	for _, r := range open {
		byID[r.ID] = r
		rules = append(rules, ruleRequest(r))
	}
	caps, err := s.store.ListCapacity(ctx, week)
	if err != nil {
		return queueView{}, err
	}
	modelled, err := s.modelledSystems(ctx, team)
	if err != nil {
		return queueView{}, err
	}
	q := queueView{Team: team, Week: week, Items: []reviewJSON{}, Capacity: []review.Hours{}, Settings: cfg.Settings, CanPlan: Allowed(p, Approve, "")}
	for _, c := range caps {
		q.Capacity = append(q.Capacity, review.Hours{Engineer: c.Engineer, Hours: c.Hours})
	}
	plan := review.PlanWeek(review.Rank(rules), q.Capacity, cfg.Settings)
	q.Total, q.Planned, q.Waiting, q.Left = plan.Capacity, plan.Planned, plan.Waiting, orEmptyHours(plan.Left)
	for _, sl := range plan.Slots {
		x := reviewView(byID[sl.Request.ID], p, now)
		fits := sl.Fits
		x.Rank, x.Estimate, x.Fits, x.Engineer, x.Why = len(q.Items)+1, sl.Estimate, &fits, sl.Engineer, sl.Why
		x.Modelled = modelled[x.System]
		q.Items = append(q.Items, x)
	}
	if q.Reminders, err = s.reminders(ctx, team, rules, cfg.Settings); err != nil {
		return queueView{}, err
	}
	recent, _, err := s.store.ListReviews(ctx, store.ReviewQuery{TeamID: team, States: []string{string(review.Approved), string(review.SelfServe)}, Page: store.Page{Limit: 20}})
	if err != nil {
		return queueView{}, err
	}
	q.Recent = []reviewJSON{}
	for _, r := range recent {
		x := reviewView(r, p, now)
		x.Modelled = modelled[x.System]
		q.Recent = append(q.Recent, x)
	}
	if q.CanPlan {
		if q.Engineers, err = s.securityEngineers(ctx); err != nil {
			return queueView{}, err
		}
	}
	return q, nil
}

// modelledSystems is the set of team's systems ("" for all) that have a
// model.
func (s *Server) modelledSystems(ctx context.Context, team string) (map[string]bool, error) {
	out := map[string]bool{}
	for off := 0; ; off += 500 {
		xs, total, err := s.store.ListSystems(ctx, team, store.Page{Limit: 500, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, x := range xs {
			out[x.ID] = x.Latest > 0
		}
		if off+500 >= total || len(xs) == 0 {
			return out, nil
		}
	}
}

func orEmptyHours(h []review.Hours) []review.Hours {
	if h == nil {
		return []review.Hours{}
	}
	return h
}

// reminders lists what needs attention in team's reviews ("" for all):
// overdue and due-soon open requests, stale, expired and expiring
// approvals. open are the team's open requests.
func (s *Server) reminders(ctx context.Context, team string, open []review.Request, st review.Settings) ([]reminderJSON, error) {
	approvals, err := s.store.LatestApprovals(ctx, team)
	if err != nil {
		return nil, err
	}
	var badges []review.Badge
	for i := range approvals {
		b, err := s.badgeWith(ctx, approvals[i].SystemID, st, &approvals[i])
		if err != nil {
			return nil, err
		}
		badges = append(badges, b)
	}
	out := []reminderJSON{}
	for _, r := range review.Reminders(open, badges, s.cfg.Now().UTC(), st) {
		out = append(out, reminderJSON{Kind: r.Kind, System: r.SystemID, Request: r.RequestID, When: r.When, Text: r.Text})
	}
	return out, nil
}

// setCapacity enters an engineer's hours for a week (security and
// administrators).
func (s *Server) setCapacity(ctx context.Context, p *Principal, week, engineer string, hours float64) error {
	if !Allowed(p, Approve, "") {
		return errorf(http.StatusForbidden, "forbidden", "only security engineers and administrators plan review hours")
	}
	if _, err := review.ParseWeek(week); err != nil {
		return invalid("%v", err)
	}
	if !(hours >= 0 && hours <= 80) { // also refuses NaN
		return invalid("hours %g: enter 0 to 80 hours for the week (0 removes them)", hours)
	}
	engineer = strings.TrimSpace(engineer)
	if engineer == "" {
		engineer = p.Email
	}
	engineers, err := s.securityEngineers(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(engineers, engineer) {
		return invalid("engineer %q is not a security engineer's or administrator's email", engineer)
	}
	return s.store.SetCapacity(ctx, store.Capacity{Week: week, Engineer: engineer, Hours: hours, UpdatedBy: p.Actor()})
}
