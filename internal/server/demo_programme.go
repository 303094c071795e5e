package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/programme"
	"github.com/wardtm/ward/internal/store"
)

// demoTeam is one team of the programme demo: a system made from one of
// the demo examples, the phases it went through and how its reviews and
// outside findings went.
type demoTeam struct {
	id, name string
	// from is the demo example its system is made from.
	from, system string
	// phases: the phase and how many months ago it began, oldest first.
	phases []demoPhase
	// reviewed: months ago of each reviewed model, and which severities
	// security added in it.
	reviewed []demoReview
	// outside: the outside findings: months ago, source, severity, and
	// what the model should say (known, engine, escape).
	outside []demoOutside
	trained bool
	// trend: open high risks a year ago and now.
	openFrom, openTo int
}

type demoPhase struct {
	phase  programme.Phase
	months float64
	note   string
}

type demoReview struct {
	months float64
	added  []string // severities security added
}

type demoOutside struct {
	months   float64
	source   string
	severity string
	catch    programme.Catch
	cost     float64
}

var demoTeams = []demoTeam{
	{id: "payments", name: "Payments", from: "larkspur-shop", system: "payments-checkout", trained: true, openFrom: 9, openTo: 2,
		phases: []demoPhase{{programme.Training, 14, "kick-off with the payments engineers"}, {programme.Observation, 12, "training exercise done, first observed session went well"},
			{programme.Review, 8, "three clean reviews in a row"}},
		reviewed: []demoReview{{11, []string{"high", "medium"}}, {10, []string{"medium"}}, {9, nil}, {7.5, []string{"medium"}}, {6, nil}, {4, nil}, {2, []string{"low"}}, {0.5, nil}},
		outside: []demoOutside{{11, programme.ByBugBounty, "critical", programme.Escaped, 2500}, {9, programme.ByPenTest, "high", programme.Known, 1800},
			{5, programme.ByBugBounty, "medium", programme.Engine, 600}, {3, programme.ByPenTest, "low", programme.Known, 900}}},
	{id: "storefront", name: "Storefront", from: "fulfilment-pipeline", system: "storefront-orders", trained: true, openFrom: 12, openTo: 6,
		phases:   []demoPhase{{programme.Training, 9, "storefront joins the programme"}, {programme.Observation, 5, "exercise completed; observed session on the order pipeline"}},
		reviewed: []demoReview{{4.5, []string{"high", "high"}}, {2.5, []string{"medium"}}, {1.5, []string{"high"}}, {0.3, []string{"medium", "low"}}},
		outside: []demoOutside{{8, programme.ByPenTest, "high", programme.Escaped, 2200}, {6, programme.ByBugBounty, "high", programme.Engine, 1500},
			{2, programme.ByPenTest, "medium", programme.Known, 1100}}},
	// growth's training evidence is the demo's real training runs
	// (demo_training.go, loaded with the demo accounts), not a record here.
	{id: "growth", name: "Growth", from: "helpdesk-copilot", system: "growth-assistant", openFrom: 8, openTo: 7,
		phases:  []demoPhase{{programme.Training, 2, "growth starts training"}},
		outside: []demoOutside{{7, programme.ByBugBounty, "high", programme.Escaped, 1200}, {1, programme.ByIncident, "medium", programme.Engine, 0}}},
	{id: "platform", name: "Platform", from: "larkspur-shop", system: "platform-accounts", trained: true, openFrom: 10, openTo: 9,
		phases:   []demoPhase{{programme.Training, 10, "platform joins"}, {programme.Observation, 4, "training done, observed session held"}},
		reviewed: []demoReview{{3.5, []string{"medium"}}, {2, nil}, {1, []string{"high"}}},
		outside: []demoOutside{{2.5, programme.ByPenTest, "high", programme.Escaped, 2400}, {1.2, programme.ByBugBounty, "high", programme.Escaped, 1900},
			{0.5, programme.ByPenTest, "medium", programme.Known, 800}}},
}

// LoadDemoProgramme seeds the self-serve programme of ward serve --demo,
// when no team has a phase yet: four teams with a system each (made from
// the demo examples), a year of history — phases, reviewed models, weekly
// snapshots — and outside findings imported through the real import, so
// that every catch, proposal and figure comes from these records.
func (s *Server) LoadDemoProgramme(ctx context.Context) error {
	if phases, err := s.store.ListTeamPhases(ctx); err != nil || len(phases) > 0 {
		return err
	}
	now := s.cfg.Now().UTC()
	ago := func(months float64) time.Time {
		return now.Add(-time.Duration(months * 30.4 * 24 * float64(time.Hour)))
	}
	coach := &Principal{UserID: "demo", Email: "security@demo.example", Role: store.RoleSecurity}
	rng := rand.New(rand.NewPCG(12, 2026))
	for _, t := range demoTeams {
		if _, err := s.store.CreateTeam(ctx, store.Team{ID: t.id, Name: t.name}, "demo"); err != nil && !errors.Is(err, store.ErrExists) {
			return err
		}
		src, err := s.store.GetSystem(ctx, t.from)
		if err != nil {
			return fmt.Errorf("demo programme: example %s: %w", t.from, err)
		}
		v, err := s.store.GetVersion(ctx, src.ID, src.Latest)
		if err != nil {
			return err
		}
		b := unarchive(v.YAML)
		b.Files[b.Main] = strings.Replace(b.Files[b.Main], "  id: "+t.from+"\n", "  id: "+t.system+"\n", 1)
		if err := s.LoadDemo(ctx, t.id, b); err != nil {
			return fmt.Errorf("demo programme: system %s: %w", t.system, err)
		}
		fs, _, _, err := s.modelFindings(ctx, t.system)
		if err != nil {
			return err
		}
		threats := programme.Attribute(fs)

		// Phases, oldest first, each set by the coach with a note.
		from := programme.Traditional
		for _, ph := range t.phases {
			at := ago(ph.months)
			if err := s.store.SetTeamPhase(ctx, store.TeamPhase{TeamID: t.id, Phase: string(ph.phase), Since: at, UpdatedBy: coach.Email},
				store.PhaseEvent{At: at, Actor: coach.Email, Kind: "set", From: string(from), To: string(ph.phase), Note: ph.note}); err != nil {
				return err
			}
			from = ph.phase
		}
		if t.trained {
			if err := s.store.RecordActivity(ctx, store.ProgrammeActivity{TeamID: t.id, Kind: programme.ActTraining, Ref: "demo-exercise-" + t.id,
				Label: "Training exercise “Parcel lockers” completed", At: ago(t.phases[0].months - 0.5)}); err != nil {
				return err
			}
		}
		// Reviewed models: the system's real threats, credited to the
		// team, with the ones security added in that review.
		for i, r := range t.reviewed {
			ts := demoReviewThreats(threats, r.added, i)
			data, _ := json.Marshal(ts)
			if err := s.store.RecordReviewedModel(ctx, store.ReviewedModel{TeamID: t.id, SystemID: t.system, Version: i + 1,
				ReviewedAt: ago(r.months), Threats: string(data)}); err != nil {
				return err
			}
		}
		// Weekly snapshots for a year: open risk falling as the team
		// matures, with some noise.
		for w := 52; w >= 1; w-- {
			at := now.AddDate(0, 0, -7*w)
			frac := float64(52-w) / 52
			high := int(float64(t.openFrom)+(float64(t.openTo-t.openFrom))*frac) + rng.IntN(3) - 1
			d := snapshotData{Open: map[string]int{"critical": max(0, high/4+rng.IntN(2)-1), "high": max(0, high), "medium": max(0, 2*high+rng.IntN(4)),
				"low": 3 + rng.IntN(4)}, Phase: string(programme.PhaseAt(demoMoves(t, ago), at))}
			for _, o := range t.outside {
				if f := ago(o.months); !f.Before(at.AddDate(0, 0, -7)) && f.Before(at) {
					d.Outside++
					if o.catch == programme.Escaped {
						d.Escapes++
					}
				}
			}
			data, _ := json.Marshal(d)
			if err := s.store.PutSnapshot(ctx, store.RiskSnapshot{Week: isoWeek(at), TeamID: t.id, Data: string(data), At: at}); err != nil {
				return err
			}
		}
		// Outside findings, through the real import: the element and
		// category chosen so that the model answers as planned.
		csv := programme.Header + "\n"
		for i, o := range t.outside {
			el, cat, threat := demoTarget(fs, o.catch, i)
			csv += fmt.Sprintf("%s,%s-%s-%d,%s,%s,%s,%s,%s,%s,,%s,%.0f\n", o.source, strings.ToUpper(o.source[:2]), t.id, i+1,
				demoTitle(o, el, cat), o.severity, ago(o.months).Format(time.DateOnly), t.system, el, cat, threat, o.cost)
		}
		if _, err := s.importOutside(ctx, coach, outsideImportInput{Content: csv, Format: programme.FormatCSV, File: "demo-" + t.id + ".csv"}); err != nil {
			return fmt.Errorf("demo programme: outside findings of %s: %w", t.id, err)
		}
		if _, err := s.proposePhase(ctx, t.id); err != nil {
			return err
		}
	}
	return nil
}

func demoMoves(t demoTeam, ago func(float64) time.Time) []programme.Move {
	var out []programme.Move
	for _, p := range t.phases {
		out = append(out, programme.Move{To: p.phase, At: ago(p.months)})
	}
	return out
}

// demoReviewThreats credits a model's threats to the team and marks the
// first few of each severity in added as found by security review.
func demoReviewThreats(threats []programme.Threat, added []string, seed int) []programme.Threat {
	out := slices.Clone(threats)
	for i := range out {
		if out[i].FoundBy == programme.BySecurityReview {
			out[i].FoundBy = programme.ByTeam
		}
	}
	used := map[int]bool{}
	for _, sev := range added {
		for k := range out {
			i := (k + seed*7) % len(out)
			if !used[i] && out[i].Severity == sev {
				out[i].FoundBy, used[i] = programme.BySecurityReview, true
				break
			}
		}
	}
	return out
}

// demoTarget picks an element, STRIDE category and threat for an outside
// finding so that the model answers catch: a people's threat (known), an
// undecided engine finding (engine), or an element and category nothing
// in the model covers (escape).
func demoTarget(fs []programme.Finding, catch programme.Catch, i int) (el, cat, threat string) {
	var pick []programme.Finding
	for _, f := range fs {
		if len(f.Elements) == 0 || len(f.Categories) == 0 {
			continue
		}
		switch {
		case catch == programme.Known && f.Origin == "people",
			catch == programme.Engine && f.Origin != "people" && !f.Decided && f.Status != "mitigated":
			pick = append(pick, f)
		}
	}
	if catch != programme.Escaped && len(pick) > 0 {
		f := pick[i%len(pick)]
		return f.Elements[0], f.Categories[0], ""
	}
	covered := map[string]bool{}
	var elements []string
	for _, f := range fs {
		for _, e := range f.Elements {
			if !slices.Contains(elements, e) {
				elements = append(elements, e)
			}
			for _, c := range f.Categories {
				covered[e+"/"+c] = true
			}
		}
	}
	slices.Sort(elements)
	for k := range len(elements) * len(programme.Categories) {
		j := k + i*5
		e := elements[(j/len(programme.Categories))%len(elements)]
		c := programme.Categories[j%len(programme.Categories)]
		if !covered[e+"/"+c] {
			return e, c, ""
		}
	}
	return "", "", ""
}

func demoTitle(o demoOutside, el, cat string) string {
	what := map[string]string{"spoofing": "Session fixation", "tampering": "Unsigned request accepted", "repudiation": "Refunds leave no audit trail",
		"information_disclosure": "Internal data exposed", "denial_of_service": "Unbounded request exhausts workers",
		"elevation_of_privilege": "Other customers' records reachable"}[cat]
	if what == "" {
		what = "Weakness reported"
	}
	return fmt.Sprintf("%s on %s", what, el)
}
