package programme

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// ReviewMode is how design reviews work for a team in its phase.
type ReviewMode struct {
	// InviteObserver: sessions invite security as observer by default.
	InviteObserver bool `json:"invite_observer"`
	// SecurityBuilds: security builds the model (Traditional, Training).
	SecurityBuilds bool `json:"security_builds"`
	// ApprovalNeedsReview: approval needs security's review of the artefacts.
	ApprovalNeedsReview bool `json:"approval_needs_review"`
	// Sampled: review is optional; security reviews a share of the
	// models, highest risk first.
	Sampled     bool    `json:"sampled"`
	SampleShare float64 `json:"sample_share,omitempty"`
	Text        string  `json:"text"`
}

// ModeOf returns how reviews work in phase p.
func ModeOf(p Phase, r Rules) ReviewMode {
	switch p {
	case Observation:
		return ReviewMode{InviteObserver: true, ApprovalNeedsReview: true,
			Text: "the team leads its sessions; security is invited as observer by default and guides; approval needs security's review"}
	case Review:
		return ReviewMode{ApprovalNeedsReview: true, Text: "the team models on its own; approval needs security's review of the artefacts"}
	case SecurityOptional:
		return ReviewMode{Sampled: true, SampleShare: r.SampleShare,
			Text: fmt.Sprintf("review is optional: security reviews %.0f %% of the team's designs, highest risk first; the others are self-serve", r.SampleShare*100)}
	}
	return ReviewMode{SecurityBuilds: true, ApprovalNeedsReview: true, Text: "security builds the model with the team and reviews it"}
}

// Sample decides whether a Security-optional team's design with triage
// score is among the share security still reviews: its score ranks within
// the top share of the team's recent scores (itself included), rounded
// up, so the riskiest designs are always sampled. It returns the decision
// and the reason in words.
func Sample(score int, recent []int, share float64) (bool, string) {
	all := append(slices.Clone(recent), score)
	slices.SortFunc(all, func(a, b int) int { return b - a })
	keep := int(math.Ceil(share * float64(len(all))))
	if keep == 0 {
		return false, "the sample share is 0 %: self-serve"
	}
	cut := all[keep-1]
	if score >= cut {
		return true, fmt.Sprintf("sampled for security review: priority %d is in the top %.0f %% of the team's last %d designs (cut-off %d)", score, share*100, len(all), cut)
	}
	return false, fmt.Sprintf("self-serve (Security-optional team): priority %d is below the top %.0f %% of the team's last %d designs (cut-off %d)", score, share*100, len(all), cut)
}

// TrendRow is one quarter of the graduation trend: outside findings per
// team in each phase.
type TrendRow struct {
	Quarter string `json:"quarter"`
	// Teams and Findings per phase: how many teams were in the phase at
	// the quarter's end and how many outside findings they had in it.
	Teams    map[Phase]int `json:"teams"`
	Findings map[Phase]int `json:"findings"`
}

// PerTeam is the phase's outside findings per team in the quarter, and
// whether any team was in it.
func (r TrendRow) PerTeam(p Phase) (float64, bool) {
	if r.Teams[p] == 0 {
		return 0, false
	}
	return float64(r.Findings[p]) / float64(r.Teams[p]), true
}

// GraduationTrend counts, per quarter (oldest first, from..to), the
// outside findings of teams by the phase each team was in when the
// finding was made — the trend leadership wants to see fall as teams
// graduate.
func GraduationTrend(moves map[string][]Move, outside map[string][]Outside, from, to time.Time) []TrendRow {
	var out []TrendRow
	teams := make([]string, 0, len(moves))
	for t := range moves {
		teams = append(teams, t)
	}
	for t := range outside {
		if _, ok := moves[t]; !ok {
			teams = append(teams, t)
		}
	}
	slices.Sort(teams)
	start := time.Date(from.Year(), time.Month((int(from.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	for q := start; !q.After(to); q = q.AddDate(0, 3, 0) {
		end := q.AddDate(0, 3, 0)
		row := TrendRow{Quarter: Quarter(q), Teams: map[Phase]int{}, Findings: map[Phase]int{}}
		for _, t := range teams {
			row.Teams[PhaseAt(moves[t], minTime(end.Add(-time.Nanosecond), to))]++
			for _, o := range outside[t] {
				if !o.Found.Before(q) && o.Found.Before(end) {
					row.Findings[PhaseAt(moves[t], o.Found)]++
				}
			}
		}
		out = append(out, row)
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
