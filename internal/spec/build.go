package spec

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// builder turns parsed documents into a model, checking references,
// duplicates and consistency.
type builder struct {
	m     *model.Model
	diags Diagnostics
	// ids maps every id in the model to where it was first defined and as what.
	ids map[string]idDef
	// decided maps finding ids to their decision.
	decided map[string]*model.Decision
	// order lists ids in the order they were defined, for suggestions.
	order []string
	// comps and assetIDs are the entries of ids that name components and
	// assets, which flows look up a million times at 100,000 components:
	// maps a fraction of the size of ids stay in the processor's cache.
	comps    map[string]*model.Component
	assetIDs map[string]*model.Asset
	// unflagged lists the components that leave admin or paid unstated,
	// whose flags are read once the model is indexed (model.InferFlags).
	unflagged []unflagged
	// flagsStated: some component states paid or third_party; the model
	// is then read as stating who bills per use (model.InferMetered).
	flagsStated bool
}

type unflagged struct {
	c                       *model.Component
	adminStated, paidStated bool
}

// idDef is where an id was first defined, as what, and the model element it
// names. The position is worked out only when a message needs it.
type idDef struct {
	kind string
	e    *elem
	// auto is set for a flow without an id: it is then at the flow itself,
	// not at its id key.
	auto bool
	x    any
}

func (d idDef) pos() model.Pos {
	if d.auto {
		return d.e.pos()
	}
	return d.e.keyPos("id", -1)
}

// known lists the ids of a kind in the order they were defined.
func (b *builder) known(kind string) []string {
	var out []string
	for _, id := range b.order {
		if b.ids[id].kind == kind {
			out = append(out, id)
		}
	}
	return out
}

// build assembles the model from the main document (first) and its includes.
func build(docs []parsed) (*model.Model, Diagnostics) {
	if len(docs) == 0 {
		return nil, nil
	}
	n, nc, na := 0, 0, 0
	for _, p := range docs {
		d := p.doc
		n += len(d.Assets) + len(d.Boundaries) + len(d.Components) + len(d.Mitigations) + len(d.Flows) + len(d.Threats) + len(d.Assumptions)
		nc += len(d.Components)
		na += len(d.Assets)
	}
	b := &builder{m: &model.Model{Version: 1}, ids: make(map[string]idDef, n), order: make([]string, 0, n), decided: map[string]*model.Decision{},
		comps: make(map[string]*model.Component, nc), assetIDs: make(map[string]*model.Asset, na)}
	compactIDs(docs)
	// Each file's flows are made in one slab, on another goroutine for a
	// large model while the ids are defined: making a flow's value needs
	// nothing but its own text, and nothing reads it before the references
	// are resolved (flowsMade).
	nflows := 0
	slabs := make([][]model.Flow, len(docs))
	for i, p := range docs {
		slabs[i] = make([]model.Flow, len(p.doc.Flows))
		nflows += len(p.doc.Flows)
	}
	made := make(chan struct{})
	makeFlows := func() {
		defer close(made)
		for i, p := range docs {
			for j, f := range p.doc.Flows {
				makeFlow(&slabs[i][j], f)
			}
		}
	}
	if nflows >= asideFlows {
		go makeFlows()
	} else {
		makeFlows()
	}
	main := docs[0].doc
	for i, p := range docs {
		if i > 0 {
			b.checkIncluded(p.doc)
		}
	}
	b.header(main)
	// Definitions first (all files), then references, so order across files
	// does not matter.
	for _, p := range docs {
		b.defineAssets(p.doc.Assets)
		for _, bd := range p.doc.Boundaries {
			b.defineBoundary(bd, nil)
		}
		b.defineComponents(p.doc.Components)
		b.defineMitigations(p.doc.Mitigations)
	}
	for i, p := range docs {
		b.defineFlows(p.doc.Flows, slabs[i])
	}
	for _, p := range docs {
		b.defineThreats(p.doc.Threats)
		b.defineAssumptions(p.doc.Assumptions)
	}
	<-made
	// References are looked up in b.ids; the model is indexed once, at the end.
	// A large model's flows are resolved on two goroutines, the first half
	// beside the components, as long as no reference needs a diagnostic
	// (then they are resolved again one by one, below, in order).
	flowsDone := nflows >= asideFlows && b.resolveFlowsAside(docs, func() {
		for _, p := range docs {
			b.resolveComponents(p.doc.Components)
		}
	})
	if nflows < asideFlows {
		for _, p := range docs {
			b.resolveComponents(p.doc.Components)
		}
	}
	for _, p := range docs {
		if !flowsDone {
			b.resolveFlows(p.doc.Flows)
		}
		b.resolveThreats(p.doc.Threats)
		b.decisions(p.doc.Decisions)
		b.resolveAssumptions(p.doc.Assumptions)
	}
	b.dropBrokenFlows()
	model.InferCarried(b.m)
	model.InferHeld(b.m)
	model.InferCarried(b.m)
	b.m.Index()
	// Flags read from a component's name and its place in the model.
	for _, u := range b.unflagged {
		model.InferFlags(u.c, u.adminStated, u.paidStated)
		if !b.flagsStated {
			model.InferMetered(u.c)
		}
	}
	return b.m, b.diags
}

func (b *builder) checkIncluded(d *Document) {
	for _, k := range []struct {
		set bool
		key string
	}{{d.System != nil, "system"}, {d.Scope != nil, "scope"}, {d.Context != nil, "context"}, {len(d.Rules) > 0, "rules"}, {d.Policy != nil, "policy"}} {
		if k.set {
			b.diags.add(d.keyPos(k.key, -1), "%q may only be set in the main model file", "move it to the file that includes this one", k.key)
		}
	}
}

func (b *builder) header(d *Document) {
	if d.System == nil {
		b.diags.add(d.pos(), "the model has no system", "add a `system:` section with at least id and name")
	} else {
		s := d.System
		b.m.System = model.System{ID: s.ID, Name: s.Name, Description: s.Description, Team: s.Team, Contacts: s.Contacts, Pos: s.pos()}
	}
	if sc := d.Scope; sc != nil {
		for _, it := range sc.In {
			b.m.Scope.In = append(b.m.Scope.In, model.ScopeItem{What: it.What, Why: it.Why})
		}
		for _, it := range sc.Out {
			b.m.Scope.Out = append(b.m.Scope.Out, model.ScopeItem{What: it.What, Why: it.Why})
		}
	}
	if c := d.Context; c != nil {
		ctx := &b.m.Context
		ctx.Pos = c.pos()
		ctx.PavedPath, _ = model.ParseTri(c.PavedPath)
		ctx.InternetFacing, _ = model.ParseTri(c.InternetFacing)
		ctx.AuthChanges, _ = model.ParseTri(c.AuthChanges)
		ctx.Criticality, _ = model.ParseLevel(c.Criticality)
		if c.hasKey("sensitive_data") {
			ctx.SensitiveData = []model.DataKind{} // stated: none, as opposed to not answered
		}
		for _, k := range c.SensitiveData {
			ctx.SensitiveData = append(ctx.SensitiveData, model.DataKind(k))
		}
		ctx.NewThirdParties = c.NewThirdParties
		b.m.System.Criticality = ctx.Criticality
	}
	if p := d.Policy; p != nil {
		pol := &b.m.Policy
		pol.FailOnUnverified = p.FailOnUnverified
		if p.hasKey("uncertainty") {
			if p.Uncertainty < 0 || p.Uncertainty > 4 {
				b.diags.add(p.keyPos("uncertainty", -1), "policy uncertainty %d is out of range", "use 0 (unknown ranks like a stated gap) to 4", p.Uncertainty)
			}
			pol.Uncertainty = max(0, min(4, p.Uncertainty))
			if pol.Uncertainty == 0 {
				pol.Uncertainty = -1
			}
		}
		if p.hasKey("max_unverified_per_element") {
			if p.MaxUnverifiedPerElement < 0 {
				b.diags.add(p.keyPos("max_unverified_per_element", -1), "max_unverified_per_element %d is negative", "use 0 to list every unverified threat, or a positive cap", p.MaxUnverifiedPerElement)
			}
			pol.MaxUnverified = p.MaxUnverifiedPerElement
			if pol.MaxUnverified <= 0 {
				pol.MaxUnverified = -1
			}
		}
	}
}

// define records an id, defined by e (at its id key, or at e itself when
// auto), reporting a duplicate with where the first one is. x is the model
// element the id names, filled in once define succeeds.
func (b *builder) define(id, kind string, e *elem, auto bool, x any) bool {
	if id == "" {
		return false
	}
	if prev, ok := b.ids[id]; ok {
		def := idDef{e: e, auto: auto}
		b.diags.add(def.pos(), "duplicate id %q", fmt.Sprintf("the first one is the %s at %s; ids must be unique across the whole model", prev.kind, prev.pos()), id)
		return false
	}
	b.ids[id] = idDef{kind: kind, e: e, auto: auto, x: x}
	b.order = append(b.order, id)
	return true
}

func lookup[T any](b *builder, id string) (x T) {
	x, _ = b.ids[id].x.(T)
	return x
}

func (b *builder) defineAssets(as []*Asset) {
	for _, a := range as {
		x := new(model.Asset)
		if !b.define(a.ID, "asset", &a.elem, false, x) {
			continue
		}
		*x = model.Asset{ID: a.ID, Name: a.Name, Description: a.Description, Kind: model.AssetKind(a.Kind), MustNotStore: a.MustNotStore, Hashed: a.Hashed, Pos: a.pos()}
		x.Value, _ = model.ParseLevel(a.Value)
		x.Classification, _ = model.ParseClassification(a.Classification)
		for _, k := range a.Data {
			x.Data = append(x.Data, model.DataKind(k))
		}
		x.Confidentiality, _ = model.ParseLevel(a.Confidentiality)
		x.Integrity, _ = model.ParseLevel(a.Integrity)
		x.Availability, _ = model.ParseLevel(a.Availability)
		// What a sparse model leaves unstated is read from the asset's
		// words; unknown sensitivity is not taken to mean none.
		model.InferAsset(x, x.Kind != "")
		if x.Kind == "" {
			x.Kind = model.AssetData
		}
		b.assetIDs[a.ID] = x
		b.m.Assets = append(b.m.Assets, x)
	}
}

func (b *builder) defineBoundary(bd *Boundary, parent *model.Boundary) {
	x := new(model.Boundary)
	if !b.define(bd.ID, "boundary", &bd.elem, false, x) {
		return
	}
	*x = model.Boundary{ID: bd.ID, Name: bd.Name, Description: bd.Description, Parent: parent, Pos: bd.pos()}
	x.Trust, _ = model.ParseTrust(bd.Trust)
	if parent != nil {
		parent.Children = append(parent.Children, x)
		if x.Trust != model.TrustUnset && x.Trust < parent.Trust {
			b.diags.warn(bd.keyPos("trust", -1), "boundary %q (%s) is less trusted than the boundary around it, %q (%s)",
				"a nested boundary is usually at least as trusted as its parent; check the trust levels", bd.ID, x.Trust, parent.ID, parent.Trust)
		}
	}
	b.m.Boundaries = append(b.m.Boundaries, x)
	for _, c := range bd.Boundaries {
		b.defineBoundary(c, x)
	}
}

func (b *builder) defineComponents(cs []*Component) {
	// One allocation for the file's components and room in the list for
	// them (a rejected definition leaves its slot unused).
	slab := make([]model.Component, len(cs))
	b.m.Components = slices.Grow(b.m.Components, len(cs))
	for i, c := range cs {
		x := &slab[i]
		if !b.define(c.ID, "component", &c.elem, false, x) {
			continue
		}
		*x = model.Component{ID: c.ID, Name: c.Name, Description: c.Description, Kind: model.ComponentKind(c.Kind), Tech: c.Tech,
			OutOfScope: c.OutOfScope, Admin: c.Admin, Public: c.Public, Paid: c.Paid, ThirdParty: c.ThirdParty, New: c.New,
			Tools: c.Tools, Executes: c.Executes, Tags: c.Tags, EncryptionAtRest: model.AtRest(c.EncryptionAtRest), Pos: c.pos(),
			Anonymous: c.Anonymous, HumanAccess: c.HumanAccess, RateLimitScope: c.RateLimitScope}
		x.Relay, _ = model.ParseTri(c.Relay)
		x.Price, _ = model.ParseLevel(c.PricePerCall)
		// A service, the most generic kind, may name a more specific one.
		model.InferComponentKind(x)
		if x.Kind == model.KindExternal && !c.hasKey("third_party") {
			x.ThirdParty = true
		}
		if c.hasKey("paid") || c.hasKey("third_party") {
			b.flagsStated = true
		}
		if a, p := c.hasKey("admin"), c.hasKey("paid"); !a || !p {
			b.unflagged = append(b.unflagged, unflagged{x, a, p})
		}
		controls(c.Controls, &x.Controls)
		if i := slices.Index(c.Executes, "none"); i >= 0 && len(c.Executes) > 1 {
			b.diags.add(c.keyPos("executes", i), "executes lists none together with %d other kind(s)", "keep none alone (the component runs only the team's own content) or remove it", len(c.Executes)-1)
		}
		switch enc := x.Controls[model.CtlEncryptsAtRest]; {
		case x.EncryptionAtRest == model.AtRestNone && enc == model.Yes,
			x.EncryptionAtRest != model.AtRestUnknown && x.EncryptionAtRest != model.AtRestNone && enc == model.No:
			b.diags.add(c.keyPos("encryption_at_rest", -1), "encryption_at_rest %q contradicts controls.encrypts_at_rest: %s", "make them agree, or remove one", x.EncryptionAtRest, enc)
		case x.EncryptionAtRest == model.AtRestNone:
			x.Controls[model.CtlEncryptsAtRest] = model.No
		case x.EncryptionAtRest != model.AtRestUnknown:
			x.Controls[model.CtlEncryptsAtRest] = model.Yes
		}
		b.comps[c.ID] = x
		b.m.Components = append(b.m.Components, x)
	}
}

func controls(in map[string]string, out *model.Controls) {
	for k, v := range in {
		c, ok := model.ControlByKey(k)
		if !ok {
			continue // reported by the decoder
		}
		t, _ := model.ParseTri(v)
		out[c] = t
	}
}

func (b *builder) defineMitigations(ms []*Mitigation) {
	for _, mi := range ms {
		x := new(model.Mitigation)
		if !b.define(mi.ID, "mitigation", &mi.elem, false, x) {
			continue
		}
		*x = model.Mitigation{ID: mi.ID, Title: mi.Title, Description: mi.Description, Status: model.MitigationStatus(mi.Status),
			Owner: mi.Owner, Ticket: mi.Ticket, Due: date(mi.Due), Pos: mi.pos()}
		if x.Status == "" {
			x.Status = model.MitProposed
		}
		switch mi.Reduces {
		case "impact":
			x.ReducesImpact = 1
		case "both":
			x.ReducesLikelihood, x.ReducesImpact = 2, 1
		default:
			x.ReducesLikelihood = 2
		}
		b.m.Mitigations = append(b.m.Mitigations, x)
	}
}

func date(s string) model.Date {
	if s == "" {
		return model.Date{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return model.Date{}
	}
	return model.Date{Time: t}
}

// asideFlows is the number of flows from which build makes and resolves
// them on a second goroutine (a small model starts none). A variable for
// the tests.
var asideFlows = 4096

// makeFlow writes the model value of flow f into x (zero): all but its
// references, which resolveFlows sets.
func makeFlow(x *model.Flow, f *Flow) {
	id := f.ID
	if id == "" {
		id = f.From + "-to-" + f.To // defineFlows keeps it only when both are set
	}
	*x = model.Flow{ID: id, Name: f.Name, Description: f.Description, Protocol: protocol(f.Protocol), Port: f.Port,
		Authentication: model.Auth(f.Authentication), Encryption: model.Encryption(f.Encryption), OneWay: f.OneWay, Tags: f.Tags, Pos: f.pos(),
		Local: f.Local}
	x.ForwardsIdentity, _ = model.ParseTri(f.ForwardsIdentity)
	controls(f.Controls, &x.Controls)
}

// defineFlows defines the ids of a file's flows, whose values makeFlow
// writes into slab (one per flow, in order).
func (b *builder) defineFlows(fs []*Flow, slab []model.Flow) {
	b.m.Flows = slices.Grow(b.m.Flows, len(fs))
	for i, f := range fs {
		id := f.ID
		auto := false
		if id == "" {
			if f.From == "" || f.To == "" {
				continue
			}
			id = f.From + "-to-" + f.To
			auto = true
			if prev, ok := b.ids[id]; ok && prev.kind == "flow" {
				b.diags.add(f.pos(), "a second flow from %q to %q has no id", fmt.Sprintf("give each flow between them an id (the first is at %s)", prev.pos()), f.From, f.To)
				continue
			}
		}
		x := &slab[i]
		if !b.define(id, "flow", &f.elem, auto, x) {
			continue
		}
		f.resolved = x
		b.m.Flows = append(b.m.Flows, x)
	}
}

func (b *builder) defineThreats(ts []*Threat) {
	for _, t := range ts {
		x := new(model.Threat)
		if !b.define(t.ID, "threat", &t.elem, false, x) {
			continue
		}
		*x = model.Threat{ID: t.ID, Title: t.Title, Description: t.Description, Status: model.Status(t.Status), FoundBy: model.Source(t.FoundBy),
			Owner: t.Owner, Reason: t.Reason, Expires: date(t.Expires), Pos: t.pos()}
		for _, s := range t.Stride {
			if c, ok := model.ParseCategory(s); ok {
				x.Categories = append(x.Categories, c)
			}
		}
		x.Likelihood, _ = model.ParseLikelihood(t.Likelihood)
		x.Impact, _ = model.ParseImpact(t.Impact)
		if x.FoundBy == "" {
			x.FoundBy = model.FoundByTeam
		}
		b.closure(&t.elem, string(x.Status), t.Reason, t.Owner, t.Expires)
		t.resolved = x
		b.m.Threats = append(b.m.Threats, x)
	}
}

// closure checks that accepting, transferring or dismissing a risk says why,
// and that an acceptance has an owner and an end date.
func (b *builder) closure(e *elem, status, reason, owner, expires string) {
	switch model.Status(status) {
	case model.StatusAccepted:
		if owner == "" {
			b.diags.add(e.pos(), "an accepted risk needs an owner", "add `owner:` (the person who accepts the risk)")
		}
		if reason == "" {
			b.diags.add(e.pos(), "an accepted risk needs a reason", "add `reason:` explaining why it is acceptable")
		}
		if expires == "" {
			b.diags.add(e.pos(), "an accepted risk needs an expiry date", "add `expires: YYYY-MM-DD`; after it the risk re-opens")
		}
	case model.StatusFalsePositive, model.StatusTransferred:
		if reason == "" {
			b.diags.add(e.pos(), "status %s needs a reason", "add `reason:`", status)
		}
	}
}

func (b *builder) defineAssumptions(as []*Assumption) {
	for _, a := range as {
		x := new(model.Assumption)
		if !b.define(a.ID, "assumption", &a.elem, false, x) {
			continue
		}
		*x = model.Assumption{ID: a.ID, Text: a.Text, Status: model.AssumptionStatus(a.Status), Evidence: a.Evidence, Supports: a.Supports, Pos: a.pos()}
		if x.Status == "" {
			x.Status = model.AssumptionUnvalidated
		}
		b.m.Assumptions = append(b.m.Assumptions, x)
	}
}

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// full reports whether enough problems were found to stop looking; checked
// before computing suggestions, which cost time in proportion to the model.
func (b *builder) full() bool { return len(b.diags) >= MaxDiagnostics }

// owner names the element a reference is made in, such as `flow "f-1"`;
// the text is made only when a message needs it.
type owner struct{ what, id string }

func (o owner) String() string { return fmt.Sprintf("%s %q", o.what, o.id) }

// ref reports an unknown reference with suggestions.
func (b *builder) ref(e *elem, key string, i int, id, kind string, owner owner) {
	if b.full() {
		return
	}
	known := b.known(kind)
	if kind == "element" {
		known = append(append(append(b.known("component"), b.known("flow")...), b.known("boundary")...), b.known("asset")...)
	}
	msg := fmt.Sprintf("unknown %s %q in %s", kind, id, owner.String())
	if def, ok := b.ids[id]; ok {
		msg = fmt.Sprintf("%q is %s %s, not %s %s (in %s)", id, article(def.kind), def.kind, article(kind), kind, owner.String())
	}
	b.diags.addRef(e.keyPos(key, i), "%s", listHint(id, known, kind+"s"), msg)
}

// element returns the component, flow, boundary or asset with the id.
func (b *builder) element(id string) (model.Target, bool) {
	switch x := b.ids[id].x.(type) {
	case *model.Component:
		return model.Target{Component: x}, true
	case *model.Flow:
		return model.Target{Flow: x}, true
	case *model.Boundary:
		return model.Target{Boundary: x}, true
	case *model.Asset:
		return model.Target{Asset: x}, true
	}
	return model.Target{}, false
}

func (b *builder) resolveComponents(cs []*Component) {
	for _, c := range cs {
		x := b.comps[c.ID]
		if x == nil || x.Pos != c.pos() {
			continue
		}
		owner := owner{"component", c.ID}
		if c.Boundary != "" {
			if bd := lookup[*model.Boundary](b, c.Boundary); bd != nil {
				x.Boundary = bd
				bd.Components = append(bd.Components, x)
			} else {
				b.ref(&c.elem, "boundary", -1, c.Boundary, "boundary", owner)
			}
		}
		x.Stores = b.assets(&c.elem, "stores", c.Stores, owner)
		x.Processes = b.assets(&c.elem, "processes", c.Processes, owner)
	}
}

func (b *builder) assets(e *elem, key string, ids []string, owner owner) []*model.Asset {
	var out []*model.Asset
	for i, id := range ids {
		if a := b.assetIDs[id]; a != nil {
			out = append(out, a)
		} else {
			b.ref(e, key, i, id, "asset", owner)
		}
	}
	return out
}

func (b *builder) mitigations(e *elem, ids []string, owner owner) []*model.Mitigation {
	var out []*model.Mitigation
	for i, id := range ids {
		if mi := lookup[*model.Mitigation](b, id); mi != nil {
			out = append(out, mi)
		} else {
			b.ref(e, "mitigations", i, id, "mitigation", owner)
		}
	}
	return out
}

func (b *builder) resolveFlows(fs []*Flow) {
	for _, f := range fs {
		x := f.resolved
		if x == nil {
			continue
		}
		owner := owner{"flow", x.ID}
		x.From = b.comps[f.From]
		if x.From == nil {
			b.ref(&f.elem, "from", -1, f.From, "component", owner)
		}
		x.To = b.comps[f.To]
		if x.To == nil {
			b.ref(&f.elem, "to", -1, f.To, "component", owner)
		}
		if f.From != "" && f.From == f.To {
			b.diags.add(f.keyPos("to", -1), "flow %q goes from %q to itself", "a flow joins two different components; model the inner parts as separate components", x.ID, f.From)
		}
		x.Carries = b.assets(&f.elem, "carries", f.Carries, owner)
		x.Returns = b.assets(&f.elem, "returns", f.Returns, owner)
	}
}

// resolveFlowsAside resolves the flows of every file as resolveFlows does
// when none of their references needs a diagnostic: the first half (and
// more) on another goroutine, the rest after also (here) running beside, which
// must not touch the flows. It reports false, having resolved some flows
// or none, when a reference needs a diagnostic: resolveFlows then
// resolves them all again, one by one, with the diagnostics in order.
func (b *builder) resolveFlowsAside(docs []parsed, beside func()) bool {
	var all []*Flow
	comps := 0
	for _, p := range docs {
		all = append(all, p.doc.Flows...)
		comps += len(p.doc.Components)
	}
	// beside resolves the components, about as costly each as a flow: the
	// other goroutine takes that many flows more than half.
	half := min(len(all), (len(all)+comps)/2)
	var ok1 bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		ok1 = b.resolveFlowsQuiet(all[:half])
	}()
	beside()
	ok2 := b.resolveFlowsQuiet(all[half:])
	<-done
	return ok1 && ok2
}

// resolveFlowsQuiet is resolveFlows for flows whose references need no
// diagnostic: it stops, reporting false, at the first that would. It only
// reads the builder.
func (b *builder) resolveFlowsQuiet(fs []*Flow) bool {
	// The flows' asset lists are cut from one array (at 10,000 components
	// they were 40,000 allocations of one to three pointers).
	n := 0
	for _, f := range fs {
		n += len(f.Carries) + len(f.Returns)
	}
	slab := make([]*model.Asset, n)
	for _, f := range fs {
		x := f.resolved
		if x == nil {
			continue
		}
		x.From = b.comps[f.From]
		x.To = b.comps[f.To]
		if x.From == nil || x.To == nil || f.From != "" && f.From == f.To {
			return false
		}
		var ok bool
		if x.Carries, slab, ok = b.assetsQuiet(f.Carries, slab); !ok {
			return false
		}
		if x.Returns, slab, ok = b.assetsQuiet(f.Returns, slab); !ok {
			return false
		}
	}
	return true
}

// assetsQuiet is assets when every id names an asset, the list cut from
// the front of slab (returned without it); false otherwise.
func (b *builder) assetsQuiet(ids []string, slab []*model.Asset) ([]*model.Asset, []*model.Asset, bool) {
	if len(ids) == 0 {
		return nil, slab, true
	}
	out := slab[:len(ids):len(ids)]
	for i, id := range ids {
		a := b.assetIDs[id]
		if a == nil {
			return nil, slab, false
		}
		out[i] = a
	}
	return out, slab[len(ids):], true
}

// dropBrokenFlows drops the flows whose ends did not resolve, so the rest
// of the model stays well formed. It runs once, after every file's flows
// are resolved: run per file, it dropped the (not yet resolved) flows of
// the files after the first.
func (b *builder) dropBrokenFlows() {
	kept := b.m.Flows[:0]
	for _, x := range b.m.Flows {
		if x.From != nil && x.To != nil {
			kept = append(kept, x)
		}
	}
	b.m.Flows = kept
}

func (b *builder) resolveThreats(ts []*Threat) {
	for _, t := range ts {
		x := t.resolved
		if x == nil {
			continue
		}
		owner := owner{"threat", t.ID}
		for i, id := range t.Targets {
			if tg, ok := b.element(id); ok {
				x.Targets = append(x.Targets, tg)
			} else {
				b.ref(&t.elem, "targets", i, id, "element", owner)
			}
		}
		x.Assets = b.assets(&t.elem, "assets", t.Assets, owner)
		x.Mitigations = b.mitigations(&t.elem, t.Mitigations, owner)
	}
}

func (b *builder) decisions(ds []*Decision) {
	for _, d := range ds {
		if d.Finding == "" {
			continue
		}
		if prev := b.decided[d.Finding]; prev != nil {
			b.diags.add(d.keyPos("finding", -1), "a second decision for finding %q", fmt.Sprintf("the first is at %s; keep one", prev.Pos), d.Finding)
			continue
		}
		if !strings.Contains(d.Finding, ":") {
			b.diags.add(d.keyPos("finding", -1), "%q is not a finding id", "finding ids look like rule-id:element-id, as `ward check` prints them; decisions on your own threats go in the threat's status", d.Finding)
			continue
		}
		x := &model.Decision{Finding: d.Finding, Status: model.Status(d.Status), Reason: d.Reason, Owner: d.Owner, Expires: date(d.Expires), Covers: d.Covers, Pos: d.pos()}
		b.closure(&d.elem, d.Status, d.Reason, d.Owner, d.Expires)
		x.Mitigations = b.mitigations(&d.elem, d.Mitigations, owner{"decision on", d.Finding})
		b.decided[d.Finding] = x
		b.m.Decisions = append(b.m.Decisions, x)
	}
}

func (b *builder) resolveAssumptions(as []*Assumption) {
	for _, a := range as {
		for i, id := range a.Supports {
			if strings.Contains(id, ":") {
				continue // a finding id, checked once findings exist
			}
			if _, ok := b.ids[id]; !ok && !b.full() {
				all := make([]string, 0, len(b.ids))
				for k := range b.ids {
					all = append(all, k)
				}
				b.diags.addRef(a.keyPos("supports", i), "assumption %q supports %q, which the model does not define", listHint(id, sortStrings(all), "ids"), a.ID, id)
			}
		}
	}
}

func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}
