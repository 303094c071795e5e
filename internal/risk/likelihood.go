// Likelihood: who can reach an element (exposure through relays and
// content carried across hops) and how easy the attack is from there.

package risk

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/listset"
	"github.com/wardtm/ward/internal/model"
)

// exposure is the least trusted boundary that reaches an element directly,
// and whether some way in from a less trusted place is unauthenticated.
// Requests that pass through a relay (a CDN, WAF, proxy or gateway that
// forwards them without owning the objects behind them, when relay says so)
// reach a component from wherever they reach the relay: the input an
// attacker controls at the edge arrives intact behind it.
func exposure(t model.Target, relay *relays) (model.Trust, bool, *model.Component) {
	switch {
	case t.Component != nil:
		c := t.Component
		n := relay.num(c)
		if n >= 0 && relay.comp[n].set {
			e := &relay.comp[n]
			return e.least, e.unauth, e.from
		}
		least, unauth, from := c.Trust(), false, (*model.Component)(nil)
		for _, f := range c.In {
			ft := relay.sender(f.From)
			if ft < least {
				least, from = ft, f.From
			}
			if f.From.Trust() < c.Trust() && f.Authentication == model.AuthNone {
				unauth = true
			}
		}
		// Request/response flows let the callee's answer reach the caller;
		// what matters for exposure is who can send, so Out flows are ignored.
		if n >= 0 {
			relay.comp[n] = exposed{least, unauth, true, from}
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
		if ShortRange(f.Protocol) && !ab.radio {
			least = max(least, model.TrustPartner)
		}
		return least, f.Authentication == model.AuthNone && f.Inbound(), f.From
	case t.Boundary != nil:
		return t.Boundary.Trust, false, nil
	}
	return model.TrustInternal, false, nil
}

// ShortRange reports whether protocol is a short-range radio link, which
// only an attacker within range of its ends can listen to or send on: the
// protocols of links that run metres, not kilometres (LoRa and cellular
// are not among them). A switch, not a map: it is asked for every threat
// on a flow.
func ShortRange(protocol string) bool {
	switch strings.ToLower(protocol) {
	case "ble", "bluetooth", "bluetooth-le", "nfc", "rfid", "zigbee", "zwave", "z-wave", "uwb":
		return true
	}
	return false
}

// relays knows which components forward requests, and memoises the least
// trusted place whose requests reach each sender (through two relays at
// most, as a CDN in front of a gateway) and each component's exposure.
//
// The memos are slices by component number (Model.CompNum), not maps by
// component: every threat asks them, and a map probe of 10,000s of
// components is a cache miss and a hash (a component the model's lists do
// not hold is not memoised).
type relays struct {
	m  *model.Model
	is func(*model.Component) bool
	// reach memoises each sender's reach, plus one (0: not known yet).
	reach []model.Trust
	// comp memoises each component's exposure: many threats share it.
	comp []exposed
	// origin memoises, per component and number of hops (contentHops+1
	// slots per component), where the content it takes in can originate;
	// words the reasons that say so, per sender.
	origin []origin
	words  map[*model.Component]string
}

// num returns c's number in the model, sizing the memos on the first
// call, or -1 when c is not memoised (r nil, or c not in the model).
func (r *relays) num(c *model.Component) int32 {
	if r == nil || r.m == nil {
		return -1
	}
	if r.comp == nil {
		n := len(r.m.Components)
		r.reach, r.comp, r.origin = make([]model.Trust, n), make([]exposed, n), make([]origin, n*(contentHops+1))
	}
	return r.m.CompNum(c)
}

// origin is the least trusted place whose content reaches a component,
// and the sender it arrives through (nil: the component's own zone).
type origin struct {
	least model.Trust
	set   bool // memoised
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
	// The memo first: it is read by number, without touching c (on a
	// large model, a cache miss per sender); it is only set for a c that
	// takes flows in.
	k := -1
	if n > 0 {
		if k = int(r.num(c)); k >= 0 {
			k = k*(contentHops+1) + n
			if v := r.origin[k]; v.set {
				return v
			}
		}
	}
	o := origin{least: c.Trust()}
	if n == 0 || len(c.In) == 0 {
		return o
	}
	for _, f := range c.In {
		if up := r.content(f.From, n-1); up.least < o.least {
			o = origin{least: up.least, via: f.From}
		}
	}
	if k >= 0 {
		o.set = true
		r.origin[k] = o
	}
	return o
}

type exposed struct {
	least  model.Trust
	unauth bool
	set    bool // memoised
	from   *model.Component
}

// sender returns how trusted the requests are that c sends on: its own
// trust, or for a relay the least trusted place that reaches it. The
// answer is memoised per component: many threats share each sender.
func (r *relays) sender(c *model.Component) model.Trust {
	if r == nil || r.is == nil || ab.relay {
		return c.Trust()
	}
	n := r.num(c)
	if n >= 0 && r.reach[n] != 0 {
		return r.reach[n] - 1
	}
	t := r.through(c, 0)
	if n >= 0 {
		r.reach[n] = t + 1
	}
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
func likelihoodReach(f *model.Finding, explain bool, reach map[*model.Component]string, relay *relays) (model.Likelihood, []string) {
	l, why, _ := likelihoodStart(f, explain, reach, relay, nil)
	return l, why
}

// likelihoodStart is likelihoodReach, also returning where the attack
// starts (Finding.Start): the least trusted place that reaches the
// element, unset for a supply-chain attack. The reasons are appended to
// buf[:0] (score's scratch list, which it copies out at its length).
func likelihoodStart(f *model.Finding, explain bool, reach map[*model.Component]string, relay *relays, buf []string) (model.Likelihood, []string, model.Trust) {
	base, why := 2, buf[:0]
	// A threat merged across an estate's zones can name thousands of
	// senders: the reasons are a list set, not a list scanned per target.
	whys := listset.Set[string]{List: why}
	if ab.supply && f.Vector == model.VectorSupplyChain || ab.content && f.Vector == model.VectorContent {
		g := *f
		g.Vector = model.VectorNetwork
		f = &g
	}
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
				whys.Add("the attack arrives in code or artefacts made elsewhere, whoever can reach the element (supply chain)")
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
					tr, from, word = o.least, c, "takes in content from the internet through "
					if o.via != nil && t.Flow == nil {
						from = o.via
					}
					words = relay.words // worded apart from the same sender's reach
					if words == nil {
						relay.words = map[*model.Component]string{}
						words = relay.words
					}
				}
			}
		}
		if tr < least {
			least = tr
		}
		unauth = unauth || u
		if explain && from != nil && from.ID != "" && tr == model.TrustInternet {
			r, ok := words[from]
			if !ok {
				r = word + from.ID
				if words != nil {
					words[from] = r
				}
			}
			whys.Add(r)
		}
	}
	why = whys.List
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
	if unauth && !ab.unauth {
		base++
		if explain {
			why = append(why, "an inbound flow from a less trusted place is unauthenticated")
		}
	}
	expl := f.Exploitability
	if ab.posexpl && expl > 0 || ab.negexpl && expl < 0 {
		expl = 0
	}
	if afterCompromise(f) && expl > -1 {
		// What the threat describes happens once something else has
		// been compromised first: a flaw in the element exploited, a
		// secret leaked from code or CI, a caller or producer taken
		// over, an agent steered by an injection. That first step is a
		// foothold, counted like one (docs/risk.md, after a compromise).
		expl = -1
	}
	switch {
	case expl < 0 && least >= model.TrustInternal && !ab.once:
		// An attack that needs a foothold, on an element only internal
		// or restricted networks reach: the exposure already counts the
		// foothold ("unlikely: needs a foothold inside the network"), and
		// the insider who abuses access they hold needs none. Counted
		// once, not twice.
		if explain {
			why = append(why, "the foothold the attack needs is the internal access its exposure already assumes")
		}
	case expl != 0:
		base += int(expl)
		switch {
		case !explain:
		case expl > 0:
			why = append(why, "the attack is easy to carry out")
		case expl != f.Exploitability:
			why = append(why, afterWhy)
		default:
			why = append(why, "the attack needs skill or a foothold")
		}
	}
	if heldAccess(f) && !heldReads(f) && base < heldAccessLikelihood {
		// The attacker is a member of staff using access they hold: they
		// are already where the attack starts, however deep inside the
		// network the element sits. (Reading beyond need depends on what
		// is read: the impact, which score knows.)
		base = heldAccessLikelihood
		if explain {
			why = append(why, heldWhy)
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

// whyChunk is how many reasons' room a slab allocation holds.
const whyChunk = 4096

// keepWhy returns a copy of why, cut from *slab (refilled when short), with
// capacity equal to its length, so an append copies rather than writing
// into the next finding's list.
func keepWhy(slab *[]string, why []string) []string {
	n := len(why)
	if n > whyChunk/8 {
		return slices.Clone(why)
	}
	if len(*slab) < n {
		*slab = make([]string, whyChunk)
	}
	out := (*slab)[:n:n]
	*slab = (*slab)[n:]
	copy(out, why)
	return out
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

// afterCompromiseRules are the built-in rules whose threat is what an
// attacker does once something else is compromised: the blast radius of a
// first step, not the first step itself. An entry point holding more
// privilege than it needs matters after a flaw in it is exploited; a
// secret outside a secrets manager after it leaks from code, images, CI
// or backups; a less trusted caller into an administrative component, a
// producer on an unscoped queue, after that caller or producer is taken
// over; an agent's excess tools after an injection or a model error
// steers it. The first step is a foothold, counted like one (the rule's
// exploitability −1, and once only on an internal element), as for a
// token that must be stolen before it is replayed (docs/risk.md,
// Likelihood: after a compromise).
var afterCompromiseRules = map[string]bool{
	"overprivileged-entry-point":     true,
	"unmanaged-secrets":              true,
	"less-trusted-caller-into-admin": true,
	"queue-topics-not-scoped":        true,
	"agent-tools-not-limited":        true,
}

// afterWhy is the reason the likelihood gives a threat after a compromise.
const afterWhy = "the threat follows a compromise elsewhere first (a flaw exploited, a secret leaked, a caller taken over): one step less likely"

// afterCompromise reports whether f's threat follows a prior compromise.
func afterCompromise(f *model.Finding) bool {
	return !ab.after && f.Origin == model.OriginBuiltin && afterCompromiseRules[f.Rule]
}

// AfterCompromise reports whether the built-in rule id's threat follows a
// prior compromise, counted as a foothold (`ward rules explain` says so).
func AfterCompromise(id string) bool { return afterCompromiseRules[id] }

// heldAccessLikelihood is where a held-access threat starts, at least:
// possible. The staff member needs no foothold, but is one of few people
// (the scale's "reachable by partners or with some effort").
const heldAccessLikelihood = 3

// heldWhy is the reason the held-access floor adds to the likelihood.
const heldWhy = "staff hold the access the attack needs: possible wherever the element sits"

// heldReadImpact is the impact from which staff reading beyond their need
// is possible at least (critical data). Reading is what most staff
// accounts can do beyond their job; reviewers rate it high when what is
// read is critical (nearly half of those threats are the first match of a
// listed high or critical line), and never when it is not (none of 19 in
// the seen sets). Acting alone — paying, approving, changing — is possible
// at any impact.
const heldReadImpact = 5

// heldReadWhy says why a held-access disclosure of data that is not
// critical gets no floor.
const heldReadWhy = "staff hold the access, but what they could read beyond their need is not critical: rated by its exposure"

// heldReads reports whether f is a held-access threat of reading beyond
// need (a disclosure): possible at least only at impact heldReadImpact.
func heldReads(f *model.Finding) bool {
	return !ab.heldread && heldAccess(f) && f.Category == model.InformationDisclosure
}

// moderateImpact is the impact at which a threat is medium at most: a
// moderate stake (a medium need, or no asset named in a business-critical
// system) counts possible (moderateLikelihood) at most, so 3 × 3 = 9,
// however exposed and easy the attack. Reviewers list an internet-facing
// threat of moderate impact (no rate limit on an endpoint whose outage is
// tolerable, a client-computed total on data of medium integrity) as
// high or critical rarely: 9 % of 100 such high threats were the first
// match of a listed high or critical line, against 22 % for the high band
// as a whole. Below impact 3 the product is medium at most anyway.
const moderateImpact, moderateLikelihood = 3, 3

// moderateWhy is the reason the moderate-stake cap adds.
const moderateWhy = "what is at stake is moderate (impact 3): counted possible at most, so medium at most however exposed"

// heldAccess reports whether f's attacker is staff using access they hold.
func heldAccess(f *model.Finding) bool {
	return !ab.held && f.Origin == model.OriginBuiltin && heldAccessRules[f.Rule]
}

// HeldAccess reports whether the built-in rule id's attacker is staff using
// access they hold, whose likelihood is possible at least (`ward rules
// explain` says so).
func HeldAccess(id string) bool { return heldAccessRules[id] }

// soughtLikelihood is where the disclosure of a store of severe data
// starts, at least: possible, as for held access.
const soughtLikelihood = 3

// soughtWhy is the reason soughtStore adds to the likelihood.
const soughtWhy = "a store of data whose disclosure is severe: attackers seek it out (stolen credentials, snapshots, backups, broad roles), possible at least"

// soughtGuessWhy is the reason soughtStore adds where the data's
// sensitivity is read from its words (guessedSevere).
const soughtGuessWhy = "a store of data the model gives no sensitivity for, whose words name secrets, credentials, card or health data (often critical where stated): attackers seek it out (stolen credentials, snapshots, backups, broad roles), possible at least"

// soughtStore reports whether f, of impact i, discloses data at rest whose
// disclosure is severe: an information-disclosure threat of impact 5 whose
// elements are all data stores or storage (a zone-wide threat names
// several). Such a store is the prize of a breach: reviewers rate its
// exposure high even on an internal network, which exposure alone calls
// unlikely (docs/risk.md, Likelihood: a store sought out). Queues hold
// messages in passing, not the data at rest, and are not counted; nor is
// the store's own administrators' access (storeAdmins). Impact 4 counts
// too where the model states nothing of the data's sensitivity and its
// words name data that models stating it mostly call critical
// (guessedSevere).
func soughtStore(f *model.Finding, i model.Impact) bool {
	if ab.sought || f.Category != model.InformationDisclosure || i < 5 && !guessedSevere(f, i) || len(f.Targets) == 0 || storeAdmins(f) {
		return false
	}
	for _, t := range f.Targets {
		c := t.Component
		if c == nil || t.Flow != nil || t.Boundary != nil || t.Asset != nil || c.Kind != model.KindDatastore && c.Kind != model.KindStorage {
			return false
		}
	}
	return true
}

// parserWhy is the reason parserFoothold adds to the likelihood.
const parserWhy = "a parser of files from a less trusted source: the exploit is authored offline and carried in a file across every boundary, and the foothold reaches every file the worker reads, possible at least"

// parserFoothold reports whether f, of impact i, is an elevation threat
// of impact 5 whose rule marks it a foothold sought out (Finding.Sought;
// untrusted-file-parsing: code run by a crafted file in the worker that
// opens others' files). The exploit needs no reach through the network
// (the file is carried in by the application itself) and is a target
// sought out like a store of severe data (docs/risk.md, Likelihood: a
// store sought out): possible at least, the uncertainty factor not
// lowering it below that.
func parserFoothold(f *model.Finding, i model.Impact) bool {
	return !ab.parser && i >= 5 && f.Category == model.ElevationOfPrivilege && f.Sought
}

// storeAdmins reports whether f's attacker is one of the people the
// organisation gives direct access to its stores (database and storage
// administrators, the engineers holding production grants): the
// infrastructure's own insiders, whose threats keep their network exposure
// (docs/risk.md, Likelihood: held access). A store sought out is sought by
// whoever does not hold that access — with a stolen credential, a snapshot
// or backup copied out, a role granted too widely — which the store's
// own threats (encryption at rest, broad grants, backups) describe; the
// administrators reading what they administer are not that attacker, and
// reviewers rate the threat by the store's exposure (docs/risk.md, a store
// sought out: its administrators). A switch, not a map: asked per threat.
func storeAdmins(f *model.Finding) bool {
	if f.Origin != model.OriginBuiltin {
		return false
	}
	switch f.Rule {
	case "privileged-store-access":
		return true
	}
	return false
}

// guessedSevere reports whether f's impact i is 4 only because the model
// states nothing of its data's sensitivity: every asset at stake that
// needs high confidentiality or more had its data kinds read from its
// words (model.InferredData, which implies high, never critical), and one
// of them names secrets, credentials, card or health data or is a
// credential (severeKind). A sparse model's data never reaches impact 5,
// so no store of it was ever sought out; yet where models state these
// kinds of data they call them critical two times in three (secrets 73 %,
// card data 67 %, credentials 66 %, health 63 %; financial 61 %, money
// 56 %, personal data 44 %, data whose words name no kind 39 %: the seen
// sets' words-only copies against their rich models). A model that states
// its data's sensitivity is unchanged.
func guessedSevere(f *model.Finding, i model.Impact) bool {
	if i != 4 {
		return false
	}
	n, severe := 0, false
	for _, a := range f.Assets {
		if levelImpact(max(a.Need(model.Confidentiality), a.Value)) < i {
			continue
		}
		if a.Inferred&model.InferredData == 0 {
			return false
		}
		n++
		severe = severe || severeKind(a)
	}
	return n > 0 && severe
}

// severeKind reports whether a is a credential or holds secrets,
// credentials, card or health data. Financial data and money were measured
// and left out: with them half B's perturbed copies gain 3 lines more and
// half A's and the sparse twins less (docs/quality-history.md,
// ranksparse26).
func severeKind(a *model.Asset) bool {
	if a.Kind == model.AssetCredential {
		return true
	}
	for _, d := range a.Data {
		switch d {
		case model.DataSecrets, model.DataCredentials, model.DataPaymentCard, model.DataPHI:
			return true
		}
	}
	return false
}
