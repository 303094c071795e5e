package rules

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// operationsRules are threats that come from where things run and how
// people and money are handled: devices in places attackers can handle,
// payment instructions a job sends to a bank with no person checking them,
// and support staff who can be talked into resetting a customer's sign-in.
var operationsRules = []*rule.Rule{
	{
		ID:       "field-device-tampering",
		SameLine: "build-artifact-tampering",
		Title:    "Device in the field can be physically tampered with",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "A device the team relies on sits where others can handle it: a customer's home, a vehicle, a shop floor, a kiosk or a street. " +
			"Anyone with the device in hand (a customer, a driver, a thief, or a buyer of the same model) can open it, attach to debug ports, replace its firmware or fool its sensors, " +
			"so that it reports what suits them, and can read the keys and secrets it stores to impersonate it or the fleet. " +
			"The same holds for the device's own checks of who stands in front of it: a card read by its UID alone is cloned, a short keypad PIN is guessed or watched, a command the device obeys on its topic is forged; " +
			"each is spoofing of the device or at it (a further threat of this weakness). " +
			"Whoever holds it can also stop it doing its job (drain its battery, jam or unplug its link, leave it in a state that suits them), " +
			"which is denial of service wherever the device is what keeps something running or safe: it acts on what another component sends it (a lock, a pump, a valve); " +
			"a device that only reports or takes people's input (a logger, a tracker, a staff tablet) raises no denial-of-service threat, since stopping it leaves a gap in what it sends. " +
			"A device at which the model draws nothing at stake (it holds no asset, sends nothing on, and is fed no asset: a display) is left out.",
		CWE:   []int{1263, 1191, 1247, 922},
		CAPEC: []int{401, 440, 187},
		Mitigations: []string{
			"Boot only signed firmware (secure boot) and disable or lock debug interfaces (JTAG, SWD, UART) in production devices.",
			"Keep device keys in a secure element or TPM, unique per device, and encrypt flash; never share one secret across the fleet.",
			"Detect tampering where it matters (enclosure switches, sensor plausibility checks server-side) and revoke a device's identity when it is reported lost or tampered.",
			"Authenticate people and commands at the device with secrets that cannot be read off it: cryptographic cards rather than UIDs, lockout after failed PINs, signed commands checked on the device.",
		},
		References: []string{
			"https://owasp.org/www-project-internet-of-things-top-10/",
			"https://owasp.org/www-project-iot-security-verification-standard/",
			"https://cwe.mitre.org/data/definitions/1263.html",
		},
		Also: []model.Category{model.InformationDisclosure, model.Spoofing, model.DenialOfService},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindDevice || c.OutOfScope {
				return
			}
			// Only where the team does not control who touches it: a device in
			// an internet or partner zone (homes, vehicles, customers' sites).
			if t := c.Trust(); t != model.TrustInternet && t != model.TrustPartner {
				return
			}
			// A device at which the model draws nothing at stake (it holds
			// no asset, sends nothing on, and what it receives carries none:
			// a display fed by others) has no keys to read, no reports to
			// fake and no commands to act on; its firmware, where we ship
			// it, is build-artifact-tampering's line.
			if len(c.Assets()) == 0 && len(c.Out) == 0 && !receivesAssets(c) {
				return
			}
			if gap := x.Lacks(c, model.CtlHardened); x.Reports(gap) {
				at := c.Assets()
				if len(at) == 0 {
					at = systemAssets(x)
				}
				if !deviceActsOnWhatItIsSent(c) {
					// A device that only reports or takes people's input
					// (a logger, a tracker, a tablet): stopping it leaves a
					// gap in what it sends, not something that stops
					// running; its spoofing and read-out stay.
					x.Enables(model.InformationDisclosure, model.Spoofing)
				}
				x.Report(gap, q(c.ID)+" can be opened, reflashed or read out by whoever holds it", at)
			}
		},
	},
	{
		ID:       "payment-instruction-without-approval",
		Title:    "Payment instructions leave without a second approval",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "A component the team runs builds payment or transfer instructions on its own (a scheduled job, a batch, a back-office process) and sends them to a bank or payment processor, which executes them as sent. " +
			"Nobody checks the instructions before they leave: whoever can change the component, its code, its image, its input data or the file before upload redirects money, " +
			"and the bank has no reason to refuse because the instruction arrives with the organisation's own credentials.",
		CWE:   []int{654, 345, 841},
		CAPEC: []int{74},
		Mitigations: []string{
			"Require a second person (four-eyes) to approve each run, or at least runs whose totals or beneficiaries differ from the last approved one.",
			"Reconcile the instructions against the approved source records (totals, counts, changed bank accounts) before sending, and sign the file so the bank can verify it was not changed after approval.",
			"Use the bank's own dual-authorisation or limits for files above a threshold, and alert on new beneficiaries.",
		},
		References: []string{
			"https://owasp.org/www-project-top-10-ci-cd-security-risks/",
			"https://cwe.mitre.org/data/definitions/654.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Abuse_Case_Cheat_Sheet.html",
		},
		Property: model.Integrity,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			money, _ := paymentRun(c)
			if len(money) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlHumanApproval); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" sends payment instructions ("+ids(money, assetID)+") that nobody approves before the bank executes them", money)
			}
		},
	},
	{
		ID:       "support-reset-social-engineering",
		Title:    "Support staff can be talked into resetting a customer's credentials",
		Category: model.Spoofing,
		On:       rule.OnFlow,
		Doc: "Staff at a support or back-office console can change the credentials customers sign in with (reset a password, re-enrol a device, change the phone number or e-mail that receives codes). " +
			"A caller who knows a few facts about a customer (found online, in a breach, or by phishing) talks an agent into a reset, then signs in as that customer: " +
			"the strongest sign-in is as weak as the help-desk procedure that replaces it, and outsourced or busy call centres are the usual target.",
		CWE:   []int{640, 287, 308},
		CAPEC: []int{416, 407},
		Mitigations: []string{
			"Verify the caller with something the customer holds (a confirmation in the app on an enrolled device, a call back to the number on file), not with facts an attacker can look up.",
			"Have a second person approve resets, or delay them and notify the customer on every channel on file so they can stop it.",
			"Limit which agents can reset credentials, log every reset per agent and review unusual volumes.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html",
			"https://pages.nist.gov/800-63-3/sp800-63b.html",
			"https://capec.mitre.org/data/definitions/416.html",
		},
		// The attacker needs a phone and a few facts, not network access: the
		// console sits inside, but the call that drives it comes from anyone.
		Exploitability: 1,
		Receiver:       true,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			// A console staff use (an administrative process people sign in
			// to) calls the component that holds customers' credentials.
			if !f.From.Admin || !f.From.IsProcess() || tpThirdParty(f.From) || !f.To.IsProcess() || tpThirdParty(f.To) || f.To.OutOfScope {
				return
			}
			staff := false
			for _, in := range f.From.In {
				staff = staff || in.From.Kind == model.KindPerson
			}
			var creds []*model.Asset
			for _, a := range f.To.Assets() {
				// People's sign-in credentials, not the system's own keys
				// (data: [secrets]).
				if a.Kind == model.AssetCredential && slices.Contains(a.Data, model.DataCredentials) && !slices.Contains(a.Data, model.DataSecrets) {
					creds = append(creds, a)
				}
			}
			// Customers sign in there: the receiver is an entry point.
			if !staff || len(creds) == 0 || !entryPointOf(x, f.To) {
				return
			}
			if gap := x.Lacks(f.From, model.CtlHumanApproval); x.Reports(gap) {
				x.Report(gap, "A caller may talk staff at "+q(f.From.ID)+" into changing customers' "+ids(creds, assetID)+" in "+q(f.To.ID)+" on "+q(f.ID), creds)
			}
		},
	},
	{
		ID:       "payment-run-not-idempotent",
		Title:    "Payment run can fail halfway or run twice",
		Category: model.DenialOfService,
		Also:     []model.Category{model.Tampering},
		On:       rule.OnComponent,
		Doc: "A component the team runs sends payment or transfer instructions on its own, on a schedule or in batches. " +
			"Jobs are retried after a timeout, re-run by an operator, started twice by a scheduler after a node restart, or stop halfway: " +
			"if the receiver cannot tell a repeat from a new instruction, people are paid twice, or not at all, and nobody knows which until the statements arrive.",
		CWE:   []int{837, 362, 754},
		CAPEC: []int{60},
		Mitigations: []string{
			"Give each run and each instruction a stable idempotency key or file reference that the bank or processor refuses to execute twice.",
			"Record the run's state (prepared, sent, acknowledged) durably and make the job resume from it rather than start again; allow one instance at a time.",
			"Reconcile what was sent against the bank's acknowledgement and alert when a run is missing, partial or duplicated.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/837.html",
			"https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/",
		},
		Property: model.Integrity,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			money, flows := paymentRun(c)
			if len(money) == 0 {
				return
			}
			// Stated absent on any flow that carries the money is a gap;
			// otherwise unknown on any of them leaves it unverified.
			gap := anyGapOf(flows, func(f *model.Flow) model.Tri { return x.FlowLacks(f, model.CtlReplayProtection) })
			if x.Reports(gap) {
				// The duplicate leaves on the calls to the receiver.
				for _, f := range flows {
					x.AlsoTarget(model.Target{Flow: f})
				}
				x.Report(gap, q(c.ID)+" may send "+ids(money, assetID)+" twice, or stop halfway, when a run is retried or restarted", money)
			}
		},
	},
	{
		ID:       "payment-call-not-idempotent",
		Title:    "A retried call that moves money can pay twice",
		Category: model.Tampering,
		On:       rule.OnFlow,
		Doc: "A service of ours asks a payment, payout or banking provider to move money (a payout, a refund, a transfer, a capture) while serving a request. " +
			"Calls time out, clients and queues retry, and workers restart between sending and recording the answer: if the provider cannot tell a repeat from a new instruction, " +
			"the same money is sent twice, and an attacker who can make calls fail or time out (or a forged \"failed\" status) turns that into a way to be paid again.",
		CWE:   []int{837, 362, 841},
		CAPEC: []int{60, 212},
		Mitigations: []string{
			"Send a stable idempotency key with every money-moving call (derived from the business operation, not the attempt) and keep it across retries; use the provider's idempotency support.",
			"Record the operation's state (requested, sent, confirmed) before calling, and on a timeout ask the provider for the operation's status instead of sending again.",
			"Reconcile what was sent against the provider's reports daily and alert on duplicates.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/837.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Transaction_Authorization_Cheat_Sheet.html",
			"https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/",
		},
		Property:       model.Integrity,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			c := f.From
			if !c.IsProcess() || tpThirdParty(c) || c.OutOfScope || !tpThirdParty(f.To) ||
				f.To.Kind == model.KindPerson || f.To.Kind == model.KindClient || !drivenByPeople(c) {
				return // a job acting on its own is payment-run-not-idempotent's
			}
			money := ofKind(f.Carries, model.AssetMoney)
			if len(money) == 0 || !paymentRetried(c, f.To, money) || !paymentProvider(f.To, money) {
				return
			}
			if gap := x.FlowLacks(f, model.CtlReplayProtection); x.Reports(gap) {
				x.Report(gap, "A retried call on "+flowName(f)+" may move "+ids(money, assetID)+" twice: nothing says "+q(f.To.ID)+" can tell a repeat from a new instruction", money)
			}
		},
	},
}

// drivenByPeople reports whether a person, client or device sends requests
// or messages that reach c, directly or through processes and queues
// upstream (reads from a store are not requests and are not followed).
func drivenByPeople(c *model.Component) bool {
	seen := map[*model.Component]bool{c: true}
	next := []*model.Component{c}
	for len(next) > 0 {
		n := next[len(next)-1]
		next = next[:len(next)-1]
		for _, f := range n.In {
			from := f.From
			switch {
			case from.Kind == model.KindPerson || from.Kind == model.KindClient || from.Kind == model.KindDevice:
				return true
			case seen[from] || !(from.IsProcess() || from.Kind == model.KindQueue):
				continue
			}
			seen[from] = true
			next = append(next, from)
		}
	}
	return false
}

// paymentRun returns the money c sends to third parties, and the flows it
// sends it on, when c is a process the team runs that acts on its own (a
// scheduled job, a batch): no person, client or device drives it, directly
// or through the services and queues upstream, so no customer asked for
// these payments.
func paymentRun(c *model.Component) ([]*model.Asset, []*model.Flow) {
	if !c.IsProcess() || tpThirdParty(c) || c.OutOfScope {
		return nil, nil
	}
	var money []*model.Asset
	var flows []*model.Flow
	for _, f := range c.Out {
		if !tpThirdParty(f.To) || f.To.Kind == model.KindPerson || f.To.Kind == model.KindClient {
			continue
		}
		n := len(money)
		for _, a := range f.Carries {
			if a.Kind == model.AssetMoney {
				money = append(money, a)
			}
		}
		if len(money) > n {
			flows = append(flows, f)
		}
	}
	if len(money) == 0 || drivenByPeople(c) {
		return nil, nil
	}
	return money, flows
}

// paymentRetried reports whether c has a reason to send money to
// provider p again: p reports back to c on the money it was sent (a status
// call or webhook, which may say "failed"), or c takes its work from a
// queue, which redelivers what was not acknowledged.
func paymentRetried(c, p *model.Component, money []*model.Asset) bool {
	for _, f := range p.Out {
		if f.To != c {
			continue
		}
		for _, a := range f.Carries {
			if containsAsset(money, a) {
				return true
			}
		}
	}
	for _, f := range c.In {
		if f.From.Kind == model.KindQueue {
			return true
		}
	}
	return false
}

// paymentProvider reports whether third party p executes the money it is
// sent: it reports back on it (a status call or webhook carrying the same
// money into the system), or it is sent card data with it.
func paymentProvider(p *model.Component, money []*model.Asset) bool {
	for _, f := range p.Out {
		for _, a := range f.Carries {
			if containsAsset(money, a) {
				return true
			}
		}
	}
	for _, f := range p.In {
		if len(withData(f.Carries, model.DataPaymentCard)) > 0 {
			return true
		}
	}
	return false
}

// deviceActsOnWhatItIsSent reports whether another component of the model
// (not a person at it) sends to c: a lock, pump, valve or signal acting on
// the commands it is sent, which is what keeps something running.
func deviceActsOnWhatItIsSent(c *model.Component) bool {
	for _, f := range c.In {
		if f.From.Kind != model.KindPerson {
			return true
		}
	}
	return false
}

// receivesAssets reports whether a flow into c carries an asset.
func receivesAssets(c *model.Component) bool {
	for _, f := range c.In {
		if len(f.Carries) > 0 {
			return true
		}
	}
	return false
}
