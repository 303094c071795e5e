package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

var dataRules = []*rule.Rule{
	{
		ID:            "sensitive-store-unencrypted",
		SensitiveOnly: true,
		Title:         "Sensitive data stored without encryption at rest",
		Category:      model.InformationDisclosure,
		On:            rule.OnComponent,
		ZoneWide:      true,
		SameLine:      "privileged-store-access",
		Doc: "The component keeps confidential or regulated data without encrypting it at rest. " +
			"Stolen disks, snapshots, backups, replicas, exported volumes and decommissioned hardware then expose the data directly, " +
			"and most regulations and customer contracts require encryption at rest. " +
			"On object storage whose public access is not known to be blocked, storage-public-access-not-blocked states the " +
			"disclosure of its content, and encryption at rest is asked as a question until it is stated.",
		CWE:   []int{311, 312},
		CAPEC: []int{116, 37},
		Mitigations: []string{
			"Turn on encryption at rest (managed-service or volume encryption with KMS keys) and record encryption_at_rest.",
			"Encrypt the most sensitive fields in the application, or tokenize them, so that database access alone does not reveal them.",
			"Restrict and audit use of the encryption keys.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Cryptographic_Storage_Cheat_Sheet.html",
			"https://owasp.org/Top10/A02_2021-Cryptographic_Failures/",
			"https://csrc.nist.gov/pubs/sp/800/111/final",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind == model.KindPerson {
				return
			}
			s := sensitive(c.Stores)
			if len(s) == 0 {
				return
			}
			gap := x.Lacks(c, model.CtlEncryptsAtRest)
			if gap == model.Unknown && storagePublicAccessRaised(c) {
				// Object storage whose public access is not known to be
				// blocked: its content read by the wrong people is that
				// threat; encryption at rest is asked, not raised again.
				x.Ask()
				return
			}
			if c.Inferred&model.InferredStores != 0 && (c.Kind == model.KindClient || c.Kind == model.KindDevice) {
				// What a device or app keeps was read from its flows
				// (model.InferHeld), and reading it takes the device
				// in hand: harder than a copied disk or snapshot.
				x.Ease(-1)
			}
			if x.Reports(gap) {
				x.Report(gap, q(c.ID)+" stores "+ids(s, assetID)+" without encryption at rest", s)
			}
		},
	},
	{
		ID:       "regulated-data-disk-encryption-only",
		Title:    "Regulated data protected only by disk encryption",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "Card numbers, health records or stored secrets (API keys, private keys) are protected only by volume or managed-service encryption. " +
			"That defends against stolen media but not against anyone who reaches the data through the service itself: " +
			"SQL injection, a leaked database password, an over-broad IAM role or a readable backup all see plaintext. " +
			"PCI DSS expects stored card numbers to be rendered unreadable, and secrets belong in a vault or under envelope encryption.",
		CWE:   []int{311, 312, 256},
		CAPEC: []int{66, 116},
		Mitigations: []string{
			"Tokenize card numbers (or keep them with the payment provider) and store only tokens.",
			"Encrypt health records and other regulated fields in the application with keys held in a KMS or HSM, not next to the data.",
			"Move stored secrets to a secrets manager, or encrypt them with envelope encryption. Record encryption_at_rest: application or tokenized when done.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Cryptographic_Storage_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html",
			"https://www.pcisecuritystandards.org/document_library/",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind == model.KindPerson || c.EncryptionAtRest != model.AtRestDisk {
				return
			}
			var reg []*model.Asset
			for _, a := range c.Stores {
				if a.MustNotStore {
					continue // must-not-store-data-stored reports it
				}
				// Passwords and session tokens (data: credentials) are hashed rather
				// than encrypted, which the model cannot state: they are left out.
				if a.HasData(model.DataPaymentCard) || a.HasData(model.DataPHI) || a.HasData(model.DataSecrets) {
					reg = append(reg, a)
				}
			}
			if len(reg) == 0 {
				return
			}
			x.Report(model.Yes, q(c.ID)+" protects "+ids(reg, assetID)+" with disk encryption only", reg,
				"disk encryption is transparent to anyone who can query the store")
		},
	},
	{
		ID:       "must-not-store-data-stored",
		Title:    "Data that must not be stored is stored",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "The component stores data the model marks as never to be stored, such as card security codes after " +
			"authorisation or plaintext passwords. No protection makes keeping it acceptable: it turns every breach, backup " +
			"and log of the store into a disclosure of data that should not exist, and it breaks PCI DSS outright for card codes.",
		CWE:   []int{312, 256},
		CAPEC: []int{116, 37},
		Mitigations: []string{
			"Stop persisting the data: use it in memory for the transaction and discard it.",
			"Purge existing copies, including backups, replicas, caches and logs.",
			"Store a derived value instead where one is needed (a password hash, a token from the payment provider).",
		},
		References: []string{
			"https://www.pcisecuritystandards.org/document_library/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/312.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind == model.KindPerson {
				return
			}
			var bad []*model.Asset
			for _, a := range c.Stores {
				if a.MustNotStore {
					bad = append(bad, a)
				}
			}
			if len(bad) == 0 {
				return
			}
			x.Report(model.Yes, q(c.ID)+" stores "+ids(bad, assetID)+", which must never be stored", bad)
		},
	},
	{
		ID:       "store-without-backups",
		ZoneWide: true,
		SameLine: "single-point-of-failure",
		Title:    "Important data store without tested backups",
		Category: model.DenialOfService,
		On:       rule.OnComponent,
		Doc: "The store holds data the business needs available and correct, and nothing says it is backed up with restores " +
			"tested. Ransomware, a destructive bug, a bad migration, deliberate tampering or a deleted account then lose the data " +
			"for good; replicas copy the damage and do not count as backups. " +
			"A store in a partner's or the internet zone (a vendor's warehouse or log service, a CDN's cache, a store on a person's phone) " +
			"is backed up by whoever runs that platform: while its backups are unknown the question is asked, and a stated gap is raised.",
		CWE:   []int{693},
		CAPEC: []int{607},
		Mitigations: []string{
			"Back the store up automatically (point-in-time recovery where available) to a separate account or region.",
			"Make backups immutable for their retention period (object lock, vault lock) so an attacker with production access cannot delete them.",
			"Test restores regularly against a recovery point and time objective.",
		},
		References: []string{
			"https://doi.org/10.6028/NIST.SP.800-34r1",
			"https://cheatsheetseries.owasp.org/cheatsheets/Database_Security_Cheat_Sheet.html",
		},
		Property: model.Availability,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.Kind == model.KindDevice {
				deviceWithoutBackups(x, c)
				return
			}
			if !dataPersistent(c) {
				return
			}
			var need []*model.Asset
			for _, a := range c.Stores {
				if dataNeedsBackup(a) {
					need = append(need, a)
				}
			}
			unstated := false
			if len(need) == 0 && len(c.Stores) > 0 && c.Controls.Get(model.CtlBackups) == model.No && needsUnstated(x) {
				// The model states the store has no backups but no
				// asset's sensitivity: whether what it holds needs them
				// is unknown, not "no". The stated gap is the author's
				// reason to name it; the threat is unverified until the
				// needs are stated.
				need, unstated = c.Stores, true
			}
			if len(need) == 0 {
				return
			}
			gap := x.Lacks(c, model.CtlBackups)
			if unstated {
				x.AskNeeds(need...)
				x.Report(model.Unknown, q(c.ID)+" holds "+ids(need, assetID)+" without backups", need,
					"the model states no availability or integrity need for "+ids(need, assetID))
				return
			}
			if t := c.Trust(); gap == model.Unknown && (t == model.TrustInternet || t == model.TrustPartner) {
				// A store in a partner's or the internet zone (a vendor's
				// warehouse or log service, a CDN's cache, a store on a
				// person's phone) is backed up, or not, by whoever runs that
				// platform: the question is asked, and a stated gap raised.
				x.Ask()
				return
			}
			if x.Reports(gap) {
				x.Report(gap, q(c.ID)+" holds "+ids(need, assetID)+" without tested backups", need)
			}
		},
	},
	{
		ID:            "unencrypted-backups",
		SensitiveOnly: true,
		SameLine:      "regulated-data-disk-encryption-only",
		Title:         "Backups of sensitive data are not encrypted",
		Category:      model.InformationDisclosure,
		On:            rule.OnComponent,
		Doc: "Backups of a store holding sensitive data are not encrypted or not restricted to the restore role. " +
			"Backups live longer, travel further and are watched less than the live store, so an exposed backup bucket or " +
			"stolen tape leaks the whole data set at once. " +
			"Raised once the store is known to be encrypted at rest (until then sensitive-store-unencrypted covers its copies), " +
			"or when the backups are stated unencrypted.",
		CWE:   []int{530, 311},
		CAPEC: []int{150, 116},
		Mitigations: []string{
			"Encrypt backups with keys separate from the production keys and keep them in another account.",
			"Let only the backup and restore roles read backups, and alert on any other access.",
			"Expire backups on a retention schedule so old copies of deleted data do not linger.",
		},
		References: []string{
			"https://cwe.mitre.org/data/definitions/530.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Cryptographic_Storage_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !dataPersistent(c) || c.Controls.Get(model.CtlBackups) == model.No {
				return
			}
			if c.EncryptionAtRest == model.AtRestApplication || c.EncryptionAtRest == model.AtRestTokenized {
				return // what is backed up is already ciphertext or tokens
			}
			s := sensitive(c.Stores)
			if len(s) == 0 {
				return
			}
			// While encryption at rest is not known to be on, the
			// sensitive-store-unencrypted threat covers the copies too
			// (snapshots, backups): a reviewer writes one threat. The
			// backups are their own threat once the store is known to be
			// encrypted, or their encryption is stated absent.
			if c.Controls.Get(model.CtlEncryptedBackups) == model.Unknown && c.Controls.Get(model.CtlEncryptsAtRest) != model.Yes {
				return
			}
			if gap := x.Lacks(c, model.CtlEncryptedBackups); x.Reports(gap) {
				x.Report(gap, "Backups of "+q(c.ID)+" holding "+ids(s, assetID)+" are not encrypted", s)
			}
		},
	},
	{
		ID:            "sensitive-store-broad-access",
		SensitiveOnly: true,
		SameLine:      "sensitive-store-unencrypted,unencrypted-backups",
		Title:         "Many components can read a sensitive store",
		Category:      model.InformationDisclosure,
		On:            rule.OnComponent,
		Doc: "A store of sensitive data is read by many components, or its grants are known to be broader than needed. " +
			"Every reader is a path to the whole data set: compromising any one of them, or a bug in any one, discloses it, " +
			"and shared access makes it hard to tell who read what. Where what it holds needs high integrity, broad grants let any of them " +
			"alter it too (tampering, a further threat).",
		CWE:   []int{732, 284},
		CAPEC: []int{122},
		Mitigations: []string{
			"Give each reader its own database identity with grants limited to the tables, columns or prefixes it needs.",
			"Put a service in front of the data so other components ask it for what they need rather than reading the store.",
			"Review who can access the store regularly and remove unused grants.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Database_Security_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/732.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !dataPersistent(c) {
				return
			}
			s := sensitive(c.Stores)
			if len(s) == 0 {
				return
			}
			readers := dataReaders(c)
			var gap model.Tri
			switch {
			case len(readers) > 3:
				gap = x.Lacks(c, model.CtlLeastPrivilege, model.CtlAccessReviewed)
			case len(readers) >= 2 && c.Controls.Get(model.CtlLeastPrivilege) == model.No:
				gap = model.Yes
			default:
				return
			}
			if x.Reports(gap) {
				if !integrityNeeded(c.Stores) {
					// Broad grants alter records too, a threat of its own
					// where they need high integrity (noise21).
					x.Enables()
				}
				x.Report(gap, q(c.ID)+" holding "+ids(s, assetID)+" is readable by "+ids(readers, compID)+" with broad grants", s,
					"several components can read the store")
			}
		},
	},
	{
		ID:       "high-integrity-store-direct-writes",
		SameLine: "shared-store-tampering",
		Title:    "High-integrity store written directly by outside actors",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "A store whose data must stay correct is written directly by people, clients, devices or external systems, " +
			"with no service of the team's in between to check what is written. Forged, malformed or malicious content " +
			"(wrong amounts, other users' records, malware uploads) then lands in data the rest of the system trusts.",
		CWE:   []int{20, 345},
		CAPEC: []int{153},
		Mitigations: []string{
			"Route writes through a service that validates and authorizes them, or enforce schema and ownership rules in the store itself.",
			"Quarantine direct uploads until they have been validated and scanned.",
			"Keep versions or an append-only history so tampered data can be detected and restored.",
		},
		References: []string{
			"https://owasp.org/Top10/A08_2021-Software_and_Data_Integrity_Failures/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Input_Validation_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html",
		},
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if !dataPersistent(c) || c.Public {
				return
			}
			var need []*model.Asset
			for _, a := range c.Stores {
				if a.Need(model.Integrity) >= model.High {
					need = append(need, a)
				}
			}
			var direct []*model.Flow
			for _, f := range c.In {
				if f.From.IsActor() && !readOnly(f) {
					direct = append(direct, f)
				}
			}
			if len(need) == 0 || len(direct) == 0 {
				return
			}
			if gap := x.Lacks(c, model.CtlValidatesInput); x.Reports(gap) {
				x.Report(gap, q(c.ID)+" holding "+ids(need, assetID)+" is written directly by "+ids(senders(direct), compID)+
					" without validation", need, "outside actors write to the store directly")
			}
		},
	},
}

// dataPersistent reports whether c is a durable store (a datastore or
// storage, not a queue).
func dataPersistent(c *model.Component) bool {
	return c.Kind == model.KindDatastore || c.Kind == model.KindStorage
}

// dataReaders returns the distinct components that can read store c: callers
// of request/response flows into it and receivers of flows out of it.
func dataReaders(c *model.Component) []*model.Component {
	seen := map[*model.Component]bool{}
	var out []*model.Component
	add := func(r *model.Component) {
		if r != c && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, f := range c.In {
		if !f.OneWay {
			add(f.From)
		}
	}
	for _, f := range c.Out {
		add(f.To)
	}
	return out
}

// dataNeedsBackup reports whether losing the asset would hurt: its stated
// availability or integrity need is high, or, when neither is stated, its
// classification implies it. Credentials (sessions, keys) are reissued rather
// than restored, so they count only when a need is stated.
func dataNeedsBackup(a *model.Asset) bool {
	if a.Availability != model.LevelUnset || a.Integrity != model.LevelUnset {
		return a.Availability >= model.High || a.Integrity >= model.High
	}
	if a.Kind == model.AssetCredential {
		return false
	}
	return a.Need(model.Availability) >= model.High || a.Need(model.Integrity) >= model.High
}

// readOnly reports whether the flow only reads: it states what its response
// returns and carries nothing in (a download by signed URL, a query of a
// replica). A flow that states neither may write.
func readOnly(f *model.Flow) bool {
	return len(f.Carries) == 0 && len(f.Returns) > 0
}

// deviceWithoutBackups is store-without-backups on a device of ours that
// runs configuration or programs (infrastructure assets) whose loss stops
// or corrupts what it controls: a controller, PLC or field device that is
// wiped, fails or is reflashed must be restored from a known-good copy.
func deviceWithoutBackups(x *rule.Ctx, c *model.Component) {
	if c.ThirdParty || c.OutOfScope {
		return
	}
	var need []*model.Asset
	for _, a := range c.Assets() {
		if a.Kind == model.AssetInfrastructure && dataNeedsBackup(a) && !containsAsset(need, a) {
			need = append(need, a)
		}
	}
	if len(need) == 0 {
		return
	}
	if gap := x.Lacks(c, model.CtlBackups); x.Reports(gap) {
		x.Report(gap, "Nothing says the programs and configuration of "+q(c.ID)+" ("+ids(need, assetID)+") are backed up and can be restored", need)
	}
}
