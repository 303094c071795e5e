package programme

import (
	"fmt"
	"slices"
	"time"
)

// Quarter names a date's quarter ("2026-Q3").
func Quarter(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// QuarterRow is one quarter of a team's evidence table: threats by who
// found them and severity.
type QuarterRow struct {
	Quarter string `json:"quarter"`
	Tally   Tally  `json:"counts"`
}

// EvidenceTable counts, per quarter, the threats of a team's reviewed
// models by who found them × severity — each threat once, in the quarter
// of the first reviewed model that had it — and the outside findings by
// their source in the quarter they were found. Newest quarter first.
func EvidenceTable(reviewed []ReviewedModel, outside []Outside) []QuarterRow {
	ms := slices.Clone(reviewed)
	slices.SortStableFunc(ms, func(a, b ReviewedModel) int { return a.ReviewedAt.Compare(b.ReviewedAt) })
	rows := map[string]Tally{}
	tally := func(q string) Tally {
		if rows[q] == nil {
			rows[q] = Tally{}
		}
		return rows[q]
	}
	seen := map[string]bool{}
	for _, m := range ms {
		for _, t := range m.Threats {
			k := m.SystemID + "\x00" + t.ID
			if seen[k] {
				continue
			}
			seen[k] = true
			tally(Quarter(m.ReviewedAt)).Add(t.FoundBy, t.Severity)
		}
	}
	for _, o := range outside {
		tally(Quarter(o.Found)).Add(o.Source, o.Severity)
	}
	out := make([]QuarterRow, 0, len(rows))
	for q, t := range rows {
		out = append(out, QuarterRow{Quarter: q, Tally: t})
	}
	slices.SortFunc(out, func(a, b QuarterRow) int {
		if a.Quarter > b.Quarter {
			return -1
		}
		if a.Quarter < b.Quarter {
			return 1
		}
		return 0
	})
	return out
}

// PhaseAt returns the phase a team was in at t, from its history of moves
// (each with the time it took effect), starting from Traditional.
func PhaseAt(moves []Move, t time.Time) Phase {
	p := Traditional
	for _, m := range moves {
		if !m.At.After(t) {
			p = m.To
		}
	}
	return p
}

// Move is a phase change that took effect.
type Move struct {
	To Phase     `json:"to"`
	At time.Time `json:"at"`
}

// CostLine is one line of the cost view.
type CostLine struct {
	What  string `json:"what"`
	Count int    `json:"count"`
	Range Range  `json:"range"`
}

// CostView is leadership's view in cost terms: what design-time fixes
// avoided and what outside findings cost, every figure a range with its
// sources.
type CostView struct {
	Currency string `json:"currency"`
	// DesignFixed counts closed threats found at design time.
	DesignFixed int `json:"design_fixed"`
	// AvoidedProduction: what fixing them in production would have cost
	// more.
	AvoidedProduction Range `json:"avoided_vs_production"`
	// AvoidedOutside: what the same threats would have cost as bug-bounty
	// findings of their severity.
	AvoidedOutside Range      `json:"avoided_vs_outside"`
	BySeverity     []CostLine `json:"by_severity"`
	// OutsideSpent: what outside findings cost (their recorded cost, or an
	// estimate by source and severity when none was recorded).
	OutsideSpent Range      `json:"outside_spent"`
	OutsideLines []CostLine `json:"outside"`
	// Recorded is the sum of recorded outside costs alone.
	Recorded float64 `json:"recorded"`
}

// Costs computes the cost view from the threats fixed at design time
// (closed threats of the models, whoever in the model found them) and the
// outside findings.
func Costs(m CostModel, fixed []Threat, outside []Outside) CostView {
	v := CostView{Currency: m.Currency}
	observed := map[string][]float64{} // source/severity → recorded costs
	for _, o := range outside {
		if o.Cost > 0 {
			observed[o.Source+"/"+o.Severity] = append(observed[o.Source+"/"+o.Severity], o.Cost)
		}
	}
	per := map[string]int{}
	for _, t := range fixed {
		if t.Closed() && t.FoundBy != ByPenTest && t.FoundBy != ByBugBounty && t.FoundBy != ByIncident {
			per[t.Severity]++
			v.DesignFixed++
		}
	}
	avoid := m.AvoidedVsProduction()
	v.AvoidedProduction = Range{Currency: m.Currency, How: avoid.How}
	v.AvoidedOutside = Range{Currency: m.Currency, How: "bug-bounty figure for each threat's severity"}
	for _, sev := range Severities {
		n := per[sev]
		if n == 0 {
			continue
		}
		line := scale(avoid, n)
		v.AvoidedProduction = v.AvoidedProduction.Add(line)
		out := scale(m.OutsideCost(ByBugBounty, sev, observed[ByBugBounty+"/"+sev]), n)
		v.AvoidedOutside = v.AvoidedOutside.Add(out)
		v.BySeverity = append(v.BySeverity, CostLine{What: sev, Count: n, Range: out})
	}
	v.OutsideSpent = Range{Currency: m.Currency, How: "recorded cost, or the estimate for its source and severity"}
	type key struct{ src, sev string }
	lines := map[key]*CostLine{}
	var order []key
	for _, o := range outside {
		k := key{o.Source, o.Severity}
		if lines[k] == nil {
			lines[k] = &CostLine{What: SourceLabel(o.Source) + ", " + o.Severity, Range: Range{Currency: m.Currency}}
			order = append(order, k)
		}
		l := lines[k]
		l.Count++
		var r Range
		if o.Cost > 0 {
			v.Recorded += o.Cost
			r = Range{Low: o.Cost, Central: o.Cost, High: o.Cost, Currency: m.Currency, Sources: []string{"recorded on import"}}
		} else {
			r = m.OutsideCost(o.Source, o.Severity, observed[o.Source+"/"+o.Severity])
		}
		l.Range = l.Range.Add(r)
		v.OutsideSpent = v.OutsideSpent.Add(r)
	}
	slices.SortFunc(order, func(a, b key) int {
		if a.src != b.src {
			return slices.Index(OutsideSources, a.src) - slices.Index(OutsideSources, b.src)
		}
		return SevRank(b.sev) - SevRank(a.sev)
	})
	for _, k := range order {
		v.OutsideLines = append(v.OutsideLines, *lines[k])
	}
	return v
}

func scale(r Range, n int) Range {
	f := float64(n)
	r.Low, r.Central, r.High = r.Low*f, r.Central*f, r.High*f
	return r
}
