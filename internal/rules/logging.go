package rules

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var loggingRules = []*rule.Rule{
	{
		ID:       "no-security-event-logging",
		ZoneWide: true,
		SameLine: "audit-log-tampering",
		Title:    "Entry point handling sensitive data does not log security events",
		Category: model.Repudiation,
		On:       rule.OnComponent,
		Doc: "A component that takes requests from a less trusted place and handles sensitive data keeps no record of who did what " +
			"(in a model that names no assets, an imported one, what it handles is unknown and the question is asked). " +
			"The same holds for a component that changes what others rely on being right (money, or data needing high integrity: " +
			"commands to equipment, decisions, statutory records), whether it takes requests from a less trusted place or is a process " +
			"inside the network that other components call (an automated decision, an action run for someone): who, or which request, " +
			"changed what must be on record. A job nobody calls that writes such data and states it keeps no logs is included: " +
			"which run produced a disputed result must be on record too. " +
			"So does a remote-access device (a VPN router, a gateway) that states it keeps no logs and carries sessions from a " +
			"less trusted place onto equipment holding what others rely on: what a vendor's engineer, or whoever used their account, " +
			"changed cannot be reconstructed. " +
			"Users can deny their actions, and an intrusion or abuse goes unnoticed and cannot be investigated afterwards.",
		CWE:   []int{778, 223},
		CAPEC: []int{268},
		Mitigations: []string{
			"Log authentication, authorization failures, access to sensitive records and changes, with actor, action, object, time and source.",
			"Ship security logs to central storage and alert on suspicious patterns.",
		},
		References: []string{
			"https://owasp.org/Top10/A09_2021-Security_Logging_and_Monitoring_Failures/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// Admin components are covered by admin-actions-not-logged.
			if c.Admin || c.Public || c.ThirdParty {
				return
			}
			if !c.IsProcess() {
				loggingGateway(x, c)
				return
			}
			handled := loggingHandled(c)
			var at []*model.Asset
			callers := ""
			switch {
			case len(c.In) == 0:
				// A job nobody calls (scheduled or event-driven) that
				// writes what others rely on being right: which run, with
				// which inputs and version, produced it must be on record.
				// Raised only where the model states it does not log:
				// unstated, most jobs' runs are in the platform's logs.
				if c.OutOfScope || c.Controls.Get(model.CtlLogsSecurityEvents) != model.No {
					return
				}
				if at = loggingReliedOn(loggingWritten(c)); len(at) == 0 {
					return
				}
			case entryPointOf(x, c):
				callers = loggingCallers(c)
				at = sensitive(handled)
				if len(at) == 0 {
					// Nothing confidential: who changed what others rely
					// on being right must still be on record.
					at = loggingReliedOn(handled)
				}
			case c.OutOfScope:
				return
			default:
				// A process of ours that other components call and that
				// changes what others rely on (an automated decision, a
				// model promoted, an action run for someone): which request
				// changed what must be on record too.
				if at = loggingReliedOn(handled); len(at) == 0 {
					return
				}
				callers = ids(senders(c.In), compID)
			}
			if len(at) == 0 && len(x.Model.Assets) > 0 {
				return // a model that names no assets (an import) leaves what it handles unknown
			}
			gap := x.Lacks(c, model.CtlLogsSecurityEvents)
			if gap == model.Unknown && reviewerRelay(c) {
				// A relay forwards requests without knowing who does what
				// to which object: the repudiation is the threat of the
				// entry points behind it, which raise it. Whether the relay
				// logs is still asked.
				x.Ask()
				return
			}
			if x.Reports(gap) {
				// What staff do through their consoles goes unrecorded
				// too: reviewers name the console.
				for _, k := range staffConsoles(c) {
					x.AlsoTarget(model.Target{Component: k})
				}
				handled := ids(at, assetID)
				if handled == "" {
					handled = "requests" // a model that names no assets
				}
				if len(c.In) == 0 {
					x.Report(gap,
						q(c.ID)+" writes "+handled+" on its own, with no caller, without logging what each run did", at)
					return
				}
				x.Report(gap,
					q(c.ID)+" handles "+handled+" for "+callers+" without logging security events", at)
			}
		},
	},
	{
		ID:       "audit-log-tampering",
		ZoneWide: true,
		SameLine: "admin-actions-not-logged",
		Title:    "Audit logs of a privileged or financial component can be altered",
		Category: model.Repudiation,
		On:       rule.OnComponent,
		Doc: "The audit trail of a component that moves money or performs administrative actions is kept where the component's own operators or an intruder can edit or delete it. " +
			"A job that charges or pays on its own (on a schedule or an event, with no caller) is included: customers dispute its charges, and only records nobody could have edited settle the dispute. " +
			"Whoever abuses the component can erase the evidence, so fraud and insider abuse cannot be proven or even detected.",
		CWE:   []int{117, 779},
		CAPEC: []int{268, 93},
		Mitigations: []string{
			"Ship audit logs off the host as they are written, to append-only or write-once storage (object lock, a separate logging account).",
			"Keep write access to the audit store out of the hands of the system's own operators; hash-chain or sign log batches.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html",
			"https://csrc.nist.gov/pubs/sp/800/92/final",
		},
		Property:       model.Integrity,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.OutOfScope {
				return
			}
			// Records a process keeps on its own host (stores), which its
			// administrators, or whoever takes the host, can edit.
			journal := loggingOwnRecords(c)
			if c.ThirdParty && (len(journal) == 0 || c.Trust() < model.TrustInternal) {
				return
			}
			money := append(ofKind(c.Assets(), model.AssetMoney), withData(c.Assets(), model.DataFinancial)...)
			money = distinct(money)
			if len(c.In) == 0 && (len(money) == 0 || c.ThirdParty) {
				// Nobody calls it: only a job that charges or pays on its
				// own (on a schedule or an event) keeps records others
				// dispute, the charges it made.
				return
			}
			if !c.Admin && len(money) == 0 && len(journal) == 0 {
				return
			}
			if len(journal) > 0 && len(money) == 0 && !c.Admin {
				if gap := x.Lacks(c, model.CtlTamperEvidentLogs); x.Reports(gap) {
					x.Report(gap, q(c.ID)+" keeps "+ids(journal, assetID)+" on its own host, where its administrators or an intruder on it could alter or delete them", journal)
				}
				return
			}
			// Without security logging at all, no-security-event-logging or
			// admin-actions-not-logged already says so.
			if c.Controls.Get(model.CtlLogsSecurityEvents) == model.No {
				return
			}
			what := "performs administrative actions"
			if len(money) > 0 {
				what = "handles " + ids(money, assetID)
			}
			if gap := x.Lacks(c, model.CtlTamperEvidentLogs); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" "+what+" but its audit logs could be altered or deleted", nil)
			}
		},
	},
	{
		ID:       "sensitive-data-in-logs",
		ZoneWide: true,
		Title:    "Secrets or personal data may be written to logs",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "A component that handles credentials, card data, secrets or personal data logs requests, errors or payloads without redacting them. " +
			"Logs are copied widely, kept long and readable by many people and tools, so whatever reaches them leaks far beyond the data's intended audience.",
		CWE:   []int{532},
		CAPEC: []int{215},
		Mitigations: []string{
			"Redact or mask sensitive fields in the logging library (allow-list what may be logged) rather than at each call site.",
			"Never log request bodies, headers with credentials, tokens or full card numbers; test for it.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude",
			"https://cwe.mitre.org/data/definitions/532.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty {
				return
			}
			at := withData(loggingHandled(c), loggingKinds...)
			if len(at) == 0 {
				return
			}
			// Flows that carry the data to a log sink are reported, more
			// precisely, by sensitive-data-to-log-sink.
			for _, f := range c.Out {
				if loggingSink(f.To) && len(withData(f.Carries, loggingKinds...)) > 0 {
					return
				}
			}
			// Only the component's own secrets, left to unmanaged-secrets
			// while nothing is stated: that threat is their leak, through
			// logs as much as code, images or backups.
			if loggingOwnSecretsOnly(c, at) && c.Controls.Get(model.CtlRedactsLogs) == model.Unknown &&
				c.Controls.Get(model.CtlSecretsManaged) != model.Yes {
				return
			}
			if gap := x.Lacks(c, model.CtlRedactsLogs); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" handles "+ids(at, assetID)+" and may write them to its logs", at)
			}
		},
	},
	{
		ID:             "sensitive-data-to-log-sink",
		SameLineShared: true,
		Title:          "Sensitive data flows into a log or monitoring system",
		Category:       model.InformationDisclosure,
		On:             rule.OnFlow,
		Doc: "A flow into a logging, monitoring or SIEM system carries credentials, secrets, card data or personal data. " +
			"Log platforms are built for broad search and long retention, not for protecting sensitive data, so anyone with log access can read it. " +
			"A flow that names nothing into a log sink, or one that carries a process's logs (an asset named log or logs) into a store, " +
			"carries what its sender handles unless the sender redacts its logs: errors and request dumps echo it.",
		CWE:   []int{532, 359},
		CAPEC: []int{215},
		Mitigations: []string{
			"Redact sensitive fields before they leave the sender (logging library filters, structured logging with an allow-list).",
			"Restrict who can search the log platform and shorten retention for logs that may contain personal data.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude",
			"https://cwe.mitre.org/data/definitions/532.html",
		},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			logs := loggingAssets(f.Carries)
			if !loggingSink(f.To) && !(len(logs) > 0 && f.To.IsStore()) || loggingSink(f.From) {
				return
			}
			at := withData(f.Carries, loggingKinds...)
			if (len(f.Carries) == 0 || len(logs) > 0) && f.From.IsProcess() && !f.From.ThirdParty {
				// Nothing stated: the sender's logs, carrying what it
				// handles unless it redacts them.
				at = withData(loggingHandled(f.From), loggingKinds...)
			}
			if len(at) == 0 {
				return
			}
			gap := model.Yes
			if f.From.IsProcess() && !f.From.ThirdParty {
				gap = x.Lacks(f.From, model.CtlRedactsLogs)
			}
			if x.Reports(gap) {
				x.Report(gap, "Flow "+flowName(f)+" carries "+ids(at, assetID)+" into log sink "+q(f.To.ID), at)
			}
		},
	},
}

// loggingGateway raises no-security-event-logging on a device that forwards
// sessions from a less trusted place (a vendor's broker, the internet) to
// equipment and states it logs nothing: a remote-access gateway whose
// sessions change what others rely on (programs, commands, recipes) leaves
// no record of who changed what. Only a stated no: unstated, a gateway's
// logging is the question of the entry points behind it.
func loggingGateway(x *rule.Ctx, c *model.Component) {
	if c.Kind != model.KindDevice || c.OutOfScope || c.Controls.Get(model.CtlLogsSecurityEvents) != model.No {
		return
	}
	from := senders(lessTrustedSenders(c))
	if len(from) == 0 {
		return
	}
	var carried []*model.Asset
	for _, f := range c.Out {
		carried = append(carried, f.Carries...)
	}
	at := loggingReliedOn(distinct(carried))
	if len(at) == 0 {
		return
	}
	if gap := x.Lacks(c, model.CtlLogsSecurityEvents); x.Reports(gap) {
		// Harder to reach than an entry point's: only someone who already
		// holds a session through the gateway acts unrecorded.
		x.Ease(-1)
		x.Report(gap, q(c.ID)+" forwards sessions from "+ids(from, compID)+" that change "+ids(at, assetID)+
			" and records none of them", at)
	}
}

// loggingReliedOn returns the assets among as that others rely on being
// right — money, and anything needing high integrity or more: whoever
// changes them (a command sent to equipment, a decision, a ledger entry)
// must be on record, whether or not they are confidential.
func loggingReliedOn(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		if a.Kind == model.AssetMoney || a.Need(model.Integrity) >= model.High {
			out = append(out, a)
		}
	}
	return out
}

// loggingWritten returns the assets c processes or stores that it sends on
// its flows out: what a job nobody calls produces for others.
func loggingWritten(c *model.Component) []*model.Asset {
	var out []*model.Asset
	for _, f := range c.Out {
		for _, a := range f.Carries {
			if slices.Contains(c.Assets(), a) {
				out = append(out, a)
			}
		}
	}
	return distinct(out)
}

// loggingKinds are the kinds of data that must not reach logs unredacted.
var loggingKinds = []model.DataKind{model.DataCredentials, model.DataSecrets, model.DataPaymentCard, model.DataPII, model.DataPHI}

// loggingHandled returns the assets c stores or processes and those carried
// on flows into it.
func loggingHandled(c *model.Component) []*model.Asset {
	n := len(c.Assets())
	for _, f := range c.In {
		n += len(f.Carries)
	}
	out := make([]*model.Asset, 0, n) // sized once: asked for every component
	out = append(out, c.Assets()...)
	for _, f := range c.In {
		out = append(out, f.Carries...)
	}
	return distinct(out)
}

// loggingSinkWords are tags and id words that mark a log or monitoring system.
// Not "telemetry": a telemetry store or broker holds what devices and
// vehicles report (positions, readings), not a record of who did what
// (session 12 of issue 7: 10 threats no reviewer listed on four sets).
var loggingSinkWords = map[string]bool{"log": true, "logs": true, "logging": true, "siem": true, "observability": true,
	"monitoring": true, "splunk": true, "elk": true, "loki": true, "datadog": true, "logstash": true, "cloudwatch": true}

// loggingSink reports whether c is a log sink: tagged so, or with an id or
// name made of words such as log, logging or siem.
func loggingSink(c *model.Component) bool { return c.Guessed(model.GuessLogSink, loggingSinkGuess) }

// loggingSinkGuess reads loggingSink out of c's tags, id and name.
func loggingSinkGuess(c *model.Component) bool {
	for _, t := range c.Tags {
		if loggingSinkWords[strings.ToLower(t)] {
			return true
		}
	}
	return loggingSinkName(c.ID) || loggingSinkName(c.Name)
}

// loggingSinkName says whether a word of s (runs of ASCII letters and digits,
// case-folded) names a log sink. It scans in place rather than splitting.
func loggingSinkName(s string) bool {
	s = strings.ToLower(s)
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9') {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if loggingSinkWords[s[start:i]] {
				return true
			}
			start = -1
		}
	}
	return false
}

// loggingCallers names who reaches entry point c from a less trusted place.
func loggingCallers(c *model.Component) string {
	if from := senders(lessTrustedSenders(c)); len(from) > 0 {
		return ids(from, compID)
	}
	return "internet callers"
}

// loggingOwnSecretsOnly reports whether everything sensitive c may log (at)
// is a secret c holds itself, which unmanaged-secrets raises on c.
func loggingOwnSecretsOnly(c *model.Component, at []*model.Asset) bool {
	switch c.Kind {
	case model.KindService, model.KindFunction, model.KindAgent:
	default:
		return false
	}
	own := secretsSystem(c.Assets())
	for _, a := range at {
		if !containsAsset(own, a) {
			return false
		}
	}
	return len(own) > 0
}

// loggingOwnRecords returns the records a process keeps only on its own
// host: data needing high integrity or more that it stores itself and that
// no flow carries anywhere, so no copy exists off the host (an action
// journal, a local event log).
func loggingOwnRecords(c *model.Component) []*model.Asset {
	var out []*model.Asset
	for _, a := range c.Stores {
		if a.Kind == model.AssetData && a.Need(model.Integrity) >= model.High && !loggingCarried(c, a) {
			out = append(out, a)
		}
	}
	return out
}

// loggingCarried reports whether a flow into or out of c carries or
// returns a.
func loggingCarried(c *model.Component, a *model.Asset) bool {
	for _, fs := range [][]*model.Flow{c.In, c.Out} {
		for _, f := range fs {
			if containsAsset(f.Carries, a) || containsAsset(f.Returns, a) {
				return true
			}
		}
	}
	return false
}

// loggingAssets returns the assets among as that are logs (an id or name
// with the word log, logs or logging): what a flow carrying them ships is
// its sender's logs.
func loggingAssets(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		if hasWord(a.ID, loggingAssetWords) || hasWord(a.Name, loggingAssetWords) {
			out = append(out, a)
		}
	}
	return out
}

// loggingAssetWords name an asset that is a log.
var loggingAssetWords = []string{"log", "logs", "logging"}
