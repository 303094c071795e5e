package report

import (
	"slices"
	"sync"

	"github.com/wardtm/ward/internal/jsonstr"
)

// The items of the result's long lists — findings, questions, components
// and flows, nearly all of a large result's JSON — are written by hand,
// already indented, rather than marshalled by reflection and re-indented:
// the bytes encoding/json writes with a two-space indent and HTML left
// unescaped (struct fields in order, omitempty honoured, nil slices and
// maps as null, map keys sorted). TestJSONIsEncodingJSON compares the
// whole result with encoding/json, and TestJSONItemsAllFields does so on
// items with every field set, so a field added to one of these types
// without its line here fails.

// jsonSpaces holds the indentation of every depth written here.
const jsonSpaces = "                                                                "

// jsonSeps is what comes before a list's element after the first: a
// comma, a new line and the indentation (cut to the element's depth).
const jsonSeps = ",\n" + jsonSpaces

// jsonLevels is how deep jsonW nests.
const jsonLevels = 16

// jsonKeySeps is, for each level, what comes before a member's key after
// the first: jsonSeps cut to the level and the key's opening quote.
var jsonKeySeps = func() (s [jsonLevels]string) {
	for d := range s {
		s[d] = jsonSeps[:2+2*d] + `"`
	}
	return s
}()

// jsonColKeys is, for each level, what comes between a location's line
// and its column.
var jsonColKeys = func() (s [jsonLevels]string) {
	for d := range s {
		s[d] = jsonSeps[:4+2*d] + `"col": `
	}
	return s
}()

// jsonW appends indented JSON: objects and arrays nest, each level two
// spaces deeper, and n counts the members written at each open level.
type jsonW struct {
	b     []byte
	depth int
	n     [jsonLevels]int
	// lists remembers the bytes of long string lists already written
	// (nil: none kept). Findings share their assets at stake, and a few
	// rules put the same hundreds of assets on thousands of threats.
	lists *jsonLists
	// memo remembers the bytes of what findings repeat (nil: none kept).
	memo *jsonMemo
	// heads are, per level, the file of the last location written there
	// and what a location in it starts with, up to its line.
	heads [jsonLevels]jsonLocHead
	// elem and loc are the bytes of the last question's element and
	// location (jsonBytesOf): an element's further questions (More) name
	// it one after the other.
	elem jsonBytesOf[Target]
	loc  jsonBytesOf[Location]
}

// jsonLocHead is what a location in file starts with, up to its line.
type jsonLocHead struct {
	file string
	b    []byte
}

// jsonBytesOf is the bytes of the value at p written at level depth.
type jsonBytesOf[T any] struct {
	p     *T
	depth int
	b     []byte
}

// touchBlock is how many findings a renderer touches (touchFinding)
// before writing them: their strings, a few kB each, stay in the cache.
const touchBlock = 64

// touchFindings is touchFinding of each finding of fs.
func touchFindings(fs []Finding) byte {
	var x byte
	for i := range fs {
		x ^= touchFinding(&fs[i])
	}
	return x
}

// touchFinding reads the first byte of the strings that the renderers copy
// from scattered memory (a finding's id, title, rule, reasons, targets and
// locations), for a block of findings before they are written
// (touchBlock). Each read is a likely cache miss; made here, where they do
// not depend on one another, the processor overlaps them, where a writer,
// doing much work between them, met them one at a time (json: ≈ −13 % of
// its render's CPU at 10,000 components). The caller keeps the result
// alive (runtime.KeepAlive) so that the reads are made.
func touchFinding(f *Finding) byte {
	x := first(f.ID) ^ first(f.Title) ^ first(f.Rule)
	for _, r := range f.Rationale {
		x ^= first(r)
	}
	for j := range f.Targets {
		t := &f.Targets[j]
		x ^= first(t.ID) ^ first(t.From)
		if t.Location != nil {
			x ^= first(t.Location.File)
		}
	}
	if f.Location != nil {
		x ^= first(f.Location.File)
	}
	return x
}

// touchFindingJSON is touchFinding plus what only the JSON writes of a
// finding: the lists of other threats' ids (aliases, folded, questions),
// each id a string of its own, scattered, and its flows' destinations.
func touchFindingJSON(f *Finding) byte {
	x := touchFinding(f) ^ touchStrs(f.Aliases) ^ touchStrs(f.Folded) ^ touchStrs(f.Questions)
	for j := range f.Targets {
		x ^= first(f.Targets[j].To)
	}
	for _, r := range f.Assets[:min(len(f.Assets), 1)] {
		x ^= first(r)
	}
	return x
}

// touchQuestion is touchFinding for a question and the questions under it.
func touchQuestion(q *Question) byte {
	x := first(q.ID) ^ first(q.Text) ^ first(q.Key) ^ first(q.AtStake) ^ touchStrs(q.Rules) ^ touchStrs(q.Threats)
	if e := q.Element; e != nil {
		x ^= first(e.ID)
		if e.Location != nil {
			x ^= first(e.Location.File)
		}
	}
	if q.Location != nil {
		x ^= first(q.Location.File)
	}
	for i := range q.More {
		x ^= touchQuestion(&q.More[i])
	}
	return x
}

// touchStrs reads the first byte of each string of l.
func touchStrs(l []string) byte {
	var x byte
	for _, s := range l {
		x ^= first(s)
	}
	return x
}

// first is s's first byte, or 0.
func first(s string) byte {
	if len(s) == 0 {
		return 0
	}
	return s[0]
}

// jsonMemo holds, for one goroutine at a time, the bytes of the parts of
// a finding that are the same on many findings: a rule's description and
// its CWE, CAPEC, suggested mitigations and references (the same strings
// and lists on each of its threats, a third of a large result's JSON), and
// the risks report.Build shares. A part is recognised by the identity of
// what it is written from (the same risk, the same list backing arrays) or,
// for a description, by comparing the string with the one remembered (the
// same bytes, so a comparison that returns at once); so what is written is
// what writing the part again would give.
type jsonMemo struct {
	risks map[jsonRiskKey][]byte
	rules map[string]*jsonRuleMemo
}

type jsonRiskKey struct {
	r     *Risk
	depth int
}

// jsonRuleMemo is what a rule's findings last wrote.
type jsonRuleMemo struct {
	desc      string
	descBytes []byte // desc as a JSON string
	parts     jsonPartsKey
	partBytes []byte // the cwe, capec, suggested_mitigations and references members
}

// jsonPartsKey identifies the four lists of a rule's findings (and the
// level they are written at).
type jsonPartsKey struct {
	cwe, capec      jsonSliceKey[int]
	suggested, refs jsonSliceKey[string]
	depth           int
}

// jsonSliceKey identifies a slice's contents: its first element's address
// and its length (-1 for nil).
type jsonSliceKey[T any] struct {
	first *T
	n     int
}

func sliceKey[T any](s []T) jsonSliceKey[T] {
	switch {
	case s == nil:
		return jsonSliceKey[T]{n: -1}
	case len(s) == 0:
		return jsonSliceKey[T]{}
	}
	return jsonSliceKey[T]{&s[0], len(s)}
}

// maxMemoRisks bounds the risks a memo keeps: report.Build makes a few
// dozen, a result built otherwise may hold one per finding.
const maxMemoRisks = 256

func (m *jsonMemo) rule(id string) *jsonRuleMemo {
	e := m.rules[id]
	if e == nil {
		if m.rules == nil {
			m.rules = map[string]*jsonRuleMemo{}
		}
		e = &jsonRuleMemo{}
		m.rules[id] = e
	}
	return e
}

// jsonLists holds the bytes of long string lists already written, for all
// the goroutines writing one list of items.
type jsonLists struct {
	mu sync.RWMutex
	m  map[jsonListKey][]byte
}

// minSharedList is the length from which a string list's bytes are kept:
// the lists rules share across the model are hundreds long, and keeping
// every short list would cost more than writing it again.
const minSharedList = 32

func (l *jsonLists) get(k jsonListKey) ([]byte, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	b, ok := l.m[k]
	return b, ok
}

func (l *jsonLists) put(k jsonListKey, b []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[jsonListKey][]byte{}
	}
	l.m[k] = b
}

// jsonListKey identifies a list of strings by its first element, length
// and the level it is written at (which sets its indentation).
type jsonListKey struct {
	first    *string
	n, depth int
}

// jsonItemRoom is the room jsonW.roomFor makes before each item of a
// list: most items (findings, questions) are a few kB.
const jsonItemRoom = 16 << 10

// roomFor makes room for n more bytes in w.b, doubling its capacity when
// it has to grow: append grows a large slice by a quarter at a time, and
// a chunk of findings (≈ 0.5 MB at 10,000 components) grown so from
// nothing is copied ≈ 20 times over.
func (w *jsonW) roomFor(n int) {
	if cap(w.b)-len(w.b) >= n {
		return
	}
	b := make([]byte, len(w.b), max(2*cap(w.b), len(w.b)+n))
	copy(b, w.b)
	w.b = b
}

// newline starts a member at the current level.
func (w *jsonW) newline() {
	if w.n[w.depth] > 0 {
		w.b = append(w.b, ',')
	}
	w.n[w.depth]++
	w.b = append(w.b, '\n')
	w.b = append(w.b, jsonSpaces[:2*w.depth]...)
}

func (w *jsonW) key(k string) { w.keyThen(k, `": `) }

// keyThen writes key k, closing it with end (its quote, colon and space,
// and maybe the value's opening quote).
func (w *jsonW) keyThen(k, end string) {
	// What newline writes, with the key's opening quote in one append.
	sep := jsonKeySeps[w.depth]
	if w.n[w.depth] == 0 {
		sep = sep[1:]
	}
	w.n[w.depth]++
	w.b = append(w.b, sep...)
	w.b = append(w.b, k...)
	w.b = append(w.b, end...)
}

// open starts an object or array at the next level.
func (w *jsonW) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.n[w.depth] = 0
}

// close ends it, on its own line unless it is empty.
func (w *jsonW) close(c byte) {
	empty := w.n[w.depth] == 0
	w.depth--
	if !empty {
		w.b = append(w.b, '\n')
		w.b = append(w.b, jsonSpaces[:2*w.depth]...)
	}
	w.b = append(w.b, c)
}

func (w *jsonW) str(k, v string) {
	// Most strings need no escaping: the value's opening quote goes with
	// the key, and the string is copied as it is.
	w.keyThen(k, `": "`)
	if jsonstr.PlainNoHTML(v) {
		w.b = append(w.b, v...)
		w.b = append(w.b, '"')
		return
	}
	w.b = appendJSONString(w.b[:len(w.b)-1], v)
}

// strOmit writes a string field tagged omitempty.
func (w *jsonW) strOmit(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jsonW) int(k string, v int) {
	w.key(k)
	w.b = appendJSONInt(w.b, v)
}

func (w *jsonW) bool(k string, v bool) {
	w.key(k)
	if v {
		w.b = append(w.b, "true"...)
	} else {
		w.b = append(w.b, "false"...)
	}
}

// strs writes a list of strings: null when nil.
func (w *jsonW) strs(k string, v []string) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	var lk jsonListKey
	if w.lists != nil && len(v) >= minSharedList {
		lk = jsonListKey{&v[0], len(v), w.depth}
		if b, ok := w.lists.get(lk); ok {
			w.b = append(w.b, b...)
			return
		}
	}
	start := len(w.b)
	w.list(v)
	if lk.first != nil {
		w.lists.put(lk, slices.Clone(w.b[start:]))
	}
}

// list writes a non-nil list of strings as a value (keeping nothing: v
// may live on the caller's stack).
func (w *jsonW) list(v []string) {
	// What open, newline per string and close write, with each
	// element's separator and indentation appended at once.
	if len(v) == 0 {
		w.b = append(w.b, '[', ']')
		return
	}
	sep := jsonSeps[:2+2*(w.depth+1)]
	sepq := jsonKeySeps[w.depth+1] // sep and a string's opening quote
	w.b = append(w.b, '[')
	for i, s := range v {
		if i == 0 {
			w.b = append(w.b, sepq[1:]...)
		} else {
			w.b = append(w.b, sepq...)
		}
		if jsonstr.PlainNoHTML(s) {
			w.b = append(w.b, s...)
			w.b = append(w.b, '"')
		} else {
			w.b = appendJSONString(w.b[:len(w.b)-1], s)
		}
	}
	w.b = append(w.b, sep[1:len(sep)-2]...)
	w.b = append(w.b, ']')
}

// strMap writes a map of strings, its keys sorted (null for nil), as
// encoding/json does.
func (w *jsonW) strMap(k string, m map[string]string) {
	w.key(k)
	if m == nil {
		w.b = append(w.b, "null"...)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.open('{')
	for _, k := range keys {
		w.newline()
		w.b = appendJSONString(w.b, k)
		w.b = append(w.b, ':', ' ')
		w.b = appendJSONString(w.b, m[k])
	}
	w.close('}')
}

func (w *jsonW) ints(k string, v []int) {
	w.key(k)
	if v == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('[')
	for _, n := range v {
		w.newline()
		w.b = appendJSONInt(w.b, n)
	}
	w.close(']')
}

// location writes a location field tagged omitempty.
func (w *jsonW) location(k string, l *Location) {
	if l == nil {
		return
	}
	w.key(k)
	w.locationValue(l)
}

// locationValue writes l as an object.
func (w *jsonW) locationValue(l *Location) {
	// What open, str, int, int and close write, in a few appends: a large
	// result has hundreds of thousands of locations, nearly all in one
	// file, whose name is escaped once per jsonW and level, with what
	// comes before the line (w.heads).
	h := &w.heads[w.depth]
	if l.File != h.file || h.b == nil {
		in := jsonSpaces[:2*w.depth+2]
		b := append(h.b[:0], "{\n"...)
		b = append(b, in...)
		b = append(b, `"file": `...)
		b = appendJSONString(b, l.File)
		b = append(b, ",\n"...)
		b = append(b, in...)
		b = append(b, `"line": `...)
		h.file, h.b = l.File, b
	}
	w.b = append(w.b, h.b...)
	w.b = appendJSONInt(w.b, l.Line)
	w.b = append(w.b, jsonColKeys[w.depth]...)
	w.b = appendJSONInt(w.b, l.Col)
	w.b = append(w.b, jsonSeps[1:2+2*w.depth]...)
	w.b = append(w.b, '}')
}

func (w *jsonW) target(t *Target) {
	w.open('{')
	w.str("kind", t.Kind)
	w.str("id", t.ID)
	w.strOmit("from", t.From)
	w.strOmit("to", t.To)
	w.location("location", t.Location)
	w.close('}')
}

// risk writes r, or null if r is nil (as encoding/json does; report.Build
// always sets the risks).
func (w *jsonW) risk(k string, r *Risk) {
	w.key(k)
	if r == nil {
		w.b = append(w.b, "null"...)
		return
	}
	var mk jsonRiskKey
	if w.memo != nil {
		mk = jsonRiskKey{r, w.depth}
		if b, ok := w.memo.risks[mk]; ok {
			w.b = append(w.b, b...)
			return
		}
	}
	start := len(w.b)
	w.open('{')
	w.int("likelihood", r.Likelihood)
	w.str("likelihood_label", r.LikelihoodLabel)
	w.int("impact", r.Impact)
	w.str("impact_label", r.ImpactLabel)
	w.int("score", r.Score)
	w.str("severity", r.Severity)
	w.close('}')
	if w.memo != nil && len(w.memo.risks) < maxMemoRisks {
		if w.memo.risks == nil {
			w.memo.risks = map[jsonRiskKey][]byte{}
		}
		w.memo.risks[mk] = slices.Clone(w.b[start:])
	}
}

// description writes a finding's description (omitempty), from the bytes
// its rule's findings last wrote when it is the same.
func (w *jsonW) description(e *jsonRuleMemo, d string) {
	if d == "" {
		return
	}
	if e == nil {
		w.str("description", d)
		return
	}
	w.key("description")
	if e.descBytes == nil || e.desc != d {
		start := len(w.b)
		w.b = appendJSONString(w.b, d)
		e.desc, e.descBytes = d, append(e.descBytes[:0], w.b[start:]...)
		return
	}
	w.b = append(w.b, e.descBytes...)
}

// ruleParts writes a finding's cwe, capec, suggested_mitigations and
// references, from the bytes its rule's findings last wrote when they are
// the same lists at the same level.
func (w *jsonW) ruleParts(e *jsonRuleMemo, f *Finding) {
	if f.FindingRefs == nil {
		return // encoding/json writes no members for a nil embedded struct
	}
	var k jsonPartsKey
	if e != nil {
		k = jsonPartsKey{sliceKey(f.CWE()), sliceKey(f.CAPEC()), sliceKey(f.Suggested()), sliceKey(f.References()), w.depth}
		// The members' bytes also depend on whether one came before
		// (their comma); in a finding one always has.
		if e.partBytes != nil && e.parts == k && w.n[w.depth] > 0 {
			w.b = append(w.b, e.partBytes...)
			w.n[w.depth] += 4
			return
		}
	}
	start, first := len(w.b), w.n[w.depth] == 0
	w.ints("cwe", f.CWE())
	w.ints("capec", f.CAPEC())
	w.strs("suggested_mitigations", f.Suggested())
	w.strs("references", f.References())
	if e != nil && !first {
		e.parts, e.partBytes = k, append(e.partBytes[:0], w.b[start:]...)
	}
}

func (w *jsonW) finding(f *Finding) {
	var e *jsonRuleMemo
	if w.memo != nil {
		e = w.memo.rule(f.Rule)
	}
	w.open('{')
	w.str("id", f.ID)
	w.int("rank", f.Rank)
	w.str("rule", f.Rule)
	w.str("origin", f.Origin)
	w.str("title", f.Title)
	w.description(e, f.Description)
	w.str("category", f.Category)
	w.strs("categories", f.Categories)
	w.str("severity", f.Severity)
	w.int("score", f.Score)
	w.str("status", f.Status)
	w.strOmit("reopened", f.Reopened)
	w.str("found_by", f.FoundBy)
	w.key("targets")
	if f.Targets == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.open('[')
		for i := range f.Targets {
			w.newline()
			w.target(&f.Targets[i])
		}
		w.close(']')
	}
	w.strs("assets", f.Assets)
	w.risk("inherent", f.Inherent)
	w.risk("residual", f.Residual)
	w.risk("projected", f.Projected)
	w.strs("rationale", f.Rationale)
	w.ruleParts(e, f)
	w.strs("mitigations", f.Mitigations)
	if d := f.Decision; d != nil {
		w.key("decision")
		w.open('{')
		w.str("status", d.Status)
		w.strOmit("reason", d.Reason)
		w.strOmit("owner", d.Owner)
		w.strOmit("expires", d.Expires)
		if len(d.Covers) > 0 {
			w.strs("covers", d.Covers)
		}
		w.location("location", d.Location)
		w.close('}')
	}
	w.location("location", f.Location)
	if len(f.Aliases) > 0 {
		w.strs("aliases", f.Aliases)
	}
	if len(f.Folded) > 0 {
		w.strs("folded", f.Folded)
	}
	if len(f.FoldedStatus) > 0 {
		w.strMap("folded_status", f.FoldedStatus)
	}
	if len(f.Questions) > 0 {
		w.strs("questions", f.Questions)
	}
	w.close('}')
}

func (w *jsonW) question(q *Question) {
	w.open('{')
	w.str("id", q.ID)
	w.str("text", q.Text)
	w.key("element")
	switch e := &w.elem; {
	case q.Element == nil: // as encoding/json writes it (Build always sets it)
		w.b = append(w.b, "null"...)
	case q.Element == e.p && w.depth == e.depth:
		w.b = append(w.b, e.b...)
	default:
		start := len(w.b)
		w.target(q.Element)
		e.p, e.depth, e.b = q.Element, w.depth, append(e.b[:0], w.b[start:]...)
	}
	w.str("key", q.Key)
	w.strs("rules", q.Rules)
	w.str("at_stake", q.AtStake)
	switch l := &w.loc; {
	case q.Location == nil:
	case q.Location == l.p && w.depth == l.depth:
		w.key("location")
		w.b = append(w.b, l.b...)
	default:
		w.key("location")
		start := len(w.b)
		w.locationValue(q.Location)
		l.p, l.depth, l.b = q.Location, w.depth, append(l.b[:0], w.b[start:]...)
	}
	w.int("moves", q.Moves)
	w.bool("first", q.First)
	w.strs("threats", q.Threats)
	if len(q.More) > 0 {
		w.key("more")
		w.open('[')
		for i := range q.More {
			w.newline()
			w.question(&q.More[i])
		}
		w.close(']')
	}
	w.close('}')
}

func (w *jsonW) component(c *Component) {
	w.open('{')
	w.str("id", c.ID)
	w.str("name", c.Name)
	w.str("kind", c.Kind)
	if len(c.Inferred) > 0 {
		w.strs("inferred", c.Inferred)
	}
	w.strOmit("boundary", c.Boundary)
	w.strOmit("tech", c.Tech)
	if c.OutOfScope {
		w.bool("out_of_scope", true)
	}
	w.strs("stores", c.Stores)
	w.strs("processes", c.Processes)
	w.strMap("controls", c.Controls)
	w.str("worst", c.Worst)
	w.location("location", c.Location)
	w.close('}')
}

func (w *jsonW) flow(f *Flow) {
	w.open('{')
	w.str("id", f.ID)
	w.str("from", f.From)
	w.str("to", f.To)
	w.strOmit("protocol", f.Protocol)
	if f.Port != 0 {
		w.int("port", f.Port)
	}
	w.str("authentication", f.Authentication)
	w.str("encryption", f.Encryption)
	w.strs("carries", f.Carries)
	if len(f.Inferred) > 0 {
		w.strs("inferred", f.Inferred)
	}
	w.bool("one_way", f.OneWay)
	w.bool("crosses_boundary", f.Crosses)
	w.str("worst", f.Worst)
	w.location("location", f.Location)
	w.close('}')
}

// jsonItemWriter returns the hand-written encoder of the items of list x
// if it has one (nil for a type left to encoding/json): it appends item
// i to w.b as an element of a list at the result's second level (the item
// at four spaces, w at depth 2). w.lists, when not nil, keeps long string
// lists already written; w.memo, when not nil, what findings repeat (one
// goroutine's). One jsonW serves a whole chunk of items, so that writing
// an item allocates nothing of its own.
func jsonItemWriter(x any) func(w *jsonW, i int) {
	switch l := x.(type) {
	case []Finding:
		return func(w *jsonW, i int) { w.finding(&l[i]) }
	case []Question:
		return func(w *jsonW, i int) { w.question(&l[i]) }
	case []Component:
		return func(w *jsonW, i int) { w.component(&l[i]) }
	case []Flow:
		return func(w *jsonW, i int) { w.flow(&l[i]) }
	}
	return nil
}
