// Package rules is Ward's built-in rule catalogue: STRIDE on every element
// kind, flow and boundary crossing, and the families experienced reviewers look
// for (authentication, transport, data at rest, injection, authorization and
// tenancy, secrets, audit and logging, denial of service and cost, automated
// abuse, third parties and supply chain, privileged access, cloud storage,
// queues, LLMs and agents).
//
// Each rule is a value with a stable id; each has a fixture under
// testdata/<id>/ with a model that must trigger it and one that must not.
package rules

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// families lists every family of built-in rules.
var families = [][]*rule.Rule{
	authnRules,
	// Transport, data at rest, injection, authorization and tenancy, secrets.
	transportRules, dataRules, injectionRules, authzRules, secretsRules,
	// Logging, denial of service and cost, automated abuse, third parties,
	// privileged access, cloud storage, queues, LLMs and agents, boundaries, assets.
	loggingRules, dosRules, abuseRules, thirdpartyRules, adminRules, storageRules, queueRules, llmRules, boundaryRules, assetRules,
	// Field devices and payment instructions (operations.go).
	operationsRules,
	// What reviewers raise on almost every design (reviewer.go,
	// reviewer_lifecycle.go).
	reviewerRules, reviewerLifecycleRules,
	// Hand-offs beyond the edge: files, payment files, webhooks, keys,
	// staff consoles, processors (handoffs.go).
	handoffRules,
	// What staff can do with the access their work gives them (insider.go).
	insiderRules,
	// The machines components run on (hosts.go).
	hostRules,
	// Shared sign-in secrets and credentials in links (identity.go).
	identityRules,
	// Control zones and the hardware people carry (physical.go).
	physicalRules,
	// Application, data and integration classes (appdata.go).
	appdataRules,
}

// All returns the built-in rules, sorted by id. Each call returns the same
// values; callers must not modify them.
func All() []*rule.Rule { return all }

// enables lists, for each weakness, the further STRIDE categories it
// enables beyond the rule's own: each raises its own threat (id
// rule:target:category), so a cleartext hop is both read and altered on the
// wire, a missing authentication both spoofing and elevation.
var enables = map[string][]model.Category{
	idCleartextProtocol:   {model.Tampering, model.Spoofing},
	idCredsCleartext:      {model.Spoofing, model.Tampering},
	idSensitiveCleartext:  {model.Tampering},
	idUnencryptedCrossing: {model.Tampering},
	idUnencryptedInternal: {model.Tampering},

	"restricted-data-without-mtls":   {model.InformationDisclosure},
	"unauthenticated-entry-point":    {model.ElevationOfPrivilege},
	"unauthenticated-inbound-flow":   {model.ElevationOfPrivilege},
	"admin-without-mfa":              {model.ElevationOfPrivilege},
	"client-computed-state-trusted":  {model.Spoofing},
	"internal-service-trusts-caller": {model.Spoofing},

	"unvalidated-user-input":      {model.ElevationOfPrivilege},
	"cross-site-scripting":        {model.InformationDisclosure},
	"server-side-request-forgery": {model.ElevationOfPrivilege},
	"untrusted-deserialization":   {model.ElevationOfPrivilege},
	"cross-site-request-forgery":  {model.Spoofing},

	"missing-object-authorization":   {model.InformationDisclosure, model.Tampering},
	"tenant-isolation":               {model.Tampering},
	"third-party-direct-data-access": {model.InformationDisclosure, model.Tampering},
	"store-reachable-from-internet":  {model.Tampering},
	"sensitive-store-broad-access":   {model.Tampering},
	"audit-log-tampering":            {model.Tampering},

	"unverified-third-party-callback":    {model.Tampering},
	"unauthenticated-service-to-service": {model.Tampering},
	"queue-message-tampering":            {model.Spoofing},
	"unmanaged-secrets":                  {model.Spoofing},
	"secrets-in-client":                  {model.Spoofing},
	"llm-prompt-injection":               {model.InformationDisclosure},
	"llm-insecure-output-handling":       {model.ElevationOfPrivilege, model.InformationDisclosure},
	"unpinned-dependencies":              {model.ElevationOfPrivilege},
}

// receivers lists the flow rules whose threats are also about what the
// receiving component does with the flow: they name both.
var receivers = map[string]bool{
	"unauthenticated-inbound-flow": true, "unauthenticated-service-to-service": true, "untrusted-deserialization": true,
	"less-trusted-caller-into-admin": true, "third-party-direct-data-access": true, "unverified-third-party-callback": true,
	"third-party-callback-replay": true, "queue-message-tampering": true, "queue-message-replay": true,
	"llm-insecure-output-handling": true, "restricted-data-without-mtls": true, "sensitive-data-to-new-third-party": true,
	"sensitive-data-to-log-sink": true,
}

// vectors lists the rules whose attack does not arrive as a request to the
// element (docs/risk.md, Likelihood): content-carried attacks, whose
// payload other components may pass on unchanged, follow where the content
// can originate; supply-chain attacks arrive in what the element runs and
// do not follow its exposure. Every other rule is network.
var vectors = map[string]model.Vector{
	// Injection: the payload is data the element parses, builds queries,
	// pages or objects from, or fetches.
	"query-injection": model.VectorContent, "cross-site-scripting": model.VectorContent,
	"unvalidated-user-input": model.VectorContent, "untrusted-deserialization": model.VectorContent,
	"second-order-injection": model.VectorContent, "server-side-request-forgery": model.VectorContent,
	"queue-poison-message": model.VectorContent,
	// LLMs and agents: the prompt, and what the model does with it.
	"llm-prompt-injection": model.VectorContent, "llm-insecure-output-handling": model.VectorContent,
	"llm-sensitive-output-disclosure": model.VectorContent, "agent-unapproved-actions": model.VectorContent,
	"agent-tools-not-limited": model.VectorContent, "confused-deputy": model.VectorContent,

	"unpinned-dependencies":    model.VectorSupplyChain,
	"build-artifact-tampering": model.VectorSupplyChain,
}

// oneLine lists the rules whose readings on one element are one line
// (rule.Rule.OneLine): one missing control with one owner, which a reviewer
// writes once under whichever category (docs/rules.md, "One control, one
// line"). Chosen where the readings on one element matched lines a
// reviewer wrote apart in at most one group in five on the seen sets.
var oneLine = map[string]bool{
	// People's direct access to a store reviewed: insiders changing records
	// (elevation), or changing them unrecorded (repudiation).
	"privileged-store-access": true,
	// Writes to a shared store attributed: a writer altering others'
	// records, and nobody able to tell which writer did.
	"shared-store-tampering": true,
	// A credential crossing a hop in the clear: read on the wire, then
	// replayed or altered.
	"credentials-in-cleartext": true,
	// A caller not authenticated: anyone can be it, and reach what it
	// offers.
	"unauthenticated-entry-point": true, "unauthenticated-inbound-flow": true,
	// An administrator's sign-in without a second factor: the account taken
	// over, and its rights with it.
	"admin-without-mfa": true,
	// A secret shipped in a client: extracted, then used as the app.
	"secrets-in-client": true,
	// A device in the field in an attacker's hands: opened, read, altered,
	// impersonated or stopped.
	"field-device-tampering": true,
}

var all = func() []*rule.Rule {
	var out []*rule.Rule
	for _, f := range families {
		for _, r := range f {
			r.Origin = model.OriginBuiltin
			if r.Also == nil {
				r.Also = enables[r.ID]
			}
			r.Receiver = r.Receiver || receivers[r.ID]
			r.OneLine = r.OneLine || oneLine[r.ID]
			if r.Vector == model.VectorNetwork {
				r.Vector = vectors[r.ID]
			}
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}()

// privileged reports whether c offers privileged functions: an
// administrative interface, an agent with tools, a data store (direct access
// bypasses the application), or a holder of money, credentials or assets
// whose integrity matters most.
func privileged(c *model.Component) bool {
	if c.Admin || len(c.Tools) > 0 || c.IsStore() {
		return true
	}
	for _, a := range c.Assets() {
		if a.Kind == model.AssetMoney || a.Kind == model.AssetCredential || a.Need(model.Integrity) >= model.Critical {
			return true
		}
	}
	return false
}

// valuable reports whether any of as needs high confidentiality or
// integrity.
func valuable(as []*model.Asset) bool {
	for _, a := range as {
		if a.Need(model.Confidentiality) >= model.High || a.Need(model.Integrity) >= model.High {
			return true
		}
	}
	return false
}

// elevationIf limits a weakness's extra threats to the elevation of
// privilege it enables when the receiver offers privileged functions.
func elevationIf(x *rule.Ctx, c *model.Component) {
	if !privileged(c) {
		x.Enables()
	}
}

// q quotes an element id for titles.
func q(id string) string { return "`" + id + "`" }

// flowName names a flow in titles: `id` (from → to).
func flowName(f *model.Flow) string {
	return "`" + f.ID + "` (" + f.From.ID + " → " + f.To.ID + ")"
}

// lessTrustedSenders returns the flows into c from less trusted places.
func lessTrustedSenders(c *model.Component) []*model.Flow {
	var out []*model.Flow
	for _, f := range c.In {
		if f.From.Trust() < c.Trust() {
			out = append(out, f)
		}
	}
	return out
}

// entryPoint reports whether c runs code and receives flows from a less
// trusted place (or sits on the internet itself and receives flows); a
// flow from a data store or object storage is c reading it and counts
// only on the internet.
func entryPoint(c *model.Component) bool {
	return entryPointDepth(c, 0)
}

// entryPointOf is entryPoint read from a fact computed once per run (a
// dozen rules ask it of every component).
func entryPointOf(x *rule.Ctx, c *model.Component) bool { return x.CompFact(entryPointFact, c) != 0 }

var entryPointFact = rule.NewCompFact(func(_ *model.Model, c *model.Component) uint8 {
	if entryPoint(c) {
		return 1
	}
	return 0
})

// entryPointDepth is entryPoint looking through at most three relays: a
// component behind a CDN, WAF or gateway that only forwards is the entry
// point that owns the objects.
func entryPointDepth(c *model.Component, depth int) bool {
	if !c.IsProcess() || len(c.In) == 0 {
		return false
	}
	if c.Trust() == model.TrustInternet {
		return true
	}
	for _, f := range lessTrustedSenders(c) {
		// A flow from a data store or object storage is c reading it: a
		// store calls no one, so it makes c no entry point. What c reads
		// from a store that less trusted code fills is second-order
		// injection's and untrusted-file-parsing's (noise19). A queue
		// delivers its messages and still counts.
		if f.From.Kind != model.KindDatastore && f.From.Kind != model.KindStorage {
			return true
		}
	}
	if depth < 3 {
		for _, f := range c.In {
			if f.From != c && reviewerRelay(f.From) && entryPointDepth(f.From, depth+1) {
				return true
			}
		}
	}
	return false
}

// internetExposed reports whether c is on the internet or receives flows
// from it.
func internetExposed(c *model.Component) bool {
	if c.Trust() == model.TrustInternet && !c.IsActor() {
		return true
	}
	for _, f := range c.In {
		if f.From.Trust() == model.TrustInternet {
			return true
		}
	}
	return false
}

// sensitive returns the sensitive assets among as.
func sensitive(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		if a.Sensitive() {
			out = append(out, a)
		}
	}
	return out
}

// withData returns the assets among as holding any of the data kinds.
func withData(as []*model.Asset, kinds ...model.DataKind) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		for _, k := range kinds {
			if a.HasData(k) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// ofKind returns the assets among as of any of the kinds.
func ofKind(as []*model.Asset, kinds ...model.AssetKind) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		for _, k := range kinds {
			if a.Kind == k {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// ids lists element ids for titles: `a`, `b` and 3 more.
func ids[T interface{ comparable }](xs []T, id func(T) string) string {
	// Built in one buffer: titles name elements for 100,000s of threats.
	show := len(xs)
	if show > 3 {
		show = 2
	}
	size := 16
	for _, x := range xs[:show] {
		size += len(id(x)) + 7
	}
	var b strings.Builder
	b.Grow(size)
	for i, x := range xs[:show] {
		if i > 0 {
			if i == len(xs)-1 {
				b.WriteString(" and ")
			} else {
				b.WriteString(", ")
			}
		}
		b.WriteByte('`')
		b.WriteString(id(x))
		b.WriteByte('`')
	}
	if show < len(xs) {
		b.WriteString(" and ")
		b.WriteString(strconv.Itoa(len(xs) - 2))
		b.WriteString(" more")
	}
	return b.String()
}

func assetID(a *model.Asset) string    { return a.ID }
func compID(c *model.Component) string { return c.ID }

// distinct returns xs without repeats, in order of first appearance.
// Short lists (most: an element's assets or flows) are checked against
// what is kept so far, without a map.
func distinct[T comparable](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	var out []T
	if len(xs) <= 16 {
		out = make([]T, 0, len(xs))
		for _, x := range xs {
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	seen := make(map[T]bool, len(xs))
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
