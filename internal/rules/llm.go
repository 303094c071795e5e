package rules

import (
	"slices"
	"strings"
	"sync"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

const llmTop10 = "https://genai.owasp.org/llm-top-10/"

var llmRules = []*rule.Rule{
	{
		ID:       "llm-prompt-injection",
		Title:    "LLM takes untrusted content into its prompt",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "An LLM or agent receives text it cannot trust: from users, from less trusted systems, or from documents and data it retrieves. " +
			"Instructions hidden in that text (prompt injection, direct or indirect) can override the system prompt and make the model leak data or use its tools for the attacker (OWASP LLM01).",
		CWE:   []int{1427, 77},
		CAPEC: []int{242},
		Mitigations: []string{
			"Keep untrusted content apart from instructions: delimit and label it, and never let it change the system prompt or tool policy.",
			"Filter inputs for known injection patterns, and give the model only the privileges the least trusted input deserves.",
			"Test with adversarial prompts, including instructions hidden in retrieved documents.",
		},
		References: []string{
			llmTop10,
			"https://genai.owasp.org/llmrisk/llm01-prompt-injection/",
			"https://cheatsheetseries.owasp.org/cheatsheets/LLM_Prompt_Injection_Prevention_Cheat_Sheet.html",
		},
		Exploitability: 1,
		Property:       model.Integrity,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// For a model hosted by a third party, isolation is the caller's job.
			if !llmKind(c) || c.ThirdParty {
				return
			}
			src := llmUntrustedSourcesMemo(x, c)
			if len(src) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlPromptIsolation); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" takes content from "+ids(src, compID)+" into its prompt without isolating it from its instructions (prompt injection)", nil)
			}
		},
	},
	{
		ID:       "agent-unapproved-actions",
		Title:    "Agent takes consequential actions without human approval",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "An agent can invoke tools that act on the world and nobody confirms those actions before they happen. " +
			"A hallucination, a misread request or an injected instruction turns directly into sent messages, changed records or moved money (excessive agency, OWASP LLM06).",
		CWE:   []int{862, 1426},
		CAPEC: []int{242},
		Mitigations: []string{
			"Require a person to approve irreversible or high-impact actions (payments, deletions, external messages), showing exactly what will be done.",
			"Make actions reversible or staged where approval is impractical, and cap their scope per request.",
		},
		References: []string{
			llmTop10,
			"https://genai.owasp.org/llmrisk/llm062025-excessive-agency/",
		},
		Property: model.Integrity,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			acts := llmActingTools(c.Tools)
			if !llmKind(c) || len(acts) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlHumanApproval); x.Reports(gap) {
				x.Report(gap,
					"Agent "+q(c.ID)+" can use "+ids(acts, llmSame)+" with no person approving consequential actions", nil)
			}
		},
	},
	{
		ID:       "agent-tools-not-limited",
		Title:    "Agent's tools and permissions exceed its task",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "An agent's tools, and the credentials behind them, are not limited to what its task requires. " +
			"Whatever the agent can do, a prompt injection or a model error can make it do, so broad tools (shell, arbitrary HTTP, write access to everything) turn a text attack into a system compromise (OWASP LLM06).",
		CWE:   []int{250, 269},
		CAPEC: []int{122},
		Mitigations: []string{
			"Give the agent narrow, purpose-built tools instead of generic ones, each with its own least-privilege credentials.",
			"Act with the end user's permissions, not a service account's, and validate tool arguments server-side.",
		},
		References: []string{
			llmTop10,
			"https://genai.owasp.org/llmrisk/llm062025-excessive-agency/",
		},
		// The credentials behind the tools: reviewers write an agent's
		// tenant-wide grant on the call that uses it as often as on the agent.
		Mentions: credentialFlows,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !llmKind(c) || len(c.Tools) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlLimitsTools); x.Reports(gap) {
				x.Report(gap,
					"Agent "+q(c.ID)+" may call "+ids(c.Tools, llmSame)+" with more reach than its task needs", nil)
			}
		},
	},
	{
		ID:            "llm-sensitive-output-disclosure",
		SensitiveOnly: true,
		Title:         "LLM output may disclose sensitive data",
		Category:      model.InformationDisclosure,
		On:            rule.OnComponent,
		Doc: "An LLM or agent has sensitive data in its context (prompts, retrieved records, training or fine-tuning data) and answers less trusted users without checking what it says. " +
			"Users can coax the data out with crafted questions or injected instructions, including records they are not entitled to see (OWASP LLM02).",
		CWE:   []int{200, 1426},
		CAPEC: []int{116},
		Mitigations: []string{
			"Retrieve only data the requesting user may see (enforce authorization in retrieval, not in the prompt).",
			"Scan and redact model output for personal data, secrets and other sensitive content before returning it.",
		},
		References: []string{
			llmTop10,
			"https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !llmKind(c) || c.ThirdParty {
				return
			}
			readers := llmUntrustedCallersMemo(x, c)
			if len(readers) == 0 {
				return
			}
			at := sensitive(llmContext(c))
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlFiltersOutput); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" has "+ids(at, assetID)+" in its context and answers "+ids(readers, compID)+" without filtering its output", at)
			}
		},
	},
	{
		ID:             "llm-insecure-output-handling",
		SameLineShared: true,
		Title:          "LLM output is used without being treated as untrusted",
		Category:       model.Tampering,
		On:             rule.OnFlow,
		Doc: "Text generated by an LLM that sees untrusted input is passed to a component that renders, stores, executes or queries with it, and neither side checks it. " +
			"An attacker who steers the model through prompt injection gets cross-site scripting, injection or code execution in the receiving component (OWASP LLM05). " +
			"Where the output chooses what the receiver looks up or fetches and the answer comes back to the model, the attacker also reads " +
			"records or addresses it chose (another customer's booking, an internal URL): disclosure is raised beside them.",
		CWE:   []int{1426, 79, 94},
		CAPEC: []int{242, 63},
		Mitigations: []string{
			"Treat model output as untrusted input: validate it against a schema, encode it for where it is rendered, use parameterised queries.",
			"Never execute generated code or commands outside a sandbox; filter output for unsafe content.",
		},
		References: []string{
			llmTop10,
			"https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/",
		},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			var gen, use *model.Component
			switch {
			case llmKind(f.From) && !llmKind(f.To) && (f.To.IsProcess() || f.To.IsStore()):
				gen, use = f.From, f.To
			case llmKind(f.To) && !llmKind(f.From) && f.From.IsProcess() && !f.OneWay:
				gen, use = f.To, f.From // the caller uses the response
			default:
				return
			}
			if use.OutOfScope || len(llmUntrustedSourcesMemo(x, gen)) == 0 {
				return
			}
			var gap model.Tri
			switch {
			case gen.ThirdParty && !use.IsProcess():
				return
			case gen.ThirdParty:
				// A vendor's model: only the receiver can check its output.
				gap = x.Lacks(use, model.CtlValidatesInput, model.CtlEncodesOutput)
			case use.IsProcess():
				gap = rule.And(x.Lacks(gen, model.CtlFiltersOutput), x.Lacks(use, model.CtlValidatesInput, model.CtlEncodesOutput))
			default:
				gap = x.Lacks(gen, model.CtlFiltersOutput)
			}
			if x.Reports(gap) {
				if gen != f.From || len(f.Returns) == 0 {
					// Disclosure only where the output chooses what the
					// receiver looks up or fetches and the answer comes back
					// to the model: the flow from it returns data.
					x.Enables(model.ElevationOfPrivilege)
				}
				x.Report(gap, q(use.ID)+" uses output of "+q(gen.ID)+" on "+q(f.ID)+" without treating it as untrusted", nil)
			}
		},
	},
	{
		ID:       "llm-unbounded-consumption",
		Title:    "LLM work per request is not bounded",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		Doc: "An LLM or agent that untrusted callers can reach puts no limit on prompt size, output tokens, tool-call loops or time per request. " +
			"Long or looping requests exhaust GPUs, context windows and connection pools, starving other users (unbounded consumption, OWASP LLM10).",
		CWE:   []int{400, 770},
		CAPEC: []int{130},
		Mitigations: []string{
			"Cap input and output tokens, agent iterations and tool calls, and set a deadline per request.",
			"Queue and shed load per user; monitor consumption per caller.",
		},
		References: []string{
			llmTop10,
			"https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !llmKind(c) || c.Paid || c.ThirdParty {
				return
			}
			from := llmUntrustedCallersMemo(x, c)
			if len(from) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlTimeouts); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" serves "+ids(from, compID)+" with no limit on tokens, iterations or time per request", nil)
			}
		},
	},
	{
		ID:       "llm-denial-of-wallet",
		Title:    "Paid LLM API without a spending cap",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		Doc: "The system calls a model billed per token and nothing caps what it can spend. " +
			"Long prompts, agent loops, a leaked key or abusive users can run up a large bill in hours (denial of wallet), and an exhausted quota takes the feature down for everyone (OWASP LLM10).",
		CWE:   []int{770, 400},
		CAPEC: []int{125},
		Mitigations: []string{
			"Set hard usage limits and budget alerts with the provider, per key and per environment.",
			"Meter tokens per user and tenant in the application and refuse requests past a budget.",
		},
		References: []string{
			llmTop10,
			"https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !llmKind(c) || !c.Paid || len(c.In) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlSpendingLimits); x.Reports(gap) {
				spendingFlows(x, c)
				x.Report(gap,
					"Calls to paid model "+q(c.ID)+" from "+ids(senders(c.In), compID)+" are not capped by a quota or budget", dosMoney(x))
			}
		},
	},
}

// llmKind reports whether c is an LLM or an agent.
func llmKind(c *model.Component) bool { return c.Kind == model.KindLLM || c.Kind == model.KindAgent }

func llmSame(s string) string { return s }

// llmUntrustedCallers returns the untrusted parties whose requests reach
// LLM c, directly or through up to three services: people, clients,
// devices, external systems, and components less trusted than c.
func llmUntrustedCallers(c *model.Component) []*model.Component {
	return llmTrace(nil, c).callers
}

// llmUntrustedSources returns where untrusted content in c's prompt comes
// from: the untrusted callers, plus the data stores and external systems it
// reads (retrieval, browsing, documents).
func llmUntrustedSources(c *model.Component) []*model.Component {
	return llmTrace(nil, c).sources
}

// llmUntrustedSourcesMemo is llmUntrustedSources computed once per
// component per rule run.
func llmUntrustedSourcesMemo(x *rule.Ctx, c *model.Component) []*model.Component {
	return llmTraceMemo(x, c).sources
}

// llmUntrustedCallersMemo is llmUntrustedCallers computed once per
// component per rule run.
func llmUntrustedCallersMemo(x *rule.Ctx, c *model.Component) []*model.Component {
	return llmTraceMemo(x, c).callers
}

// llmTraceMemo is llmTrace computed once per component per rule run: one
// walk gives both lists to the four rules that read them.
func llmTraceMemo(x *rule.Ctx, c *model.Component) llmReach {
	type key struct{ c *model.Component }
	m := x.Model
	return x.Memo(key{c}, func() any { return llmTrace(m, c) }).(llmReach)
}

// llmReach is what one trace back from an LLM finds: the untrusted callers
// (llmUntrustedCallers) and the sources of untrusted content
// (llmUntrustedSources). The walk is the same for both (stores are listed
// as sources but never walked through), so callers is sources without the
// stores and the fetched elements, in the same order.
type llmReach struct {
	callers, sources []*model.Component
}

// traceRoom is llmTrace's working set, reused: a trace of a large model
// visits thousands of services. Components the model numbers are marked
// in mark (by CompNum, a pass's stamp: nothing is cleared between
// traces); others in seen.
type traceRoom struct {
	m           *model.Model
	mark        []uint32
	stamp       uint32
	seen        map[*model.Component]bool
	level, next []*model.Component
}

var tracePool = sync.Pool{New: func() any { return &traceRoom{seen: map[*model.Component]bool{}} }}

// visit marks s seen and reports whether it was not seen before.
func (r *traceRoom) visit(s *model.Component) bool {
	if r.m != nil {
		if n := r.m.CompNum(s); n >= 0 {
			if r.mark[n] == r.stamp {
				return false
			}
			r.mark[n] = r.stamp
			return true
		}
	}
	if r.seen[s] {
		return false
	}
	r.seen[s] = true
	return true
}

// llmTrace walks back from c, up to three services deep, to the untrusted
// callers and content sources of its prompt (llmReach). m numbers the
// components for the walk's marks (nil: a map marks them).
func llmTrace(m *model.Model, c *model.Component) llmReach {
	var out []*model.Component
	stores := 0 // stores in out (sources only)
	room := tracePool.Get().(*traceRoom)
	defer func() {
		clear(room.seen)
		tracePool.Put(room)
	}()
	if m != room.m || m != nil && len(room.mark) != len(m.Components) || room.stamp == ^uint32(0) {
		room.m, room.stamp, room.mark = m, 0, nil
		if m != nil {
			room.mark = make([]uint32, len(m.Components))
		}
	}
	room.stamp++
	room.visit(c)
	level := append(room.level[:0], c)
	next := room.next[:0]
	for depth := 0; depth < 4 && len(level) > 0; depth++ {
		next = next[:0]
		for _, cur := range level {
			for _, f := range cur.In {
				s := f.From
				switch {
				case s.IsActor() || s.Trust() < c.Trust():
					if room.visit(s) {
						out = append(out, s)
					}
				case s.IsStore():
					if room.visit(s) {
						out = append(out, s)
						stores++
					}
				case s.IsProcess():
					if room.visit(s) {
						next = append(next, s)
					}
				}
			}
		}
		level, next = next, level
	}
	room.level, room.next = level, next
	callers := out[:len(out):len(out)]
	if stores > 0 {
		callers = make([]*model.Component, 0, len(out)-stores)
		for _, s := range out {
			if s.IsActor() || s.Trust() < c.Trust() {
				callers = append(callers, s)
			}
		}
	}
	// What c fetches comes back in the response.
	for _, f := range c.Out {
		if !f.OneWay && (f.To.IsStore() || f.To.IsActor() && f.To.Kind != model.KindPerson) && room.visit(f.To) {
			out = append(out, f.To)
		}
	}
	if len(callers) == 0 {
		callers = nil
	}
	return llmReach{callers: callers, sources: out}
}

// llmContext returns the assets in c's context: those it stores or
// processes, those carried to it, and those held by stores it reads.
func llmContext(c *model.Component) []*model.Asset {
	as := loggingHandled(c)
	for _, f := range c.Out {
		if !f.OneWay && f.To.IsStore() {
			as = append(as, f.Carries...)
			as = append(as, f.To.Stores...)
		}
	}
	return distinct(as)
}

// llmReadVerbs start the names of tools that only read.
var llmReadVerbs = []string{"get", "read", "lookup", "look", "list", "search", "find", "fetch", "query", "view", "show", "describe", "retrieve", "check"}

// llmActingTools returns the tools that may act on the world: all but those
// whose name starts with a read-only verb (read_ticket, lookup_customer).
func llmActingTools(tools []string) []string {
	var out []string
	for _, t := range tools {
		first := strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !(r >= 'a' && r <= 'z') })
		if len(first) > 0 && slices.Contains(llmReadVerbs, first[0]) {
			continue
		}
		out = append(out, t)
	}
	return out
}
