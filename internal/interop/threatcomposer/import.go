package threatcomposer

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/spec"
)

// Import converts a Threat Composer workspace export (or threat pack) into
// a Ward model.
func Import(name string, data []byte) (*interop.Imported, error) {
	var w workspace
	if err := decodeWorkspace(name, data, &w); err != nil {
		return nil, err
	}
	pack := w.Type == "threat-pack"
	if w.Type == "mitigation-pack" {
		return nil, interop.Inputf(name, "a mitigation pack is a library of mitigations with no threats or architecture; import threat packs or workspaces (.tc.json)",
			"a Threat Composer mitigation pack")
	}
	if w.Type != "" && !pack {
		return nil, interop.Inputf(name, "ward reads workspace exports (.tc.json) and threat packs",
			"Threat Composer file of type %q, which ward does not read", w.Type)
	}
	if !pack && w.ApplicationInfo == nil && w.Threats == nil && w.Mitigations == nil && w.Assumptions == nil {
		return nil, interop.Inputf(name, "export the workspace from Threat Composer (Export → .tc.json)",
			"not a Threat Composer workspace: no applicationInfo, threats, mitigations or assumptions")
	}
	im := &importer{out: &interop.Imported{Doc: &spec.Document{Ward: 1}}, assets: map[string]*assetRef{},
		named: map[string]*assetRef{}, threats: map[string]*spec.Threat{}, mits: map[string]*spec.Mitigation{}}
	im.run(&w, pack)
	return im.out, nil
}

type importer struct {
	out     *interop.Imported
	ids     interop.IDs
	assets  map[string]*assetRef // lower-cased asset name → asset
	named   map[string]*assetRef // asset name as given → asset (saves lower-casing it again)
	threats map[string]*spec.Threat
	mits    map[string]*spec.Mitigation
}

func (im *importer) note(format string, args ...any) { im.out.Note(format, args...) }

func oneLine(s string) string { return interop.OneLine(s) }

// title shortens s to a one-line title of at most n characters, cut at a word.
func title(s string, n int) (string, bool) { return titleLine(oneLine(s), n) }

// titleLine is title of text that is one line already.
func titleLine(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	var t string
	if asciiPrefix(s, n) {
		// n runes of one byte each and more bytes after them: s is cut
		// at byte n, valid or not past it (a long statement's title,
		// without counting or checking the whole statement).
		t = s[:n]
	} else {
		// The first n runes, and whether they are valid: the text past
		// them is neither counted nor checked (invalid bytes there are
		// not in the title; within it they become U+FFFD).
		off, valid := 0, true
		for k := 0; k < n && off < len(s); k++ {
			if s[off] < utf8.RuneSelf {
				off++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[off:])
			valid = valid && (r != utf8.RuneError || size > 1)
			off += size
		}
		if off == len(s) {
			return s, false // at most n runes
		}
		if t = s[:off]; !valid {
			t = string([]rune(t))
		}
	}
	cut := strings.LastIndexByte(t, ' ')
	if cut > n/2 {
		t = t[:cut]
	}
	return strings.TrimRight(t, " ,;:.") + "…", true
}

// asciiPrefix reports whether the first k bytes of s (k ≤ len(s)) are
// ASCII, eight at a time.
func asciiPrefix(s string, k int) bool {
	i := 0
	for ; k-i >= 8; i += 8 {
		t := s[i : i+8]
		if (uint64(t[0])|uint64(t[1])<<8|uint64(t[2])<<16|uint64(t[3])<<24|
			uint64(t[4])<<32|uint64(t[5])<<40|uint64(t[6])<<48|uint64(t[7])<<56)&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < k; i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func (im *importer) run(w *workspace, pack bool) {
	doc := im.out.Doc
	// Every threat, mitigation and assumption has an id, and most threats
	// are kept by theirs: the sets are made at their size.
	im.ids.Reserve(len(w.Threats) + len(w.Mitigations) + len(w.Assumptions) + 16)
	im.threats = make(map[string]*spec.Threat, len(w.Threats))
	var sysName, sysDesc string
	if pack {
		sysName, sysDesc = w.Name, w.Description
		im.note("this is a Threat Composer threat pack (a library of reusable threats and mitigations, not a workspace): its threats and mitigations are imported, and there is no architecture")
	} else if w.ApplicationInfo != nil {
		sysName, sysDesc = w.ApplicationInfo.Name, w.ApplicationInfo.Description
	}
	sysName = oneLine(sysName)
	if sysName == "" {
		sysName = "Imported from Threat Composer"
	}
	doc.System = &spec.System{ID: im.ids.Make(firstNonEmpty(w.ID, sysName), "system"), Name: sysName, Description: strings.TrimSpace(sysDesc)}
	for _, d := range []struct {
		what string
		d    *diagram
	}{{"Architecture", w.Architecture}, {"Data flow", w.Dataflow}} {
		if d.d == nil {
			continue
		}
		if desc := strings.TrimSpace(d.d.Description); desc != "" {
			if doc.Scope == nil {
				doc.Scope = &spec.Scope{}
			}
			doc.Scope.In = append(doc.Scope.In, &spec.ScopeItem{What: d.what + " (as described in Threat Composer)", Why: desc})
		}
		if d.d.Image != "" {
			im.note("%s diagram image (%d KB) dropped", strings.ToLower(d.what), (len(d.d.Image)+1023)/1024)
		}
	}
	im.note("Threat Composer has no components or data flows: the architecture and data-flow descriptions are kept as scope text, so model the components and flows before relying on ward's rules")

	im.importMitigations(w.Mitigations)
	im.importThreats(w.Threats)
	im.importLinks(w)
	im.importAssumptions(w)
}

// oneLineItems reports whether vs has items and each is one line (OneLine
// keeps it) and not empty: then strings.Join(vs, ", ") is one line too.
func oneLineItems(vs []string) bool {
	for _, v := range vs {
		if v == "" || oneLine(v) != v {
			return false
		}
	}
	return len(vs) > 0
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// metaText renders metadata other than STRIDE and Priority as text lines.
func metaText(ms []metadata) []string {
	var out []string
	eachMeta(ms, func(k, v string) { out = append(out, k+": "+v) })
	return out
}

// eachMeta calls f with the key and text of each metadata entry metaText
// renders, in order.
func eachMeta(ms []metadata, f func(k, v string)) {
	for _, m := range ms {
		if m.Key == "STRIDE" || m.Key == "Priority" || strings.HasPrefix(m.Key, "custom:ward") {
			continue
		}
		var v string
		switch x := m.Value.(type) {
		case string:
			v = strings.TrimSpace(x)
		case []any:
			var parts []string
			for _, p := range x {
				parts = append(parts, fmt.Sprint(p))
			}
			v = strings.Join(parts, ", ")
		case nil:
		default:
			v = fmt.Sprint(x)
		}
		if v == "" {
			continue
		}
		f(strings.TrimPrefix(m.Key, "custom:"), v)
	}
}

func meta(ms []metadata, key string) any {
	for _, m := range ms {
		if strings.EqualFold(m.Key, key) {
			return m.Value
		}
	}
	return nil
}

var strideNames = map[string]string{"S": "spoofing", "T": "tampering", "R": "repudiation", "I": "information_disclosure", "D": "denial_of_service", "E": "elevation_of_privilege"}

func stride(v any) []string {
	var letters []string
	switch x := v.(type) {
	case string:
		letters = strings.FieldsFunc(x, func(r rune) bool { return r == ',' || r == ' ' })
	case []any:
		for _, p := range x {
			if s, ok := p.(string); ok {
				letters = append(letters, s)
			}
		}
	}
	var out []string
	for _, l := range letters {
		l = strings.ToUpper(strings.TrimSpace(l))
		if n, ok := strideNames[l]; ok && !contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// priority maps a Threat Composer priority to a likelihood and impact guess.
func priority(p string) (likelihood, impact string) {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "high":
		return "likely", "major"
	case "medium":
		return "possible", "moderate"
	case "low":
		return "unlikely", "minor"
	}
	return "", ""
}

// assetRef is an asset made from impacted-asset names, shared by every
// name that maps to it.
type assetRef struct {
	id string
	// last is the number (from 1) of the last threat the asset was added
	// to: a threat lists an asset once however many names map to it,
	// without searching its list (a generated threat can name 190 assets).
	last int
}

func (im *importer) asset(name string) *assetRef {
	if a, ok := im.named[name]; ok {
		return a
	}
	k := strings.ToLower(oneLine(name))
	if a, ok := im.assets[k]; ok {
		im.named[name] = a
		return a
	}
	a := &assetRef{id: im.ids.Make(k, "asset")}
	im.assets[k], im.named[name] = a, a
	im.out.Doc.Assets = append(im.out.Doc.Assets, &spec.Asset{ID: a.id, Name: oneLine(name), Kind: "data"})
	return a
}

func numbered(prefix string, n int) string {
	if n > 0 {
		return prefix + "-" + strconv.Itoa(n)
	}
	return prefix
}

// descSize is about the size of t's description, line its statement: the
// texts it is written from and their keys. (Sizing the buffer for the
// metadata's texts too — Comments are often the longest — saves growing it
// while they are written.)
func descSize(t *threat, line int) int {
	n := line + len(t.ThreatSource) + len(t.Prerequisites) + len(t.ThreatAction) + len(t.ThreatImpact) + 128
	for _, l := range [][]string{t.ImpactedGoal, t.ImpactedAssets, t.Tags} {
		for _, s := range l {
			n += len(s) + 2
		}
	}
	for _, m := range t.Metadata {
		if v, ok := m.Value.(string); ok {
			n += len(m.Key) + len(v) + 3
		}
	}
	return n
}

func (im *importer) importThreats(ts []threat) {
	prio := false
	var unknown []string
	for n, t := range ts {
		statement := firstNonEmpty(t.Statement)
		if statement == "" {
			statement = firstNonEmpty(compose(t)) // built only when needed
		}
		if statement == "" {
			statement = "Untitled threat"
		}
		x := &spec.Threat{ID: im.wardID(t.Metadata, "threat", t.NumericID), FoundBy: "team"}
		line := oneLine(statement)
		x.Title, _ = titleLine(line, 300)
		// The description's lines (none empty) are written into one
		// buffer: joining them made every line twice.
		var desc strings.Builder
		desc.Grow(descSize(&t, len(line)))
		add := func(k, v string) {
			if desc.Len() > 0 {
				desc.WriteByte('\n')
			}
			desc.WriteString(k)
			desc.WriteString(": ")
			desc.WriteString(v)
		}
		if x.Title != line {
			desc.WriteString(line)
		}
		for _, p := range []struct{ k, v string }{
			{"Threat source", t.ThreatSource}, {"Prerequisites", t.Prerequisites}, {"Threat action", t.ThreatAction},
			{"Threat impact", t.ThreatImpact},
		} {
			if v := strings.TrimSpace(p.v); v != "" {
				add(p.k, oneLine(v))
			}
		}
		for _, p := range []struct {
			k  string
			vs []string
		}{{"Impacted goal", t.ImpactedGoal}, {"Impacted assets", t.ImpactedAssets}, {"Tags", t.Tags}} {
			if !oneLineItems(p.vs) {
				if v := strings.TrimSpace(strings.Join(p.vs, ", ")); v != "" {
					add(p.k, oneLine(v))
				}
				continue
			}
			// Items on one line each, none empty: so is their list,
			// written as it is joined without joining it first.
			add(p.k, p.vs[0])
			for _, v := range p.vs[1:] {
				desc.WriteString(", ")
				desc.WriteString(v)
			}
		}
		eachMeta(t.Metadata, add)
		x.Description = desc.String()
		x.Stride = stride(meta(t.Metadata, "STRIDE"))
		if p, ok := meta(t.Metadata, "Priority").(string); ok {
			x.Likelihood, x.Impact = priority(p)
			prio = prio || x.Likelihood != ""
		}
		for _, a := range t.ImpactedAssets {
			if strings.TrimSpace(a) != "" {
				if ref := im.asset(a); ref.last != n+1 {
					ref.last = n + 1
					x.Assets = append(x.Assets, ref.id)
				}
			}
		}
		switch t.Status {
		case "", threatIdentified:
		case threatResolved:
			x.Status = "mitigated"
		case threatResolvedNotUseful:
			x.Status, x.Reason = "false_positive", "marked resolved (not useful) in Threat Composer"
		default:
			if !contains(unknown, t.Status) {
				unknown = append(unknown, t.Status)
			}
		}
		if _, fromWard := meta(t.Metadata, keyID).(string); fromWard {
			st, _ := meta(t.Metadata, keyStatus).(string)
			if !validThreatStatus[st] {
				st = ""
			}
			x.Status, x.Reason = st, ""
			if st == "open" {
				x.Status = ""
			}
			x.Owner, _ = meta(t.Metadata, keyOwner).(string)
			x.Reason, _ = meta(t.Metadata, keyReason).(string)
			x.Expires, _ = meta(t.Metadata, keyExpires).(string)
		}
		if t.ID != "" {
			im.threats[t.ID] = x
		}
		im.out.Doc.Threats = append(im.out.Doc.Threats, x)
	}
	if len(im.out.Doc.Assets) > 0 {
		im.note("assets created from the threats' impacted-asset names (kind data, no classification): set classification and data kinds so ward can weigh impact")
	}
	if prio {
		im.note("threat priority mapped to a likelihood and impact guess: High → likely/major, Medium → possible/moderate, Low → unlikely/minor")
	}
	if len(unknown) > 0 {
		im.note("unknown threat status(es) %s read as open", strings.Join(unknown, ", "))
	}
	if len(ts) > 0 {
		im.note("threats have no targets (Threat Composer does not tie threats to components); the grammar parts are kept in each description")
	}
}

// compose builds a statement from the grammar parts when the file has none.
func compose(t threat) string {
	if t.ThreatSource == "" && t.ThreatAction == "" {
		return ""
	}
	s := "A " + oneLine(t.ThreatSource)
	if t.Prerequisites != "" {
		s += " " + oneLine(t.Prerequisites)
	}
	s += " can " + oneLine(t.ThreatAction)
	if t.ThreatImpact != "" {
		s += ", which leads to " + oneLine(t.ThreatImpact)
	}
	return s
}

var mitStatus = map[string]string{
	"": "proposed", mitigationIdentified: "proposed", mitigationInProgress: "planned",
	mitigationResolved: "implemented", mitigationResolvedWillNotAction: "wont_do",
}

func (im *importer) importMitigations(ms []mitigation) {
	var unknown []string
	for _, m := range ms {
		x := &spec.Mitigation{ID: im.wardID(m.Metadata, "mitigation", m.NumericID)}
		var long bool
		x.Title, long = title(firstNonEmpty(m.Content, "Untitled mitigation"), 200)
		var desc []string
		if long {
			desc = append(desc, strings.TrimSpace(m.Content))
		}
		if len(m.Tags) > 0 {
			desc = append(desc, "Tags: "+strings.Join(m.Tags, ", "))
		}
		desc = append(desc, metaText(m.Metadata)...)
		x.Description = strings.Join(desc, "\n")
		s, ok := mitStatus[m.Status]
		if !ok {
			s = "proposed"
			if !contains(unknown, m.Status) {
				unknown = append(unknown, m.Status)
			}
		}
		if st, ok := meta(m.Metadata, keyStatus).(string); ok && validMitStatus[st] {
			s = st
		}
		if s != "proposed" {
			x.Status = s
		}
		if m.ID != "" {
			im.mits[m.ID] = x
		}
		im.out.Doc.Mitigations = append(im.out.Doc.Mitigations, x)
	}
	if len(unknown) > 0 {
		im.note("unknown mitigation status(es) %s read as proposed", strings.Join(unknown, ", "))
	}
}

func (im *importer) importLinks(w *workspace) {
	bad := 0
	for _, l := range w.MitigationLinks {
		t, m := im.threats[l.LinkedID], im.mits[l.MitigationID]
		if t == nil || m == nil {
			bad++
			continue
		}
		if !contains(t.Mitigations, m.ID) {
			t.Mitigations = append(t.Mitigations, m.ID)
		}
	}
	if bad > 0 {
		im.note("%d mitigation link(s) name a threat or mitigation not in the file; dropped", bad)
	}
}

func (im *importer) importAssumptions(w *workspace) {
	supports := map[string][]string{}
	bad := 0
	for _, l := range w.AssumptionLinks {
		var id string
		if t := im.threats[l.LinkedID]; t != nil && l.Type != "Mitigation" {
			id = t.ID
		} else if m := im.mits[l.LinkedID]; m != nil && l.Type != "Threat" {
			id = m.ID
		}
		if id == "" {
			bad++
			continue
		}
		if !contains(supports[l.AssumptionID], id) {
			supports[l.AssumptionID] = append(supports[l.AssumptionID], id)
		}
	}
	known := map[string]bool{}
	for _, a := range w.Assumptions {
		text := strings.TrimSpace(a.Content)
		if text == "" {
			text = "Untitled assumption"
		}
		if extra := append(metaText(a.Metadata), tagLine(a.Tags)...); len(extra) > 0 {
			text += "\n\n" + strings.Join(extra, "\n")
		}
		x := &spec.Assumption{ID: im.wardID(a.Metadata, "assumption", a.NumericID), Text: text, Supports: supports[a.ID]}
		if st, ok := meta(a.Metadata, keyStatus).(string); ok && (st == "validated" || st == "invalidated") {
			x.Status = st
		}
		known[a.ID] = true
		im.out.Doc.Assumptions = append(im.out.Doc.Assumptions, x)
	}
	for id := range supports {
		if !known[id] {
			bad++
		}
	}
	if bad > 0 {
		im.note("%d assumption link(s) name an assumption, threat or mitigation not in the file; dropped", bad)
	}
	if len(w.Assumptions) > 0 {
		im.note("assumptions imported as unvalidated; their comments are appended to the text")
	}
}

var validThreatStatus = map[string]bool{"open": true, "mitigated": true, "accepted": true, "false_positive": true, "transferred": true}

var validMitStatus = map[string]bool{"proposed": true, "planned": true, "implemented": true, "verified": true, "wont_do": true}

// wardID is the id Ward exported in the metadata, else one made from
// kind and the item's number (numbered).
func (im *importer) wardID(ms []metadata, kind string, n int) string {
	if id, ok := meta(ms, keyID).(string); ok && interop.ValidID(id) && !im.ids.Used(id) {
		return im.ids.Use(id)
	}
	return im.ids.Make(numbered(kind, n), kind)
}

func tagLine(tags []string) []string {
	if len(tags) == 0 {
		return nil
	}
	return []string{"Tags: " + strings.Join(tags, ", ")}
}
