package rules

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var queueRules = []*rule.Rule{
	{
		ID:       "queue-topics-not-scoped",
		Title:    "Every client of a shared queue can publish to and read every topic",
		Category: model.Tampering,
		Also:     []model.Category{model.InformationDisclosure, model.ElevationOfPrivilege},
		On:       rule.OnComponent,
		Doc: "Several producers publish to one broker or bus, and nothing says the broker limits each client to its own topics. " +
			"Any one of them, compromised or misconfigured (a service, a device whose certificate was extracted, a client app), " +
			"then publishes messages that look like another's (a status event that closes a parcel, a command to another drone), " +
			"and, where several consumers read sensitive messages, any client subscribes to every topic and reads them all " +
			"(a further threat, information disclosure). Where devices of ours take critical-integrity messages (commands) from it, " +
			"one device's credentials command every other device: elevation of privilege (a further threat). " +
			"A queue with one producer is asked too where it carries messages across zones (its producer or consumer sits in another zone) and no flow to or from it states how clients authenticate: " +
			"whatever reaches the broker on either side (another workload in the cluster, a device in a store) enqueues messages the consumer acts on (a run, a send, a sale); tampering only, unverified until the queue states it authorizes its clients. " +
			"A service that messages reach and leave over MQTT (an IoT hub drawn as a service) is such a broker.",
		CWE:   []int{284, 285, 639},
		CAPEC: []int{122, 148},
		Mitigations: []string{
			"Give every producer and consumer its own identity on the broker and an access list of the topics it may publish to or read (per device, per service).",
			"Put the client's identity into the topic or message and check it at the consumer; drop messages whose sender may not publish them.",
			"Review the broker's access lists when producers are added, and alert on denied publishes and subscriptions.",
		},
		References: []string{
			"https://docs.oasis-open.org/mqtt/mqtt/v5.0/os/mqtt-v5.0-os.html (5.4.2 authorization)",
			"https://kafka.apache.org/documentation/#security_authz",
			"https://cheatsheetseries.owasp.org/cheatsheets/Microservices_Security_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindQueue && !queueMQTTBroker(c) || c.ThirdParty || c.OutOfScope {
				return
			}
			producers, consumers := queueClients(c)
			as := queueAssets(c)
			if queueAcrossZones(x, c, producers, consumers) {
				return
			}
			if len(producers) < 2 || !integrityNeeded(as) {
				return
			}
			if gap := x.Lacks(c, model.CtlAuthorizes); x.Reports(gap) {
				var also []model.Category
				if len(consumers) >= 2 && len(sensitive(as)) > 0 {
					also = append(also, model.InformationDisclosure)
				}
				if queueCommandsDevices(c) {
					also = append(also, model.ElevationOfPrivilege)
				}
				x.Enables(also...)
				x.Report(gap, ids(producers, compID)+" all publish to "+q(c.ID)+"; nothing says each may publish or read only its own topics", as)
			}
		},
	},
	{
		ID:       "queue-flooding",
		Title:    "Queue accepts messages from a less trusted zone without limits",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		Doc: "Producers in a less trusted zone publish straight into a queue that neither rate-limits them nor caps what they can enqueue. " +
			"A compromised or misbehaving producer can fill the queue, delaying or crowding out legitimate messages and overwhelming the consumers behind it.",
		CWE:   []int{770, 400},
		CAPEC: []int{125},
		Mitigations: []string{
			"Set per-producer quotas or rate limits on the broker, and a maximum queue depth or retention size.",
			"Put an ingestion service in front of the queue that authenticates and throttles producers; alert on queue depth.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Denial_of_Service_Cheat_Sheet.html",
			"https://kafka.apache.org/documentation/#design_quotas",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindQueue {
				return
			}
			from := senders(lessTrustedSenders(c))
			if len(from) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlRateLimits); x.Reports(gap) {
				x.Report(gap,
					"Queue "+q(c.ID)+" takes messages from "+ids(from, compID)+" in a less trusted zone without rate limits or quotas", queueAssets(c))
			}
		},
	},
	{
		ID:       "queue-poison-message",
		SameLine: "queue-flooding",
		Title:    "Queue has no dead-letter handling for poison messages",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		Doc: "A message that its consumer cannot process is retried without end or dropped silently. " +
			"One malformed or malicious message can block a partition or keep consumers crashing (a poison message), stalling everything behind it, or vanish without anyone knowing.",
		CWE:   []int{835, 400},
		CAPEC: []int{130},
		Mitigations: []string{
			"Cap delivery attempts and move failing messages to a dead-letter queue, with alerting and a replay procedure.",
			"Validate messages before processing and make consumers fail per message, not per batch.",
		},
		References: []string{
			"https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",
			"https://www.enterpriseintegrationpatterns.com/patterns/messaging/DeadLetterChannel.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindQueue || len(c.In) == 0 {
				return
			}
			var to []*model.Component
			for _, f := range c.Out {
				if f.To.IsProcess() {
					to = append(to, f.To)
				}
			}
			if len(to) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlDeadLetter); x.Reports(gap) {
				// A poison message stalls its consumers: they are named too.
				for _, t := range to {
					x.AlsoTarget(model.Target{Component: t})
				}
				x.Report(gap,
					"Messages on "+q(c.ID)+" that "+ids(distinct(to), compID)+" cannot process have no dead-letter queue", queueAssets(c))
			}
		},
	},
	{
		ID:       "queue-message-tampering",
		Title:    "High-integrity messages are consumed from a queue without verifying a signature",
		Category: model.Tampering,
		On:       rule.OnFlow,
		Doc: "A consumer acts on messages about money or other critical-integrity data from a queue without checking who produced them. " +
			"Anyone who can publish to the queue (another producer, a compromised service, a broker operator) can forge or alter messages that the consumer trusts. " +
			"Where a publisher may reach the queue unauthenticated, the forged message also spoofs its producer (a further threat); where every publisher authenticates, it is tampering alone.",
		CWE:   []int{345, 347},
		CAPEC: []int{148},
		Mitigations: []string{
			"Sign messages at the producer (HMAC or public key, with the producer's identity) and verify before acting.",
			"Restrict publish rights on the queue to the producers that need them.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/345.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Microservices_Security_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			at := queueCritical(f)
			if len(at) == 0 {
				return
			}
			if gap := x.FlowLacks(f, model.CtlVerifiesSignatures); x.Reports(gap) {
				// Whoever can publish to the queue forges the messages:
				// reviewers put the threat on the topic too.
				x.AlsoTarget(model.Target{Component: f.From})
				if !openPublish(f.From) {
					// Every publisher authenticates to the queue: a forged
					// message comes from one holding publish rights, which
					// is tampering alone; spoofing the producer is raised
					// where publishing may be anonymous (noise20b).
					x.Enables()
				}
				x.Report(gap,
					q(f.To.ID)+" acts on "+ids(at, assetID)+" messages from queue "+q(f.From.ID)+" without verifying who produced them", at)
			}
		},
	},
	{
		ID:             "queue-message-replay",
		SameLineShared: true,
		SameLine:       "queue-message-tampering",
		Title:          "High-integrity messages from a queue can be processed twice",
		Category:       model.Tampering,
		On:             rule.OnFlow,
		Doc: "A consumer applies money or other critical-integrity messages from a queue without refusing duplicates. " +
			"Queues deliver at least once, and an attacker who can publish can resend a captured message; either way a payment, credit or state change is applied twice.",
		CWE:   []int{294, 837},
		CAPEC: []int{60},
		Mitigations: []string{
			"Give every message a unique id and make the consumer idempotent: record processed ids in the same transaction as the effect.",
			"Reject messages older than a tolerance window.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/294.html",
			"https://www.enterpriseintegrationpatterns.com/patterns/messaging/IdempotentReceiver.html",
		},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			at := queueCritical(f)
			if len(at) == 0 {
				return
			}
			if gap := x.FlowLacks(f, model.CtlReplayProtection); x.Reports(gap) {
				x.Report(gap,
					q(f.To.ID)+" may apply "+ids(at, assetID)+" messages from queue "+q(f.From.ID)+" more than once", at)
			}
		},
	},
}

// queueClients returns the components that publish to queue c and those
// that read from it (a caller that gets messages back reads too).
func queueClients(c *model.Component) (producers, consumers []*model.Component) {
	for _, f := range c.In {
		if w := f.From; (w.IsProcess() || w.IsActor()) && !w.ThirdParty {
			if len(f.Carries) > 0 || len(f.Returns) == 0 {
				producers = appendComp(producers, w)
			}
			if len(f.Returns) > 0 {
				consumers = appendComp(consumers, w)
			}
		}
	}
	for _, f := range c.Out {
		if r := f.To; (r.IsProcess() || r.IsActor()) && !r.ThirdParty {
			consumers = appendComp(consumers, r)
		}
	}
	return producers, consumers
}

// queueMQTTBroker reports whether c, drawn as a service, is an MQTT broker
// (an IoT hub): messages reach it and leave it over MQTT.
func queueMQTTBroker(c *model.Component) bool {
	if !c.IsProcess() {
		return false
	}
	in, out := false, false
	for _, f := range c.In {
		in = in || strings.EqualFold(f.Protocol, "mqtt")
		// A subscriber drawn calling the broker for what it returns
		// takes messages from it as much as one the broker sends to.
		out = out || strings.EqualFold(f.Protocol, "mqtt") && len(f.Returns) > 0
	}
	for _, f := range c.Out {
		out = out || strings.EqualFold(f.Protocol, "mqtt")
	}
	return in && out
}

// appendComp appends c to cs unless it is there.
func appendComp(cs []*model.Component, c *model.Component) []*model.Component {
	if containsComp(cs, c) {
		return cs
	}
	return append(cs, c)
}

// queueAssets returns what passes through queue c, or nil.
func queueAssets(c *model.Component) []*model.Asset {
	as := loggingHandled(c)
	for _, f := range c.Out {
		as = append(as, f.Carries...)
	}
	return abuseOrNil(distinct(as))
}

// queueCritical returns, for a flow from a queue to a process, the money and
// critical-integrity assets it delivers.
func queueCritical(f *model.Flow) []*model.Asset {
	if f.From.Kind != model.KindQueue || !f.To.IsProcess() || f.To.OutOfScope {
		return nil
	}
	as := f.Carries
	if len(as) == 0 {
		as = loggingHandled(f.From)
	}
	var out []*model.Asset
	for _, a := range as {
		if a.Kind == model.AssetMoney || a.Need(model.Integrity) >= model.Critical {
			out = append(out, a)
		}
	}
	return out
}

// queueCommandsDevices reports whether queue c delivers critical-integrity
// messages (commands) to a device of ours.
func queueCommandsDevices(c *model.Component) bool {
	critical := func(d *model.Component, as []*model.Asset) bool {
		if d.Kind != model.KindDevice || d.ThirdParty {
			return false
		}
		for _, a := range as {
			if a.Need(model.Integrity) >= model.Critical {
				return true
			}
		}
		return false
	}
	for _, f := range c.Out {
		if critical(f.To, f.Carries) {
			return true
		}
	}
	// A device drawn subscribing (calling the broker for what it
	// returns) takes the same messages; one that also publishes there
	// holds credentials that may publish to the others' topics, so what
	// it takes need only be of high integrity.
	for _, f := range c.In {
		if critical(f.From, f.Returns) {
			return true
		}
		if d := f.From; d.Kind == model.KindDevice && !d.ThirdParty && len(f.Carries) > 0 && integrityNeeded(f.Returns) {
			return true
		}
	}
	return false
}

// queueAcrossZones handles a queue of ours with one producer that links
// components in different zones while no flow to or from it states how
// its clients authenticate: whatever reaches the broker on either side
// can publish messages the consumer acts on. It reports the threat (left
// unverified until the queue states it authorizes its clients) and says
// whether the queue was of this kind.
func queueAcrossZones(x *rule.Ctx, c *model.Component, producers, consumers []*model.Component) bool {
	if len(producers) != 1 || len(consumers) == 0 {
		return false
	}
	for _, fs := range [][]*model.Flow{c.In, c.Out} {
		for _, f := range fs {
			if f.Authenticated() != model.Unknown {
				return false
			}
		}
	}
	var other *model.Component
	for _, o := range append(slices.Clone(producers), consumers...) {
		if o.Boundary != c.Boundary && other == nil {
			other = o
		}
	}
	if other == nil {
		return false
	}
	if gap := x.Lacks(c, model.CtlAuthorizes); x.Reports(gap) {
		x.Enables()
		x.Report(gap, q(c.ID)+" carries "+q(producers[0].ID)+"'s messages across zones (to or from "+q(other.ID)+") and nothing says who may publish to it", queueAssets(c))
	}
	return true
}

// openPublish reports whether a flow into queue c (a publisher) is not
// known to authenticate.
func openPublish(c *model.Component) bool {
	for _, g := range c.In {
		if g.Authenticated() != model.Yes {
			return true
		}
	}
	return false
}
