// Package risk scores findings by business risk and decides where each
// stands. Likelihood (1–5) comes from exposure: how untrusted the places are
// that can reach the element, whether the way in is authenticated, and how easy
// the attack is. Impact (1–5) comes from the most sensitive asset at stake and
// its need for the property the threat is against (for elevation of
// privilege the larger of confidentiality and integrity; its business value
// as a floor). Score = likelihood × impact (1–25), banded into critical (≥ 20), high
// (≥ 12), medium (≥ 6), low (≥ 3) and info. Residual risk counts implemented or
// verified mitigations, and for an unverified threat (control unknown) an
// uncertainty factor; projected risk counts planned mitigations too. See
// docs/risk.md.
package risk

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// Band maps a score (1–25) to a severity.
func Band(score int) model.Severity {
	switch {
	case score >= 20:
		return model.SevCritical
	case score >= 12:
		return model.SevHigh
	case score >= 6:
		return model.SevMedium
	case score >= 3:
		return model.SevLow
	case score >= 1:
		return model.SevInfo
	}
	return model.SevNone
}

// Make returns the risk of a likelihood and an impact.
func Make(l model.Likelihood, i model.Impact) model.Risk {
	l = model.Likelihood(clamp(int(l)))
	i = model.Impact(clamp(int(i)))
	s := int(l) * int(i)
	return model.Risk{Likelihood: l, Impact: i, Score: s, Severity: Band(s)}
}

func clamp(v int) int { return max(1, min(5, v)) }

// exposure is the least trusted boundary that reaches an element directly,
// and whether some way in from a less trusted place is unauthenticated.
// Requests that pass through a relay (a CDN, WAF, proxy or gateway that
// forwards them without owning the objects behind them, when relay says so)
// reach a component from wherever they reach the relay: the input an
// attacker controls at the edge arrives intact behind it.
func exposure(t model.Target, relay *relays) (model.Trust, bool, string) {
	switch {
	case t.Component != nil:
		c := t.Component
		if relay != nil {
			if e, ok := relay.comp[c]; ok {
				return e.least, e.unauth, e.from
			}
		}
		least, unauth, from := c.Trust(), false, ""
		for _, f := range c.In {
			ft := relay.sender(f.From)
			if ft < least {
				least, from = ft, f.From.ID
			}
			if f.From.Trust() < c.Trust() && f.Authentication == model.AuthNone {
				unauth = true
			}
		}
		// Request/response flows let the callee's answer reach the caller;
		// what matters for exposure is who can send, so Out flows are ignored.
		if relay != nil {
			if relay.comp == nil {
				relay.comp = map[*model.Component]exposed{}
			}
			relay.comp[c] = exposed{least, unauth, from}
		}
		return least, unauth, from
	case t.Flow != nil:
		f := t.Flow
		// What happens on the wire happens where the wire runs: a flow's
		// exposure is its two ends' zones, not what reaches its sender.
		// A short-range radio link runs through the air around its ends:
		// only an attacker within range reaches it (CVSS's adjacent
		// vector), so it is never more exposed than a partner network.
		least := min(f.From.Trust(), f.To.Trust())
		if ShortRange(f.Protocol) {
			least = max(least, model.TrustPartner)
		}
		return least, f.Authentication == model.AuthNone && f.Inbound(), f.From.ID
	case t.Boundary != nil:
		return t.Boundary.Trust, false, ""
	}
	return model.TrustInternal, false, ""
}

// shortRange lists the protocols of short-range radio links (metres, not
// kilometres: LoRa and cellular are not among them).
var shortRange = map[string]bool{
	"ble": true, "bluetooth": true, "bluetooth-le": true, "nfc": true, "rfid": true,
	"zigbee": true, "zwave": true, "z-wave": true, "uwb": true,
}

// ShortRange reports whether protocol is a short-range radio link, which
// only an attacker within range of its ends can listen to or send on.
func ShortRange(protocol string) bool {
	return shortRange[strings.ToLower(protocol)]
}

// relays knows which components forward requests, and memoises the least
// trusted place whose requests reach each sender (through two relays at
// most, as a CDN in front of a gateway) and each component's exposure.
type relays struct {
	is    func(*model.Component) bool
	reach map[*model.Component]model.Trust
	// comp memoises each component's exposure: many threats share it.
	comp map[*model.Component]exposed
	// origin memoises, per component and number of hops, where the
	// content it takes in can originate; words the reasons that say so,
	// per sender.
	origin map[hops]origin
	words  map[string]string
}

type hops struct {
	c *model.Component
	n int
}

// origin is the least trusted place whose content reaches a component,
// and the sender it arrives through (nil: the component's own zone).
type origin struct {
	least model.Trust
	via   *model.Component
}

// contentHops is how many flows content may take to the element: passed
// on by at most two components (an edge service and a queue or store in
// front of a consumer).
const contentHops = 3

// content returns the least trusted place whose content can reach c in at
// most n flows when the components on the way pass it on unchanged, and the
// sender it arrives through. Every (component, n) is computed once, so
// the cost is linear in the flows.
func (r *relays) content(c *model.Component, n int) origin {
	o := origin{least: c.Trust()}
	if n == 0 || len(c.In) == 0 {
		return o
	}
	k := hops{c, n}
	if v, ok := r.origin[k]; ok {
		return v
	}
	for _, f := range c.In {
		if up := r.content(f.From, n-1); up.least < o.least {
			o = origin{up.least, f.From}
		}
	}
	if r.origin == nil {
		r.origin = map[hops]origin{}
	}
	r.origin[k] = o
	return o
}

type exposed struct {
	least  model.Trust
	unauth bool
	from   string
}

// sender returns how trusted the requests are that c sends on: its own
// trust, or for a relay the least trusted place that reaches it. The
// answer is memoised per component: many threats share each sender.
func (r *relays) sender(c *model.Component) model.Trust {
	if r == nil || r.is == nil {
		return c.Trust()
	}
	if t, ok := r.reach[c]; ok {
		return t
	}
	t := r.through(c, 0)
	if r.reach == nil {
		r.reach = map[*model.Component]model.Trust{}
	}
	r.reach[c] = t
	return t
}

func (r *relays) through(c *model.Component, depth int) model.Trust {
	if depth >= 2 || len(c.In) == 0 || !r.is(c) {
		return c.Trust()
	}
	least := c.Trust()
	for _, f := range c.In {
		least = min(least, r.through(f.From, depth+1))
	}
	return least
}

// Likelihood estimates a finding's inherent likelihood and says why.
// Relays are not followed (see Options.Relay).
func Likelihood(f *model.Finding) (model.Likelihood, []string) {
	return likelihoodReach(f, true, nil, nil)
}

// likelihoodReach computes the likelihood, with the reasons only when
// explain is set, sharing the wording of exposure reasons through reach
// (keyed by the element reached from) and following relays.
func likelihoodReach(f *model.Finding, explain bool, reach map[string]string, relay *relays) (model.Likelihood, []string) {
	l, why, _ := likelihoodStart(f, explain, reach, relay)
	return l, why
}

// likelihoodStart is likelihoodReach, also returning where the attack
// starts (Finding.Start): the least trusted place that reaches the
// element, unset for a supply-chain attack.
func likelihoodStart(f *model.Finding, explain bool, reach map[string]string, relay *relays) (model.Likelihood, []string, model.Trust) {
	base, why := 2, make([]string, 0, 5+len(f.Rationale))
	var least model.Trust = model.TrustRestricted
	unauth, near := false, false
	for _, t := range f.Targets {
		if f.Vector == model.VectorSupplyChain {
			// The attack arrives in what the element runs, made and
			// published elsewhere: who can send it requests does not
			// matter. Compromising a publisher, a package or a build
			// takes effort: possible.
			least = model.TrustPartner
			if explain {
				why = append(why, "the attack arrives in code or artefacts made elsewhere, whoever can reach the element (supply chain)")
			}
			break
		}
		tr, u, from := exposure(t, relay)
		if t.Flow != nil && ShortRange(t.Flow.Protocol) && min(t.Flow.From.Trust(), t.Flow.To.Trust()) < tr {
			near = true
		}
		word, words := "reachable from the internet through ", reach
		if f.Vector == model.VectorContent && relay != nil {
			// The payload is content: it reaches the element from
			// wherever it can originate, through the components that pass
			// it on, not only from who sends the element requests.
			c := t.Component
			if t.Flow != nil {
				c = t.Flow.From
			}
			if c != nil {
				if o := relay.content(c, contentHops); o.least < tr {
					tr, from, word = o.least, c.ID, "takes in content from the internet through "
					if o.via != nil && t.Flow == nil {
						from = o.via.ID
					}
					words = relay.words // worded apart from the same sender's reach
					if words == nil {
						relay.words = map[string]string{}
						words = relay.words
					}
				}
			}
		}
		if tr < least {
			least = tr
		}
		unauth = unauth || u
		if explain && from != "" && tr == model.TrustInternet {
			r, ok := words[from]
			if !ok {
				r = word + from
				if words != nil {
					words[from] = r
				}
			}
			if !slices.Contains(why, r) {
				why = append(why, r)
			}
		}
	}
	switch {
	case f.Vector == model.VectorSupplyChain:
		base = 3
	case least == model.TrustInternet:
		base = 4
		if explain && len(why) == 0 {
			why = append(why, "exposed to the internet")
		}
	case least == model.TrustPartner:
		base = 3
		if explain && near {
			why = append(why, "a short-range radio link: reachable only from within range of its ends")
		} else if explain {
			why = append(why, "reachable from a partner network")
		}
	case least == model.TrustInternal:
		base = 2
		if explain {
			why = append(why, "reachable only from internal networks")
		}
	case least == model.TrustRestricted:
		base = 1
		if explain {
			why = append(why, "reachable only from a restricted zone")
		}
	}
	if unauth {
		base++
		if explain {
			why = append(why, "an inbound flow from a less trusted place is unauthenticated")
		}
	}
	switch {
	case f.Exploitability < 0 && least >= model.TrustInternal:
		// An attack that needs a foothold, on an element only internal
		// or restricted networks reach: the exposure already counts the
		// foothold ("unlikely: needs a foothold inside the network"), and
		// the insider who abuses access they hold needs none. Counted
		// once, not twice.
		if explain {
			why = append(why, "the foothold the attack needs is the internal access its exposure already assumes")
		}
	case f.Exploitability != 0:
		base += f.Exploitability
		if explain && f.Exploitability > 0 {
			why = append(why, "the attack is easy to carry out")
		} else if explain {
			why = append(why, "the attack needs skill or a foothold")
		}
	}
	if heldAccess(f) && base < heldAccessLikelihood {
		// The attacker is a member of staff using access they hold: they
		// are already where the attack starts, however deep inside the
		// network the element sits.
		base = heldAccessLikelihood
		if explain {
			why = append(why, "staff hold the access the attack needs: possible wherever the element sits")
		}
	}
	start := least
	if f.Vector == model.VectorSupplyChain {
		start = model.TrustUnset
	}
	if !explain {
		return model.Likelihood(clamp(base)), nil, start
	}
	return model.Likelihood(clamp(base)), append(why, f.Rationale...), start
}

// heldAccessRules are the built-in rules whose attacker is a member of
// staff abusing access they hold, not someone who must reach the element:
// acting alone where a second person should approve (an action, or a run
// of payment instructions sent to the bank), reading beyond what the job
// needs, an administrator's password-only sign-in (docs/risk.md,
// Likelihood: held access).
var heldAccessRules = map[string]bool{
	"staff-action-without-second-approval": true,
	"staff-access-beyond-need":             true,
	"admin-without-mfa":                    true,
	"payment-instruction-without-approval": true,
}

// heldAccessLikelihood is where a held-access threat starts, at least:
// possible. The staff member needs no foothold, but is one of few people
// (the scale's "reachable by partners or with some effort").
const heldAccessLikelihood = 3

// heldAccess reports whether f's attacker is staff using access they hold.
func heldAccess(f *model.Finding) bool {
	return f.Origin == model.OriginBuiltin && heldAccessRules[f.Rule]
}

// HeldAccess reports whether the built-in rule id's attacker is staff using
// access they hold, whose likelihood is possible at least (`ward rules
// explain` says so).
func HeldAccess(id string) bool { return heldAccessRules[id] }

// levelImpact converts a need to an impact.
func levelImpact(l model.Level) model.Impact {
	switch l {
	case model.Critical:
		return 5
	case model.High:
		return 4
	case model.Medium:
		return 3
	case model.Low:
		return 2
	}
	return 2
}

// ImpactOf estimates a finding's impact from the assets at stake and says why.
func ImpactOf(m *model.Model, f *model.Finding) (model.Impact, string) {
	i, which, prop := impact(m, f)
	if which == "" {
		if i <= 2 && len(m.Assets) > 0 && !touchData(f) {
			return i, "its elements hold, carry and reach none of the model's named data"
		}
		reason := "no asset at stake is named"
		if i > 2 {
			reason += "; the system is business-critical"
		}
		return i, reason
	}
	return i, which + " needs " + needName(i) + " " + prop.String()
}

// impact computes the impact, the asset that sets it, and the property.
func impact(m *model.Model, f *model.Finding) (model.Impact, string, model.Property) {
	return impactMemo(m, f, nil)
}

// stakeKey names one list of assets at stake (rules share a list among
// many threats: an element's assets, the system's most valuable ones) and
// the property a threat is against.
type stakeKey struct {
	first *(*model.Asset)
	n     int
	prop  model.Property
}

type stake struct {
	best  model.Impact
	which string
}

// impactMemo is impact, remembering in memo (when not nil) the outcome of
// long asset lists: rules put the same list at stake in many threats, and
// it grows with the model, so scanning it per threat would be quadratic.
func impactMemo(m *model.Model, f *model.Finding, memo map[stakeKey]stake) (model.Impact, string, model.Property) {
	prop := f.Property
	if prop == 0 {
		prop = f.Category.Property()
	}
	best, which := stakeMemo(f.Assets, prop, memo)
	if f.Category == model.ElevationOfPrivilege {
		// A privilege gained is the power to read and to change what the
		// role reaches: the larger of the two needs sets the stake (the
		// rule's own property on a tie).
		other := model.Integrity
		if prop == model.Integrity {
			other = model.Confidentiality
		}
		if prop != model.Availability {
			if b, w := stakeMemo(f.Assets, other, memo); b > best {
				best, which, prop = b, w, other
			}
		}
	}
	// Denial of wallet: the price per call of a paid API sets the stake.
	if f.Category == model.DenialOfService {
		for _, t := range f.Targets {
			c := t.Component
			if t.Flow != nil {
				c = t.Flow.To
			}
			if c != nil && c.Paid && c.Price != model.LevelUnset && levelImpact(c.Price) > best {
				best, which = levelImpact(c.Price), c.ID+"'s price per call"
			}
		}
	}
	if best == 0 {
		if len(m.Assets) > 0 && !touchData(f) {
			// The model names its data and the threat's elements hold,
			// carry and reach none of it (a public calculator): what is
			// at stake is minor, however critical the system.
			return 2, "", prop
		}
		if m.System.Criticality >= model.High {
			return 3, "", prop
		}
		return 2, "", prop
	}
	return best, which, prop
}

// stakeMemo is assetImpact, remembered in memo (when not nil) for long
// asset lists.
func stakeMemo(assets []*model.Asset, prop model.Property, memo map[stakeKey]stake) (model.Impact, string) {
	if memo == nil || len(assets) < 8 {
		return assetImpact(assets, prop)
	}
	k := stakeKey{&assets[0], len(assets), prop}
	st, ok := memo[k]
	if !ok {
		st.best, st.which = assetImpact(assets, prop)
		memo[k] = st
	}
	return st.best, st.which
}

// assetImpact is the impact of the most sensitive of the assets for
// property prop, and that asset's id.
func assetImpact(assets []*model.Asset, prop model.Property) (model.Impact, string) {
	best, which := model.Impact(0), ""
	for _, a := range assets {
		need := a.Need(prop)
		if prop == model.Availability && a.Availability == model.LevelUnset {
			// Unstated, an asset's availability need is the one its kind
			// implies (medium; high for an asset of kind availability),
			// whatever the system's business criticality: an outage is
			// temporary and neither discloses nor changes the asset, and
			// reviewers rate four denial of service threats in five
			// medium or low. Only a stated availability need or a value
			// makes a denial of service critical.
			need = min(need, model.High)
		}
		// The asset's business value is a floor whatever the property.
		i := levelImpact(max(need, a.Value))
		if i > best {
			best, which = i, a.ID
		}
	}
	return best, which
}

func needName(i model.Impact) string {
	switch i {
	case 5:
		return "critical"
	case 4:
		return "high"
	case 3:
		return "medium"
	}
	return "low"
}

// DefaultUncertainty is how many likelihood steps an unverified threat's
// residual risk sits below the same threat with the gap stated: a stated gap
// outranks an equal unknown one, an unknown critical one still ranks high.
const DefaultUncertainty = 1

// Options tune Assess.
type Options struct {
	// Now is the date used to expire acceptances.
	Now time.Time
	// Uncertainty is how many likelihood steps (1–4) an unverified threat's
	// residual risk is lowered by; 0 means DefaultUncertainty and a negative
	// value means none (unknown ranks like a stated gap).
	Uncertainty int
	// Relay says whether a component forwards requests without owning the
	// objects behind them (a CDN, WAF, proxy or gateway); the components
	// behind it are then exposed to whatever reaches it. Nil: no relays.
	Relay func(*model.Component) bool
}

// Assess scores every finding, applies decisions, mitigations and
// assumptions, and ranks the findings: open first, then by residual score.
// It returns warnings for decisions and assumptions that point at findings
// that no longer exist.
func Assess(m *model.Model, findings []*model.Finding, opt Options) []Warning {
	warns, _ := AssessRanking(m, findings, opt)
	return warns
}

// AssessRanking is Assess, also returning the ranking it gave the
// findings, for ranking them again after a step removes some of them
// (Ranking.Rerank).
func AssessRanking(m *model.Model, findings []*model.Finding, opt Options) ([]Warning, *Ranking) {
	var warns []Warning
	decisions := map[string]*model.Decision{}
	for _, d := range m.Decisions {
		decisions[d.Finding] = d
	}
	// Which decision and assumption ids match a finding, by its id or an
	// alias (a weakness split into one threat per STRIDE category, a threat
	// moved to another element): looked up in the small sets of ids the
	// model names rather than indexing every finding.
	named := map[string]bool{}
	for _, d := range m.Decisions {
		named[d.Finding] = false
	}
	for _, a := range m.Assumptions {
		for _, s := range a.Supports {
			named[s] = false
		}
	}
	if len(named) > 0 {
		for _, f := range findings {
			if _, ok := named[f.ID]; ok {
				named[f.ID] = true
			}
			for _, a := range f.Aliases {
				if _, ok := named[a]; ok {
					named[a] = true
				}
			}
		}
	}
	var stale []string
	for _, d := range m.Decisions {
		if !named[d.Finding] {
			stale = append(stale, d.Finding)
		}
	}
	for _, a := range m.Assumptions {
		for _, s := range a.Supports {
			if strings.Contains(s, ":") && !named[s] {
				stale = append(stale, s)
			}
		}
	}
	sugg := &suggester{fs: findings, want: stale}
	for _, d := range m.Decisions {
		if !named[d.Finding] {
			warns = append(warns, Warning{Pos: d.Pos, Msg: fmt.Sprintf("decision for finding %q matches no finding", d.Finding),
				Hint: sugg.suggest(d.Finding)})
		}
	}
	// Invalidated assumptions: what they held up.
	broken := map[string]*model.Assumption{}
	for _, a := range m.Assumptions {
		for _, s := range a.Supports {
			if a.Status == model.AssumptionInvalidated {
				broken[s] = a
			}
			if strings.Contains(s, ":") && !named[s] {
				warns = append(warns, Warning{Pos: a.Pos, Msg: fmt.Sprintf("assumption %q supports finding %q, which does not exist", a.ID, s),
					Hint: sugg.suggest(s)})
			}
		}
	}
	unc := opt.Uncertainty
	switch {
	case unc == 0:
		unc = DefaultUncertainty
	case unc < 0:
		unc = 0
	}
	unc = min(unc, 4)
	// Each finding is scored on its own (scoreAll): on all cores, each
	// worker with its own explainer.
	scoreAll(findings, func(ex *explainer, f *model.Finding) {
		var d *model.Decision
		if len(decisions) > 0 {
			d = decisions[f.ID]
			for i := 0; d == nil && i < len(f.Aliases); i++ {
				d = decisions[f.Aliases[i]]
			}
		}
		score(ex, f, d, broken, opt.Now, unc)
	}, func() *explainer {
		return &explainer{m: m, impacts: map[impactKey]string{}, stakes: map[stakeKey]stake{}, reach: map[string]string{}, relay: &relays{is: opt.Relay}}
	})
	return warns, NewRanking(findings)
}

// Warning is a problem found while assessing, pointing at the model.
type Warning struct {
	Pos  model.Pos
	Msg  string
	Hint string
}

// suggester finds current findings with the same rule or element as a
// finding id that matches nothing. It indexes, in one pass over the
// findings, the first five findings of each rule and element that the stale
// ids name (want, given up front; an id asked about later is added and the
// findings scanned again), so many stale decisions cost O(findings +
// decisions), not their product, and nothing is kept per finding.
type suggester struct {
	fs       []*model.Finding
	want     []string
	byRule   map[string][]int
	byTarget map[string][]int
}

func (s *suggester) suggest(id string) string {
	rule, target, _ := strings.Cut(id, ":")
	_, okR := s.byRule[rule]
	_, okT := s.byTarget[target]
	if !okR || !okT {
		if s.byRule == nil {
			s.byRule, s.byTarget = map[string][]int{}, map[string][]int{}
			for _, w := range s.want {
				r, t, _ := strings.Cut(w, ":")
				s.byRule[r], s.byTarget[t] = nil, nil
			}
		}
		s.byRule[rule], s.byTarget[target] = nil, nil
		for k := range s.byRule {
			s.byRule[k] = s.byRule[k][:0]
		}
		for k := range s.byTarget {
			s.byTarget[k] = s.byTarget[k][:0]
		}
		for i, f := range s.fs {
			r, t, _ := strings.Cut(f.ID, ":")
			if l, ok := s.byRule[r]; ok && len(l) < 5 {
				s.byRule[r] = append(l, i)
			}
			if l, ok := s.byTarget[t]; ok && len(l) < 5 {
				s.byTarget[t] = append(l, i)
			}
		}
	}
	// Merge the two ascending index lists, in finding order, without repeats.
	a, b := s.byRule[rule], s.byTarget[target]
	var same []string
	for len(same) < 5 && (len(a) > 0 || len(b) > 0) {
		var i int
		switch {
		case len(b) == 0 || len(a) > 0 && a[0] < b[0]:
			i, a = a[0], a[1:]
		case len(a) == 0 || b[0] < a[0]:
			i, b = b[0], b[1:]
		default: // the same finding in both
			i, a, b = a[0], a[1:], b[1:]
		}
		same = append(same, s.fs[i].ID)
	}
	if len(same) == 0 {
		return "the finding is gone (fixed, renamed or out of scope): remove the decision, or check `ward check --format json` for current ids"
	}
	return "current findings with the same rule or element: " + strings.Join(same, ", ")
}

// explainer scores findings and words their rationale, sharing the
// strings that repeat across findings (a model of thousands of elements
// says "reachable from the internet through X" many times).
type explainer struct {
	m       *model.Model
	impacts map[impactKey]string
	stakes  map[stakeKey]stake
	reach   map[string]string
	relay   *relays
}

type impactKey struct {
	which string
	i     model.Impact
	prop  model.Property
}

func (ex *explainer) impactOf(f *model.Finding) (model.Impact, string) {
	i, which, prop := impactMemo(ex.m, f, ex.stakes)
	if which == "" {
		return ImpactOf(ex.m, f)
	}
	k := impactKey{which, i, prop}
	s, ok := ex.impacts[k]
	if !ok {
		s = which + " needs " + needName(i) + " " + prop.String()
		ex.impacts[k] = s
	}
	return i, s
}

func score(ex *explainer, f *model.Finding, d *model.Decision, broken map[string]*model.Assumption, now time.Time, unc int) {
	var lwhy []string
	l, i := model.Likelihood(0), model.Impact(0)
	if f.Threat != nil {
		l, i = f.Threat.Likelihood, f.Threat.Impact
	}
	f.Start = model.TrustUnset
	if l == 0 {
		l, lwhy, f.Start = likelihoodStart(f, true, ex.reach, ex.relay)
	} else {
		lwhy = []string{"likelihood stated in the model"}
	}
	var iwhy string
	if i == 0 {
		i, iwhy = ex.impactOf(f)
	} else {
		iwhy = "impact stated in the model"
	}
	f.Rationale = append(lwhy, iwhy)
	f.Inherent = Make(l, i)

	// Status from the decision, the threat or the controls (a generated
	// threat arrives open, unverified or mitigated).
	status, expires := model.StatusOpen, model.Date{}
	if f.Threat == nil && f.Status != "" {
		status = f.Status
	}
	switch {
	case d != nil:
		status, expires = d.Status, d.Expires
		f.Decision = d
		f.Mitigations = d.Mitigations
	case f.Threat != nil:
		status, expires = f.Threat.Status, f.Threat.Expires
		f.Mitigations = f.Threat.Mitigations
	}
	// Which mitigations count: an invalidated assumption under a mitigation
	// means it cannot be relied on.
	var done, planned []*model.Mitigation
	for _, mi := range f.Mitigations {
		if broken[mi.ID] != nil {
			continue
		}
		if mi.Status.Done() {
			done = append(done, mi)
		}
		if mi.Status.Planned() {
			planned = append(planned, mi)
		}
	}
	f.Residual = reduce(f.Inherent, done)
	f.Projected = reduce(f.Inherent, planned)
	if status == "" {
		status = model.StatusOpen
		if len(f.Mitigations) > 0 && len(done) == len(f.Mitigations) {
			status = model.StatusMitigated
		}
	}
	if status == model.StatusMitigated && d != nil && len(f.Mitigations) > len(done) {
		// A decision cannot call a finding mitigated while its linked
		// mitigations are not in place.
		for _, mi := range f.Mitigations {
			if a := broken[mi.ID]; a != nil {
				status = model.StatusOpen
				f.Reopened = fmt.Sprintf("assumption %s was invalidated: %s", a.ID, a.Text)
				break
			}
			if !mi.Status.Done() {
				status = model.StatusOpen
				f.Reopened = fmt.Sprintf("the decision says mitigated, but mitigation %s is %s", mi.ID, mi.Status)
				break
			}
		}
	}
	if status == model.StatusAccepted && !expires.IsZero() && !now.Before(expires.AddDate(0, 0, 1)) {
		status = model.StatusOpen
		f.Reopened = fmt.Sprintf("the acceptance expired on %s", expires)
	}
	if status == model.StatusMitigated && d == nil && f.Threat == nil && len(f.Mitigations) == 0 {
		// A control stated present counts like an implemented mitigation.
		ctl := []*model.Mitigation{{ReducesLikelihood: 2}}
		f.Residual, f.Projected = reduce(f.Inherent, ctl), reduce(f.Inherent, ctl)
	}
	if status == model.StatusUnverified {
		// Not known to be mitigated: the same threat with the gap stated
		// ranks above it.
		floor := model.Likelihood(2)
		if heldAccess(f) {
			floor = heldAccessLikelihood
		}
		f.Residual = Make(uncertain(f.Residual.Likelihood, unc, floor), f.Residual.Impact)
		f.Projected = Make(uncertain(f.Projected.Likelihood, unc, floor), f.Projected.Impact)
		if unc > 0 {
			f.Rationale = append(f.Rationale, "not known to be mitigated: the model leaves the control unknown")
		}
	}
	if status != model.StatusOpen && status != model.StatusUnverified {
		if a := reopener(f, broken); a != nil {
			status = model.StatusOpen
			f.Reopened = fmt.Sprintf("assumption %s was invalidated: %s", a.ID, a.Text)
		}
	}
	f.Status = status
}

// uncertain lowers a likelihood by unc steps for a threat whose control is
// unknown, but not below floor: unlikely, for a threat whose precondition
// holds is not made rare by the model's silence; possible for a threat of
// held access, whose attacker does not have to get through anything the
// model leaves unknown. At equal scores an open threat still ranks first
// (Rank).
func uncertain(l model.Likelihood, unc int, floor model.Likelihood) model.Likelihood {
	if unc == 0 || l <= floor {
		return l
	}
	return max(floor, model.Likelihood(max(1, int(l)-unc)))
}

// reopener returns the invalidated assumption that held up the finding, its
// threat, one of its mitigations or one of its elements.
func reopener(f *model.Finding, broken map[string]*model.Assumption) *model.Assumption {
	if len(broken) == 0 {
		return nil
	}
	if a := broken[f.ID]; a != nil {
		return a
	}
	for _, mi := range f.Mitigations {
		if a := broken[mi.ID]; a != nil {
			return a
		}
	}
	for _, t := range f.Targets {
		if a := broken[t.ID()]; a != nil {
			return a
		}
	}
	return nil
}

func reduce(r model.Risk, ms []*model.Mitigation) model.Risk {
	dl, di := 0, 0
	for _, m := range ms {
		dl += m.ReducesLikelihood
		di += m.ReducesImpact
	}
	if dl == 0 && di == 0 {
		return r
	}
	// Clamp in int: the scales are unsigned and must not wrap below rare.
	return Make(model.Likelihood(clamp(int(r.Likelihood)-min(dl, 4))), model.Impact(clamp(int(r.Impact)-min(di, 2))))
}

// Rank orders findings: the active ones (open or unverified) first, then
// by residual score, open before unverified at equal score, then residual
// impact, inherent score, the data at stake (stakeValue) and id, spreads
// them (spread) and numbers them from 1.
func Rank(fs []*model.Finding) { NewRanking(fs) }

// Ranking is the order Rank gave a list of findings, kept so that the list
// can be ranked again after a step removes some of its threats (Rerank)
// without sorting it again: removing threats does not change how the rest
// compare, only what the spread makes of them.
type Ranking struct {
	// items holds the findings in the order Rank sorts them into before
	// the spread (rank key, then id), with what the spread asks of each
	// worked out once: the element and rule as small numbers, not map
	// keys, so that spreading 100,000s of threats indexes slices.
	items []item
	// nElem and nRule count the distinct elements and rules.
	nElem, nRule int
	// work is the spread's scratch space, reused by Rerank.
	work []item
}

// Elements numbers elements 0, 1, … in the order first added, keyed by
// the component's or flow's pointer (a word to hash, not a 32-byte
// Target): the ranking and the steps after it index slices by element.
// The zero value is empty and ready to use.
type Elements struct {
	comp  map[*model.Component]int32
	flow  map[*model.Flow]int32
	other map[model.Target]int32
	n     int32
}

// Add returns t's number, numbering it if new.
func (e *Elements) Add(t model.Target) int {
	if n, ok := e.Get(t); ok {
		return n
	}
	switch {
	case isComponent(t):
		if e.comp == nil {
			e.comp = map[*model.Component]int32{}
		}
		e.comp[t.Component] = e.n
	case isFlow(t):
		if e.flow == nil {
			e.flow = map[*model.Flow]int32{}
		}
		e.flow[t.Flow] = e.n
	default:
		if e.other == nil {
			e.other = map[model.Target]int32{}
		}
		e.other[t] = e.n
	}
	e.n++
	return int(e.n - 1)
}

// Get returns t's number, if it has one.
func (e *Elements) Get(t model.Target) (int, bool) {
	var n int32
	var ok bool
	switch {
	case isComponent(t):
		n, ok = e.comp[t.Component]
	case isFlow(t):
		n, ok = e.flow[t.Flow]
	default:
		n, ok = e.other[t]
	}
	return int(n), ok
}

// Len returns how many elements are numbered.
func (e *Elements) Len() int { return int(e.n) }

func isComponent(t model.Target) bool {
	return t.Component != nil && t.Flow == nil && t.Boundary == nil && t.Asset == nil
}

func isFlow(t model.Target) bool {
	return t.Flow != nil && t.Component == nil && t.Boundary == nil && t.Asset == nil
}

// item is one finding of a Ranking.
type item struct {
	f *model.Finding
	// elem numbers the finding's first target (zero Target included),
	// rule its rule.
	elem, rule int32
	// bit is its category's bit (pairOf).
	bit uint8
	// counts says whether it counts as an instance of its rule (not the
	// team's own threat); later says whether it comes a round later (a
	// further threat or a merged weakness).
	counts, later bool
	// start numbers where the attack starts (startOf; 0: not counted).
	start uint8
}

// startSupply is startOf's number for a supply-chain attack, after the
// trust levels.
const startSupply = uint8(model.TrustRestricted) + 1

// startOf numbers where f's attack starts, for the spread: the trust level
// the likelihood found it reaching the element from (Finding.Start), or
// startSupply for an attack that arrives in what the element runs; 0 for
// the team's own threats and a likelihood the model states, which the
// spread does not count.
func startOf(f *model.Finding) uint8 {
	switch {
	case f.Origin == model.OriginPeople:
		return 0
	case f.Vector == model.VectorSupplyChain && f.Start == model.TrustUnset:
		return startSupply
	}
	return uint8(f.Start)
}

// NewRanking ranks fs as Rank does and returns the ranking for Rerank.
func NewRanking(fs []*model.Finding) *Ranking {
	// Order by id first (the rules' threats arrive in id order; only the
	// team's threats, appended after them, may need moving), then place
	// the findings by their precomputed key with a stable counting sort:
	// the lists run to 100,000s of threats but keys take few values.
	byID := func(a, b *model.Finding) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.Pos.String(), b.Pos.String())
	}
	if !slices.IsSortedFunc(fs, byID) {
		slices.SortStableFunc(fs, byID)
	}
	keys := make([]uint64, len(fs))
	count := map[uint64]int{}
	for i, f := range fs {
		keys[i] = rankKey(f)
		count[keys[i]]++
	}
	distinct := make([]uint64, 0, len(count))
	for k := range count {
		distinct = append(distinct, k)
	}
	slices.Sort(distinct)
	next := make(map[uint64]int, len(distinct))
	at := 0
	for _, k := range distinct {
		next[k] = at
		at += count[k]
	}
	r := &Ranking{items: make([]item, len(fs))}
	var elems Elements
	rules := map[string]int32{}
	var lastRule int32
	for i, f := range fs {
		t, bit := pairOf(f)
		e := int32(elems.Add(t))
		// fs is in id order, so a rule's threats come one after another.
		ru := lastRule
		if i == 0 || f.Rule != fs[i-1].Rule {
			var ok bool
			if ru, ok = rules[f.Rule]; !ok {
				ru = int32(len(rules))
				rules[f.Rule] = ru
			}
			lastRule = ru
		}
		people := f.Origin == model.OriginPeople
		r.items[next[keys[i]]] = item{f: f, elem: e, rule: ru, bit: bit, counts: !people, later: len(f.Aliases) > 0 && !people, start: startOf(f)}
		next[keys[i]]++
	}
	r.nElem, r.nRule = elems.Len(), len(rules)
	r.rank(fs, r.items)
	return r
}

// Rerank ranks fs again, the threats of the ranking that a step kept: the
// step marked those it removed with rank 0 and fs holds the others. It
// gives the order Rank would give fs.
func (r *Ranking) Rerank(fs []*model.Finding) {
	kept := r.items[:0]
	for _, it := range r.items {
		if it.f.Rank != 0 {
			kept = append(kept, it)
		}
	}
	clear(r.items[len(kept):])
	r.items = kept
	if len(kept) != len(fs) {
		panic(fmt.Sprintf("risk: Rerank of %d findings, %d kept of the ranking", len(fs), len(kept)))
	}
	r.rank(fs, kept)
}

// rank spreads items (in key order) into fs and numbers them from 1.
func (r *Ranking) rank(fs []*model.Finding, items []item) {
	r.work = spread(append(r.work[:0], items...), r.nElem, r.nRule)
	for i, it := range r.work {
		fs[i] = it.f
		it.f.Rank = i + 1
	}
}

// rankKey orders findings, smallest first: active (open or unverified)
// before closed, then by residual score (highest first), open before
// unverified at equal score, then what is worse if it happens (residual
// impact), then inherent score, then the value of the data at stake
// (stakeValue, highest first).
func rankKey(f *model.Finding) uint64 {
	var inactive, notOpen uint64
	if !f.Active() {
		inactive = 1
	}
	if !f.Open() {
		notOpen = 1
	}
	return inactive<<40 | uint64(63-clampKey(f.Residual.Score))<<32 | notOpen<<24 |
		uint64(63-clampKey(int(f.Residual.Impact)))<<16 | uint64(63-clampKey(f.Inherent.Score))<<8 |
		uint64(255-min(255, stakeValue(f)))
}

func clampKey(v int) int { return max(0, min(63, v)) }

// stakeValue is how much data a threat puts at stake: over the assets its
// element holds or carries (Finding.Assets), the sum of each asset's
// larger need of confidentiality and integrity, or its business value if
// higher (low 1 … critical 4). It breaks ties of score and impact: the
// impact follows the one most sensitive asset, so an API that handles
// five high-need assets and one that handles a single one score alike,
// and without it equal threats came in id order, which decided through
// the spread which element's threat of a rule came first (docs/risk.md,
// "Ties").
func stakeValue(f *model.Finding) int {
	v := 0
	for _, a := range f.Assets {
		v += int(max(a.Need(model.Confidentiality), a.Need(model.Integrity), a.Value))
		if v >= 255 {
			return 255
		}
	}
	return v
}

// scoreRound is how many points of residual score below the best of its
// band cost a threat one round of the spread: a band is wide (medium runs
// from 6 to 11), and without it an element's first threat scoring 6 came
// before another element's second scoring 10.
const scoreRound = 2

// spread reorders each run of findings in the same severity band (and the
// same status class: open, unverified, closed) so that every element's first
// threat comes before any element's second, every rule's first instance
// before any rule's second and every place an attack starts from (item.start:
// the internet, a partner network, the internal network, the supply chain)
// before any place's second: a reviewer's list covers the design, its
// families and its attackers rather than repeating one component, one rule
// or the most exposed way in. A weakness's
// further STRIDE threats come a round later still, and a threat a round
// later per scoreRound points below the band's best. Within those rounds
// the order by score is kept. Last, an open or unverified threat that names
// the same element and STRIDE category as one ranked before it (in its run
// or an earlier one) moves after every other threat of its run: a reviewer
// writes one line per element and category, and a second tampering threat
// on the same API tells the team less than the first threat of another
// pair.
//
// fs is in rank-key order; nElem and nRule bound its items' element and
// rule numbers. It returns fs, reordered.
func spread(fs []item, nElem, nRule int) []item {
	same := func(a, b *model.Finding) bool {
		return a.Active() == b.Active() && a.Open() == b.Open() && a.Residual.Severity == b.Residual.Severity
	}
	var buf []item
	var round, at []int
	// seen and rules count, within a run, the threats met so far per
	// element and per rule; each run resets the entries it touched.
	seen := make([]int32, nElem)
	rules := make([]int32, nRule)
	// pairs holds the (element, category) pairs that the threats ranked so
	// far name, kept from one run to the next: per element, one bit per
	// category.
	pairs := make([]uint8, nElem)
	// starts says, within a run, which places an attack starts from
	// (startOf) a threat so far has named: one bit per place.
	var starts uint8
	for i := 0; i < len(fs); {
		j := i + 1
		for j < len(fs) && same(fs[i].f, fs[j].f) {
			j++
		}
		if j-i > 2 {
			run := fs[i:j]
			buf = append(buf[:0], run...)
			round = slices.Grow(round[:0], len(buf))[:len(buf)]
			top := buf[0].f.Residual.Score // the run is ordered by score
			most := 0
			for k, it := range buf {
				// A weakness's further STRIDE threats (aliased to it) and
				// a weakness merged from parallel hops (aliased to the
				// hops' threats, rule.Run) come one round later than
				// their place on the element would put them; a rule's
				// second instance after every rule's first.
				round[k] = int(seen[it.elem] + rules[it.rule])
				if it.later {
					round[k]++
				}
				// Coverage does not outweigh a clear difference in risk:
				// a threat waits one round more per scoreRound points
				// below the band's best.
				round[k] += (top - it.f.Residual.Score) / scoreRound
				// Every place an attack starts from (the internet, a
				// partner network, the internal network, the supply
				// chain) has its first threat of the run before any
				// place's second: a reviewer's list covers who can
				// attack, not only the most exposed way in.
				if it.start != 0 {
					if starts&(1<<it.start) != 0 {
						round[k]++
					}
					starts |= 1 << it.start
				}
				most = max(most, round[k])
				seen[it.elem]++
				if it.counts {
					rules[it.rule]++
				}
			}
			for _, it := range buf {
				seen[it.elem], rules[it.rule] = 0, 0
			}
			starts = 0
			// A stable counting sort by round keeps the order by score
			// within each round.
			at = slices.Grow(at[:0], most+2)[:most+2]
			clear(at)
			for _, r := range round {
				at[r+1]++
			}
			for r := 1; r < len(at); r++ {
				at[r] += at[r-1]
			}
			for k, it := range buf {
				run[at[round[k]]] = it
				at[round[k]]++
			}
		}
		if fs[i].f.Active() {
			buf = lastRepeats(fs[i:j], pairs, buf)
		}
		i = j
	}
	return fs
}

// lastRepeats moves the threats of run that name an (element, category)
// pair already named — by a threat before them in run or in an earlier
// run (pairs, per element the categories named) — after the others,
// keeping each group's order, and adds the run's pairs to pairs. buf is
// scratch space, returned for reuse.
func lastRepeats(run []item, pairs []uint8, buf []item) []item {
	buf = buf[:0]
	n := 0
	for _, it := range run {
		if pairs[it.elem]&it.bit != 0 {
			buf = append(buf, it)
			continue
		}
		pairs[it.elem] |= it.bit
		run[n] = it
		n++
	}
	copy(run[n:], buf)
	return buf
}

// pairOf returns the element a finding names first (its first target; for a
// flow threat the flow) and its category's bit.
func pairOf(f *model.Finding) (model.Target, uint8) {
	var t model.Target
	if len(f.Targets) > 0 {
		t = f.Targets[0]
	}
	bit := uint8(1) << len(model.Categories) // a category outside STRIDE
	if i := slices.Index(model.Categories, f.Category); i >= 0 {
		bit = 1 << i
	}
	return t, bit
}

// AtStake sets each question's AtStake to the worst inherent severity of the
// unverified threats its answer settles, and Moves to how much risk the
// answer would move (the sum of their inherent scores, counting only
// threats still unverified after decisions). It sorts the questions by
// Moves, then AtStake, and marks the first ones to answer: at most one per
// element and first limit overall (0 means one per element of the model).
func AtStake(m *model.Model, qs []*model.Question) {
	for _, q := range qs {
		q.AtStake, q.Moves = model.SevNone, 0
		for _, f := range q.Threats {
			if s := f.Inherent.Severity; s > q.AtStake {
				q.AtStake = s
			}
			if f.Unverified() {
				q.Moves += f.Inherent.Score
			}
		}
	}
	sortQuestions(qs)
	// Answer these first: the questions moving the most risk, one per
	// element, about one for every three elements of the model.
	limit := max(3, (len(m.Components)+len(m.Flows))/3)
	seen := map[string]bool{}
	n := 0
	for _, q := range qs {
		q.First = false
		if n < limit && q.Moves > 0 && !seen[q.Target.ID()] {
			seen[q.Target.ID()] = true
			q.First = true
			n++
		}
	}
}

// sortQuestions orders questions by Moves, then AtStake (highest first),
// then id, keeping the order of equals.
func sortQuestions(qs []*model.Question) {
	byID := func(a, b *model.Question) int { return strings.Compare(a.ID, b.ID) }
	if slices.IsSortedFunc(qs, byID) {
		// The rules' questions arrive in id order: a stable counting sort
		// by the two keys, which take few values, places them.
		type key struct {
			moves   int
			atStake model.Severity
		}
		count := map[key]int{}
		for _, q := range qs {
			count[key{q.Moves, q.AtStake}]++
		}
		distinct := make([]key, 0, len(count))
		for k := range count {
			distinct = append(distinct, k)
		}
		slices.SortFunc(distinct, func(a, b key) int {
			if c := cmp.Compare(b.moves, a.moves); c != 0 {
				return c
			}
			return cmp.Compare(b.atStake, a.atStake)
		})
		at := 0
		for _, k := range distinct {
			at, count[k] = at+count[k], at
		}
		sorted := make([]*model.Question, len(qs))
		for _, q := range qs {
			k := key{q.Moves, q.AtStake}
			sorted[count[k]] = q
			count[k]++
		}
		copy(qs, sorted)
		return
	}
	// Sorted with the keys beside the questions, not behind their
	// pointers, and by place last, which makes an unstable sort (faster
	// than a stable one) give the stable order: the lists run to
	// 100,000s of questions.
	type keyed struct {
		moves   int
		atStake model.Severity
		id      string
		at      int
		q       *model.Question
	}
	ks := make([]keyed, len(qs))
	for i, q := range qs {
		ks[i] = keyed{q.Moves, q.AtStake, q.ID, i, q}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := cmp.Compare(b.moves, a.moves); c != 0 {
			return c
		}
		if c := cmp.Compare(b.atStake, a.atStake); c != 0 {
			return c
		}
		if c := strings.Compare(a.id, b.id); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	for i, k := range ks {
		qs[i] = k.q
	}
}

// touchData reports whether any of f's elements handles the model's data
// (Component.TouchesData, Flow.TouchesData); an asset, boundary or
// model-level target counts as touching it.
func touchData(f *model.Finding) bool {
	for _, t := range f.Targets {
		switch {
		case t.Flow != nil:
			if t.Flow.TouchesData() {
				return true
			}
		case t.Component != nil:
			if t.Component.TouchesData() {
				return true
			}
		default:
			return true
		}
	}
	return false
}
