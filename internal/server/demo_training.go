package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/session"
	"github.com/wardtm/ward/internal/store"
	"github.com/wardtm/ward/internal/training"
)

// Demo training: two completed runs (one of each built-in exercise) with
// three groups each, played through the same domain operations as a real
// run (training.Open and Run.Apply), so that the results pages, the
// overlap matrix and the teams' training evidence have something to show.
// The trainees are demo accounts without a password (they cannot sign
// in), spread over the teams that exist when the demo loads.

type demoCard struct {
	group, target, stride, text string
}

type demoRun struct {
	exercise, title string
	daysAgo         int
	cards           []demoCard
	notes           map[string][]string // group → questions
	top             map[string][]int    // group → indexes of its cards (in cards order, per group)
	accept          []int               // card indexes the instructor adds to the reference
}

var demoRuns = []demoRun{
	{
		exercise: "food-delivery", title: "Autumn cohort: Tavola", daysAgo: 21,
		cards: []demoCard{
			{"g1", "tracking-page", "I", "Tracking links count up: anyone can walk through them and see home addresses"},
			{"g1", "provider-webhook", "S", "Anyone can call the webhook and mark an order paid"},
			{"g1", "auth-service", "S", "Six-digit SMS codes can be guessed if attempts are not limited"},
			{"g1", "support-console", "R", "Refunds are only in a log that rotates after a week"},
			{"g1", "orders-db", "I", "Database snapshots copied to the analytics account"},
			{"g2", "courier-api", "S", "The courier id comes from the body: a courier can post as another courier"},
			{"g2", "dispatch-service", "E", "Mark someone else's job delivered"},
			{"g2", "payout-service", "S", "Stolen phone changes the bank account before the daily payout"},
			{"g2", "provider-webhook", "T", "Forged payment confirmation"},
			{"g2", "tracking-dispatch", "I", "Shared tracking link keeps showing the courier after delivery"},
			{"g2", "customer-app", "T", "Modified app sends a lower price at checkout"},
			{"g3", "auth-service", "D", "Bots request codes to premium numbers: SMS bill explodes"},
			{"g3", "restaurant-api", "S", "Kitchen tablet stolen, token never revoked"},
			{"g3", "support-console", "E", "An agent refunds friends' orders with no second approval"},
			{"g3", "tracking-page", "I", "Order number in the link shows the customer's address"},
			{"g3", "payment-webhook", "T", "Payment for 5 EUR confirms an order of 80 EUR"},
			{"g3", "api-gateway", "D", "No limit on order creation: fake orders flood restaurants"},
		},
		notes: map[string][]string{
			"g1": {"Is the provider's signature header checked anywhere?"},
			"g2": {"Does the gateway know which courier a token belongs to?", "We assume couriers cannot see other couriers' jobs in the app."},
			"g3": {"Who can read the application log the console writes to?"},
		},
		top:    map[string][]int{"g1": {1, 0, 2}, "g2": {0, 3, 2}, "g3": {3, 2, 4}},
		accept: []int{10, 16},
	},
	{
		exercise: "build-platform", title: "Platform guild: Foundry", daysAgo: 7,
		cards: []demoCard{
			{"g1", "jobs-to-runners", "I", "A fork's merge request can print the registry token"},
			{"g1", "runner-pool", "T", "A job leaves a poisoned npm cache for the next team's build"},
			{"g1", "deployer-pull", "T", ":latest can be overwritten by anyone who can push"},
			{"g1", "engineer-deploy", "S", "Deploy button has no second person for production"},
			{"g2", "registry-proxy", "S", "Publish our internal package name on the public registry with version 99"},
			{"g2", "runner-publish", "S", "The never-expiring push token leaks once and works forever"},
			{"g2", "artifact-registry", "E", "Any job can publish into any team's repository"},
			{"g2", "deploy-db", "R", "Admins edit the deploy history"},
			{"g3", "runner-migrate", "E", "Fork pipelines reach production through the migration credentials"},
			{"g3", "runner-pool", "D", "Crypto-mining in fork pipelines blocks everyone's builds"},
			{"g3", "runner-pool", "I", "Workspace of the previous job is still on disk"},
			{"g3", "host-events", "S", "Forged push events trigger pipelines"},
			{"g3", "jobs-to-runners", "E", "Merge requests from forks run with all CI variables"},
		},
		notes: map[string][]string{
			"g1": {"Are fork pipelines approved by a maintainer before they run?"},
			"g2": {"We assume the public registries are only reached through the proxy."},
			"g3": {"How long do runner VMs live?"},
		},
		top:    map[string][]int{"g1": {0, 2, 1}, "g2": {0, 1, 2}, "g3": {4, 0, 2}},
		accept: []int{3},
	},
}

var demoTrainees = []string{"Noor Haddad", "Mateo Ruiz", "Ilse Vermeer", "Kwame Mensah", "Yuki Tanaka", "Farah Qureshi", "Tomás Silva", "Lena Brandt", "Ravi Iyer"}

// loadDemoTraining stores the demo's training runs, once.
func (s *Server) loadDemoTraining(ctx context.Context) error {
	if runs, err := s.store.ListTrainingRuns(ctx, store.Page{Limit: 1}); err != nil || len(runs) > 0 {
		return err
	}
	teams, _, err := s.store.ListTeams(ctx, store.Page{Limit: 100})
	if err != nil {
		return err
	}
	if len(teams) == 0 {
		return nil
	}
	instructor := training.Actor{ID: "demo-instructor", Name: "Security (demo)"}
	if u, err := s.store.GetUserByEmail(ctx, "security@demo.example"); err == nil {
		instructor.ID, instructor.Name = u.ID, u.Name
	}
	var trainees []training.Actor
	for i, name := range demoTrainees {
		team := teams[i%len(teams)].ID
		email := strings.ToLower(strings.Fields(name)[0]) + ".trainee@demo.example"
		u, err := s.store.CreateUser(ctx, store.User{ID: "u-" + newID(6), Email: email, Name: name, Role: store.RoleMember, TeamID: team}, "demo")
		if err != nil {
			return fmt.Errorf("demo trainee %s: %w", email, err)
		}
		trainees = append(trainees, training.Actor{ID: u.ID, Name: name, Team: team})
	}
	now := s.cfg.Now().UTC().Truncate(time.Minute)
	for _, d := range demoRuns {
		if err := s.demoRun(ctx, d, instructor, trainees, now.AddDate(0, 0, -d.daysAgo)); err != nil {
			return fmt.Errorf("demo training %s: %w", d.exercise, err)
		}
	}
	// As a run completed through the server would (training.go), each
	// run is programme evidence for its participants' teams: the demo's
	// Training-phase team (growth) shows these real runs.
	runs, err := s.store.ListTrainingRuns(ctx, store.Page{Limit: 10})
	if err != nil {
		return err
	}
	evs, err := s.store.ListTrainingEvidence(ctx, "")
	if err != nil {
		return err
	}
	for _, r := range runs {
		for _, e := range evs {
			if e.RunID != r.ID {
				continue
			}
			if err := s.RecordTrainingDone(ctx, e.TeamID, "training:"+r.ID, "Training run "+r.Title, e.CompletedAt); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Server) demoRun(ctx context.Context, d demoRun, ins training.Actor, trainees []training.Actor, start time.Time) error {
	x := training.Lookup(d.exercise)
	if x == nil {
		return fmt.Errorf("no exercise %q", d.exercise)
	}
	r, err := training.Open(newID(5), x, d.title, []string{"Red", "Blue", "Green"}, training.Minutes{}, ins, start)
	if err != nil {
		return err
	}
	at := start
	step := func(a training.Action, by training.Actor, after time.Duration) error {
		at = at.Add(after)
		return r.Apply(a, by, at)
	}
	member := map[string]training.Actor{}
	for i, t := range trainees {
		g := fmt.Sprintf("g%d", i%3+1)
		if _, ok := member[g]; !ok {
			member[g] = t
		}
		if err := step(training.Action{Type: "join", Group: g}, t, time.Minute); err != nil {
			return err
		}
	}
	for _, g := range []string{"g1", "g2", "g3"} {
		for _, q := range d.notes[g] {
			kind := training.Question
			if strings.HasPrefix(q, "We assume") {
				kind = training.Assumption
			}
			if err := step(training.Action{Type: "note.add", Note: &training.Note{Kind: kind, Text: q}}, member[g], 2*time.Minute); err != nil {
				return err
			}
		}
	}
	if err := step(training.Action{Type: "phase", Phase: training.Find}, ins, 10*time.Minute); err != nil {
		return err
	}
	ids := make([]string, len(d.cards))
	perGroup := map[string][]string{}
	for i, c := range d.cards {
		// Cards are written by the group's members in turn.
		var by training.Actor
		n := len(perGroup[c.group])
		for j, t := range trainees {
			if fmt.Sprintf("g%d", j%3+1) == c.group {
				if n == 0 {
					by = t
					break
				}
				n--
			}
		}
		if by.ID == "" {
			by = member[c.group]
		}
		card := &session.Card{Target: c.target, Stride: []string{c.stride}, Text: c.text}
		if err := step(training.Action{Type: "card.add", Card: card}, by, 90*time.Second); err != nil {
			return err
		}
		g := r.Group(c.group)
		ids[i] = g.Board.Cards[len(g.Board.Cards)-1].ID
		perGroup[c.group] = append(perGroup[c.group], ids[i])
	}
	if err := step(training.Action{Type: "phase", Phase: training.Prioritise}, ins, 30*time.Minute-time.Duration(len(d.cards))*90*time.Second); err != nil {
		return err
	}
	for _, g := range []string{"g1", "g2", "g3"} {
		var top []string
		for _, i := range d.top[g] {
			top = append(top, perGroup[g][i])
		}
		if err := step(training.Action{Type: "top_three", TopThree: top}, member[g], time.Minute); err != nil {
			return err
		}
		if err := step(training.Action{Type: "submit"}, member[g], 30*time.Second); err != nil {
			return err
		}
	}
	for _, i := range d.accept {
		if err := step(training.Action{Type: "accept", Group: d.cards[i].group, CardID: ids[i], Severity: "medium"}, ins, 30*time.Second); err != nil {
			return err
		}
	}
	if err := step(training.Action{Type: "phase", Phase: training.Done}, ins, 2*time.Minute); err != nil {
		return err
	}
	r.Seq = 2
	state, err := json.Marshal(r)
	if err != nil {
		return err
	}
	src, err := training.Source(x.ID)
	if err != nil {
		return err
	}
	if err := s.store.CreateTrainingRun(ctx, store.TrainingRun{ID: r.ID, ExerciseID: x.ID, ExerciseSource: src, Title: r.Title, Phase: string(training.Read), Seq: 1,
		State: []byte(`{}`), CreatedBy: "demo", CreatedAt: start}); err != nil {
		return err
	}
	counts := map[string]int{}
	for _, g := range r.Groups {
		for _, t := range g.Teams {
			counts[t]++
		}
	}
	var ev []store.TrainingEvidence
	for _, t := range r.EvidenceTeams() {
		ev = append(ev, store.TrainingEvidence{TeamID: t, ExerciseID: x.ID, RunID: r.ID, Participants: counts[t], CompletedAt: r.Completed})
	}
	return s.store.UpdateTrainingRun(ctx, store.TrainingRun{ID: r.ID, Title: r.Title, Phase: string(r.Phase), Seq: 2, State: state,
		UpdatedAt: r.Completed, CompletedAt: r.Completed}, 1, ev)
}
