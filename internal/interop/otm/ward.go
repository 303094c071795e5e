package otm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// A file Ward exported (project attribute generator: ward) is imported
// faithfully: ids verbatim, kinds, trust, controls and flags from the
// attributes Export writes, the team's own threats as threats and the
// decisions on generated findings as decisions, so export then import gives
// back the same model. Generated findings are not imported as threats:
// Ward's rules find them again.

var wardID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

var validKind = map[string]bool{"person": true, "client": true, "service": true, "function": true, "datastore": true, "storage": true,
	"queue": true, "external": true, "device": true, "llm": true, "agent": true}

func fromWard(p *project) bool {
	return p != nil && fmt.Sprint(p.Attributes["generator"]) == "ward"
}

// sattr returns a string attribute.
func sattr(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (im *importer) wardID(otmID, name, fallback string) string {
	if wardID.MatchString(otmID) && !im.ids.Used(otmID) {
		return im.ids.Use(otmID)
	}
	return im.id(otmID, name, fallback)
}

func controlsOf(attrs map[string]any) map[string]string {
	out := map[string]string{}
	for _, k := range model.ControlKeys() {
		if v := sattr(attrs, k); v != "" {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (im *importer) runWard() {
	d, doc := im.d, im.out.Doc
	p := d.Project
	doc.System = &spec.System{ID: im.wardID(p.ID, p.Name, "system"), Name: firstNonEmpty(p.Name, p.ID, "Imported model"), Description: p.Description, Team: p.Owner}
	if p.OwnerContact != "" {
		doc.System.Contacts = []string{p.OwnerContact}
	}
	for _, a := range d.Assets {
		x := &spec.Asset{ID: im.wardID(a.ID, a.Name, "asset"), Description: a.Description, Kind: sattr(a.Attributes, "kind"),
			Classification: sattr(a.Attributes, "classification"), Data: list(sattr(a.Attributes, "data")), MustNotStore: sattr(a.Attributes, "must_not_store") == "true",
			Value: sattr(a.Attributes, "value"), Hashed: sattr(a.Attributes, "hashed") == "true"}
		if a.Name != x.ID {
			x.Name = a.Name
		}
		// The ratings are derived; what was written is in the attributes.
		x.Confidentiality, x.Integrity, x.Availability = sattr(a.Attributes, "confidentiality"), sattr(a.Attributes, "integrity"), sattr(a.Attributes, "availability")
		im.assets[a.ID] = x.ID
		doc.Assets = append(doc.Assets, x)
	}
	implicit := map[string]bool{}
	var zones []trustZone
	for _, z := range d.TrustZones {
		if sattr(z.Attributes, "ward") == "no boundary" {
			implicit[z.ID] = true
			continue
		}
		zones = append(zones, z)
	}
	byID := map[string]*spec.Boundary{}
	for _, z := range zones {
		b := &spec.Boundary{ID: im.wardID(z.ID, z.Name, "boundary"), Description: z.Description, Trust: z.Type}
		if z.Name != b.ID {
			b.Name = z.Name
		}
		if _, ok := model.ParseTrust(b.Trust); !ok {
			b.Trust = trustFromName(z.Name + " " + z.Type)
		}
		byID[z.ID] = b
		im.zones[z.ID] = b
	}
	for _, z := range zones {
		b := byID[z.ID]
		if z.Parent != nil && byID[z.Parent.TrustZone] != nil && z.Parent.TrustZone != z.ID {
			pb := byID[z.Parent.TrustZone]
			pb.Boundaries = append(pb.Boundaries, b)
		} else {
			doc.Boundaries = append(doc.Boundaries, b)
		}
	}
	for _, c := range d.Components {
		x := &spec.Component{ID: im.wardID(c.ID, c.Name, "component"), Description: c.Description, Kind: c.Type, Tags: cleanTags(strs(c.Tags)),
			Tech: sattr(c.Attributes, "tech"), OutOfScope: sattr(c.Attributes, "Out Of Scope") == "true",
			Admin: sattr(c.Attributes, "admin") == "true", Public: sattr(c.Attributes, "public") == "true", Paid: sattr(c.Attributes, "paid") == "true",
			ThirdParty: sattr(c.Attributes, "third_party") == "true", New: sattr(c.Attributes, "new") == "true",
			Tools: list(sattr(c.Attributes, "tools")), Executes: list(sattr(c.Attributes, "executes")), EncryptionAtRest: sattr(c.Attributes, "encryption_at_rest"), Controls: controlsOf(c.Attributes),
			Anonymous: sattr(c.Attributes, "anonymous") == "true", Relay: sattr(c.Attributes, "relay"), HumanAccess: sattr(c.Attributes, "human_access"),
			RateLimitScope: sattr(c.Attributes, "rate_limit_scope"), PricePerCall: sattr(c.Attributes, "price_per_call")}
		if c.Name != x.ID {
			x.Name = c.Name
		}
		if !validKind[x.Kind] {
			x.Kind, _ = kindOf(c.Type, c.Name)
		}
		if c.Parent != nil && !implicit[c.Parent.TrustZone] && im.zones[c.Parent.TrustZone] != nil {
			x.Boundary = im.zones[c.Parent.TrustZone].ID
		}
		if c.Assets != nil {
			where := fmt.Sprintf("component %q", c.Name)
			x.Stores = im.assetRefs(c.Assets.Stored, where)
			x.Processes = im.assetRefs(c.Assets.Processed, where)
		}
		im.comps[c.ID] = x
		doc.Components = append(doc.Components, x)
	}
	for _, f := range d.Dataflows {
		from, to := im.comps[f.Source], im.comps[f.Destination]
		if from == nil || to == nil {
			im.note("data flow %q does not join two components; dropped", firstNonEmpty(f.Name, f.ID))
			continue
		}
		x := &spec.Flow{ID: im.wardID(f.ID, f.Name, "flow"), Description: f.Description, From: from.ID, To: to.ID,
			Carries: im.assetRefs(f.Assets, fmt.Sprintf("data flow %q", f.Name)), Tags: cleanTags(strs(f.Tags)),
			Protocol: sattr(f.Attributes, "protocol"), Authentication: sattr(f.Attributes, "authentication"), Encryption: sattr(f.Attributes, "encryption"),
			OneWay: f.Bidirectional != nil && !*f.Bidirectional, Controls: controlsOf(f.Attributes),
			Local: sattr(f.Attributes, "local") == "true", ForwardsIdentity: sattr(f.Attributes, "forwards_identity")}
		for _, r := range list(sattr(f.Attributes, "returns")) {
			if id, ok := im.assets[r]; ok {
				x.Returns = append(x.Returns, id)
			}
		}
		if f.Name != x.ID && f.Name != from.ID+" → "+to.ID {
			x.Name = f.Name
		}
		x.Port, _ = strconv.Atoi(sattr(f.Attributes, "port"))
		im.flows[f.ID] = x
		doc.Flows = append(doc.Flows, x)
	}
	if sc, ok := p.Attributes["scope"].(map[string]any); ok {
		items := func(v any) []*spec.ScopeItem {
			var out []*spec.ScopeItem
			xs, _ := v.([]any)
			for _, x := range xs {
				if m, ok := x.(map[string]any); ok {
					out = append(out, &spec.ScopeItem{What: sattr(m, "what"), Why: sattr(m, "why")})
				}
			}
			return out
		}
		doc.Scope = &spec.Scope{In: items(sc["in"]), Out: items(sc["out"])}
	}
	if c, ok := p.Attributes["context"].(map[string]any); ok {
		strsOf := func(v any) []string {
			var out []string
			xs, _ := v.([]any)
			for _, x := range xs {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
		doc.Context = &spec.Context{PavedPath: sattr(c, "paved_path"), InternetFacing: sattr(c, "internet_facing"), AuthChanges: sattr(c, "auth_changes"),
			Criticality: sattr(c, "criticality"), SensitiveData: strsOf(c["sensitive_data"]), NewThirdParties: strsOf(c["new_third_parties"])}
	}
	if pol, ok := p.Attributes["policy"].(map[string]any); ok {
		x := &spec.Policy{FailOnUnverified: pol["fail_on_unverified"] == true}
		if v, ok := pol["uncertainty"].(float64); ok {
			x.Uncertainty = int(v)
		}
		if v, ok := pol["max_unverified_per_element"].(float64); ok {
			x.MaxUnverifiedPerElement = int(v)
		}
		doc.Policy = x
	}
	if as, ok := p.Attributes["assumptions"].([]any); ok {
		for _, a := range as {
			m, ok := a.(map[string]any)
			if !ok {
				continue
			}
			doc.Assumptions = append(doc.Assumptions, &spec.Assumption{ID: im.wardID(sattr(m, "id"), "", "assumption"), Text: sattr(m, "text"),
				Status: sattr(m, "status"), Evidence: sattr(m, "evidence"), Supports: list(sattr(m, "supports"))})
		}
	}
	mitIDs := map[string]string{}
	for _, m := range d.Mitigations {
		x := &spec.Mitigation{ID: im.wardID(m.ID, m.Name, "mitigation"), Title: oneLine(firstNonEmpty(m.Name, m.ID)), Description: m.Description,
			Status: sattr(m.Attributes, "status"), Owner: sattr(m.Attributes, "owner"), Ticket: sattr(m.Attributes, "ticket"), Due: sattr(m.Attributes, "due"),
			Reduces: sattr(m.Attributes, "reduces")}
		mitIDs[m.ID] = x.ID
		doc.Mitigations = append(doc.Mitigations, x)
	}
	mits := func(ids []string) []string {
		var out []string
		for _, id := range ids {
			if x, ok := mitIDs[id]; ok {
				out = appendUnique(out, x)
			}
		}
		return out
	}
	// Where each threat sits, and its mitigations.
	targets, linked := map[string][]string{}, map[string][]string{}
	add := func(elem string, ts []threatInstance) {
		for _, ti := range ts {
			targets[ti.Threat] = appendUnique(targets[ti.Threat], elem)
			for _, mi := range ti.Mitigations {
				if mi != nil {
					linked[ti.Threat] = appendUnique(linked[ti.Threat], mi.Mitigation)
				}
			}
		}
	}
	for _, c := range d.Components {
		add(im.comps[c.ID].ID, c.Threats)
	}
	for _, f := range d.Dataflows {
		if x := im.flows[f.ID]; x != nil {
			add(x.ID, f.Threats)
		}
	}
	for _, t := range d.Threats {
		a := t.Attributes
		if sattr(a, "origin") != string(model.OriginPeople) {
			if st := sattr(a, "decision"); st != "" {
				doc.Decisions = append(doc.Decisions, &spec.Decision{Finding: t.ID, Status: st, Reason: sattr(a, "decisionReason"),
					Owner: sattr(a, "decisionOwner"), Expires: sattr(a, "decisionExpires"), Mitigations: mits(list(sattr(a, "decisionMitigations"))),
					Covers: list(sattr(a, "decisionCovers"))})
			}
			continue
		}
		x := &spec.Threat{ID: im.wardID(t.ID, t.Name, "threat"), Title: oneLine(firstNonEmpty(t.Name, t.ID)), Description: t.Description,
			Status: sattr(a, "threatStatus"), FoundBy: sattr(a, "foundBy"), Owner: sattr(a, "owner"), Reason: sattr(a, "reason"), Expires: sattr(a, "expires"),
			Assets: list(sattr(a, "assets")), Mitigations: mits(linked[t.ID])}
		if l := sattr(a, "likelihood"); l != "" && l != "?" {
			x.Likelihood = l
		}
		if l := sattr(a, "impact"); l != "" && l != "?" {
			x.Impact = l
		}
		for _, c := range strs(t.Categories) {
			if s := category(c); s != "" {
				x.Stride = appendUnique(x.Stride, s)
			}
		}
		x.Targets = targets[t.ID]
		for _, o := range list(sattr(a, "otherTargets")) {
			if _, id, ok := strings.Cut(o, ":"); ok {
				x.Targets = appendUnique(x.Targets, id)
			}
		}
		doc.Threats = append(doc.Threats, x)
	}
	if ds, ok := p.Attributes["orphanedDecisions"].([]any); ok {
		for _, x := range ds {
			if m, ok := x.(map[string]any); ok {
				doc.Decisions = append(doc.Decisions, &spec.Decision{Finding: sattr(m, "finding"), Status: sattr(m, "status"), Reason: sattr(m, "reason"),
					Owner: sattr(m, "owner"), Expires: sattr(m, "expires"), Mitigations: mits(list(sattr(m, "mitigations"))),
					Covers: list(sattr(m, "covers"))})
			}
		}
	}
	im.note("exported by Ward: imported as it was written; generated findings are found again by Ward's rules, decisions on them kept")
}
