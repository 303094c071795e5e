package rules

import (
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// Hand-offs: what happens to content, money, keys and data after the
// internet edge — files parsed by a worker behind a bucket, payment files
// handed to a bank, outbound webhooks, key use in a KMS, staff acting
// alone or reading everything, data handed to processors.
var handoffRules = []*rule.Rule{
	{
		ID:             "untrusted-file-parsing",
		SameLineShared: true,
		SoughtFoothold: true,
		Title:          "Files, artefacts or content from a less trusted source are parsed, loaded or run beyond the edge",
		Category:       model.ElevationOfPrivilege,
		On:             rule.OnComponent,
		Doc: "A worker or service reads files from object storage and opens them: renders documents, scans archives, makes thumbnails, loads model or plugin artefacts. " +
			"The files came from somewhere less trusted (customers' uploads, partners' transfers), or they are serialized artefacts (pickles, plugins) that run code when loaded. " +
			"File parsers are large and have a long history of memory-safety bugs, and native serialization executes by design: one crafted file runs code with the worker's identity, " +
			"which usually reads and writes every tenant's files. Validation at the upload edge does not help, because the parser is where the exploit lands. " +
			"The same holds for a component that runs, renders or builds content others write (`executes` in the model): tenants' templates (template injection reaches the template engine's host), repositories whose build or docs configuration loads plugins and hooks, documents or XML a converter opens, ads or pages a headless browser loads, notebooks. " +
			"A renderer that fetches what the content references also calls internal hosts and cloud metadata for the attacker (server-side request forgery): where pages or documents are stated (`executes: [web]` or `[documents]`), what those answers reveal is a further threat (information disclosure). " +
			"Files from outside also tie up the worker without any exploit (a further threat, denial of service): decompression bombs, thousands of pages, deeply nested or huge images stall the queue behind it for everyone.",
		CWE:   []int{502, 434, 94, 1336},
		CAPEC: []int{586, 17, 242},
		Mitigations: []string{
			"Parse and render untrusted files in a sandbox: a separate short-lived process or micro-VM with no network, a read-only file system, least-privilege credentials scoped to the one file, and CPU, memory and time limits.",
			"Run templates, builds and renderers of others' content with no network egress (or an allow-list), no cloud metadata access and no credentials beyond the one job's; use a logic-less or sandboxed template mode and build only with plugins from an allow-list.",
			"Keep parsers patched, disable features the job does not need (macros, external references, scripting), and convert to a simple safe format early.",
			"Bound the work per file: size, page and pixel limits checked before parsing, decompression ratio limits, a time limit per job, and a separate queue so one customer's files cannot stall everyone's.",
			"Never load native serialized objects (pickle, joblib, Java serialization) from a store others can write; use data-only formats (safetensors, ONNX, JSON) or verify a signature or digest recorded at build before loading.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Deserialization_Cheat_Sheet.html",
			"https://owasp.org/www-project-machine-learning-security-top-10/",
			"https://cwe.mitre.org/data/definitions/502.html",
			"https://cwe.mitre.org/data/definitions/1336.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
		},
		// Huge, deeply nested or decompression-bomb files tie up the worker
		// and the queue behind it (CWE-409).
		// A browser or converter fetches what the content references (linked
		// images, external entities, page resources): the answers of
		// internal hosts and cloud metadata go back to the attacker (CWE-918).
		Also:           []model.Category{model.DenialOfService, model.InformationDisclosure},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.OutOfScope || c.ThirdParty || c.Kind == model.KindPerson {
				return
			}
			x.Enables(model.DenialOfService)
			if len(c.Executes) > 0 {
				if kinds := handoffExecutes(c.Executes); kinds != "" {
					if handoffFetches(c.Executes) {
						x.Enables(model.DenialOfService, model.InformationDisclosure)
					}
					handoffReportExecutes(x, c, kinds)
				}
				return // stated: none runs only the team's own content
			}
			if !injectionCode(c) || handoffUntrustedWriter(c) {
				return // an entry point's own input is unvalidated-user-input's
			}
			fed := handoffFedStores(x)
			var files, arts []*model.Component
			var via []*model.Flow
			for _, f := range c.Out {
				s := f.To
				if f.OneWay || s.Kind != model.KindStorage {
					continue
				}
				switch {
				case fed[s]:
					files = append(files, s)
				case handoffArtefacts(c, s):
					arts = append(arts, s)
				default:
					continue
				}
				via = append(via, f)
			}
			for _, f := range c.In {
				if s := f.From; s.Kind == model.KindStorage && fed[s] {
					files = append(files, s)
					via = append(via, f)
				}
			}
			if len(files) == 0 && len(arts) == 0 {
				if c.Controls[model.CtlSandboxed] != model.Unknown {
					// A sandbox stated present or absent says the component
					// runs content that needs one; of what kind is unstated.
					handoffReportExecutes(x, c, "content others write")
				}
				return
			}
			ctl := model.CtlSandboxed
			title := q(c.ID) + " opens files from " + ids(distinct(files), compID) + " that come from a less trusted source; a parser exploit runs code in " + q(c.ID)
			if len(files) == 0 {
				ctl = model.CtlSignedArtifacts
				title = q(c.ID) + " loads serialized artefacts from " + ids(arts, compID) + " that others can write; a crafted artefact runs code in " + q(c.ID)
				x.Enables() // a team's own artefacts are not built to exhaust the loader
			}
			if gap := x.Lacks(c, ctl); x.Reports(gap) {
				for _, f := range via {
					x.AlsoTarget(model.Target{Flow: f})
				}
				x.Report(gap, title, nil)
			}
		},
	},
	{
		ID:       "payment-file-tampering",
		Title:    "Payment file or batch handed to a downstream system can be altered on the way",
		Category: model.Tampering,
		On:       rule.OnFlow,
		Doc: "A job hands payment instructions (a payment file, a batch of payouts, a transfer request) to a bank, treasury or payment system that executes them as received. " +
			"Nothing lets the receiver tell the instructions it gets from those that were produced: whoever can write the drop folder, the transfer host, the queue or the job's output " +
			"changes a beneficiary account or an amount, and the money leaves with the organisation's authority. " +
			"When the transfer key (an SSH key, a client certificate) is the only thing the bank checks, whoever copies it from the job's host sends instructions of their own in the organisation's name (a further threat, spoofing). " +
			"The same holds for other records of high integrity handed over as a file to an outside system that acts on them or publishes them as received " +
			"(results to a state portal, filings to a court, lab results to a practice): they can be changed on the way (tampering). " +
			"Records of critical integrity pushed one way to such a system (poll books to a vendor's cloud) are handed over too, whatever the protocol.",
		CWE:   []int{345, 354, 494},
		CAPEC: []int{75, 148},
		Mitigations: []string{
			"Sign the file or batch where it is produced (PGP, XML signature, the bank's signing scheme) and have the receiver verify it before executing.",
			"Send control totals (count and sum) and a hash over a separate channel, and reconcile them on receipt.",
			"Restrict write access to the drop location to the producing job, use a one-way push, and alert on changes to beneficiary accounts.",
			"Keep the transfer key in a secrets manager or HSM rather than on the job's host, rotate it, and ask the receiver to allow it only from the job's addresses.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Transaction_Authorization_Cheat_Sheet.html",
			"https://owasp.org/www-project-application-security-verification-standard/ (V11 business logic, V6 cryptography)",
			"https://cwe.mitre.org/data/definitions/345.html",
		},
		Also:           []model.Category{model.Spoofing},
		Receiver:       true,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if staffPayment(f) {
				// A person of ours hands payment instructions to an
				// outside system (a bank's portal): the file or the
				// figures pass through their workstation, whatever the
				// protocol the portal speaks.
				if money := ofKind(f.Carries, model.AssetMoney); len(money) > 0 && !reviewerWords(f.To, handoffMessagingWords...) {
					if gap := x.FlowLacks(f, model.CtlVerifiesSignatures); x.Reports(gap) {
						x.Enables() // a person's upload has no transfer key of the job's to copy
						x.Report(gap, "Payment instructions ("+ids(money, assetID)+") that "+q(f.From.ID)+" hands to "+q(f.To.ID)+" on "+flowName(f)+
							" pass through their workstation and can be changed before "+q(f.To.ID)+" executes them", money)
					}
				}
				return
			}
			if !f.From.IsProcess() || f.From.OutOfScope || f.From.ThirdParty || f.To.IsActor() && f.To.Kind != model.KindExternal ||
				!(f.To.OutOfScope || tpThirdParty(f.To)) {
				return
			}
			if !f.OneWay && handoffAPIProtocols[strings.ToLower(f.Protocol)] {
				return // an API call, not a file or batch handed over; transport rules cover it
			}
			if reviewerWords(f.To, handoffMessagingWords...) {
				return // a messaging vendor relays what it gets; it executes no payment
			}
			if money := ofKind(f.Carries, model.AssetMoney); len(money) > 0 {
				if gap := x.FlowLacks(f, model.CtlVerifiesSignatures); x.Reports(gap) {
					x.Report(gap, "Payment instructions ("+ids(money, assetID)+") on "+flowName(f)+" can be changed before "+q(f.To.ID)+" executes them, or sent in our name by whoever holds the transfer credential", money)
				}
				return
			}
			// Other records the receiver acts on or publishes as received
			// (results, orders, filings), handed over as a file: on a stated
			// file or batch protocol only, since an unknown one may be an
			// API call with checks of its own.
			// A one-way push of records whose integrity is critical is
			// such a hand-over on an API protocol too.
			push := f.OneWay && f.Protocol != "" && !loggingSink(f.To)
			if f.Protocol == "" || handoffAPIProtocols[strings.ToLower(f.Protocol)] && !push {
				return
			}
			var recs []*model.Asset
			for _, a := range f.Carries {
				if a.Kind == model.AssetData && a.Need(model.Integrity) >= model.High &&
					(!handoffAPIProtocols[strings.ToLower(f.Protocol)] || a.Need(model.Integrity) >= model.Critical) {
					recs = append(recs, a)
				}
			}
			if len(recs) == 0 {
				return
			}
			if gap := x.FlowLacks(f, model.CtlVerifiesSignatures); x.Reports(gap) {
				x.Enables() // the bank's "in our name" is money's; a changed record is the threat here
				x.Report(gap, "Records ("+ids(recs, assetID)+") handed to "+q(f.To.ID)+" on "+flowName(f)+" can be changed before it acts on them", recs)
			}
		},
	},
	{
		ID:       "staff-action-without-second-approval",
		SameLine: "admin-without-mfa",
		Title:    "One staff member can carry out a consequential action alone",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "Staff use an internal console to take decisions that move money or change records others rely on: approve an application, grant an amount, adjust a balance, release a hold, change a bank account. " +
			"If one person can do it alone, one dishonest, coerced or phished employee (or anyone holding their session) approves a claim for an accomplice or pays themselves, " +
			"and the change looks like ordinary work. Separation of duties is the control reviewers and auditors expect for these actions.",
		CWE:   []int{654, 284, 841},
		CAPEC: []int{122},
		Mitigations: []string{
			"Require a second, different person to approve consequential actions (four-eyes), at least above a threshold or for changes to payees; the system enforces that nobody approves their own request.",
			"Separate roles so the person who enters or changes a case cannot also approve or pay it.",
			"Log who requested and who approved each action, and review outliers (volumes, amounts, relatives) regularly.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Abuse_Case_Cheat_Sheet.html",
			"https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final (AC-5 separation of duties)",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if tpThirdParty(c) && !c.OutOfScope {
				outsideWithoutSecondApproval(x, c)
				return
			}
			if !injectionCode(c) && c.Kind != model.KindClient || c.OutOfScope || c.ThirdParty {
				return
			}
			if c.Kind == model.KindClient {
				consoleWithoutSecondApproval(x, c)
				return
			}
			staff := handoffStaff(c)
			if len(staff) == 0 {
				return
			}
			at := handoffConsequential(c)
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlDualApproval); x.Reports(gap) {
				x.Report(gap, "One "+ids(staff, compID)+" acting alone in "+q(c.ID)+" can change "+ids(at, assetID)+" with no second approval", at)
			}
		},
	},
	{
		ID:       "staff-access-beyond-need",
		Title:    "Staff can open any person's records, not only those their work needs",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "An internal application shows staff (caseworkers, support agents, analysts, operators) the personal data of many people. " +
			"Being allowed into the application is not the same as needing a given record: without checks that tie access to an assigned case, a ticket or a purpose, " +
			"every user can browse neighbours, colleagues and public figures, and a single curious, bribed or phished account reads everyone's data.",
		CWE:   []int{359, 285, 639},
		CAPEC: []int{122, 116},
		Mitigations: []string{
			"Limit each user to the records their work needs (assigned cases, open tickets, their region or tenant), with a break-glass path that asks for a reason and alerts.",
			"Show only the fields the task needs; mask identity numbers and bank details by default.",
			"Log every record view with the user, and review unusual access (many records, records of staff or well-known people).",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
			"https://owasp.org/www-project-top-10-privacy-risks/",
			"https://owasp.org/www-project-application-security-verification-standard/ (V4 access control)",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || c.OutOfScope || c.ThirdParty || entryPointOf(x, c) {
				return // entry points get missing-object-authorization
			}
			staff := handoffStaff(c)
			if len(staff) == 0 {
				return
			}
			at := handoffPersonal(c.Assets())
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlAuthorizes); x.Reports(gap) {
				x.Report(gap, "Every "+ids(staff, compID)+" using "+q(c.ID)+" may open anyone's "+ids(at, assetID)+", not only what their work needs", at)
			}
		},
	},
	{
		ID:       "unsigned-outbound-webhook",
		Title:    "Outbound webhooks are not signed",
		Category: model.Spoofing,
		On:       rule.OnFlow,
		Doc: "The system notifies customers' or partners' systems by calling URLs they registered (webhooks). " +
			"If the calls carry no signature the receiver can verify, the receiver cannot tell them from a forged call to the same URL: " +
			"anyone who learns or guesses the endpoint sends \"document signed\" or \"payment completed\" events, and a captured call can be replayed.",
		CWE:   []int{345, 347, 290},
		CAPEC: []int{148, 151},
		Mitigations: []string{
			"Sign every webhook (HMAC over the body and a timestamp, or an asymmetric signature) with a per-receiver secret, and document how to verify it.",
			"Include a unique event id and timestamp so receivers can refuse replays; rotate signing secrets on request.",
			"Keep events thin (ids, not content) so receivers fetch details over an authenticated API.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/REST_Security_Cheat_Sheet.html",
			"https://www.standardwebhooks.com/",
			"https://cwe.mitre.org/data/definitions/345.html",
		},
		Receiver:       true,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !handoffWebhookFlow(f) {
				return
			}
			if gap := x.FlowLacks(f, model.CtlVerifiesSignatures); x.Reports(gap) {
				x.Report(gap, q(f.To.ID)+" cannot tell webhooks on "+flowName(f)+" from forged ones: they are not signed", nil)
			}
		},
	},
	{
		ID:       "key-use-not-authorized",
		Title:    "Any workload that reaches the key service may use its keys",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "Keys kept in a KMS, HSM or vault never leave it; what protects them is who may ask it to sign, decrypt or unwrap. " +
			"If the key policy lets any role in the account or cluster use a key, instead of only the service whose job it is, " +
			"a compromise of any workload signs documents, decrypts data or mints tokens as the organisation, and the key's strength no longer matters.",
		CWE:   []int{862, 320, 284},
		CAPEC: []int{122, 1},
		Mitigations: []string{
			"Grant each key's use (sign, decrypt, unwrap) to the one service identity that needs it, per key and per operation; keep administration of keys in a separate role that cannot use them.",
			"Alert on use of a key by any other identity and on key-policy changes; log every use with the caller.",
			"Use separate keys per purpose and per environment.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Key_Management_Cheat_Sheet.html",
			"https://owasp.org/www-project-application-security-verification-standard/ (V6.4 secret management)",
			"https://csrc.nist.gov/pubs/sp/800/57/pt1/r5/final",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.OutOfScope || !reviewerWords(c, handoffKeyWords...) {
				return
			}
			var callers []*model.Component
			for _, f := range c.In {
				if f.From.IsProcess() {
					callers = append(callers, f.From)
				}
			}
			if len(callers) == 0 {
				return
			}
			keys := ofKind(c.Assets(), model.AssetCredential)
			keys = append(keys, withData(c.Assets(), model.DataSecrets, model.DataCredentials)...)
			keys = distinct(keys)
			what := "its keys"
			if len(keys) > 0 {
				what = ids(keys, assetID)
			}
			if gap := x.Lacks(c, model.CtlAuthorizes); x.Reports(gap) {
				x.Report(gap, "Workloads other than "+ids(distinct(callers), compID)+" may ask "+q(c.ID)+" to use "+what, abuseOrNil(keys))
			}
		},
	},
	{
		ID: "sign-in-secrets-through-third-party",
		// What the delivering vendor reads on one flow (the sign-in
		// material, the personal data it processes) is one line there.
		SameLine: "sensitive-data-to-processor",
		Title:    "Codes, links or PINs that grant access are delivered through a third party",
		Category: model.InformationDisclosure,
		On:       rule.OnFlow,
		Doc: "The system hands people's sign-in material (one-time codes, magic or share links, door PINs, activation codes) to an outside service that delivers it: an SMS, e-mail or push provider " +
			"(named so, or drawn passing the material on to a person or a client; sign-in material sent to a vendor that delivers nothing, such as an identity provider or a cloud API, is not raised). " +
			"The provider stores and logs what it sends, and the channel reaches whoever holds the phone number or mailbox now: recycled and ported numbers, SIM swaps, shared and forwarded mailboxes, lock screens. " +
			"Whoever reads the message holds the access it grants.",
		CWE:   []int{200, 522, 640},
		CAPEC: []int{37, 593},
		Mitigations: []string{
			"Send only what is short-lived and single-use (codes that expire in minutes, links that work once), and bind them to the device or session that asked for them.",
			"Prefer channels the person controls (an app with push to a registered device, passkeys) over SMS and e-mail for anything that grants lasting access.",
			"Confirm phone numbers and addresses before sending, and limit what a message grants (a link that asks for sign-in rather than granting it).",
		},
		References: []string{
			"https://pages.nist.gov/800-63-4/sp800-63b.html (restricted authenticators: SMS)",
			"https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Multifactor_Authentication_Cheat_Sheet.html",
		},
		Receiver:       true,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !handoffToVendor(f) || len(f.Returns) > 0 {
				return // a call that reads data back signs in with what it carries
			}
			var at []*model.Asset
			for _, a := range ofKind(f.Carries, model.AssetCredential) {
				if a.HasData(model.DataCredentials) && !a.HasData(model.DataSecrets) {
					at = append(at, a)
				}
			}
			if len(at) == 0 || !reviewerWords(f.To, notifyWords...) && !handoffDeliversToPeople(f.To, at) {
				// Sign-in material sent to a vendor that delivers nothing
				// to people (an identity provider, a cloud API, a calendar)
				// is a credential in use there, not a message.
				return
			}
			if gap := x.FlowLacks(f, model.CtlMinimisesData); x.Reports(gap) {
				x.Report(gap, ids(at, assetID)+" reach people through third party "+q(f.To.ID)+" on "+flowName(f)+"; whoever reads the message there, or holds the number or mailbox, holds the access", at)
			}
		},
	},
	{
		ID:             "notification-content-disclosure",
		SameLineShared: true,
		SameLine:       "sign-in-secrets-through-third-party",
		Title:          "Messages delivered through a third party reveal what the system handles",
		Category:       model.InformationDisclosure,
		On:             rule.OnFlow,
		Doc: "A process of ours sends messages through a third party that delivers them to people or channels (SMS, e-mail, push, paging, chat), and nothing says what the messages may contain. " +
			"Text written for convenience carries what the sender handles: a clinic's name, an amount or a decision, file names, alarm values, a connection string in an error. " +
			"It is read on lock screens, shared phones and mailboxes, by everyone in a chat channel, and it is kept and logged by the vendor, outside the access controls of the system it came from. " +
			"Records the model classifies internal count when the flow names them: they are not for people outside the organisation, and the vendor and the readers of its messages are outside it.",
		CWE:   []int{359, 201, 532},
		CAPEC: []int{116, 438},
		Mitigations: []string{
			"Decide what each message may contain: a neutral text with a link to an authenticated page rather than the content, no identity numbers, amounts, diagnoses or decisions, no secrets or raw error text.",
			"Filter or redact outgoing messages in one place (a template allow-list, a scrubber for errors posted to chat) and test it.",
			"Limit who reads the channel (private chat channels, on-call rosters) and what the vendor keeps, under a processing agreement.",
		},
		References: []string{
			"https://owasp.org/www-project-top-10-privacy-risks/",
			"https://cheatsheetseries.owasp.org/cheatsheets/User_Privacy_Protection_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/359.html",
		},
		Receiver:       true,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !f.From.IsProcess() || f.From.ThirdParty || f.From.OutOfScope || !tpThirdParty(f.To) || f.To.IsActor() && f.To.Kind != model.KindExternal ||
				len(f.Returns) > 0 || !reviewerWords(f.To, notifyWords...) {
				return
			}
			if tpNew(x.Model, f.To) && len(abuseScrapable(f.Carries)) > 0 ||
				!f.To.Paid && !tpNew(x.Model, f.To) && len(handoffPersonal(f.Carries)) > 0 {
				return // the data named on the flow is the new third party's or the processor's threat
			}
			at := notifyContent(f.Carries)
			if len(at) == 0 {
				// Internal records (alarm values, change history, file
				// names) are not for people outside the organisation, and
				// the vendor delivers them to phones, mailboxes and channels.
				for _, a := range f.Carries {
					if a.Kind == model.AssetData && a.Classification == model.ClassInternal {
						at = append(at, a)
					}
				}
			}
			if len(at) == 0 && len(f.Carries) == 0 {
				// Nothing named on the flow: the messages can say what the sender handles.
				at = notifyContent(f.From.Assets())
			}
			if len(at) == 0 {
				return
			}
			if gap := x.FlowLacks(f, model.CtlMinimisesData); x.Reports(gap) {
				x.Report(gap, "Messages that "+q(f.From.ID)+" sends through "+q(f.To.ID)+" on "+flowName(f)+" can reveal "+ids(at, assetID)+" to whoever sees them there", at)
			}
		},
	},
	{
		ID:             "sensitive-data-to-processor",
		SameLineShared: true,
		Title:          "Personal or restricted data handed to an outside processor",
		Category:       model.InformationDisclosure,
		On:             rule.OnFlow,
		Doc: "The system sends personal or restricted data to an outside service that processes it for us: an email, SMS or print vendor, an identity-verification (KYC) service, a scoring bureau. " +
			"The processor stores, relays and logs what it gets, its staff and sub-processors can read it, and messages it sends on (emails, letters, texts) end up in shared mailboxes and phones. " +
			"Whatever is sent is exposed to its breaches and its mistakes, for as long as it keeps it. " +
			"A vendor's hosted LLM that a service of ours prompts is such a processor (paid per token or not), and so is a vendor an app of ours reports to from the user's device (an analytics, crash or advertising SDK), " +
			"or a paid API the app calls from there with personal data (a maps or geocoding API given every position). " +
			"A paid API a service of ours sends personal data or content to (a moderation, OCR or speech-to-text API, an identity or credit check) is a processor too, whatever it is paid per call; " +
			"a paid messaging vendor (SMS, e-mail, push) is asked what its messages say by notification-content-disclosure. " +
			"An app's one-way report to a vendor that names nothing it sends can send whatever personal data the app handles: unknown, not nothing. " +
			"A payment handed to the provider that executes it (the flow carries money or card data) is not such a handoff: the details are what the payment needs; " +
			"one that carries health data (an insurance claim to a clearinghouse) is.",
		CWE:   []int{359, 201, 212},
		CAPEC: []int{438, 116},
		Mitigations: []string{
			"Send only the fields the processor needs: links to an authenticated page rather than content, no identity numbers or amounts in emails and texts.",
			"Have a data processing agreement that limits use, retention and sub-processors, and check the vendor's security assessment.",
			"Encrypt files handed over (PGP for SFTP drops) and purge them on the vendor's side after delivery.",
		},
		References: []string{
			"https://owasp.org/www-project-top-10-privacy-risks/",
			"https://cheatsheetseries.owasp.org/cheatsheets/User_Privacy_Protection_Cheat_Sheet.html",
			"https://gdpr-info.eu/art-28-gdpr/",
		},
		Receiver:       true,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !handoffProcessorFlow(f) || f.To.Paid && f.To.Kind != model.KindLLM && f.From.Kind != model.KindClient && reviewerWords(f.To, notifyWords...) || tpNew(x.Model, f.To) {
				// New third parties have their own rule; a paid messaging
				// vendor is asked what the messages say
				// (notification-content-disclosure). Any other paid API
				// given personal data (moderation, OCR, speech to text, an
				// identity or credit check) keeps it like any processor, and
				// so does a hosted LLM paid per token (family21c).
				return
			}
			if handoffPayment(f) {
				// A payment handed to the provider that executes it: the
				// payer's and card details are what the payment needs.
				return
			}
			at := handoffPersonal(f.Carries)
			named := true
			if len(f.Carries) == 0 && len(f.Returns) == 0 && f.OneWay && f.From.Kind == model.KindClient {
				// An app reporting to a vendor from the user's device (an
				// SDK) names nothing it sends: what the app handles can go.
				at, named = handoffPersonal(f.From.Assets()), false
			}
			if len(at) == 0 {
				return
			}
			if gap := x.FlowLacks(f, model.CtlMinimisesData); x.Reports(gap) {
				if !named {
					x.Report(gap, "App "+q(f.From.ID)+" reports to processor "+q(f.To.ID)+" on "+flowName(f)+", naming nothing it sends; the app handles "+ids(at, assetID), at)
					return
				}
				x.Report(gap, "Processor "+q(f.To.ID)+" receives "+ids(at, assetID)+" on "+flowName(f)+" and holds it outside our control", at)
			}
		},
	},
}
