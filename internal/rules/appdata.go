package rules

import (
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// appdataRules are application, data and integration classes that reviewers
// raise on designs where no other rule's structure applies (session 21 of
// issue 7, family21c): a queue or topic whose sensitive messages any client
// of the broker can read.
var appdataRules = []*rule.Rule{
	{
		ID:            "queue-readable-by-any-client",
		SensitiveOnly: true,
		Title:         "Any client of the broker can read a queue's sensitive messages",
		Category:      model.InformationDisclosure,
		Also:          []model.Category{model.Tampering},
		On:            rule.OnComponent,
		Doc: "A queue or topic carries personal or confidential messages, and no flow to or from it states how clients authenticate, " +
			"nor does the queue state that it limits who may subscribe. On a shared broker (a cluster-wide Kafka, a managed bus in the " +
			"account) any workload that reaches it, or any new consumer group someone adds for a dashboard or a test, then reads every " +
			"message as it passes and whatever the topic retains, outside the access checks the stores at either end enforce. " +
			"Raised where only one service publishes; with several publishers queue-topics-not-scoped raises the same weakness.",
		CWE:   []int{284, 285, 200},
		CAPEC: []int{117, 122},
		Mitigations: []string{
			"Require every client to authenticate to the broker (mTLS or SASL with an identity per service) and refuse anonymous or shared listeners.",
			"Grant read on each topic to the consumers that need it only (an access list per topic and consumer group); review it when consumers are added.",
			"Keep retention as short as the consumers need; encrypt or strip fields the consumers do not use before publishing.",
		},
		References: []string{
			"https://kafka.apache.org/documentation/#security_authz",
			"https://cwe.mitre.org/data/definitions/284.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Microservices_Security_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindQueue && !queueMQTTBroker(c) || c.ThirdParty || c.OutOfScope {
				return
			}
			if !streamLog(c) {
				return
			}
			producers, _ := queueClients(c)
			all := queueAssets(c)
			as := sensitive(all)
			if len(as) == 0 {
				return
			}
			if len(producers) >= 2 && integrityNeeded(all) {
				return // queue-topics-not-scoped
			}
			for _, fs := range [][]*model.Flow{c.In, c.Out} {
				for _, f := range fs {
					if f.Authenticated() != model.Unknown {
						return
					}
				}
			}
			if gap := x.Lacks(c, model.CtlAuthorizes); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" carries sensitive messages and nothing says which clients may subscribe to it", as)
			}
		},
	},
}

// streamLogs are the words naming a log-style broker: topics are kept for a
// retention period and read by any number of consumer groups, each from the
// start if it likes.
var streamLogs = []string{"kafka", "msk", "kinesis", "event hub", "eventhub", "pub/sub", "pubsub", "jetstream", "redpanda", "pulsar"}

// streamLog reports whether queue c is a log-style stream (Kafka and its
// kin), by its technology, name or the protocol of a flow to or from it.
func streamLog(c *model.Component) bool {
	s := strings.ToLower(c.Tech + " " + c.Name)
	for _, fs := range [][]*model.Flow{c.In, c.Out} {
		for _, f := range fs {
			s += " " + strings.ToLower(f.Protocol)
		}
	}
	for _, w := range streamLogs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
