package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// The families reviewers raise on almost every design: log stores, bearer
// token theft, insider access, error leakage, clients on attacker machines,
// shared stores, build supply chain, cloud metadata, short secrets,
// validation oracles, clickjacking, OAuth redirects and token audience.
// Single points of failure, long-lived keys, unattested joins and confused
// deputies follow in reviewer_lifecycle.go.

var reviewerRules = []*rule.Rule{
	{
		ID:       "log-store-tampering",
		Title:    "Stored logs can be altered or deleted",
		Category: model.Repudiation,
		On:       rule.OnComponent,
		Doc: "A log or audit store keeps the evidence of what happened, and whoever can write to it, or administer it, can " +
			"change or delete that evidence. An intruder or a dishonest operator erases their tracks, and disputes, fraud " +
			"and breaches can no longer be reconstructed. Altering the log's records is how its evidence is lost: one threat, " +
			"repudiation, not a second one for tampering with the same records.",
		CWE:   []int{117, 779, 532},
		CAPEC: []int{93, 268},
		Mitigations: []string{
			"Make the log store append-only (object lock, WORM retention, write-only ingestion credentials).",
			"Keep deletion and retention changes with a separate role, and alert on them.",
			"Ship logs off the hosts that produce them as soon as they are written.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html",
			"https://owasp.org/www-project-application-security-verification-standard/ (V7 error handling and logging)",
			"https://capec.mitre.org/data/definitions/268.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// A log sink drawn as a service that sends nothing on (a
			// log workspace, a SIEM of ours) keeps what it is sent: a
			// log store.
			if !(c.IsStore() || c.IsProcess() && len(c.Out) == 0 && len(c.In) > 0) || !loggingSink(c) || c.ThirdParty || c.OutOfScope {
				return
			}
			if gap := x.Lacks(c, model.CtlTamperEvidentLogs); x.Reports(gap) {
				x.Report(gap, "Log store "+q(c.ID)+" can be altered or its records deleted by those who write or run it", nil)
			}
		},
	},
	{
		ID:             "bearer-token-replay",
		SameLineShared: true,
		Title:          "Stolen bearer tokens or session credentials can be replayed",
		Category:       model.Spoofing,
		On:             rule.OnFlow,
		Doc: "The caller proves who it is with a bearer credential (session cookie, access or refresh token, API key) that " +
			"works for whoever holds it. Tokens leak through logs, browser storage, malware, shared devices and proxies; a " +
			"stolen one is replayed from anywhere until it expires, and long-lived or never-rotated tokens give lasting access. " +
			"Inside the network the same holds for service tokens and API keys that one service uses to call another holding restricted " +
			"data or money: copied from a host, an environment variable or a log, they are replayed by anyone who reaches the receiver. " +
			"A client of ours, or a person sending data, that calls a process across trust by a method the model does not state signs in somehow, and a login leaves a session or token: " +
			"the threat is unverified there, asked as the flow's authentication.",
		CWE:   []int{294, 613, 384},
		CAPEC: []int{60, 593},
		Mitigations: []string{
			"Keep access tokens short-lived; rotate refresh tokens on every use and revoke the family when an old one is reused.",
			"Bind tokens to the client where possible (DPoP, mTLS-bound tokens) and revoke sessions on logout and password change.",
			"Keep tokens out of URLs, logs and script-readable storage (HttpOnly, Secure cookies).",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html",
			"https://datatracker.ietf.org/doc/html/rfc9700",
		},
		Receiver:       true,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			unstated := bearerUnstated(f)
			if !f.To.IsProcess() || !reviewerBearer(f.Authentication) && !unstated || f.To.Anonymous ||
				!(f.Inbound() && f.From.Trust() <= model.TrustPartner || handoffServiceToken(f)) {
				return
			}
			var why []string
			if unstated {
				// How the person signs in is unknown, not "no
				// credential": what they hold after a login is most
				// often a session or token (sparse26b).
				x.Unauthenticated(f)
				why = append(why, "the model states no authentication on "+q(f.ID)+": a login leaves a session or token")
			}
			if gap := x.Lacks(f.To, model.CtlShortLivedTokens); x.Reports(gap) {
				if unstated {
					gap = model.Unknown
				}
				if k := f.From; k.Kind == model.KindClient && !k.ThirdParty && !k.OutOfScope {
					// Our app on people's devices holds the live session:
					// a lost, shared or infected device is where it leaks.
					x.AlsoTarget(model.Target{Component: k})
				}
				what := "session or token"
				if !unstated {
					what = secretsAuthName(f.Authentication)
				}
				x.Report(gap, "A "+what+" stolen from "+q(f.From.ID)+" can be replayed against "+q(f.To.ID)+" on "+q(f.ID), nil, why...)
			}
		},
	},
	{
		ID:       "privileged-store-access",
		SameLine: "sensitive-store-broad-access",
		Title:    "Administrators and insiders can read or change a sensitive store",
		Category: model.ElevationOfPrivilege,
		Also:     []model.Category{model.Tampering, model.Repudiation, model.InformationDisclosure},
		On:       rule.OnComponent,
		ZoneWide: true,
		Doc: "People with administrative access to a store (DBAs, cloud administrators, support tooling, break-glass accounts) " +
			"bypass the application's checks. Without a named role, reviewed membership and logged use, one compromised or " +
			"dishonest insider reads or changes every record. " +
			"Changes made that way go around the application's own checks and its audit trail, so the weakness raises tampering " +
			"(records altered outside the application), repudiation (changes and reads that leave no record the application keeps) " +
			"and information disclosure (records read, copied or exported outside the application's access rules) beside the elevation. " +
			"Raised where the model draws people with access to the store (a person, an administrative console or an " +
			"application staff use reads or writes it, an administrator or operator uses a service that writes it, or " +
			"human_access names the role), or names no assets; elsewhere whether human access is reviewed is asked as a " +
			"question, and a stated gap (access_reviewed: no) is a threat.",
		CWE:   []int{269, 284, 250},
		CAPEC: []int{122, 233},
		Mitigations: []string{
			"Restrict human access to a named role with just-in-time, approved and time-boxed elevation; keep break-glass sealed and alerted.",
			"Review membership regularly and remove leavers the same day.",
			"Log every human query and change, to a store the same people cannot alter.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
			"https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final (AC-2, AC-6)",
			"https://capec.mitre.org/data/definitions/122.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindDatastore && c.Kind != model.KindStorage || c.ThirdParty || loggingSink(c) {
				return
			}
			at := reviewerRestricted(c.Stores)
			what := ids(at, assetID)
			if len(at) == 0 {
				// A model that names no assets says nothing about what its
				// stores hold: unknown is not "nothing sensitive".
				if !unknownData(x.Model) {
					return
				}
				what = "what it stores"
			}
			gap := x.Lacks(c, model.CtlAccessReviewed)
			if gap == model.Unknown && len(at) > 0 && c.HumanAccess == "" && !privilegedStoreStaffPath(c) {
				// Nobody is drawn with access to the store: whether
				// human access is reviewed is a question, not a threat.
				x.Ask()
				return
			}
			if x.Reports(gap) {
				who := "administrators and support staff"
				if c.HumanAccess != "" {
					who = "the " + c.HumanAccess + " role"
				}
				x.Report(gap, "Insiders with direct access to "+q(c.ID)+" ("+who+") can read or change "+what+" without oversight", at)
			}
		},
	},
	{
		ID:       "error-detail-leakage",
		Title:    "Errors reveal internals to unauthenticated callers",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		// Debug mode, default error pages and version headers are set once
		// for a zone's deployment (the framework's production profile, the
		// edge's error mapping): one line for the zone's entry points.
		ZoneWide: true,
		Doc: "Stack traces, database errors, framework versions and internal host names returned to callers map the system " +
			"for an attacker and sometimes leak data outright (a failing query echoes the row). Internet-facing entry points " +
			"are probed for exactly this. Whether debug modes, default error pages and version headers are off is mostly set once " +
			"for a deployment, so the internet-facing components of one zone are one threat naming each.",
		CWE:   []int{209, 497, 200},
		CAPEC: []int{54, 215},
		Mitigations: []string{
			"Return generic error messages with a correlation id; log the details server-side.",
			"Turn off debug modes and default error pages in production; strip version headers.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/209.html",
		},
		Exploitability: 0,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || !internetExposed(c) || c.ThirdParty || reviewerRelay(c) || sessionHost(c) {
				return
			}
			if gap := x.Lacks(c, model.CtlGenericErrors); x.Reports(gap) {
				// What leaks is a map of the system, not the data itself.
				x.Report(gap, q(c.ID)+" may return stack traces or internal details to callers from the internet", []*model.Asset{})
			}
		},
	},
	{
		ID:       "client-computed-state-trusted",
		Title:    "Server trusts state computed on a client the attacker controls",
		Category: model.Tampering,
		On:       rule.OnFlow,
		Doc: "Browsers, mobile apps, desktop programs, game clients and devices run on machines their users control. " +
			"Anything they compute (prices and totals, scores and positions, flags saying what the user may do) can be changed " +
			"before it is sent. A server that accepts it as sent lets users pay less, cheat or grant themselves rights. " +
			"Where the flow states no authentication, what the client says about who it is or what it holds (a queue pass, the publisher " +
			"a bid request names, a respondent) is tied to no one and is taken as sent: spoofing too (a further threat).",
		CWE:   []int{602, 565, 472},
		CAPEC: []int{207, 162},
		Mitigations: []string{
			"Recompute prices, totals, permissions and game state on the server from authoritative data; treat client values as requests.",
			"Validate every client action against server-side rules (speed, cooldowns, allowed transitions).",
			"Sign or keep server-side any state the client must hand back.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Input_Validation_Cheat_Sheet.html",
			"https://owasp.org/www-project-mobile-top-10/",
			"https://cwe.mitre.org/data/definitions/602.html",
		},
		Receiver:       true,
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if f.From.Kind != model.KindClient && f.From.Kind != model.KindDevice || !f.To.IsProcess() || f.To.ThirdParty || reviewerRelay(f.To) {
				return
			}
			if gap := x.Lacks(f.To, model.CtlServerAuthoritative); x.Reports(gap) {
				// The state is changed on the client: it is named too.
				x.AlsoTarget(model.Target{Component: f.From})
				if f.Authentication != model.AuthNone {
					x.Enables()
				}
				x.Report(gap, q(f.To.ID)+" may trust state that "+q(f.From.ID)+" computes and sends on "+q(f.ID), nil)
			}
		},
	},
	{
		ID:       "shared-store-tampering",
		Title:    "Authorized writers can tamper with a shared store",
		Category: model.Tampering,
		Also:     []model.Category{model.Repudiation},
		On:       rule.OnComponent,
		ZoneWide: true,
		Doc: "Several components or roles write the same store of high-integrity data. Each writer is allowed to write, so " +
			"nothing stops one of them, compromised or dishonest, from changing records that are not its own, and without " +
			"attributed writes nobody can tell who changed what. The repudiation threat is raised where people's changes reach " +
			"the store (a person, an administrative console or an application staff use inside the network writes it) or the " +
			"store keeps an audit trail; where every writer is a service, which one changed a record is the tampering threat. " +
			"A store of data whose integrity is critical (balances, artefacts that are run, evaluation labels, replicas served " +
			"on failover) is at risk with one writer or none drawn: administrators and jobs holding write access change it " +
			"outside the one service that should, so it raises the tampering threat too. In a model that states no asset's " +
			"sensitivity at all, what a store holds may need high integrity: a store several components write is raised unverified.",
		CWE:   []int{284, 732, 778},
		CAPEC: []int{75, 268},
		Mitigations: []string{
			"Give each writer its own identity with write access only to the tables or records it owns.",
			"Record who changed what (row-level history, change data capture to an append-only log).",
			"Reconcile high-value records against an independent source.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindDatastore && c.Kind != model.KindStorage || loggingSink(c) {
				return
			}
			var writers []*model.Component
			for _, f := range c.In {
				if (f.From.IsProcess() || f.From.IsActor()) && !senderIn(writers, f.From) {
					writers = append(writers, f.From)
				}
			}
			var at, critical []*model.Asset
			for _, a := range c.Stores {
				if a.Need(model.Integrity) >= model.High {
					at = append(at, a)
				}
				if a.Need(model.Integrity) >= model.Critical && a.Kind != model.AssetCredential {
					critical = append(critical, a)
				}
			}
			if len(writers) < 2 && len(critical) > 0 && !c.ThirdParty {
				// Data that must not change (balances, artefacts, labels,
				// evidence) is at the mercy of whoever holds write access
				// to the store itself, besides its one writer.
				if gap := x.Lacks(c, model.CtlAuditsWrites); x.Reports(gap) {
					if !sharedStorePeopleWrite(c, writers) {
						// No people are drawn writing it and it keeps no
						// audit trail: the tampering threat.
						x.Enables()
					}
					x.Report(gap, "Whoever holds write access to "+q(c.ID)+" (administrators, "+sharedStoreWriterNames(writers)+") can change "+ids(critical, assetID)+" undetected", critical)
				}
				return
			}
			unstated := false
			if len(at) == 0 && len(writers) >= 2 && needsUnstated(x) {
				// The model states no asset's sensitivity: whether what
				// the store holds needs high integrity is unknown, not
				// "no". Several writers is the structure; the threat is
				// unverified until the needs are stated.
				at, unstated = c.Stores, true
			}
			if len(writers) < 2 || len(at) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlAuditsWrites); x.Reports(gap) {
				var why []string
				if unstated {
					// Asked of each asset: what it needs settles the
					// threat whatever the store's writes.
					gap = model.Unknown
					why = append(why, "the model states no integrity need for "+ids(at, assetID))
					x.AskNeeds(at...)
				}
				if !sharedStorePeopleWrite(c, writers) {
					// Services that write: which one changed a record is
					// the tampering threat's; repudiation is a person
					// denying what they did, or an audit trail kept here.
					x.Enables()
				}
				x.Report(gap, ids(writers, compID)+" all write "+q(c.ID)+"; any of them can change "+ids(at, assetID)+" unattributed", at, why...)
			}
		},
	},
	{
		ID:       "build-artifact-tampering",
		Title:    "Built artefacts can be tampered with between build and run",
		Category: model.Tampering,
		Also:     []model.Category{model.ElevationOfPrivilege},
		On:       rule.OnComponent,
		// Builds run code from many hands by design (every contributor's
		// change, third-party actions, base images): the input is attacker-
		// controllable without any network foothold.
		Exploitability: 1,
		Doc: "Images, binaries, firmware and deployment bundles pass from a build system through registries and CDNs to the " +
			"machines that run them. Whoever can change a pipeline, a base image or a stored artefact gets their code run " +
			"everywhere it is deployed, unless artefacts are signed at build and verified before they run. " +
			"A client of ours that fetches what it runs from storage or a CDN (an update manifest and installer, a script tag, " +
			"remote configuration or flag snapshots) is such a machine: whoever changes the stored copy changes it for every user, " +
			"and an older signed version served again (rollback) is a change too. " +
			"On a registry or store of artefacts, a job of ours that writes them into it (a training, evaluation or export job, " +
			"a console that uploads firmware) is named too: what it is fed and what it lets through is what runs. " +
			"Programs or firmware carried by hand on removable media (a USB stick) from a less trusted zone into a more " +
			"trusted one (the OT network) cross with no scan or integrity check unless one is stated. " +
			"A vendor's device deployed in the system (in scope, handling its data) whose vendor pushes firmware to it runs whatever the vendor's update channel sends. " +
			"Signing stated on a builder that keeps its signing key itself proves only that the builder signed: whoever takes the builder, or copies the key from it, signs what they like. " +
			"A store whose records are only credentials is a secrets store, whatever its name says (a vault named for the builds it serves): nothing it holds is built or run.",
		CWE:   []int{494, 1395, 345},
		CAPEC: []int{538, 669},
		Mitigations: []string{
			"Sign artefacts in the build (Sigstore/cosign, code signing) and verify signature and provenance before deploy or install.",
			"Pin base images and build tools by digest; build on ephemeral, isolated runners.",
			"Protect pipeline definitions and signing keys (reviewed changes, HSM or KMS, two-person release).",
			"On clients, verify a signature over what is fetched (signed update manifests with version and expiry against rollback, Subresource Integrity for scripts, signed configuration) before using it.",
		},
		References: []string{
			"https://slsa.dev/spec/v1.0/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Software_Supply_Chain_Security_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/494.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if via, sources := reviewerClientFetches(c); len(via) > 0 && !c.ThirdParty && !c.OutOfScope && !reviewerBuilds(c) {
				// A client of ours that fetches what it runs (updates,
				// scripts, configuration) from storage or a CDN.
				if gap := x.Lacks(c, model.CtlSignedArtifacts); x.Reports(gap) {
					// What a tampered client does to its user is tampering
					// with what they see and send, not their access to us.
					x.Enables()
					for _, f := range via {
						x.AlsoTarget(model.Target{Flow: f})
					}
					for _, s := range sources {
						x.AlsoTarget(model.Target{Component: s})
					}
					x.Report(gap, q(c.ID)+" runs what it fetches from "+ids(sources, compID)+"; whoever can change it there changes it for every user", systemAssets(x))
				}
				return
			}
			if media := reviewerCarriedIn(c); len(media) > 0 && !c.ThirdParty && !c.OutOfScope {
				// Programs or firmware carried by hand on removable media
				// from a less trusted zone into a more trusted one (a USB
				// stick into the OT network): nothing checks what crosses.
				if gap := x.Lacks(c, model.CtlSignedArtifacts); x.Reports(gap) {
					x.Enables() // the altered program is the threat; who runs it is the receiver's
					// Reached only through what feeds the stick (a mailbox,
					// an office PC), not from the internet at will.
					x.Ease(-1)
					var carried []*model.Asset
					for _, f := range media {
						x.AlsoTarget(model.Target{Flow: f})
						carried = append(carried, loggingReliedOn(f.Carries)...)
					}
					x.Report(gap, "Programs carried into "+q(c.ID)+" on "+flowName(media[0])+
						" from a less trusted zone may be altered or infected on the way, and nothing checks them", distinct(carried))
				}
				return
			}
			if c.ThirdParty && !reviewerVendorFirmware(c) || !(reviewerBuilds(c) || c.Kind == model.KindDevice && reviewerFirmware(c)) {
				return
			}
			gap := x.Lacks(c, model.CtlSignedArtifacts)
			key := reviewerOwnSigningKey(c)
			if gap == model.No && key != nil {
				// Signing is stated, but the key sits on the builder
				// itself: whoever takes the builder signs what they like.
				gap = model.Unknown
			}
			if x.Reports(gap) {
				// The artefacts travel: the flows that ship them from a
				// builder or registry, or bring them to a device, are named.
				if c.Kind == model.KindDevice {
					for _, f := range c.In {
						x.AlsoTarget(model.Target{Flow: f})
					}
				} else {
					for _, f := range c.Out {
						x.AlsoTarget(model.Target{Flow: f})
					}
					for _, f := range c.In {
						if f.From.IsProcess() || f.From.Kind == model.KindDevice {
							x.AlsoTarget(model.Target{Flow: f}) // pulled by it
						}
						if f.From.IsProcess() && !f.From.ThirdParty && !reviewerBuilds(f.From) && integrityNeeded(f.Carries) {
							// A job of ours that produces the artefacts it
							// stores (a training or release job): what it
							// is fed and what it lets through are them.
							x.AlsoTarget(model.Target{Component: f.From})
						}
					}
				}
				// Whoever changes artefacts runs code wherever they are
				// deployed: the system's most valuable assets are at stake.
				if key != nil && c.Controls[model.CtlSignedArtifacts] == model.Yes {
					x.Report(gap, "Artefacts that "+q(c.ID)+" builds are signed with "+q(key.ID)+", which it keeps itself; whoever takes "+q(c.ID)+" signs what they like", systemAssets(x))
					return
				}
				x.Report(gap, "Artefacts that "+q(c.ID)+" builds, stores or installs may be tampered with before they run", systemAssets(x))
			}
		},
	},
	{
		ID:       "cloud-metadata-credential-theft",
		Title:    "Workload credentials stolen through the cloud metadata service",
		Category: model.ElevationOfPrivilege,
		Also:     []model.Category{model.InformationDisclosure},
		On:       rule.OnComponent,
		Doc: "A cloud workload that fetches URLs or reaches other hosts on behalf of callers can be steered to the instance " +
			"metadata endpoint (169.254.169.254 and the like), which hands out the workload's cloud credentials. With them the " +
			"attacker acts as the workload on the cloud API, often with far more access than the request path needed.",
		CWE:   []int{918, 522, 250},
		CAPEC: []int{664},
		Mitigations: []string{
			"Require session-token metadata access (IMDSv2 with hop limit 1) or block the endpoint from application containers.",
			"Scope the workload's cloud role to what it needs; prefer workload identity federation.",
			"Validate and allow-list outbound destinations.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
			"https://capec.mitre.org/data/definitions/664.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || !internetExposed(c) || c.ThirdParty || !reviewerCloud(x.Model, c) {
				return
			}
			outbound := false
			for _, f := range c.Out {
				outbound = outbound || f.To.Kind == model.KindExternal || f.To.ThirdParty || f.To.Trust() < c.Trust()
			}
			if !outbound {
				return
			}
			if gap := x.Lacks(c, model.CtlMetadataProtected); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" makes outbound requests from the cloud; steered to the metadata service it yields its cloud credentials", nil)
			}
		},
	},
	{
		ID:       "short-secret-guessing",
		SameLine: "credential-stuffing",
		Title:    "Short secrets can be guessed online",
		Category: model.Spoofing,
		On:       rule.OnComponent,
		Doc: "Password-reset codes, one-time passwords, authorization codes, invitation links and voucher codes are short. " +
			"Without limits per account and per code, an attacker guesses them online in hours and takes over accounts or " +
			"redeems value.",
		CWE:   []int{307, 330, 640},
		CAPEC: []int{49, 112},
		Mitigations: []string{
			"Limit attempts per account and per code; invalidate a code after a few failures and after a short time.",
			"Use long random codes for links; keep numeric codes for a second factor only, with strict attempt limits.",
			"Alert on guessing patterns across accounts.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Multifactor_Authentication_Cheat_Sheet.html",
			"https://pages.nist.gov/800-63-3/sp800-63b.html",
		},
		// Online guessing is scripted (OAT-007): easy once reachable.
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || !internetExposed(c) || c.ThirdParty || !reviewerIssuesCodes(c) {
				return
			}
			if gap := x.Lacks(c, model.CtlAttemptLimits); x.Reports(gap) {
				signInClients(x, c)
				x.Report(gap, "Codes that "+q(c.ID)+" issues (reset codes, OTPs, authorization codes) may be guessed from the internet", nil)
			}
		},
	},
	{
		ID:       "validation-oracle",
		Title:    "Answers reveal which accounts or cards are valid",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "An endpoint that answers differently for a known and an unknown account, or for a valid and an invalid card, " +
			"is an oracle: attackers enumerate accounts for targeted attacks and test stolen cards through the merchant " +
			"account, which brings fees, chargebacks and scheme penalties.",
		CWE:   []int{204, 203, 799},
		CAPEC: []int{575, 560},
		Mitigations: []string{
			"Answer sign-in, sign-up and reset requests the same way, in content and timing, whether the account exists or not.",
			"Require bot protection and velocity limits on card verification and small payments; watch decline rates.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html",
			"https://owasp.org/www-project-automated-threats-to-web-applications/ (OAT-001 carding, OAT-007 cracking)",
		},
		// Enumeration and card testing are scripted (OAT-001, OAT-007).
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || !internetExposed(c) || c.ThirdParty {
				return
			}
			at := withData(c.Assets(), model.DataCredentials, model.DataPaymentCard)
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlUniformResponses); x.Reports(gap) {
				// What leaks is whether an account or card is valid, not
				// the data: card testing costs money, enumeration helps
				// later attacks.
				x.Report(gap, q(c.ID)+" may tell internet callers which accounts or cards in "+ids(at, assetID)+" are valid",
					orNoAssets(dosMoney(x)))
			}
		},
	},
	{
		ID:       "clickjacking",
		SameLine: "cross-site-request-forgery",
		Title:    "Cookie-authenticated pages can be framed by another site",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "A page that acts with the user's cookies can be loaded invisibly in a frame on an attacker's page, and the user " +
			"tricked into clicking its buttons: approving consent, changing settings, confirming a payment.",
		CWE:   []int{1021},
		CAPEC: []int{103},
		Mitigations: []string{
			"Send Content-Security-Policy frame-ancestors 'none' (or the allowed origins) and X-Frame-Options DENY.",
			"Use SameSite cookies and require re-confirmation for sensitive actions.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Clickjacking_Defense_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/1021.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty {
				return
			}
			browser := false
			for _, f := range c.In {
				browser = browser || injectionBrowser(f.From) && f.Authentication == model.AuthSession
			}
			if !browser {
				return
			}
			if gap := x.Lacks(c, model.CtlFrameProtection); x.Reports(gap) {
				x.Report(gap, "Pages of "+q(c.ID)+" that act on the user's session may be framed and clicked through by another site", nil)
			}
		},
	},
	{
		ID:       "oauth-redirect-validation",
		Title:    "Authorization codes or tokens delivered to an attacker's redirect",
		Category: model.Spoofing,
		On:       rule.OnComponent,
		Doc: "An authorization server (OAuth 2, OpenID Connect, SSO) sends codes and tokens to the redirect URI in the request. " +
			"Loose matching (prefixes, wildcards, open redirects on the client) or codes without PKCE and single use let an " +
			"attacker receive a victim's code and act as the victim.",
		CWE:   []int{601, 346, 287},
		CAPEC: []int{194, 593},
		Mitigations: []string{
			"Match redirect URIs exactly against registered values; no wildcards.",
			"Require PKCE and state for every client; make codes single-use and short-lived.",
			"Prefer response modes that keep tokens out of URLs.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/OAuth2_Cheat_Sheet.html",
			"https://datatracker.ietf.org/doc/html/rfc9700",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty || !redirectingAuthServer(c) {
				return
			}
			if gap := x.Lacks(c, model.CtlValidatesRedirects); x.Reports(gap) {
				x.Report(gap, "Authorization server "+q(c.ID)+" may deliver codes or tokens to a redirect URI the attacker controls", nil)
			}
		},
	},
	{
		ID:       "token-audience-confusion",
		SameLine: "bearer-token-replay",
		Title:    "Tokens meant for another audience or scope are accepted",
		Category: model.ElevationOfPrivilege,
		Also:     []model.Category{model.Spoofing},
		On:       rule.OnComponent,
		Doc: "A service accepts bearer tokens issued by an identity provider. If it does not check the audience, issuer, " +
			"expiry and scope of each token, a token issued for another API, an ID token, or one with a narrower scope is " +
			"accepted, and its holder does more than it was granted.",
		CWE:   []int{287, 863, 345},
		CAPEC: []int{115, 633},
		Mitigations: []string{
			"Validate signature, issuer, audience, expiry and scope of every token before serving the request.",
			"Issue tokens per API (audience) and with the narrowest scope; reject ID tokens as access tokens.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html",
			"https://datatracker.ietf.org/doc/html/rfc8725",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty || reviewerRelay(c) {
				return
			}
			token := false
			for _, f := range c.In {
				token = token || f.Authentication == model.AuthToken && f.From.Trust() < model.TrustInternal
			}
			if !token {
				return
			}
			if gap := x.Lacks(c, model.CtlChecksTokenAudience); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" may accept tokens issued for another audience or scope", nil)
			}
		},
	},
}

// needsUnstated reports whether the model states nothing of any asset's
// sensitivity (no classification, data kind, need or value on any asset,
// words aside): a store's integrity need is then unknown, not low. A model
// that names no assets, or states one need, is read as stated. Once per
// run (the run's memo), not once per store.
func needsUnstated(x *rule.Ctx) bool {
	return x.Memo(needsUnstatedKey{}, func() any {
		if len(x.Model.Assets) == 0 {
			return false
		}
		for _, a := range x.Model.Assets {
			if !a.Stated().Unstated() {
				return false
			}
		}
		return true
	}).(bool)
}

// needsUnstatedKey is needsUnstated's key in the run's memo.
type needsUnstatedKey struct{}
