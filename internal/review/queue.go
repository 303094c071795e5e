package review

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Rank returns the open requests of rs ranked by risk priority, not by
// arrival: highest triage score first; among equal scores the earlier due
// date, then the older request, then the id.
func Rank(rs []Request) []Request {
	out := make([]Request, 0, len(rs))
	for _, r := range rs {
		if r.State.Open() {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Request) int {
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			a.Due.Compare(b.Due),
			a.Created.Compare(b.Created),
			cmp.Compare(a.ID, b.ID),
		)
	})
	return out
}

// Hours are the hours a security engineer has for reviews in a week.
type Hours struct {
	Engineer string  `json:"engineer"`
	Hours    float64 `json:"hours"`
}

// Slot is one ranked request in the week's plan.
type Slot struct {
	Request Request
	// Estimate is the hours the review is expected to take.
	Estimate float64
	// Fits reports whether the hours entered cover the review this week.
	Fits bool
	// Engineer is who does it: the assignee, or for an unassigned review
	// that fits, the engineer with the most hours left (a suggestion).
	Engineer string
	// Why says why the review fits or waits.
	Why string
}

// Plan is the week's capacity plan over the ranked queue.
type Plan struct {
	Slots []Slot
	// Capacity is the hours entered; Planned the hours of the reviews that
	// fit; Waiting counts the reviews that wait.
	Capacity, Planned float64
	Waiting           int
	// Left is each engineer's hours left after the plan, by name.
	Left []Hours
}

// PlanWeek walks the ranked queue in priority order and books each
// review's estimate on its assignee's hours, or, when unassigned, on the
// engineer with the most hours left. A review that does not fit waits; a
// smaller, lower-ranked review may still fit in the hours left after it.
func PlanWeek(ranked []Request, hours []Hours, s Settings) Plan {
	left := map[string]float64{}
	var names []string
	p := Plan{}
	for _, h := range hours {
		if h.Hours <= 0 {
			continue
		}
		if _, ok := left[h.Engineer]; !ok {
			names = append(names, h.Engineer)
		}
		left[h.Engineer] += h.Hours
		p.Capacity += h.Hours
	}
	slices.Sort(names)
	for _, r := range ranked {
		sl := Slot{Request: r, Estimate: s.Estimate(r.Tier)}
		if r.Assignee != "" {
			sl.Engineer = r.Assignee
			h, ok := left[r.Assignee]
			switch {
			case !ok:
				sl.Why = r.Assignee + " entered no hours this week"
			case h >= sl.Estimate:
				sl.Fits = true
				left[r.Assignee] -= sl.Estimate
				sl.Why = fmt.Sprintf("%s has the hours (%s left after it)", r.Assignee, fmtHours(left[r.Assignee]))
			default:
				sl.Why = fmt.Sprintf("%s has %s left; it needs %s", r.Assignee, fmtHours(h), fmtHours(sl.Estimate))
			}
		} else {
			best := ""
			for _, n := range names {
				if best == "" || left[n] > left[best] {
					best = n
				}
			}
			switch {
			case best == "":
				sl.Why = "no hours entered this week"
			case left[best] >= sl.Estimate:
				sl.Fits, sl.Engineer = true, best
				left[best] -= sl.Estimate
				sl.Why = fmt.Sprintf("unassigned; fits in %s's hours", best)
			default:
				sl.Why = fmt.Sprintf("unassigned; at most %s left with one engineer, it needs %s", fmtHours(left[best]), fmtHours(sl.Estimate))
			}
		}
		if sl.Fits {
			p.Planned += sl.Estimate
		} else {
			p.Waiting++
		}
		p.Slots = append(p.Slots, sl)
	}
	for _, n := range names {
		p.Left = append(p.Left, Hours{Engineer: n, Hours: left[n]})
	}
	return p
}

func fmtHours(h float64) string {
	return strconv.FormatFloat(h, 'f', -1, 64) + " h"
}

// Week names the ISO week of t, e.g. "2026-W49".
func Week(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// ParseWeek checks an ISO week name ("2026-W49") and returns its Monday.
func ParseWeek(s string) (time.Time, error) {
	ys, ws, ok := strings.Cut(s, "-W")
	y, err1 := strconv.Atoi(ys)
	w, err2 := strconv.Atoi(ws)
	if !ok || err1 != nil || err2 != nil || len(ys) != 4 || len(ws) != 2 || w < 1 || w > 53 {
		return time.Time{}, fmt.Errorf("week %q: write it as YYYY-Www, e.g. 2026-W49", s)
	}
	// January 4th is always in week 1.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(w-1)*7)
	if Week(monday) != s {
		return time.Time{}, fmt.Errorf("week %q: %d has no week %d", s, y, w)
	}
	return monday, nil
}
