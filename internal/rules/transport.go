package rules

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// Transport rules share one partition: a flow that may travel in cleartext is
// reported by exactly one of cleartext-protocol, credentials-in-cleartext
// (secrets.go), sensitive-data-in-cleartext, unencrypted-boundary-crossing and
// unencrypted-internal-flow, chosen by transportOwns.

const (
	idCleartextProtocol   = "cleartext-protocol"
	idCredsCleartext      = "credentials-in-cleartext"
	idSensitiveCleartext  = "sensitive-data-in-cleartext"
	idUnencryptedCrossing = "unencrypted-boundary-crossing"
	idUnencryptedInternal = "unencrypted-internal-flow"

	// familyTransport joins the partition's threats of one category on the
	// flows into one zone into one threat (unknowns and stated gaps apart):
	// one unknown, "is traffic into this zone encrypted?", whichever rule
	// owns each hop.
	familyTransport = "transport"
)

var transportRules = []*rule.Rule{
	{
		ID:             idCleartextProtocol,
		SameLineShared: true,
		// An unauthenticated call over a cleartext protocol: anyone on the
		// path, or anyone who reaches the receiver, sends as the caller —
		// one impostor line on the hop.
		SameLine: "unauthenticated-service-to-service",
		Family:   familyTransport,
		Title:    "Flow uses a legacy cleartext protocol",
		Category: model.InformationDisclosure,
		On:       rule.OnFlow,
		Doc: "The flow uses a protocol that sends everything, often passwords included, in the clear unless it is explicitly " +
			"wrapped or upgraded to TLS (http, telnet, ftp, ldap, smtp, plain tcp and the like). " +
			"Anyone on the path can read the traffic and, because nothing authenticates the server, alter it or impersonate either side; " +
			"altering it is a threat of its own where what it carries needs high integrity, or where the flow names nothing it carries.",
		CWE:   []int{319, 523},
		CAPEC: []int{157, 94},
		Mitigations: []string{
			"Replace the protocol with its TLS form (https, ssh/sftp, ldaps, smtps or SMTP with mandatory STARTTLS, TLS-wrapped tcp).",
			"If the protocol cannot change, tunnel it (mTLS service mesh, IPsec, WireGuard) and record encryption: tls or mtls on the flow.",
			"Disable the cleartext listener so nothing can fall back to it; use HSTS for web traffic.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/319.html",
			"https://csrc.nist.gov/pubs/sp/800/52/r2/final",
		},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !transportOwns(x, idCleartextProtocol) {
				return
			}
			why := []string{"protocol " + f.Protocol + " does not encrypt by itself"}
			if gap := transportPlaintext(x, f); x.Reports(gap) {
				if len(f.Carries) > 0 && !integrityNeeded(f.Carries) && !unknownData(x.Model) {
					// Altered on the way where what it carries needs high
					// integrity, as for the other transport rules; the
					// impersonation of either side stays (noise21).
					x.Enables(model.Spoofing)
				}
				transportAnswerCaller(x, f)
				x.Report(gap, "Flow "+flowName(f)+" uses cleartext "+f.Protocol+transportCarrying(f), nil, why...)
			}
		},
	},
	{
		ID:             idSensitiveCleartext,
		SensitiveOnly:  true,
		SameLineShared: true,
		Family:         familyTransport,
		Title:          "Sensitive data travels without encryption",
		Category:       model.InformationDisclosure,
		On:             rule.OnFlow,
		Doc: "The flow carries confidential or regulated data without transport encryption. " +
			"Anyone who can observe the network path, a compromised host, a mirrored port or a misrouted cloud network, reads it, " +
			"and regulations such as PCI DSS and HIPAA require it to be encrypted in transit. " +
			"Where what it carries needs high integrity (card data, money, restricted records), it can be altered on the way too.",
		CWE:   []int{319, 311},
		CAPEC: []int{157, 94},
		Mitigations: []string{
			"Encrypt the flow with TLS 1.2 or later and verify the server certificate.",
			"Prefer mutual TLS between services that exchange regulated data.",
			"Send only the fields the receiver needs; tokenize card numbers before they leave the cardholder data environment.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html",
			"https://owasp.org/Top10/A02_2021-Cryptographic_Failures/",
			"https://csrc.nist.gov/pubs/sp/800/52/r2/final",
		},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !transportOwns(x, idSensitiveCleartext) {
				return
			}
			s := sensitive(f.Carries)
			if gap := transportPlaintext(x, f); !transportAsks(x, f, gap) && !transportAsksPrivate(x, f, gap) && x.Reports(gap) {
				if !integrityNeeded(f.Carries) {
					x.Enables()
				}
				transportAnswerCaller(x, f)
				x.Report(gap, "Flow "+flowName(f)+" carries "+ids(s, assetID)+" without encryption", s,
					"the flow carries sensitive data")
			}
		},
	},
	{
		ID:             idUnencryptedCrossing,
		SameLineShared: true,
		Family:         familyTransport,
		Title:          "Unencrypted flow crosses a trust boundary",
		Category:       model.InformationDisclosure,
		On:             rule.OnFlow,
		Doc: "The flow leaves one trust zone for another without transport encryption. " +
			"The network between zones is shared with parties the design does not trust, so traffic can be read and, " +
			"without TLS server authentication, rewritten or redirected on the way.",
		CWE:   []int{319},
		CAPEC: []int{94, 157},
		Mitigations: []string{
			"Encrypt the flow with TLS (or mutual TLS between services) and verify certificates.",
			"Terminate TLS inside the receiving zone, not at an edge device that forwards in cleartext.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/319.html",
		},
		Property: model.Confidentiality,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !transportOwns(x, idUnencryptedCrossing) {
				return
			}
			// Between two of the organisation's own zones, as inside one,
			// only a flow carrying something non-public is worth reading
			// or altering on the way. A model that names no assets says
			// nothing about what its flows carry: the crossing stays.
			if transportPrivate(f) && !unknownData(x.Model) && !transportWorthReading(x, f) {
				return
			}
			if gap := transportPlaintext(x, f); !transportAsksPrivate(x, f, gap) && x.Reports(gap) {
				transportAnswerCaller(x, f)
				x.Report(gap, "Flow "+flowName(f)+" crosses from "+transportZone(f.From)+" to "+transportZone(f.To)+" without encryption", nil,
					"the flow crosses a trust boundary")
			}
		},
	},
	{
		ID:             idUnencryptedInternal,
		SameLineShared: true,
		Family:         familyTransport,
		Title:          "Unencrypted flow inside a network",
		Category:       model.InformationDisclosure,
		On:             rule.OnFlow,
		Doc: "Two components in the same zone talk without transport encryption, trusting the internal network. " +
			"An attacker who gains any foothold there (a compromised pod, a neighbouring VM, a misconfigured peering) can read " +
			"the traffic, and alter it where what it carries needs high integrity; zero-trust designs encrypt internal traffic too. " +
			"A hop between two of the organisation's processes over a protocol with a TLS mode (gRPC, MQTT, AMQP), its encryption unknown, " +
			"is asked rather than raised, as sensitive-data-in-cleartext asks for more sensitive data (and as a hop to a store inside one zone is); a hop to or from a broker's topic, " +
			"a protocol without a TLS mode and a stated gap stay threats.",
		CWE:   []int{319},
		CAPEC: []int{157, 94},
		Mitigations: []string{
			"Encrypt internal traffic with TLS, or let a service mesh apply mutual TLS transparently.",
			"Enable TLS on database, cache and broker connections and require it on the server side.",
		},
		References: []string{
			"https://csrc.nist.gov/pubs/sp/800/207/final",
			"https://cheatsheetseries.owasp.org/cheatsheets/Microservices_Security_Cheat_Sheet.html",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !transportOwns(x, idUnencryptedInternal) {
				return
			}
			// Inside one zone, only a flow carrying something non-public
			// is worth reading or altering on the way.
			if !transportWorthReading(x, f) {
				return
			}
			// Between two of our processes, a hop whose encryption is unknown
			// is asked as sensitive-data-in-cleartext asks for the more
			// sensitive data (noise21); a broker's topics stay a threat.
			procs := f.From.IsProcess() && f.To.IsProcess()
			if gap := transportPlaintext(x, f); !transportAsks(x, f, gap) && !(procs && transportAsksPrivate(x, f, gap)) && x.Reports(gap) {
				if !integrityNeeded(f.Carries) && !unknownData(x.Model) {
					x.Enables()
				}
				transportAnswerCaller(x, f)
				x.Report(gap, q(f.From.ID)+" talks to "+q(f.To.ID)+" on "+q(f.ID)+" without encryption inside "+transportZone(f.To), nil)
			}
		},
	},
	{
		ID:             "restricted-data-without-mtls",
		SameLineShared: true,
		Title:          "Restricted data between services without mutual TLS",
		Category:       model.Spoofing,
		On:             rule.OnFlow,
		Doc: "Restricted data moves between two internal services over TLS, but only the server proves who it is: the caller " +
			"presents a static shared secret (a password or API key) that can be stolen and replayed from anywhere. " +
			"Mutual TLS or a platform identity binds each call to a workload identity, which is what restricted data warrants. " +
			"A hop to or from a datastore or object storage is left out: the secret there is the store's login, listed by the " +
			"secrets rules.",
		CWE:   []int{1390, 287},
		CAPEC: []int{151, 94},
		Mitigations: []string{
			"Use mutual TLS with workload certificates (a service mesh or SPIFFE) for flows carrying restricted data.",
			"Or sign requests with a platform identity (cloud IAM) instead of a static bearer secret.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Microservices_Security_Cheat_Sheet.html",
			"https://csrc.nist.gov/pubs/sp/800/207/final",
		},
		Property:       model.Confidentiality,
		Exploitability: -2,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if f.From.IsActor() || f.To.IsActor() || f.From.Kind == model.KindPerson ||
				f.From.Trust() < model.TrustInternal || f.To.Trust() < model.TrustInternal {
				return
			}
			if f.To.Kind == model.KindDatastore || f.To.Kind == model.KindStorage || f.From.Kind == model.KindDatastore || f.From.Kind == model.KindStorage {
				// A service's password to its database or bucket is the
				// store's login, not a service's identity to another:
				// its theft is the secrets rules' threat and the store's
				// insiders' (noise23). A broker's topic stays.
				return
			}
			var restricted []*model.Asset
			for _, a := range f.Carries {
				if a.Classification == model.ClassRestricted || a.Need(model.Confidentiality) == model.Critical {
					restricted = append(restricted, a)
				}
			}
			if len(restricted) == 0 || f.Encryption == model.EncMTLS {
				return
			}
			if f.Encryption != model.EncTLS && !(f.Encryption == model.EncUnknown && transportSecure[f.Protocol]) {
				return // unencrypted or unknown: the cleartext rules own it
			}
			var gap model.Tri
			switch f.Authentication {
			case model.AuthPassword, model.AuthAPIKey:
				gap = model.Yes
			case model.AuthUnknown:
				gap = x.Unauthenticated(f)
				if gap == model.Unknown {
					// Whether the caller presents a static secret at all
					// is what is unknown: asked, not raised (a caller that
					// may not authenticate is
					// unauthenticated-service-to-service's threat).
					x.Ask()
					return
				}
			default:
				// mtls, iam and signature are strong; tokens and sessions carry
				// an end user's or a short-lived identity; none is reported by
				// unauthenticated-service-to-service.
				return
			}
			if x.Reports(gap) {
				x.Report(gap, q(f.From.ID)+" sends "+ids(restricted, assetID)+" to "+q(f.To.ID)+" on "+q(f.ID)+" without mutual TLS", restricted,
					"the caller is identified only by a static shared secret")
			}
		},
	},
}

// transportCleartextAlways lists protocols that are cleartext by definition:
// unless the flow states tls or mtls, it is unencrypted.
var transportCleartextAlways = map[string]bool{
	"http": true, "ws": true, "telnet": true, "tftp": true, "rsh": true, "rlogin": true, "rexec": true, "snmp": true,
}

// transportCleartextUpgradable lists protocols that are cleartext unless
// upgraded (STARTTLS) or wrapped: their encryption is asked when unknown.
var transportCleartextUpgradable = map[string]bool{
	"ftp": true, "smtp": true, "ldap": true, "imap": true, "pop3": true, "tcp": true, "syslog": true,
}

// transportSecure lists protocols that imply encryption in transit.
var transportSecure = map[string]bool{
	"https": true, "wss": true, "tls": true, "mtls": true, "ssh": true, "sftp": true, "scp": true, "ftps": true,
	"ldaps": true, "smtps": true, "imaps": true, "pop3s": true, "grpcs": true, "http3": true, "quic": true,
	"amqps": true, "mqtts": true, "rediss": true, "dtls": true, "ipsec": true, "wireguard": true,
	// OpenID Connect and OAuth 2.0 require TLS on every endpoint (OIDC Core
	// 16.17, RFC 6749 1.6).
	"oidc": true, "oauth": true, "oauth2": true,
	// Cloud provider APIs, reached over HTTPS by their SDKs.
	"sqs": true, "sns": true, "s3": true, "dynamodb": true, "kinesis": true, "eventbridge": true, "pubsub": true,
}

// transportLocal lists "protocols" that do not cross a network.
var transportLocal = map[string]bool{
	"ipc": true, "in-process": true, "inproc": true, "local": true, "unix": true, "stdio": true, "memory": true, "function-call": true,
	"exec": true, "loopback": true, "localhost": true, "pipe": true, "shm": true,
}

// transportNetwork reports whether f is network traffic, as opposed to a
// person using a client or device, or a local call.
func transportNetwork(f *model.Flow) bool {
	if f.Local || transportLocal[f.Protocol] || reviewerLinkLocalFlow(f) {
		return false
	}
	ui := func(k model.ComponentKind) bool {
		return k == model.KindPerson || k == model.KindClient || k == model.KindDevice
	}
	if f.From.Kind == model.KindPerson && ui(f.To.Kind) || f.To.Kind == model.KindPerson && ui(f.From.Kind) {
		return false
	}
	return true
}

// transportLegacy reports whether the protocol is a cleartext one.
// Every flow's class asks it once per transport rule: one look-up in the
// union of the two lists (transportLegacySet) instead of two.
func transportLegacy(p string) bool { return transportLegacySet[p] }

// transportLegacySet is transportCleartextAlways ∪ transportCleartextUpgradable.
var transportLegacySet = func() map[string]bool {
	m := make(map[string]bool, len(transportCleartextAlways)+len(transportCleartextUpgradable))
	for _, l := range []map[string]bool{transportCleartextAlways, transportCleartextUpgradable} {
		for p, ok := range l {
			m[p] = m[p] || ok
		}
	}
	return m
}()

// transportOwns reports whether rule id reports the target flow if it
// travels in cleartext: the flow is network traffic and falls in id's part
// of the partition. The owner is one fact per flow (transportOwner),
// computed once per run for all five rules.
func transportOwns(x *rule.Ctx, id string) bool {
	return transportOwnerIDs[x.FlowFact(transportOwner)] == id
}

// transportOwner is the partition as a flow fact: the index in
// transportOwnerIDs of the rule that reports the flow if it travels in
// cleartext, 0 ("") for a flow that is not network traffic.
var transportOwner = rule.NewFlowFact(func(m *model.Model, f *model.Flow) uint8 {
	id := transportClass(f)
	if !transportNetwork(f) || transportBetweenOutsiders(m, f) {
		return 0
	}
	for i, o := range transportOwnerIDs {
		if o == id {
			return uint8(i)
		}
	}
	return 0
})

// transportNetworkOf is transportNetwork for the target flow, read from
// transportOwner (0 exactly when the flow is not network traffic).
func transportNetworkOf(x *rule.Ctx) bool { return x.FlowFact(transportOwner) != 0 }

// transportOwnerIDs are transportOwner's values.
var transportOwnerIDs = [...]string{"", idCleartextProtocol, idCredsCleartext, idSensitiveCleartext, idUnencryptedCrossing, idUnencryptedInternal}

// transportClass returns the id of the rule whose part of the partition f
// falls in, were it network traffic.
func transportClass(f *model.Flow) string {
	switch {
	case transportLegacy(f.Protocol):
		return idCleartextProtocol
	case secretsBearerAuth(f.Authentication) || slices.ContainsFunc(f.Carries, secretsAsset):
		return idCredsCleartext
	case f.CarriesSensitive():
		return idSensitiveCleartext
	case f.CrossesBoundary():
		return idUnencryptedCrossing
	}
	return idUnencryptedInternal
}

// transportPlaintext says whether f travels unencrypted, taking the protocol
// into account when the flow does not state its encryption: https implies
// TLS, http implies none; otherwise the question is asked.
func transportPlaintext(x *rule.Ctx, f *model.Flow) model.Tri {
	if f.Encryption == model.EncUnknown {
		switch {
		case transportSecure[f.Protocol]:
			return model.No
		case transportCleartextAlways[f.Protocol]:
			return model.Yes
		}
	}
	return x.Unencrypted(f)
}

// transportAsks asks, rather than raises, whether a connection to a data
// store inside one private zone is encrypted while that is unknown: a hop
// that does not cross a boundary, into an internal or restricted zone,
// between a component and a datastore or object storage. Reading it needs a
// foothold on the zone's own network, where the application's store
// credentials are within reach too; the store's own threats (access,
// encryption at rest) say what is at stake. The question stays on the list,
// and a stated gap (`encryption: none`) is still a threat. A model that
// names no assets keeps the threat (unknown data is not "nothing worth
// protecting"), and so do legacy cleartext protocols (cleartext-protocol).
// It reports whether it asked.
func transportAsks(x *rule.Ctx, f *model.Flow, gap model.Tri) bool {
	if gap != model.Unknown || unknownData(x.Model) || f.CrossesBoundary() || f.To.Trust() < model.TrustInternal {
		return false
	}
	store := func(c *model.Component) bool { return c.Kind == model.KindDatastore || c.Kind == model.KindStorage }
	if !store(f.From) && !store(f.To) {
		return false
	}
	x.Ask()
	return true
}

// transportPrivate reports whether both ends of f are in the
// organisation's own zones (internal or restricted).
func transportPrivate(f *model.Flow) bool {
	return f.From.Trust() >= model.TrustInternal && f.To.Trust() >= model.TrustInternal
}

// transportWorthReading reports whether f carries something non-public. A
// model that names no assets at all (a diagram imported from another tool)
// says nothing about what its stores hold: a flow to or from a store carries
// that unknown data, and unknown is not "nothing worth protecting".
func transportWorthReading(x *rule.Ctx, f *model.Flow) bool {
	if unknownData(x.Model) && (f.From.IsStore() || f.To.IsStore()) {
		return true
	}
	for _, a := range f.Carries {
		if a.Classification != model.ClassPublic {
			return true
		}
	}
	return false
}

// transportZone names a component's boundary for titles.
func transportZone(c *model.Component) string {
	if c.Boundary == nil {
		return "outside any boundary"
	}
	return q(c.Boundary.ID)
}

// transportCarrying describes what a flow carries, for titles.
func transportCarrying(f *model.Flow) string {
	if len(f.Carries) == 0 {
		return ""
	}
	return ", carrying " + ids(f.Carries, assetID)
}

// transportWeb reports whether the protocol may be HTTP (unknown included).
func transportWeb(p string) bool {
	switch strings.ToLower(p) {
	case "", "http", "https", "http2", "h2", "http3", "ws", "wss", "graphql", "rest":
		return true
	}
	return false
}

// integrityNeeded reports whether any of as needs high integrity or more:
// only then is altering it on the way a threat of its own.
func integrityNeeded(as []*model.Asset) bool {
	for _, a := range as {
		if a.Need(model.Integrity) >= model.High {
			return true
		}
	}
	return false
}

// transportAnswerCaller names the caller of a cleartext flow that acts on
// what the answer brings back (returns needing high integrity or more, such
// as configuration or flags read from a relay): whoever can answer at that
// address, or alter the answer, feeds the caller, which is where reviewers
// write the line.
//
// A hop an outside party sends to a person of ours (settlement agents
// e-mailing wire instructions to a coordinator, courts mailing files to an
// analyst) has no code of ours at either end to check what arrives: where
// what it carries needs high integrity, the threat names both ends, the
// sender whose messages can be forged and the person who acts on them.
func transportAnswerCaller(x *rule.Ctx, f *model.Flow) {
	if f.From.IsProcess() && !f.From.ThirdParty && integrityNeeded(f.Returns) {
		x.AlsoTarget(model.Target{Component: f.From})
	}
	if f.To.Kind == model.KindPerson && tpThirdParty(f.From) && integrityNeeded(f.Carries) {
		x.AlsoTarget(model.Target{Component: f.From})
		x.AlsoTarget(model.Target{Component: f.To})
	}
}

// transportBetweenOutsiders reports whether f is a hop that an outside
// system sends to a person outside the organisation's zones (internet or
// partner) or to another outside system: its transport is that system's,
// not a control of the model's (an SMS gateway texting a customer, a mail
// service delivering to a recipient). A hop to a person of ours is not
// (noise19): our staff act on what arrives, and whether it can be forged
// or altered on the way is the model's to settle. So is a person's hop
// to an outside system that carries nothing the model names (a staff
// member in the vendor's chat, a requester on a supplier's shop, a carer
// calling the vendor's phone line): the transport is that system's, and
// nothing of ours travels on it. In a model that names no assets a hop
// carrying nothing named says nothing about what it carries: it stays.
func transportBetweenOutsiders(m *model.Model, f *model.Flow) bool {
	if f.From.Kind == model.KindPerson && tpThirdParty(f.To) {
		return !unknownData(m) && !slices.ContainsFunc(f.Carries, func(a *model.Asset) bool { return a.Classification != model.ClassPublic })
	}
	if !tpThirdParty(f.From) {
		return false
	}
	if f.To.Kind == model.KindPerson {
		return f.To.Trust() <= model.TrustPartner
	}
	return tpThirdParty(f.To)
}
