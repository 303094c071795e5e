package rules

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var secretsRules = []*rule.Rule{
	{
		ID:       "integration-credentials-overreach",
		Title:    "A job's credentials for other systems read more than it needs",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "A background process (an ingestion or sync worker, an ETL job) signs in to other systems with credentials it holds (API tokens, service accounts, database logins) and pulls their data. " +
			"Such integration accounts are usually granted read-all (every space, drive, table or customer) because scoping them is work, and they are long-lived: " +
			"whoever compromises the job, its configuration or its host, or finds one of its tokens, reads everything those systems hold, as the integration.",
		CWE:   []int{250, 269, 522},
		CAPEC: []int{122, 560},
		Mitigations: []string{
			"Scope each integration credential to the spaces, tables or objects the job needs, read-only, and review the grants when the job changes.",
			"Prefer short-lived, federated credentials (workload identity, OAuth with narrow scopes) over static tokens; keep any static ones in a secrets manager with rotation.",
			"Log and alert on what the integration account reads (volume, unusual spaces) in the source systems.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
			"https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/",
			"https://cwe.mitre.org/data/definitions/250.html",
		},
		Exploitability: -1,
		Mentions:       credentialFlows,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || c.OutOfScope || c.ThirdParty || entryPointOf(x, c) {
				return // entry points get overprivileged-entry-point
			}
			sources, read := integrationReads(c)
			stated := false
			if len(sources) == 0 && c.Controls.Get(model.CtlLeastPrivilege) == model.No {
				stated = true
				// Stated to run with broader rights than it needs: the
				// stores it reaches are where its credentials act,
				// whether or not the model names them.
				sources, read = integrationReaches(c)
			}
			if len(sources) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlLeastPrivilege); x.Reports(gap) {
				if stated {
					x.Report(gap, q(c.ID)+" reaches "+ids(sources, compID)+" with broader rights than the job needs; its compromise reads or changes all of "+ids(read, assetID), read)
					return
				}
				x.Report(gap, q(c.ID)+" signs in to "+ids(sources, compID)+" with credentials it holds; if they read more than the job needs, its compromise reads all of "+ids(read, assetID), read)
			}
		},
	},
	{
		ID:       "critical-credentials-overreach",
		Title:    "A service holds credentials that control other systems",
		Category: model.ElevationOfPrivilege,
		On:       rule.OnComponent,
		Doc: "A service of ours presents or installs credentials of the highest value on other systems: service accounts with administrative rights over clusters and cloud accounts, " +
			"keys that open doors or move money, credentials it writes into the devices that enforce access. " +
			"Such credentials are usually as broad as the most powerful thing the service was ever asked to do (cluster-admin, every account, every door), " +
			"so whoever compromises the service, its host, its configuration or whatever may call it acts with all of that. " +
			"A key the service holds and names on no flow is taken to be the one it presents where it calls an outside system with an API key or password (a bank's payment key). " +
			"In a model that states no asset's sensitivity at all, whether a credential the service presents is of the highest value is unknown, not \"no\": " +
			"a credential of its own (one no flow brings to it) that it presents to an outside system is raised unverified.",
		CWE:   []int{250, 269, 522},
		CAPEC: []int{122, 560},
		Mitigations: []string{
			"Grant the service's identities only the operations it runs, per target (a role per action, namespaced, not cluster-admin); split the most dangerous actions into a separate service with its own approval.",
			"Issue short-lived credentials per run or per action (workload identity, a broker that mints them on demand) instead of holding standing ones.",
			"Record and alert on every use of the credentials in the target systems, tied to the person who asked for the action.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/250.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
			"https://owasp.org/API-Security/editions/2023/en/0xa5-broken-function-level-authorization/",
		},
		Exploitability: -1,
		Mentions:       credentialFlows,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !injectionCode(c) || c.OutOfScope || c.ThirdParty || entryPointOf(x, c) {
				return // entry points get overprivileged-entry-point
			}
			if sources, _ := integrationReads(c); len(sources) > 0 {
				return // integration-credentials-overreach raises it on c
			}
			var targets []*model.Component
			var creds []*model.Asset
			// In a model that states no asset's sensitivity, a credential
			// the service presents may be of the highest value: its need
			// is unknown, not the default (sparse25). Only its own
			// credentials count then, not what it passes on from others.
			unstated := needsUnstated(x)
			guessed := true // every credential counted is one whose need is unknown
			for _, f := range c.Out {
				if f.To.Kind == model.KindPerson || f.To.Kind == model.KindClient || f.To.IsStore() {
					continue // a store keeps the credentials: secrets rules
				}
				if f.To.IsProcess() && !f.To.OutOfScope && !f.To.ThirdParty {
					continue // handed down to code of ours, which acts with them
				}
				used := ofKind(f.Carries, model.AssetCredential)
				if len(used) == 0 && (f.Authentication == model.AuthAPIKey || f.Authentication == model.AuthPassword) {
					// A static key or password the job holds and sends on
					// no flow is what it presents on this call.
					used = secretsHeldKeys(c)
				}
				for _, a := range used {
					critical := a.Need(model.Confidentiality) >= model.Critical || a.Need(model.Integrity) >= model.Critical
					if !critical && (!unstated || secretsBrought(c, a)) {
						continue
					}
					guessed = guessed && !critical
					if !containsAsset(creds, a) {
						creds = append(creds, a)
					}
					if !containsComp(targets, f.To) {
						targets = append(targets, f.To)
					}
				}
			}
			if len(targets) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlLeastPrivilege); x.Reports(gap) {
				var why []string
				if guessed {
					gap = model.Unknown
					why = append(why, "the model states no need for "+ids(creds, assetID))
					x.AskNeeds(creds...)
				}
				x.Report(gap, q(c.ID)+" acts on "+ids(targets, compID)+" with "+ids(creds, assetID)+"; whoever compromises it has the same rights there", creds, why...)
			}
		},
	},
	{
		ID:       "unmanaged-secrets",
		ZoneWide: true,
		Title:    "Secrets not kept in a secrets manager",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "The component holds credentials or keys (its own API keys, database passwords, signing keys) without getting them " +
			"from a secrets manager. Secrets left in code, images, environment files or CI variables leak through repositories, " +
			"build logs and backups, are rarely rotated, and give whoever finds them the component's access.",
		CWE:   []int{798, 522, 260},
		CAPEC: []int{191, 560},
		Mitigations: []string{
			"Load secrets at run time from a secrets manager (Vault, AWS Secrets Manager, GCP Secret Manager, Azure Key Vault).",
			"Rotate secrets automatically and after every suspected exposure; prefer short-lived, workload-bound credentials (IAM roles, OIDC).",
			"Scan repositories and images for secrets in CI and block commits that contain them.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/798.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			switch c.Kind {
			case model.KindService, model.KindFunction, model.KindAgent:
			default:
				return
			}
			creds := secretsSystem(c.Assets())
			var keyFor []*model.Component
			for _, f := range c.Out {
				if f.Authentication == model.AuthAPIKey || f.Authentication == model.AuthPassword {
					keyFor = append(keyFor, f.To)
				}
			}
			if len(creds) == 0 && len(keyFor) == 0 {
				return
			}
			var held []string
			if len(creds) > 0 {
				held = append(held, ids(creds, assetID))
			}
			if len(keyFor) > 0 {
				held = append(held, "the static credentials for "+ids(distinct(keyFor), compID))
			}
			if gap := x.Lacks(c, model.CtlSecretsManaged); x.Reports(gap) {
				if len(creds) == 0 && secretsAllLongLived(c) {
					// Each key it holds is a static key for another
					// organisation, whose theft and replay
					// long-lived-credentials raises on the flow: one
					// spoofing threat per key, not a second on the holder.
					x.Enables()
				}
				x.Report(gap, q(c.ID)+" holds "+strings.Join(held, " and ")+" outside a secrets manager", creds)
			}
		},
	},
	{
		ID:             idCredsCleartext,
		SameLineShared: true,
		Family:         familyTransport,
		Title:          "Credentials travel without encryption",
		Category:       model.InformationDisclosure,
		On:             rule.OnFlow,
		Doc: "The flow carries credentials, either as data or as its own authentication (password, API key, session cookie, " +
			"bearer token), without transport encryption. Anyone who can observe the path captures them and replays them " +
			"to act as the sender, usually far beyond this one flow; where what travels with them needs high integrity, " +
			"the traffic can be altered too. " +
			"Credential records moved to or from the store that keeps them, between two of the organisation's own zones on a hop that sends no login " +
			"of its own, are asked while the hop's encryption is unknown, as other records there are.",
		CWE:   []int{523, 319},
		CAPEC: []int{102, 157},
		Mitigations: []string{
			"Encrypt the flow with TLS and refuse cleartext connections on the receiving side.",
			"Mark session cookies Secure and enable HSTS so browsers never send them over http.",
			"Prefer credentials that cannot be replayed: mutual TLS, signed requests, short-lived tokens bound to the client.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/523.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Transport_Layer_Security_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html",
		},
		Property:       model.Confidentiality,
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			if !transportOwns(x, idCredsCleartext) {
				return
			}
			creds := secretsCarried(f)
			var what []string
			if len(creds) > 0 {
				what = append(what, ids(creds, assetID))
			}
			if secretsBearerAuth(f.Authentication) {
				what = append(what, "its "+secretsAuthName(f.Authentication))
			}
			// Credential records moved between a service and the store
			// that keeps them (accounts, password hashes, tokens), on a hop
			// that sends no login of its own, are records like any other:
			// between two of the organisation's zones over a protocol with a
			// TLS mode, whether the hop is encrypted is asked, as for
			// sensitive-data-in-cleartext. A login sent (the flow's own
			// password, key or token, or a credential the store does not
			// keep) stays a threat.
			recs := len(creds) > 0 && !secretsBearerAuth(f.Authentication) && (secretsStoredAt(f.To, creds) || secretsStoredAt(f.From, creds))
			if gap := transportPlaintext(x, f); !transportAsks(x, f, gap) && !(recs && transportAsksPrivate(x, f, gap)) && x.Reports(gap) {
				// Captured credentials are replayed (spoofing); altering the
				// traffic is a threat of its own where what travels with
				// them needs high integrity.
				//
				// A service reading or writing a store's credential records
				// (accounts, tokens) on a hop that does not authenticate
				// with a secret of its own sends no credential anyone logs
				// in with on this flow: their theft is the disclosure, and
				// acting as their owners is the store's and the sign-in's
				// threat, not this hop's.
				records := (f.To.IsStore() || f.From.IsStore()) && !secretsBearerAuth(f.Authentication)
				switch integrity := integrityNeeded(secretsOthers(f.Carries)); {
				case records && !integrity:
					x.Enables()
				case records:
					x.Enables(model.Tampering)
				case !integrity:
					x.Enables(model.Spoofing)
				}
				x.Report(gap, q(f.From.ID)+" sends "+strings.Join(what, " and ")+" to "+q(f.To.ID)+" on "+q(f.ID)+" without encryption",
					creds, "credentials can be replayed once captured")
			}
		},
	},
	{
		ID:       "insecure-session-management",
		SameLine: "bearer-token-replay",
		Title:    "Session handling may allow hijacking",
		Category: model.Spoofing,
		On:       rule.OnComponent,
		Doc: "The component authenticates callers with sessions. Guessable or long-lived session ids, cookies without " +
			"Secure and HttpOnly, ids kept after login (fixation) or not revoked at logout let an attacker take over a " +
			"user's session without knowing the password. " +
			"Raised where sessions are held for people or clients outside the organisation's own zones (internet or partner, " +
			"directly or through components of ours in front of the service); where every session is held for people inside " +
			"(a staff console on the internal network), " +
			"whether sessions are handled securely is asked, and a stated gap (secure_sessions: no) is a threat.",
		CWE:   []int{384, 613, 614, 1004},
		CAPEC: []int{61, 593, 196},
		Mitigations: []string{
			"Generate session ids with a CSPRNG (at least 64 bits of entropy) and issue a new id at login and privilege change.",
			"Set cookies Secure, HttpOnly and SameSite; expire sessions after inactivity and absolutely; revoke them server-side at logout.",
			"Use the framework's session management rather than a custom one.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html",
			"https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/",
		},
		Property: model.Integrity,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() {
				return
			}
			var from []*model.Flow
			outside := false
			for _, f := range c.In {
				if f.Authentication == model.AuthSession {
					from = append(from, f)
					outside = outside || sessionFromOutside(f)
				}
			}
			if len(from) == 0 {
				return
			}
			gap := x.Lacks(c, model.CtlSecureSessions)
			if gap == model.Unknown && !outside {
				// Every session is held for people and clients inside the
				// organisation's own zones: whether they are handled
				// securely is a question, not a threat.
				x.Ask()
				return
			}
			if x.Reports(gap) {
				x.Report(gap, q(c.ID)+" keeps sessions for "+ids(senders(from), compID)+" that may be hijacked", nil)
			}
		},
	},
	{
		ID:       "secrets-in-client",
		Title:    "Secret shipped inside a client",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "A client application (browser code, mobile or desktop app) holds a secret or a static API key. " +
			"Everything shipped to a client can be extracted by decompiling it or watching its traffic, so the secret is " +
			"effectively public and anyone can use it with whatever it unlocks, including billing. " +
			"On a client that people inside the organisation use (a developer's laptop, an engineer's command-line tool), credentials of the highest value " +
			"(publish tokens, database grants) sit in configuration files, shell history and the clipboard, where malware, a dotfile backup or a lost laptop takes them.",
		CWE:   []int{798, 522},
		CAPEC: []int{191, 37},
		Mitigations: []string{
			"Keep the secret on a backend and let the client call the backend with the user's own credentials.",
			"If a key must be in the client, restrict it (allowed origins or app signatures, APIs, quotas) and treat it as public.",
			"Issue per-user, short-lived tokens instead of shared static keys.",
		},
		References: []string{
			"https://mas.owasp.org/MASVS/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/798.html",
		},
		Exploitability: 1,
		Mentions:       secretsKeyed,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindClient {
				return
			}
			sec := withData(c.Assets(), model.DataSecrets)
			var keyFor []*model.Component
			for _, f := range c.Out {
				if f.Authentication == model.AuthAPIKey {
					keyFor = append(keyFor, f.To)
				}
			}
			if len(sec) == 0 && len(keyFor) == 0 {
				secretsOnStaffMachine(x, c)
				return
			}
			// A static key is the app's, the same in every copy; a
			// secret the client exchanges with a backend over a flow on
			// which its user identifies themself is that user's own (their
			// session, their records). With only the user's own secrets
			// beside the key, what anyone can take from the app is the
			// key, worth what the keyed services give for it (keyedStake).
			var stake []*model.Asset
			if len(keyFor) > 0 && usersOwnSecrets(c, sec) {
				sec, stake = nil, keyedStake(c)
			}
			var held []string
			if len(sec) > 0 {
				held = append(held, ids(sec, assetID))
			}
			if len(keyFor) > 0 {
				held = append(held, "the API key for "+ids(distinct(keyFor), compID))
			}
			if sec != nil {
				stake = sec
			}
			x.Report(model.Yes, q(c.ID)+" ships "+strings.Join(held, " and ")+" to every user", stake,
				"anything inside a client can be extracted")
		},
	},
}

// secretsKeyed returns the services a client's static API key is for
// (its outgoing flows that authenticate with one): whoever extracts the
// key calls them as the app, so a reviewer writes the key's theft on the
// service as often as on the client (secrets-in-client's Mentions).
func secretsKeyed(t model.Target) []model.Target {
	if t.Component == nil {
		return nil
	}
	var out []model.Target
	for _, f := range t.Component.Out {
		if f.Authentication == model.AuthAPIKey && !slices.ContainsFunc(out, func(o model.Target) bool { return o.Component == f.To }) {
			out = append(out, model.Target{Component: f.To})
		}
	}
	return out
}

// usersOwnSecrets reports whether every secret in sec is exchanged between
// client c and a backend over a flow on which the user identifies themself
// (a password, session or token; not a static API key, which is the app's
// and the same for every user): what the client then holds is the
// signed-in user's own session or records, not a secret built into the app.
// With no secret in sec it is true.
func usersOwnSecrets(c *model.Component, sec []*model.Asset) bool {
	for _, a := range sec {
		if !slices.ContainsFunc(c.Out, func(f *model.Flow) bool {
			switch f.Authentication {
			case model.AuthUnknown, model.AuthNone, model.AuthAPIKey:
				return false
			}
			return slices.Contains(f.Carries, a) || slices.Contains(f.Returns, a)
		}) {
			return false
		}
	}
	return true
}

// keyedStake returns what the static API keys of client c put at stake:
// what the keyed services return to whoever presents the key, and what
// they take in from it when they are ours (forged input then enters our
// processing). What the client sends to a third party's service with the
// key is not reachable through the key: there the key is worth the
// service's quota and bill. The list is empty, not nil, when nothing is
// named, so that the client's own data does not stand in for it.
func keyedStake(c *model.Component) []*model.Asset {
	stake := []*model.Asset{}
	for _, f := range c.Out {
		if f.Authentication != model.AuthAPIKey {
			continue
		}
		stake = append(stake, f.Returns...)
		if !f.To.ThirdParty && f.To.Kind != model.KindExternal {
			stake = append(stake, f.Carries...)
		}
	}
	return stake
}

// secretsAssets returns the credential and secret assets among as.
func secretsAssets(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		if secretsAsset(a) {
			out = append(out, a)
		}
	}
	return out
}

// secretsAsset reports whether a is a credential or holds secrets.
func secretsAsset(a *model.Asset) bool {
	return a.Kind == model.AssetCredential || a.HasData(model.DataSecrets) || a.HasData(model.DataCredentials)
}

// secretsCarried returns the credential and secret assets a flow carries.
func secretsCarried(f *model.Flow) []*model.Asset { return secretsAssets(f.Carries) }

// secretsBearerAuth reports whether an authentication method sends a
// reusable secret with every request.
func secretsBearerAuth(a model.Auth) bool {
	switch a {
	case model.AuthPassword, model.AuthAPIKey, model.AuthSession, model.AuthToken:
		return true
	}
	return false
}

func secretsAuthName(a model.Auth) string {
	switch a {
	case model.AuthPassword:
		return "password"
	case model.AuthAPIKey:
		return "API key"
	case model.AuthSession:
		return "session cookie"
	case model.AuthSSHKey:
		return "SSH key"
	}
	return "bearer token"
}

// secretsSystem returns the system's own secrets among as (API keys, signing
// keys, service passwords): data marked secrets, or credential assets not
// marked as users' credentials, which are hashed or issued rather than kept
// in a secrets manager.
func secretsSystem(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		if a.HasData(model.DataSecrets) || a.Kind == model.AssetCredential && !a.HasData(model.DataCredentials) {
			out = append(out, a)
		}
	}
	return out
}

// secretsOthers returns the assets in as that are not credentials.
func secretsOthers(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		if len(secretsAssets([]*model.Asset{a})) == 0 {
			out = append(out, a)
		}
	}
	return out
}

// secretsAllLongLived reports whether every static credential c uses on its
// outgoing flows is one long-lived-credentials covers: an API key or
// password across a boundary to a third party (for an API billed per use,
// the key's theft is that API's spending threat and its rotation a question).
func secretsAllLongLived(c *model.Component) bool {
	for _, f := range c.Out {
		if f.Authentication != model.AuthAPIKey && f.Authentication != model.AuthPassword {
			continue
		}
		if !f.CrossesBoundary() || !tpThirdParty(f.To) && !tpThirdParty(f.From) {
			return false
		}
	}
	return true
}

// integrationReads returns, for a background process of ours, the systems
// it signs in to with credentials it holds (carried on the flow, or a
// credential asset it processes behind a password or key) and the
// confidential data it reads from them.
func integrationReads(c *model.Component) (sources []*model.Component, read []*model.Asset) {
	held := ofKind(c.Assets(), model.AssetCredential)
	for _, f := range c.Out {
		creds := ofKind(f.Carries, model.AssetCredential)
		if len(creds) == 0 && len(held) > 0 && staticCredential(f.Authentication) {
			// A password or key the job holds (a credential asset it
			// processes) signs it in, though the flow names none.
			creds = held
		}
		if len(creds) == 0 || f.To.Kind == model.KindPerson || f.To.Kind == model.KindClient {
			continue
		}
		as := f.Returns
		if len(as) == 0 && f.To.IsStore() {
			as = f.To.Stores
		}
		got := false
		for _, a := range as {
			if a.Kind == model.AssetData && (a.Need(model.Confidentiality) >= model.High) {
				got = true
				if !containsAsset(read, a) {
					read = append(read, a)
				}
			}
		}
		if got && !containsComp(sources, f.To) {
			sources = append(sources, f.To)
		}
	}
	return sources, read
}

// secretsHeldKeys returns the credentials c holds (stores or processes)
// that none of its outgoing flows names: the static keys and passwords it
// presents on calls whose flows say only how they authenticate.
func secretsHeldKeys(c *model.Component) []*model.Asset {
	var out []*model.Asset
	for _, a := range ofKind(c.Assets(), model.AssetCredential) {
		named := false
		for _, f := range c.Out {
			if containsAsset(f.Carries, a) {
				named = true
				break
			}
		}
		if !named {
			out = append(out, a)
		}
	}
	return out
}

// secretsOnStaffMachine is secrets-in-client on a client that people inside
// the organisation's network use (a developer's laptop, an engineer's CLI)
// holding credentials of the highest value (publish tokens, database
// grants): they sit in configuration files, shell history and the
// clipboard, where malware, a backup or a lost laptop takes them. Unless
// the client is stated to keep them managed (short-lived, in a keychain or
// a secrets manager), the disclosure is unverified.
func secretsOnStaffMachine(x *rule.Ctx, c *model.Component) {
	if c.ThirdParty || c.OutOfScope || !insiderUsedByStaff(c) {
		return
	}
	for _, f := range c.In {
		if f.From.Kind == model.KindPerson && f.Authentication != model.AuthUnknown && f.Authentication != model.AuthNone {
			// People sign in to it (a web application): what it holds
			// is their own session, not a standing credential.
			return
		}
	}
	var creds []*model.Asset
	for _, a := range ofKind(c.Assets(), model.AssetCredential) {
		if a.Need(model.Confidentiality) >= model.Critical {
			creds = append(creds, a)
		}
	}
	if len(creds) == 0 {
		return
	}
	if gap := x.Lacks(c, model.CtlSecretsManaged); x.Reports(gap) {
		x.Report(gap, ids(creds, assetID)+" on "+q(c.ID)+" sit on the machines people use; malware, a backup or a lost laptop takes them", creds,
			"people inside the network use the client")
	}
}

// sessionFromOutside reports whether session flow f carries sessions of
// people or clients outside the organisation's own zones: its sender is on
// the internet or a partner's network, or takes requests, directly or
// through other components of ours (a relay, a web front end), from there.
func sessionFromOutside(f *model.Flow) bool {
	seen := map[*model.Component]bool{}
	next := []*model.Component{f.From}
	for len(next) > 0 {
		c := next[0]
		next = next[1:]
		if seen[c] {
			continue
		}
		seen[c] = true
		if c.Trust() <= model.TrustPartner {
			return true
		}
		if !c.IsProcess() {
			continue
		}
		for _, g := range c.In {
			next = append(next, g.From)
		}
	}
	return false
}

// secretsStoredAt reports whether c is a store that keeps every one of
// creds: a hop to or from it moves credential records, not a login.
func secretsStoredAt(c *model.Component, creds []*model.Asset) bool {
	if !c.IsStore() {
		return false
	}
	for _, a := range creds {
		if !containsAsset(c.Stores, a) {
			return false
		}
	}
	return true
}

// credentialFlows returns the flows on which component t signs in to
// another system with a credential of its own: the flow carries a
// credential, or authenticates with a static key, password or token that
// is not the user's identity passed on. Reviewers write an over-broad
// grant on the component or on the call that uses it (a backup job's
// database login, a scheduler's organisation key); the threat names both
// (rule.Rule.Mentions).
func credentialFlows(t model.Target) []model.Target {
	c := t.Component
	if c == nil {
		return nil
	}
	var out []model.Target
	for _, f := range c.Out {
		if f.To.Kind == model.KindPerson || f.To.Kind == model.KindClient || f.ForwardsIdentity == model.Yes {
			continue
		}
		if len(ofKind(f.Carries, model.AssetCredential)) > 0 || staticCredential(f.Authentication) || f.Authentication == model.AuthToken {
			out = append(out, model.Target{Flow: f})
		}
	}
	return out
}

// secretsBrought reports whether a flow brings the asset to c: what c
// passes on from others (messages, logs, alerts that happen to name a
// token) is not a credential c holds for itself.
func secretsBrought(c *model.Component, a *model.Asset) bool {
	for _, f := range c.In {
		if containsAsset(f.Carries, a) {
			return true
		}
	}
	return false
}

// integrationReaches returns the stores job c reads or writes and the
// sensitive data they hold or its flows there exchange: where a job
// stated over-privileged acts with its credentials.
func integrationReaches(c *model.Component) (sources []*model.Component, read []*model.Asset) {
	for _, f := range c.Out {
		if !f.To.IsStore() || f.To.OutOfScope {
			continue
		}
		as := append(append(append([]*model.Asset{}, f.Carries...), f.Returns...), f.To.Stores...)
		got := false
		for _, a := range sensitive(as) {
			if a.Kind == model.AssetCredential {
				continue
			}
			got = true
			if !containsAsset(read, a) {
				read = append(read, a)
			}
		}
		if got && !containsComp(sources, f.To) {
			sources = append(sources, f.To)
		}
	}
	return sources, read
}
