package rules

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var dosRules = []*rule.Rule{
	{
		ID:       "no-rate-limiting",
		ZoneWide: true,
		Title:    "Internet-facing component does not rate-limit callers",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		Doc: "A component reachable from the internet serves every request it receives, however many a single caller sends. " +
			"One client or a small botnet can exhaust its capacity or that of what sits behind it, and brute force and enumeration run at full speed.",
		CWE:   []int{770, 799},
		CAPEC: []int{125},
		Mitigations: []string{
			"Rate-limit per client, per account and per API key at the gateway or load balancer, with lower limits on expensive endpoints.",
			"Return 429 with Retry-After and alert when limits are hit persistently.",
		},
		References: []string{
			"https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Denial_of_Service_Cheat_Sheet.html",
		},
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if origins := relayOrigins(c); len(origins) > 0 {
				// A vendor's CDN or proxy in front of services of ours:
				// floods and cache-busting requests pass through to them.
				// Vendors' edges absorb most floods: harder than at an
				// origin of ours on the internet.
				x.Ease(0)
				if gap := x.Lacks(c, model.CtlRateLimits); x.Reports(gap) {
					x.Report(gap, q(c.ID)+" passes internet traffic on to "+ids(origins, compID)+" without rate limiting; floods and cache-busting requests reach the origin", nil)
				}
				return
			}
			if (c.IsProcess() || dosInternalAppliance(c)) && !internetExposed(c) && !c.Public && !c.ThirdParty &&
				c.Controls.Get(model.CtlRateLimits) == model.No && dosBehindRelay(c) {
				gap := x.Lacks(c, model.CtlRateLimits)
				// Stated without rate limits behind a component that
				// takes internet traffic (a front door, a gateway, a web
				// tier): requests reach it through that one, and the
				// model says this component does not limit them.
				x.Report(gap, q(c.ID)+" is reached from the internet through "+ids(dosRelaysInFront(c), compID)+" and does not rate-limit callers", nil)
				return
			}
			if !(c.IsProcess() || dosInternalAppliance(c)) || !internetExposed(c) || c.Public || c.ThirdParty {
				return
			}
			// Callers of paid APIs are reported by paid-api-abuse-from-internet.
			if len(dosPaidCallees(c)) > 0 {
				return
			}
			gap := x.Lacks(c, model.CtlRateLimits)
			if gap == model.No && c.RateLimitScope == "global" {
				// One shared budget: a single caller exhausts it for all.
				x.Report(model.Yes, q(c.ID)+" limits requests with one global budget that a single caller can exhaust", nil,
					"rate_limit_scope is global")
				return
			}
			if x.Reports(gap) {
				x.Report(gap, q(c.ID)+" is reachable from the internet without rate limiting", nil)
			}
		},
	},
	{
		ID:       "no-request-limits",
		ZoneWide: true,
		SameLine: "no-rate-limiting",
		Title:    "Entry point sets no timeouts or request size limits",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		Doc: "A component that takes requests from a less trusted place does not bound how long a request may take or how large it may be. " +
			"Slow or oversized requests (slowloris, huge bodies, deeply nested documents, expensive queries) tie up its threads, memory and connections until legitimate users are turned away.",
		CWE:   []int{400, 770},
		CAPEC: []int{469, 130},
		Mitigations: []string{
			"Set read, write and idle timeouts, and maximum header, body, upload and nesting sizes at the edge and in the service.",
			"Bound work per request: pagination limits, query cost limits, deadlines propagated to downstream calls.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Denial_of_Service_Cheat_Sheet.html",
			"https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// LLMs and agents are covered by llm-unbounded-consumption.
			if !entryPointOf(x, c) || c.ThirdParty || c.Kind == model.KindLLM || c.Kind == model.KindAgent || sessionHost(c) {
				return
			}
			if gap := x.Lacks(c, model.CtlTimeouts); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" takes requests from "+loggingCallers(c)+" without timeouts or size limits", nil)
			}
		},
	},
	{
		ID:             "paid-api-no-spending-limit",
		SameLineShared: true,
		Title:          "Paid API without a spending cap",
		Category:       model.DenialOfService,
		On:             rule.OnComponent,
		Doc: "The system calls an API billed per call and nothing caps what it can spend. " +
			"A bug, a retry loop, a leaked key or abusive users can run up an unbounded bill (denial of wallet), and the provider may cut the service off when a quota is exhausted.",
		CWE:   []int{770, 400},
		CAPEC: []int{125},
		Mitigations: []string{
			"Set hard quotas and budget alerts with the provider, per key and per environment.",
			"Track spend per tenant or user in the application and stop calls past a budget.",
		},
		References: []string{
			"https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Denial_of_Service_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// Paid LLMs are covered by llm-denial-of-wallet.
			if !c.Paid || len(c.In) == 0 || c.Kind == model.KindLLM || c.Kind == model.KindAgent {
				return
			}
			if gap := x.Lacks(c, model.CtlSpendingLimits); x.Reports(gap) {
				spendingFlows(x, c)
				x.Report(gap,
					"Calls to paid API "+q(c.ID)+" from "+ids(senders(c.In), compID)+" are not capped by a quota or budget", dosMoney(x))
			}
		},
	},
	{
		ID:       "paid-api-abuse-from-internet",
		Title:    "Internet traffic can drive unbounded calls to a paid API",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		Doc: "A component calls an API billed per use on behalf of requests that start on the internet, and nothing limits how often a caller can trigger it. " +
			"An attacker, or a single runaway client, can turn cheap requests into expensive calls, exhausting quotas for everyone and running up the bill.",
		CWE:   []int{770, 799},
		CAPEC: []int{125},
		Mitigations: []string{
			"Rate-limit per user and per IP the requests that lead to paid calls, at the component or the internet-facing service in front of it.",
			"Cache results, and require authentication before any request that costs money.",
		},
		References: []string{
			"https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/",
			"https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
		},
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty {
				return
			}
			paid := dosPaidCallees(c)
			if len(paid) == 0 {
				return
			}
			var gap model.Tri
			var via string
			if internetExposed(c) && !c.Public {
				gap, via = x.Lacks(c, model.CtlRateLimits), "internet callers"
			} else {
				var front []*model.Component
				for _, s := range senders(c.In) {
					if s.IsProcess() && internetExposed(s) {
						front = append(front, s)
					}
				}
				if len(front) == 0 {
					return
				}
				var fronts []model.Tri
				for _, s := range front {
					fronts = append(fronts, x.Lacks(s, model.CtlRateLimits))
				}
				gap, via = rule.And(x.Lacks(c, model.CtlRateLimits), dosAny(fronts...)), "internet traffic through "+ids(front, compID)
			}
			if x.Reports(gap) {
				x.Report(gap, q(c.ID)+" calls paid API "+ids(paid, compID)+" for "+via+" without rate limits", dosMoney(x))
			}
		},
	},
}

// dosPaidCallees returns the paid components c calls.
func dosPaidCallees(c *model.Component) []*model.Component {
	var out []*model.Component
	for _, f := range c.Out {
		if f.To.Paid {
			out = append(out, f.To)
		}
	}
	return out
}

// dosMoney returns the model's money assets, or nil: found once per run
// and shared by every threat that puts them at stake.
func dosMoney(x *rule.Ctx) []*model.Asset {
	return x.Memo(moneyKey{}, func() any { return ofKind(x.Model.Assets, model.AssetMoney) }).([]*model.Asset)
}

type moneyKey struct{}

// dosAny combines facts: Yes when any is Yes, Unknown when none is Yes and
// some is Unknown, else No.
func dosAny(ts ...model.Tri) model.Tri {
	out := model.No
	for _, t := range ts {
		switch t {
		case model.Yes:
			return model.Yes
		case model.Unknown:
			out = model.Unknown
		}
	}
	return out
}

// anyGapOf is dosAny over f of each of xs: a control stated absent on any
// of them is a gap; otherwise unknown on any leaves it unverified.
func anyGapOf[T any](xs []T, f func(T) model.Tri) model.Tri {
	out := model.No
	for _, x := range xs {
		switch f(x) {
		case model.Yes:
			return model.Yes
		case model.Unknown:
			out = model.Unknown
		}
	}
	return out
}

// spendingFlows names the flows that spend money at paid API c in the next
// report: denial of wallet happens on the calls.
func spendingFlows(x *rule.Ctx, c *model.Component) {
	for _, f := range c.In {
		x.AlsoTarget(model.Target{Flow: f})
	}
}

// relayOrigins returns the services of ours that c, a third party's relay
// (CDN, WAF, proxy) reachable from the internet, forwards requests to.
func relayOrigins(c *model.Component) []*model.Component {
	if !c.ThirdParty || !Relay(c) || !internetExposed(c) {
		return nil
	}
	var out []*model.Component
	for _, f := range c.Out {
		if o := f.To; o.IsProcess() && !o.ThirdParty && !o.OutOfScope && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// dosInternalAppliance reports whether c is a device the organisation runs
// in one of its own zones (a receiver appliance in a DMZ, a gateway box),
// not one that people carry or that sits at a customer's site: it serves
// what reaches it as a service does.
func dosInternalAppliance(c *model.Component) bool {
	return c.Kind == model.KindDevice && !c.OutOfScope && c.Trust() >= model.TrustInternal
}

// dosRelaysInFront returns the components in front of c that take
// internet traffic and call c (a relay, a front door, a web tier): what
// reaches them can reach c.
func dosRelaysInFront(c *model.Component) []*model.Component {
	var out []*model.Component
	for _, f := range c.In {
		if r := f.From; !r.IsActor() && r.Kind != model.KindClient && internetExposed(r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// dosBehindRelay reports whether a component that takes internet traffic
// calls c.
func dosBehindRelay(c *model.Component) bool { return len(dosRelaysInFront(c)) > 0 }
