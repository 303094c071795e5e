package programme

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Rules are the graduation rules: when Ward proposes that a team moves on
// (or back). The defaults are the issue's; an organisation changes them in
// its settings. A proposal always shows the rule's numbers next to the
// team's.
type Rules struct {
	// Training → Observation: completed training exercises and observed
	// sessions (a live session security attended as observer).
	TrainingExercises int `json:"training_exercises"`
	ObservedSessions  int `json:"observed_sessions"`
	// Observation → Review: over the last ObservationModels reviewed
	// models, security added at most these many critical and high threats.
	ObservationModels      int `json:"observation_models"`
	ObservationMaxCritical int `json:"observation_max_critical"`
	ObservationMaxHigh     int `json:"observation_max_high"`
	// Review → Security-optional: over the last ReviewModels reviewed
	// models and at least ReviewMonths months, security added at most
	// these many critical and high threats and at most ReviewMaxMediumShare
	// of the medium ones, with at most ReviewMaxCriticalEscapes critical
	// escapes in that time.
	ReviewModels             int     `json:"review_models"`
	ReviewMonths             int     `json:"review_months"`
	ReviewMaxCritical        int     `json:"review_max_critical"`
	ReviewMaxHigh            int     `json:"review_max_high"`
	ReviewMaxMediumShare     float64 `json:"review_max_medium_share"`
	ReviewMaxCriticalEscapes int     `json:"review_max_critical_escapes"`
	// Step back: this many critical escapes, or StepBackHighEscapes high
	// ones, within StepBackDays days (and since the team entered its
	// phase) propose a step back.
	StepBackCriticalEscapes int `json:"step_back_critical_escapes"`
	StepBackHighEscapes     int `json:"step_back_high_escapes"`
	StepBackDays            int `json:"step_back_days"`
	// SampleShare is the share of a Security-optional team's models that
	// security still reviews, highest risk first.
	SampleShare float64 `json:"sample_share"`
}

// DefaultRules returns the rules.
func DefaultRules() Rules {
	return Rules{TrainingExercises: 1, ObservedSessions: 1,
		ObservationModels: 3, ObservationMaxCritical: 0, ObservationMaxHigh: 1,
		ReviewModels: 5, ReviewMonths: 6, ReviewMaxCritical: 0, ReviewMaxHigh: 0, ReviewMaxMediumShare: 0.20, ReviewMaxCriticalEscapes: 0,
		StepBackCriticalEscapes: 1, StepBackHighEscapes: 2, StepBackDays: 90, SampleShare: 0.25}
}

// Validate checks that the rules make sense; its error is an Invalid,
// naming the field of each problem.
func (r Rules) Validate() error {
	var errs Invalid
	pos := func(name string, v int) {
		if v < 1 || v > 100 {
			errs = append(errs, FieldError{name, fmt.Sprintf("%s must be between 1 and 100 (is %d)", name, v)})
		}
	}
	nonneg := func(name string, v int) {
		if v < 0 || v > 1000 {
			errs = append(errs, FieldError{name, fmt.Sprintf("%s must be between 0 and 1000 (is %d)", name, v)})
		}
	}
	share := func(name string, v float64) {
		if math.IsNaN(v) || v < 0 || v > 1 {
			errs = append(errs, FieldError{name, fmt.Sprintf("%s must be a share between 0 and 1 (is %v)", name, v)})
		}
	}
	nonneg("training_exercises", r.TrainingExercises)
	nonneg("observed_sessions", r.ObservedSessions)
	pos("observation_models", r.ObservationModels)
	nonneg("observation_max_critical", r.ObservationMaxCritical)
	nonneg("observation_max_high", r.ObservationMaxHigh)
	pos("review_models", r.ReviewModels)
	nonneg("review_months", r.ReviewMonths)
	nonneg("review_max_critical", r.ReviewMaxCritical)
	nonneg("review_max_high", r.ReviewMaxHigh)
	share("review_max_medium_share", r.ReviewMaxMediumShare)
	nonneg("review_max_critical_escapes", r.ReviewMaxCriticalEscapes)
	pos("step_back_critical_escapes", r.StepBackCriticalEscapes)
	pos("step_back_high_escapes", r.StepBackHighEscapes)
	pos("step_back_days", r.StepBackDays)
	share("sample_share", r.SampleShare)
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// FieldError is one problem of settings: the field (a JSON key, dotted
// for nested ones: "bounty.high") and the message, which names it.
type FieldError struct {
	Field string `json:"field"`
	Msg   string `json:"message"`
}

// Invalid is the problems of settings, each with its field; pages show
// each next to its field.
type Invalid []FieldError

func (v Invalid) Error() string {
	msgs := make([]string, len(v))
	for i, e := range v {
		msgs[i] = e.Msg
	}
	return strings.Join(msgs, "; ")
}

// ParseRules reads rules as JSON over the defaults: keys not given keep
// their default; unknown keys are refused.
func ParseRules(data []byte) (Rules, error) {
	r := DefaultRules()
	if err := decodeOver(data, &r, "graduation rules"); err != nil {
		return r, err
	}
	return r, r.Validate()
}

// ReviewedModel is a model version security reviewed (an approval), with
// its threats credited to who found them.
type ReviewedModel struct {
	SystemID   string    `json:"system"`
	Version    int       `json:"version"`
	RequestID  string    `json:"request,omitempty"`
	ReviewedAt time.Time `json:"reviewed_at"`
	Threats    []Threat  `json:"threats"`
}

// Label names the reviewed model for people.
func (m ReviewedModel) Label() string {
	return fmt.Sprintf("%s v%d, reviewed %s", m.SystemID, m.Version, m.ReviewedAt.UTC().Format(time.DateOnly))
}

// Activity is programme evidence other than reviews: a completed training
// exercise, a session security observed.
type Activity struct {
	Kind  string    `json:"kind"` // ActTraining or ActObserved
	Ref   string    `json:"ref"`
	Label string    `json:"label"`
	At    time.Time `json:"at"`
}

// Activity kinds.
const (
	ActTraining = "training"
	ActObserved = "observed_session"
)

// Escape is an outside finding nothing in the team's models covered.
type Escape struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Severity string    `json:"severity"`
	Found    time.Time `json:"found"`
	SystemID string    `json:"system"`
}

// Evidence is what Ward knows about a team's programme.
type Evidence struct {
	Phase      Phase
	Since      time.Time
	Activities []Activity
	Reviewed   []ReviewedModel
	Escapes    []Escape
	// OtherEscapes counts the escapes not in Escapes (callers may pass
	// only the severities the rules weigh).
	OtherEscapes int
	Now          time.Time
}

// Ref points at a record behind a number: a reviewed model, an outside
// finding, an activity, a threat.
type Ref struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Check is one condition of a rule with the team's number next to the
// rule's.
type Check struct {
	What string `json:"what"`
	Want string `json:"want"`
	Got  string `json:"got"`
	OK   bool   `json:"ok"`
	Refs []Ref  `json:"refs,omitempty"`
}

// Proposal is a phase move Ward proposes, with the checks behind it. A
// security coach confirms it; nothing moves on its own.
type Proposal struct {
	From     Phase   `json:"from"`
	To       Phase   `json:"to"`
	StepBack bool    `json:"step_back,omitempty"`
	Ready    bool    `json:"ready"`
	Rule     string  `json:"rule"`
	Checks   []Check `json:"checks"`
}

// Summary is the proposal in one line.
func (p Proposal) Summary() string {
	var failing []string
	for _, c := range p.Checks {
		if !c.OK {
			failing = append(failing, c.What)
		}
	}
	switch {
	case p.StepBack:
		return fmt.Sprintf("step back from %s to %s: %s", p.From.Label(), p.To.Label(), p.Rule)
	case p.Ready:
		return fmt.Sprintf("ready for %s: %s", p.To.Label(), p.Rule)
	case len(failing) > 0:
		return fmt.Sprintf("not yet ready for %s: %s", p.To.Label(), strings.Join(failing, "; "))
	}
	return fmt.Sprintf("not yet ready for %s", p.To.Label())
}

// Assessment is where a team stands against the rules: the next step with
// every check (ready or not), and a step back when escapes call for one.
type Assessment struct {
	Advance  *Proposal `json:"advance,omitempty"`
	StepBack *Proposal `json:"step_back,omitempty"`
}

// Assess checks a team's evidence against the rules.
func Assess(e Evidence, r Rules) Assessment {
	var a Assessment
	reviewed := slices.Clone(e.Reviewed)
	slices.SortStableFunc(reviewed, func(x, y ReviewedModel) int { return y.ReviewedAt.Compare(x.ReviewedAt) })
	if next, ok := e.Phase.Next(); ok {
		p := &Proposal{From: e.Phase, To: next}
		switch e.Phase {
		case Traditional:
			p.Rule = "a security coach enrols the team in training"
			p.Checks = []Check{{What: "enrolled in training", Want: "a coach's decision", Got: "not enrolled"}}
		case Training:
			p.Rule = fmt.Sprintf("completed %s and ran %s", plural(r.TrainingExercises, "training exercise", "training exercises"),
				plural(r.ObservedSessions, "observed session", "observed sessions"))
			p.Checks = []Check{activityCheck(e.Activities, ActTraining, "training exercises completed", r.TrainingExercises),
				activityCheck(e.Activities, ActObserved, "sessions observed by security", r.ObservedSessions)}
		case Observation:
			p.Rule = fmt.Sprintf("over the last %d reviewed models, security added %s and %s",
				r.ObservationModels, atMost(r.ObservationMaxCritical, "critical threat", "critical threats"), atMost(r.ObservationMaxHigh, "high threat", "high threats"))
			window := reviewed[:min(len(reviewed), r.ObservationModels)]
			p.Checks = append(p.Checks, countCheck("reviewed models", r.ObservationModels, window))
			p.Checks = append(p.Checks, addedCheck(window, "critical", r.ObservationMaxCritical), addedCheck(window, "high", r.ObservationMaxHigh))
		case Review:
			p.Rule = fmt.Sprintf("over the last %d reviewed models and at least %d months, security added %s, %s and at most %.0f %% of the medium ones, with %s",
				r.ReviewModels, r.ReviewMonths, atMost(r.ReviewMaxCritical, "critical threat", "critical threats"), atMost(r.ReviewMaxHigh, "high threat", "high threats"),
				r.ReviewMaxMediumShare*100, atMost(r.ReviewMaxCriticalEscapes, "critical escape", "critical escapes"))
			start := e.Now.AddDate(0, -r.ReviewMonths, 0)
			var window []ReviewedModel
			for i, m := range reviewed {
				if i < r.ReviewModels || !m.ReviewedAt.Before(start) {
					window = append(window, m)
				}
			}
			p.Checks = append(p.Checks, countCheck("reviewed models", r.ReviewModels, window))
			span := Check{What: "months of reviewed history", Want: fmt.Sprintf("≥ %d", r.ReviewMonths), Got: "none"}
			if len(window) > 0 {
				oldest := window[len(window)-1].ReviewedAt
				months := monthsBetween(oldest, e.Now)
				span.Got, span.OK = fmt.Sprintf("%d (since %s)", months, oldest.UTC().Format(time.DateOnly)), months >= r.ReviewMonths
				span.Refs = []Ref{modelRef(window[len(window)-1])}
				if oldest.Before(start) {
					start = oldest
				}
			}
			p.Checks = append(p.Checks, span)
			p.Checks = append(p.Checks, addedCheck(window, "critical", r.ReviewMaxCritical), addedCheck(window, "high", r.ReviewMaxHigh),
				mediumShareCheck(window, r.ReviewMaxMediumShare), escapeCheck(e.Escapes, "critical", start, r.ReviewMaxCriticalEscapes))
		case SecurityOptional:
		}
		p.Ready = e.Phase != Traditional && len(p.Checks) > 0
		for _, c := range p.Checks {
			p.Ready = p.Ready && c.OK
		}
		a.Advance = p
	}
	if e.Phase.Index() >= Observation.Index() {
		prev, _ := e.Phase.Prev()
		start := e.Now.AddDate(0, 0, -r.StepBackDays)
		if e.Since.After(start) {
			start = e.Since
		}
		crit, high := escapesSince(e.Escapes, "critical", start), escapesSince(e.Escapes, "high", start)
		var c Check
		switch {
		case len(crit) >= r.StepBackCriticalEscapes:
			c = Check{What: "critical escapes", Want: fmt.Sprintf("< %d", r.StepBackCriticalEscapes), Got: fmt.Sprint(len(crit)), Refs: escapeRefs(crit)}
		case len(high) >= r.StepBackHighEscapes:
			c = Check{What: "high escapes", Want: fmt.Sprintf("< %d", r.StepBackHighEscapes), Got: fmt.Sprint(len(high)), Refs: escapeRefs(high)}
		}
		if c.What != "" {
			a.StepBack = &Proposal{From: e.Phase, To: prev, StepBack: true, Ready: true,
				Rule: fmt.Sprintf("%s, or %s, within %d days since %s", plural(r.StepBackCriticalEscapes, "critical escape", "critical escapes"),
					plural(r.StepBackHighEscapes, "high escape", "high escapes"), r.StepBackDays, start.UTC().Format(time.DateOnly)),
				Checks: []Check{c}}
		}
	}
	return a
}

func activityCheck(acts []Activity, kind, what string, want int) Check {
	c := Check{What: what, Want: fmt.Sprintf("≥ %d", want)}
	for _, x := range acts {
		if x.Kind == kind {
			c.Refs = append(c.Refs, Ref{Kind: "activity", ID: x.Ref, Label: x.Label + " (" + x.At.UTC().Format(time.DateOnly) + ")"})
		}
	}
	c.Got, c.OK = fmt.Sprint(len(c.Refs)), len(c.Refs) >= want
	return c
}

func countCheck(what string, want int, window []ReviewedModel) Check {
	c := Check{What: what, Want: fmt.Sprintf("≥ %d", want), Got: fmt.Sprint(len(window)), OK: len(window) >= want}
	for _, m := range window {
		c.Refs = append(c.Refs, modelRef(m))
	}
	return c
}

func modelRef(m ReviewedModel) Ref {
	return Ref{Kind: "reviewed_model", ID: fmt.Sprintf("%s@%d", m.SystemID, m.Version), Label: m.Label()}
}

// addedCheck counts the threats of a severity security added over the window.
func addedCheck(window []ReviewedModel, sev string, max int) Check {
	c := Check{What: sev + " threats added by security", Want: fmt.Sprintf("≤ %d", max)}
	n := 0
	for _, m := range window {
		for _, t := range m.Threats {
			if t.FoundBy == BySecurityReview && t.Severity == sev {
				n++
				c.Refs = append(c.Refs, Ref{Kind: "threat", ID: m.SystemID + "/" + t.ID, Label: fmt.Sprintf("%s (%s)", t.Title, m.Label())})
			}
		}
	}
	c.Got, c.OK = fmt.Sprint(n), n <= max && len(window) > 0
	return c
}

func mediumShareCheck(window []ReviewedModel, max float64) Check {
	c := Check{What: "share of medium threats added by security", Want: fmt.Sprintf("≤ %.0f %%", max*100)}
	all, sec := 0, 0
	for _, m := range window {
		for _, t := range m.Threats {
			if t.Severity != "medium" || t.FoundBy == ByTool {
				continue
			}
			all++
			if t.FoundBy == BySecurityReview {
				sec++
				c.Refs = append(c.Refs, Ref{Kind: "threat", ID: m.SystemID + "/" + t.ID, Label: fmt.Sprintf("%s (%s)", t.Title, m.Label())})
			}
		}
	}
	if all == 0 {
		c.Got, c.OK = "no medium threats", len(window) > 0
		return c
	}
	share := float64(sec) / float64(all)
	c.Got, c.OK = fmt.Sprintf("%.0f %% (%d of %d)", share*100, sec, all), share <= max+1e-9
	return c
}

func escapeCheck(es []Escape, sev string, since time.Time, max int) Check {
	got := escapesSince(es, sev, since)
	return Check{What: sev + " escapes since " + since.UTC().Format(time.DateOnly), Want: fmt.Sprintf("≤ %d", max), Got: fmt.Sprint(len(got)),
		OK: len(got) <= max, Refs: escapeRefs(got)}
}

func escapesSince(es []Escape, sev string, since time.Time) []Escape {
	var out []Escape
	for _, e := range es {
		if e.Severity == sev && !e.Found.Before(since) {
			out = append(out, e)
		}
	}
	return out
}

func escapeRefs(es []Escape) []Ref {
	var out []Ref
	for _, e := range es {
		out = append(out, Ref{Kind: "outside_finding", ID: e.ID, Label: fmt.Sprintf("%s (%s, %s, %s)", e.Title, e.Severity, e.SystemID, e.Found.UTC().Format(time.DateOnly))})
	}
	return out
}

func monthsBetween(a, b time.Time) int {
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return max(m, 0)
}

// atMost says "no Xs" for 0, else "at most n X(s)".
func atMost(n int, one, many string) string {
	if n == 0 {
		return "no " + many
	}
	return "at most " + plural(n, one, many)
}
