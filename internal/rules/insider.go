package rules

import (
	"sort"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// insiderRules are what staff of the organisation can do with the access
// their work gives them, beyond the consoles marked admin.
var insiderRules = []*rule.Rule{
	{
		ID:       "unmanaged-device-holds-records",
		Title:    "Other people's records on devices the organisation does not manage",
		Category: model.InformationDisclosure,
		On:       rule.OnComponent,
		Doc: "People working for the organisation outside its network (an outsourcer's agents, contractors, staff at a venue or in the field) use a client on devices the organisation may not manage: personal phones, contractor laptops, shared terminals. " +
			"The client shows, caches or downloads many people's personal data. A lost or stolen device, malware on it, a screenshot or a download to a personal folder leaks those records, " +
			"and a live session on the device is an account an attacker can use.",
		CWE:   []int{359, 922, 200},
		CAPEC: []int{37, 545},
		Mitigations: []string{
			"Allow access to other people's records only from managed devices (device management, disk encryption, screen lock, remote wipe), checked at sign-in (device posture or certificates).",
			"Where devices cannot be managed, serve records through a virtual desktop or browser isolation with download, copy and print disabled, and cache nothing on the device.",
			"Keep sessions short on such devices and revoke them when a device is reported lost or a contract ends.",
		},
		References: []string{
			"https://mas.owasp.org/MASVS/ (MASVS-STORAGE)",
			"https://csrc.nist.gov/pubs/sp/800/124/r2/final (managing mobile devices)",
			"https://csrc.nist.gov/pubs/sp/800/46/r2/final (telework and BYOD security)",
		},
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			k := x.Target.Component
			if k.Kind != model.KindClient && k.Kind != model.KindDevice || k.OutOfScope || k.ThirdParty || k.Trust() > model.TrustPartner {
				return
			}
			var users []*model.Component
			for _, f := range k.In {
				if p := f.From; p.Kind == model.KindPerson && !p.ThirdParty && p.Trust() == model.TrustPartner {
					users = append(users, p)
				}
			}
			if len(users) == 0 {
				return
			}
			shown := k.Assets()
			for _, f := range k.Out {
				shown = append(shown, f.Returns...)
			}
			at := distinct(handoffPersonal(shown))
			if len(at) == 0 {
				return
			}
			if gap := x.Lacks(k, model.CtlHardened); x.Reports(gap) {
				x.Report(gap, ids(distinct(users), compID)+" use "+q(k.ID)+" outside our network on devices we may not manage; a lost, infected or shared device leaks "+ids(at, assetID), at)
			}
		},
	},
	{
		ID:       "outsider-content-in-staff-tool",
		Title:    "Content from outsiders is opened or shown in a staff tool",
		Category: model.Tampering,
		On:       rule.OnComponent,
		Doc: "Staff (support or dispute agents, reviewers, examiners, operators) use a console that opens files and shows text that customers, the public or a vendor supplied: uploaded evidence, attachments, messages, names, metadata. " +
			"A malicious document or video aimed at the staff member's machine, or script in a message rendered without encoding (stored cross-site scripting), runs with the staff member's session and access, " +
			"which reach far more than the outsider's own account. Checks at the public edge do not protect the staff tool, which trusts what is already inside.",
		CWE:   []int{79, 434, 116},
		CAPEC: []int{63, 592, 1},
		Mitigations: []string{
			"Scan uploaded files for malware and convert or re-render documents and media to safe formats (content disarm and reconstruction) before staff open them; open the rest in an isolated viewer, never on the agent's desktop with its sessions.",
			"Encode every outsider-supplied field for its context in the staff tool (HTML, attributes, URLs), and set a strict Content Security Policy on it.",
			"Serve staff tools from their own origin, with sessions that are short-lived and re-authenticated for sensitive actions.",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html",
			"https://owasp.org/www-community/attacks/xss/#stored-xss-attacks",
		},
		Vector:         model.VectorContent,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			k := x.Target.Component
			if k.Kind != model.KindClient || k.OutOfScope || k.ThirdParty || !staffTool(k) {
				return
			}
			shown := k.Assets()
			for _, f := range k.Out {
				shown = append(shown, f.Carries...)
				shown = append(shown, f.Returns...)
			}
			files, stores := outsiderFiles(x, shown)
			if len(files) == 0 {
				return
			}
			if gap := x.Lacks(k, model.CtlSandboxed); x.Reports(gap) {
				for _, s := range stores {
					x.AlsoTarget(model.Target{Component: s})
				}
				x.Report(gap, "Staff open "+ids(files, assetID)+" in "+q(k.ID)+" that outsiders put in "+ids(stores, compID)+"; a malicious file, or script in what it shows, runs with the staff member's session", files)
			}
		},
	},
	{
		ID:       "staff-changes-not-attributable",
		ZoneWide: true,
		Title:    "Changes staff make to records others rely on cannot be traced to a person",
		Category: model.Repudiation,
		On:       rule.OnComponent,
		Doc: "Staff of the organisation use an internal application or a device at work to change records that others rely on or that move money or stock: " +
			"results released to patients, decisions on applications, dispensing and count records, ledger entries. " +
			"If the component does not record each change with the person who made it (shared logins, a shared terminal's open session, " +
			"a witness who co-signs without being there, edits that overwrite the earlier value), a wrong or dishonest change cannot be traced to anyone, " +
			"the person who made it can deny it, and the record proves nothing in a dispute, an audit or an investigation.",
		CWE:   []int{778, 223, 308},
		CAPEC: []int{268, 195},
		Mitigations: []string{
			"Give every person their own account (no shared logins or generic device users) and re-authenticate on shared terminals and for witnessed actions.",
			"Record every change with who, what, when, the value before and after and the reason, in a log the same staff cannot edit.",
			"Review changes and overrides regularly against the work that justifies them (orders, cases, tickets).",
		},
		References: []string{
			"https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html",
			"https://owasp.org/Top10/A09_2021-Security_Logging_and_Monitoring_Failures/",
			"https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final (AU-10 non-repudiation, IA-2 identification of organisational users)",
		},
		Property:       model.Integrity,
		Exploitability: -1,
		Check: func(x *rule.Ctx) {
			c := x.Target.Component
			if c.OutOfScope || c.ThirdParty || c.Admin || !injectionCode(c) && c.Kind != model.KindDevice || !insiderUsedByStaff(c) {
				return // admin consoles: admin-actions-not-logged
			}
			at := insiderRecords(c)
			unstated := false
			if len(at) == 0 && needsUnstated(x) {
				// The model states no asset's sensitivity: whether the
				// records staff change here need high integrity is
				// unknown, not "no"; unverified until stated.
				at, unstated = insiderWrites(c), true
			}
			if len(at) == 0 {
				return
			}
			// An entry point handling sensitive data already raises
			// no-security-event-logging: the same missing record.
			if entryPointOf(x, c) && !c.Public && len(sensitive(loggingHandled(c))) > 0 {
				return
			}
			staff := handoffStaff(c)
			if gap := x.Lacks(c, model.CtlLogsSecurityEvents); x.Reports(gap) {
				var why []string
				if unstated {
					gap = model.Unknown
					why = append(why, "the model states no integrity need for "+ids(at, assetID))
					x.AskNeeds(at...)
				}
				x.Report(gap, "Changes "+ids(staff, compID)+" make through "+q(c.ID)+" to "+ids(at, assetID)+" may not be traceable to the person who made them", at, why...)
			}
		},
	},
}

// insiderRecords returns what staff change through c that others rely on:
// money or stock, and data needing high integrity or more, that c writes
// on or keeps itself.
func insiderRecords(c *model.Component) []*model.Asset {
	var out []*model.Asset
	add := func(as []*model.Asset) {
		for _, a := range as {
			if (a.Kind == model.AssetMoney || a.Kind == model.AssetData && a.Need(model.Integrity) >= model.High) && !containsAsset(out, a) {
				out = append(out, a)
			}
		}
	}
	add(c.Stores)
	for _, f := range c.Out {
		if f.To.IsActor() && !f.To.OutOfScope && f.To.Kind != model.KindExternal {
			continue
		}
		add(f.Carries)
	}
	return out
}

// insiderWrites returns the data and money c keeps or writes on (what
// insiderRecords reads whatever the integrity need): in a model that
// states no asset's sensitivity, the records whose need is unknown.
func insiderWrites(c *model.Component) []*model.Asset {
	var out []*model.Asset
	add := func(as []*model.Asset) {
		for _, a := range as {
			if (a.Kind == model.AssetMoney || a.Kind == model.AssetData) && !containsAsset(out, a) {
				out = append(out, a)
			}
		}
	}
	add(c.Stores)
	for _, f := range c.Out {
		if f.To.IsActor() && !f.To.OutOfScope && f.To.Kind != model.KindExternal {
			continue
		}
		add(f.Carries)
	}
	return out
}

// insiderUsedByStaff reports whether people of the organisation use c, as
// handoffStaff finds them, without building the list.
func insiderUsedByStaff(c *model.Component) bool {
	for _, f := range c.In {
		if p := f.From; p.Kind == model.KindPerson && !p.ThirdParty && p.Trust() >= model.TrustInternal {
			return true
		}
	}
	return false
}

// staffConsoles returns the clients through which people of the
// organisation reach c: a client that is an administrative console, or
// one used by people inside the organisation's network. Reviewers name
// the console people use, not only the service behind it.
func staffConsoles(c *model.Component) []*model.Component {
	var out []*model.Component
	for _, f := range c.In {
		k := f.From
		if k.Kind != model.KindClient || k.OutOfScope || k == c {
			continue
		}
		if len(consoleStaff(k, c)) > 0 && !containsComp(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// consoleStaff returns the people of the organisation who use client k to
// reach c: people inside its network, or anyone, when k or c is an
// administrative console.
func consoleStaff(k, c *model.Component) []*model.Component {
	var out []*model.Component
	for _, f := range k.In {
		if p := f.From; p.Kind == model.KindPerson && !p.ThirdParty && (p.Trust() >= model.TrustInternal || k.Admin || c.Admin) {
			out = append(out, p)
		}
	}
	return out
}

// staffViaConsoles returns the people of the organisation who use c
// directly (handoffStaff) or through a staff console, and those consoles.
func staffViaConsoles(c *model.Component) ([]*model.Component, []*model.Component) {
	staff := handoffStaff(c)
	consoles := staffConsoles(c)
	for _, k := range consoles {
		staff = append(staff, consoleStaff(k, c)...)
	}
	return distinct(staff), consoles
}

func containsComp(cs []*model.Component, c *model.Component) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// consoleWithoutSecondApproval is staff-action-without-second-approval on
// a console: staff use client k to reach services of ours that change
// money or records others rely on. The threat is on the console, where
// reviewers put it, and on the services, which must enforce the second
// approval (the question is theirs).
func consoleWithoutSecondApproval(x *rule.Ctx, k *model.Component) {
	var svcs []*model.Component
	var at []*model.Asset
	for _, f := range k.Out {
		s := f.To
		if !injectionCode(s) || s.OutOfScope || s.ThirdParty || len(consoleStaff(k, s)) == 0 || len(handoffStaff(s)) > 0 {
			continue // staff using s directly: the threat is on s
		}
		as := handoffConsequential(s)
		if len(as) == 0 || containsComp(svcs, s) {
			continue
		}
		svcs = append(svcs, s)
		for _, a := range as {
			if !containsAsset(at, a) {
				at = append(at, a)
			}
		}
	}
	if len(svcs) == 0 {
		return
	}
	// Stated absent on any service is a gap; unknown on any leaves it
	// unverified.
	gap := anyGapOf(svcs, func(s *model.Component) model.Tri { return x.Lacks(s, model.CtlDualApproval) })
	if x.Reports(gap) {
		for _, s := range svcs {
			x.AlsoTarget(model.Target{Component: s})
		}
		staff := consoleStaff(k, svcs[0])
		x.Report(gap, "One "+ids(distinct(staff), compID)+" acting alone through "+q(k.ID)+" can change "+ids(at, assetID)+" in "+ids(svcs, compID)+" with no second approval", at)
	}
}

var tpOutageVariant = 1

// staffTool reports whether client k is used by people of the organisation
// or of a partner working for it (an outsourcer's agents), or is an
// administrative console.
func staffTool(k *model.Component) bool {
	if k.Admin {
		return true
	}
	for _, f := range k.In {
		if p := f.From; p.Kind == model.KindPerson && !p.ThirdParty && p.Trust() >= model.TrustPartner {
			return true
		}
	}
	return false
}

// outsiderFiles returns the assets among shown that are kept in object
// storage whose content comes from a less trusted source
// (handoffFedStores), and those stores.
func outsiderFiles(x *rule.Ctx, shown []*model.Asset) ([]*model.Asset, []*model.Component) {
	fed := handoffFedStores(x)
	var files []*model.Asset
	var stores []*model.Component
	for s := range fed {
		for _, a := range s.Stores {
			if containsAsset(shown, a) {
				if !containsAsset(files, a) {
					files = append(files, a)
				}
				if !containsComp(stores, s) {
					stores = append(stores, s)
				}
			}
		}
	}
	sort.Slice(stores, func(i, j int) bool { return stores[i].ID < stores[j].ID })
	sort.Slice(files, func(i, j int) bool { return files[i].ID < files[j].ID })
	return files, stores
}
