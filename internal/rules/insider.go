package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// insiderRules are what staff of the organisation can do with the access
// their work gives them, beyond the consoles marked admin.
var insiderRules = []*rule.Rule{
	{
		ID:       "staff-changes-not-attributable",
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
			if len(at) == 0 {
				return
			}
			// An entry point handling sensitive data already raises
			// no-security-event-logging: the same missing record.
			if entryPoint(c) && !c.Public && len(sensitive(loggingHandled(c))) > 0 {
				return
			}
			staff := handoffStaff(c)
			if gap := x.Lacks(c, model.CtlLogsSecurityEvents); x.Reports(gap) {
				x.Report(gap, "Changes "+ids(staff, compID)+" make through "+q(c.ID)+" to "+ids(at, assetID)+" may not be traceable to the person who made them", at)
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
