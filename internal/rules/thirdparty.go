package rules

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var thirdpartyRules = []*rule.Rule{
	{
		ID:             "third-party-outage-no-fallback",
		SameLineShared: true,
		SameLine:       "payment-run-not-idempotent",
		Title:          "The system stops when a third party it depends on stops",
		Category:       model.DenialOfService,
		On:             rule.OnComponent,
		Doc: "A path the business depends on runs through another organisation's service: a payment or payout provider, a media or ingest vendor, a paging or alerting service, a hosted store the product reads. " +
			"Outages, throttling of the account, an expired contract or key, or an attack on the vendor stop that path, and nothing on our side can restart it: " +
			"payments fail or back up, alerts are not delivered, work in progress is lost. Without a stated fallback the outage of one vendor is an outage of the system. " +
			"In a system rated business-critical the same holds for a part of the system itself that a vendor runs (a hosted system of record, an ingest service, a managed store our components call): every path through it stops with it. " +
			"So it does, whatever the system's criticality, for such a part run by a vendor new to the organisation: how it fails, throttles and recovers has not been assessed.",
		CWE:   []int{1357, 654, 400},
		CAPEC: []int{607},
		Mitigations: []string{
			"Decide what the system does when the vendor is down: queue and retry with backoff and a dead-letter path, degrade to a reduced service, or fail over to a second provider; test it.",
			"Set timeouts and circuit breakers on every call to the vendor, and alert on its errors and latency (not only on our own).",
			"Agree service levels and support paths with the vendor, and keep the data needed to rebuild or switch (exports, re-indexing).",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Third_Party_Javascript_Management_Cheat_Sheet.html",
			"https://csrc.nist.gov/pubs/sp/800/161/r1/upd1/final (supply chain risk management)",
			"https://cwe.mitre.org/data/definitions/1357.html",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !tpThirdParty(c) || c.OutOfScope || c.Kind == model.KindPerson || c.Kind == model.KindClient || c.Kind == model.KindDevice {
				return
			}
			at, calls := tpDependedOn(c)
			if len(at) == 0 {
				at, calls = tpHostedPart(x.Model, c)
			}
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlRedundant); x.Reports(gap) {
				for _, f := range calls {
					x.AlsoTarget(model.Target{Flow: f})
				}
				x.Report(gap, "Nothing says what happens when third party "+q(c.ID)+" is down: "+tpDependents(c)+" stop with it", orNoAssets(at))
			}
		},
	},
	{
		ID:             "sensitive-data-to-new-third-party",
		SameLineShared: true,
		Title:          "Sensitive data shared with a new third party",
		Category:       model.InformationDisclosure,
		On:             rule.OnFlow,
		Doc: "Sensitive data leaves the organisation for a third party the organisation has not worked with before. " +
			"Its security, data handling and sub-processors have not been assessed, and a breach on its side is a breach of this data, with the legal duties that follow. " +
			"A third party is new when marked new or named in the context's new_third_parties (its id or name, or its name within a longer entry: \"hosted LLM vendor\" for \"Hosted LLM\"); " +
			"secrets it is drawn keeping (device or session keys it stores or processes) are shared with it, a key the flow merely carries is taken to be its own. " +
			"Internal business data sent to it (production figures, fleet condition) is included, at its own lower stakes. " +
			"A call to it that names nothing it sends or gets back can send whatever personal data the caller handles: unknown, not nothing, so the threat is unverified until the call states it minimises data.",
		CWE:   []int{359, 201},
		CAPEC: []int{438},
		Mitigations: []string{
			"Run a vendor security and privacy assessment and sign a data processing agreement before go-live.",
			"Send only the fields the vendor needs; pseudonymise or tokenise the rest.",
			"Record the vendor's retention and deletion commitments and sub-processors.",
		},
		References: []string{
			"https://owasp.org/www-project-top-10-privacy-risks/",
			"https://csrc.nist.gov/pubs/sp/800/161/r1/final",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			var vendor *model.Component
			switch {
			case tpNew(x.Model, f.To) && !tpThirdParty(f.From):
				vendor = f.To
			case tpNew(x.Model, f.From) && !tpThirdParty(f.To) && !f.OneWay:
				vendor = f.From // the data goes back in the response
			default:
				return
			}
			// Credentials on the flow are most often the vendor's own API key;
			// secrets the vendor is drawn keeping (device or session keys it
			// stores or processes) are ours, held there.
			at := abuseScrapable(f.Carries)
			if vendor == f.To {
				// What a new vendor sends back when we call it is ours
				// held there (readings of our farms, our customers'
				// records): disclosed there as much as what we send.
				for _, a := range abuseScrapable(f.Returns) {
					if !containsAsset(at, a) {
						at = append(at, a)
					}
				}
			}
			for _, a := range f.Carries {
				if a.Kind == model.AssetCredential && a.HasData(model.DataSecrets) && containsAsset(vendor.Assets(), a) {
					at = append(at, a)
				}
			}
			if len(at) == 0 && vendor == f.To {
				// Internal business data (fleet condition, sales figures)
				// sent out to a vendor nobody has assessed leaves the
				// organisation as much: at its own, lower, stakes.
				for _, a := range f.Carries {
					if a.Kind == model.AssetData && a.Classification == model.ClassInternal {
						at = append(at, a)
					}
				}
			}
			gap := model.Yes
			if vendor == f.To && len(f.Carries) == 0 && len(f.Returns) == 0 && f.From.IsProcess() {
				// Nothing named on the call: what the sender handles can go
				// to the vendor (unknown, not "nothing").
				at, gap = handoffPersonal(f.From.Assets()), model.Unknown
			}
			if len(at) == 0 {
				return
			}
			// The disclosure is to the vendor: it is named even when the
			// data travels back to us on its callback or response (the
			// receiver is named anyway).
			if vendor != f.To {
				x.AlsoTarget(model.Target{Component: vendor})
			}
			if gap == model.Unknown {
				x.Report(gap, "Flow "+flowName(f)+" names nothing it sends to new third party "+q(vendor.ID)+"; "+q(f.From.ID)+" handles "+ids(at, assetID), at)
				return
			}
			verb := " shares "
			if vendor == f.To && len(abuseScrapable(f.Returns)) > 0 {
				verb = " exchanges " // some of it is the vendor's answer: held there
			}
			x.Report(gap, "Flow "+flowName(f)+verb+ids(at, assetID)+" with new third party "+q(vendor.ID), at)
		},
	},
	{
		ID:             "unverified-third-party-callback",
		SameOnReceiver: "unauthenticated-entry-point",
		Title:          "Webhook from a third party is not signature-verified",
		Category:       model.Spoofing,
		On:             rule.OnFlow,
		Doc: "A third party calls back into the system (webhook, event, callback) and the receiver does not verify a signature over the message. " +
			"Anyone who learns the endpoint, or a token sent along with it, can forge events such as \"payment succeeded\" or \"user verified\", and the system will act on them. " +
			"A partner's system that pushes records others rely on over a channel authenticated as that system (mutual TLS) or signed by it is asked the same: " +
			"the channel says which system sent them, not who made each record (a trading partner on a VAN, a prescriber on an EHR platform, a user in an identity provider's assertion), " +
			"so a compromised or careless platform, or anyone else on the network, puts records in any originator's name unless each record's signature is verified.",
		CWE:   []int{345, 347},
		CAPEC: []int{148, 151},
		Mitigations: []string{
			"Verify the provider's HMAC or public-key signature over the raw body, with a constant-time comparison, before parsing.",
			"Alternatively, treat the callback as a hint and fetch the authoritative state from the provider's API.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/345.html",
			"https://www.standardwebhooks.com/",
		},
		Property:       model.Integrity,
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			push := false
			switch {
			case tpCallback(f):
				if !tpCallbackUnverified(f) {
					// Signed already; or unauthenticated, which unauthenticated-inbound-flow reports.
					return
				}
			case tpPartnerPush(f):
				push = true
			default:
				return
			}
			if gap := x.FlowLacks(f, model.CtlVerifiesSignatures); x.Reports(gap) {
				if push {
					x.Enables()
					x.Report(gap, q(f.To.ID)+" takes "+ids(tpReplayAssets(f), assetID)+" from "+q(f.From.ID)+" on "+q(f.ID)+
						" trusting the connection; nothing says who made each record is verified", nil)
					return
				}
				if f.Controls.Get(model.CtlReplayProtection) != model.Yes || len(tpReplayAssets(f)) == 0 {
					// third-party-callback-replay raises the tampering
					// threat of this callback (events applied that should
					// not be): one tampering threat per callback. A
					// callback that carries, and reaches, nothing of high
					// integrity or money raises no tampering copy either,
					// as the transport and storage rules' tampering copies
					// (noise21, noise23).
					x.Enables()
				}
				x.Report(gap,
					"Callback "+flowName(f)+" from third party "+q(f.From.ID)+" is accepted without verifying a signature", nil)
			}
		},
	},
	{
		ID:       "third-party-callback-replay",
		Title:    "Webhook from a third party can be replayed",
		Category: model.Tampering,
		On:       rule.OnFlow,
		Doc: "A third party's callback changes high-integrity state and the receiver does not refuse messages it has already seen. " +
			"A captured or re-delivered event (a refund, a payment confirmation, a credit) is applied twice; signatures alone do not stop this, because a replayed message is still validly signed. " +
			"In a model that states no asset's sensitivity at all, whether what a callback changes needs high integrity is unknown, not \"no\": " +
			"a callback that carries an asset, or reaches a receiver that holds one, is raised unverified, and stating the asset's need settles it.",
		CWE:   []int{294},
		CAPEC: []int{60},
		Mitigations: []string{
			"Check the signed timestamp against a short tolerance window and record event ids to refuse duplicates.",
			"Make handlers idempotent on the provider's event or idempotency key.",
		},
		References: []string{
			"https://www.standardwebhooks.com/",
			"https://cwe.mitre.org/data/definitions/294.html",
		},
		Property: model.Integrity,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !tpCallback(f) || f.Authentication == model.AuthNone {
				return
			}
			at := tpReplayAssets(f)
			unstated := false
			if len(at) == 0 && needsUnstated(x) {
				// The model states no asset's sensitivity: whether what
				// the callback changes needs high integrity is unknown,
				// not "no". A third party's callback that carries or
				// reaches an asset is the structure; the threat is
				// unverified until the needs are stated (sparse25b).
				at, unstated = tpCallbackAssets(f), true
			}
			if len(at) == 0 {
				return
			}
			if gap := x.FlowLacks(f, model.CtlReplayProtection); x.Reports(gap) {
				var why []string
				if unstated {
					gap = model.Unknown
					why = append(why, "the model states no integrity need for "+ids(at, assetID))
					x.AskNeeds(at...)
				}
				x.Report(gap,
					"Callback "+flowName(f)+" from "+q(f.From.ID)+" affects "+ids(at, assetID)+" and may be replayed", at, why...)
			}
		},
	},
	{
		ID:             "third-party-direct-data-access",
		SameLineShared: true,
		// Who has direct access to the store, an insider or a vendor, is
		// one review of its grants (access_reviewed): one line there.
		SameLine: "privileged-store-access",
		Title:    "Third party has direct access to a data store or admin interface",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnFlow,
		Doc: "A system run by another organisation reaches a data store or an administrative interface directly, without going through the system's own services. " +
			"If the vendor is compromised or its access outlives the contract, an attacker inherits broad access to the data with none of the application's checks in between. " +
			"A vendor's equipment placed inside a restricted zone and reached from outside it (a cellular modem in a substation cabinet) that calls our " +
			"processes there is the same: a way into the most trusted zone that passes none of its gateways. " +
			"So is a vendor's remote access into a host, device or workstation of ours (remote desktop, a remote-support tool, a VPN into a server): " +
			"whoever takes over the vendor, its support tool or its shared support account acts on the machine as the person at its keyboard, " +
			"on every machine it reaches at once; it is raised for elevation alone, and names the vendor beside its way in. Information disclosure is raised " +
			"beside the elevation where the vendor reaches a store or an administrative interface, and tampering where it writes there (its flow " +
			"carries data in, or returns nothing); a control process reached by in-zone equipment is raised for its commands alone. " +
			"On a store, it is one line with privileged-store-access (insiders' direct access): both are settled by reviewing who holds grants there.",
		CWE:   []int{269, 1357},
		CAPEC: []int{122},
		Mitigations: []string{
			"Give the vendor a dedicated identity with the narrowest grants, scoped to the data it needs, and expire it with the contract.",
			"Review the vendor's access regularly, monitor its use, and prefer an API in front of the store.",
			"Route vendor remote access through the zone's own path (a jump host with MFA and recorded sessions); power a vendor's in-zone modem only for approved visits.",
			"Give each of the vendor's people a named account with MFA, and open the vendor's access only on request, for the systems and the time the job needs.",
		},
		References: []string{
			"https://csrc.nist.gov/pubs/sp/800/161/r1/final",
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
		},
		Exploitability: -1,
		// The vendor whose access it is: reviewers write the weakness on
		// the vendor as often as on its way in (family27).
		Mentions: tpSender,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !tpThirdParty(f.From) || f.From.Kind == model.KindPerson || tpThirdParty(f.To) || f.To.OutOfScope {
				return
			}
			remote := tpRemoteAccess(f)
			if f.To.Kind != model.KindDatastore && f.To.Kind != model.KindStorage && !f.To.Admin && !tpIntoRestricted(f) && !remote {
				return
			}
			if gap := x.Lacks(f.To, model.CtlAccessReviewed); x.Reports(gap) {
				if remote && f.To.Kind != model.KindDatastore && f.To.Kind != model.KindStorage && !f.To.Admin {
					// A remote session into a host or device of ours:
					// the vendor gets whatever the machine can do, as
					// the person at its keyboard (family27).
					x.Enables()
					x.Report(gap, "Third party "+q(f.From.ID)+" has remote access into "+q(f.To.ID)+" on "+q(f.ID)+" and its access is not reviewed", f.To.Assets())
					return
				}
				switch {
				case f.To.Kind != model.KindDatastore && f.To.Kind != model.KindStorage && !f.To.Admin:
					// A vendor's in-zone equipment calling a control
					// process: what it reaches is the process's commands,
					// not a store of records to read: no disclosure copy.
					x.Enables()
				case len(f.Carries) == 0 && len(f.Returns) > 0:
					// The vendor only reads what the flow returns:
					// disclosure, no tampering copy.
					x.Enables(model.InformationDisclosure)
				}
				x.Report(gap,
					"Third party "+q(f.From.ID)+" reaches "+q(f.To.ID)+" directly on "+q(f.ID)+" and its access is not reviewed", f.To.Assets())
			}
		},
	},
	{
		ID:       "unpinned-dependencies",
		ZoneWide: true,
		Title:    "Dependencies and images are not pinned or scanned",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "A component that is exposed or handles sensitive data is built from third-party packages and base images that are not pinned to verified versions or scanned. " +
			"A hijacked or typosquatted package, a poisoned image tag or a known-vulnerable library runs with the component's access to its data.",
		CWE:   []int{1357, 829, 1104},
		CAPEC: []int{538},
		Mitigations: []string{
			"Pin dependencies with lock files and hashes, and images by digest; build from a vetted internal mirror.",
			"Scan dependencies and images in CI (SCA), keep an SBOM, and update on a schedule.",
		},
		References: []string{
			"https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/",
			"https://owasp.org/Top10/A08_2021-Software_and_Data_Integrity_Failures/",
			"https://slsa.dev/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty {
				return
			}
			// What an attacker reaches first or what runs with most power:
			// internet-facing and administrative components.
			if !internetExposed(c) && !c.Admin {
				return
			}
			if gap := x.Lacks(c, model.CtlPinsDependencies); x.Reports(gap) {
				// A poisoned package runs with everything the component can
				// reach: the system's most valuable assets are at stake.
				x.Report(gap, q(c.ID)+" may run unpinned or unscanned third-party packages and images", systemAssets(x))
			}
		},
	},
}

// tpIntoRestricted reports whether f lets a third party's equipment placed
// inside a restricted zone (a vendor's modem or remote-support box in the
// cabinet), which is reached from outside the zone, call a process or
// device of ours there that handles what others rely on being right
// (control commands, money, decisions): a path into the most trusted zone
// that passes none of its gateways.
func tpIntoRestricted(f *model.Flow) bool {
	if f.To.Trust() != model.TrustRestricted || f.From.Trust() != model.TrustRestricted || !f.From.ThirdParty {
		return false
	}
	if !f.To.IsProcess() && f.To.Kind != model.KindDevice {
		return false
	}
	outside := false
	for _, g := range f.From.In {
		if g.From.Trust() < model.TrustRestricted {
			outside = true
		}
	}
	return outside && len(loggingReliedOn(f.To.Assets())) > 0
}

// tpRemoteProtocols are protocols that open a remote session on, or a
// network path into, the machine they reach.
var tpRemoteProtocols = []string{"rdp", "vnc", "ssh", "teamviewer", "anydesk", "splashtop", "openvpn", "wireguard", "ipsec", "vpn"}

// tpRemotePhrases name remote access in a flow's or a vendor's words.
var tpRemotePhrases = []string{"remote desktop", "remote support", "remote access", "remote session", "remote sessions",
	"remote control", "vendor remote", "teamviewer", "anydesk", "splashtop", "screenconnect", "bomgar"}

// tpRemoteAccess reports whether f is a third party's remote access into a
// host, device or workstation of ours (f.From is a third party, checked by
// the caller): a remote-desktop or VPN protocol, or the flow's or the
// vendor's words naming remote access or a remote-support tool. A message
// feed that merely travels over a VPN (HL7 over IPsec) names its own
// protocol and is not one.
func tpRemoteAccess(f *model.Flow) bool {
	if !f.To.IsProcess() && f.To.Kind != model.KindDevice && f.To.Kind != model.KindClient {
		return false
	}
	for _, p := range tpRemoteProtocols {
		if tpPhrase(f.Protocol, p) {
			return true
		}
	}
	words := strings.Join([]string{f.ID, f.Name, f.Description, f.Protocol, f.From.Name, f.From.Description, f.From.Tech}, " ")
	for _, p := range tpRemotePhrases {
		if tpPhrase(words, p) {
			return true
		}
	}
	return false
}

// tpSender returns the third party that sends on flow target t
// (third-party-direct-data-access's Mentions).
func tpSender(t model.Target) []model.Target {
	if t.Flow == nil || !tpThirdParty(t.Flow.From) {
		return nil
	}
	return []model.Target{{Component: t.Flow.From}}
}

// tpThirdParty reports whether c is run by another organisation.
func tpThirdParty(c *model.Component) bool { return c.ThirdParty || c.Kind == model.KindExternal }

// tpNew reports whether c is a third party new to the organisation: marked
// new, or named in the context's new third parties.
func tpNew(m *model.Model, c *model.Component) bool {
	if !tpThirdParty(c) {
		return false
	}
	if c.New {
		return true
	}
	for _, n := range m.Context.NewThirdParties {
		if strings.EqualFold(n, c.ID) || c.Name != "" && strings.EqualFold(n, c.Name) {
			return true
		}
		// "hosted LLM vendor" names the component "Hosted LLM".
		if c.Name != "" && tpPhrase(n, c.Name) {
			return true
		}
	}
	return false
}

// tpPhrase reports whether the words of phrase occur in s in order, one
// after the other (case-folded runs of letters and digits). ASCII text,
// nearly all of it, is matched in place without lowering or splitting
// (the rules call it per flow and component; perf27b); other text is
// lowered and split as before, so that folding gives the same words.
func tpPhrase(s, phrase string) bool {
	if tpASCII(s) && tpASCII(phrase) {
		return tpPhraseASCII(s, phrase)
	}
	return tpPhraseWords(s, phrase)
}

// tpPhraseWords is tpPhrase by lowering and splitting both into words:
// the general path, and the reference the ASCII path is tested against.
func tpPhraseWords(s, phrase string) bool {
	split := func(x string) []string {
		return strings.FieldsFunc(strings.ToLower(x), func(r rune) bool {
			return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
		})
	}
	ws, ps := split(s), split(phrase)
	if len(ps) == 0 {
		return false
	}
	for i := 0; i+len(ps) <= len(ws); i++ {
		if slices.Equal(ws[i:i+len(ps)], ps) {
			return true
		}
	}
	return false
}

// tpASCII reports whether s is all ASCII.
func tpASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// tpWordByte reports whether ASCII byte b is part of a word: a letter or
// a digit.
func tpWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// tpWord returns the bounds of the first word of s at or after i, or
// start == len(s) when none is left.
func tpWord(s string, i int) (start, end int) {
	for i < len(s) && !tpWordByte(s[i]) {
		i++
	}
	start = i
	for i < len(s) && tpWordByte(s[i]) {
		i++
	}
	return start, i
}

// tpPhraseASCII is tpPhrase on ASCII s and phrase: it tries the phrase's
// words at each word of s, comparing case-folded bytes in place.
func tpPhraseASCII(s, phrase string) bool {
	ps, pe := tpWord(phrase, 0)
	if ps == len(phrase) {
		return false
	}
	for ws, we := tpWord(s, 0); ws < len(s); ws, we = tpWord(s, we) {
		if !strings.EqualFold(s[ws:we], phrase[ps:pe]) {
			continue
		}
		// The first word matches: the phrase's next words must follow.
		ok, i, j := true, we, pe
		for {
			qs, qe := tpWord(phrase, j)
			if qs == len(phrase) {
				break
			}
			xs, xe := tpWord(s, i)
			if xs == len(s) || !strings.EqualFold(s[xs:xe], phrase[qs:qe]) {
				ok = false
				break
			}
			i, j = xe, qe
		}
		if ok {
			return true
		}
	}
	return false
}

// tpCallback reports whether f is a callback from a third-party system into
// a process the team runs: one-way, or named or tagged as a webhook or
// callback.
func tpCallback(f *model.Flow) bool {
	if !tpThirdParty(f.From) || f.From.Kind == model.KindPerson || f.From.Kind == model.KindClient ||
		!f.To.IsProcess() || tpThirdParty(f.To) || f.To.OutOfScope {
		return false
	}
	if f.OneWay {
		return true
	}
	for _, t := range f.Tags {
		if t == "webhook" || t == "callback" {
			return true
		}
	}
	s := strings.ToLower(f.ID + " " + f.Name)
	return strings.Contains(s, "webhook") || strings.Contains(s, "callback")
}

// tpCallbackUnverified reports whether unverified-third-party-callback asks
// about callback f's signature: not when the flow is signed or mutually
// authenticated already, nor when it is stated unauthenticated
// (unauthenticated-inbound-flow's).
func tpCallbackUnverified(f *model.Flow) bool {
	switch f.Authentication {
	case model.AuthSignature, model.AuthMTLS, model.AuthNone:
		return false
	}
	return true
}

// tpReplayAssets returns what a replayed callback f would change: money and
// high-integrity data it carries, or that its receiver holds when it
// carries nothing stated.
func tpReplayAssets(f *model.Flow) []*model.Asset {
	var at []*model.Asset
	for _, a := range tpCallbackAssets(f) {
		if a.Kind == model.AssetMoney || a.Need(model.Integrity) >= model.High {
			at = append(at, a)
		}
	}
	return at
}

// tpCallbackAssets returns what callback f can change: the assets it
// carries, or those its receiver holds when it names none.
func tpCallbackAssets(f *model.Flow) []*model.Asset {
	if len(f.Carries) > 0 {
		return f.Carries
	}
	return f.To.Assets()
}

// tpDependedOn returns what moves only when third party c is up, and the
// calls that carry it: a process or client of ours calls it over an API
// with money (a payment, payout, capture or refund) or with operational
// data the model says needs high availability (alarms to a paging service).
// Other vendors were measured too (session 10 of issue 7): reviewers list
// their outages far less often than Ward would raise them.
func tpDependedOn(c *model.Component) ([]*model.Asset, []*model.Flow) {
	var money []*model.Asset
	var calls []*model.Flow
	for _, f := range c.In {
		from := f.From
		if tpThirdParty(from) && from.Kind != model.KindClient || from.OutOfScope || from.Kind == model.KindPerson || f.OneWay {
			continue
		}
		if p := strings.ToLower(f.Protocol); p != "" && !handoffAPIProtocols[p] {
			continue // a file or batch handed over waits for the next run
		}
		as := ofKind(f.Carries, model.AssetMoney)
		for _, a := range f.Carries {
			// Operational data stated to need high availability (alarms,
			// live readings); a person's record needs its store available,
			// not every copy sent out.
			if a.Kind == model.AssetData && a.Availability >= model.High &&
				len(withData([]*model.Asset{a}, model.DataPII, model.DataPHI, model.DataFinancial, model.DataPaymentCard, model.DataCredentials, model.DataSecrets)) == 0 {
				as = append(as, a)
			}
		}
		if len(as) > 0 {
			calls = append(calls, f)
		}
		for _, a := range as {
			if !containsAsset(money, a) {
				money = append(money, a)
			}
		}
	}
	return money, calls
}

// tpHostedPart returns, for a vendor-run part of the system itself (a
// service or store drawn in the design, not an outside API) in a system
// whose context says criticality high or critical, or run by a vendor new
// to the organisation (not yet assessed), the data it handles and
// the calls our processes make to it: the path runs through it, so its
// outage is the system's.
func tpHostedPart(m *model.Model, c *model.Component) ([]*model.Asset, []*model.Flow) {
	if m.Context.Criticality < model.High && !tpNew(m, c) || c.Kind == model.KindExternal || c.Kind == model.KindLLM || !(c.IsProcess() || c.IsStore()) {
		return nil, nil
	}
	var calls []*model.Flow
	for _, f := range c.In {
		if (f.From.IsProcess() || f.From.Kind == model.KindClient) && !f.From.OutOfScope && f.From.Kind != model.KindExternal {
			calls = append(calls, f)
		}
	}
	if len(calls) == 0 {
		return nil, nil
	}
	return c.Assets(), calls
}

// tpDependents names who calls third party c.
func tpDependents(c *model.Component) string {
	var cs []*model.Component
	for _, f := range c.In {
		if !containsComp(cs, f.From) && f.From.Kind != model.KindPerson {
			cs = append(cs, f.From)
		}
	}
	return ids(cs, compID)
}

// tpPartnerPush reports whether f is a partner's system pushing records
// that others rely on (money, data needing high integrity) into a process
// of ours over a channel authenticated as that system (mutual TLS) or
// signed by it, rather than a callback: the channel says which system
// sent them, not who made each record (a trading partner on a VAN, a
// prescriber on an EHR platform), and whether the receiver checks the
// records' own signatures is the question.
func tpPartnerPush(f *model.Flow) bool {
	if !tpThirdParty(f.From) || f.From.Kind == model.KindPerson || f.From.Kind == model.KindClient || f.From.Kind == model.KindDevice ||
		!f.To.IsProcess() || tpThirdParty(f.To) || f.To.OutOfScope {
		return false
	}
	if f.Authentication != model.AuthMTLS && f.Authentication != model.AuthSignature {
		return false
	}
	for _, a := range f.Carries {
		if a.Kind == model.AssetMoney || a.Need(model.Integrity) >= model.High {
			return true
		}
	}
	return false
}
