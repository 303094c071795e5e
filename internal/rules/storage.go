package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var storageRules = []*rule.Rule{
	{
		ID:            "storage-public-access-not-blocked",
		SensitiveOnly: true,
		Title:         "Cloud storage holding sensitive data does not block public access",
		Category:      model.InformationDisclosure,
		On:            rule.OnComponent,
		Doc: "A bucket or blob container holds sensitive data and nothing at the account or bucket level forbids public access. " +
			"One wrong ACL, policy or shared link makes every object readable by anyone, and exposed buckets are found by automated scanners within hours.",
		CWE:   []int{732, 552},
		CAPEC: []int{1, 150},
		Mitigations: []string{
			"Turn on the provider's public access block at account and bucket level (S3 Block Public Access, GCS public access prevention, Azure allowBlobPublicAccess=false).",
			"Detect policy drift with a cloud security posture tool and alert on public objects.",
		},
		References: []string{
			"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
			"https://cloud.google.com/storage/docs/public-access-prevention",
		},
		// The storage API is on the internet whichever components the
		// model draws calling it, and scanners find open buckets unaided.
		Exploitability: 2,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind != model.KindStorage || c.Public {
				return
			}
			at := sensitive(loggingHandled(c))
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlPublicAccessBlocked); x.Reports(gap) {
				x.Report(gap,
					"Storage "+q(c.ID)+" holds "+ids(at, assetID)+" and public access to it is not blocked", at)
			}
		},
	},
	{
		ID:       "public-storage-holds-sensitive-data",
		Title:    "Publicly readable storage holds sensitive data",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "Storage that is meant to be publicly readable (a website or download bucket) stores, or is written, sensitive data. " +
			"Anything placed there is readable by anyone who finds or guesses the object's address, so the data is disclosed as soon as it lands.",
		CWE:   []int{552, 200},
		CAPEC: []int{150},
		Mitigations: []string{
			"Keep sensitive objects in a separate private bucket and serve them through signed, short-lived URLs after an authorization check.",
			"Scan public buckets for sensitive content before and after publication.",
		},
		References: []string{
			"https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
			"https://owasp.org/Top10/A01_2021-Broken_Access_Control/",
		},
		Exploitability: 2,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !c.Public || !c.IsStore() {
				return
			}
			at := sensitive(loggingHandled(c))
			if len(at) == 0 {
				return
			}
			x.Report(model.Yes, "Public storage "+q(c.ID)+" holds "+ids(at, assetID), at)
		},
	},
	{
		ID:       "store-reachable-from-internet",
		SameLine: "storage-public-access-not-blocked",
		Title:    "Data store reachable directly from the internet",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "Callers on the internet talk to a database or storage service directly, with no application tier in between. " +
			"The store's own access rules are then the only protection for its data, and its network port, protocol and any misconfiguration are exposed to every attacker. " +
			"Altering what it holds is a further threat (tampering) where that needs high integrity (firmware, files others act on).",
		CWE:   []int{668, 284},
		CAPEC: []int{1},
		Mitigations: []string{
			"Put an application service in front of the store and keep the store on a private network.",
			"Where direct access is intended (uploads to a bucket), hand out short-lived signed URLs scoped to one object and one operation.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Database_Security_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Attack_Surface_Analysis_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			from := storageInternetCallers(c)
			if len(from) == 0 {
				return
			}
			if !integrityNeeded(c.Stores) && !unknownData(x.Model) {
				// Altering what it holds is a threat of its own where that
				// needs high integrity (firmware, files others act on), as
				// on a cleartext hop; photos and documents of medium
				// integrity are read, not altered, there (noise21).
				x.Enables()
			}
			x.Report(model.Yes, q(c.ID)+" accepts connections directly from "+ids(senders(from), compID)+" on the internet", nil)
		},
	},
	{
		ID:       "direct-upload-unrestricted",
		Title:    "Clients upload straight to object storage with no size, type or key limits",
		Category: model.DenialOfService,
		On:       rule.OnFlow,
		Doc: "Clients, people or devices outside our network write objects straight into a bucket of ours (pre-signed or signed upload URLs, SAS tokens, upload credentials), " +
			"so no service of ours sees the bytes before they land. Unless the signed policy bounds the object's size, content type and key, " +
			"one caller stores huge or endless objects (storage bills, and the processing the upload triggers: thumbnails, scans, OCR), " +
			"hosts unrelated or malicious content on our domain, or writes to a key that belongs to another user's record.",
		CWE:   []int{770, 434, 639},
		CAPEC: []int{130, 1},
		Mitigations: []string{
			"Issue upload URLs with a signed policy: a maximum content length, the allowed content types and one server-chosen key per upload, expiring in minutes (S3 POST policy conditions, GCS x-goog-content-length-range, SAS with a single blob).",
			"Quota uploads per user and per record, and alert on the bucket's growth and on the cost of the processing uploads trigger.",
			"Process an upload only after checking its real type and size; quarantine what fails and expire unclaimed uploads with a lifecycle rule.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html",
			"https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html",
			"https://owasp.org/API-Security/editions/2023/en/0xa4-unrestricted-resource-consumption/",
		},
		Receiver: true,
		Also:     []model.Category{model.Tampering},
		Check: func(x *rule.Ctx) {
			f := x.Target.Flow
			b := f.To
			if b.Kind != model.KindStorage || b.Public || b.ThirdParty || b.OutOfScope {
				return
			}
			if !f.From.IsActor() || f.From.Kind == model.KindExternal || f.From.Trust() >= b.Trust() || readOnly(f) {
				return
			}
			var up []*model.Asset
			for _, a := range f.Carries {
				if !secretsAsset(a) {
					up = append(up, a)
				}
			}
			if len(up) == 0 {
				return
			}
			if gap := x.Lacks(b, model.CtlValidatesInput); x.Reports(gap) {
				if storageWritesRaised(b) {
					// Tampering by the direct writers is the store's threat
					// already (store-reachable-from-internet,
					// high-integrity-store-direct-writes): one line.
					x.Enables()
				}
				x.Report(gap, flowName(f)+" uploads "+ids(up, assetID)+" straight into "+q(b.ID)+
					" with no stated limit on size, type or key", up, "clients write to the bucket directly")
			}
		},
	},
}

// storageInternetCallers returns the flows that reach data store or storage
// c directly from people, clients, devices and external systems on the
// internet, leaving out signed (pre-signed URL) access to object storage and
// public storage.
func storageInternetCallers(c *model.Component) []*model.Flow {
	if c.Kind != model.KindDatastore && c.Kind != model.KindStorage || c.Public || c.ThirdParty {
		return nil
	}
	var out []*model.Flow
	for _, f := range c.In {
		if f.From.Trust() != model.TrustInternet || !f.From.IsActor() {
			continue
		}
		if c.Kind == model.KindStorage && f.Authentication == model.AuthSignature {
			continue
		}
		if callerSideStore(c, f.From) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// callerSideOnly reports whether every flow of store c comes from or goes
// to a person, client or device beside it (callerSideStore): the store is
// theirs (a phone's, tablet's or kiosk's local database), not a server's
// misplaced in a zone of internet trust.
func callerSideOnly(c *model.Component) bool {
	n := 0
	for _, fs := range [2][]*model.Flow{c.In, c.Out} {
		for _, f := range fs {
			other := f.From
			if other == c {
				other = f.To
			}
			if !other.IsActor() || !callerSideStore(c, other) {
				return false
			}
			n++
		}
	}
	return n > 0
}

// callerSideStore reports whether store c, in a zone of internet trust,
// sits in the same zone as its caller from: a phone's, tablet's or kiosk's
// local database that the app beside it writes, not a store of ours that
// the internet reaches across a boundary (noise26).
func callerSideStore(c, from *model.Component) bool {
	return c.Boundary != nil && from.Boundary != nil && c.Trust() == model.TrustInternet &&
		rootZone(c.Boundary) == rootZone(from.Boundary)
}

// storagePublicAccessRaised reports whether storage-public-access-not-blocked
// raises a threat on c: object storage, not public by design, holding or
// handling sensitive data, with public access not stated blocked.
func storagePublicAccessRaised(c *model.Component) bool {
	return c.Kind == model.KindStorage && !c.Public && c.Controls.Get(model.CtlPublicAccessBlocked) != model.Yes &&
		len(sensitive(loggingHandled(c))) > 0
}

// storageWritesRaised reports whether another rule raises tampering on store
// c for what outside callers write to it directly: callers on the internet
// reach it without signed URLs, or it holds high-integrity data. Where the
// callers reach it and its data needs less than high integrity,
// store-reachable-from-internet names no tampering either: altering such
// content is no threat of its own there (noise21).
func storageWritesRaised(c *model.Component) bool {
	if len(storageInternetCallers(c)) > 0 {
		return true
	}
	for _, a := range c.Stores {
		if a.Need(model.Integrity) >= model.High {
			return true
		}
	}
	return false
}
