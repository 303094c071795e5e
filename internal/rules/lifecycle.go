package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// lifecycleRules are threats to data after it has left the application's
// own checks (family21b): links that grant whoever holds them a file.
var lifecycleRules = []*rule.Rule{
	{
		ID:       "capability-link-leak",
		Title:    "Links to stored files work for whoever holds them",
		Category: model.InformationDisclosure,
		On:       rule.OnFlow,
		Doc: "People's apps or browsers fetch sensitive files (reports, recordings, documents, photos) straight from object storage with a link the service hands out: a pre-signed or signed URL, an unguessable path, a share link. " +
			"The link is the whole credential. It is forwarded by e-mail or chat, kept in browser history, proxy and CDN logs, crash reports and push payloads, sent on in Referer headers, and indexed when pasted somewhere public; " +
			"until it expires, anyone who has a copy reads the file without signing in, and nothing records who did. " +
			"Links that live for days, or never expire, and that are not tied to the person they were issued to turn every leak of a URL into a leak of the file.",
		CWE:   []int{598, 613, 200},
		CAPEC: []int{593, 37},
		Mitigations: []string{
			"Issue links per request for one object, valid for minutes, and only after checking that the signed-in person may read it; never put them in e-mails or notifications that outlive that.",
			"Serve the most sensitive files through the application (a session-checked download that streams the object) so access is authorised and logged per person.",
			"Keep links out of logs and third parties: set Referrer-Policy, strip query strings from access and CDN logs, do not embed them in push payloads, and revoke (rotate the signing key or move the object) when one leaks.",
		},
		References: []string{
			"https://www.w3.org/2001/tag/doc/capability-urls/",
			"https://cwe.mitre.org/data/definitions/598.html",
			"https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html",
		},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			s := f.To
			if s.Kind != model.KindStorage || s.Public || s.ThirdParty || s.OutOfScope {
				return
			}
			// A person's app or browser on the internet or a partner's
			// network reads files from it without an identity the store
			// checks per person (a link signed by the service, or nothing
			// stated); staff tools inside are the store's access rules'.
			u := f.From
			if u.Kind != model.KindClient || u.ThirdParty || u.OutOfScope || u.Trust() > model.TrustPartner || u.Trust() >= s.Trust() {
				return
			}
			switch f.Authentication {
			case model.AuthUnknown, model.AuthNone, model.AuthSignature, model.AuthToken:
			default:
				return
			}
			at := sensitive(f.Returns)
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(s, model.CtlShortLivedTokens); x.Reports(gap) {
				x.Report(gap, flowName(f)+" fetches "+ids(at, assetID)+" straight from "+q(s.ID)+" by link; whoever gets a copy of the link reads the files until it expires", at)
			}
		},
	},
}
