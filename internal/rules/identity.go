package rules

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// identityRules are identity and access classes that reviewers raise on
// sign-in flows and links rather than on components (session 21 of issue 7,
// family21a): a sign-in secret that several people share, and a credential
// that travels in the link itself; and the chat user a bot takes a command
// from (family27).
var identityRules = []*rule.Rule{
	{
		ID:       "shared-sign-in-credential",
		SameLine: "shared-terminal-sign-in",
		Title:    "Several people sign in with one shared credential",
		Category: model.Spoofing,
		On:       rule.OnFlow,
		Doc: "People sign in on this flow with a password or PIN that is not theirs alone: the flow states the secret " +
			"shared (one PIN per site, one admin password in a team vault, one account for two partners), the terminal " +
			"the sign-in leaves from is used by people in turn, or a person types the secret at such a terminal in front " +
			"of others; or the model's words state the account shared on the people who sign in (\"engineers (shared portal " +
			"account)\") or on the credential the flow carries (\"shared practice SQL login\"), whatever the sign-in and " +
			"whoever runs the receiver (a vendor's portal too). A shared secret is told to newcomers, kept by people who have " +
			"left, observed over a shoulder and rarely changed, because changing it means telling everyone again. Whoever " +
			"learns it signs in as the whole group (spoofing), and where the sharing is stated nothing done with it can be " +
			"tied to a person (repudiation, a further threat; a terminal read as shared has it from shared-terminal-sign-in). " +
			"Where the shared login opens a database or store directly, whoever holds it reads and changes all the login " +
			"may, around the application's own roles (elevation of privilege, a further threat).",
		CWE:   []int{287, 521, 1390, 778},
		CAPEC: []int{21, 560},
		Also:  []model.Category{model.Repudiation, model.ElevationOfPrivilege},
		Mitigations: []string{
			"Give every person their own account and sign-in (badge plus PIN, a personal password with a second factor, single sign-on); retire site, team and partner accounts.",
			"Where a shared break-glass secret must exist, keep it in a vault that records who checked it out, rotate it after each use and whenever someone with access leaves.",
			"Record the person, not the account, on every consequential action; ask a second person to confirm overrides.",
		},
		References: []string{
			"https://pages.nist.gov/800-63-4/sp800-63b.html",
			"https://cwe.mitre.org/data/definitions/1390.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			r := f.To
			if r.OutOfScope {
				return
			}
			at, stated := sharedSignIn(f)
			if at == nil {
				return
			}
			// Read from a terminal, the sign-in must be a password (or not
			// stated) on a system of ours; stated in the model's words (the
			// flow, the people, the credential it carries), the account is
			// shared whatever signs it in, a vendor's portal included.
			if !stated && (r.ThirdParty || f.Authentication != model.AuthPassword && f.Authentication != model.AuthUnknown) {
				return
			}
			if stated && f.Authentication == model.AuthNone {
				return
			}
			if gap := x.Lacks(at, model.CtlSecureSessions); x.Reports(gap) {
				x.AlsoTarget(model.Target{Component: at})
				var cats []model.Category
				if stated {
					// A shared terminal's own threat reads repudiation
					// (shared-terminal-sign-in); a shared account stated
					// as such is answered for by no one.
					cats = append(cats, model.Repudiation)
				}
				if r.IsStore() {
					// One login straight into the store: whoever holds it
					// reads and changes everything the login may, around
					// the application's own roles.
					cats = append(cats, model.ElevationOfPrivilege)
				}
				x.Enables(cats...)
				x.Report(gap, "The password or PIN on "+flowName(f)+" is shared by several people; whoever learns it signs in as all of them, and nothing done with it is tied to a person", nil)
			}
		},
	},
	{
		ID:       "access-link-exposure",
		Title:    "The credential rides in the link itself",
		Category: model.InformationDisclosure,
		On:       rule.OnFlow,
		Doc: "What grants access travels in the URL: a pre-signed link that a client of ours fetches straight from " +
			"object storage, or an API key or token put in the query string. Whoever holds the link holds the access, " +
			"with no account and no second check: links are forwarded by email and chat, kept in browser history, " +
			"written to proxy, CDN and server logs, sent on in Referer headers and indexed from shared documents, and " +
			"they keep working until they expire — days, often, or never for a key.",
		CWE:   []int{598, 613, 200},
		CAPEC: []int{593, 60},
		Mitigations: []string{
			"Keep credentials out of URLs: send API keys and tokens in a header, and keep query strings out of logs.",
			"Give pre-signed and shared links minutes, not days, of life; bind them to the signed-in user (fetch through the API, which checks the user and then redirects to a short link) and make them revocable.",
			"Send a Referrer-Policy of no-referrer on pages that carry links, and keep links out of push and e-mail previews.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/598.html",
			"https://owasp.org/www-community/vulnerabilities/Information_exposure_through_query_strings_in_url",
			"https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html",
		},
		// Holding the link is all it takes: no account, no second check.
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			r := f.To
			if r.ThirdParty || r.OutOfScope || r.IsActor() || f.From.OutOfScope {
				return
			}
			at := linkStake(f)
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(r, model.CtlShortLivedTokens); x.Reports(gap) {
				if r.Kind == model.KindStorage {
					// Reviewers write "pre-signed links expose the
					// documents" on the bucket as often as on the read.
					x.AlsoTarget(model.Target{Component: r})
				}
				x.Report(gap, "Access on "+flowName(f)+" rides in the link; whoever gets the link (forwarded, logged, in a Referer) reaches "+ids(at, assetID), at)
			}
		},
	},
	{
		ID:       "chat-user-identity-trusted",
		Title:    "A chat bot acts for whoever the chat platform says wrote the message",
		Category: model.Spoofing,
		On:       rule.OnComponent,
		Doc: "A bot of ours takes messages, commands or button presses from people through a chat platform (Slack, Microsoft Teams, " +
			"Mattermost) and acts on them with its own access. Who wrote the message is the platform's word, and the bot maps it to " +
			"an account of ours by something the platform shows (a profile e-mail, a display name) that the user, a workspace admin " +
			"or another organisation in a shared channel can set; guests and members of shared or external channels can write where " +
			"the bot listens too. The platform's request signature proves the message came from the platform, not who wrote it: " +
			"unless the bot resolves each user by the platform's immutable ids and checks the user belongs to the organisation, " +
			"anyone who can post where it listens acts as an employee, with the bot's access. The threat names the services the bot " +
			"passes the commands to, which act on the identity it resolved.",
		CWE:   []int{290, 346},
		CAPEC: []int{151},
		Mitigations: []string{
			"Resolve each user by the chat platform's immutable user and workspace ids, not a profile e-mail or name, and map them to an account through the identity provider.",
			"Refuse guests and members of shared or external channels and workspaces, and check the mapping on every command rather than from a long-lived cache.",
			"For consequential commands, have the person confirm through a sign-in to the organisation's identity provider.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/290.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html",
			"https://owasp.org/www-project-application-security-verification-standard/",
		},
		Mentions: chatCommandTargets,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty || c.OutOfScope || c.Kind == model.KindLLM {
				return
			}
			var from *model.Component
			for _, f := range c.In {
				if chatPlatform(f.From) {
					from = f.From
					break
				}
			}
			if from == nil {
				return
			}
			if gap := x.Lacks(c, model.CtlAuthenticates); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" acts on messages from "+q(from.ID)+" as whoever the platform says wrote them; a guest, an external member of a shared channel or an edited profile passes as an employee", c.Assets())
			}
		},
	},
}

// chatWords name chat platforms that bots take commands from.
var chatWords = []string{"slack", "microsoft teams", "teams", "mattermost", "discord", "webex", "google chat", "rocket chat", "chat workspace", "chat platform"}

// chatPlatform reports whether c is a chat platform run by another
// organisation (its id, name or technology names one).
func chatPlatform(c *model.Component) bool {
	if !tpThirdParty(c) || c.Kind == model.KindPerson || c.Kind == model.KindClient {
		return false
	}
	s := c.ID + " " + c.Name + " " + c.Tech
	for _, w := range chatWords {
		if tpPhrase(s, w) {
			return true
		}
	}
	return false
}

// chatCommandTargets returns the processes of ours a chat bot passes its
// commands to, directly or through a queue: they act on the identity the
// bot resolved (chat-user-identity-trusted's Mentions).
func chatCommandTargets(t model.Target) []model.Target {
	c := t.Component
	if c == nil {
		return nil
	}
	var out []model.Target
	add := func(k *model.Component) {
		if k != c && k.IsProcess() && !k.ThirdParty && !k.OutOfScope && !slices.ContainsFunc(out, func(x model.Target) bool { return x.Component == k }) {
			out = append(out, model.Target{Component: k})
		}
	}
	for _, f := range c.Out {
		if f.To.Kind == model.KindQueue {
			for _, g := range f.To.Out {
				add(g.To)
			}
			continue
		}
		add(f.To)
	}
	return out
}

// sharedSignIn returns, for a flow on which people sign in, the terminal
// (or the receiver) whose people share the secret, and whether the model
// states the sharing in words: with a password, the sender is a terminal
// people use in turn or a person types it at such a terminal (not stated);
// or the flow, the person or client that signs in, or a credential the flow
// carries says the account, login or password is shared ("ARC engineer
// (shared portal account)", "Shared practice SQL login"). It returns nil
// otherwise.
func sharedSignIn(f *model.Flow) (*model.Component, bool) {
	s := f.From
	switch {
	case f.Authentication != model.AuthPassword:
		// How the flow signs in is not stated: only its own words
		// make the account a shared one.
	case s.Kind == model.KindPerson && (f.To.Kind == model.KindClient || f.To.Kind == model.KindDevice) && sharedTerminal(f.To):
		return f.To, false
	case (s.Kind == model.KindClient || s.Kind == model.KindDevice) && !s.ThirdParty && len(terminalRoles(s)) > 0 && sharedTerminal(s):
		return s, false
	}
	if !userSide(s) && s.Kind != model.KindExternal {
		return nil, false
	}
	if sharedSecretWords(f.Name) || sharedSecretWords(f.Description) {
		return f.To, true
	}
	if s.Kind == model.KindPerson && (sharedSecretWords(s.Name) || sharedSecretWords(s.Description)) {
		return f.To, true
	}
	for _, a := range f.Carries {
		if a.Kind == model.AssetCredential && (sharedSecretWords(a.Name) || sharedSecretWords(a.Description)) {
			return f.To, true
		}
	}
	return nil, false
}

// secretNouns are the words that name what people sign in with.
var secretNouns = []string{"account", "accounts", "login", "logins", "password", "passwords", "pin", "pins", "passcode", "credential", "credentials", "user", "username"}

// sharedSecretWords reports whether s states a sign-in secret shared:
// "shared" followed, within three words, by an account, login, password
// or PIN ("a shared farm PIN", "one shared SFTP account", "shared
// per-shift Windows login"); data "shared with" a partner is not.
func sharedSecretWords(s string) bool {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	})
	for i, w := range words {
		if w != "shared" {
			continue
		}
		for _, n := range words[i+1 : min(len(words), i+4)] {
			if slices.Contains(secretNouns, n) {
				return true
			}
		}
	}
	return false
}

// linkWords are words a flow uses when its credential rides in the URL.
var linkWords = []string{"query string", "in the url", "pre-signed", "presigned", "signed url", "signed link"}

// linkStake returns the sensitive data a credential in f's URL reads: a
// client of ours reading sensitive data straight from object storage with
// a signed request (a pre-signed link), or any flow whose name or
// description states the key or link in the URL.
func linkStake(f *model.Flow) []*model.Asset {
	var at []*model.Asset
	for _, a := range f.Returns {
		if a.Sensitive() && !secretsAsset(a) {
			at = append(at, a)
		}
	}
	if f.To.Kind == model.KindStorage && f.Authentication == model.AuthSignature && userSide(f.From) && f.From.Trust() < f.To.Trust() {
		return at
	}
	text := strings.ToLower(f.Name + " " + f.Description)
	for _, w := range linkWords {
		if strings.Contains(text, w) {
			if len(at) == 0 {
				at = append(at, f.Carries...)
			}
			return at
		}
	}
	return nil
}
