package otm

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/model"
)

// zoneRating is the OTM trust rating written for each Ward trust level.
var zoneRating = map[model.Trust]float64{model.TrustInternet: 10, model.TrustPartner: 40, model.TrustInternal: 70, model.TrustRestricted: 100}

// levelRating is the OTM 0–100 value written for a Ward level.
func levelRating(l model.Level) float64 {
	switch l {
	case model.Low:
		return 25
	case model.Medium:
		return 50
	case model.High:
		return 75
	case model.Critical:
		return 100
	}
	return 50
}

var categoryNames = map[model.Category]string{
	model.Spoofing: "Spoofing", model.Tampering: "Tampering", model.Repudiation: "Repudiation",
	model.InformationDisclosure: "Information Disclosure", model.DenialOfService: "Denial of Service",
	model.ElevationOfPrivilege: "Elevation of Privilege",
}

// categoryPtrs holds the categories' names for threats to point at: they
// are only read.
var categoryPtrs = func() map[model.Category]*string {
	m := make(map[model.Category]*string, len(categoryNames))
	for c, n := range categoryNames {
		m[c] = &n
	}
	return m
}()

// categoryName returns a pointer to c's name (to "" for a category without one).
func categoryName(c model.Category) *string {
	if p, ok := categoryPtrs[c]; ok {
		return p
	}
	n := categoryNames[c]
	return &n
}

// cweNames holds "CWE-n" for the CWE numbers written most, made once for
// the threats to point at (only read): a large export has 100,000 threats,
// most with a CWE.
var cweNames = sync.OnceValue(func() []string {
	out := make([]string, 1600)
	for i := range out {
		out[i] = "CWE-" + strconv.Itoa(i)
	}
	return out
})

// cweName returns a pointer to "CWE-w".
func cweName(w int) *string {
	if t := cweNames(); 0 <= w && w < len(t) {
		return &t[w]
	}
	s := "CWE-" + strconv.Itoa(w)
	return &s
}

var threatStates = map[model.Status]string{
	model.StatusOpen: "exposed", model.StatusMitigated: "mitigated", model.StatusAccepted: "accepted",
	model.StatusFalsePositive: "not-applicable", model.StatusTransferred: "transferred",
}

var mitigationStates = map[model.MitigationStatus]string{
	model.MitProposed: "recommended", model.MitPlanned: "required", model.MitImplemented: "implemented",
	model.MitVerified: "verified", model.MitWontDo: "rejected",
}

// Export writes the analysed model as OTM 0.2.0 JSON: boundaries become
// trust zones, every finding (generated or written by the team) a threat
// instantiated on its component and flow targets, with its mitigations.
func Export(a *analysis.Analysis) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, a); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write writes the export to out, streaming (interop.WriteIndentedJSON):
// the bytes Export returns.
func Write(out io.Writer, a *analysis.Analysis) error {
	m := a.Model
	d := document{OTMVersion: Version, TrustZones: []trustZone{}, Dataflows: make([]dataflow, 0, len(m.Flows)),
		Components: make([]component, 0, len(m.Components))}
	d.Project = &project{Name: m.System.Name, ID: m.System.ID, Description: m.System.Description, Owner: m.System.Team,
		Attributes: map[string]any{"generator": "ward"}}
	if len(m.System.Contacts) > 0 {
		d.Project.OwnerContact = m.System.Contacts[0]
	}
	// OTM has no assumptions: they travel in a project attribute.
	if len(m.Assumptions) > 0 {
		var as []map[string]any
		for _, x := range m.Assumptions {
			a := map[string]any{"id": x.ID, "text": x.Text, "status": string(x.Status)}
			if x.Evidence != "" {
				a["evidence"] = x.Evidence
			}
			if len(x.Supports) > 0 {
				a["supports"] = strings.Join(x.Supports, ", ")
			}
			as = append(as, a)
		}
		d.Project.Attributes["assumptions"] = as
	}
	// OTM has no scope or design context: they travel in attributes too.
	if len(m.Scope.In)+len(m.Scope.Out) > 0 {
		items := func(xs []model.ScopeItem) []map[string]any {
			out := []map[string]any{}
			for _, x := range xs {
				out = append(out, map[string]any{"what": x.What, "why": x.Why})
			}
			return out
		}
		d.Project.Attributes["scope"] = map[string]any{"in": items(m.Scope.In), "out": items(m.Scope.Out)}
	}
	if c := m.Context; c.PavedPath != model.Unknown || c.InternetFacing != model.Unknown || c.AuthChanges != model.Unknown ||
		c.Criticality.String() != "" || c.SensitiveData != nil || len(c.NewThirdParties) > 0 {
		x := map[string]any{}
		for k, v := range map[string]model.Tri{"paved_path": c.PavedPath, "internet_facing": c.InternetFacing, "auth_changes": c.AuthChanges} {
			if v != model.Unknown {
				x[k] = v.String()
			}
		}
		if c.Criticality.String() != "" {
			x["criticality"] = c.Criticality.String()
		}
		if c.SensitiveData != nil {
			kinds := []string{}
			for _, k := range c.SensitiveData {
				kinds = append(kinds, string(k))
			}
			x["sensitive_data"] = kinds
		}
		if len(c.NewThirdParties) > 0 {
			x["new_third_parties"] = c.NewThirdParties
		}
		d.Project.Attributes["context"] = x
	}
	if pol := m.Policy; pol != (model.Policy{}) {
		p := map[string]any{}
		if pol.Uncertainty != 0 {
			p["uncertainty"] = max(pol.Uncertainty, 0)
		}
		if pol.FailOnUnverified {
			p["fail_on_unverified"] = true
		}
		if pol.MaxUnverified != 0 {
			p["max_unverified_per_element"] = max(pol.MaxUnverified, 0)
		}
		d.Project.Attributes["policy"] = p
	}
	decisions := map[string]*model.Decision{}
	for _, dc := range m.Decisions {
		decisions[dc.Finding] = dc
	}
	for _, as := range m.Assets {
		// What the model stated, not what Ward read from the asset's words.
		as := as.Stated()
		x := asset{Name: as.Label(), ID: as.ID, Description: as.Description, Risk: &assetRisk{
			Confidentiality: levelRating(as.Need(model.Confidentiality)),
			Integrity:       levelRating(as.Need(model.Integrity)),
			Availability:    levelRating(as.Need(model.Availability)),
		}}
		attrs := map[string]any{}
		if as.Kind != "" {
			attrs["kind"] = string(as.Kind)
		}
		if as.Classification != model.ClassUnset {
			attrs["classification"] = as.Classification.String()
		}
		if len(as.Data) > 0 {
			attrs["data"] = joinKinds(as.Data)
		}
		for k, l := range map[string]model.Level{"confidentiality": as.Confidentiality, "integrity": as.Integrity, "availability": as.Availability} {
			if l.String() != "" {
				attrs[k] = l.String()
			}
		}
		if as.Value.String() != "" {
			attrs["value"] = as.Value.String()
		}
		if as.Hashed {
			attrs["hashed"] = "true"
		}
		if as.MustNotStore {
			attrs["must_not_store"] = "true"
		}
		if len(attrs) > 0 {
			x.Attributes = attrs
		}
		d.Assets = append(d.Assets, x)
	}
	used := map[string]bool{}
	for _, b := range m.Boundaries {
		used[b.ID] = true
	}
	for _, c := range m.Components {
		used[c.ID] = true
	}
	for _, b := range m.Boundaries {
		r := zoneRating[b.Trust]
		z := trustZone{ID: b.ID, Name: b.Label(), Type: b.Trust.String(), Description: b.Description, Risk: &zoneRisk{TrustRating: &r}}
		if b.Parent != nil {
			z.Parent = &parent{TrustZone: b.Parent.ID}
		}
		d.TrustZones = append(d.TrustZones, z)
	}
	// OTM requires every component to have a parent: components outside any
	// boundary go to a zone for the trust Ward gives them.
	implicit := map[model.Trust]string{}
	zoneFor := func(c *model.Component) string {
		if c.Boundary != nil {
			return c.Boundary.ID
		}
		t := c.Trust()
		if id, ok := implicit[t]; ok {
			return id
		}
		id := "ward-" + t.String()
		for i := 2; used[id]; i++ {
			id = fmt.Sprintf("ward-%s-%d", t, i)
		}
		used[id] = true
		implicit[t] = id
		r := zoneRating[t]
		d.TrustZones = append(d.TrustZones, trustZone{ID: id, Name: strings.ToUpper(t.String()[:1]) + t.String()[1:] + " (outside any boundary)",
			Type: t.String(), Description: "Components the Ward model places in no boundary.", Risk: &zoneRisk{TrustRating: &r},
			Attributes: map[string]any{"ward": "no boundary"}})
		return id
	}

	inst := threatInstances(m, a.Findings)

	for _, c := range m.Components {
		x := component{ID: c.ID, Name: c.Label(), Type: string(c.StatedKind()), Description: c.Description,
			Parent: &parent{TrustZone: zoneFor(c)}, Threats: inst.of(c.ID, int(m.CompNum(c))), Tags: ptrs(c.Tags)}
		if st, pr := c.StatedStores(), c.StatedProcesses(); len(st)+len(pr) > 0 {
			x.Assets = &assetInstance{Stored: assetIDs(st), Processed: assetIDs(pr)}
		}
		var attrs attrList
		if c.Tech != "" {
			attrs.set("tech", c.Tech)
		}
		if c.OutOfScope {
			attrs.set("Out Of Scope", "true")
		}
		for _, b := range [...]struct {
			k string
			v bool
		}{{"admin", c.StatedAdmin()}, {"public", c.Public}, {"paid", c.StatedPaid()}, {"third_party", c.ThirdParty}, {"new", c.New}} {
			if b.v {
				attrs.set(b.k, "true")
			}
		}
		if len(c.Tools) > 0 {
			attrs.set("tools", strings.Join(c.Tools, ", "))
		}
		if len(c.Executes) > 0 {
			attrs.set("executes", strings.Join(c.Executes, ", "))
		}
		if c.Anonymous {
			attrs.set("anonymous", "true")
		}
		if c.Relay != model.Unknown {
			attrs.set("relay", c.Relay.String())
		}
		if c.HumanAccess != "" {
			attrs.set("human_access", c.HumanAccess)
		}
		if c.RateLimitScope != "" {
			attrs.set("rate_limit_scope", c.RateLimitScope)
		}
		if c.Price.String() != "" {
			attrs.set("price_per_call", c.Price.String())
		}
		if c.EncryptionAtRest != "" {
			attrs.set("encryption_at_rest", string(c.EncryptionAtRest))
		}
		for k := range model.Control(model.NumControls) { // model.AllControls, without its slice
			if v := c.Controls.Get(k); v != model.Unknown {
				attrs.set(k.Key(), v.String())
			}
		}
		x.attrs = attrs
		d.Components = append(d.Components, x)
	}
	for _, f := range m.Flows {
		bidi := !f.OneWay
		x := dataflow{ID: f.ID, Name: f.Label(), Description: f.Description, Bidirectional: &bidi, Source: f.From.ID, Destination: f.To.ID,
			Assets: assetIDs(f.StatedCarries()), Threats: inst.of(f.ID, len(m.Components)+int(m.FlowNum(f))), Tags: ptrs(f.Tags)}
		var attrs attrList
		if f.Protocol != "" {
			attrs.set("protocol", f.Protocol)
		}
		if f.Port != 0 {
			attrs.set("port", f.Port)
		}
		if f.Authentication != model.AuthUnknown {
			attrs.set("authentication", string(f.Authentication))
		}
		if f.Encryption != model.EncUnknown {
			attrs.set("encryption", string(f.Encryption))
		}
		for k := range model.Control(model.NumControls) { // model.AllControls, without its slice
			if v := f.Controls.Get(k); v != model.Unknown {
				attrs.set(k.Key(), v.String())
			}
		}
		if len(f.Returns) > 0 {
			attrs.set("returns", assetList(f.Returns))
		}
		if f.Local {
			attrs.set("local", "true")
		}
		if f.ForwardsIdentity != model.Unknown {
			attrs.set("forwards_identity", f.ForwardsIdentity.String())
		}
		x.attrs = attrs
		d.Dataflows = append(d.Dataflows, x)
	}

	// The threats are made as they are written (interop.Lazy): a large
	// model has over 100,000.
	var shared sharedAttrsCache
	threatOf := func(i int) threat {
		f := a.Findings[i]
		lik := float64(f.Inherent.Likelihood) * 20
		t := threat{ID: f.ID, Name: f.Title, Description: f.Description, Risk: &threatRisk{Likelihood: &lik, Impact: float64(f.Inherent.Impact) * 20}}
		cats := f.Categories
		if len(cats) == 0 && f.Category != "" {
			cats = []model.Category{f.Category}
		}
		for _, c := range cats {
			t.Categories = append(t.Categories, categoryName(c))
		}
		for _, w := range f.CWE() {
			t.CWEs = append(t.CWEs, cweName(w))
		}
		if plainAttrs(f, decisions) {
			// Most threats have only these five attributes, the same on
			// many: they share one read-only map and its JSON.
			sa := shared.get(attrKey{f.Origin, f.Rule, f.Status, f.Residual.Severity, f.Inherent.Severity})
			t.Attributes, t.attrs = sa.m, sa
			if len(f.Rationale) > 0 {
				t.Risk.rationale = f.Rationale // written joined by "; "
			}
			return t
		}
		attrs := map[string]any{"origin": string(f.Origin), "rule": f.Rule, "status": string(f.Status),
			"severity": f.Residual.Severity.String(), "inherentSeverity": f.Inherent.Severity.String()}
		var other []string
		for _, tg := range f.Targets {
			if tg.Component == nil && tg.Flow == nil {
				other = append(other, tg.Kind()+":"+tg.ID())
			}
		}
		if len(other) > 0 {
			attrs["otherTargets"] = strings.Join(other, ", ")
		}
		if th := f.Threat; th != nil {
			// What the team wrote, so an import gives the threat back.
			for k, v := range map[string]string{"threatStatus": string(th.Status), "likelihood": th.Likelihood.String(), "impact": th.Impact.String(),
				"foundBy": string(th.FoundBy), "owner": th.Owner, "reason": th.Reason, "expires": dateString(th.Expires), "assets": assetList(th.Assets)} {
				if v != "" {
					attrs[k] = v
				}
			}
		}
		if dc := decisions[f.ID]; dc != nil {
			for k, v := range map[string]string{"decision": string(dc.Status), "decisionReason": dc.Reason, "decisionOwner": dc.Owner,
				"decisionExpires": dateString(dc.Expires), "decisionMitigations": mitigationList(dc.Mitigations), "decisionCovers": strings.Join(dc.Covers, ", ")} {
				if v != "" {
					attrs[k] = v
				}
			}
		}
		if len(f.Rationale) > 0 {
			t.Risk.rationale = f.Rationale
		}
		t.Attributes = attrs
		return t
	}
	for _, mi := range m.Mitigations {
		x := mitigation{ID: mi.ID, Name: mi.Title, Description: mi.Description,
			RiskReduction: float64(min(100, 20*(mi.ReducesLikelihood+mi.ReducesImpact)))}
		attrs := map[string]any{"status": string(mi.Status)}
		if mi.Owner != "" {
			attrs["owner"] = mi.Owner
		}
		if mi.Ticket != "" {
			attrs["ticket"] = mi.Ticket
		}
		if !mi.Due.IsZero() {
			attrs["due"] = mi.Due.Time.Format("2006-01-02")
		}
		switch {
		case mi.ReducesLikelihood > 0 && mi.ReducesImpact > 0:
			attrs["reduces"] = "both"
		case mi.ReducesImpact > 0:
			attrs["reduces"] = "impact"
		}
		x.Attributes = attrs
		d.Mitigations = append(d.Mitigations, x)
	}
	// Decisions whose finding is gone (orphaned) have no threat to sit on.
	// (The findings are looked up among the decisions', not the other way
	// round: a large model has over 100,000 findings and few decisions.)
	found := make(map[string]bool, len(m.Decisions))
	if len(m.Decisions) > 0 {
		for _, dc := range m.Decisions {
			found[dc.Finding] = false
		}
		for _, f := range a.Findings {
			if _, ok := found[f.ID]; ok {
				found[f.ID] = true
			}
		}
	}
	var orphans []map[string]any
	for _, dc := range m.Decisions {
		if !found[dc.Finding] {
			x := map[string]any{"finding": dc.Finding, "status": string(dc.Status)}
			for k, v := range map[string]string{"reason": dc.Reason, "owner": dc.Owner, "expires": dateString(dc.Expires), "mitigations": mitigationList(dc.Mitigations), "covers": strings.Join(dc.Covers, ", ")} {
				if v != "" {
					x[k] = v
				}
			}
			orphans = append(orphans, x)
		}
	}
	if len(orphans) > 0 {
		d.Project.Attributes["orphanedDecisions"] = orphans
	}
	if err := interop.WriteIndentedJSON(out, &d, map[string]interop.Lazy{"threats": {N: len(a.Findings),
		// Appended in place, without boxing each threat (interop.Lazy).
		Append: func(dst []byte, i int, prefix string) ([]byte, error) {
			return threatOf(i).AppendIndentedJSON(dst, prefix)
		}}}); err != nil {
		return fmt.Errorf("encode OTM: %w", err)
	}
	return nil
}

// attrList gathers an element's attributes as pairs, written as the map
// of them: a large model has 50,000 flows, each with its own map before.
type attrList []interop.KV

func (l *attrList) set(k string, v any) { *l = append(*l, interop.KV{K: k, V: v}) }

// plainAttrs reports whether a threat's attributes are only its origin,
// rule, status and severities: no other targets, no threat written by the
// team, no decision.
func plainAttrs(f *model.Finding, decisions map[string]*model.Decision) bool {
	if f.Threat != nil || decisions[f.ID] != nil {
		return false
	}
	for _, tg := range f.Targets {
		if tg.Component == nil && tg.Flow == nil {
			return false
		}
	}
	return true
}

// attrKey is what a threat's plain attributes say.
type attrKey struct {
	origin             model.Origin
	rule               string
	status             model.Status
	residual, inherent model.Severity
}

// sharedAttrs is one map of plain attributes, shared by the threats with
// those values, and its JSON.
type sharedAttrs struct {
	m    map[string]any
	json interop.JSONOnce
}

// sharedAttrsCache hands out the shared attributes; threats are made on
// several goroutines.
type sharedAttrsCache struct {
	mu sync.RWMutex
	m  map[attrKey]*sharedAttrs
}

func (c *sharedAttrsCache) get(k attrKey) *sharedAttrs {
	c.mu.RLock()
	sa := c.m[k]
	c.mu.RUnlock()
	if sa != nil {
		return sa
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if sa = c.m[k]; sa == nil {
		sa = &sharedAttrs{m: map[string]any{"origin": string(k.origin), "rule": k.rule, "status": string(k.status),
			"severity": k.residual.String(), "inherentSeverity": k.inherent.String()}}
		if c.m == nil {
			c.m = map[attrKey]*sharedAttrs{}
		}
		c.m[k] = sa
	}
	return sa
}

func dateString(d model.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time.Format("2006-01-02")
}

func assetList(as []*model.Asset) string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return strings.Join(ids, ", ")
}

func mitigationList(ms []*model.Mitigation) string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return strings.Join(ids, ", ")
}

func ptrs(s []string) []*string {
	var out []*string
	for i := range s {
		out = append(out, &s[i])
	}
	return out
}

func assetIDs(as []*model.Asset) []*string {
	var out []*string
	for _, a := range as {
		id := a.ID
		out = append(out, &id)
	}
	return out
}

func joinKinds(ks []model.DataKind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// elemThreats holds the threat instances of every component and flow: by the
// element's number (components, then flows) when every target is an
// element of the model, else by id.
type elemThreats struct {
	byNum [][]threatInstance
	byID  map[string][]threatInstance
}

// of returns the instances of the element with the id and number (-1 when
// the model does not number it).
func (x *elemThreats) of(id string, num int) []threatInstance {
	if x.byID != nil {
		return x.byID[id]
	}
	if num < 0 || num >= len(x.byNum) {
		return nil
	}
	return x.byNum[num]
}

// threatInstances lists the threat instances of each component and flow
// target, in the findings' order, each element's list cut from one array
// sized by a first pass. Ids are unique across a loaded model (spec's build
// refuses a duplicate, flows' generated ids included), so an element's
// number stands for its id; a target the model does not number (never
// seen) makes it fall back on the ids, as the export always did.
func threatInstances(m *model.Model, findings []*model.Finding) *elemThreats {
	nc := len(m.Components)
	num := func(t model.Target) int {
		switch {
		case t.Component != nil:
			if n := m.CompNum(t.Component); n >= 0 {
				return int(n)
			}
		case t.Flow != nil:
			if n := m.FlowNum(t.Flow); n >= 0 {
				return nc + int(n)
			}
		}
		return -1
	}
	count := make([]int32, nc+len(m.Flows))
	total := 0
	for _, f := range findings {
		for _, t := range f.Targets {
			if t.Component != nil || t.Flow != nil {
				n := num(t)
				if n < 0 {
					return threatInstancesByID(findings)
				}
				count[n]++
				total++
			}
		}
	}
	slab := make([]threatInstance, total)
	x := &elemThreats{byNum: make([][]threatInstance, len(count))}
	for i, n := range count {
		if n > 0 {
			x.byNum[i], slab = slab[:0:n], slab[n:]
		}
	}
	for _, f := range findings {
		if !targetsElements(f) {
			continue
		}
		ti := newInstance(f)
		for _, t := range f.Targets {
			if t.Component != nil || t.Flow != nil {
				n := num(t)
				x.byNum[n] = append(x.byNum[n], ti)
			}
		}
	}
	return x
}

// threatInstancesByID is threatInstances by the targets' ids.
func threatInstancesByID(findings []*model.Finding) *elemThreats {
	count := map[string]int{}
	total := 0
	for _, f := range findings {
		for _, t := range f.Targets {
			if t.Component != nil || t.Flow != nil {
				count[t.ID()]++
				total++
			}
		}
	}
	slab := make([]threatInstance, total)
	inst := make(map[string][]threatInstance, len(count))
	for id, n := range count {
		inst[id], slab = slab[:0:n], slab[n:]
	}
	for _, f := range findings {
		if !targetsElements(f) {
			continue
		}
		ti := newInstance(f)
		for _, t := range f.Targets {
			if t.Component != nil || t.Flow != nil {
				inst[t.ID()] = append(inst[t.ID()], ti)
			}
		}
	}
	return &elemThreats{byID: inst}
}

// targetsElements reports whether a finding has a component or flow target.
func targetsElements(f *model.Finding) bool {
	for _, t := range f.Targets {
		if t.Component != nil || t.Flow != nil {
			return true
		}
	}
	return false
}

// newInstance is a finding's threat instance.
func newInstance(f *model.Finding) threatInstance {
	ti := threatInstance{Threat: f.ID, State: threatStates[f.Status]}
	if ti.State == "" {
		ti.State = "exposed"
	}
	ti.Mitigations = []*mitigationInstance{}
	for _, mi := range f.Mitigations {
		ti.Mitigations = append(ti.Mitigations, &mitigationInstance{Mitigation: mi.ID, State: mitigationStates[mi.Status]})
	}
	return ti
}
