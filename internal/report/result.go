// Package report turns an analysis into the canonical result, Ward's
// versioned JSON contract (schema "ward.result/v2", see docs/json.md), and
// renders that one result in every output format: text, Markdown and JSON.
// Each format is a handler over the same Result, with golden-file tests.
package report

import (
	"sort"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
)

// Schema identifies the JSON contract. Additive changes keep it; anything
// that removes or changes the meaning of a field bumps it. v2: findings
// include unverified threats (status "unverified"), questions are grouped
// per element and ranked by the risk their answer moves.
const Schema = "ward.result/v2"

// Result is the canonical result of analysing one model.
type Result struct {
	Schema      string         `json:"schema"`
	Tool        Tool           `json:"tool"`
	Generated   string         `json:"generated"`
	System      System         `json:"system"`
	Scope       Scope          `json:"scope"`
	Summary     Summary        `json:"summary"`
	Findings    []Finding      `json:"findings"`
	Questions   []Question     `json:"questions"`
	Assets      []Asset        `json:"assets"`
	Boundaries  []Boundary     `json:"boundaries"`
	Components  []Component    `json:"components"`
	Flows       []Flow         `json:"flows"`
	Mitigations []Mitigation   `json:"mitigations"`
	Assumptions []Assumption   `json:"assumptions"`
	Warnings    []Warning      `json:"warnings"`
	Files       []string       `json:"files"`
	Rules       map[string]int `json:"rules"`
	// Paths lists the weakest attack paths from entry points to critical
	// assets, at most ResultPaths, weakest first (docs/paths.md).
	Paths []AttackPath `json:"paths"`
	// RuleDocs documents every rule that produced a finding, sorted by id.
	RuleDocs []RuleInfo `json:"rule_docs"`

	// qindex is the questions' index by id made by BuildOnly for the text
	// renderer (PartTextIndex), or nil.
	qindex *questionIndexOf
}

// RuleInfo is the documentation of a rule that produced a finding: what
// SARIF, trackers and dashboards show next to the finding.
type RuleInfo struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Category    string   `json:"category"`
	Doc         string   `json:"doc"`
	CWE         []int    `json:"cwe"`
	CAPEC       []int    `json:"capec"`
	Mitigations []string `json:"mitigations"`
	References  []string `json:"references"`
	// Origin is builtin or custom.
	Origin string `json:"origin"`
}

// Tool names the program that produced the result.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// System is the modelled system.
type System struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Team        string   `json:"team,omitempty"`
	Contacts    []string `json:"contacts,omitempty"`
	Criticality string   `json:"criticality,omitempty"`
}

// Scope is what is in and out of scope.
type Scope struct {
	In  []ScopeItem `json:"in"`
	Out []ScopeItem `json:"out"`
}

// ScopeItem is one scope line.
type ScopeItem struct {
	What string `json:"what"`
	Why  string `json:"why,omitempty"`
}

// Summary counts what matters at a glance.
type Summary struct {
	Findings int `json:"findings"`
	Open     int `json:"open"`
	// Unverified counts threats not known to be mitigated.
	Unverified int `json:"unverified"`
	// UnverifiedBySeverity counts unverified threats by residual severity.
	UnverifiedBySeverity map[string]int `json:"unverified_by_severity"`
	// BySeverity counts open findings by residual severity.
	BySeverity map[string]int `json:"by_severity"`
	// ByStatus counts all findings by status.
	ByStatus map[string]int `json:"by_status"`
	// ByCategory counts open findings by STRIDE category.
	ByCategory map[string]int `json:"by_category"`
	// ByAsset counts open findings by asset at stake.
	ByAsset   map[string]int `json:"by_asset"`
	Questions int            `json:"questions"`
	// Worst is the highest residual severity among open findings ("none" if none).
	Worst string `json:"worst"`
	// Accepted lists accepted findings with their owner and end date.
	Accepted []Accepted `json:"accepted"`
	// Inferred counts the facts Ward read from the elements' words because
	// the model left them out (ward help inference); absent when the
	// model states them all.
	Inferred *InferredCount `json:"inferred,omitempty"`
}

// InferredCount counts the facts the loader inferred: components stated
// as services that took the kind their name names, assets whose kind
// (credential, money) and whose data kinds were read from their words.
type InferredCount struct {
	ComponentKinds int `json:"component_kinds"`
	AssetKinds     int `json:"asset_kinds"`
	AssetData      int `json:"asset_data"`
	// ComponentFlags counts the admin and paid flags read from a
	// component's name and the flows into it (model.InferFlags).
	ComponentFlags int `json:"component_flags,omitempty"`
	// ComponentAssets counts the components whose stores or processes
	// were read from their flows (model.InferHeld).
	ComponentAssets int `json:"component_assets,omitempty"`
	// AssetClasses counts the data assets taken as confidential because
	// nothing states how sensitive they are (model.InferAsset).
	AssetClasses int `json:"asset_classifications,omitempty"`
	// FlowCarries counts the flows whose carried assets were read from
	// what the store they reach holds (model.InferCarried).
	FlowCarries int `json:"flow_carries,omitempty"`
}

// Total is the number of inferred facts.
func (n *InferredCount) Total() int {
	if n == nil {
		return 0
	}
	return n.ComponentKinds + n.AssetKinds + n.AssetData + n.ComponentFlags + n.ComponentAssets + n.AssetClasses + n.FlowCarries
}

// countInferred counts m's inferred facts, nil when there are none.
func countInferred(m *model.Model) *InferredCount {
	var n InferredCount
	for _, c := range m.Components {
		if c.Inferred&model.InferredComponentKind != 0 {
			n.ComponentKinds++
		}
		if c.Inferred&model.InferredAdmin != 0 {
			n.ComponentFlags++
		}
		if c.Inferred&model.InferredPaid != 0 {
			n.ComponentFlags++
		}
		if c.Inferred&(model.InferredStores|model.InferredProcesses) != 0 {
			n.ComponentAssets++
		}
	}
	for _, a := range m.Assets {
		if a.Inferred&model.InferredKind != 0 {
			n.AssetKinds++
		}
		if a.Inferred&model.InferredData != 0 {
			n.AssetData++
		}
		if a.Inferred&model.InferredClass != 0 {
			n.AssetClasses++
		}
	}
	for _, f := range m.Flows {
		if f.Inferred&model.InferredCarries != 0 {
			n.FlowCarries++
		}
	}
	if n.Total() == 0 {
		return nil
	}
	return &n
}

// Accepted is one accepted risk.
type Accepted struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`
}

// Location is a place in a model file.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

func loc(p model.Pos) *Location {
	if p.IsZero() {
		return nil
	}
	return &Location{File: p.File, Line: p.Line, Col: p.Col}
}

// Target is an element a finding is about: a component, flow, boundary or
// asset, or the system for findings on the model as a whole. Flows carry
// their ends.
type Target struct {
	Kind     string    `json:"kind"`
	ID       string    `json:"id"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Location *Location `json:"location,omitempty"`
}

// Risk is a likelihood and impact pair with its score and band.
type Risk struct {
	Likelihood      int    `json:"likelihood"`
	LikelihoodLabel string `json:"likelihood_label"`
	Impact          int    `json:"impact"`
	ImpactLabel     string `json:"impact_label"`
	Score           int    `json:"score"`
	Severity        string `json:"severity"`
}

// zeroRisk stands for a nil risk (a Finding built by hand).
var zeroRisk Risk

// riskOr returns r, or a zero Risk if r is nil.
func riskOr(r *Risk) *Risk {
	if r == nil {
		return &zeroRisk
	}
	return r
}

// Finding is a threat in the result. Severity is the residual severity.
type Finding struct {
	ID   string `json:"id"`
	Rank int    `json:"rank"`
	Rule string `json:"rule"`
	// Origin is builtin, custom or people (written in the model).
	Origin      string   `json:"origin"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Category    string   `json:"category"`
	Categories  []string `json:"categories"`
	Severity    string   `json:"severity"`
	Score       int      `json:"score"`
	Status      string   `json:"status"`
	Reopened    string   `json:"reopened,omitempty"`
	FoundBy     string   `json:"found_by"`
	Targets     []Target `json:"targets"`
	Assets      []string `json:"assets"`
	// The risks are shared between findings (report.Build makes one per
	// distinct value: at N=10,000 they were a third of a Finding's size), so
	// they are read-only; a Finding built by hand may leave them nil.
	Inherent  *Risk    `json:"inherent"`
	Residual  *Risk    `json:"residual"`
	Projected *Risk    `json:"projected"`
	Rationale []string `json:"rationale"`
	// The references and suggested mitigations are its rule's: Build
	// shares one FindingRefs per rule (a large result has a million
	// findings). JSON has their members here, in the finding's object
	// (encoding/json flattens the embedded struct); read them with CWE,
	// CAPEC, Suggested and References, which allow a nil FindingRefs.
	*FindingRefs
	Mitigations []string  `json:"mitigations"`
	Decision    *Decision `json:"decision,omitempty"`
	Location    *Location `json:"location,omitempty"`
	// Aliases are earlier ids of the threat that decisions may still use.
	Aliases []string `json:"aliases,omitempty"`
	// Folded are the ids of the threats folded into this one when the
	// list was made (restating it on its line): not listed apart, and
	// their decisions do not apply here.
	Folded []string `json:"folded,omitempty"`
	// FoldedStatus is the own status of each folded threat whose status
	// differs from this one's (an unverified threat folded into an open
	// one), nil when none does.
	FoldedStatus map[string]string `json:"folded_status,omitempty"`
	// Questions are the ids of the questions that would settle an
	// unverified threat.
	Questions []string `json:"questions,omitempty"`
}

// FindingRefs are a finding's CWE and CAPEC ids, suggested mitigations and
// references. Read-only: findings share them.
type FindingRefs struct {
	CWE        []int    `json:"cwe"`
	CAPEC      []int    `json:"capec"`
	Suggested  []string `json:"suggested_mitigations"`
	References []string `json:"references"`
}

// CWE lists the finding's CWE ids (nil without FindingRefs).
func (f *Finding) CWE() []int {
	if f.FindingRefs == nil {
		return nil
	}
	return f.FindingRefs.CWE
}

// CAPEC lists the finding's CAPEC ids.
func (f *Finding) CAPEC() []int {
	if f.FindingRefs == nil {
		return nil
	}
	return f.FindingRefs.CAPEC
}

// Suggested lists the mitigations the finding's rule suggests.
func (f *Finding) Suggested() []string {
	if f.FindingRefs == nil {
		return nil
	}
	return f.FindingRefs.Suggested
}

// References lists the finding's references.
func (f *Finding) References() []string {
	if f.FindingRefs == nil {
		return nil
	}
	return f.FindingRefs.References
}

// Decision is what the team decided on a generated finding.
type Decision struct {
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Owner   string `json:"owner,omitempty"`
	Expires string `json:"expires,omitempty"`
	// Covers are, for a decision on a merged threat, the hops (the ids of
	// the threats merged into it) the decision was taken on (docs/risk.md).
	Covers   []string  `json:"covers,omitempty"`
	Location *Location `json:"location,omitempty"`
}

// Question is something the team must answer in the model.
type Question struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Element is shared by the element's questions (report.Build makes one
	// per element: embedded, the target was ≈ 30 % of a Question's size),
	// so it is read-only; Build always sets it.
	Element  *Target   `json:"element"`
	Key      string    `json:"key"`
	Rules    []string  `json:"rules"`
	AtStake  string    `json:"at_stake"`
	Location *Location `json:"location,omitempty"`
	// Moves is how much risk the answer moves: the sum of the inherent
	// scores of the unverified threats it settles. Questions are ranked by it.
	Moves int `json:"moves"`
	// First marks the questions to answer first.
	First bool `json:"first"`
	// Threats are the ids of the unverified threats the answer settles.
	Threats []string `json:"threats"`
	// More groups an element's further questions under one entry (whose
	// key is "*"), so the list stays short; each has the fields above.
	More []Question `json:"more,omitempty"`
}

// Asset is an asset with what is at stake for it.
type Asset struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Kind           string   `json:"kind"`
	Classification string   `json:"classification,omitempty"`
	Data           []string `json:"data"`
	// Inferred names the facts Ward read from the asset's words because
	// the model left them out ("kind", "data"); absent when all were
	// stated.
	Inferred        []string `json:"inferred,omitempty"`
	Confidentiality string   `json:"confidentiality"`
	Integrity       string   `json:"integrity"`
	Availability    string   `json:"availability"`
	Open            int      `json:"open_findings"`
	Worst           string   `json:"worst"`
}

// Boundary is a trust boundary.
type Boundary struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Trust  string `json:"trust"`
	Parent string `json:"parent,omitempty"`
}

// Component is an element with its worst open risk.
type Component struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Inferred names the facts Ward read from the component's name
	// because the model left them out ("kind": stated as a service;
	// "admin", "paid": flags read from its name and the flows into it).
	Inferred   []string          `json:"inferred,omitempty"`
	Boundary   string            `json:"boundary,omitempty"`
	Tech       string            `json:"tech,omitempty"`
	OutOfScope bool              `json:"out_of_scope,omitempty"`
	Stores     []string          `json:"stores"`
	Processes  []string          `json:"processes"`
	Controls   map[string]string `json:"controls"`
	Worst      string            `json:"worst"`
	Location   *Location         `json:"location,omitempty"`
}

// Flow is a data flow.
type Flow struct {
	ID             string   `json:"id"`
	From           string   `json:"from"`
	To             string   `json:"to"`
	Protocol       string   `json:"protocol,omitempty"`
	Port           int      `json:"port,omitempty"`
	Authentication string   `json:"authentication"`
	Encryption     string   `json:"encryption"`
	Carries        []string `json:"carries"`
	// Inferred names the flow's facts Ward read from its ends ("carries":
	// what the store it reaches holds, model.InferCarried).
	Inferred []string  `json:"inferred,omitempty"`
	OneWay   bool      `json:"one_way"`
	Crosses  bool      `json:"crosses_boundary"`
	Worst    string    `json:"worst"`
	Location *Location `json:"location,omitempty"`
}

// Mitigation is a mitigation with what it addresses.
type Mitigation struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Status    string    `json:"status"`
	Owner     string    `json:"owner,omitempty"`
	Ticket    string    `json:"ticket,omitempty"`
	Due       string    `json:"due,omitempty"`
	Overdue   bool      `json:"overdue"`
	Addresses []string  `json:"addresses"`
	Location  *Location `json:"location,omitempty"`
}

// Assumption is an assumption with its validation status.
type Assumption struct {
	ID       string    `json:"id"`
	Text     string    `json:"text"`
	Status   string    `json:"status"`
	Evidence string    `json:"evidence,omitempty"`
	Supports []string  `json:"supports"`
	Location *Location `json:"location,omitempty"`
}

// Warning is a non-fatal problem with the model.
type Warning struct {
	Message  string    `json:"message"`
	Hint     string    `json:"hint,omitempty"`
	Location *Location `json:"location,omitempty"`
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Build makes the canonical result of an analysis.
func Build(a *analysis.Analysis, tool Tool) *Result {
	return BuildOnly(a, tool, AllParts)
}

// BuildOnly is Build with only the given optional parts: the others are
// left nil, so the result is fit only for the formats that do not read
// them (FormatParts).
func BuildOnly(a *analysis.Analysis, tool Tool, parts Parts) *Result {
	m := a.Model
	r := &Result{Schema: Schema, Tool: tool, Generated: a.Now.UTC().Format(time.RFC3339), Files: orEmpty(m.Files),
		System: System{ID: m.System.ID, Name: m.System.Name, Description: m.System.Description, Team: m.System.Team,
			Contacts: m.System.Contacts, Criticality: m.System.Criticality.String()},
		Scope: Scope{In: []ScopeItem{}, Out: []ScopeItem{}}, Rules: map[string]int{}}
	for _, s := range m.Scope.In {
		r.Scope.In = append(r.Scope.In, ScopeItem(s))
	}
	for _, s := range m.Scope.Out {
		r.Scope.Out = append(r.Scope.Out, ScopeItem(s))
	}
	for _, rl := range a.Rules {
		r.Rules[string(rl.Origin)]++
	}
	sum := Summary{BySeverity: map[string]int{}, ByStatus: map[string]int{}, ByCategory: map[string]int{}, ByAsset: map[string]int{},
		UnverifiedBySeverity: map[string]int{}, Accepted: []Accepted{}, Worst: "none"}
	for _, s := range []model.Severity{model.SevCritical, model.SevHigh, model.SevMedium, model.SevLow, model.SevInfo} {
		sum.BySeverity[s.String()] = 0
		sum.UnverifiedBySeverity[s.String()] = 0
	}
	// The findings are written field by field into the zeroed slice: a
	// Finding is ≈ 600 bytes, and building it as a value and appending it
	// copied it with bulk write barriers.
	r.Findings = make([]Finding, len(a.Findings))
	// The fields that depend on one engine finding alone are written on
	// another goroutine (plainFields), and so are the questions and the
	// attack paths; the main loop below writes the rest, which share maps
	// and pools. They write distinct fields of the same findings: no two
	// goroutines write the same memory. They start before the pass that
	// sizes the lists, which reads only the engine's findings, so that
	// they overlap it too (at 10,000 components it is ≈ 40 ms on one core).
	side := buildAside(a, r.Findings, m.System.ID, parts)
	worstAsset := map[string]model.Severity{}
	addressed := map[string][]string{}
	// The per-finding lists are cut from shared backing arrays, each with
	// its exact capacity: one allocation per list kind instead of per finding.
	// Findings on the same element share the engine's list of assets at
	// stake (one backing array): their id lists are shared too, built once.
	// On a large model this list is most of a finding's size. The open
	// findings and worst severity per asset are counted per shared list and
	// spread over its assets at the end: a few rules put model-wide lists
	// (hundreds of assets at N=10,000) at stake for thousands of threats, so
	// counting per asset of every threat grew with the square of the model.
	type assetsKey struct {
		first **model.Asset
		n     int
	}
	type assetList struct {
		assets []*model.Asset
		ids    []string
		open   int
		worst  model.Severity
	}
	listOf := map[assetsKey]int{} // 1 + index in lists
	// Most findings have one target, and the findings on an element share
	// its one-target list (targets are read-only after Build, as locations).
	// What Build keeps per element (that list, the worst open severity, the
	// element's location) is found by one map lookup per finding, here,
	// and the lookups' outcomes are kept per finding for the loop below:
	// on a large model these maps are large and each lookup a cache miss.
	nel := len(m.Components) + len(m.Flows) + len(m.Boundaries) + len(m.Assets) + 1
	ix := newElemIndex(m)
	fel := make([]int32, len(a.Findings))   // each finding's first target's element, -1 for none
	flist := make([]int32, len(a.Findings)) // each finding's list of assets at stake, -1 for none
	// The elements of the findings with other than one target, in order:
	// the main loop reads them here instead of looking each up again.
	var tel []int32
	var ncat, ntg, nas, nmit int
	for i, f := range a.Findings {
		nmit += len(f.Mitigations)
		if len(f.Categories) != 1 {
			ncat += len(f.Categories)
		}
		fel[i] = -1
		if len(f.Targets) > 0 {
			fel[i] = ix.of(f.Targets[0])
		}
		if len(f.Targets) != 1 {
			ntg += len(f.Targets)
			if len(f.Targets) > 0 {
				tel = append(tel, fel[i])
				for _, t := range f.Targets[1:] {
					tel = append(tel, ix.of(t))
				}
			}
		} else if e := &ix.els[fel[i]]; !e.lone {
			e.lone = true
			ntg++
		}
		flist[i] = -1
		if len(f.Assets) > 0 {
			k := assetsKey{&f.Assets[0], len(f.Assets)}
			l := listOf[k]
			if l == 0 {
				l = len(listOf) + 1
				listOf[k], nas = l, nas+len(f.Assets)
			}
			flist[i] = int32(l - 1)
		}
	}
	els := ix.els
	lists := make([]assetList, len(listOf))
	catSlab, tgSlab, asSlab := make([]string, 0, ncat), make([]Target, 0, ntg), make([]string, 0, nas)
	// The targets of the findings with several that repeat an element's
	// first target are copied after the loop, on all cores (copyTargets):
	// the loop notes only where from and where to. At 10,000 components
	// these copies are most of the loop's time.
	copies := make([]slotCopy, 0, ntg)
	mitSlab := make([]string, 0, nmit)
	locs := locPool{size: nel}
	var risks riskPool
	// Categories by number (cats): the one-category lists, shared by
	// category, and the open findings per category.
	var cats catIndex
	var oneCat [][]string
	var openCat []int
	// Open and unverified findings per residual severity.
	var openSev, unverSev [256]int
	empty := []string{}
	// target writes the Target of element e into *dst, made once per element
	// and copied after that; at is dst's index in tgSlab.
	target := func(dst *Target, e *elemInfo, at int) {
		if e.tg != 0 {
			*dst = tgSlab[e.tg-1]
			return
		}
		setTargetAt(dst, e.t, m.System.ID, e.location(&locs))
		e.tg = int32(at + 1)
	}
	// Findings are ranked, so statuses come in runs: count a run at a time.
	var last model.Status
	lastN := 0
	var worst model.Severity
	for i, f := range a.Findings {
		x := &r.Findings[i]
		open := f.Open()
		sev := f.Residual.Severity
		x.Inherent, x.Residual, x.Projected = risks.of(f.Inherent), risks.of(f.Residual), risks.of(f.Projected)
		var e *elemInfo
		if fel[i] >= 0 {
			e = &els[fel[i]]
		}
		if e != nil && f.Pos == e.pos { // a generated threat is where its element is
			x.Location = e.location(&locs)
		} else {
			x.Location = locs.at(f.Pos)
		}
		if len(f.Categories) == 1 { // a generated threat's: one list per category
			c := cats.of(f.Categories[0])
			for len(oneCat) <= c {
				oneCat = append(oneCat, nil)
			}
			if x.Categories = oneCat[c]; x.Categories == nil {
				x.Categories = []string{string(f.Categories[0])}
				oneCat[c] = x.Categories
			}
		} else {
			x.Categories, catSlab = catSlab[len(catSlab):len(catSlab)+len(f.Categories):len(catSlab)+len(f.Categories)], catSlab[:len(catSlab)+len(f.Categories)]
			for j, c := range f.Categories {
				x.Categories[j] = string(c)
			}
		}
		if len(f.Targets) == 1 {
			k := int(e.slab)
			if k == 0 {
				k = len(tgSlab) + 1
				tgSlab = tgSlab[:k]
				target(&tgSlab[k-1], e, k-1)
				e.slab = int32(k)
			}
			x.Targets = tgSlab[k-1 : k : k]
			if open {
				e.worst = max(e.worst, sev)
			}
		} else {
			at := len(tgSlab)
			x.Targets, tgSlab = tgSlab[at:at+len(f.Targets):at+len(f.Targets)], tgSlab[:at+len(f.Targets)]
			for j := range f.Targets {
				o := &els[tel[j]]
				if o.tg != 0 {
					copies = append(copies, slotCopy{int32(at + j), o.tg - 1})
				} else {
					target(&x.Targets[j], o, at+j)
				}
				if open {
					o.worst = max(o.worst, sev)
				}
			}
			tel = tel[len(f.Targets):]
		}
		x.Assets = empty
		if len(f.Assets) > 0 {
			l := &lists[flist[i]]
			if l.ids == nil {
				l.assets = f.Assets
				l.ids, asSlab = asSlab[len(asSlab):len(asSlab)+len(f.Assets):len(asSlab)+len(f.Assets)], asSlab[:len(asSlab)+len(f.Assets)]
				for j, as := range f.Assets {
					l.ids[j] = as.ID
				}
			}
			x.Assets = l.ids
			if open {
				l.open++
				l.worst = max(l.worst, sev)
			}
		}
		x.Mitigations = empty
		if len(f.Mitigations) > 0 {
			x.Mitigations, mitSlab = mitSlab[len(mitSlab):len(mitSlab)+len(f.Mitigations):len(mitSlab)+len(f.Mitigations)], mitSlab[:len(mitSlab)+len(f.Mitigations)]
		}
		for j, mi := range f.Mitigations {
			x.Mitigations[j] = mi.ID
			addressed[mi.ID] = append(addressed[mi.ID], f.ID)
		}
		sum.Findings++
		if f.Status == last {
			lastN++
		} else {
			if lastN > 0 {
				sum.ByStatus[string(last)] += lastN
			}
			last, lastN = f.Status, 1
		}
		if open {
			sum.Open++
			openSev[sev]++
			if f.Category != "" {
				c := cats.of(f.Category)
				for len(openCat) <= c {
					openCat = append(openCat, 0)
				}
				openCat[c]++
			}
			worst = max(worst, sev)
		}
		if f.Unverified() {
			sum.Unverified++
			unverSev[sev]++
		}
		if f.Status == model.StatusAccepted {
			owner, exp := "", ""
			if f.Decision != nil {
				owner, exp = f.Decision.Owner, f.Decision.Expires.String()
			} else if f.Threat != nil {
				owner, exp = f.Threat.Owner, f.Threat.Expires.String()
			}
			sum.Accepted = append(sum.Accepted, Accepted{ID: f.ID, Title: f.Title, Owner: owner, Expires: exp})
		}
	}
	for s, n := range openSev {
		if n > 0 {
			sum.BySeverity[model.Severity(s).String()] += n
		}
	}
	for s, n := range unverSev {
		if n > 0 {
			sum.UnverifiedBySeverity[model.Severity(s).String()] += n
		}
	}
	for c, n := range openCat {
		if n > 0 {
			sum.ByCategory[string(cats.names[c])] += n
		}
	}
	if lastN > 0 {
		sum.ByStatus[string(last)] += lastN
	}
	// The worst open severity per element id (elements are named by id):
	// a component's or flow's is its element's, found by its number (ix.comp,
	// ix.flow); the others' (boundaries, assets, elements not in the
	// model's lists) are kept by id here.
	worstEl := map[string]model.Severity{}
	for k := range els {
		e := &els[k]
		if e.worst == 0 {
			continue
		}
		if (e.t.Component != nil && m.CompNum(e.t.Component) >= 0) || (e.t.Flow != nil && e.t.Component == nil && m.FlowNum(e.t.Flow) >= 0) {
			continue
		}
		if id := e.t.ID(); e.worst > worstEl[id] {
			worstEl[id] = e.worst
		}
	}
	worstOf := func(slot int32, id string) model.Severity {
		var w model.Severity
		if slot > 0 {
			w = els[slot-1].worst
		}
		if len(worstEl) > 0 {
			w = max(w, worstEl[id])
		}
		return w
	}
	// Open findings per asset (sum.ByAsset, also each asset's count below)
	// and the worst open severity per asset, a list at a time.
	for _, l := range lists {
		if l.open == 0 {
			continue
		}
		for _, as := range l.assets {
			sum.ByAsset[as.ID] += l.open
			if l.worst > worstAsset[as.ID] {
				worstAsset[as.ID] = l.worst
			}
		}
	}
	copyTargets(tgSlab, copies)
	sum.Worst = worst.String()
	sum.Questions = len(a.Questions)
	sum.Inferred = countInferred(m)
	r.Summary = sum
	r.Assets = make([]Asset, 0, len(m.Assets))
	for _, as := range m.Assets {
		x := Asset{ID: as.ID, Name: as.Label(), Kind: string(as.Kind), Classification: as.Classification.String(), Data: []string{},
			Confidentiality: as.Need(model.Confidentiality).String(), Integrity: as.Need(model.Integrity).String(),
			Availability: as.Need(model.Availability).String(), Open: sum.ByAsset[as.ID], Worst: worstAsset[as.ID].String(),
			Inferred: as.InferredFacts()}
		for _, d := range as.Data {
			x.Data = append(x.Data, string(d))
		}
		r.Assets = append(r.Assets, x)
	}
	r.Boundaries = make([]Boundary, 0, len(m.Boundaries))
	for _, b := range m.Boundaries {
		x := Boundary{ID: b.ID, Name: b.Label(), Trust: b.Trust.String()}
		if b.Parent != nil {
			x.Parent = b.Parent.ID
		}
		r.Boundaries = append(r.Boundaries, x)
	}
	side.wait()
	// The components and flows were made aside (elements); only their worst
	// open severity, known now, is left.
	if parts&PartElements != 0 {
		r.Components, r.Flows = side.components, side.flows
		for i, c := range m.Components {
			r.Components[i].Worst = worstOf(ix.comp[i], c.ID).String()
		}
		for i, f := range m.Flows {
			r.Flows[i].Worst = worstOf(ix.flow[i], f.ID).String()
		}
	}
	r.Mitigations = make([]Mitigation, 0, len(m.Mitigations))
	for _, mi := range m.Mitigations {
		overdue := !mi.Due.IsZero() && !mi.Status.Done() && mi.Status != model.MitWontDo && !a.Now.Before(mi.Due.AddDate(0, 0, 1))
		addr := orEmpty(addressed[mi.ID])
		sort.Strings(addr)
		r.Mitigations = append(r.Mitigations, Mitigation{ID: mi.ID, Title: mi.Title, Status: string(mi.Status), Owner: mi.Owner, Ticket: mi.Ticket,
			Due: mi.Due.String(), Overdue: overdue, Addresses: addr, Location: loc(mi.Pos)})
	}
	r.Assumptions = make([]Assumption, 0, len(m.Assumptions))
	for _, as := range m.Assumptions {
		r.Assumptions = append(r.Assumptions, Assumption{ID: as.ID, Text: as.Text, Status: string(as.Status), Evidence: as.Evidence,
			Supports: orEmpty(as.Supports), Location: loc(as.Pos)})
	}
	r.Warnings = make([]Warning, 0, len(a.Warnings))
	for _, w := range a.Warnings {
		r.Warnings = append(r.Warnings, Warning{Message: w.Msg, Hint: w.Hint, Location: loc(w.Pos)})
	}
	r.Questions, r.Paths, r.RuleDocs = side.questions, side.paths, side.docs
	if side.qindex != nil {
		r.qindex = &questionIndexOf{side.qindex, r.Questions}
	}
	return r
}

// ruleDocs documents the rules that produced findings, sorted by id.
func ruleDocs(a *analysis.Analysis) []RuleInfo {
	fired := map[string]bool{}
	for _, f := range a.Findings {
		fired[f.Rule] = true
	}
	out := []RuleInfo{}
	for _, rl := range a.Rules {
		if !fired[rl.ID] {
			continue
		}
		delete(fired, rl.ID) // a rule id appears once
		out = append(out, RuleInfo{ID: rl.ID, Title: rl.Title, Category: string(rl.Category), Doc: rl.Doc, CWE: orEmpty(rl.CWE),
			CAPEC: orEmpty(rl.CAPEC), Mitigations: orEmpty(rl.Mitigations), References: orEmpty(rl.References), Origin: string(rl.Origin)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
