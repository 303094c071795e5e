package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/wardtm/ward/internal/programme"
	"github.com/wardtm/ward/internal/session"
	"github.com/wardtm/ward/internal/store"
)

// proposalJSON is a stored proposal with its checks.
type proposalJSON struct {
	ID        string             `json:"id"`
	Team      string             `json:"team"`
	From      programme.Phase    `json:"from"`
	To        programme.Phase    `json:"to"`
	StepBack  bool               `json:"step_back"`
	State     string             `json:"state"`
	Summary   string             `json:"summary"`
	Proposal  programme.Proposal `json:"evidence"`
	CreatedAt time.Time          `json:"created_at"`
	DecidedBy string             `json:"decided_by,omitempty"`
	DecidedAt time.Time          `json:"decided_at,omitzero"`
	Note      string             `json:"note,omitempty"`
}

func proposalView(p store.PhaseProposal) proposalJSON {
	out := proposalJSON{ID: p.ID, Team: p.TeamID, From: programme.Phase(p.From), To: programme.Phase(p.To), StepBack: p.StepBack, State: p.State,
		Summary: p.Summary, CreatedAt: p.CreatedAt, DecidedBy: p.DecidedBy, DecidedAt: p.DecidedAt, Note: p.Note}
	_ = json.Unmarshal([]byte(p.Evidence), &out.Proposal)
	return out
}

// reviewedJSON is a reviewed model with its threats counted by who found them.
type reviewedJSON struct {
	System     string             `json:"system"`
	Version    int                `json:"version"`
	Request    string             `json:"request,omitempty"`
	ReviewedAt time.Time          `json:"reviewed_at"`
	Team       map[string]int     `json:"team"`
	Security   map[string]int     `json:"security"`
	Engine     map[string]int     `json:"engine"`
	Added      []programme.Threat `json:"security_added"`
}

// teamProgramme is a team's programme page.
type teamProgramme struct {
	Team       store.Team             `json:"team"`
	Phase      programme.Phase        `json:"phase"`
	Since      time.Time              `json:"since,omitzero"`
	Mode       programme.ReviewMode   `json:"review_mode"`
	Assessment programme.Assessment   `json:"assessment"`
	Rules      programme.Rules        `json:"rules"`
	Open       *proposalJSON          `json:"open_proposal,omitempty"`
	Proposals  []proposalJSON         `json:"proposals"`
	History    []phaseEventJSON       `json:"history"`
	Evidence   []programme.QuarterRow `json:"evidence"`
	Reviewed   []reviewedJSON         `json:"reviewed_models"`
	Escapes    []outsideJSON          `json:"escapes"`
	Outside    []outsideJSON          `json:"outside_findings"`
	Activities []programme.Activity   `json:"activities"`
	Systems    []string               `json:"systems"`
	Sessions   int                    `json:"sessions"`
	// ReviewDays is the median days from review request to the start of
	// the review, over Reviews requests that started.
	ReviewDays float64 `json:"review_days_median"`
	Reviews    int     `json:"reviews_started"`
	// Fixed of Threats are the model threats (open or closed, latest
	// versions) that are mitigated.
	Fixed      int     `json:"threats_fixed"`
	Threats    int     `json:"threats"`
	FixedShare float64 `json:"fixed_share"`
}

type phaseEventJSON struct {
	Seq      int             `json:"seq"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Kind     string          `json:"kind"`
	From     programme.Phase `json:"from"`
	To       programme.Phase `json:"to"`
	Note     string          `json:"note,omitempty"`
	Proposal string          `json:"proposal,omitempty"`
}

// Sources and Severities are for templates.
func (teamProgramme) Sources() []string    { return programme.Sources }
func (teamProgramme) Severities() []string { return programme.Severities }

// observedSessions lists the live sessions of a team's systems, and those
// security attended as observer (programme evidence).
func (s *Server) observedSessions(ctx context.Context, systems []store.System) (int, []programme.Activity, error) {
	n := 0
	var out []programme.Activity
	for _, x := range systems {
		ls, err := s.store.ListLiveSessions(ctx, x.ID, store.Page{Limit: 200})
		if err != nil {
			return 0, nil, err
		}
		n += len(ls)
		for _, l := range ls {
			row, err := s.store.GetLiveSession(ctx, l.ID)
			if err != nil {
				return 0, nil, err
			}
			var st session.State
			if json.Unmarshal(row.State, &st) != nil {
				continue
			}
			if slices.ContainsFunc(st.Members, func(m session.Member) bool { return m.Role == session.Observer }) {
				out = append(out, programme.Activity{Kind: programme.ActObserved, Ref: l.ID, Label: "session “" + l.Title + "” on " + x.ID, At: l.CreatedAt})
			}
		}
	}
	return n, out, nil
}

func (s *Server) teamSystems(ctx context.Context, teamID string) ([]store.System, error) {
	var out []store.System
	for off := 0; ; off += 500 {
		page, total, err := s.store.ListSystems(ctx, teamID, store.Page{Limit: 500, Offset: off})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if off+500 >= total || len(page) == 0 {
			return out, nil
		}
	}
}

// teamProgramme builds a team's programme page.
func (s *Server) teamProgramme(ctx context.Context, p *Principal, teamID string) (teamProgramme, error) {
	if !Allowed(p, Read, teamID) {
		return teamProgramme{}, store.ErrNotFound
	}
	team, err := s.store.GetTeam(ctx, teamID)
	if err != nil {
		return teamProgramme{}, err
	}
	cfg, err := s.programmeConfig(ctx)
	if err != nil {
		return teamProgramme{}, err
	}
	now := s.cfg.Now().UTC()
	e, reviewed, _, err := s.teamEvidence(ctx, teamID, now)
	if err != nil {
		return teamProgramme{}, err
	}
	outside, _, err := s.store.OutsideFindings(ctx, store.OutsideQuery{TeamID: teamID, Page: store.Page{Limit: 100_000}})
	if err != nil {
		return teamProgramme{}, err
	}
	systems, err := s.teamSystems(ctx, teamID)
	if err != nil {
		return teamProgramme{}, err
	}
	v := teamProgramme{Team: team, Phase: e.Phase, Since: e.Since, Mode: programme.ModeOf(e.Phase, cfg.Rules), Rules: cfg.Rules,
		Assessment: programme.Assess(e, cfg.Rules), Activities: e.Activities}
	for _, x := range systems {
		v.Systems = append(v.Systems, x.ID)
	}
	if v.Sessions, _, err = s.observedSessions(ctx, systems); err != nil {
		return v, err
	}
	props, err := s.store.ListProposals(ctx, teamID, "")
	if err != nil {
		return v, err
	}
	for _, pp := range props {
		x := proposalView(pp)
		if pp.State == "open" && v.Open == nil {
			v.Open = &x
		}
		v.Proposals = append(v.Proposals, x)
	}
	evs, err := s.store.PhaseEvents(ctx, teamID)
	if err != nil {
		return v, err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		x := evs[i]
		v.History = append(v.History, phaseEventJSON{Seq: x.Seq, At: x.At, Actor: x.Actor, Kind: x.Kind, From: programme.Phase(x.From), To: programme.Phase(x.To), Note: x.Note, Proposal: x.Proposal})
	}
	var out []programme.Outside
	for _, o := range outside {
		out = append(out, outsideOf(o))
		j := outsideView(o)
		v.Outside = append(v.Outside, j)
		if o.Catch == string(programme.Escaped) {
			v.Escapes = append(v.Escapes, j)
		}
	}
	v.Evidence = programme.EvidenceTable(reviewed, out)
	for _, m := range reviewed {
		r := reviewedJSON{System: m.SystemID, Version: m.Version, Request: m.RequestID, ReviewedAt: m.ReviewedAt,
			Team: map[string]int{}, Security: map[string]int{}, Engine: map[string]int{}}
		for _, t := range m.Threats {
			switch t.FoundBy {
			case programme.ByTeam:
				r.Team[t.Severity]++
			case programme.BySecurityReview:
				r.Security[t.Severity]++
				r.Added = append(r.Added, t)
			case programme.ByTool:
				r.Engine[t.Severity]++
			}
		}
		v.Reviewed = append(v.Reviewed, r)
	}
	// Time from review request to review.
	reqs, _, err := s.store.ListReviews(ctx, store.ReviewQuery{TeamID: teamID, Page: store.Page{Limit: 50}})
	if err != nil {
		return v, err
	}
	var days []float64
	for _, r := range reqs {
		evs, err := s.store.ReviewEvents(ctx, r.ID)
		if err != nil {
			return v, err
		}
		for _, ev := range evs {
			if ev.Action == "start" || ev.Action == "approve" {
				days = append(days, ev.At.Sub(r.CreatedAt).Hours()/24)
				break
			}
		}
	}
	if len(days) > 0 {
		slices.Sort(days)
		v.ReviewDays, v.Reviews = days[len(days)/2], len(days)
	}
	// Share of the models' threats that are fixed.
	for _, x := range systems {
		fs, _, ok, err := s.modelFindings(ctx, x.ID)
		if err != nil {
			return v, err
		}
		if !ok {
			continue
		}
		for _, t := range programme.Attribute(fs) {
			if t.Status == "false_positive" || t.FoundBy == programme.ByTool && t.Status == "unverified" {
				continue
			}
			v.Threats++
			if t.Status == "mitigated" {
				v.Fixed++
			}
		}
	}
	if v.Threats > 0 {
		v.FixedShare = float64(v.Fixed) / float64(v.Threats)
	}
	return v, nil
}

// programmeTeamRow is one team in the programme overview.
type programmeTeamRow struct {
	Team     store.Team           `json:"team"`
	Phase    programme.Phase      `json:"phase"`
	Since    time.Time            `json:"since,omitzero"`
	Advance  *programme.Proposal  `json:"advance,omitempty"`
	StepBack *programme.Proposal  `json:"step_back,omitempty"`
	Open     *proposalJSON        `json:"open_proposal,omitempty"`
	Escapes  int                  `json:"escapes"`
	Reviewed int                  `json:"reviewed_models"`
	Mode     programme.ReviewMode `json:"review_mode"`
}

// programmeOverview lists the teams the principal may read with their
// phase, readiness and open proposal; ready teams first.
func (s *Server) programmeOverview(ctx context.Context, p *Principal) ([]programmeTeamRow, error) {
	cfg, err := s.programmeConfig(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := s.readableTeams(ctx, p)
	if err != nil {
		return nil, err
	}
	open, err := s.store.ListProposals(ctx, "", "open")
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	var out []programmeTeamRow
	for _, t := range teams {
		e, reviewed, _, err := s.teamEvidence(ctx, t.ID, now)
		if err != nil {
			return nil, err
		}
		a := programme.Assess(e, cfg.Rules)
		r := programmeTeamRow{Team: t, Phase: e.Phase, Since: e.Since, Advance: a.Advance, StepBack: a.StepBack, Escapes: len(e.Escapes) + e.OtherEscapes, Reviewed: len(reviewed),
			Mode: programme.ModeOf(e.Phase, cfg.Rules)}
		for _, o := range open {
			if o.TeamID == t.ID {
				x := proposalView(o)
				r.Open = &x
			}
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b programmeTeamRow) int {
		return cmp.Compare(rank(b), rank(a))
	})
	return out, nil
}

func rank(r programmeTeamRow) int {
	switch {
	case r.Open != nil:
		return 3
	case r.StepBack != nil:
		return 2
	case r.Advance != nil && r.Advance.Ready:
		return 1
	}
	return 0
}

// readableTeams lists the teams p may read.
func (s *Server) readableTeams(ctx context.Context, p *Principal) ([]store.Team, error) {
	if !Allowed(p, Read, "") {
		if p.TeamID == "" {
			return nil, nil
		}
		t, err := s.store.GetTeam(ctx, p.TeamID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return []store.Team{t}, err
	}
	var out []store.Team
	for off := 0; ; off += 500 {
		page, total, err := s.store.ListTeams(ctx, store.Page{Limit: 500, Offset: off})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if off+500 >= total || len(page) == 0 {
			return out, nil
		}
	}
}

// listOutside lists outside findings the principal may read.
func (s *Server) listOutside(ctx context.Context, p *Principal, q store.OutsideQuery) ([]outsideJSON, int, error) {
	if q.TeamID == "" && !Allowed(p, Read, "") {
		q.TeamID = p.TeamID
		if q.TeamID == "" {
			return nil, 0, nil
		}
	}
	if q.TeamID != "" && !Allowed(p, Read, q.TeamID) {
		return nil, 0, errorf(403, "forbidden", "you can only read your team's outside findings")
	}
	if q.Catch != "" && !slices.Contains([]programme.Catch{programme.Known, programme.Engine, programme.Escaped, programme.Unlinked}, programme.Catch(q.Catch)) {
		return nil, 0, invalid("catch %q: one of known, engine, escape, unlinked", q.Catch)
	}
	fs, total, err := s.store.OutsideFindings(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]outsideJSON, 0, len(fs))
	for _, f := range fs {
		out = append(out, outsideView(f))
	}
	return out, total, nil
}

// observeInvite is a live session of a team in Observation: security is
// invited to observe it by default.
type observeInvite struct {
	Session string    `json:"session"`
	Title   string    `json:"title"`
	System  string    `json:"system"`
	Team    string    `json:"team"`
	Phase   string    `json:"phase"`
	Created time.Time `json:"created"`
}

// observeInvites lists the running sessions (not closed, opened in the
// last 30 days) of the teams in rows that are in Observation: in
// Observation, sessions invite security as observer by default.
func (s *Server) observeInvites(ctx context.Context, rows []programmeTeamRow) ([]observeInvite, error) {
	var out []observeInvite
	since := s.cfg.Now().AddDate(0, 0, -30)
	for _, r := range rows {
		if r.Phase != programme.Observation {
			continue
		}
		systems, err := s.teamSystems(ctx, r.Team.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range systems {
			ls, err := s.store.ListLiveSessions(ctx, x.ID, store.Page{Limit: 20})
			if err != nil {
				return nil, err
			}
			for _, l := range ls {
				if l.Phase != string(session.Close) && l.CreatedAt.After(since) {
					out = append(out, observeInvite{Session: l.ID, Title: l.Title, System: x.ID, Team: r.Team.ID, Phase: l.Phase, Created: l.CreatedAt})
				}
			}
		}
	}
	return out, nil
}
