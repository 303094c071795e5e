package model

import "strings"

// The component flags the loader may infer (Component.Inferred).
const (
	// InferredAdmin: the component states no admin flag, and its name
	// and its users say it is a staff console.
	InferredAdmin Inferred = 1 << (iota + 2)
	// InferredPaid: the component states no paid flag, and it is a third
	// party's service that its name says is billed per message or, in a
	// model stating no paid or third_party flag, per call (InferMetered).
	InferredPaid
)

// InferFlags reads the admin and paid flags a sparse model leaves unstated
// (adminStated and paidStated false) from a component's name together with
// its place in the model, so it needs the model indexed (c.In set). Both
// flags raise concern (an administrative interface, a bill an attacker can
// run up); Ward infers no control and no flag that lowers concern (not
// anonymous, not public). The words alone are not enough: writers call
// many work tools consoles, and many providers of messages are not billed
// per use in their models.
//
//   - admin: a process or client run by the team whose name says console,
//     admin or back office, and which only the organisation's own people
//     use: every flow into it comes from a person of the organisation
//     (not a third party, inside the network).
//   - paid: a third party's service whose name says it sends SMS (an SMS
//     gateway or provider, a verify API) and which a sign-in or identity
//     service calls: one-time codes billed per message, what SMS pumping
//     is about. An SMS provider that sends reminders is often stated
//     unpaid, and is left alone.
//
// It records what it inferred in c.Inferred.
func InferFlags(c *Component, adminStated, paidStated bool) {
	if !adminStated && !c.Admin && staffConsole(c) {
		c.Admin, c.Inferred = true, c.Inferred|InferredAdmin
	}
	if !paidStated && !c.Paid && smsProvider(c) {
		c.Paid, c.Inferred = true, c.Inferred|InferredPaid
	}
}

// adminWords name an administrative interface in a component's name.
var adminWords = []string{"console", "admin", "backoffice"}

func staffConsole(c *Component) bool {
	if c.ThirdParty || c.OutOfScope || !c.IsProcess() && c.Kind != KindClient || len(c.In) == 0 || !nameWords(c).any(adminWords) {
		return false
	}
	ops := nameWords(c).any(opsWords)
	for _, f := range c.In {
		p := f.From
		if p.Kind != KindPerson || p.ThirdParty {
			return false
		}
		// Inside the network, or drawn in no boundary and named for the
		// staff who run the system.
		pops := nameWords(p).any(opsWords)
		if p.Trust() < TrustInternal && (p.Boundary != nil || !pops) {
			return false
		}
		ops = ops || pops
	}
	return ops
}

// opsWords name the people who run a system rather than work a case in
// it: a support or operations console, not a caseworker's or a claims
// handler's.
var opsWords = []string{"support", "ops", "operation", "operations", "admin", "administrator", "staff", "operator", "sre", "oncall", "noc", "helpdesk", "care", "callcentre", "callcenter"}

func smsProvider(c *Component) bool {
	if !c.ThirdParty || c.Kind != KindExternal || c.OutOfScope || !nameWords(c).any(smsWords) {
		return false
	}
	// Sends one-time codes: called by a sign-in or identity service.
	for _, f := range c.In {
		if f.From.IsProcess() && nameWords(f.From).any(signInWords) {
			return true
		}
	}
	return false
}

var (
	smsWords    = []string{"sms", "verify"}
	signInWords = []string{"auth", "authentication", "identity", "login", "signin", "otp", "mfa", "2fa", "enrolment", "enrollment", "verification", "verify"}
)

// nameWords is the words of the component's name, or of its id when it
// has no name, with adjacent pairs joined ("back office" gives
// "backoffice").
func nameWords(c *Component) wordSet {
	s := c.Name
	if strings.TrimSpace(s) == "" {
		s = c.ID
	}
	return textWords(s)
}

// InferMetered reads the paid flag of a model that states neither paid
// nor third_party on any component (the loader decides; a writer who
// never thought about flags): a third party's external service that is
// called and whose name says it is one of the kinds of API billed per
// call or per message (SMS, telephony, maps and geocoding, translation,
// OCR, speech to text, credit bureaus and screening, data enrichment,
// content moderation, weather). Email is left out: models state most
// email providers unpaid. Marked InferredPaid like InferFlags' guess.
func InferMetered(c *Component) {
	if c.Paid || !c.ThirdParty || c.Kind != KindExternal || c.OutOfScope || len(c.In) == 0 || !nameWords(c).any(meteredWords) {
		return
	}
	c.Paid, c.Inferred = true, c.Inferred|InferredPaid
}

var meteredWords = []string{"sms", "telephony", "voice", "maps", "map", "geocoding", "geocoder", "translation", "translator", "translate", "ocr", "speech", "stt", "transcription", "bureau", "screening", "enrichment", "moderation", "weather"}
