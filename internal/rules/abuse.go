package rules

import (
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

const abuseOAT = "https://owasp.org/www-project-automated-threats-to-web-applications/"

var abuseRules = []*rule.Rule{
	{
		ID:             "credential-stuffing",
		SameLineShared: true,
		Title:          "Login reachable from the internet without bot protection",
		Category:       model.Spoofing,
		On:             rule.OnComponent,
		Doc: "A component accepts passwords or other credentials straight from the internet and nothing detects automated login attempts. " +
			"Attackers replay username and password pairs leaked from other sites (credential stuffing, OAT-008) or guess passwords (OAT-007) at scale and take over the accounts of users who reuse passwords.",
		CWE:   []int{307, 1216},
		CAPEC: []int{600, 49},
		Mitigations: []string{
			"Detect and throttle automated logins: bot detection, per-account and per-IP velocity checks, CAPTCHA after failures.",
			"Offer or require multi-factor authentication and check new passwords against breached-password lists.",
			"Alert on spikes of failed logins and on logins from new devices.",
		},
		References: []string{
			abuseOAT,
			"https://owasp.org/www-community/attacks/Credential_stuffing",
			"https://cheatsheetseries.owasp.org/cheatsheets/Credential_Stuffing_Prevention_Cheat_Sheet.html",
		},
		Exploitability: 1,
		Property:       model.Integrity,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty {
				return
			}
			var from []*model.Flow
			var creds []*model.Asset
			for _, f := range abuseFromInternetActors(c) {
				cr := append(withData(f.Carries, model.DataCredentials), ofKind(f.Carries, model.AssetCredential)...)
				if f.Authentication == model.AuthPassword || len(cr) > 0 {
					from = append(from, f)
					creds = append(creds, cr...)
				}
			}
			if len(from) == 0 {
				return
			}
			at := distinct(append(creds, sensitive(c.Assets())...))
			if gap := x.Lacks(c, model.CtlBotProtection); x.Reports(gap) {
				// The sign-in flows are where the guesses arrive: the
				// threat names them with the component that checks them.
				for _, f := range from {
					x.AlsoTarget(model.Target{Flow: f})
				}
				signInClients(x, c)
				x.Report(gap,
					q(c.ID)+" accepts credentials from "+ids(senders(from), compID)+" on the internet without bot protection (credential stuffing)", abuseOrNil(at))
			}
		},
	},
	{
		ID:       "carding",
		Title:    "Payment card handling reachable from the internet without bot protection",
		Category: model.Spoofing,
		On:       rule.OnComponent,
		Doc: "A component that takes payment card data from the internet does not detect automated use. " +
			"Fraudsters use it to test stolen card numbers (carding, OAT-001) or to guess missing expiry dates and codes (card cracking, OAT-010); the business pays in chargebacks, fees and possibly its standing with the card schemes.",
		CWE:   []int{799},
		CAPEC: []int{112, 212},
		Mitigations: []string{
			"Detect and throttle automated payment attempts: bot detection, velocity checks per card, account, device and IP.",
			"Require authentication or 3-D Secure before authorising, and alert on bursts of declined payments.",
		},
		References: []string{
			abuseOAT,
			"https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/",
		},
		Exploitability: 1,
		Property:       model.Integrity,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			cards, from := abuseCards(c)
			if len(cards) == 0 {
				return
			}
			at := distinct(append(cards, ofKind(c.Assets(), model.AssetMoney)...))
			if gap := x.Lacks(c, model.CtlBotProtection); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" takes "+ids(cards, assetID)+" from "+ids(from, compID)+" on the internet without bot protection (carding)", at)
			}
		},
	},
	{
		ID:       "scraping",
		Title:    "Sensitive data served to the internet without anti-scraping controls",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "A component returns sensitive or valuable data to internet callers and neither rate-limits them nor detects automation. " +
			"Scrapers (OAT-011) harvest the data in bulk through ordinary requests, one record after another, which turns small per-request exposure into a full copy of the data set. " +
			"What the component pushes to someone who never calls it (an alert to a tablet) is not harvested that way.",
		CWE:   []int{799, 200},
		CAPEC: []int{116},
		Mitigations: []string{
			"Rate-limit per account and per IP, and cap page sizes and result counts.",
			"Detect automation (bot management, behavioural signals) and avoid sequential, guessable identifiers.",
			"Return only the fields each caller needs.",
		},
		References: []string{
			abuseOAT,
			"https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/",
		},
		// Automated at scale by bots (OAT-011): easy once reachable.
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			// Staff reading data through an admin tool is not scraping.
			if !c.IsProcess() || c.Public || c.ThirdParty || c.Admin {
				return
			}
			var from []*model.Component
			var at []*model.Asset
			for _, f := range abuseFromInternetActors(c) {
				// What comes back matters: the stated response, else what
				// the request carries (a form posted is not served back
				// when returns says so).
				back := f.Carries
				if f.Returns != nil {
					back = f.Returns
				}
				if s := abuseScrapable(back); !f.OneWay && len(s) > 0 {
					from, at = append(from, f.From), append(at, s...)
				}
			}
			for _, f := range c.Out {
				// What is pushed to an actor that never calls c (a
				// notification to a tablet) is not harvested request by
				// request: only one that asks can scrape.
				if f.To.IsActor() && f.To.Trust() == model.TrustInternet && !f.To.ThirdParty && calls(f.To, c) {
					if s := abuseScrapable(f.Carries); len(s) > 0 {
						from, at = append(from, f.To), append(at, s...)
					}
				}
			}
			if len(at) == 0 {
				return
			}
			at = distinct(at)
			if gap := x.Lacks(c, model.CtlBotProtection, model.CtlRateLimits); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" serves "+ids(at, assetID)+" to "+ids(distinct(from), compID)+" on the internet with no rate limits or bot protection (scraping)", at)
			}
		},
	},
	{
		ID:       "fake-account-creation",
		Title:    "Sign-up reachable from the internet without bot protection",
		Category: model.Spoofing,
		On:       rule.OnComponent,
		Doc: "A component that lets anyone on the internet create accounts does not detect automated sign-ups. " +
			"Bots create accounts in bulk (OAT-019) to abuse free tiers, trials and referral bonuses, to send spam, or to stage fraud and later attacks from accounts that look legitimate.",
		CWE:   []int{799},
		CAPEC: []int{212},
		Mitigations: []string{
			"Detect and throttle automated sign-ups: bot detection, CAPTCHA, velocity checks per IP, device and email domain.",
			"Verify email or phone before granting anything of value; delay bonuses and free credits.",
		},
		References: []string{
			abuseOAT,
			"https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/",
		},
		Property: model.Integrity,
		// Automated at scale by bots (OAT-019): easy once reachable.
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty || !abuseSignup(c) {
				return
			}
			from := senders(abuseFromInternetActors(c))
			if len(from) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlBotProtection); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" lets "+ids(from, compID)+" on the internet create accounts without bot protection (fake account creation)", nil)
			}
		},
	},
	{
		ID:       "business-flow-abuse",
		Title:    "Money-moving business flow open to automated abuse",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "A component that moves money (purchases, payouts, refunds, credits, vouchers) serves internet callers and nothing detects automated use of the flow. " +
			"Bots exploit the business logic at machine speed: cashing out stolen accounts (OAT-012), hoarding limited stock (OAT-005, OAT-021) or farming promotions, each request looking legitimate on its own.",
		CWE:   []int{799, 837},
		CAPEC: []int{212},
		Mitigations: []string{
			"Add velocity checks and limits per account, device and payment instrument on money-moving actions.",
			"Detect automation and hold or review unusual transactions before money leaves.",
		},
		References: []string{
			abuseOAT,
			"https://owasp.org/API-Security/editions/2023/en/0xa6-unrestricted-access-to-sensitive-business-flows/",
		},
		// Automated at scale by bots (OAT-005, OAT-012, OAT-021).
		Exploitability: 1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.IsProcess() || c.ThirdParty || c.Admin {
				return
			}
			if cards, _ := abuseCards(c); len(cards) > 0 {
				return // carding covers card-handling components
			}
			money := ofKind(loggingHandled(c), model.AssetMoney)
			from := senders(abuseFromInternetActors(c))
			if len(money) == 0 || len(from) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlBotProtection); x.Reports(gap) {
				x.Report(gap,
					q(c.ID)+" moves "+ids(money, assetID)+" for "+ids(from, compID)+" on the internet without detecting automated abuse", money)
			}
		},
	},
}

// abuseFromInternetActors returns the flows into c from people, clients and
// devices on the internet (not third-party systems).
func abuseFromInternetActors(c *model.Component) []*model.Flow {
	var out []*model.Flow
	for _, f := range c.In {
		if f.From.IsActor() && f.From.Trust() == model.TrustInternet && !f.From.ThirdParty && f.From.Kind != model.KindExternal {
			out = append(out, f)
		}
	}
	return out
}

// abuseCards returns the payment card assets c takes from internet actors,
// and who sends them.
func abuseCards(c *model.Component) ([]*model.Asset, []*model.Component) {
	if !c.IsProcess() || c.ThirdParty {
		return nil, nil
	}
	var cards []*model.Asset
	var from []*model.Component
	in := abuseFromInternetActors(c)
	for _, f := range in {
		if cs := withData(f.Carries, model.DataPaymentCard); len(cs) > 0 {
			cards, from = append(cards, cs...), append(from, f.From)
		}
	}
	if len(cards) == 0 && len(in) > 0 {
		if cards = withData(c.Assets(), model.DataPaymentCard); len(cards) > 0 {
			from = senders(in)
		}
	}
	return distinct(cards), distinct(from)
}

// calls reports whether from has a flow to c.
func calls(from, c *model.Component) bool {
	for _, f := range from.Out {
		if f.To == c {
			return true
		}
	}
	return false
}

// abuseScrapable returns the sensitive assets worth harvesting in bulk
// (not credentials or secrets, which scraping does not target).
func abuseScrapable(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range sensitive(as) {
		if a.Kind == model.AssetCredential {
			continue
		}
		other := len(a.Data) == 0
		for _, d := range a.Data {
			if d != model.DataCredentials && d != model.DataSecrets {
				other = true
			}
		}
		if other {
			out = append(out, a)
		}
	}
	return out
}

// abuseSignupWords mark a component that creates accounts.
var abuseSignupWords = map[string]bool{"signup": true, "sign-up": true, "register": true, "registration": true, "onboarding": true, "enrollment": true, "enrolment": true}

func abuseSignup(c *model.Component) bool {
	for _, t := range c.Tags {
		if abuseSignupWords[strings.ToLower(t)] {
			return true
		}
	}
	for _, s := range []string{c.ID, c.Name} {
		s = strings.ReplaceAll(strings.ToLower(s), "sign-up", "signup")
		s = strings.ReplaceAll(s, "sign up", "signup")
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
			if abuseSignupWords[w] {
				return true
			}
		}
	}
	return false
}

func abuseOrNil(as []*model.Asset) []*model.Asset {
	if len(as) == 0 {
		return nil
	}
	return as
}

// signInClients names, as further targets of an account-takeover threat on
// c, the clients of ours people sign in to c through from outside our
// network: a taken-over account is used through the same app or console,
// and reviewers write the takeover on it.
func signInClients(x *rule.Ctx, c *model.Component) {
	for _, f := range c.In {
		if u := f.From; u.Kind == model.KindClient && !u.ThirdParty && !u.OutOfScope && u.Trust() < model.TrustInternal {
			x.AlsoTarget(model.Target{Component: u})
		}
	}
}
