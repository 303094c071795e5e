// Package rule is Ward's analysis engine. A Rule is a value: a stable id, its
// documentation and a Check that looks at one element of a model. Run applies
// rules to every element they apply to and returns threats and questions.
//
// A rule whose structural precondition holds raises a threat whatever the
// controls say; the controls set its status: stated absent → open, unknown →
// unverified (with the questions whose answers would settle it), stated
// present → mitigated (kept only when Options.Mitigated asks for them).
// Unknown is never taken as "absent": an unverified threat is not called a
// gap, and risk scores it below an equal stated gap.
package rule

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/wardtm/ward/internal/model"
)

// On says which kind of element a rule examines.
type On uint8

// Element kinds a rule can examine.
const (
	OnComponent On = iota + 1
	OnFlow
	OnBoundary
	OnAsset
	OnModel
)

// String returns the element kind's name.
func (o On) String() string {
	switch o {
	case OnComponent:
		return "component"
	case OnFlow:
		return "flow"
	case OnBoundary:
		return "boundary"
	case OnAsset:
		return "asset"
	case OnModel:
		return "model"
	}
	return "?"
}

// ParseOn parses an element kind name.
func ParseOn(s string) (On, bool) {
	for o := OnComponent; o <= OnModel; o++ {
		if o.String() == s {
			return o, true
		}
	}
	return 0, false
}

// Rule is one threat-finding rule.
type Rule struct {
	// ID is stable kebab-case, never reused.
	ID string
	// Title names the threat in general terms; findings carry a title that
	// names the elements involved.
	Title    string
	Category model.Category
	// Doc explains the threat and why it matters.
	Doc         string
	CWE         []int
	CAPEC       []int
	Mitigations []string
	References  []string
	On          On
	// Property is the CIA property at stake; zero means the category's.
	Property model.Property
	// Exploitability adjusts likelihood from -2 (hard) to +2 (trivial).
	Exploitability int
	// Vector is how the attacker reaches what the threat is about
	// (network by default): risk follows exposure, the content's origin,
	// or neither (supply chain).
	Vector model.Vector
	// SoughtFoothold marks the rule's elevation threat as a foothold
	// attackers seek out whatever the element's exposure (code run by a
	// crafted file in a worker that opens others' files): at impact 5 its
	// likelihood is possible at least (docs/risk.md, a store sought out).
	SoughtFoothold bool
	// SensitiveOnly marks a rule that raises its threats only where the
	// data at stake is sensitive (model.Asset.Sensitive): when every asset
	// an unverified threat has at stake is sensitive only because Ward
	// took it as confidential for want of a stated sensitivity
	// (model.InferredClass), the threat asks what each of them needs
	// (Ctx.AskNeeds), since a low need would settle it.
	SensitiveOnly bool
	Origin        model.Origin
	// Also lists further STRIDE categories the same weakness enables; each
	// raises its own threat, with id rule:target:category.
	Also []model.Category
	// Receiver makes a flow rule's threats name the receiving component
	// too, for threats about what the receiver does with the flow.
	Receiver bool
	// Mentions returns further elements a threat of the rule on target t
	// is about and names in its text (a component's callers), other than
	// its targets. They join the threat's targets once the threats listed
	// are chosen (after the per-element cap and the folds: they change
	// neither which threats are listed nor their ranking), so a reviewer
	// who writes the weakness on one of them finds it. Nil for most rules.
	// It only reads the model: it is called for several threats at once.
	Mentions func(t model.Target) []model.Target
	// Family names rules that partition their elements and raise one
	// weakness (the transport rules: a flow that may travel in cleartext is
	// reported by exactly one of them): their threats of one category and
	// status on the flows into one zone are merged into one (family.go).
	Family string
	// ZoneWide marks a rule whose control is a practice decided once per
	// platform rather than per element (security event logging, backups,
	// request limits, secrets handling and rotation, dependency pinning):
	// its unverified threats of one category on several components of one
	// zone are merged into one (zonemerge.go); a flow rule's, on the flows
	// into one zone, as a family of its own (family.go).
	ZoneWide bool
	// SameOnReceiver names, for a flow rule, the component rule whose
	// threat on the flow's receiver is the same weakness (a flow that is
	// not authenticated, a receiver that does not authenticate its
	// callers): the listed flow threat joins that threat (internal/analysis).
	SameOnReceiver string
	// SameLine names another rule whose threat of the same category on
	// the same element is the same attack stopped by a different control
	// (flooding an entry point: no-rate-limiting and no-request-limits): a
	// reviewer writes the two as one line. Where both are listed on a
	// shared element the better-ranked stays, naming the other's elements
	// and asking its questions too (internal/analysis, sameline.go). The
	// relation is symmetric: one of the two rules names the other (a rule
	// may be named by several, and may name several, separated by commas).
	SameLine string
	// OneLine marks a rule whose threats of different categories on one
	// element (its own threat and its further STRIDE readings, Also) are
	// one line a reviewer writes once, under whichever category: one
	// missing control with one owner (people's access to a store reviewed,
	// credentials encrypted on a hop, an entry point authenticating its
	// callers). Where several of its readings on one element are listed
	// after the other folds, the better-ranked stays, naming the others'
	// elements and carrying their categories (a line of any of them still
	// finds it); the others leave the list (internal/analysis, readings.go).
	OneLine bool
	// SameLineShared marks a rule whose own threats of one category are
	// one line where they meet: they name a shared element, or a component
	// at an end of a flow either names (three services calling one another
	// unauthenticated from one caller, a vendor's data going out on its API
	// and coming back on its webhook, one parser reading two feeds). The
	// missing control is decided at the component they share (its callers'
	// identity, the vendor's terms, the parser), and a reviewer writes it
	// there once. Marked rules of one Family are one another's partner so
	// (one weakness, reported by whichever rule fits each hop). They fold
	// as SameLine pairs do (internal/analysis, sameline.go).
	SameLineShared bool
	// Source is where a custom rule was defined.
	Source model.Pos
	// Check examines the target in x and reports through x.
	Check func(x *Ctx)
}

// PropertyAtStake returns the CIA property the rule's threat is against.
func (r *Rule) PropertyAtStake() model.Property {
	if r.Property != 0 {
		return r.Property
	}
	return r.Category.Property()
}

// Ctx is what a rule's Check sees and reports through.
type Ctx struct {
	Model  *model.Model
	Target model.Target
	rule   *Rule
	memo   *memo
	// pending are the unknown facts consulted since the last Report.
	pending []pending
	// settled is set when a consulted control is stated present, so that a
	// No outcome is a mitigated threat rather than a missing precondition.
	settled bool
	// mitigated keeps mitigated threats (Options.Mitigated).
	mitigated bool
	// also are extra targets for the next Report.
	also []model.Target
	// enables, when enablesSet, replaces the rule's Also for the next Report.
	enables    []model.Category
	enablesSet bool
	// ease, when easeSet, replaces the rule's Exploitability for the next
	// Report.
	ease    int
	easeSet bool
	// stakes, set by Stake, replace the assets at stake of the next
	// Report's threat in one category.
	stakes []catStake
	out    *results
	track  *tracker // the run's budget (budget.go)
	// scope and flow place the target in the run's flows (-1: not in the
	// flow pass); facts are the FlowFacts this rule has read (flowfact.go).
	scope *scope
	flow  int
	facts []factSlot
}

type pending struct {
	key    string
	ctl    model.Control
	target model.Target
	code   uintptr // the fact: a control, or one of the flow facts below
}

// The codes of the facts that are not controls, after the controls' own.
const (
	codeEncryption = uintptr(model.NumControls) + iota
	codeAuthentication
	codeForwardsIdentity
	// codeNeeds asks an asset's needs: what it needs of confidentiality,
	// integrity and availability, when nothing in the model states how
	// sensitive it is (AskNeeds).
	codeNeeds
	// codeCarries asks what a flow carries, when Ward read it from the
	// store it reaches (askCarried).
	codeCarries
)

// text words the question; it runs once per question, when Run merges
// them. The wording is joined from parts rather than formatted with fmt (a
// large model asks 100,000s of questions); questionParts says how.
func (p pending) text() string {
	return string(p.appendText(nil))
}

// appendText appends the question's wording (text) to b.
func (p pending) appendText(b []byte) []byte {
	switch p.key {
	case "encryption":
		f := p.target.Flow
		return appendAll(b, "Is flow `", f.ID, "` (", f.From.ID, " → ", f.To.ID, ") encrypted in transit (TLS or mTLS)?")
	case "authentication":
		f := p.target.Flow
		return appendAll(b, "How does `", f.To.ID, "` authenticate `", f.From.ID, "` on flow `", f.ID, "` (none, token, mtls, ...)?")
	case "forwards_identity":
		f := p.target.Flow
		return appendAll(b, "Does flow `", f.ID, "` carry the end user's identity to `", f.To.ID, "`, or only `", f.From.ID, "`'s own credentials?")
	case CarriesKey:
		return appendCarriesText(b, p.target.Flow)
	case NeedsKey:
		return appendAll(b, "What does asset `", p.target.Asset.ID, "` need: confidentiality, integrity, availability (low, medium, high or critical), or what is its classification?")
	}
	if qp := &questionParts[p.ctl]; qp.ok {
		return appendAll(b, qp.before, p.target.ID(), qp.after)
	}
	return fmt.Appendf(b, p.ctl.Info().Question, p.target.ID())
}

// appendAll appends parts to b.
func appendAll(b []byte, parts ...string) []byte {
	for _, s := range parts {
		b = append(b, s...)
	}
	return b
}

// questionParts splits each control's question around its one %s; ok is
// false (and text formats with fmt) for a question with any other verb.
var questionParts = func() (qs [model.NumControls]struct {
	before, after string
	ok            bool
}) {
	for c := range model.NumControls {
		q := model.Control(c).Info().Question
		if strings.Count(q, "%") == 1 && strings.Count(q, "%s") == 1 {
			qs[c].before, qs[c].after, qs[c].ok = strings.Cut(q, "%s")
		}
	}
	return qs
}()

// results are one rule's outcome. Questions are keyed by element and fact;
// they get their id when a rule first asks them and their wording when Run
// merges them, once per question rather than once per rule that asks it.
type results struct {
	findings  []*model.Finding
	questions map[qkey]*asked
	qorder    []*asked
	// slab, cats and tgts back findings in chunks instead of one allocation
	// each; cats and tgts are handed out with capacity 1 so appends copy.
	slab []model.Finding
	// slabs are the chunks slab was cut from, in order (Result.Slabs).
	slabs [][]model.Finding
	cats  []model.Category
	tgts  []model.Target
	// strs, lists and asks back ids and titles, alias and question-id
	// lists, and questions the same way (arena.go).
	strs  strArena
	lists strSlab
	asks  []asked
	// thr backs each question's first list of threats (firstThreats).
	thr []*model.Finding
	// refs is the rule's references, shared by its threats (refsOf).
	refs *model.Refs
	// memo is the run's memo (namedIDs); nil outside a run.
	memo *memo
}

// leftover returns the room o's chunks have left, for the next rule the
// worker runs: each rule's last chunks were ≈ 7 % of the threats' slots
// (16,000 of 199,000 at 10,000 components, ≈ 7 MB) left empty. o no
// longer cuts from them (a rule's results are final when it returns:
// merges allocate on their own). The chunks stay in o.slabs, listed once.
// The questions' index, which only Report and Ask read, passes on too, to
// be cleared rather than grown afresh by each rule (o.qorder keeps o's).
func (o *results) leftover() *results {
	q := o.questions
	o.questions = nil
	return &results{questions: q, slab: o.slab, cats: o.cats, tgts: o.tgts, strs: o.strs, lists: o.lists, asks: o.asks, thr: o.thr}
}

// refsOf returns r's references, made once per run of the rule.
func (o *results) refsOf(r *Rule) *model.Refs {
	if o.refs == nil {
		o.refs = &model.Refs{CWE: r.CWE, CAPEC: r.CAPEC, Suggested: r.Mitigations, References: r.References}
	}
	return o.refs
}

// ask returns a new question for p, its id built in the arena.
func (o *results) ask(p pending) *asked {
	if len(o.asks) == 0 {
		o.asks = make([]asked, min(max(len(o.qorder), 8), 512))
	}
	q := &o.asks[0]
	o.asks = o.asks[1:]
	q.p, q.id = p, o.strs.concat3(p.target.ID(), ".", p.key)
	return q
}

// firstThreats returns a copy of raised, the first threats a question
// settles, cut from a shared chunk rather than allocated alone: most
// questions settle one or two threats of a rule. The copy's capacity is its
// length, so a further append copies rather than writing into a neighbour.
func (o *results) firstThreats(raised []*model.Finding) []*model.Finding {
	if cap(o.thr)-len(o.thr) < len(raised) {
		o.thr = make([]*model.Finding, 0, max(len(raised), 1024))
	}
	start := len(o.thr)
	o.thr = append(o.thr, raised...)
	return o.thr[start:len(o.thr):len(o.thr)]
}

// qkey is a question's element (its component's or flow's address: the
// objects are distinct, so the address alone names the element) and fact,
// in one word: the address shifted right by three (the objects are 8-byte
// aligned, and user addresses are below 2⁶⁰ on every 64-bit platform) and
// the fact's code in the top seven bits. A map keyed by one word hashes and
// compares it on the runtime's fast path; the two-word key took the
// generic one (at 100,000 components ≈ 0.3 s in the merge of the
// questions alone).
type qkey uint64

// The facts' codes fit in qkey's seven bits (a compile error otherwise).
const _ = 127 - codeCarries

func qkeyOf(p pending) qkey {
	t := p.target
	var e unsafe.Pointer
	switch {
	case t.Component != nil:
		e = unsafe.Pointer(t.Component)
	case t.Flow != nil:
		e = unsafe.Pointer(t.Flow)
	case t.Boundary != nil:
		e = unsafe.Pointer(t.Boundary)
	case t.Asset != nil:
		e = unsafe.Pointer(t.Asset)
	}
	return qkey(uint64(uintptr(e))>>3 | uint64(p.code)<<57)
}

// asked is a question one rule depends on.
type asked struct {
	p       pending
	id      string
	threats []*model.Finding
}

// Memo returns fn's result for key, computing it once per run and sharing it
// between rules: for facts rules derive from the graph (paths, reachability)
// and need for many elements. fn must depend only on the model and key.
func (x *Ctx) Memo(key any, fn func() any) any {
	return x.memo.get(key, fn)
}

// memo is a run-wide cache safe for the concurrent rule workers.
type memo struct {
	mu sync.Mutex
	m  map[any]*memoEntry
	t  map[any]*memoTable
}

type memoEntry struct {
	once sync.Once
	v    any
}

func (c *memo) get(key any, fn func() any) any {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[any]*memoEntry{}
	}
	e := c.m[key]
	if e == nil {
		e = &memoEntry{}
		c.m[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.v = fn() })
	return e.v
}

// memoTable is a table of one byte per element (a FlowFact's or a
// CompFact's values) being filled in chunks.
type memoTable struct {
	v    []uint8
	next atomic.Int64 // the first element of the next chunk to fill
	left atomic.Int64 // the elements not filled yet
	done chan struct{}
}

// tableChunk is how many elements of a table a goroutine fills at a time.
const tableChunk = 1024

// table returns key's table of n values, value i being fill(i), which
// must depend only on i: filled once per run, in chunks, by every
// goroutine that asks for it before it is full. A table filled by the one
// worker that asked first left the other waiting on it: the family rules
// that start a run read one table of 50,000 flows at 10,000 components
// (≈ 8 ms on one core).
func (c *memo) table(key any, n int, fill func(i int) uint8) []uint8 {
	c.mu.Lock()
	if c.t == nil {
		c.t = map[any]*memoTable{}
	}
	t := c.t[key]
	if t == nil {
		t = &memoTable{v: make([]uint8, n), done: make(chan struct{})}
		t.left.Store(int64(n))
		if n == 0 {
			close(t.done)
		}
		c.t[key] = t
	}
	c.mu.Unlock()
	for {
		lo := int(t.next.Add(tableChunk)) - tableChunk
		if lo >= n {
			break
		}
		hi := min(lo+tableChunk, n)
		for i := lo; i < hi; i++ {
			t.v[i] = fill(i)
		}
		if t.left.Add(-int64(hi-lo)) == 0 {
			close(t.done)
		}
	}
	<-t.done
	return t.v
}

// Lacks says whether component c lacks every one of ctls: Yes when all are
// stated absent, No when any is present, Unknown when none is present and at
// least one is unknown (and then the unknown ones become questions if the
// rule reports).
func (x *Ctx) Lacks(c *model.Component, ctls ...model.Control) model.Tri {
	return x.lacks(model.Target{Component: c}, &c.Controls, ctls)
}

// FlowLacks is Lacks for controls stated on a flow.
func (x *Ctx) FlowLacks(f *model.Flow, ctls ...model.Control) model.Tri {
	return x.lacks(model.Target{Flow: f}, &f.Controls, ctls)
}

func (x *Ctx) lacks(t model.Target, cs *model.Controls, ctls []model.Control) model.Tri {
	out := model.Yes
	var unk []model.Control
	for _, c := range ctls {
		switch cs[c] {
		case model.Yes:
			x.settled = true
			return model.No
		case model.Unknown:
			unk = append(unk, c)
			out = model.Unknown
		}
	}
	for _, c := range unk {
		x.pending = append(x.pending, pending{key: c.Key(), ctl: c, target: t, code: uintptr(c)})
	}
	return out
}

// Unencrypted says whether flow f travels without encryption.
func (x *Ctx) Unencrypted(f *model.Flow) model.Tri {
	switch f.Encrypted() {
	case model.Yes:
		x.settled = true
		return model.No
	case model.No:
		return model.Yes
	}
	x.pending = append(x.pending, pending{key: "encryption", target: model.Target{Flow: f}, code: codeEncryption})
	return model.Unknown
}

// Unauthenticated says whether flow f's sender goes unauthenticated.
func (x *Ctx) Unauthenticated(f *model.Flow) model.Tri {
	switch f.Authenticated() {
	case model.Yes:
		x.settled = true
		return model.No
	case model.No:
		return model.Yes
	}
	x.pending = append(x.pending, pending{key: "authentication", target: model.Target{Flow: f}, code: codeAuthentication})
	return model.Unknown
}

// IdentityDropped says whether flow f reaches its receiver without the end
// user's identity (only the calling service is authenticated): Yes when
// forwards_identity is no, No when yes, else Unknown (and a question).
func (x *Ctx) IdentityDropped(f *model.Flow) model.Tri {
	switch f.ForwardsIdentity {
	case model.Yes:
		x.settled = true
		return model.No
	case model.No:
		return model.Yes
	}
	x.pending = append(x.pending, pending{key: "forwards_identity", target: model.Target{Flow: f}, code: codeForwardsIdentity})
	return model.Unknown
}

// Reports says whether a check outcome needs reporting: false when gap is
// No (unless mitigated threats are kept and a stated control settled it),
// and then the unknown facts consulted for it are dropped, as Report would.
// Rules call it to skip building a threat's title for nothing:
//
//	if gap := x.Lacks(c, ctl); x.Reports(gap) {
//		x.Report(gap, title, assets)
//	}
func (x *Ctx) Reports(gap model.Tri) bool {
	if gap == model.No && !(x.mitigated && x.settled) {
		x.pending = x.pending[:0]
		x.settled = false
		x.also = x.also[:0]
		x.enablesSet, x.easeSet = false, false
		x.stakes = x.stakes[:0]
		return false
	}
	return true
}

// Enables sets the further STRIDE categories the next Report raises,
// replacing the rule's Also: for weaknesses whose extra threats depend on the
// element (elevation only where the receiver offers privileged functions).
// Each category must be one of the rule's Also, so ids stay predictable.
func (x *Ctx) Enables(cats ...model.Category) {
	x.enables, x.enablesSet = x.enables[:0], true
	for _, c := range cats {
		if slices.Contains(x.rule.Also, c) {
			x.enables = append(x.enables, c)
		}
	}
}

// Ease sets the exploitability (-2 hard … +2 trivial) of the next Report's
// threats, replacing the rule's: for weaknesses that are harder to reach on
// some elements than the rule's usual target.
func (x *Ctx) Ease(n int) {
	x.ease, x.easeSet = max(-2, min(2, n)), true
}

// catStake is the assets at stake in one category of the next Report.
type catStake struct {
	cat    model.Category
	assets []*model.Asset
}

// Stake sets the assets at stake in the next Report's threat of category
// cat, in place of the assets passed to Report: for a weakness whose
// categories reach different data (reading others' objects takes what an
// API returns, changing them what callers send). An empty list keeps
// Report's.
func (x *Ctx) Stake(cat model.Category, assets []*model.Asset) {
	if len(assets) > 0 {
		x.stakes = append(x.stakes, catStake{cat, assets})
	}
}

// AlsoTarget names another element in the next Report's threat, for
// threats that involve both a flow and a component.
func (x *Ctx) AlsoTarget(t model.Target) {
	if t.ID() != "" && t.ID() != x.Target.ID() {
		x.also = append(x.also, t)
	}
}

// Report records the outcome of a check: a threat on the target, open when
// gap is Yes, unverified when it is Unknown (the unknown facts consulted
// become the questions that would settle it), mitigated when it is No
// because a stated control settled it (kept only when Options.Mitigated
// asks for it). The title names the elements involved; assets are those at
// stake (the target's own when nil); why lists the facts that make the
// threat likely. A rule with Also raises one threat per category.
func (x *Ctx) Report(gap model.Tri, title string, assets []*model.Asset, why ...string) {
	defer func() {
		x.pending = x.pending[:0]
		x.settled = false
		x.also = x.also[:0]
		x.enablesSet, x.easeSet = false, false
		x.stakes = x.stakes[:0]
	}()
	status := model.StatusOpen
	switch gap {
	case model.No:
		if !x.mitigated || !x.settled {
			return
		}
		status = model.StatusMitigated
	case model.Unknown:
		status = model.StatusUnverified
	}
	r := x.rule
	extra := r.Also
	if x.enablesSet {
		extra = x.enables
	}
	tid := x.Target.ID()
	if tid == "" { // a model-level threat is about the system
		tid = x.Model.System.ID
	}
	if assets == nil {
		assets = TargetAssets(x.Target)
	}
	o := x.out
	id := o.strs.concat3(r.ID, ":", tid)
	for _, prev := range x.out.findings[max(0, len(x.out.findings)-8-len(extra)*8):] {
		// A rule reports once per element. Ids of neighbouring elements
		// share their start and often their length: the last byte tells
		// most apart without comparing the rest.
		if p := prev.ID; len(p) == len(id) && (len(p) == 0 || p[len(p)-1] == id[len(id)-1]) && p == id {
			return
		}
	}
	ntg := 1 + len(x.also)
	if r.Receiver && x.Target.Flow != nil && x.Target.Flow.To != nil {
		ntg++
	}
	var tgts []model.Target
	if len(o.tgts) < ntg {
		o.tgts = make([]model.Target, max(ntg, min(max(len(o.findings), 8), 512)))
	}
	tgts, o.tgts = o.tgts[:ntg:ntg], o.tgts[ntg:]
	tgts[0] = x.Target
	copy(tgts[1:], x.also)
	if ntg > 1+len(x.also) {
		tgts[ntg-1] = model.Target{Component: x.Target.Flow.To}
	}
	first := len(o.findings)
	ease := r.Exploitability
	if x.easeSet {
		ease = x.ease
	}
	var alias []string
	if len(extra) > 0 {
		alias = append(o.lists.take(1), id) // decisions on the weakness's id cover every category
		alias = o.lists.done(alias)
	}
	for k := -1; k < len(extra); k++ {
		cat, fid, prop, ttl := r.Category, id, r.PropertyAtStake(), title
		var aliases []string
		if k >= 0 {
			cat = extra[k]
			fid, prop = o.strs.concat3(id, ":", string(cat)), cat.Property()
			aliases = alias
			ttl = o.strs.concat2(title, effectOf(cat))
		}
		if len(o.slab) == 0 {
			n := min(max(len(o.findings), 8), 512) // grow with the rule's yield
			o.slab = make([]model.Finding, n)
			o.slabs = append(o.slabs, o.slab)
			o.cats = make([]model.Category, n)
		}
		f := &o.slab[0]
		o.slab = o.slab[1:]
		o.cats[0] = cat
		cats := o.cats[:1:1]
		o.cats = o.cats[1:]
		// The slab is zeroed: set the fields one by one rather than copying
		// a whole 408-byte literal (a bulk copy with write barriers).
		f.ID, f.Rule, f.Origin, f.Title, f.Description = fid, r.ID, r.Origin, ttl, r.Doc
		at := assets
		for _, s := range x.stakes {
			if s.cat == cat {
				at = s.assets
			}
		}
		f.Category, f.Categories, f.Targets, f.Assets = cat, cats, tgts, at
		f.Refs, f.Property = o.refsOf(r), prop
		f.Exploitability, f.Vector, f.Rationale, f.Status, f.FoundBy, f.Pos = int8(ease), r.Vector, why, status, model.FoundByTool, x.Target.Pos()
		f.Sought = r.SoughtFoothold
		f.Aliases = aliases
		o.findings = append(o.findings, f)
	}
	if status != model.StatusUnverified {
		return
	}
	if r.SensitiveOnly && guessedSensitive(assets) {
		// The threat stands on sensitivity Ward took by default: what
		// the assets need settles it too.
		x.AskNeeds(assets...)
	}
	x.askCarried(x.Target.Flow, assets) // what Ward read the flow to carry
	raised := o.findings[first:]
	// The threats raised together share one list of the questions that
	// settle them.
	qids := o.lists.take(len(x.pending))
	for _, p := range x.pending {
		k := qkeyOf(p)
		q := o.questions[k]
		if q == nil {
			q = o.ask(p)
			o.questions[k] = q
			o.qorder = append(o.qorder, q)
		}
		if q.threats == nil {
			q.threats = o.firstThreats(raised)
		} else {
			q.threats = append(q.threats, raised...)
		}
		if !slices.Contains(qids, q.id) {
			qids = append(qids, q.id)
		}
	}
	qids = o.lists.done(qids)
	for _, f := range raised {
		f.Questions = qids
	}
}

// Ask records the unknown facts consulted since the last Report as
// questions that settle no threat, and raises nothing: for a weakness whose
// control the model leaves unknown where the model does not draw the
// structure that makes it a threat (no one shown with access to a store).
// The question stays on the model's list, so the unknown is asked about
// rather than read as "no"; a stated gap is still reported as a threat.
func (x *Ctx) Ask() {
	o := x.out
	for _, p := range x.pending {
		k := qkeyOf(p)
		if o.questions[k] == nil {
			q := o.ask(p)
			o.questions[k] = q
			o.qorder = append(o.qorder, q)
		}
	}
	x.pending = x.pending[:0]
	x.settled = false
	x.also = x.also[:0]
	x.enablesSet = false
	x.stakes = x.stakes[:0]
}

// effectOf says, in a title, what a weakness's further STRIDE threat is
// ("" for a category that is not STRIDE's). A switch, not a map: Report
// asks for every further threat, and a map hashes the category's name.
func effectOf(c model.Category) string {
	switch c {
	case model.Spoofing:
		return ": someone can act as another"
	case model.Tampering:
		return ": data or requests can be altered"
	case model.Repudiation:
		return ": actions cannot be traced to who did them"
	case model.InformationDisclosure:
		return ": data can be read by the wrong people"
	case model.DenialOfService:
		return ": the service can be made unavailable"
	case model.ElevationOfPrivilege:
		return ": callers can gain access they were not given"
	}
	return ""
}

// TargetAssets returns the assets an element holds: a component's stored and
// processed assets, a flow's carried assets.
func TargetAssets(t model.Target) []*model.Asset {
	switch {
	case t.Component != nil:
		return t.Component.Assets()
	case t.Flow != nil:
		return t.Flow.Carries
	case t.Asset != nil:
		return []*model.Asset{t.Asset}
	}
	return nil
}
