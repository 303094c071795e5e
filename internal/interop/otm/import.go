package otm

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/spec"
)

// Import converts an OTM file (JSON, or YAML when it does not start with
// "{") into a Ward model.
func Import(name string, data []byte) (*interop.Imported, error) {
	var d document
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if err := decodeDocument(name, data, &d); err != nil {
			return nil, err
		}
	} else if err := decodeYAML(name, data, &d); err != nil {
		return nil, err
	}
	if d.OTMVersion == "" {
		return nil, interop.Inputf(name, "an OTM file starts with otmVersion and project", "no otmVersion: this is not an Open Threat Model file")
	}
	if d.Project == nil {
		return nil, interop.Inputf(name, "OTM requires project.name and project.id", "no project")
	}
	im := &importer{name: name, d: &d, out: &interop.Imported{Doc: &spec.Document{Ward: 1}},
		zones: map[string]*spec.Boundary{}, comps: map[string]*spec.Component{}, flows: map[string]*spec.Flow{},
		assets: map[string]string{}, kinds: map[string]string{}}
	if fromWard(d.Project) {
		im.runWard()
	} else {
		im.run()
	}
	return im.out, nil
}

type importer struct {
	name   string
	d      *document
	out    *interop.Imported
	ids    interop.IDs
	zones  map[string]*spec.Boundary  // OTM trust zone id → boundary
	comps  map[string]*spec.Component // OTM component id → component
	flows  map[string]*spec.Flow      // OTM dataflow id → flow
	assets map[string]string          // OTM asset id → Ward id
	kinds  map[string]string          // component type → guessed kind
}

func (im *importer) note(format string, args ...any) { im.out.Note(format, args...) }

var uuidLike = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$|^[0-9]+$`)

// id picks a Ward id: the OTM id when it reads well, else the name.
func (im *importer) id(otmID, name, fallback string) string {
	if otmID != "" && !uuidLike.MatchString(otmID) && len(otmID) <= 48 {
		return im.ids.Make(otmID, fallback)
	}
	if name != "" {
		return im.ids.Make(name, fallback)
	}
	return im.ids.Make(otmID, fallback)
}

func (im *importer) run() {
	d, doc := im.d, im.out.Doc
	p := d.Project
	doc.System = &spec.System{ID: im.ids.Make(firstNonEmpty(p.ID, p.Name), "system"), Name: firstNonEmpty(p.Name, p.ID, "Imported model"),
		Description: p.Description, Team: p.Owner}
	if p.OwnerContact != "" {
		doc.System.Contacts = []string{p.OwnerContact}
	}
	if len(p.Tags) > 0 || len(p.Attributes) > 0 {
		im.note("project tags and attributes dropped")
	}
	if len(d.Representations) > 0 {
		im.note("%d representation(s) (diagrams, code references) and every element's position and size dropped", len(d.Representations))
	}
	im.importAssets()
	im.importZones()
	im.importComponents()
	im.importFlows()
	im.importThreats()
	if len(doc.Components) == 0 {
		im.note("the file has no components: the model has no architecture to analyse")
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// level maps an OTM 0–100 rating to low, medium, high or critical.
func level(v float64) string {
	switch {
	case v < 25:
		return "low"
	case v < 50:
		return "medium"
	case v < 80:
		return "high"
	}
	return "critical"
}

func (im *importer) importAssets() {
	for _, a := range im.d.Assets {
		x := &spec.Asset{ID: im.id(a.ID, a.Name, "asset"), Name: a.Name, Description: a.Description, Kind: "data"}
		if a.Risk != nil {
			x.Confidentiality, x.Integrity, x.Availability = level(a.Risk.Confidentiality), level(a.Risk.Integrity), level(a.Risk.Availability)
			if a.Risk.Comment != "" {
				x.Description = strings.TrimSpace(x.Description + "\n\nRisk: " + a.Risk.Comment)
			}
		}
		if a.ID != "" {
			im.assets[a.ID] = x.ID
		}
		im.out.Doc.Assets = append(im.out.Doc.Assets, x)
	}
	if len(im.d.Assets) > 0 {
		im.note("asset confidentiality, integrity and availability (0–100) mapped to low (<25), medium (<50), high (<80), critical; asset kind set to data and no classification given")
	}
}

// trustFromRating maps an OTM trust rating (0 = untrusted, 100 = fully
// trusted) to a Ward trust level.
func trustFromRating(r float64) string {
	switch {
	case r < 25:
		return "internet"
	case r < 50:
		return "partner"
	case r < 85:
		return "internal"
	}
	return "restricted"
}

// trustFromName guesses a trust level from a zone's name and type.
func trustFromName(s string) string {
	s = strings.ToLower(s)
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("internet", "public", "external", "untrusted", "dmz"):
		return "internet"
	case has("partner", "third", "vendor", "saas"):
		return "partner"
	case has("restricted", "secure", "pci", "vault", "sensitive"):
		return "restricted"
	}
	return "internal"
}

func (im *importer) importZones() {
	// When every zone has the same rating (files converted from tools that
	// have no ratings), the rating says nothing: names decide.
	ratings := map[float64]bool{}
	for _, z := range im.d.TrustZones {
		if z.Risk != nil && z.Risk.TrustRating != nil {
			ratings[*z.Risk.TrustRating] = true
		}
	}
	byName := len(im.d.TrustZones) > 1 && len(ratings) <= 1
	var guessed []string
	bs := make([]*spec.Boundary, len(im.d.TrustZones))
	for i, z := range im.d.TrustZones {
		b := &spec.Boundary{ID: im.id(z.ID, z.Name, "boundary"), Name: z.Name, Description: z.Description}
		switch {
		case !byName && z.Risk != nil && z.Risk.TrustRating != nil:
			b.Trust = trustFromRating(*z.Risk.TrustRating)
		default:
			b.Trust = trustFromName(z.Name + " " + z.Type)
			guessed = append(guessed, fmt.Sprintf("%s → %s", firstNonEmpty(z.Name, z.ID), b.Trust))
		}
		bs[i] = b
		if _, dup := im.zones[z.ID]; dup {
			im.note("trust zone id %q is used twice; references go to the first", z.ID)
		} else {
			im.zones[z.ID] = b
		}
	}
	if len(im.d.TrustZones) > 0 && !byName {
		im.note("trust ratings (0–100) mapped to boundary trust: internet (<25), partner (<50), internal (<85), restricted")
	}
	if len(guessed) > 0 {
		im.note("trust guessed from zone names (no distinct trust ratings): %s", strings.Join(guessed, ", "))
	}
	// Nest: a zone with a trust-zone parent goes inside that boundary,
	// unless the parents loop or nest absurdly deep.
	first := map[string]int{}
	for i, z := range im.d.TrustZones {
		if _, ok := first[z.ID]; !ok {
			first[z.ID] = i
		}
	}
	par := make([]int, len(bs))
	for i, z := range im.d.TrustZones {
		par[i] = -1
		if z.Parent == nil {
			continue
		}
		if z.Parent.TrustZone != "" {
			if j, ok := first[z.Parent.TrustZone]; ok && j != i {
				par[i] = j
			} else {
				im.note("trust zone %q: parent zone %q not found; kept at top level", z.Name, z.Parent.TrustZone)
			}
		} else if z.Parent.Component != "" {
			im.note("trust zone %q sits inside component %q, which Ward cannot express; kept at top level", z.Name, z.Parent.Component)
		}
	}
	depth := make([]int, len(bs)) // 0 unknown, -1 in progress, else depth+1
	var depthOf func(i int) int
	depthOf = func(i int) int {
		// Iterative walk up the parent chain, so hostile chains cannot
		// exhaust the stack.
		var chain []int
		for j := i; j >= 0 && depth[j] == 0; j = par[j] {
			depth[j] = -1
			chain = append(chain, j)
			if p := par[j]; p >= 0 && depth[p] == -1 {
				im.note("trust zones %q and %q are each other's parents; %q kept at top level", im.d.TrustZones[j].Name, im.d.TrustZones[p].Name, im.d.TrustZones[j].Name)
				par[j] = -1
			}
		}
		for k := len(chain) - 1; k >= 0; k-- {
			j := chain[k]
			d := 1
			if p := par[j]; p >= 0 {
				d = depth[p] + 1
				if d > maxNesting {
					im.note("trust zone %q nests more than %d levels deep; kept at top level", im.d.TrustZones[j].Name, maxNesting)
					par[j], d = -1, 1
				}
			}
			depth[j] = d
		}
		return depth[i]
	}
	for i := range bs {
		depthOf(i)
	}
	for i, b := range bs {
		if p := par[i]; p >= 0 {
			bs[p].Boundaries = append(bs[p].Boundaries, b)
		} else {
			im.out.Doc.Boundaries = append(im.out.Doc.Boundaries, b)
		}
	}
}

// maxNesting is the deepest boundary nesting an import keeps.
const maxNesting = 32

// kindOf guesses a Ward component kind from an OTM component type and name.
func kindOf(typ, name string) (kind string, sure bool) {
	t := strings.ToLower(typ)
	s := t + " " + strings.ToLower(name)
	has := func(s string, ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	// The type is tried first, then the type and the name together.
	for _, str := range []string{t, s} {
		switch {
		case has(str, "llm", "bedrock", "openai", "language-model", "gen-ai", "genai"):
			return "llm", false
		case has(str, "agent"):
			return "agent", false
		case has(str, "queue", "sqs", "sns", "kafka", "kinesis", "topic", "event-bus", "eventbridge", "rabbitmq", "message-broker", "pubsub", "service-bus", "event-hub"):
			return "queue", false
		case has(str, "s3", "bucket", "blob", "storage", "file-system", "filesystem", "efs", "glacier"):
			return "storage", false
		case has(str, "database", "-db", "db-", "sql", "postgres", "mysql", "mongo", "dynamo", "redis", "cache", "cosmos", "datastore", "data-store", "elasticsearch", "cassandra", "oracle"):
			return "datastore", false
		case has(str, "lambda", "function", "serverless"):
			return "function", false
		case has(str, "browser", "web-client", "mobile", "android", "ios", "desktop", "client", "spa", "frontend"):
			return "client", false
		case has(str, "iot", "device", "sensor", "vehicle"):
			return "device", false
		case has(str, "user", "person", "human", "actor", "customer", "admin", "operator", "employee"):
			return "person", false
		case has(str, "external", "third-party", "3rd-party", "saas", "partner"):
			return "external", false
		case has(str, "service", "server", "api", "app", "web", "backend", "microservice", "container", "kubernetes", "ec2", "vm", "gateway", "load-balancer", "cdn", "proxy", "process"):
			return "service", false
		}
	}
	return "service", false
}

func attr(c map[string]any, p map[string]any, key string) string {
	for _, m := range []map[string]any{c, p} {
		for k, v := range m {
			if strings.EqualFold(k, key) {
				if s, ok := v.(string); ok {
					return s
				}
			}
		}
	}
	return ""
}

func (im *importer) assetRefs(ps []*string, where string) []string {
	var out []string
	for _, a := range strs(ps) {
		if id, ok := im.assets[a]; ok {
			out = appendUnique(out, id)
		} else {
			im.note("%s refers to unknown asset %q; reference dropped", where, a)
		}
	}
	return out
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func (im *importer) importComponents() {
	guesses := map[string]string{}
	for _, c := range im.d.Components {
		x := &spec.Component{ID: im.id(c.ID, c.Name, "component"), Name: c.Name, Description: c.Description, Tags: cleanTags(strs(c.Tags))}
		x.Kind, _ = kindOf(c.Type, c.Name)
		if c.Type != "" && c.Type != x.Kind {
			x.Tech = c.Type
		}
		guesses[firstNonEmpty(c.Type, "(no type)")] = x.Kind
		if strings.EqualFold(attr(c.Attributes, c.Properties, "Out Of Scope"), "true") {
			x.OutOfScope = true
		}
		if c.Assets != nil {
			where := fmt.Sprintf("component %q", c.Name)
			x.Stores = im.assetRefs(c.Assets.Stored, where)
			x.Processes = im.assetRefs(c.Assets.Processed, where)
		}
		if c.ID != "" {
			if _, dup := im.comps[c.ID]; dup {
				im.note("component id %q is used twice; flows and threats refer to the first", c.ID)
			} else {
				im.comps[c.ID] = x
			}
		}
		im.out.Doc.Components = append(im.out.Doc.Components, x)
	}
	// Parents: a trust zone directly, or the trust zone of a parent component.
	for i, c := range im.d.Components {
		x := im.out.Doc.Components[i]
		seen := map[string]bool{}
		p := c.Parent
		var via []string
		for p != nil && p.TrustZone == "" && p.Component != "" && !seen[p.Component] {
			seen[p.Component] = true
			via = append(via, p.Component)
			pc := im.findComponent(p.Component)
			if pc == nil {
				p = nil
				break
			}
			p = pc.Parent
		}
		switch {
		case p != nil && p.TrustZone != "" && im.zones[p.TrustZone] != nil:
			x.Boundary = im.zones[p.TrustZone].ID
			if len(via) > 0 {
				im.note("component %q is nested in component %q; Ward does not nest components, so it is placed in that component's boundary", c.Name, via[0])
			}
		case p != nil && p.TrustZone != "":
			im.note("component %q: trust zone %q not found; left outside any boundary", c.Name, p.TrustZone)
		case c.Parent != nil:
			im.note("component %q: parent not resolved; left outside any boundary", c.Name)
		}
	}
	if len(guesses) > 0 {
		keys := make([]string, 0, len(guesses))
		for k := range guesses {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+" → "+guesses[k])
		}
		im.note("component kinds guessed from OTM types (the type is kept as tech): %s", strings.Join(parts, ", "))
	}
	if im.hasAttributes() {
		im.note("component and data-flow attributes dropped (except \"Out Of Scope\")")
	}
}

func (im *importer) hasAttributes() bool {
	for _, c := range im.d.Components {
		if len(c.Attributes)+len(c.Properties) > 0 {
			return true
		}
	}
	for _, f := range im.d.Dataflows {
		if len(f.Attributes)+len(f.Properties) > 0 {
			return true
		}
	}
	return false
}

func (im *importer) findComponent(id string) *component {
	for i := range im.d.Components {
		if im.d.Components[i].ID == id {
			return &im.d.Components[i]
		}
	}
	return nil
}

var tagOK = regexp.MustCompile(`^[^\s]`)

func cleanTags(ts []string) []string {
	var out []string
	for _, t := range ts {
		if t = strings.TrimSpace(t); t != "" && tagOK.MatchString(t) {
			out = appendUnique(out, t)
		}
	}
	return out
}

func (im *importer) importFlows() {
	bidi := 0
	for _, f := range im.d.Dataflows {
		from, to := im.comps[f.Source], im.comps[f.Destination]
		if from == nil || to == nil {
			missing := f.Source
			if from != nil {
				missing = f.Destination
			}
			im.note("data flow %q: %q is not a component (Ward flows join components); flow dropped", firstNonEmpty(f.Name, f.ID), missing)
			continue
		}
		x := &spec.Flow{ID: im.id(f.ID, f.Name, "flow"), Name: f.Name, Description: f.Description, From: from.ID, To: to.ID,
			Carries: im.assetRefs(f.Assets, fmt.Sprintf("data flow %q", f.Name)), Tags: cleanTags(strs(f.Tags))}
		if f.Bidirectional != nil && *f.Bidirectional {
			bidi++
		}
		if f.ID != "" {
			im.flows[f.ID] = x
		}
		im.out.Doc.Flows = append(im.out.Doc.Flows, x)
	}
	if bidi > 0 {
		im.note("%d bidirectional data flow(s) imported as request/response flows from source to destination", bidi)
	}
}

// scale maps an OTM 0–100 value to one of five levels (1..5).
func scale(v float64) int {
	if math.IsNaN(v) {
		return 3
	}
	switch {
	case v <= 20:
		return 1
	case v <= 40:
		return 2
	case v <= 60:
		return 3
	case v <= 80:
		return 4
	}
	return 5
}

var likelihoods = [...]string{"", "rare", "unlikely", "possible", "likely", "almost_certain"}
var impacts = [...]string{"", "negligible", "minor", "moderate", "major", "severe"}

// category maps an OTM threat category (free text) to a STRIDE category.
func category(s string) string {
	k := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, strings.ToLower(s))
	switch {
	case k == "s" || strings.HasPrefix(k, "spoof"):
		return "spoofing"
	case k == "t" || strings.HasPrefix(k, "tamper"):
		return "tampering"
	case k == "r" || strings.HasPrefix(k, "repudiat"):
		return "repudiation"
	case k == "i" || strings.HasPrefix(k, "informationdisclos") || k == "disclosure" || strings.HasPrefix(k, "dataleak"):
		return "information_disclosure"
	case k == "d" || strings.HasPrefix(k, "denialofservice") || k == "dos":
		return "denial_of_service"
	case k == "e" || strings.HasPrefix(k, "elevationofprivilege") || strings.HasPrefix(k, "privilegeescalation"):
		return "elevation_of_privilege"
	}
	return ""
}

func key(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, strings.ToLower(s))
}

// threatStatus maps an OTM threat state to a Ward status ("" = open).
func threatStatus(state string) (status string, known bool) {
	switch key(state) {
	case "", "exposed", "expose", "open", "autogenerated", "partlymitigated", "partiallymitigated", "new", "identified", "required", "recommended":
		return "open", true
	case "mitigated", "closed", "resolved", "fixed":
		return "mitigated", true
	case "notapplicable", "na", "falsepositive", "notrelevant", "hidden":
		return "false_positive", true
	case "transferred", "transfer":
		return "transferred", true
	case "accept", "accepted":
		return "accepted", true
	}
	return "open", false
}

var mitOrder = map[string]int{"proposed": 0, "planned": 1, "implemented": 2, "verified": 3}

// mitigationStatus maps an OTM mitigation state to a Ward status.
func mitigationStatus(state string) (status string, known bool) {
	switch key(state) {
	case "", "recommended", "proposed", "suggested", "new":
		return "proposed", true
	case "required", "planned", "inprogress", "implementing", "todo":
		return "planned", true
	case "implemented", "done", "mitigated", "complete", "completed":
		return "implemented", true
	case "verified", "tested":
		return "verified", true
	case "rejected", "notapplicable", "na", "wontdo", "notrequired":
		return "wont_do", true
	}
	return "proposed", false
}

func oneLine(s string) string { return interop.OneLine(s) }

type threatUse struct {
	targets     []string
	states      []string
	mitigations []string
}

func (im *importer) importThreats() {
	d := im.d
	threatIDs := map[string]string{} // OTM id → Ward id
	mitIDs := map[string]string{}
	uses := map[string]*threatUse{}    // OTM threat id → uses
	mitStates := map[string][]string{} // OTM mitigation id → states
	var unknownThreats, unknownMits, unknownStates []string
	record := func(target string, ts []threatInstance) {
		for _, ti := range ts {
			u := uses[ti.Threat]
			if u == nil {
				u = &threatUse{}
				uses[ti.Threat] = u
			}
			u.targets = appendUnique(u.targets, target)
			u.states = append(u.states, ti.State)
			for _, mi := range ti.Mitigations {
				if mi == nil {
					continue
				}
				u.mitigations = appendUnique(u.mitigations, mi.Mitigation)
				mitStates[mi.Mitigation] = append(mitStates[mi.Mitigation], mi.State)
			}
		}
	}
	for i, c := range d.Components {
		record(im.out.Doc.Components[i].ID, c.Threats)
	}
	for _, f := range d.Dataflows {
		if x := im.flows[f.ID]; x != nil {
			record(x.ID, f.Threats)
		} else if len(f.Threats) > 0 {
			im.note("threats on dropped data flow %q dropped with it", firstNonEmpty(f.Name, f.ID))
		}
	}

	for _, m := range d.Mitigations {
		x := &spec.Mitigation{ID: im.id(m.ID, m.Name, "mitigation"), Title: oneLine(firstNonEmpty(m.Name, m.Description, m.ID, "Untitled mitigation")), Description: m.Description}
		if m.RiskReduction > 0 {
			x.Description = strings.TrimSpace(fmt.Sprintf("%s\n\nOTM risk reduction: %g%%.", x.Description, m.RiskReduction))
		}
		states := mitStates[m.ID]
		x.Status = "proposed"
		distinct := map[string]bool{}
		for i, st := range states {
			s, ok := mitigationStatus(st)
			if !ok {
				unknownStates = appendUnique(unknownStates, st)
			}
			distinct[s] = true
			if i == 0 || x.Status == "wont_do" || s != "wont_do" && mitOrder[s] < mitOrder[x.Status] {
				x.Status = s
			}
		}
		if len(distinct) > 1 {
			im.note("mitigation %q has different states on different elements; the least advanced (%s) is kept", x.ID, x.Status)
		}
		if _, dup := mitIDs[m.ID]; !dup {
			mitIDs[m.ID] = x.ID
		}
		im.out.Doc.Mitigations = append(im.out.Doc.Mitigations, x)
	}

	scaled := false
	for _, t := range d.Threats {
		x := &spec.Threat{ID: im.id(t.ID, t.Name, "threat"), Title: oneLine(firstNonEmpty(t.Name, t.Description, t.ID, "Untitled threat")), FoundBy: "tool"}
		var desc []string
		if t.Description != "" && t.Description != t.Name {
			desc = append(desc, t.Description)
		}
		for _, c := range strs(t.Categories) {
			if s := category(c); s != "" {
				x.Stride = appendUnique(x.Stride, s)
			} else {
				desc = append(desc, "Category: "+c)
			}
		}
		if cwes := strs(t.CWEs); len(cwes) > 0 {
			desc = append(desc, "CWE: "+strings.Join(cwes, ", "))
		}
		if t.Risk != nil {
			scaled = true
			if t.Risk.Likelihood != nil {
				x.Likelihood = likelihoods[scale(*t.Risk.Likelihood)]
			}
			x.Impact = impacts[scale(t.Risk.Impact)]
			if t.Risk.LikelihoodComment != "" {
				desc = append(desc, "Likelihood: "+t.Risk.LikelihoodComment)
			}
			if t.Risk.ImpactComment != "" {
				desc = append(desc, "Impact: "+t.Risk.ImpactComment)
			}
		}
		if tags := strs(t.Tags); len(tags) > 0 {
			desc = append(desc, "Tags: "+strings.Join(tags, ", "))
		}
		x.Description = strings.Join(desc, "\n\n")
		if u := uses[t.ID]; u != nil {
			x.Targets = u.targets
			for _, m := range u.mitigations {
				if id, ok := mitIDs[m]; ok {
					x.Mitigations = appendUnique(x.Mitigations, id)
				} else {
					unknownMits = appendUnique(unknownMits, m)
				}
			}
			x.Status = im.status(x, u.states, &unknownStates)
			delete(uses, t.ID)
		}
		if _, dup := threatIDs[t.ID]; !dup {
			threatIDs[t.ID] = x.ID
		}
		im.out.Doc.Threats = append(im.out.Doc.Threats, x)
	}
	for id := range uses {
		unknownThreats = append(unknownThreats, id)
	}
	sort.Strings(unknownThreats)
	if len(unknownThreats) > 0 {
		im.note("elements refer to %d threat(s) not in the threats list (%s); those references dropped", len(unknownThreats), clip(unknownThreats))
	}
	if len(unknownMits) > 0 {
		im.note("threats refer to %d mitigation(s) not in the mitigations list (%s); those links dropped", len(unknownMits), clip(unknownMits))
	}
	if len(unknownStates) > 0 {
		im.note("unknown threat or mitigation state(s) %s read as open / proposed", clip(unknownStates))
	}
	if scaled {
		im.note("threat likelihood and impact (0–100) mapped to Ward's five levels in steps of 20")
	}
	if len(d.Threats) > 0 {
		im.note("threats marked found_by: tool; a threat on several elements becomes one Ward threat targeting them all")
	}
}

// status combines a threat's states on its elements: open when any
// element leaves it open.
func (im *importer) status(x *spec.Threat, states []string, unknown *[]string) string {
	out := ""
	for _, st := range states {
		s, ok := threatStatus(st)
		if !ok {
			*unknown = appendUnique(*unknown, st)
		}
		switch {
		case s == "accepted":
			im.note("threat %q was accepted in the source; Ward needs an owner, reason and expiry date, so it is open — record the acceptance", x.ID)
			s = "open"
		case s == "false_positive" || s == "transferred":
			x.Reason = "marked " + st + " in the OTM file"
		}
		if out == "" || s == "open" {
			out = s
		}
	}
	if out == "open" {
		x.Reason = ""
		return ""
	}
	if out != "false_positive" && out != "transferred" {
		x.Reason = ""
	}
	return out
}

func clip(s []string) string {
	if len(s) > 5 {
		return strings.Join(s[:5], ", ") + ", …"
	}
	return strings.Join(s, ", ")
}
