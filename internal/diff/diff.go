// Package diff compares two analysed versions of a threat model and says
// what the change means for security: elements added, removed or changed,
// new boundary crossings, sensitive data newly carried or stored, findings
// that appeared, disappeared or changed severity or status, decisions,
// mitigations, assumptions and questions that changed, and a verdict — more
// or less risk, and whether the change adds an open finding at or above a
// threshold. It reads two canonical results (and, optionally, the models
// behind them); it does no I/O. The JSON form is the contract "ward.diff/v1"
// (docs/json.md).
package diff

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/report"
)

// Schema identifies the JSON contract. Additive changes keep it.
const Schema = "ward.diff/v1"

// Side is one version of the model: its canonical result and, optionally,
// the model it was built from (for facts the result does not carry, such
// as third_party and encryption_at_rest).
type Side struct {
	// Label names the version for people: a path or "git:REV".
	Label  string
	Result *report.Result
	Model  *model.Model
}

// Diff is what changed between two versions of a model.
type Diff struct {
	Schema      string           `json:"schema"`
	Old         Version          `json:"old"`
	New         Version          `json:"new"`
	Summary     Summary          `json:"summary"`
	Findings    []FindingChange  `json:"findings"`
	Elements    []ElementChange  `json:"elements"`
	Crossings   []Crossing       `json:"crossings"`
	Exposures   []Exposure       `json:"exposures"`
	Decisions   []DecisionChange `json:"decisions"`
	Mitigations []StatusChange   `json:"mitigations"`
	Assumptions []StatusChange   `json:"assumptions"`
	Questions   []QuestionChange `json:"questions"`
}

// Version describes one side of the comparison.
type Version struct {
	Label  string   `json:"label"`
	System string   `json:"system"`
	Files  []string `json:"files"`
	Open   int      `json:"open"`
	Worst  string   `json:"worst"`
}

// Summary is the verdict at a glance.
type Summary struct {
	// Verdict is more, less, mixed or same: whether open risk went up, down,
	// both (some findings worse, some better) or neither.
	Verdict string `json:"verdict"`
	// OpenBefore and OpenAfter count open findings.
	OpenBefore int `json:"open_before"`
	OpenAfter  int `json:"open_after"`
	// BySeverity is the net change in open findings by residual severity.
	BySeverity map[string]int `json:"by_severity"`
	// Worse counts findings the change made worse: new and open, re-opened,
	// or open with a higher severity. WorstAdded is the highest severity
	// among them ("none" if none).
	Worse      int    `json:"worse"`
	WorstAdded string `json:"worst_added"`
	// Better counts open findings that went away, closed or became less severe.
	Better int `json:"better"`
	// Changes counts every change listed in the diff.
	Changes int `json:"changes"`
}

// Finding change kinds.
const (
	Appeared    = "appeared"
	Disappeared = "disappeared"
	Reopened    = "reopened"
	Closed      = "closed"
	Raised      = "raised"
	Lowered     = "lowered"
	Restatus    = "status"
)

// Element and list change kinds.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
	// Orphaned is a decision still in the model whose finding is gone.
	Orphaned = "orphaned"
	// Withheld is a decision still in the model, on a finding that is still
	// there, that no longer applies: a hop joined the merged threat after the
	// decision was taken (its covers do not list it; docs/risk.md).
	Withheld = "withheld"
)

// FindingState is a finding on one side.
type FindingState struct {
	Severity string `json:"severity"`
	Score    int    `json:"score"`
	Status   string `json:"status"`
	Reopened string `json:"reopened,omitempty"`
	// FoldedStatus is, on a side where the threat was folded into another
	// (FindingChange.Fold) whose status differs from its own (an
	// unverified threat folded into an open one), its own status there;
	// Status is the fold's. Changes are read from the threat's own status.
	FoldedStatus string `json:"folded_status,omitempty"`
}

// Own is the threat's own status on that side: FoldedStatus when it was
// folded with a status of its own, else Status.
func (s *FindingState) Own() string {
	if s.FoldedStatus != "" {
		return s.FoldedStatus
	}
	return s.Status
}

// FindingChange is a finding that appeared, disappeared or changed.
type FindingChange struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Rule   string `json:"rule"`
	Change string `json:"change"`
	// Old is absent for an appeared finding, New for a disappeared one.
	Old *FindingState `json:"old,omitempty"`
	New *FindingState `json:"new,omitempty"`
	// Worse is true when the change adds open risk; Better when it removes it.
	Worse    bool             `json:"worse"`
	Better   bool             `json:"better"`
	Targets  []report.Target  `json:"targets"`
	Location *report.Location `json:"location,omitempty"`
	// Fold is, for a threat folded into another on one side only (it
	// restated that threat on its line, docs/json.md `folded`), the id of
	// the threat it was folded into: its state on that side is that
	// threat's, and only a change of status is listed.
	Fold string `json:"fold,omitempty"`
}

// Severity is the finding's severity on the newest side it exists on.
func (f FindingChange) Severity() string {
	if f.New != nil {
		return f.New.Severity
	}
	return f.Old.Severity
}

// Field is one changed field of an element. Lists also say which items
// were added and removed.
type Field struct {
	Field   string   `json:"field"`
	Old     string   `json:"old"`
	New     string   `json:"new"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// OldInferred and NewInferred are true when Ward read that side's
	// value from the element's words because the model left it out (the
	// result's `inferred` lists): a component's kind, an asset's kind, or
	// an asset's data and the needs that follow from it.
	OldInferred bool `json:"old_inferred,omitempty"`
	NewInferred bool `json:"new_inferred,omitempty"`
}

// ElementChange is a component, flow, boundary or asset added, removed or changed.
type ElementChange struct {
	Kind     string           `json:"kind"`
	ID       string           `json:"id"`
	Name     string           `json:"name,omitempty"`
	Change   string           `json:"change"`
	Fields   []Field          `json:"fields"`
	Location *report.Location `json:"location,omitempty"`
}

// Crossing is a flow that now crosses a trust boundary: a new crossing flow,
// or an existing flow whose ends moved to different boundaries.
type Crossing struct {
	Flow         string           `json:"flow"`
	From         string           `json:"from"`
	To           string           `json:"to"`
	FromBoundary string           `json:"from_boundary"`
	ToBoundary   string           `json:"to_boundary"`
	FromTrust    string           `json:"from_trust"`
	ToTrust      string           `json:"to_trust"`
	NewFlow      bool             `json:"new_flow"`
	Carries      []string         `json:"carries"`
	Location     *report.Location `json:"location,omitempty"`
}

// Exposure is a sensitive asset newly carried by a flow or newly stored or
// processed by a component.
type Exposure struct {
	Asset          string `json:"asset"`
	Classification string `json:"classification,omitempty"`
	// Data lists the sensitive data kinds the asset holds.
	Data []string `json:"data"`
	// SensitivityInferred is true when the asset's data kinds or its
	// classification were read from its words or taken by default, the
	// model stating nothing of how sensitive it is (the result's
	// `inferred`).
	SensitivityInferred bool `json:"sensitivity_inferred,omitempty"`
	// How is carried, stored or processed; Element is the flow or component.
	How     string `json:"how"`
	Element string `json:"element"`
	// Inferred is true when the component's stores or processes were
	// read from its flows, not stated (the result's `inferred`).
	Inferred bool `json:"inferred,omitempty"`
	// CrossesBoundary is true for a flow that crosses a trust boundary;
	// ThirdParty when the flow's destination or the component is run by
	// another organisation; Trust is the trust level the data lands in.
	CrossesBoundary bool             `json:"crosses_boundary"`
	ThirdParty      bool             `json:"third_party"`
	Trust           string           `json:"trust"`
	Location        *report.Location `json:"location,omitempty"`
}

// DecisionChange is a decision on a generated finding that was added,
// removed or changed.
type DecisionChange struct {
	Finding string           `json:"finding"`
	Change  string           `json:"change"`
	Old     *report.Decision `json:"old,omitempty"`
	New     *report.Decision `json:"new,omitempty"`
	// Location is where an orphaned or withheld decision still is.
	Location *report.Location `json:"location,omitempty"`
	// Why says, for a withheld decision, what joined the threat since.
	Why string `json:"why,omitempty"`
}

// StatusChange is a mitigation or assumption added, removed or whose status
// changed. For assumptions Change is also validated or invalidated.
type StatusChange struct {
	ID       string           `json:"id"`
	Text     string           `json:"text"`
	Change   string           `json:"change"`
	Old      string           `json:"old,omitempty"`
	New      string           `json:"new,omitempty"`
	Location *report.Location `json:"location,omitempty"`
}

// QuestionChange is a question newly raised or answered (gone).
type QuestionChange struct {
	ID       string           `json:"id"`
	Text     string           `json:"text"`
	Change   string           `json:"change"`
	AtStake  string           `json:"at_stake"`
	Location *report.Location `json:"location,omitempty"`
}

// Compare describes what changed from old to new. A side with a nil
// Result is an empty model (for a model that did not exist before).
func Compare(old, new Side) *Diff {
	o, n := orEmptyResult(old.Result), orEmptyResult(new.Result)
	d := &Diff{Schema: Schema, Old: version(old.Label, o), New: version(new.Label, n)}
	d.Findings = findings(o, n)
	d.Elements = elements(old, new, o, n)
	d.Crossings = crossings(o, n)
	d.Exposures = exposures(new.Model, o, n)
	d.Decisions = decisions(o, n)
	d.Mitigations = mitigations(o, n)
	d.Assumptions = assumptions(o, n)
	d.Questions = questions(o, n)
	d.Summary = summarise(d, o, n)
	d.Findings, d.Elements, d.Crossings, d.Exposures = orEmpty(d.Findings), orEmpty(d.Elements), orEmpty(d.Crossings), orEmpty(d.Exposures)
	d.Decisions, d.Mitigations, d.Assumptions, d.Questions = orEmpty(d.Decisions), orEmpty(d.Mitigations), orEmpty(d.Assumptions), orEmpty(d.Questions)
	return d
}

func orEmptyResult(r *report.Result) *report.Result {
	if r != nil {
		return r
	}
	return &report.Result{Summary: report.Summary{Worst: "none", BySeverity: map[string]int{}}}
}

func version(label string, r *report.Result) Version {
	return Version{Label: label, System: r.System.ID, Files: orEmpty(r.Files), Open: r.Summary.Open, Worst: cmp.Or(r.Summary.Worst, "none")}
}

// Worsened returns the findings the change made worse whose severity is at
// or above threshold: what a CI gate on the change fails on. SevNone
// returns nothing.
func (d *Diff) Worsened(threshold model.Severity) []FindingChange {
	if threshold == model.SevNone {
		return nil
	}
	var out []FindingChange
	for _, f := range d.Findings {
		if s, _ := model.ParseSeverity(f.Severity()); f.Worse && s >= threshold {
			out = append(out, f)
		}
	}
	return out
}

// Empty reports whether nothing changed.
func (d *Diff) Empty() bool { return d.Summary.Changes == 0 }

func sev(s string) model.Severity {
	v, _ := model.ParseSeverity(s)
	return v
}

func state(f report.Finding) *FindingState {
	return &FindingState{Severity: f.Severity, Score: f.Score, Status: f.Status, Reopened: f.Reopened}
}

func findings(o, n *report.Result) []FindingChange {
	before := index(o.Findings, func(f report.Finding) string { return f.ID })
	after := index(n.Findings, func(f report.Finding) string { return f.ID })
	// A threat whose id is gone continues as the threat that lists it among
	// its aliases (one weakness on parallel hops merged into one threat,
	// or split again when a hop's status differs), not as one threat gone
	// and another appeared.
	continued := aliasesGone(after, n.Findings)
	split := aliasesGone(before, o.Findings)
	// A threat folded into another when the list was made (it restated
	// that threat on its line) is listed as that threat: one that now
	// stands alone continues the threat it was folded into, and one now
	// folded continues in the threat it went into. Only their statuses
	// are compared (a folded threat is open or unverified, and no more
	// open than the threat it went into; its own severity is not kept).
	wasFolded, nowFolded := foldedInto(o.Findings), foldedInto(n.Findings)
	var out []FindingChange
	for _, f := range n.Findings {
		c := FindingChange{ID: f.ID, Title: f.Title, Rule: f.Rule, New: state(f), Targets: orEmpty(f.Targets), Location: f.Location}
		p, ok := before[f.ID]
		if !ok {
			p, ok = predecessor(f, before, after, split)
		}
		fold := ""
		if !ok {
			p, ok = before[wasFolded[f.ID]]
			fold = wasFolded[f.ID]
		}
		if !ok {
			c.Change, c.Worse = Appeared, f.Status == string(model.StatusOpen)
		} else if c.Fold = fold; !change(&c, p, f, foldedState(p, f.ID, fold != ""), state(f), fold != "") {
			continue
		}
		out = append(out, c)
	}
	for _, f := range o.Findings {
		if _, ok := after[f.ID]; ok || continued[f.ID] != "" || anyIn(f.Aliases, after, before) {
			continue
		}
		c := FindingChange{ID: f.ID, Title: f.Title, Rule: f.Rule, Old: state(f), Targets: orEmpty(f.Targets), Location: f.Location}
		if g, ok := after[nowFolded[f.ID]]; ok {
			if c.Fold = g.ID; change(&c, f, g, state(f), foldedState(g, f.ID, true), true) {
				out = append(out, c)
			}
			continue
		}
		c.Change, c.Better = Disappeared, f.Status == string(model.StatusOpen)
		out = append(out, c)
	}
	// A threat folded on both sides (into the same threat or not) is
	// listed when its own status changed (folded_status): folded as
	// unverified into an open threat, then open itself, it is re-opened
	// though neither threat it went into changed. It is listed as the
	// threat it is now folded into, whose line it restates.
	for _, f := range n.Findings {
		for _, id := range f.Folded {
			p, ok := before[wasFolded[id]]
			if !ok || inList(id, before, after) {
				continue
			}
			c := FindingChange{ID: id, Title: f.Title, Rule: ruleOf(id), Targets: orEmpty(f.Targets), Location: f.Location, Fold: f.ID}
			if change(&c, p, f, foldedState(p, id, true), foldedState(f, id, true), true) && c.Old.Own() != c.New.Own() {
				out = append(out, c)
			}
		}
	}
	// Worse first, then better, then the rest; by severity, then id.
	rank := func(c FindingChange) int {
		switch {
		case c.Worse:
			return 0
		case c.Better:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b FindingChange) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(sev(b.Severity()), sev(a.Severity())), strings.Compare(a.ID, b.ID))
	})
	return out
}

// change sets c's change from old p to new f (the same threat, or the one
// it was folded into on either side: then statusOnly), in states was and
// now (the threat's own status where it was folded, foldedState); false
// when its status (and severity) are unchanged.
func change(c *FindingChange, p, f report.Finding, was, now *FindingState, statusOnly bool) bool {
	c.Old, c.New = was, now
	open, wasOpen := now.Own() == string(model.StatusOpen), was.Own() == string(model.StatusOpen)
	switch {
	case !wasOpen && open:
		c.Change, c.Worse = Reopened, true
	case wasOpen && !open:
		c.Change, c.Better = Closed, true
	case was.Own() != now.Own():
		c.Change = Restatus
	case statusOnly:
		return false
	case sev(f.Severity) > sev(p.Severity):
		c.Change, c.Worse = Raised, open
	case sev(f.Severity) < sev(p.Severity):
		c.Change, c.Better = Lowered, open
	default:
		return false
	}
	return true
}

// foldedState is the state of g, the threat id was folded into when
// folded, with id's own status when g's result records one
// (report.Finding.FoldedStatus: it differs from g's); state(g) otherwise.
func foldedState(g report.Finding, id string, folded bool) *FindingState {
	s := state(g)
	if folded {
		if st := g.FoldedStatus[id]; st != "" && st != g.Status {
			s.FoldedStatus = st
		}
	}
	return s
}

// inList reports whether the threat id is listed on its own on either
// side.
func inList(id string, before, after map[string]report.Finding) bool {
	_, b := before[id]
	_, a := after[id]
	return a || b
}

// ruleOf is the rule of a generated threat's id (rule:target...).
func ruleOf(id string) string {
	r, _, _ := strings.Cut(id, ":")
	return r
}

// foldedInto maps the ids of the threats folded into others (their
// Folded) to the id of the threat that lists them.
func foldedInto(fs []report.Finding) map[string]string {
	m := map[string]string{}
	for _, f := range fs {
		for _, id := range f.Folded {
			m[id] = f.ID
		}
	}
	return m
}

func summarise(d *Diff, o, n *report.Result) Summary {
	s := Summary{OpenBefore: o.Summary.Open, OpenAfter: n.Summary.Open, BySeverity: map[string]int{}, WorstAdded: "none"}
	for _, v := range []model.Severity{model.SevCritical, model.SevHigh, model.SevMedium, model.SevLow, model.SevInfo} {
		s.BySeverity[v.String()] = n.Summary.BySeverity[v.String()] - o.Summary.BySeverity[v.String()]
	}
	var worst model.Severity
	for _, f := range d.Findings {
		if f.Worse {
			s.Worse++
			worst = max(worst, sev(f.Severity()))
		}
		if f.Better {
			s.Better++
		}
	}
	s.WorstAdded = worst.String()
	switch {
	case s.Worse > 0 && s.Better > 0:
		s.Verdict = "mixed"
	case s.Worse > 0:
		s.Verdict = "more"
	case s.Better > 0:
		s.Verdict = "less"
	default:
		s.Verdict = "same"
	}
	s.Changes = len(d.Findings) + len(d.Elements) + len(d.Crossings) + len(d.Exposures) + len(d.Decisions) +
		len(d.Mitigations) + len(d.Assumptions) + len(d.Questions)
	return s
}

func decisions(o, n *report.Result) []DecisionChange {
	get := func(r *report.Result) (map[string]*report.Decision, []string) {
		m := map[string]*report.Decision{}
		var ids []string
		for _, f := range r.Findings {
			if f.Decision != nil {
				m[f.ID] = f.Decision
				ids = append(ids, f.ID)
			}
		}
		return m, ids
	}
	before, oids := get(o)
	after, nids := get(n)
	var out []DecisionChange
	for _, id := range nids {
		d, p := after[id], before[id]
		switch {
		case p == nil:
			out = append(out, DecisionChange{Finding: id, Change: Added, New: d})
		case p.Status != d.Status || p.Owner != d.Owner || p.Expires != d.Expires || p.Reason != d.Reason:
			out = append(out, DecisionChange{Finding: id, Change: Changed, Old: p, New: d})
		}
	}
	// A decision whose finding went away but that is still in the model is
	// orphaned, not removed; one the analysis withheld (a hop joined the
	// merged threat it was taken on) is withheld, not removed: the analysis
	// warns about both.
	orphans := map[string]*report.Location{}
	withheld := map[string]report.Warning{}
	for _, w := range n.Warnings {
		var id string
		if _, err := fmt.Sscanf(w.Message, "decision for finding %q matches no finding", &id); err == nil {
			orphans[id] = w.Location
		} else if id, _, ok := withheldDecision(w.Message); ok {
			withheld[id] = w
		}
	}
	for _, id := range oids {
		if after[id] == nil {
			if at, ok := orphans[id]; ok {
				out = append(out, DecisionChange{Finding: id, Change: Orphaned, Old: before[id], Location: at})
				continue
			}
			if w, ok := withheld[id]; ok {
				_, why, _ := withheldDecision(w.Message)
				out = append(out, DecisionChange{Finding: id, Change: Withheld, Old: before[id], Location: w.Location, Why: why})
				continue
			}
			out = append(out, DecisionChange{Finding: id, Change: Removed, Old: before[id]})
		}
	}
	slices.SortStableFunc(out, func(a, b DecisionChange) int { return strings.Compare(a.Finding, b.Finding) })
	return out
}

// withheldDecision reads the analysis's warning for a decision it did not
// apply because hops joined the merged threat since (analysis/covers.go):
// the finding's id and what joined.
func withheldDecision(msg string) (id, why string, ok bool) {
	const prefix = "decision for finding "
	rest, found := strings.CutPrefix(msg, prefix)
	if !found {
		return "", "", false
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return "", "", false
	}
	_, why, found = strings.Cut(rest[len(q):], ") does not apply: ")
	if !found {
		return "", "", false
	}
	id, err = strconv.Unquote(q)
	return id, why, err == nil
}

func mitigations(o, n *report.Result) []StatusChange {
	id := func(m report.Mitigation) string { return m.ID }
	return statuses(o.Mitigations, n.Mitigations, id,
		func(m report.Mitigation) StatusChange {
			return StatusChange{ID: m.ID, Text: m.Title, New: m.Status, Location: m.Location}
		}, func(string, string) string { return Changed })
}

func assumptions(o, n *report.Result) []StatusChange {
	id := func(a report.Assumption) string { return a.ID }
	return statuses(o.Assumptions, n.Assumptions, id,
		func(a report.Assumption) StatusChange {
			return StatusChange{ID: a.ID, Text: a.Text, New: a.Status, Location: a.Location}
		}, func(_, now string) string {
			switch model.AssumptionStatus(now) {
			case model.AssumptionInvalidated:
				return "invalidated"
			case model.AssumptionValidated:
				return "validated"
			}
			return Changed
		})
}

// statuses compares two lists of things with a status.
func statuses[T any](o, n []T, id func(T) string, conv func(T) StatusChange, kind func(old, new string) string) []StatusChange {
	before := index(o, id)
	after := index(n, id)
	var out []StatusChange
	for _, x := range n {
		c := conv(x)
		p, ok := before[c.ID]
		if !ok {
			c.Change = Added
			out = append(out, c)
			continue
		}
		if old := conv(p).New; old != c.New {
			c.Old, c.Change = old, kind(old, c.New)
			out = append(out, c)
		}
	}
	for _, x := range o {
		if _, ok := after[id(x)]; !ok {
			c := conv(x)
			c.Old, c.New, c.Change = c.New, "", Removed
			out = append(out, c)
		}
	}
	return out
}

func questions(o, n *report.Result) []QuestionChange {
	before := index(o.Questions, func(q report.Question) string { return q.ID })
	after := index(n.Questions, func(q report.Question) string { return q.ID })
	var out []QuestionChange
	for _, q := range n.Questions {
		if _, ok := before[q.ID]; !ok {
			out = append(out, QuestionChange{ID: q.ID, Text: q.Text, Change: "raised", AtStake: q.AtStake, Location: q.Location})
		}
	}
	for _, q := range o.Questions {
		if _, ok := after[q.ID]; !ok {
			out = append(out, QuestionChange{ID: q.ID, Text: q.Text, Change: "answered", AtStake: q.AtStake})
		}
	}
	return out
}

// aliasesGone maps the aliases of fs that are not themselves ids in ids to
// the id of the threat listing them.
func aliasesGone(ids map[string]report.Finding, fs []report.Finding) map[string]string {
	m := map[string]string{}
	for _, f := range fs {
		for _, a := range f.Aliases {
			if _, ok := ids[a]; !ok {
				m[a] = f.ID
			}
		}
	}
	return m
}

// predecessor returns the old threat f continues, f's id being new: among
// f's aliases gone from the new result, the one that was open if any (so
// a stated gap folded into a merged threat shows as closed), else the
// first; or the old threat that listed f's id among its aliases.
func predecessor(f report.Finding, before, after map[string]report.Finding, split map[string]string) (report.Finding, bool) {
	var p report.Finding
	ok := false
	for _, a := range f.Aliases {
		if _, now := after[a]; now {
			continue
		}
		if q, was := before[a]; was && (!ok || q.Status == string(model.StatusOpen) && p.Status != string(model.StatusOpen)) {
			p, ok = q, true
		}
	}
	if !ok {
		if id := split[f.ID]; id != "" {
			p, ok = before[id]
		}
	}
	return p, ok
}

// anyIn reports whether one of the old threat's aliases gone from the old
// result is an id in the new one (a merged threat split again).
func anyIn(aliases []string, after, before map[string]report.Finding) bool {
	for _, a := range aliases {
		if _, was := before[a]; was {
			continue
		}
		if _, ok := after[a]; ok {
			return true
		}
	}
	return false
}

func index[T any](xs []T, id func(T) string) map[string]T {
	m := make(map[string]T, len(xs))
	for _, x := range xs {
		m[id(x)] = x
	}
	return m
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
