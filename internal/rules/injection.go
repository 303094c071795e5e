package rules

import (
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var injectionRules = []*rule.Rule{
	{
		ID:       "query-injection",
		Title:    "Queries built from input may allow SQL or NoSQL injection",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "The component takes input and queries a database. If any query is assembled by concatenating input instead of " +
			"binding parameters, an attacker rewrites it to read, change or delete data beyond their own, bypass login, " +
			"or in some databases run commands on the server. NoSQL stores and LDAP directories are injectable the same way through operators and filters.",
		CWE:   []int{89, 943, 90},
		CAPEC: []int{66, 676, 136},
		Mitigations: []string{
			"Use parameterized queries or a query builder/ORM for every query; never concatenate input into query text.",
			"Allow-list identifiers (table, column, sort field) that cannot be bound as parameters.",
			"Reject operator objects ($where, $ne) in NoSQL input and give the service's database user only the grants it needs.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Query_Parameterization_Cheat_Sheet.html",
			"https://owasp.org/Top10/A03_2021-Injection/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionBuildsQueries(c) {
				return
			}
			var dbs []*model.Component
			for _, f := range c.Out {
				if f.To.Kind == model.KindDatastore || f.Protocol == "ldap" || f.Protocol == "ldaps" {
					dbs = append(dbs, f.To)
				}
			}
			dbs = distinct(dbs)
			var at []*model.Asset
			for _, d := range dbs {
				at = append(at, d.Stores...)
			}
			if gap := x.Lacks(c, model.CtlSafeQueries); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" builds queries for "+ids(dbs, compID)+" without parameters", distinct(at))
			}
		},
	},
	{
		ID:       "cross-site-scripting",
		SameLine: "query-injection",
		Title:    "Output to browsers may allow cross-site scripting",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "The component serves people through a browser. Data rendered into HTML, attributes, JavaScript or URLs without " +
			"encoding for that context lets an attacker run script in other users' sessions: stealing data, acting as them, " +
			"or defacing the page.",
		CWE:   []int{79},
		CAPEC: []int{63, 588},
		Mitigations: []string{
			"Use a templating framework that encodes output by context by default, and avoid raw-HTML escape hatches.",
			"Sanitize user-supplied HTML with a maintained library (DOMPurify) when rich text is needed.",
			"Add a strict Content-Security-Policy and HttpOnly cookies to limit what injected script can do.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Content_Security_Policy_Cheat_Sheet.html",
			"https://owasp.org/Top10/A03_2021-Injection/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || reviewerRelay(c) {
				return
			}
			var from []*model.Flow
			for _, f := range c.In {
				if (injectionBrowser(f.From) || reviewerRelay(f.From) && reviewerBrowserBehind(f.From)) && !f.OneWay && transportWeb(f.Protocol) {
					from = append(from, f)
				}
			}
			if len(from) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlEncodesOutput); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" renders content for "+ids(throughRelays(senders(from)), compID)+" without encoding output", nil)
			}
		},
	},
	{
		ID: "unvalidated-user-input",
		// Crafted input the component parses, from a person or from a less
		// trusted system, is one injection line there (validates_input).
		SameLine: "untrusted-deserialization",
		Title:    "User input is not validated (command and code injection)",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "The component accepts input from people or their devices in a less trusted zone. Without allow-list validation of " +
			"type, length, format and range, crafted input reaches shell commands, file paths, templates, parsers and business " +
			"logic, leading to command injection, path traversal and logic abuse. " +
			"On a relay (a CDN, WAF, proxy or API gateway), which passes input on without interpreting it, only the tampering threat " +
			"is raised (what it forwards or caches unchecked), not the elevation one.",
		CWE:   []int{20, 78, 22},
		CAPEC: []int{88, 153, 126},
		Mitigations: []string{
			"Validate every input against an allow-list schema at the entry point (OpenAPI/JSON Schema validation) and reject the rest.",
			"Never pass input to a shell: call programs with argument arrays, or use libraries instead of commands.",
			"Canonicalize and confine file paths to an allowed directory.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Input_Validation_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/OS_Command_Injection_Defense_Cheat_Sheet.html",
			"https://owasp.org/Top10/A03_2021-Injection/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || !entryPointOf(x, c) || sessionHost(c) {
				return
			}
			var from []*model.Flow
			for _, f := range injectionUntrusted(c) {
				if injectionUserInput(f) {
					from = append(from, f)
				}
			}
			if len(from) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlValidatesInput); x.Reports(gap) {
				if reviewerRelay(c) {
					// A relay passes the input on without interpreting it:
					// what it forwards or caches unchecked is the threat,
					// not code run in it.
					x.Enables()
				}
				x.Report(gap, q(c.ID)+" accepts input from "+ids(senders(from), compID)+" without allow-list validation", nil)
			}
		},
	},
	{
		ID:             "untrusted-deserialization",
		SameLineShared: true,
		SameLine:       "query-injection",
		Title:          "Messages from a less trusted system are deserialized without validation",
		Category:       model.Tampering,
		On:             rule.OnFlow,
		Doc: "A service receives machine-generated data (API calls, webhooks, messages, files) from a system in a less trusted zone. " +
			"Deserializing it into objects without validating it first lets a crafted payload instantiate unexpected types, " +
			"exhaust memory, resolve XML external entities or, with native serialization formats, execute code in the receiver. " +
			"The same holds for what a call of ours gets back from a system we do not control (a partner's or vendor's API, a feed, a " +
			"system outside the model's scope) when the answer is data others rely on being right (integrity high or more): a wrong or " +
			"altered answer, from that system's compromise or an impostor, is acted on as sent (tampering, raised on the call, its caller and the system answering). " +
			"In a model that states neither what any call returns nor any asset's sensitivity, a call that a job of ours (not an entry point) makes to such a system, " +
			"sending it nothing, is made for its answer, and is raised unverified: whether the answer is relied on is unknown, not \"no\".",
		CWE:   []int{502, 20, 611},
		CAPEC: []int{586, 153, 221},
		Mitigations: []string{
			"Parse only data formats (JSON, protobuf) into explicit types and validate them against a schema before use.",
			"Never use native object serialization (Java serialization, pickle, BinaryFormatter, PHP unserialize) on data from outside.",
			"Disable DTDs and external entities in XML parsers; limit payload size and nesting depth.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Deserialization_Cheat_Sheet.html",
			"https://owasp.org/Top10/A08_2021-Software_and_Data_Integrity_Failures/",
			"https://cwe.mitre.org/data/definitions/502.html",
		},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if injectionReturnsUntrusted(f) {
				// Our call's answer comes from a system we do not control:
				// the caller parses it and acts on it. Altering it takes
				// that system's compromise or impersonation (one step
				// harder), and a wrong answer is tampering, not code run.
				if gap := x.Lacks(f.From, model.CtlValidatesInput); x.Reports(gap) {
					x.AlsoTarget(model.Target{Component: f.From})
					x.Enables()
					x.Ease(-1)
					x.Report(gap, q(f.From.ID)+" acts on "+ids(injectionRelied(f.Returns), assetID)+" that "+q(f.To.ID)+" returns on "+q(f.ID)+" without validating it", nil)
				}
				return
			}
			if injectionFetchUnstated(x, f) {
				// A call of ours that sends nothing to a system we do not
				// control, in a model that states neither what any call
				// gets back nor any asset's sensitivity: it is made for
				// its answer, and whether that answer is relied on is
				// unknown, not "no" (sparse25).
				if gap := x.Lacks(f.From, model.CtlValidatesInput); x.Reports(gap) {
					x.AlsoTarget(model.Target{Component: f.From})
					x.Enables()
					x.Ease(-1)
					x.Report(model.Unknown, q(f.From.ID)+" may act on what "+q(f.To.ID)+" returns on "+q(f.ID)+" without validating it", nil,
						"the model states neither what the call gets back nor how much it is relied on")
				}
				return
			}
			if !injectionCode(f.To) || f.To.OutOfScope || !f.Inbound() || injectionUserInput(f) {
				return // unvalidated-user-input covers input from people and what relays it
			}
			if reviewerRelay(f.To) {
				return // a relay forwards the payload; the component behind it parses it
			}
			if tpCallback(f) && tpCallbackUnverified(f) {
				// A third party's callback whose signature is in question:
				// unverified-third-party-callback raises its forged content,
				// and its fix (verify the signature over the raw body before
				// parsing, or fetch the state) is this one's.
				return
			}
			if gap := x.Lacks(f.To, model.CtlValidatesInput); x.Reports(gap) {
				x.Report(gap, q(f.To.ID)+" deserializes data from "+q(f.From.ID)+" on "+q(f.ID)+" without validating it", nil)
			}
		},
	},
	{
		ID:       "second-order-injection",
		SameLine: "untrusted-deserialization",
		ZoneWide: true,
		Title:    "Internal service trusts data that internet-facing code wrote",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "An internal service, reachable by no outside caller, reads a store or queue that internet-facing code writes to. " +
			"Attacker-controlled values saved there earlier reach the internal service later, in a context that was never meant to " +
			"see untrusted input: second-order SQL injection, stored payloads in reports and exports, malicious serialized objects. " +
			"Where the service also builds database queries that are not known to be parameterized, query-injection raises that " +
			"tampering, and whether the service validates what it reads is asked as a question.",
		CWE:   []int{20, 89, 502},
		CAPEC: []int{153, 66, 586},
		Mitigations: []string{
			"Treat everything read from shared stores and queues as untrusted: validate it against a schema before use.",
			"Use parameterized queries and context-aware encoding when reusing stored values, exactly as for direct input.",
			"Prefer data formats to native serialization for anything that crosses from an exposed component.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Input_Validation_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html",
			"https://owasp.org/Top10/A03_2021-Injection/",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || entryPointOf(x, c) {
				return // unvalidated-user-input and untrusted-deserialization cover entry points
			}
			var stores, writers []*model.Component
			for _, s := range injectionReads(c) {
				var ws []*model.Component
				for _, f := range s.In {
					w := f.From
					if w != c && (w.IsActor() || w.IsProcess() && internetExposed(w)) {
						ws = append(ws, w)
					}
				}
				if len(ws) > 0 {
					stores = append(stores, s)
					writers = append(writers, ws...)
				}
			}
			if len(stores) == 0 {
				return
			}
			gap := x.Lacks(c, model.CtlValidatesInput)
			if gap == model.Unknown && injectionBuildsQueries(c) && c.Controls.Get(model.CtlSafeQueries) != model.Yes {
				// query-injection raises the same tampering on c: stored
				// values reaching its unparameterized queries are that
				// threat; validating what it reads is asked.
				x.Ask()
				return
			}
			if x.Reports(gap) {
				x.Report(gap, q(c.ID)+" reads "+ids(stores, compID)+", written by internet-facing "+
					ids(distinct(writers), compID)+", without validating the data", nil, "stored data originates from the internet")
			}
		},
	},
	{
		ID:       "server-side-request-forgery",
		Title:    "Outbound requests may be steered by input (SSRF)",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "The component takes input from the internet and makes requests to external systems, or sends webhooks to URLs " +
			"that customers or partners register. If any part of an outbound URL or host comes from that input, an attacker " +
			"points the request at internal services or the cloud metadata endpoint and uses the component's network position " +
			"and credentials.",
		CWE:   []int{918},
		CAPEC: []int{664},
		Mitigations: []string{
			"Build outbound URLs from configuration; when input must choose a destination, validate it against an allow-list of hosts and schemes.",
			"Resolve and check the destination address (no private, loopback or link-local ranges) and disable redirects.",
			"Route outbound traffic through an egress proxy with an allow-list, and require IMDSv2 or equivalent for metadata.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
			"https://owasp.org/Top10/A10_2021-Server-Side_Request_Forgery_%28SSRF%29/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) {
				return
			}
			if !entryPointOf(x, c) || !internetExposed(c) {
				// Webhook senders call URLs their customers chose.
				if hooks := handoffWebhookTargets(c); len(hooks) > 0 {
					if gap := x.Lacks(c, model.CtlValidatesInput); x.Reports(gap) {
						x.Report(gap, q(c.ID)+" sends webhooks to URLs that "+ids(hooks, compID)+" registered, without checking they do not point at internal addresses", nil)
					}
				}
				return
			}
			var ext []*model.Component
			for _, f := range c.Out {
				if f.To.Kind == model.KindExternal {
					ext = append(ext, f.To)
				}
			}
			if len(ext) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlValidatesInput); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" calls "+ids(distinct(ext), compID)+" while taking input from "+
					ids(senders(injectionUntrusted(c)), compID)+", without validating destinations", nil)
			}
		},
	},
	{
		ID:       "cross-site-request-forgery",
		Title:    "Session-authenticated requests without CSRF protection",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "The component authenticates browser requests with a session cookie, which the browser attaches to requests " +
			"that any other site triggers. Without CSRF defences, a page the user visits can make them change their email, " +
			"transfer money or grant access without knowing it.",
		CWE:   []int{352},
		CAPEC: []int{62},
		Mitigations: []string{
			"Use the framework's anti-CSRF tokens (synchronizer or signed double-submit) on every state-changing request.",
			"Set session cookies SameSite=Lax or Strict, and check Origin or Fetch Metadata headers.",
			"Never change state on GET.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/352.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) {
				return
			}
			var from []*model.Flow
			for _, f := range c.In {
				if f.Authentication == model.AuthSession && injectionBrowser(f.From) {
					from = append(from, f)
				}
			}
			if len(from) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlCSRFProtection); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" accepts session-authenticated requests from "+ids(senders(from), compID)+
					" without CSRF protection", nil)
			}
		},
	},
}

// injectionCode reports whether c is a service or function (code the team
// writes; LLMs and agents have their own rules).
func injectionCode(c *model.Component) bool {
	return c.Kind == model.KindService || c.Kind == model.KindFunction
}

// injectionBrowser reports whether c may be a web browser: a person, or a
// client that is not described as a native app.
func injectionBrowser(c *model.Component) bool {
	switch c.Kind {
	case model.KindPerson:
		return true
	case model.KindClient:
		t := strings.ToLower(c.Tech)
		for _, n := range []string{"ios", "android", "mobile", "native", "desktop", "cli", "swift", "kotlin"} {
			if strings.Contains(t, n) {
				return false
			}
		}
		return true
	}
	return false
}

// injectionUntrusted returns the flows bringing input into entry point c:
// those from less trusted places, or all of them when c is on the internet.
func injectionUntrusted(c *model.Component) []*model.Flow {
	if c.Trust() == model.TrustInternet {
		return c.In
	}
	return lessTrustedSenders(c)
}

// injectionUserInput reports whether f brings input from people: from a
// person, client or device, or through a service on the internet (a CDN or
// edge proxy) relaying their requests.
func injectionUserInput(f *model.Flow) bool {
	return userSide(f.From) || f.From.IsProcess() && f.From.Trust() == model.TrustInternet
}

// injectionReads returns the stores and queues c reads: those it calls with
// a request/response flow and those that send to it.
func injectionReads(c *model.Component) []*model.Component {
	var out []*model.Component
	for _, f := range c.Out {
		if f.To.IsStore() && !f.OneWay {
			out = append(out, f.To)
		}
	}
	for _, f := range c.In {
		if f.From.IsStore() {
			out = append(out, f.From)
		}
	}
	return distinct(out)
}

// injectionBuildsQueries reports whether c is code that receives flows and
// queries a database or directory: query-injection's precondition.
func injectionBuildsQueries(c *model.Component) bool {
	if !injectionCode(c) || len(c.In) == 0 || reviewerRelay(c) {
		return false
	}
	for _, f := range c.Out {
		if f.To.Kind == model.KindDatastore || f.Protocol == "ldap" || f.Protocol == "ldaps" {
			return true
		}
	}
	return false
}

// injectionReturnsUntrusted reports whether f is a call from code of ours
// to a system we do not control — in a less trusted zone, a third party,
// or outside the model's scope — that returns data others rely on being
// right (integrity high or more): the answer is input like any message
// from there. LLM answers have llm-insecure-output-handling.
func injectionReturnsUntrusted(f *model.Flow) bool {
	if !injectionCode(f.From) || f.From.OutOfScope || f.From.ThirdParty || reviewerRelay(f.From) || f.To.Kind == model.KindLLM ||
		f.To.Kind == model.KindPerson || f.To.Kind == model.KindClient {
		return false
	}
	if f.To.Trust() >= f.From.Trust() && !f.To.OutOfScope && !tpThirdParty(f.To) {
		return false
	}
	return len(injectionRelied(f.Returns)) > 0
}

// injectionFetchUnstated reports whether f is a call from code of ours to a
// system we do not control (outside our zones, out of scope or a third
// party's) that carries nothing, in a model that states no flow's returns
// and no asset's sensitivity: what it fetches is unknown, not nothing.
func injectionFetchUnstated(x *rule.Ctx, f *model.Flow) bool {
	if len(f.Carries) > 0 || f.OneWay || !injectionCode(f.From) || f.From.OutOfScope || f.From.ThirdParty || reviewerRelay(f.From) ||
		f.To.Kind == model.KindLLM || f.To.Kind == model.KindPerson || f.To.Kind == model.KindClient || f.To.Kind == model.KindDevice {
		return false
	}
	if f.To.Trust() >= f.From.Trust() && !f.To.OutOfScope && !tpThirdParty(f.To) {
		return false
	}
	return !entryPointOf(x, f.From) && returnsUnstated(x) && needsUnstated(x)
}

// returnsUnstated reports whether no flow of the model states what it
// returns. Once per run (the run's memo).
func returnsUnstated(x *rule.Ctx) bool {
	return x.Memo(returnsUnstatedKey{}, func() any {
		for _, f := range x.Model.Flows {
			if len(f.Returns) > 0 {
				return false
			}
		}
		return true
	}).(bool)
}

// returnsUnstatedKey is returnsUnstated's key in the run's memo.
type returnsUnstatedKey struct{}

// injectionRelied returns the assets among as needing high integrity or
// more.
func injectionRelied(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		if a.Need(model.Integrity) >= model.High {
			out = append(out, a)
		}
	}
	return out
}
