package server

// The self-serve programme (docs/programme.md): outside findings imported
// and checked against the models ("would the model have caught it?"),
// team phases moved by a security coach on Ward's proposals, and the
// evidence behind them. The operations here are shared by the JSON API
// (programme_api.go) and the pages (web_programme.go); the rules are in
// package programme.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/notify"
	"github.com/wardtm/ward/internal/programme"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/store"
)

// Settings keys of the programme (stored with the review settings).
const (
	settingRules = "programme.rules"
	settingCosts = "programme.costs"
)

type programmeConfig struct {
	Rules programme.Rules     `json:"rules"`
	Costs programme.CostModel `json:"costs"`
}

func (s *Server) programmeConfig(ctx context.Context) (programmeConfig, error) {
	var c programmeConfig
	raw, err := s.store.ReviewSetting(ctx, settingRules)
	if err != nil {
		return c, err
	}
	if c.Rules, err = programme.ParseRules([]byte(raw)); err != nil {
		return c, fmt.Errorf("stored %s: %w", settingRules, err)
	}
	if raw, err = s.store.ReviewSetting(ctx, settingCosts); err != nil {
		return c, err
	}
	if c.Costs, err = programme.ParseCostModel([]byte(raw)); err != nil {
		return c, fmt.Errorf("stored %s: %w", settingCosts, err)
	}
	return c, nil
}

// setProgrammeConfig replaces the rules and cost model (admin); nil keeps
// what is stored, an empty object restores the defaults.
func (s *Server) setProgrammeConfig(ctx context.Context, p *Principal, rules, costs json.RawMessage) (programmeConfig, error) {
	if err := s.requireP(p, Admin, ""); err != nil {
		return programmeConfig{}, err
	}
	var bad []error
	if rules != nil {
		if _, err := programme.ParseRules(rules); err != nil {
			bad = append(bad, settingsInvalid("rules", err))
		}
	}
	if costs != nil {
		if _, err := programme.ParseCostModel(costs); err != nil {
			bad = append(bad, settingsInvalid("costs", err))
		}
	}
	if len(bad) > 0 {
		return programmeConfig{}, joinInvalid(bad)
	}
	for key, v := range map[string]json.RawMessage{settingRules: rules, settingCosts: costs} {
		if v == nil {
			continue
		}
		val := strings.TrimSpace(string(v))
		if val == "{}" || val == "null" {
			val = ""
		}
		if err := s.store.SetReviewSetting(ctx, key, val, p.Actor()); err != nil {
			return programmeConfig{}, err
		}
	}
	return s.programmeConfig(ctx)
}

// settingsInvalid is a 400 for bad programme settings; its details name
// the field of each problem ("rules.sample_share", "costs.bounty.high"),
// for pages to show each next to its field.
func settingsInvalid(part string, err error) error {
	e := errorf(http.StatusBadRequest, "invalid", "%s: %v", part, err)
	var fe programme.Invalid
	if errors.As(err, &fe) {
		ds := make(programme.Invalid, len(fe))
		for i, f := range fe {
			ds[i] = programme.FieldError{Field: part + "." + f.Field, Msg: f.Msg}
		}
		e.Details = ds
	}
	return e
}

// joinInvalid joins the problems of the rules and of the cost model into
// one 400 (both are checked before anything is stored).
func joinInvalid(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	e := errorf(http.StatusBadRequest, "invalid", "%s; %s", errs[0], errs[1])
	var ds programme.Invalid
	for _, x := range errs {
		var pe *Error
		if errors.As(x, &pe) {
			if d, ok := pe.Details.(programme.Invalid); ok {
				ds = append(ds, d...)
			}
		}
	}
	if len(ds) > 0 {
		e.Details = ds
	}
	return e
}

// modelFindings returns the findings of a system's latest version for the
// programme, and whether the system has one.
func (s *Server) modelFindings(ctx context.Context, systemID string) ([]programme.Finding, store.System, bool, error) {
	x, err := s.store.GetSystem(ctx, systemID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, x, false, nil
	}
	if err != nil || x.Latest == 0 {
		return nil, x, false, err
	}
	v, err := s.store.GetVersion(ctx, systemID, x.Latest)
	if err != nil {
		return nil, x, false, err
	}
	fs, err := resultFindings(v.Result)
	return fs, x, err == nil, err
}

// resultFindings turns a stored analysis into the programme's findings.
func resultFindings(result []byte) ([]programme.Finding, error) {
	var res report.Result
	if err := json.Unmarshal(result, &res); err != nil {
		return nil, fmt.Errorf("stored analysis: %w", err)
	}
	out := make([]programme.Finding, 0, len(res.Findings))
	for _, f := range res.Findings {
		pf := programme.Finding{ID: f.ID, Title: f.Title, Origin: f.Origin, FoundBy: f.FoundBy, Severity: f.Inherent.Severity, Status: f.Status,
			Decided: f.Decision != nil, Categories: f.Categories, CWE: f.CWE()}
		if len(pf.Categories) == 0 && f.Category != "" {
			pf.Categories = []string{f.Category}
		}
		for _, t := range f.Targets {
			pf.Elements = append(pf.Elements, t.ID)
		}
		out = append(out, pf)
	}
	return out, nil
}

// outsideImportInput is an outside-findings file to import.
type outsideImportInput struct {
	// Content is the file's text; Format csv, json or sarif (guessed when
	// empty); File its name, for errors.
	Content string `json:"content"`
	Format  string `json:"format"`
	File    string `json:"file"`
	// Source and System apply to findings that name none.
	Source string `json:"source"`
	System string `json:"system"`
	// Mapping maps Ward's fields to a platform export's columns
	// ("hackerone", "title=Summary,severity=Priority").
	Mapping string `json:"mapping"`
}

// outsideJSON is an outside finding with its catch analysis.
type outsideJSON struct {
	ID       string    `json:"id"`
	Team     string    `json:"team"`
	System   string    `json:"system"`
	Source   string    `json:"source"`
	Ref      string    `json:"ref,omitempty"`
	Title    string    `json:"title"`
	Severity string    `json:"severity"`
	Found    time.Time `json:"found"`
	Element  string    `json:"element,omitempty"`
	Category string    `json:"category,omitempty"`
	CWE      []int     `json:"cwe,omitempty"`
	Threat   string    `json:"threat,omitempty"`
	Cost     float64   `json:"cost,omitempty"`
	Catch    string    `json:"catch"`
	Matched  string    `json:"matched_threat,omitempty"`
	Why      string    `json:"why"`
	Batch    string    `json:"batch"`
}

// CatchLabel is the catch in words.
func (o outsideJSON) CatchLabel() string { return programme.Catch(o.Catch).Label() }

func outsideView(f store.OutsideFinding) outsideJSON {
	return outsideJSON{ID: f.ID, Team: f.TeamID, System: f.SystemID, Source: f.Source, Ref: f.Ref, Title: f.Title, Severity: f.Severity, Found: f.Found,
		Element: f.Element, Category: f.Category, CWE: f.CWE, Threat: f.Threat, Cost: f.Cost, Catch: f.Catch, Matched: f.CatchThreat, Why: f.CatchWhy, Batch: f.Batch}
}

func outsideOf(f store.OutsideFinding) programme.Outside {
	return programme.Outside{ID: f.ID, Source: f.Source, Title: f.Title, Severity: f.Severity, Found: f.Found, SystemID: f.SystemID,
		Element: f.Element, Category: f.Category, CWE: f.CWE, Threat: f.Threat, Cost: f.Cost, Ref: f.Ref}
}

// outsideImportResult is what an import did.
type outsideImportResult struct {
	Batch    string         `json:"batch"`
	Findings int            `json:"findings"`
	New      int            `json:"new"`
	ByCatch  map[string]int `json:"by_catch"`
	Escapes  []outsideJSON  `json:"escapes"`
	Took     string         `json:"took"`
}

// maxOutsideBytes bounds one import's text.
const maxOutsideBytes = 32 << 20

// importOutside parses outside findings, answers "would the model have
// caught it?" for each against its system's latest model, and stores them.
func (s *Server) importOutside(ctx context.Context, p *Principal, in outsideImportInput) (outsideImportResult, error) {
	start := time.Now()
	if err := s.requireP(p, Coach, ""); err != nil {
		return outsideImportResult{}, err
	}
	if len(in.Content) > maxOutsideBytes {
		return outsideImportResult{}, invalid("the file is %d bytes; at most %d: split it", len(in.Content), maxOutsideBytes)
	}
	if strings.TrimSpace(in.Content) == "" {
		return outsideImportResult{}, invalid("content: the file is empty")
	}
	var mapping map[string]string
	if in.Mapping != "" {
		m, err := programme.ParseMapping(in.Mapping)
		if err != nil {
			return outsideImportResult{}, invalid("mapping: %v", err)
		}
		mapping = m
	}
	if in.File == "" {
		in.File = "upload"
	}
	in.File = strings.Map(func(r rune) rune {
		if r < ' ' {
			return -1
		}
		return r
	}, in.File)
	if len(in.File) > 200 {
		in.File = in.File[:200]
	}
	found, err := programme.Parse([]byte(in.Content), programme.ParseOptions{File: in.File, Format: in.Format, Source: in.Source, System: in.System, Mapping: mapping})
	if err != nil {
		var pes programme.ParseErrors
		if errors.As(err, &pes) {
			e := errorf(http.StatusUnprocessableEntity, "invalid_findings", "%s has %s; nothing was imported", in.File, countOf(len(pes), "problem", "problems"))
			details := make([]problemJSON, 0, len(pes))
			for _, p := range pes {
				details = append(details, problemJSON{File: p.File, Line: p.Line, Col: p.Col, Msg: p.Msg})
			}
			e.Details = details
			return outsideImportResult{}, e
		}
		if errors.Is(err, programme.ErrInvalid) {
			return outsideImportResult{}, errorf(http.StatusUnprocessableEntity, "invalid_findings", "%s", err)
		}
		return outsideImportResult{}, err
	}
	type model struct {
		m    *programme.Model // nil: no model stored
		team string
	}
	models := map[string]model{}
	batch := "ob-" + newID(5)
	res := outsideImportResult{Batch: batch, Findings: len(found), ByCatch: map[string]int{}}
	rows := make([]store.OutsideFinding, 0, len(found))
	for i, o := range found {
		m, seen := models[o.SystemID]
		if !seen {
			fs, x, ok, err := s.modelFindings(ctx, o.SystemID)
			if err != nil {
				return outsideImportResult{}, err
			}
			if x.ID == "" {
				return outsideImportResult{}, invalid("finding %d (%s) names system %q, which the server does not have: push its model first, or fix the system", i+1, o.Title, o.SystemID)
			}
			m = model{team: x.TeamID}
			if ok {
				m.m = programme.NewModel(fs)
			}
			models[o.SystemID] = m
		}
		c := m.m.Catch(o)
		if c.Element != "" && o.Element == "" {
			o.Element = c.Element
		}
		if c.Category != "" && o.Category == "" {
			o.Category = c.Category
		}
		rows = append(rows, store.OutsideFinding{ID: "of-" + newID(6), TeamID: m.team, SystemID: o.SystemID, Source: o.Source, Ref: o.Ref, Title: o.Title,
			Severity: o.Severity, Found: o.Found, Element: o.Element, Category: o.Category, CWE: o.CWE, Threat: o.Threat, Cost: o.Cost,
			Catch: string(c.Catch), CatchThreat: c.Threat, CatchWhy: c.Why})
		res.ByCatch[string(c.Catch)]++
	}
	source := in.Source
	if source == "" {
		source = "mixed"
	}
	format := in.Format
	if format == "" {
		format = "guessed"
	}
	if res.New, err = s.store.ImportOutside(ctx, store.ImportBatch{ID: batch, Source: source, File: in.File, Format: format, ImportedBy: p.Actor()}, rows); err != nil {
		return outsideImportResult{}, err
	}
	// The escapes that were new in this import.
	stored, _, err := s.store.OutsideFindings(ctx, store.OutsideQuery{Batch: batch, Catch: string(programme.Escaped), Page: store.Page{Limit: 100_000}})
	if err != nil {
		return outsideImportResult{}, err
	}
	for _, f := range stored {
		res.Escapes = append(res.Escapes, outsideView(f))
	}
	teams := map[string]bool{}
	for _, m := range models {
		teams[m.team] = true
	}
	if err := s.escapesImported(ctx, batch, res.Escapes, teams); err != nil {
		return outsideImportResult{}, err
	}
	res.Took = time.Since(start).Round(time.Millisecond).String()
	return res, nil
}

// escapesImported is where an import with escapes is announced (the
// notification hook: one call per import, with the new escapes) and where
// the affected teams' proposals are brought up to date.
func (s *Server) escapesImported(ctx context.Context, batch string, escapes []outsideJSON, teams map[string]bool) error {
	if len(escapes) > 0 {
		s.log.Info("escapes imported", "batch", batch, "count", len(escapes))
	}
	// One notification per team and import: "n escapes", each listed.
	byTeam := map[string][]outsideJSON{}
	for _, e := range escapes {
		byTeam[e.Team] = append(byTeam[e.Team], e)
	}
	for _, team := range slices.Sorted(maps.Keys(byTeam)) {
		es := byTeam[team]
		var text strings.Builder
		for _, e := range es {
			fmt.Fprintf(&text, "- %s (%s, %s): %s\n", e.Title, e.Severity, e.Source, e.Why)
		}
		title := fmt.Sprintf("%d outside finding no model covered, for team %s", len(es), team)
		if len(es) > 1 {
			title = fmt.Sprintf("%d outside findings no model covered, for team %s", len(es), team)
		}
		s.notifyLogged(ctx, notify.Event{Key: "escape.imported:" + batch + ":" + team, Kind: notify.EscapeImported, Team: team,
			Title: title, Text: strings.TrimSpace(text.String()), URL: "/programme/findings?batch=" + url.QueryEscape(batch),
			Data: map[string]any{"batch": batch, "escapes": len(es)}})
	}
	ids := make([]string, 0, len(teams))
	for t := range teams {
		ids = append(ids, t)
	}
	slices.Sort(ids)
	for _, t := range ids {
		if _, err := s.proposePhase(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// teamEvidence gathers what Ward knows about a team's programme.
func (s *Server) teamEvidence(ctx context.Context, teamID string, now time.Time) (programme.Evidence, []programme.ReviewedModel, []store.OutsideFinding, error) {
	e := programme.Evidence{Phase: programme.Traditional, Now: now}
	ph, err := s.store.TeamPhase(ctx, teamID)
	switch {
	case err == nil:
		e.Phase, _ = programme.ParsePhase(ph.Phase)
		e.Since = ph.Since
	case !errors.Is(err, store.ErrNotFound):
		return e, nil, nil, err
	}
	acts, err := s.store.Activities(ctx, teamID)
	if err != nil {
		return e, nil, nil, err
	}
	for _, a := range acts {
		e.Activities = append(e.Activities, programme.Activity{Kind: a.Kind, Ref: a.Ref, Label: a.Label, At: a.At})
	}
	systems, err := s.teamSystems(ctx, teamID)
	if err != nil {
		return e, nil, nil, err
	}
	_, observed, err := s.observedSessions(ctx, systems)
	if err != nil {
		return e, nil, nil, err
	}
	for _, o := range observed {
		if !slices.ContainsFunc(e.Activities, func(a programme.Activity) bool { return a.Kind == o.Kind && a.Ref == o.Ref }) {
			e.Activities = append(e.Activities, o)
		}
	}
	rms, err := s.store.ReviewedModels(ctx, teamID, 200)
	if err != nil {
		return e, nil, nil, err
	}
	for _, m := range rms {
		var ts []programme.Threat
		if err := json.Unmarshal([]byte(m.Threats), &ts); err != nil {
			return e, nil, nil, fmt.Errorf("reviewed model %s v%d: %w", m.SystemID, m.Version, err)
		}
		e.Reviewed = append(e.Reviewed, programme.ReviewedModel{SystemID: m.SystemID, Version: m.Version, RequestID: m.RequestID, ReviewedAt: m.ReviewedAt, Threats: ts})
	}
	// The rules weigh critical and high escapes only; the others are
	// counted (Evidence.OtherEscapes).
	escapes, _, err := s.store.OutsideFindings(ctx, store.OutsideQuery{TeamID: teamID, Catch: string(programme.Escaped), Severities: []string{"critical", "high"},
		Page: store.Page{Limit: 100_000}})
	if err != nil {
		return e, nil, nil, err
	}
	_, all, err := s.store.OutsideFindings(ctx, store.OutsideQuery{TeamID: teamID, Catch: string(programme.Escaped), Page: store.Page{Limit: 1}})
	if err != nil {
		return e, nil, nil, err
	}
	e.OtherEscapes = all - len(escapes)
	for _, o := range escapes {
		e.Escapes = append(e.Escapes, programme.Escape{ID: o.ID, Title: o.Title, Severity: o.Severity, Found: o.Found, SystemID: o.SystemID})
	}
	return e, e.Reviewed, escapes, nil
}

// proposePhase checks a team's evidence against the rules and stores a
// proposal when the team is ready to move on, or should step back, and
// has no open proposal. It is the one place a phase proposal is made (and
// where a notification of it belongs).
func (s *Server) proposePhase(ctx context.Context, teamID string) (*store.PhaseProposal, error) {
	cfg, err := s.programmeConfig(ctx)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	e, _, _, err := s.teamEvidence(ctx, teamID, now)
	if err != nil {
		return nil, err
	}
	a := programme.Assess(e, cfg.Rules)
	p := a.StepBack
	if p == nil && a.Advance != nil && a.Advance.Ready {
		p = a.Advance
	}
	if p == nil {
		return nil, nil
	}
	open, err := s.store.ListProposals(ctx, teamID, "open")
	if err != nil || len(open) > 0 {
		return nil, err
	}
	evidence, _ := json.Marshal(p)
	pp, err := s.store.CreateProposal(ctx, store.PhaseProposal{ID: "pp-" + newID(5), TeamID: teamID, From: string(p.From), To: string(p.To),
		StepBack: p.StepBack, Summary: p.Summary(), Evidence: string(evidence), CreatedAt: now})
	if errors.Is(err, store.ErrExists) {
		return nil, nil // another request proposed it first
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("phase change proposed", "team", teamID, "from", pp.From, "to", pp.To, "proposal", pp.ID)
	s.notifyLogged(ctx, notify.Event{Key: "phase.proposed:" + pp.ID, Kind: notify.PhaseProposed, Team: teamID,
		Title: fmt.Sprintf("Team %s: a move from %s to %s is proposed", teamID, pp.From, pp.To), Text: pp.Summary,
		URL: "/programme/teams/" + url.PathEscape(teamID), Data: map[string]any{"proposal": pp.ID, "from": pp.From, "to": pp.To, "step_back": pp.StepBack}})
	return &pp, nil
}

// recordReviewed stores an approved model version as programme evidence:
// its threats credited to who found them. Called when a review is
// approved; a failure is logged and does not undo the approval.
func (s *Server) recordReviewed(ctx context.Context, a store.Approval) {
	err := func() error {
		v, err := s.store.GetVersion(ctx, a.SystemID, a.Version)
		if errors.Is(err, store.ErrNotFound) {
			return nil // a design approved before its model was pushed
		}
		if err != nil {
			return err
		}
		fs, err := resultFindings(v.Result)
		if err != nil {
			return err
		}
		threats, _ := json.Marshal(programme.Attribute(fs))
		if err := s.store.RecordReviewedModel(ctx, store.ReviewedModel{TeamID: a.TeamID, SystemID: a.SystemID, Version: a.Version, RequestID: a.RequestID,
			ReviewedAt: a.ApprovedAt, Threats: string(threats)}); err != nil {
			return err
		}
		_, err = s.proposePhase(ctx, a.TeamID)
		return err
	}()
	if err != nil {
		s.log.Warn("programme: recording the reviewed model", "system", a.SystemID, "version", a.Version, "err", err)
	}
}

// reviewStateForPhase applies the team's phase to a new review request:
// a Review team's design always waits for security's review of the
// artefacts before approval (never self-serve, whatever its triage tier);
// a Security-optional team's design is self-serve unless it is in the
// sample security still reviews (highest risk first). It returns the
// state and a note saying why, or the state unchanged.
func (s *Server) reviewStateForPhase(ctx context.Context, teamID, state string, score int) (string, string) {
	ph, err := s.store.TeamPhase(ctx, teamID)
	if err == nil && ph.Phase == string(programme.Review) && state == "self_serve" {
		return "requested", "team in the Review phase: security reviews the artefacts before approval"
	}
	if err != nil || ph.Phase != string(programme.SecurityOptional) || state == "self_serve" {
		return state, ""
	}
	cfg, err := s.programmeConfig(ctx)
	if err != nil {
		s.log.Warn("programme: review sampling", "err", err)
		return state, ""
	}
	recent, _, err := s.store.ListReviews(ctx, store.ReviewQuery{TeamID: teamID, Page: store.Page{Limit: 20}})
	if err != nil {
		s.log.Warn("programme: review sampling", "err", err)
		return state, ""
	}
	var scores []int
	for _, r := range recent {
		scores = append(scores, r.Score)
	}
	sampled, why := programme.Sample(score, scores, cfg.Rules.SampleShare)
	if sampled {
		return state, why
	}
	return "self_serve", why
}

// teamPhaseInput sets a team's phase directly (a coach's decision).
type teamPhaseInput struct {
	Phase string `json:"phase"`
	Note  string `json:"note"`
}

func cleanNote(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("note: say why (it is kept in the team's history)")
	}
	if len(s) > 4000 {
		return "", invalid("note: at most 4000 characters")
	}
	return s, nil
}

func (s *Server) setTeamPhase(ctx context.Context, p *Principal, teamID string, in teamPhaseInput) (teamProgramme, error) {
	if err := s.requireP(p, Coach, teamID); err != nil {
		return teamProgramme{}, err
	}
	if _, err := s.store.GetTeam(ctx, teamID); err != nil {
		return teamProgramme{}, err
	}
	to, ok := programme.ParsePhase(in.Phase)
	if !ok {
		return teamProgramme{}, invalid("phase %q: one of %v", in.Phase, programme.Phases)
	}
	note, err := cleanNote(in.Note)
	if err != nil {
		return teamProgramme{}, err
	}
	from := string(programme.Traditional)
	if ph, err := s.store.TeamPhase(ctx, teamID); err == nil {
		from = ph.Phase
	} else if !errors.Is(err, store.ErrNotFound) {
		return teamProgramme{}, err
	}
	now := s.cfg.Now().UTC()
	if err := s.store.SetTeamPhase(ctx, store.TeamPhase{TeamID: teamID, Phase: string(to), Since: now, UpdatedBy: p.display()},
		store.PhaseEvent{At: now, Actor: p.display(), Kind: "set", From: from, To: string(to), Note: note}); err != nil {
		return teamProgramme{}, err
	}
	// An open proposal from the old phase no longer applies.
	open, err := s.store.ListProposals(ctx, teamID, "open")
	if err != nil {
		return teamProgramme{}, err
	}
	for _, o := range open {
		if _, err := s.store.DecideProposal(ctx, o.ID, false, p.display(), "superseded: the phase was set to "+string(to), now); err != nil && !errors.Is(err, store.ErrConflict) {
			return teamProgramme{}, err
		}
	}
	if _, err := s.proposePhase(ctx, teamID); err != nil {
		return teamProgramme{}, err
	}
	return s.teamProgramme(ctx, p, teamID)
}

// proposalDecisionInput confirms or dismisses a proposal.
type proposalDecisionInput struct {
	Confirm bool   `json:"confirm"`
	Note    string `json:"note"`
}

func (s *Server) decideProposal(ctx context.Context, p *Principal, id string, in proposalDecisionInput) (store.PhaseProposal, error) {
	pp, err := s.store.GetProposal(ctx, id)
	if err != nil {
		return pp, err
	}
	if !Allowed(p, Read, pp.TeamID) {
		return pp, store.ErrNotFound
	}
	if err := s.requireP(p, Coach, pp.TeamID); err != nil {
		return pp, err
	}
	note, err := cleanNote(in.Note)
	if err != nil {
		return pp, err
	}
	out, err := s.store.DecideProposal(ctx, id, in.Confirm, p.display(), note, s.cfg.Now().UTC())
	if errors.Is(err, store.ErrConflict) {
		return out, errorf(http.StatusConflict, "proposal_decided", "%v", err)
	}
	return out, err
}

// problemJSON is a problem of an imported file, at file:line:col.
type problemJSON struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col,omitempty"`
	Msg  string `json:"message"`
}

func (p problemJSON) String() string {
	if p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}

func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// RecordTrainingDone records that a team completed a training exercise
// (programme evidence for Training → Observation) and brings the team's
// proposal up to date. It is the entry point for the training exercises
// (package training) once a run's results are in.
func (s *Server) RecordTrainingDone(ctx context.Context, teamID, ref, label string, at time.Time) error {
	if err := s.store.RecordActivity(ctx, store.ProgrammeActivity{TeamID: teamID, Kind: programme.ActTraining, Ref: ref, Label: label, At: at}); err != nil {
		return err
	}
	_, err := s.proposePhase(ctx, teamID)
	return err
}
