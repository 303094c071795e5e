// Package synth generates large, realistic, deterministic synthetic threat
// models in Ward's YAML format, for benchmarks and scale tests.
//
// A model of size n has n components of every kind, about 5n flows, n/10
// trust boundaries (a quarter of them nested, with all four trust levels),
// n/5 assets, and smaller numbers of threats, mitigations, assumptions and
// decisions. Controls, protocols, authentication and encryption are a mix of
// yes, no and unknown, so rules both fire and ask questions. The same n and
// seed always give the same bytes.
package synth

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
)

// DefaultSeed is the seed used by the benchmarks and by ward-synth.
const DefaultSeed uint64 = 0x5eed_3a7d

// Options tune a generated model. The zero value of each field means the
// default ratio.
type Options struct {
	// Components is the number of components (n).
	Components int
	// FlowsPer is the number of flows per component (default 5).
	FlowsPer int
	// Seed seeds the PCG generator.
	Seed uint64
	// Now is the YYYY-MM-DD date acceptance expiries are spread around
	// (default 2026-01-01): some expire before it, most after.
	Now string
}

// Generate returns a model with n components, 5n flows, n/10 boundaries and
// n/5 assets, generated from seed.
func Generate(n int, seed uint64) []byte {
	return GenerateWith(Options{Components: n, Seed: seed})
}

// Counts says how many elements of each kind a model of the options has.
type Counts struct {
	Components, Flows, Boundaries, Assets, Threats, Mitigations, Assumptions, Decisions int
}

// CountsFor returns the element counts GenerateWith produces for o.
func CountsFor(o Options) Counts {
	n := max(o.Components, 2)
	fp := o.FlowsPer
	if fp <= 0 {
		fp = 5
	}
	return Counts{
		Components:  n,
		Flows:       n * fp,
		Boundaries:  max(n/10, 1),
		Assets:      max(n/5, 1),
		Threats:     max(n/10, 1),
		Mitigations: max(n/10, 1),
		Assumptions: max(n/50, 1),
		Decisions:   max(n/50, 1),
	}
}

var (
	trusts = []string{"internet", "partner", "internal", "restricted"}
	// Component kinds with weights that resemble a real estate of services.
	kindWeights = []struct {
		kind string
		w    int
	}{
		{"service", 30}, {"function", 10}, {"datastore", 12}, {"storage", 5}, {"queue", 8},
		{"external", 8}, {"person", 6}, {"client", 7}, {"device", 3}, {"llm", 4}, {"agent", 3},
	}
	assetKinds      = []string{"data", "data", "data", "credential", "money", "infrastructure", "availability", "reputation"}
	classifications = []string{"public", "internal", "internal", "confidential", "confidential", "restricted"}
	dataKinds       = []string{"pii", "phi", "payment_card", "credentials", "secrets", "financial"}
	levels          = []string{"low", "medium", "high", "critical"}
	protocols       = []string{"https", "https", "https", "grpc", "http", "sql", "amqp", "kafka", "smtp", "ssh"}
	auths           = []string{"none", "password", "session", "token", "api_key", "mtls", "signature", "iam"}
	encs            = []string{"none", "tls", "mtls"}
	atRests         = []string{"none", "disk", "application", "tokenized"}
	techs           = []string{"go", "java", "python", "node", "postgres", "mysql", "redis", "s3", "kafka", "rabbitmq", "nginx", "openai", "react", "ios", "android"}
	strides         = []string{"spoofing", "tampering", "repudiation", "information_disclosure", "denial_of_service", "elevation_of_privilege", "S", "T", "I", "E"}
	likelihoods     = []string{"rare", "unlikely", "possible", "likely", "almost_certain"}
	impacts         = []string{"negligible", "minor", "moderate", "major", "severe"}
	mitStatuses     = []string{"proposed", "planned", "planned", "implemented", "implemented", "verified", "wont_do"}
	reduces         = []string{"", "", "likelihood", "impact", "both"}
	tri             = []string{"yes", "no", "unknown"}
	// Controls that make sense per kind of component.
	processControls = []string{"authenticates", "authorizes", "tenant_isolation", "validates_input", "encodes_output", "safe_queries",
		"rate_limits", "logs_security_events", "tamper_evident_logs", "redacts_logs", "secrets_managed", "least_privilege",
		"bot_protection", "csrf_protection", "secure_sessions", "pins_dependencies", "hardened", "network_restricted", "timeouts", "access_reviewed"}
	storeControls = []string{"authenticates", "authorizes", "tenant_isolation", "backups", "encrypted_backups", "least_privilege",
		"public_access_blocked", "network_restricted", "logs_security_events", "access_reviewed", "dead_letter"}
	aiControls     = []string{"prompt_isolation", "human_approval", "limits_tools", "filters_output", "spending_limits", "rate_limits", "logs_security_events", "least_privilege"}
	actorControls  = []string{"mfa_for_admins", "hardened", "access_reviewed"}
	flowControls   = []string{"verifies_signatures", "replay_protection", "timeouts"}
	decisionRules  = []string{"unauthenticated-entry-point", "no-rate-limiting", "no-security-event-logging", "no-request-limits", "credential-stuffing"}
	flowDecisions  = []string{"unauthenticated-inbound-flow", "unauthenticated-service-to-service", "sensitive-data-to-log-sink"}
	decisionStatus = []string{"accepted", "mitigated", "false_positive", "transferred", "accepted"}
)

type comp struct {
	id, kind string
	boundary int // index into boundaries, -1 for none
}

type gen struct {
	r *rand.Rand
	b bytes.Buffer
	o Options
	n Counts
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }
func (g *gen) chance(p float64) bool  { return g.r.Float64() < p }
func (g *gen) w(s string)             { g.b.WriteString(s) }
func (g *gen) f(format string, args ...any) {
	fmt.Fprintf(&g.b, format, args...)
}

// GenerateWith returns a model generated with the options.
func GenerateWith(o Options) []byte {
	if o.Now == "" {
		o.Now = "2026-01-01"
	}
	g := &gen{r: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), o: o, n: CountsFor(o)}
	g.b.Grow(g.n.Components*700 + g.n.Flows*250)
	g.header()
	btrust := g.boundaries()
	assets := g.assets()
	comps := g.components(btrust, assets)
	flows := g.flows(comps, assets)
	mits := g.mitigations()
	g.threats(comps, flows, assets, mits)
	g.decisions(comps, flows, mits)
	g.assumptions(comps, mits)
	return g.b.Bytes()
}

func (g *gen) header() {
	g.f(`# Synthetic model generated by ward-synth: %d components, seed %d.
ward: 1
system:
  id: synthetic-estate
  name: Synthetic estate (%d components)
  description: A generated model for benchmarks and scale tests.
  team: platform-security
  contacts: [security@example.com]
scope:
  in:
    - what: Every generated component and flow
  out:
    - what: Physical security
      why: Handled by the data-centre provider.
context:
  paved_path: unknown
  internet_facing: "yes"
  sensitive_data: [pii, payment_card, credentials]
  auth_changes: "no"
  criticality: high
`, g.n.Components, g.o.Seed, g.n.Components)
}

// boundaries writes the boundaries and returns the trust level of each, in
// the order components refer to them (b-0 ... b-k).
func (g *gen) boundaries() []int {
	nb := g.n.Boundaries
	trust := make([]int, nb)
	children := make([][]int, nb)
	tops := []int{}
	for i := range nb {
		// A quarter nest inside an earlier top-level boundary, at least as
		// trusted as it.
		if len(tops) > 0 && g.chance(0.25) {
			p := tops[g.r.IntN(len(tops))]
			trust[i] = trust[p] + g.r.IntN(4-trust[p])
			children[p] = append(children[p], i)
			continue
		}
		trust[i] = weighted(g.r, []int{2, 2, 4, 2})
		tops = append(tops, i)
	}
	g.w("boundaries:\n")
	var write func(i int, indent string)
	write = func(i int, indent string) {
		g.f("%s- id: b-%d\n%s  name: Zone %d\n%s  trust: %s\n", indent, i, indent, i, indent, trusts[trust[i]])
		if g.chance(0.5) {
			g.f("%s  description: %s network segment %d\n", indent, trusts[trust[i]], i)
		}
		if len(children[i]) > 0 {
			g.f("%s  boundaries:\n", indent)
			for _, c := range children[i] {
				write(c, indent+"    ")
			}
		}
	}
	for _, t := range tops {
		write(t, "  ")
	}
	return trust
}

func weighted(r *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	v := r.IntN(total)
	for i, x := range w {
		if v < x {
			return i
		}
		v -= x
	}
	return len(w) - 1
}

func (g *gen) assets() []string {
	na := g.n.Assets
	ids := make([]string, na)
	g.w("assets:\n")
	for i := range na {
		id := "a-" + strconv.Itoa(i)
		ids[i] = id
		kind := g.pick(assetKinds)
		g.f("  - id: %s\n    name: Asset %d\n    kind: %s\n", id, i, kind)
		if g.chance(0.9) {
			g.f("    classification: %s\n", g.pick(classifications))
		}
		if kind == "data" || kind == "credential" {
			if g.chance(0.6) {
				k := g.r.IntN(len(dataKinds))
				if g.chance(0.3) {
					g.f("    data: [%s, %s]\n", dataKinds[k], dataKinds[(k+1)%len(dataKinds)])
				} else {
					g.f("    data: [%s]\n", dataKinds[k])
				}
			}
		}
		if g.chance(0.3) {
			g.f("    confidentiality: %s\n", g.pick(levels))
		}
		if g.chance(0.3) {
			g.f("    integrity: %s\n", g.pick(levels))
		}
		if g.chance(0.3) {
			g.f("    availability: %s\n", g.pick(levels))
		}
		if g.chance(0.02) {
			g.w("    must_not_store: true\n")
		}
	}
	return ids
}

func (g *gen) kind() string {
	total := 0
	for _, k := range kindWeights {
		total += k.w
	}
	v := g.r.IntN(total)
	for _, k := range kindWeights {
		if v < k.w {
			return k.kind
		}
		v -= k.w
	}
	return "service"
}

func isActor(k string) bool {
	return k == "person" || k == "client" || k == "device" || k == "external"
}
func isStore(k string) bool { return k == "datastore" || k == "storage" || k == "queue" }

func (g *gen) components(btrust []int, assets []string) []comp {
	nc := g.n.Components
	byTrust := make([][]int, 4)
	for i, t := range btrust {
		byTrust[t] = append(byTrust[t], i)
	}
	// Trust levels each kind prefers, most likely first.
	choose := func(kind string) int {
		var prefs []int
		switch {
		case kind == "person" || kind == "client" || kind == "device":
			prefs = []int{0, 0, 0, 1, 2}
		case kind == "external":
			prefs = []int{1, 1, 0, 2}
		case isStore(kind):
			prefs = []int{3, 3, 2, 2, 1}
		default:
			prefs = []int{2, 2, 2, 3, 1, 0}
		}
		for range 4 {
			t := prefs[g.r.IntN(len(prefs))]
			if len(byTrust[t]) > 0 {
				return byTrust[t][g.r.IntN(len(byTrust[t]))]
			}
		}
		return g.r.IntN(len(btrust))
	}
	comps := make([]comp, nc)
	g.w("components:\n")
	for i := range nc {
		kind := g.kind()
		// The first components cover every kind at least once.
		if i < len(kindWeights) {
			kind = kindWeights[i].kind
		}
		c := comp{id: fmt.Sprintf("%s-%d", kind, i), kind: kind, boundary: -1}
		if !(isActor(kind) && g.chance(0.3)) && !g.chance(0.05) {
			c.boundary = choose(kind)
		}
		comps[i] = c
		g.f("  - id: %s\n    name: %s %d\n    kind: %s\n", c.id, kind, i, kind)
		if c.boundary >= 0 {
			g.f("    boundary: b-%d\n", c.boundary)
		}
		if g.chance(0.4) {
			g.f("    description: Generated %s number %d in the synthetic estate.\n", kind, i)
		}
		if g.chance(0.7) {
			g.f("    tech: %s\n", g.pick(techs))
		}
		var ctls []string
		switch {
		case isStore(kind):
			ctls = storeControls
			if g.chance(0.6) {
				g.f("    stores: [%s]\n", g.assetList(assets, 1+g.r.IntN(3)))
			}
			if g.chance(0.4) {
				g.f("    encryption_at_rest: %s\n", g.pick(atRests))
			} else {
				ctls = append(ctls[:len(ctls):len(ctls)], "encrypts_at_rest")
			}
			if kind == "storage" && g.chance(0.1) {
				g.w("    public: true\n")
			}
		case kind == "llm" || kind == "agent":
			ctls = aiControls
			if kind == "agent" {
				g.w("    tools: [search, send_email, create_ticket]\n")
			}
			if g.chance(0.5) {
				g.f("    processes: [%s]\n", g.assetList(assets, 1+g.r.IntN(2)))
			}
		case isActor(kind):
			ctls = actorControls
			if kind == "external" {
				ctls = append(ctls[:len(ctls):len(ctls)], "spending_limits")
				if g.chance(0.3) {
					g.w("    paid: true\n")
				}
				if g.chance(0.2) {
					g.w("    new: true\n")
				}
			}
		default:
			ctls = processControls
			if g.chance(0.7) {
				g.f("    processes: [%s]\n", g.assetList(assets, 1+g.r.IntN(3)))
			}
			if g.chance(0.15) {
				g.f("    stores: [%s]\n", g.assetList(assets, 1))
			}
			if g.chance(0.05) {
				g.w("    admin: true\n")
			}
		}
		if g.chance(0.03) {
			g.w("    out_of_scope: true\n")
		}
		if g.chance(0.3) {
			g.f("    tags: [team-%d, tier-%d]\n", g.r.IntN(40), g.r.IntN(3))
		}
		g.controls(ctls, "    ")
	}
	return comps
}

// controls writes about two thirds of the controls, each yes, no or unknown
// with equal odds.
func (g *gen) controls(ctls []string, indent string) {
	first := true
	for _, k := range ctls {
		if !g.chance(0.65) {
			continue
		}
		if first {
			g.f("%scontrols:\n", indent)
			first = false
		}
		g.f("%s  %s: %s\n", indent, k, g.pick(tri))
	}
}

// assetList returns k distinct-ish asset ids, comma separated.
func (g *gen) assetList(assets []string, k int) string {
	var b bytes.Buffer
	start := g.r.IntN(len(assets))
	step := 1 + g.r.IntN(7)
	for j := range min(k, len(assets)) {
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteString(assets[(start+j*step)%len(assets)])
	}
	return b.String()
}

func (g *gen) flows(comps []comp, assets []string) []string {
	var actors, procs, stores, targets []int
	for i, c := range comps {
		switch {
		case isActor(c.kind):
			actors = append(actors, i)
			if c.kind == "external" {
				targets = append(targets, i)
			}
		case isStore(c.kind):
			stores = append(stores, i)
			targets = append(targets, i)
		default:
			procs = append(procs, i)
			targets = append(targets, i)
		}
	}
	pickFrom := func(s []int) int { return s[g.r.IntN(len(s))] }
	nf := g.n.Flows
	ids := make([]string, nf)
	g.w("flows:\n")
	for i := range nf {
		var from, to int
		switch v := g.r.IntN(10); {
		case v < 2 && len(actors) > 0: // an actor calls in
			from, to = pickFrom(actors), pickFrom(procs)
		case v < 4 && len(stores) > 0: // a process uses a store
			from, to = pickFrom(procs), pickFrom(stores)
		case v < 5 && len(stores) > 0: // a queue or store feeds a process
			from, to = pickFrom(stores), pickFrom(procs)
		default: // a process calls something
			from, to = pickFrom(procs), pickFrom(targets)
		}
		if from == to {
			to = procs[(indexOf(procs, to)+1)%len(procs)]
			if from == to {
				to = pickFrom(targets)
				if from == to {
					to = (from + 1) % len(comps)
				}
			}
		}
		id := "f-" + strconv.Itoa(i)
		ids[i] = id
		g.f("  - id: %s\n    from: %s\n    to: %s\n", id, comps[from].id, comps[to].id)
		if g.chance(0.3) {
			g.f("    name: call %d\n", i)
		}
		if g.chance(0.75) {
			g.f("    protocol: %s\n", g.pick(protocols))
			if g.chance(0.5) {
				g.f("    port: %d\n", 1024+g.r.IntN(8000))
			}
		}
		if g.chance(0.65) {
			g.f("    authentication: %s\n", g.pick(auths))
		}
		if g.chance(0.65) {
			g.f("    encryption: %s\n", g.pick(encs))
		}
		if g.chance(0.6) {
			g.f("    carries: [%s]\n", g.assetList(assets, 1+g.r.IntN(2)))
		}
		if isStore(comps[to].kind) && comps[to].kind == "queue" || g.chance(0.05) {
			g.w("    one_way: true\n")
		}
		if g.chance(0.2) {
			g.controls(flowControls, "    ")
		}
	}
	return ids
}

func indexOf(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return 0
}

func (g *gen) mitigations() []string {
	nm := g.n.Mitigations
	ids := make([]string, nm)
	g.w("mitigations:\n")
	for i := range nm {
		ids[i] = "m-" + strconv.Itoa(i)
		g.f("  - id: %s\n    title: Mitigation %d\n    status: %s\n", ids[i], i, g.pick(mitStatuses))
		if r := g.pick(reduces); r != "" {
			g.f("    reduces: %s\n", r)
		}
		if g.chance(0.5) {
			g.f("    owner: team-%d\n    ticket: SEC-%d\n", g.r.IntN(40), 1000+i)
		}
		if g.chance(0.3) {
			g.f("    due: 2026-%02d-%02d\n", 1+g.r.IntN(12), 1+g.r.IntN(28))
		}
	}
	return ids
}

// expiry returns a date around Now: a fifth of them already past.
func (g *gen) expiry() string {
	if g.chance(0.2) {
		return fmt.Sprintf("2025-%02d-%02d", 1+g.r.IntN(12), 1+g.r.IntN(28))
	}
	return fmt.Sprintf("2027-%02d-%02d", 1+g.r.IntN(12), 1+g.r.IntN(28))
}

func (g *gen) threats(comps []comp, flows, assets, mits []string) {
	nt := g.n.Threats
	g.w("threats:\n")
	for i := range nt {
		g.f("  - id: t-%d\n    title: Threat %d against the estate\n", i, i)
		g.f("    stride: [%s]\n", g.pick(strides))
		if g.chance(0.5) {
			g.f("    targets: [%s]\n", comps[g.r.IntN(len(comps))].id)
		} else {
			g.f("    targets: [%s, %s]\n", flows[g.r.IntN(len(flows))], comps[g.r.IntN(len(comps))].id)
		}
		if g.chance(0.5) {
			g.f("    assets: [%s]\n", g.assetList(assets, 1))
		}
		if g.chance(0.4) {
			g.f("    likelihood: %s\n", g.pick(likelihoods))
		}
		if g.chance(0.4) {
			g.f("    impact: %s\n", g.pick(impacts))
		}
		if g.chance(0.5) {
			g.f("    mitigations: [%s, %s]\n", mits[g.r.IntN(len(mits))], mits[g.r.IntN(len(mits))])
		}
		switch v := g.r.IntN(10); {
		case v == 0:
			g.f("    status: accepted\n    owner: team-%d\n    reason: Compensated elsewhere.\n    expires: %s\n", g.r.IntN(40), g.expiry())
		case v == 1:
			g.w("    status: false_positive\n    reason: Not reachable in this deployment.\n")
		case v == 2:
			g.w("    found_by: pen_test\n")
		}
	}
}

func (g *gen) decisions(comps []comp, flows, mits []string) {
	nd := g.n.Decisions
	g.w("decisions:\n")
	seen := map[string]bool{}
	for i := 0; i < nd; i++ {
		var finding string
		for {
			if g.chance(0.5) {
				finding = g.pick(decisionRules) + ":" + comps[g.r.IntN(len(comps))].id
			} else {
				finding = g.pick(flowDecisions) + ":" + flows[g.r.IntN(len(flows))]
			}
			if !seen[finding] {
				seen[finding] = true
				break
			}
		}
		st := g.pick(decisionStatus)
		g.f("  - finding: %s\n    status: %s\n", finding, st)
		switch st {
		case "accepted":
			g.f("    reason: Low exposure; revisit at expiry.\n    owner: team-%d\n    expires: %s\n", g.r.IntN(40), g.expiry())
		case "false_positive", "transferred":
			g.w("    reason: Handled by the platform.\n")
		case "mitigated":
			g.f("    mitigations: [%s]\n", mits[g.r.IntN(len(mits))])
		}
	}
}

func (g *gen) assumptions(comps []comp, mits []string) {
	na := g.n.Assumptions
	statuses := []string{"unvalidated", "validated", "validated", "invalidated"}
	g.w("assumptions:\n")
	for i := range na {
		g.f("  - id: as-%d\n    text: The network policy around %s holds.\n    status: %s\n", i, comps[g.r.IntN(len(comps))].id, g.pick(statuses))
		g.f("    supports: [%s, %s]\n", comps[g.r.IntN(len(comps))].id, mits[g.r.IntN(len(mits))])
	}
}
