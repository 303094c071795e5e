package threatcomposer

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/model"
)

// namespace is the UUID namespace of Ward's exports: ids are UUIDv5 of the
// system id, the kind and the Ward id, so re-exporting gives the same ids.
var namespace = [16]byte{0x6b, 0x1d, 0x2f, 0x0e, 0x5a, 0x43, 0x4c, 0x1b, 0x9e, 0x61, 0x0d, 0x7a, 0x3c, 0x55, 0x28, 0x90}

// uuid5 returns the RFC 9562 version 5 UUID of name in namespace.
func uuid5(name string) string { return uuid5Of(name) }

// uuid5Of is uuid5 of the concatenation of parts, hashed from a buffer on
// the stack (an export names every threat and mitigation by one) and
// written in one allocation: the bytes of
// fmt.Sprintf("%x-%x-%x-%x-%x", …) on the UUID's five groups.
func uuid5Of(parts ...string) string {
	var buf [256]byte
	b := append(buf[:0], namespace[:]...)
	for _, p := range parts {
		b = append(b, p...)
	}
	sum := sha1.Sum(b)
	u := sum[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	var out [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hexDigit[c>>4], hexDigit[c&0xf]
		j += 2
	}
	return string(out[:])
}

const hexDigit = "0123456789abcdef"

// lowerASCII holds every ASCII byte at its own index, to cut one-byte
// strings from.
var lowerASCII = func() string {
	b := make([]byte, utf8.RuneSelf)
	for i := range b {
		b[i] = byte(i)
	}
	return string(b)
}()

// Threat Composer's field limits (its import refuses longer values).
const (
	maxPart      = 200
	maxStatement = 1400
	maxContent   = 1000
	maxTag       = 30
	maxComment   = 1000
)

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	// Walk n runes, remembering where the first n-1 end, instead of
	// converting the whole string to runes: the impact and the statement
	// can name hundreds of assets.
	// ASCII text (most of it) is cut by bytes.
	k, lim := 0, min(len(s), n)
	for k+8 <= lim {
		t := s[k : k+8]
		if (uint64(t[0])|uint64(t[1])<<8|uint64(t[2])<<16|uint64(t[3])<<24|
			uint64(t[4])<<32|uint64(t[5])<<40|uint64(t[6])<<48|uint64(t[7])<<56)&0x8080808080808080 != 0 {
			break
		}
		k += 8
	}
	for k < lim && s[k] < utf8.RuneSelf {
		k++
	}
	if k == len(s) {
		return s // at most n runes
	}
	if k == n {
		return strings.TrimRight(s[:n-1], " ") + "…"
	}
	i, cut := 0, 0
	for k := 0; k < n && i < len(s); k++ {
		if k == n-1 {
			cut = i
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i >= len(s) {
		return s // at most n runes
	}
	head := s[:cut]
	if !utf8.ValidString(head) {
		// string([]rune(…)) writes U+FFFD for each invalid byte.
		head = string([]rune(head))
	}
	return strings.TrimRight(head, " ") + "…"
}

var threatStatus = map[model.Status]string{
	model.StatusOpen: threatIdentified, model.StatusMitigated: threatResolved, model.StatusAccepted: threatResolved,
	model.StatusTransferred: threatResolved, model.StatusFalsePositive: threatResolvedNotUseful,
}

var mitigationStatus = map[model.MitigationStatus]string{
	model.MitProposed: mitigationIdentified, model.MitPlanned: mitigationInProgress, model.MitImplemented: mitigationResolved,
	model.MitVerified: mitigationResolved, model.MitWontDo: mitigationResolvedWillNotAction,
}

// exported has the field order of Threat Composer's own exports.
type exported struct {
	Schema          int              `json:"schema"`
	ApplicationInfo appInfo          `json:"applicationInfo"`
	Architecture    diagram          `json:"architecture"`
	Dataflow        diagram          `json:"dataflow"`
	Assumptions     []assumption     `json:"assumptions"`
	Mitigations     []mitigation     `json:"mitigations"`
	AssumptionLinks []assumptionLink `json:"assumptionLinks"`
	MitigationLinks []mitigationLink `json:"mitigationLinks"`
	Threats         []threat         `json:"threats"`
}

// Export writes the analysed model as a Threat Composer workspace: every
// finding (generated or written by the team) becomes a threat statement
// whose grammar parts are derived from its targets and assets.
func Export(a *analysis.Analysis) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, a); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write writes the export to out, streaming (interop.WriteIndentedJSON):
// the bytes Export returns.
func Write(out io.Writer, a *analysis.Analysis) error {
	m := a.Model
	id := func(kind, wardID string) string { return uuid5Of("ward:", m.System.ID, ":", kind, ":", wardID) }
	w := exported{Schema: 1, Assumptions: []assumption{}, Mitigations: []mitigation{}, AssumptionLinks: []assumptionLink{},
		MitigationLinks: []mitigationLink{}, Threats: []threat{}}
	w.ApplicationInfo = appInfo{Name: m.System.Name, Description: strings.TrimSpace(m.System.Description + "\n\n" + notes)}
	w.Architecture.Description = architecture(m)
	w.Dataflow.Description = dataflows(m)

	// A threat's id is made where it is needed (on the workers for the
	// threats), not kept in a map of every finding.
	for _, f := range a.Findings {
		if len(f.Mitigations) == 0 {
			continue
		}
		tid := id("threat", f.ID)
		for _, mi := range f.Mitigations {
			w.MitigationLinks = append(w.MitigationLinks, mitigationLink{MitigationID: id("mitigation", mi.ID), LinkedID: tid})
		}
	}
	// The texts of long lists of assets at stake, made once per list: a few
	// rules put model-wide lists (hundreds of assets) at stake for thousands
	// of threats, which share the list's backing array. Read-only while the
	// threats are written on several goroutines.
	texts := map[assetsKey]*assetTexts{}
	for _, f := range a.Findings {
		if len(f.Assets) >= minSharedAssets {
			if k := (assetsKey{&f.Assets[0], len(f.Assets)}); texts[k] == nil {
				texts[k] = newAssetTexts(f.Assets, true)
			}
		}
	}
	targets := map[model.Target]targetText{}
	for _, f := range a.Findings {
		if len(f.Targets) > 0 {
			if _, ok := targets[f.Targets[0]]; !ok {
				targets[f.Targets[0]] = textOf(f.Targets[0])
			}
		}
	}
	mk := threatMaker{a: a, id: id, texts: texts, targets: targets}
	for i, mi := range m.Mitigations {
		x := mitigation{ID: id("mitigation", mi.ID), NumericID: i + 1, DisplayOrder: i + 1,
			Metadata: []metadata{{Key: keyID, Value: mi.ID}, {Key: keyStatus, Value: string(mi.Status)}},
			Content:  clip(mi.Title, maxContent), Status: mitigationStatus[mi.Status]}
		var c []string
		if mi.Description != "" {
			c = append(c, mi.Description)
		}
		for _, kv := range [][2]string{{"Owner", mi.Owner}, {"Ticket", mi.Ticket}} {
			if kv[1] != "" {
				c = append(c, kv[0]+": "+kv[1])
			}
		}
		if !mi.Due.IsZero() {
			c = append(c, "Due: "+mi.Due.Time.Format("2006-01-02"))
		}
		if len(c) > 0 {
			x.Metadata = append(x.Metadata, metadata{Key: "Comments", Value: clip(strings.Join(c, "\n"), maxComment)})
		}
		w.Mitigations = append(w.Mitigations, x)
	}
	// The findings assumptions support, by id.
	var supported map[string]bool
	for _, as := range m.Assumptions {
		for _, s := range as.Supports {
			if supported == nil {
				supported = map[string]bool{}
			}
			supported[s] = false
		}
	}
	if supported != nil {
		for _, f := range a.Findings {
			if _, ok := supported[f.ID]; ok {
				supported[f.ID] = true
			}
		}
	}
	for i, as := range m.Assumptions {
		x := assumption{ID: id("assumption", as.ID), NumericID: i + 1, DisplayOrder: i + 1,
			Metadata: []metadata{{Key: keyID, Value: as.ID}, {Key: keyStatus, Value: string(as.Status)}}, Content: clip(as.Text, maxContent)}
		c := "Status: " + string(as.Status)
		if as.Evidence != "" {
			c += "\nEvidence: " + as.Evidence
		}
		x.Metadata = append(x.Metadata, metadata{Key: "Comments", Value: clip(c, maxComment)})
		w.Assumptions = append(w.Assumptions, x)
		for _, s := range as.Supports {
			if supported[s] {
				w.AssumptionLinks = append(w.AssumptionLinks, assumptionLink{Type: "Threat", AssumptionID: x.ID, LinkedID: id("threat", s)})
			} else if m.Mitigation(s) != nil {
				w.AssumptionLinks = append(w.AssumptionLinks, assumptionLink{Type: "Mitigation", AssumptionID: x.ID, LinkedID: id("mitigation", s)})
			}
		}
	}
	if err := interop.WriteIndentedJSON(out, &w, map[string]interop.Lazy{"threats": {N: len(a.Findings), Append: mk.append}}); err != nil {
		return fmt.Errorf("encode Threat Composer workspace: %w", err)
	}
	return nil
}

// threatMaker makes an export's threats; its methods may be called from
// several goroutines at once.
type threatMaker struct {
	a     *analysis.Analysis
	id    func(kind, wardID string) string
	texts map[assetsKey]*assetTexts // shared lists of assets at stake
	// The texts of every finding's first target, made once per target
	// (a component is the first target of a dozen findings or more).
	targets map[model.Target]targetText
}

// make fills t with the i-th finding's threat, except its metadata, which
// it returns (in md), its statement and the value of its "Comments"
// metadata (at index comment), whose texts it leaves in stmt and com. (The
// metadata are apart so that md stays on the caller's stack.)
func (mk *threatMaker) make(i int, t *threat, md *[8]metadata, stmt, com *textParts) (meta []metadata, comment int) {
	f := mk.a.Findings[i]
	var at *assetTexts
	if len(f.Assets) >= minSharedAssets {
		at = mk.texts[assetsKey{&f.Assets[0], len(f.Assets)}]
	} else {
		at = newAssetTexts(f.Assets, false)
	}
	grammarWith(f, at, mk.targets, t, stmt)
	t.ID = mk.id("threat", f.ID)
	t.NumericID, t.DisplayOrder = i+1, i+1
	meta = append(md[:0], metadata{Key: "Priority", Value: priorityOf(f.Residual.Severity)})
	cats := f.Categories
	if len(cats) == 0 && f.Category != "" {
		cats = []model.Category{f.Category}
	}
	if len(cats) > 0 {
		letters := make([]string, len(cats))
		for k, c := range cats {
			letters[k] = c.Letter()
		}
		meta = append(meta, metadata{Key: "STRIDE", Value: letters})
	}
	// The description, then "Ward finding `id` (rule), status s, residual
	// risk r.".
	desc, gap := f.Description, ""
	if desc != "" {
		gap = "\n\n"
	}
	com.set(desc, gap, "Ward finding `", f.ID, "` (", f.Rule, "), status ", string(f.Status), ", residual risk ", f.Residual.Severity.String(), ".")
	comment = len(meta)
	meta = append(meta, metadata{Key: "Comments"})
	if f.Origin != model.OriginPeople && f.Rule != "" {
		t.Tags = []string{clip(f.Rule, maxTag)}
	}
	if th := f.Threat; th != nil {
		// The team's threat comes back with its id and status.
		meta = append(meta, metadata{Key: keyID, Value: th.ID})
		if th.Status != "" {
			meta = append(meta, metadata{Key: keyStatus, Value: string(th.Status)})
		}
		for _, kv := range [][2]string{{keyOwner, th.Owner}, {keyReason, th.Reason}, {keyExpires, dateOf(th.Expires)}} {
			if kv[1] != "" {
				meta = append(meta, metadata{Key: kv[0], Value: kv[1]})
			}
		}
	}
	t.Status = threatStatus[f.Status]
	if t.Status == "" {
		t.Status = threatIdentified
	}
	return meta, comment
}

// threat is the i-th finding's threat, made whole.
func (mk *threatMaker) threat(i int) threat {
	var t threat
	var md [8]metadata
	var stmt, com textParts
	meta, c := mk.make(i, &t, &md, &stmt, &com)
	t.Metadata = append([]metadata(nil), meta...)
	t.Statement = stmt.clip(maxStatement)
	t.Metadata[c].Value = com.clip(maxComment)
	return t
}

// append appends the i-th finding's threat as JSON (interop.Lazy.Append):
// the bytes of mk.threat(i)'s AppendIndentedJSON, written without making
// its statement and comment.
func (mk *threatMaker) append(dst []byte, i int, prefix string) ([]byte, error) {
	var t threat
	var md [8]metadata
	var stmt, com textParts
	meta, c := mk.make(i, &t, &md, &stmt, &com)
	return t.appendJSON(dst, prefix, meta, &stmt, &com, c)
}

// Metadata keys that carry Ward's ids and statuses, so an import of the
// export gives them back.
const (
	keyID     = "custom:wardId"
	keyStatus = "custom:wardStatus"
	// A decided threat's owner, reason and expiry date.
	keyOwner   = "custom:wardOwner"
	keyReason  = "custom:wardReason"
	keyExpires = "custom:wardExpires"
)

func dateOf(d model.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time.Format("2006-01-02")
}

// notes says what a Threat Composer workspace cannot hold; it is written
// into the workspace's description.
const notes = `Exported by Ward. Threat Composer cannot hold, so this workspace does not carry: ` +
	`components, data flows, boundaries and assets as elements (they are described as text in Architecture and Dataflow); ` +
	`security controls; decisions on findings generated by Ward's rules (the status is in each threat's comment); ` +
	`threat targets, likelihood and impact (a priority is given instead); mitigation owner, ticket and due date as fields (they are in the comment); ` +
	`assumption evidence as a field. Findings generated by Ward's rules become threat statements.`

func priorityOf(s model.Severity) string {
	switch {
	case s >= model.SevHigh:
		return "High"
	case s == model.SevMedium:
		return "Medium"
	}
	return "Low"
}

// grammar derives Threat Composer's grammar parts from a finding: the source
// is the actor that reaches the target, the action the finding's title, the
// impact what the finding does to its assets.
// minSharedAssets is the length from which lists of assets at stake have
// their texts made once per list.
const minSharedAssets = 8

// assetsKey identifies a list of assets at stake by its backing array.
type assetsKey struct {
	first **model.Asset
	n     int
}

// assetTexts are what a threat's grammar says about its assets at stake.
type assetTexts struct {
	labels []string // nil for none
	joined string   // labels joined by ", "
	and    string   // joinAnd(labels), if made (shared)
	shared bool
	// For a shared list: joined and and cut to what a clipped impact and
	// statement can show (cutFor), so that each threat's texts are built
	// from a bounded string rather than the whole list; and the JSON of
	// labels, made by the first threat written (labelsJSON).
	joinedCut, andCut string
	json              interop.JSONOnce
}

// cutFor returns a prefix of s that clips like s after any head: for a
// head h that starts with no space, clip(h+cutFor(s, n), n) is
// clip(h+s, n). The prefix runs to the first rune that is not a space at
// rune n of s or later (so both strings are cut, at the same rune), or is
// s if there is none.
func cutFor(s string, n int) string {
	k := 0
	for i := 0; i < len(s); k++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if k >= n && !unicode.IsSpace(r) {
			return s[:i]
		}
	}
	return s
}

// newAssetTexts makes the texts of as; and is made for a shared list only
// (the grammar joins an unshared list when it needs to).
func newAssetTexts(as []*model.Asset, shared bool) *assetTexts {
	t := assetTexts{shared: shared}
	if len(as) > 0 {
		t.labels = make([]string, 0, len(as))
	}
	for _, a := range as {
		t.labels = append(t.labels, a.Label())
	}
	t.joined = strings.Join(t.labels, ", ")
	if shared {
		t.and = joinAnd(t.labels)
		t.joinedCut, t.andCut = cutFor(t.joined, maxPart), cutFor(t.and, maxStatement)
	}
	return &t
}

func grammar(f *model.Finding, at *assetTexts) threat {
	var t threat
	var stmt textParts
	grammarParts(f, at, &t, &stmt)
	t.Statement = stmt.clip(maxStatement)
	return t
}

// grammarParts is grammar writing into t, leaving the statement's text in
// stmt.
func grammarParts(f *model.Finding, at *assetTexts, t *threat, stmt *textParts) {
	grammarWith(f, at, nil, t, stmt)
}

// targetText is what a threat's grammar says about the target it names
// first: its label, the threat source and the prerequisites (clipped).
type targetText struct {
	target, source, prereq string
}

// textOf returns the texts of a target.
func textOf(tg model.Target) targetText {
	target := label(tg)
	source, prereq := "threat actor", ""
	switch {
	case tg.Component != nil:
		c := tg.Component
		if actor := entryActor(c); actor != nil {
			source = "threat actor"
			prereq = fmt.Sprintf("who can act as %s or take over its connection to %s", actor.Label(), c.Label())
		} else if c.Trust() == model.TrustInternet {
			source = "external threat actor"
			prereq = "who can reach " + c.Label()
		} else {
			source = "internal threat actor"
			prereq = "with network access to " + c.Label()
		}
	case tg.Flow != nil:
		fl := tg.Flow
		if fl.From.Trust() == model.TrustInternet || fl.To.Trust() == model.TrustInternet {
			source = "external threat actor"
		}
		prereq = fmt.Sprintf("who can send, read or alter traffic on the %s flow", fl.Label())
	case tg.Boundary != nil:
		prereq = "inside " + tg.Boundary.Label()
	}
	return targetText{target: target, source: clip(source, maxPart), prereq: clip(prereq, maxPart)}
}

// noTarget is the texts of a finding without targets.
var noTarget = targetText{source: "threat actor"}

// grammarWith is grammarParts with the texts of the finding's first
// target taken from targets (made when absent; read only).
func grammarWith(f *model.Finding, at *assetTexts, targets map[model.Target]targetText, t *threat, stmt *textParts) {
	tt := noTarget
	if len(f.Targets) > 0 {
		var ok bool
		if tt, ok = targets[f.Targets[0]]; !ok {
			tt = textOf(f.Targets[0])
		}
	}
	target := tt.target
	t.ThreatSource = tt.source
	t.Prerequisites = tt.prereq
	t.ThreatAction = clip(action(f.Title, f.Origin == model.OriginPeople), maxPart)
	assets := at.labels
	t.ImpactedAssets = assets
	if t.ImpactedAssets == nil {
		t.ImpactedAssets = []string{}
	}
	what := at.joined
	if at.shared {
		what = at.joinedCut
	}
	t.assets = at
	if what == "" {
		what = target
	}
	if what == "" {
		what = "the system"
	}
	t.ImpactedGoal = []string{}
	switch f.Property {
	case model.Confidentiality:
		t.ThreatImpact = "unauthorised disclosure of " + what
		t.ImpactedGoal = goalConfidentiality
	case model.Availability:
		t.ThreatImpact = "loss of availability of " + what
		t.ImpactedGoal = goalAvailability
	case model.Integrity:
		t.ThreatImpact = "unauthorised changes to " + what
		t.ImpactedGoal = goalIntegrity
	default:
		t.ThreatImpact = "compromise of " + what
	}
	t.ThreatImpact = clip(t.ThreatImpact, maxPart)
	pre, sep := "", ""
	if t.Prerequisites != "" {
		pre, sep = t.Prerequisites, " "
	}
	if len(t.ImpactedGoal) > 0 && len(assets) > 0 {
		and := at.andCut
		if !at.shared {
			and = joinAnd(assets)
		}
		stmt.set(article(t.ThreatSource), " ", t.ThreatSource, sep, pre, " can ", t.ThreatAction, ", which leads to ", t.ThreatImpact,
			", resulting in reduced ", t.ImpactedGoal[0], " of ", and)
	} else {
		stmt.set(article(t.ThreatSource), " ", t.ThreatSource, sep, pre, " can ", t.ThreatAction, ", which leads to ", t.ThreatImpact)
	}
}

// The impacted goals, shared by every threat (read only).
var (
	goalConfidentiality = []string{"confidentiality"}
	goalAvailability    = []string{"availability"}
	goalIntegrity       = []string{"integrity"}
)

// concat joins parts in one allocation (a statement was built by four
// concatenations, each copying what came before).
func concat(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range parts {
		b.WriteString(p)
	}
	return b.String()
}

// entryActor returns an outside actor with a flow into c, if any.
func entryActor(c *model.Component) *model.Component {
	if c.IsActor() {
		return c
	}
	for _, fl := range c.In {
		if fl.From.IsActor() {
			return fl.From
		}
	}
	return nil
}

func label(t model.Target) string {
	switch {
	case t.Component != nil:
		return t.Component.Label()
	case t.Flow != nil:
		return t.Flow.Label()
	case t.Boundary != nil:
		return t.Boundary.Label()
	case t.Asset != nil:
		return t.Asset.Label()
	}
	return ""
}

// action turns a finding title into a verb phrase for "… can <action>".
// The team's titles describe what happens; rule titles name a weakness.
func action(title string, people bool) string {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(title), "."))
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return "exploit the system"
	}
	head := "exploit this weakness: "
	if people {
		head = "make this happen: "
	}
	// Keep acronyms (SQL, XSS) as they are.
	if next, _ := utf8.DecodeRuneInString(s[n:]); !unicode.IsUpper(next) {
		if lr := unicode.ToLower(r); lr < utf8.RuneSelf { // one allocation for the usual case
			return concat(head, lowerASCII[lr:lr+1], s[n:])
		}
		s = string(unicode.ToLower(r)) + s[n:]
	}
	return head + s
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "An"
	}
	return "A"
}

func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func architecture(m *model.Model) string {
	var b strings.Builder
	b.WriteString("Generated by ward from the model's boundaries and components.\n")
	for _, bd := range m.Boundaries {
		fmt.Fprintf(&b, "\n%s- **%s** (trust boundary, %s)", strings.Repeat("  ", bd.Depth()), bd.Label(), bd.Trust)
		for _, c := range bd.Components {
			fmt.Fprintf(&b, "\n%s  - %s", strings.Repeat("  ", bd.Depth()), component(c))
		}
	}
	first := true
	for _, c := range m.Components {
		if c.Boundary == nil {
			if first {
				b.WriteString("\n- Outside any boundary")
				first = false
			}
			b.WriteString("\n  - " + component(c))
		}
	}
	return b.String()
}

func component(c *model.Component) string {
	s := fmt.Sprintf("%s (%s", c.Label(), c.StatedKind())
	if c.Tech != "" {
		s += ", " + c.Tech
	}
	s += ")"
	if c.Description != "" {
		s += ": " + strings.Join(strings.Fields(c.Description), " ")
	}
	return s
}

func dataflows(m *model.Model) string {
	// Written piece by piece (a large model has tens of thousands of
	// flows): the bytes of "\n- %s → %s", " (%s)" and ": " + facts joined
	// by "; ".
	var b strings.Builder
	b.Grow(64 * (len(m.Flows) + 1))
	b.WriteString("Generated by ward from the model's data flows.\n")
	for _, f := range m.Flows {
		b.WriteString("\n- ")
		b.WriteString(f.From.Label())
		b.WriteString(" → ")
		b.WriteString(f.To.Label())
		if f.Name != "" {
			b.WriteString(" (")
			b.WriteString(f.Name)
			b.WriteString(")")
		}
		sep := ": "
		if f.Protocol != "" {
			b.WriteString(sep)
			b.WriteString(f.Protocol)
			sep = "; "
		}
		if cs := f.StatedCarries(); len(cs) > 0 {
			b.WriteString(sep)
			b.WriteString("carries ")
			for i, a := range cs {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(a.Label())
			}
		}
	}
	return b.String()
}
