// Threagile's risks, mapped to Ward threats and their decisions.

package threagile

import (
	"regexp"
	"strings"
	"time"

	"github.com/wardtm/ward/internal/spec"
)

var riskStatus = map[string]string{
	"unchecked": "open", "in-discussion": "open", "in-progress": "open", "accepted": "accepted",
	"mitigated": "mitigated", "false-positive": "false_positive",
}

var stride = map[string]string{
	"spoofing": "S", "tampering": "T", "repudiation": "R", "information-disclosure": "I",
	"denial-of-service": "D", "elevation-of-privilege": "E",
}

var tag = regexp.MustCompile(`<[^>]*>`)

func (c *conv) risks(m *model) error {
	doc := c.im.Doc
	tracked := pairs(&m.RiskTracking)
	for _, p := range tracked {
		var t tracking
		if err := c.decode(p.val, &t); err != nil {
			return err
		}
		parts := strings.Split(p.key, "@")
		title := "Threagile risk " + parts[0]
		if len(parts) > 1 {
			title += " at " + strings.Join(parts[1:], ", ")
		}
		th := &spec.Threat{ID: c.ids.Make(p.key, "risk"), Title: title, FoundBy: "tool", Status: riskStatus[t.Status]}
		if th.Status == "" {
			th.Status = "open"
		}
		for _, part := range parts[1:] {
			if fl := c.links[part]; fl != nil && !contains(th.Targets, fl.ID) {
				th.Targets = append(th.Targets, fl.ID)
				continue
			}
			for _, ref := range strings.Split(part, ">") {
				if comp := c.comps[ref]; comp != nil && !contains(th.Targets, comp.ID) {
					th.Targets = append(th.Targets, comp.ID)
				}
			}
		}
		var desc []string
		desc = append(desc, "Tracked in Threagile as "+firstNonEmpty(t.Status, "unchecked")+".")
		if t.Justification != "" {
			desc = append(desc, "Justification: "+strings.TrimSpace(t.Justification))
		}
		if t.Ticket != "" {
			desc = append(desc, "Ticket: "+t.Ticket)
		}
		if t.CheckedBy != "" || t.Date != "" {
			desc = append(desc, strings.TrimSpace("Checked by "+firstNonEmpty(t.CheckedBy, "?")+" "+t.Date))
		}
		th.Description = strings.Join(desc, "\n")
		switch th.Status {
		case "false_positive":
			th.Reason = firstNonEmpty(t.Justification, "marked false-positive in Threagile")
		case "accepted":
			th.Reason = firstNonEmpty(t.Justification, "accepted in Threagile")
			th.Owner = firstNonEmpty(t.CheckedBy, "unknown (Threagile had no checked_by)")
			if d, err := time.Parse("2006-01-02", strings.TrimSpace(t.Date)); err == nil {
				th.Expires = d.AddDate(1, 0, 0).Format("2006-01-02")
			} else {
				th.Expires = "1970-01-01"
			}
		}
		if th.Status == "mitigated" || t.Status == "in-progress" {
			mt := &spec.Mitigation{ID: c.ids.Make("mitigate "+th.ID, "mitigation"), Title: "Mitigation tracked in Threagile for " + parts[0], Ticket: t.Ticket, Owner: t.CheckedBy, Status: "planned"}
			if th.Status == "mitigated" {
				mt.Status = "implemented"
			}
			th.Mitigations = []string{mt.ID}
			doc.Mitigations = append(doc.Mitigations, mt)
		}
		doc.Threats = append(doc.Threats, th)
	}
	if len(tracked) > 0 {
		c.im.Note("risk_tracking entries became threats (Threagile risk ids are not Ward finding ids): unchecked, in-discussion, in-progress → open; accepted → accepted with checked_by as owner and an expiry one year after the tracking date (Threagile has none; review it); mitigated → mitigated; false-positive → false_positive")
	}
	cats := pairs(&m.IndividualRiskCategories)
	for _, p := range cats {
		var rc riskCategory
		if err := c.decode(p.val, &rc); err != nil {
			return err
		}
		for _, rp := range pairs(&rc.Risks) {
			var r risk
			if err := c.decode(rp.val, &r); err != nil {
				return err
			}
			title := strings.Join(strings.Fields(tag.ReplaceAllString(rp.key, "")), " ")
			th := &spec.Threat{ID: c.ids.Make(title, "risk"), Title: firstNonEmpty(title, p.key), Description: strings.TrimSpace(tag.ReplaceAllString(rc.Description, "")), FoundBy: "team", Status: "open"}
			if s, ok := stride[rc.STRIDE]; ok {
				th.Stride = []string{s}
			}
			th.Likelihood = map[string]string{"unlikely": "unlikely", "likely": "likely", "very-likely": "almost_certain", "frequent": "almost_certain"}[r.Likelihood]
			th.Impact = map[string]string{"low": "minor", "medium": "moderate", "high": "major", "very-high": "severe"}[r.Impact]
			if comp := c.comps[r.TechnicalAsset]; comp != nil {
				th.Targets = []string{comp.ID}
			}
			if m := strings.TrimSpace(tag.ReplaceAllString(rc.Mitigation, "")); m != "" {
				mt := &spec.Mitigation{ID: c.ids.Make("mitigate "+th.ID, "mitigation"), Title: firstLine(m), Description: m, Status: "proposed"}
				if mt.Title == m {
					mt.Description = ""
				}
				th.Mitigations = []string{mt.ID}
				doc.Mitigations = append(doc.Mitigations, mt)
			}
			doc.Threats = append(doc.Threats, th)
		}
	}
	if len(cats) > 0 {
		c.im.Note("individual risk categories became threats (one per identified risk), exploitation likelihood and impact mapped to Ward's scales; their status is open unless risk_tracking says otherwise (tracking of individual risks is imported separately)")
	}
	c.im.Note("Threagile's generated risks are not imported: Ward's own rules run on the model instead")
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 120 {
		s = string(r[:117]) + "..."
	}
	return s
}
