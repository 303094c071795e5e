package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/store"
)

// The portfolio: every system a principal may read with the analysis of
// its latest version, from which the home page, the gap finder and the
// findings list are drawn. A version never changes, so its decoded result
// is cached by system and version number.

// resultCache keeps decoded results (and rendered diagrams) of versions.
type resultCache struct {
	mu      sync.Mutex
	results map[string]*report.Result
	svgs    map[string]string
}

const maxCached = 512

func (c *resultCache) result(key string) *report.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.results[key]
}

func (c *resultCache) putResult(key string, r *report.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.results == nil || len(c.results) >= maxCached {
		c.results = map[string]*report.Result{}
	}
	c.results[key] = r
}

func (c *resultCache) svg(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.svgs[key]
	return s, ok
}

func (c *resultCache) putSVG(key, svg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.svgs == nil || len(c.svgs) >= maxCached {
		c.svgs = map[string]string{}
	}
	c.svgs[key] = svg
}

// versionResult returns the analysis of version n (0: latest) of x.
func (s *Server) versionResult(ctx context.Context, x store.System, n int) (*report.Result, error) {
	if n == 0 {
		n = x.Latest
	}
	key := fmt.Sprintf("%s@%d", x.ID, n)
	if r := s.webCache.result(key); r != nil {
		return r, nil
	}
	v, err := s.store.GetVersion(ctx, x.ID, n)
	if err != nil {
		return nil, err
	}
	var r report.Result
	if err := json.Unmarshal(v.Result, &r); err != nil {
		return nil, fmt.Errorf("version %s: decode result: %w", key, err)
	}
	s.webCache.putResult(key, &r)
	return &r, nil
}

// sysResult is a system with the analysis of its latest version.
type sysResult struct {
	System store.System
	Result *report.Result
}

// portfolio lists the systems p may read (of team, when given) with their
// latest analysis, narrowed through Allowed like the JSON lists.
func (s *Server) portfolio(ctx context.Context, p *Principal, team string) ([]sysResult, error) {
	team, err := scopeTeam(p, team)
	if err != nil {
		return nil, err
	}
	var out []sysResult
	for off := 0; ; off += 500 {
		list, total, err := s.store.ListSystems(ctx, team, store.Page{Limit: 500, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, x := range list {
			if !Allowed(p, Read, x.TeamID) || x.Latest == 0 {
				continue
			}
			r, err := s.versionResult(ctx, x, 0)
			if err != nil {
				return nil, err
			}
			out = append(out, sysResult{System: x, Result: r})
		}
		if off+500 >= total || len(list) == 0 {
			break
		}
	}
	return out, nil
}

// severities, worst first.
var severities = []string{"critical", "high", "medium", "low", "info"}

func sevRank(s string) int {
	if i := slices.Index(severities, s); i >= 0 {
		return i
	}
	return len(severities)
}

// gapKinds are the gap finder's cards, in order.
var gapKinds = []struct {
	ID, Title, Empty string
}{
	{"unmitigated", "Open threats with no mitigation", "Every open threat has a mitigation."},
	{"expiring", "Acceptances expiring within 30 days", "No accepted risk expires in the next 30 days."},
	{"invalidated", "Invalidated assumptions", "No assumption has been shown false."},
	{"questions", "Unanswered questions", "Every question about the design is answered."},
	{"stale", "Models not updated for 90 days", "Every model changed in the last 90 days."},
}

// gapItem is one row behind a gap card.
type gapItem struct {
	System   store.System
	ID       string // finding, assumption, question id
	Title    string
	Severity string
	Detail   string
	Anchor   string // where on the system page
}

// walkGaps finds every gap of the portfolio and hands each to emit with
// its kind and a function building its row (called only by lists).
func walkGaps(rows []sysResult, now time.Time, emit func(kind string, item func() gapItem)) {
	soon := now.AddDate(0, 0, 30)
	for _, sr := range rows {
		x, r := sr.System, sr.Result
		for i := range r.Findings {
			f := &r.Findings[i]
			if f.Status == string(model.StatusOpen) && len(f.Mitigations) == 0 {
				emit("unmitigated", func() gapItem {
					return gapItem{System: x, ID: f.ID, Title: f.Title, Severity: f.Severity, Anchor: "f-" + f.ID}
				})
			}
			if f.Decision != nil && f.Decision.Status == string(model.StatusAccepted) && f.Decision.Expires != "" {
				if t, err := time.Parse(time.DateOnly, f.Decision.Expires); err == nil && t.Before(soon) {
					emit("expiring", func() gapItem {
						return gapItem{System: x, ID: f.ID, Title: f.Title, Severity: f.Severity,
							Detail: "expires " + f.Decision.Expires + ", owner " + orDash(f.Decision.Owner), Anchor: "f-" + f.ID}
					})
				}
			}
		}
		for i := range r.Assumptions {
			a := &r.Assumptions[i]
			if a.Status == "invalidated" {
				emit("invalidated", func() gapItem {
					return gapItem{System: x, ID: a.ID, Title: a.Text, Detail: a.Evidence, Anchor: "a-" + a.ID}
				})
			}
		}
		for i := range r.Questions {
			q := &r.Questions[i]
			emit("questions", func() gapItem {
				return gapItem{System: x, ID: q.ID, Title: q.Text, Detail: q.AtStake, Anchor: "q-" + q.ID}
			})
		}
		if now.Sub(x.UpdatedAt) > 90*24*time.Hour {
			emit("stale", func() gapItem {
				return gapItem{System: x, ID: x.ID, Title: x.Name, Detail: "last version " + x.UpdatedAt.UTC().Format(time.DateOnly)}
			})
		}
	}
}

// gaps lists the gaps of one kind, worst first.
func gaps(rows []sysResult, now time.Time, kind string) []gapItem {
	var out []gapItem
	walkGaps(rows, now, func(k string, item func() gapItem) {
		if k == kind {
			out = append(out, item())
		}
	})
	sort.SliceStable(out, func(i, j int) bool { return sevRank(out[i].Severity) < sevRank(out[j].Severity) })
	return out
}

// gapCounts counts the gaps by kind (the home page's cards).
func gapCounts(rows []sysResult, now time.Time) map[string]int {
	counts := map[string]int{}
	walkGaps(rows, now, func(k string, _ func() gapItem) { counts[k]++ })
	return counts
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// gapCard is a gap finder card: its count links to the list behind it.
type gapCard struct {
	ID, Title, Empty, Href string
	Count                  int
}

func gapCards(counts map[string]int, team string) []gapCard {
	var out []gapCard
	for _, k := range gapKinds {
		href := "/gaps/" + k.ID
		if team != "" {
			href += "?team=" + team
		}
		out = append(out, gapCard{ID: k.ID, Title: k.Title, Empty: k.Empty, Href: href, Count: counts[k.ID]})
	}
	return out
}

// riskRow is open risk for a group (a system, a team, an asset class).
type riskRow struct {
	Key, Label, Href string
	Open             int
	BySev            map[string]int
	Worst            string
	Systems          int
}

func (rr *riskRow) add(sev string, n int) {
	if rr.BySev == nil {
		rr.BySev = map[string]int{}
	}
	rr.BySev[sev] += n
	rr.Open += n
	if n > 0 && (rr.Worst == "" || sevRank(sev) < sevRank(rr.Worst)) {
		rr.Worst = sev
	}
}

func sortRisk(rows []*riskRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		for _, s := range severities {
			if a.BySev[s] != b.BySev[s] {
				return a.BySev[s] > b.BySev[s]
			}
		}
		return a.Label < b.Label
	})
}

// systemRisk is open risk per system, worst first.
func systemRisk(rows []sysResult) []*riskRow {
	var out []*riskRow
	for _, sr := range rows {
		rr := &riskRow{Key: sr.System.ID, Label: sr.System.Name, Href: "/systems/" + sr.System.ID, Systems: 1, BySev: map[string]int{}}
		for _, f := range sr.Result.Findings {
			if f.Status == string(model.StatusOpen) {
				rr.add(f.Severity, 1)
			}
		}
		out = append(out, rr)
	}
	sortRisk(out)
	return out
}

// teamRisk is open risk per team.
func teamRisk(rows []sysResult) []*riskRow {
	by := map[string]*riskRow{}
	for _, sr := range rows {
		t := sr.System.TeamID
		rr := by[t]
		if rr == nil {
			rr = &riskRow{Key: t, Label: t, Href: "/findings?status=open&team=" + t, BySev: map[string]int{}}
			by[t] = rr
		}
		rr.Systems++
		for _, f := range sr.Result.Findings {
			if f.Status == string(model.StatusOpen) {
				rr.add(f.Severity, 1)
			}
		}
	}
	out := make([]*riskRow, 0, len(by))
	for _, rr := range by {
		out = append(out, rr)
	}
	sortRisk(out)
	return out
}

// assetRisk is open risk per asset class (the asset's classification, or
// its kind when it has none).
func assetRisk(rows []sysResult) []*riskRow {
	by := map[string]*riskRow{}
	for _, sr := range rows {
		class := map[string]string{}
		for _, a := range sr.Result.Assets {
			c := a.Classification
			if c == "" {
				c = a.Kind
			}
			if c == "" {
				c = "unclassified"
			}
			class[a.ID] = c
		}
		seen := map[string]bool{}
		for _, f := range sr.Result.Findings {
			if f.Status != string(model.StatusOpen) {
				continue
			}
			counted := map[string]bool{}
			for _, a := range f.Assets {
				c := class[a]
				if c == "" || counted[c] {
					continue
				}
				counted[c] = true
				rr := by[c]
				if rr == nil {
					rr = &riskRow{Key: c, Label: c, Href: "/findings?status=open&class=" + c, BySev: map[string]int{}}
					by[c] = rr
				}
				if !seen[c] {
					seen[c] = true
					rr.Systems++
				}
				rr.add(f.Severity, 1)
			}
		}
	}
	out := make([]*riskRow, 0, len(by))
	for _, rr := range by {
		out = append(out, rr)
	}
	sortRisk(out)
	return out
}

// findingRow is a finding with its system, for lists.
type findingRow struct {
	System store.System
	F      *report.Finding
	// Elements are the ids of the components and flows it concerns.
	Elements []string
}

// findingFilter selects findings; empty fields match everything.
type findingFilter struct {
	Team, System, Severity, Category, Status, Owner, Element, FoundBy, Class, Q string
}

func readFindingFilter(r *http.Request) findingFilter {
	q := r.URL.Query()
	get := func(k string) string {
		v := strings.TrimSpace(q.Get(k))
		if len(v) > 200 {
			v = v[:200]
		}
		return v
	}
	return findingFilter{Team: get("team"), System: get("system"), Severity: get("severity"), Category: get("stride"), Status: get("status"),
		Owner: get("owner"), Element: get("element"), FoundBy: get("found_by"), Class: get("class"), Q: get("q")}
}

// Any reports whether any filter is set.
func (f findingFilter) Any() bool { return f != findingFilter{Team: f.Team, System: f.System} }

func findingOwner(f *report.Finding) string {
	if f.Decision != nil && f.Decision.Owner != "" {
		return f.Decision.Owner
	}
	return ""
}

func (ff findingFilter) match(sr sysResult, f *report.Finding, class map[string]string) bool {
	if ff.Severity != "" && f.Severity != ff.Severity || ff.Status != "" && f.Status != ff.Status {
		return false
	}
	if ff.Category != "" && f.Category != ff.Category && !slices.Contains(f.Categories, ff.Category) {
		return false
	}
	if ff.Owner != "" && !strings.EqualFold(findingOwner(f), ff.Owner) {
		return false
	}
	if ff.FoundBy != "" && f.FoundBy != ff.FoundBy {
		return false
	}
	if ff.Element != "" && !slices.ContainsFunc(f.Targets, func(t report.Target) bool {
		return t.ID == ff.Element || t.Kind == "flow" && (t.From == ff.Element || t.To == ff.Element)
	}) {
		return false
	}
	if ff.Class != "" && !slices.ContainsFunc(f.Assets, func(a string) bool { return class[a] == ff.Class }) {
		return false
	}
	if ff.Q != "" {
		q := strings.ToLower(ff.Q)
		hay := strings.ToLower(f.ID + " " + f.Title + " " + f.Description + " " + f.Rule + " " + strings.Join(f.Assets, " "))
		if !strings.Contains(hay, q) {
			return false
		}
	}
	return true
}

// filterFindings applies ff to the portfolio, ranked worst first.
func filterFindings(rows []sysResult, ff findingFilter) []findingRow {
	var out []findingRow
	for _, sr := range rows {
		if ff.System != "" && sr.System.ID != ff.System {
			continue
		}
		class := map[string]string{}
		for _, a := range sr.Result.Assets {
			c := a.Classification
			if c == "" {
				c = a.Kind
			}
			class[a.ID] = c
		}
		for i := range sr.Result.Findings {
			f := &sr.Result.Findings[i]
			if !ff.match(sr, f, class) {
				continue
			}
			var els []string
			for _, t := range f.Targets {
				if t.Kind == "component" || t.Kind == "flow" {
					els = append(els, t.ID)
				}
			}
			out = append(out, findingRow{System: sr.System, F: f, Elements: els})
		}
	}
	// One system: its own ranking (open findings first, by residual
	// risk). Across systems: open first, then by score.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ff.System != "" {
			return a.F.Rank < b.F.Rank
		}
		if ao, bo := a.F.Status == string(model.StatusOpen), b.F.Status == string(model.StatusOpen); ao != bo {
			return ao
		}
		if a.F.Score != b.F.Score {
			return a.F.Score > b.F.Score
		}
		if a.System.ID != b.System.ID {
			return a.System.ID < b.System.ID
		}
		return a.F.Rank < b.F.Rank
	})
	return out
}

// filterOptions are the choices of the findings filters.
type filterOptions struct {
	Severities, Categories, Statuses, FoundBy, Owners, Elements []string
}

func optionsOf(rows []sysResult, system string) filterOptions {
	o := filterOptions{Severities: severities}
	for _, st := range append(model.Statuses, model.StatusUnverified) {
		o.Statuses = append(o.Statuses, string(st))
	}
	cats, found, owners, els := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, sr := range rows {
		if system != "" && sr.System.ID != system {
			continue
		}
		for _, f := range sr.Result.Findings {
			cats[f.Category] = true
			found[f.FoundBy] = true
			if o := findingOwner(&f); o != "" {
				owners[o] = true
			}
			if !slices.Contains(o.Statuses, f.Status) {
				o.Statuses = append(o.Statuses, f.Status) // statuses added later show too
			}
		}
		if system != "" {
			for _, c := range sr.Result.Components {
				els[c.ID] = true
			}
			for _, f := range sr.Result.Flows {
				els[f.ID] = true
			}
		}
	}
	keys := func(m map[string]bool) []string {
		var out []string
		for k := range m {
			if k != "" {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out
	}
	o.Categories, o.FoundBy, o.Owners, o.Elements = keys(cats), keys(found), keys(owners), keys(els)
	return o
}
