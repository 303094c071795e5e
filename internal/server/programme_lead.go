package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/wardtm/ward/internal/programme"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/review"
	"github.com/wardtm/ward/internal/store"
)

// leadership is leadership's view of the organisation: risk at the micro
// and macro level, its trend, the programme's progress and the cost view.
type leadership struct {
	Generated time.Time `json:"generated"`
	// Risk: open threats by team × asset class × severity.
	Risk     []leadRiskRow    `json:"risk"`
	Classes  []string         `json:"asset_classes"`
	OpenRisk map[string]int   `json:"open_risk"`
	TopRisks []topRisk        `json:"top_risks"`
	Trend    []snapshotPoint  `json:"trend"`
	Expiring []expiringAccept `json:"expiring_acceptances"`
	Unreview []systemStatus   `json:"systems_without_current_review"`
	Systems  int              `json:"systems"`
	// Programme progress.
	Phases    []phaseCount `json:"phases"`
	Teams     int          `json:"teams"`
	LeadShare float64      `json:"teams_lead_analysis_share"`
	// BSIMM is the industry share for comparison, with its source.
	BSIMM       float64              `json:"bsimm_share"`
	BSIMMSource string               `json:"bsimm_source"`
	Ready       []programmeTeamRow   `json:"ready_teams"`
	Costs       programme.CostView   `json:"costs"`
	Figures     []namedFigure        `json:"figures"`
	Graduation  []programme.TrendRow `json:"graduation_trend"`
	Outside     int                  `json:"outside_findings"`
	Escapes     int                  `json:"escapes"`
	ByCatch     map[string]int       `json:"outside_by_catch"`
	PhaseOrder  []programme.Phase    `json:"-"`
	SeverityCol []string             `json:"-"`
}

type leadRiskRow struct {
	Team    string                    `json:"team"`
	ByClass map[string]map[string]int `json:"by_class"`
	Total   map[string]int            `json:"total"`
}

// Count returns a cell of the row.
func (r leadRiskRow) Count(class, sev string) int { return r.ByClass[class][sev] }

type topRisk struct {
	System   string `json:"system"`
	Team     string `json:"team"`
	ID       string `json:"id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	Score    int    `json:"score"`
	Owner    string `json:"owner,omitempty"`
}

type expiringAccept struct {
	System  string `json:"system"`
	Team    string `json:"team"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	Expires string `json:"expires"`
	Owner   string `json:"owner,omitempty"`
}

type systemStatus struct {
	System string `json:"system"`
	Team   string `json:"team"`
	Status string `json:"status"`
	Text   string `json:"text"`
}

type phaseCount struct {
	Phase programme.Phase `json:"phase"`
	Label string          `json:"label"`
	Teams int             `json:"teams"`
}

type namedFigure struct {
	Name   string           `json:"name"`
	Figure programme.Figure `json:"figure"`
}

// snapshotPoint is one week of the organisation's trend.
type snapshotPoint struct {
	Week string         `json:"week"`
	Open map[string]int `json:"open"`
	// Outside and Escapes are the outside findings and escapes found in
	// the week.
	Outside int `json:"outside"`
	Escapes int `json:"escapes"`
}

// snapshotData is what a weekly snapshot keeps per team.
type snapshotData struct {
	Open    map[string]int `json:"open"`
	Phase   string         `json:"phase"`
	Outside int            `json:"outside"`
	Escapes int            `json:"escapes"`
}

// bsimmAA31 is BSIMM16's share of firms whose engineering teams lead
// architecture analysis (AA3.1).
const (
	bsimmAA31       = 0.15
	bsimmAA31Source = "BSIMM16 (111 firms), activity AA3.1: engineering teams lead architecture analysis at about 15 % of firms"
)

// isoWeek names a date's ISO week ("2026-W49").
func isoWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// leadershipView builds the leadership view (organisation-wide readers).
func (s *Server) leadershipView(ctx context.Context, p *Principal) (leadership, error) {
	if err := s.requireP(p, Read, ""); err != nil {
		return leadership{}, err
	}
	cfg, err := s.programmeConfig(ctx)
	if err != nil {
		return leadership{}, err
	}
	now := s.cfg.Now().UTC()
	v := leadership{Generated: now, BSIMM: bsimmAA31, BSIMMSource: bsimmAA31Source, ByCatch: map[string]int{}, OpenRisk: map[string]int{},
		PhaseOrder: programme.Phases, SeverityCol: []string{"critical", "high", "medium", "low"}}
	teams, err := s.readableTeams(ctx, p)
	if err != nil {
		return v, err
	}
	v.Teams = len(teams)

	// Risk by team × asset class × severity, and the top risks.
	rows := map[string]*leadRiskRow{}
	classes := map[string]bool{}
	for off := 0; off < 20_000; off += 500 {
		fs, total, err := s.store.Findings(ctx, store.FindingQuery{Status: "open", MinSeverity: "low", Page: store.Page{Limit: 500, Offset: off}})
		if err != nil {
			return v, err
		}
		for _, f := range fs {
			class := "no sensitive data"
			if len(f.DataKinds) > 0 {
				class = f.DataKinds[0]
			}
			classes[class] = true
			r := rows[f.TeamID]
			if r == nil {
				r = &leadRiskRow{Team: f.TeamID, ByClass: map[string]map[string]int{}, Total: map[string]int{}}
				rows[f.TeamID] = r
			}
			if r.ByClass[class] == nil {
				r.ByClass[class] = map[string]int{}
			}
			r.ByClass[class][f.Severity]++
			r.Total[f.Severity]++
			v.OpenRisk[f.Severity]++
			if len(v.TopRisks) < 10 && programme.SevRank(f.Severity) >= programme.SevRank("high") {
				v.TopRisks = append(v.TopRisks, topRisk{System: f.SystemID, Team: f.TeamID, ID: f.ID, Title: f.Title, Severity: f.Severity, Score: f.Score, Owner: f.Owner})
			}
		}
		if off+500 >= total || len(fs) == 0 {
			break
		}
	}
	for c := range classes {
		v.Classes = append(v.Classes, c)
	}
	slices.Sort(v.Classes)
	for _, t := range teams {
		if r := rows[t.ID]; r != nil {
			v.Risk = append(v.Risk, *r)
		}
	}

	// Systems: expiring acceptances, review status, threats fixed at
	// design time (for the cost view).
	var fixed []programme.Threat
	soon := now.AddDate(0, 0, 60).Format(time.DateOnly)
	rcfg, err := s.reviewConfig(ctx)
	if err != nil {
		return v, err
	}
	for _, t := range teams {
		systems, err := s.teamSystems(ctx, t.ID)
		if err != nil {
			return v, err
		}
		for _, x := range systems {
			v.Systems++
			b, err := s.badgeWith(ctx, x.ID, rcfg.Settings, nil)
			if err != nil {
				return v, err
			}
			if b.Status == review.BadgeNone || b.Status == review.BadgeStale {
				v.Unreview = append(v.Unreview, systemStatus{System: x.ID, Team: t.ID, Status: b.Status.Label(), Text: b.Text})
			}
			if x.Latest == 0 {
				continue
			}
			ver, err := s.store.GetVersion(ctx, x.ID, x.Latest)
			if err != nil {
				return v, err
			}
			var res report.Result
			if err := json.Unmarshal(ver.Result, &res); err != nil {
				return v, fmt.Errorf("system %s: stored analysis: %w", x.ID, err)
			}
			for _, f := range res.Findings {
				if f.Decision != nil && f.Decision.Status == "accepted" && f.Decision.Expires != "" && f.Decision.Expires <= soon {
					v.Expiring = append(v.Expiring, expiringAccept{System: x.ID, Team: t.ID, ID: f.ID, Title: f.Title, Expires: f.Decision.Expires, Owner: f.Decision.Owner})
				}
			}
			fs, err := resultFindings(ver.Result)
			if err != nil {
				return v, err
			}
			fixed = append(fixed, programme.Attribute(fs)...)
		}
	}
	slices.SortFunc(v.Expiring, func(a, b expiringAccept) int { return compareStr(a.Expires, b.Expires) })

	// Programme progress and the graduation trend.
	phases, err := s.store.ListTeamPhases(ctx)
	if err != nil {
		return v, err
	}
	phaseOf := map[string]programme.Phase{}
	for _, ph := range phases {
		phaseOf[ph.TeamID] = programme.Phase(ph.Phase)
	}
	counts := map[programme.Phase]int{}
	lead := 0
	moves := map[string][]programme.Move{}
	outsideBy := map[string][]programme.Outside{}
	var allOutside []programme.Outside
	overview, err := s.programmeOverview(ctx, p)
	if err != nil {
		return v, err
	}
	for _, r := range overview {
		if r.Open != nil || r.StepBack != nil || r.Advance != nil && r.Advance.Ready {
			v.Ready = append(v.Ready, r)
		}
	}
	first := now.AddDate(-1, 0, 0)
	for _, t := range teams {
		ph := phaseOf[t.ID]
		if ph == "" {
			ph = programme.Traditional
		}
		counts[ph]++
		if ph.LeadsAnalysis() {
			lead++
		}
		evs, err := s.store.PhaseEvents(ctx, t.ID)
		if err != nil {
			return v, err
		}
		moves[t.ID] = nil
		for _, e := range evs {
			if e.Kind == "set" || e.Kind == "confirmed" {
				moves[t.ID] = append(moves[t.ID], programme.Move{To: programme.Phase(e.To), At: e.At})
			}
		}
		os, _, err := s.store.OutsideFindings(ctx, store.OutsideQuery{TeamID: t.ID, Page: store.Page{Limit: 100_000}})
		if err != nil {
			return v, err
		}
		for _, o := range os {
			po := outsideOf(o)
			outsideBy[t.ID] = append(outsideBy[t.ID], po)
			allOutside = append(allOutside, po)
			v.ByCatch[o.Catch]++
			if o.Catch == string(programme.Escaped) {
				v.Escapes++
			}
			if o.Found.Before(first) {
				first = o.Found
			}
		}
	}
	v.Outside = len(allOutside)
	for _, ph := range programme.Phases {
		v.Phases = append(v.Phases, phaseCount{Phase: ph, Label: ph.Label(), Teams: counts[ph]})
	}
	if v.Teams > 0 {
		v.LeadShare = float64(lead) / float64(v.Teams)
	}
	v.Graduation = programme.GraduationTrend(moves, outsideBy, now.AddDate(-1, 0, 0), now)

	// Costs, every figure a range with its sources.
	v.Costs = programme.Costs(cfg.Costs, fixed, allOutside)
	c := cfg.Costs
	v.Figures = []namedFigure{{"Production fix multiplier", c.ProductionMultiplier}, {"Design-time fix", c.DesignFixHours}, {"Engineer rate", c.EngineerRate},
		{"Pen-test day rate", c.PenTestDayRate}, {"Pen-test days per finding", c.PenTestDaysPerFinding}}
	for _, sev := range programme.Severities {
		if f, ok := c.Bounty[sev]; ok {
			v.Figures = append(v.Figures, namedFigure{"Bug bounty, " + sev, f})
		}
	}
	v.Figures = append(v.Figures, namedFigure{"Data breach (context only)", c.Breach})

	// The trend: weekly snapshots, this week's taken now when missing.
	if err := s.snapshotWeek(ctx, now, teams, rows, phaseOf, outsideBy); err != nil {
		return v, err
	}
	snaps, err := s.store.Snapshots(ctx, "", isoWeek(now.AddDate(-1, 0, -7)))
	if err != nil {
		return v, err
	}
	readable := map[string]bool{}
	for _, t := range teams {
		readable[t.ID] = true
	}
	byWeek := map[string]*snapshotPoint{}
	for _, sn := range snaps {
		if !readable[sn.TeamID] {
			continue
		}
		var d snapshotData
		if json.Unmarshal([]byte(sn.Data), &d) != nil {
			continue
		}
		pt := byWeek[sn.Week]
		if pt == nil {
			pt = &snapshotPoint{Week: sn.Week, Open: map[string]int{}}
			byWeek[sn.Week] = pt
			v.Trend = append(v.Trend, snapshotPoint{Week: sn.Week})
		}
		for k, n := range d.Open {
			pt.Open[k] += n
		}
		pt.Outside += d.Outside
		pt.Escapes += d.Escapes
	}
	for i := range v.Trend {
		v.Trend[i] = *byWeek[v.Trend[i].Week]
	}
	return v, nil
}

// snapshotWeek stores this week's snapshot of each team that has none yet.
func (s *Server) snapshotWeek(ctx context.Context, now time.Time, teams []store.Team, rows map[string]*leadRiskRow, phaseOf map[string]programme.Phase, outside map[string][]programme.Outside) error {
	week := isoWeek(now)
	have, err := s.store.Snapshots(ctx, "", week)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, h := range have {
		if h.Week == week {
			done[h.TeamID] = true
		}
	}
	start := now.AddDate(0, 0, -7)
	for _, t := range teams {
		if done[t.ID] {
			continue
		}
		d := snapshotData{Open: map[string]int{}, Phase: string(phaseOf[t.ID])}
		if r := rows[t.ID]; r != nil {
			d.Open = r.Total
		}
		for _, o := range outside[t.ID] {
			if o.Found.After(start) {
				d.Outside++
			}
		}
		data, _ := json.Marshal(d)
		if err := s.store.PutSnapshot(ctx, store.RiskSnapshot{Week: week, TeamID: t.ID, Data: string(data), At: now}); err != nil {
			return err
		}
	}
	return nil
}

func compareStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// writeLeadershipCSV writes the leadership view as one CSV table: a
// section column, then what the row is about and its figures. Money rows
// carry low, central and high and their sources, never one number.
func writeLeadershipCSV(w io.Writer, v leadership) error {
	cw := csv.NewWriter(w)
	row := func(xs ...string) { _ = cw.Write(xs) }
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 0, 64) }
	row("section", "team", "item", "severity", "count", "low", "central", "high", "currency", "source")
	for _, r := range v.Risk {
		for _, c := range v.Classes {
			for _, sev := range v.SeverityCol {
				if n := r.Count(c, sev); n > 0 {
					row("open_risk", r.Team, c, sev, strconv.Itoa(n), "", "", "", "", "")
				}
			}
		}
	}
	for _, t := range v.TopRisks {
		row("top_risk", t.Team, t.System+"/"+t.ID+": "+t.Title, t.Severity, "1", "", "", "", "", "")
	}
	for _, p := range v.Phases {
		row("phase", "", p.Label, "", strconv.Itoa(p.Teams), "", "", "", "", "")
	}
	row("programme", "", "share of teams leading their own analysis", "", "", fmt.Sprintf("%.2f", v.LeadShare), "", "", "", "Ward phases Observation and later")
	row("programme", "", "industry share (BSIMM16 AA3.1)", "", "", fmt.Sprintf("%.2f", v.BSIMM), "", "", "", v.BSIMMSource)
	money := func(item string, n int, r programme.Range) {
		src := ""
		for i, s := range r.Sources {
			if i > 0 {
				src += " | "
			}
			src += s
		}
		if r.Missing != "" {
			src += " | missing: " + r.Missing
		}
		row("cost", "", item, "", strconv.Itoa(n), f(r.Low), f(r.Central), f(r.High), r.Currency, src)
	}
	money("avoided vs fixing in production", v.Costs.DesignFixed, v.Costs.AvoidedProduction)
	money("avoided vs an outside finding of the same severity", v.Costs.DesignFixed, v.Costs.AvoidedOutside)
	money("outside findings cost", v.Outside, v.Costs.OutsideSpent)
	for _, l := range v.Costs.OutsideLines {
		money("outside: "+l.What, l.Count, l.Range)
	}
	for _, t := range v.Trend {
		row("trend", "", t.Week, "critical", strconv.Itoa(t.Open["critical"]), "", "", "", "", "")
		row("trend", "", t.Week, "high", strconv.Itoa(t.Open["high"]), "", "", "", "", "")
	}
	cw.Flush()
	return cw.Error()
}
