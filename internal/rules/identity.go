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
// that travels in the link itself.
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
