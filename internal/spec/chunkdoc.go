package spec

import (
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v4"
)

// Chunked decode. A large file in fastParse's subset whose root is a block
// mapping at column 0 is parsed and decoded on every core: the root
// mapping is read in turn, and each long top-level list (components,
// flows, ...) is cut at item lines into pieces of about chunkTarget bytes
// that workers parse and decode on their own, each with its own
// diagnostics and node count. The pieces are joined in file order.
//
// A piece's parser reads the whole text, from the state the parser of the
// whole file would be in at the piece's first item (offset, line, line
// start, depth), and stops at the piece's end: what it reads is what the
// whole file's parser reads there, byte for byte. The cuts need no parse:
// a top-level key is on a line starting at column 0 (prepareText lists
// them), so a list ends at the next such line, and inside a list a line
// with exactly the list's indentation followed by "- " starts an item;
// in fastParse's subset nothing else can be there (block and multi-line
// scalars, flow collections and nested blocks are indented more, and the
// parser refuses anything that is not). A piece whose parse does not end
// exactly at its cut (the list ended earlier, or something unexpected)
// makes the whole give up.
//
// The result is the stream's (and the whole tree's): the same document,
// and the same diagnostics in the same order, as long as together they
// stay under MaxDiagnostics (then no check of "enough problems" could have
// gone differently) and the node budget was not used up. Otherwise, and
// whenever a piece is refused or a key repeats a list, chunkDoc gives up,
// leaving diags as they were, and parseDoc streams the file instead.

// chunkMin is the file size from which chunkDoc is tried.
const chunkMin = 1 << 20

// chunkTarget is about how many bytes of a list each piece holds: a 12 MB
// model is cut into ≈ 95 pieces, few enough to cost nothing to plan and
// enough for two or more workers to end together. Each worker's nodes
// (reused from piece to piece) take about 7 times a piece's size: 256 KB
// pieces took the heap 4 MB over the stream's at 10,000 components.
const chunkTarget = 128 << 10

// docPiece is a run of a list's items that a worker parses and decodes.
type docPiece struct {
	list       int // index in chunker.lists
	start, end int // offsets: the first item's line start; the cut after
	line       int // the line of start
	endLine    int // the line of end
	// Filled by the worker.
	arr   reflect.Value // the items' structs
	diags Diagnostics
	spent int // nodes spent from the budget
	ok    bool
}

// docList is a top-level list decoded in pieces.
type docList struct {
	field  field
	ind    int // the items' indentation
	depth  int // the parser's depth inside the list
	diagAt int // where its diagnostics go among the root's
	pieces []int
}

type chunker struct {
	src    Source
	text   string
	ascii  bool
	roots  []int
	target int
	p      *fastParser
	d      *decoder // the root's, its diagnostics apart
	rdiags Diagnostics
	doc    *Document
	dv     reflect.Value
	si     *structInfo
	seen   []bool
	lists  []docList
	pieces []*docPiece
}

// chunkDoc decodes src as streamText does, in pieces on every core, or
// returns false (diags untouched) when the stream must decode it instead.
// text, ascii and roots are prepareText's.
func chunkDoc(src Source, text string, ascii bool, roots []int, diags *Diagnostics, target int) (doc *Document, ok bool) {
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return nil, false
	}
	c := &chunker{src: src, text: text, ascii: ascii, roots: roots, target: target, doc: &Document{}}
	c.d = &decoder{file: src.Name, src: &srcFile{name: src.Name, data: src.Data}, diags: &c.rdiags, budget: nodeBudget(len(src.Data))}
	c.dv = reflect.ValueOf(c.doc).Elem()
	c.si = infoOf(c.dv.Type())
	c.seen = make([]bool, len(c.si.fields))
	if !c.root() {
		return nil, false
	}
	if !c.work() {
		return nil, false
	}
	return c.finish(diags)
}

// root reads the root mapping as streamer.run does, decoding its pairs as
// streamText does and planning the pieces of its lists; false when the
// file is not for chunkDoc.
func (c *chunker) root() (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false // refused, or a bug: the stream decides
		}
	}()
	p := &fastParser{s: c.text, ln: 1, ascii: c.ascii, chunk: 16}
	c.p = p
	d := c.d
	ind := p.nextSig()
	if ind < 0 {
		p.refuse()
	}
	ind = p.docStart(ind)
	if ind != 0 || p.s[p.i] == '-' && p.blankAt(p.i+1) {
		return false // roots lists column 0 only; a list at the root is not streamed
	}
	p.enter() // block
	root := p.node(yaml.MappingNode, tagMap, "", 0, p.ln, p.col(p.i))
	if !d.spend(&root) {
		return false
	}
	d.depth++
	c.doc.setNode(&root, d.src, c.si)
	for { // mapping(ind)
		k, colon := p.key()
		line, col := p.ln, p.col(colon)+1
		p.i = colon + 1
		if !streamKeys[k.Value] || !c.list(ind, k, line, col) {
			if v := p.value(ind, line, col, false); !c.pair(&k, &v) {
				return false
			}
		}
		ni := p.nextSig()
		if ni < ind {
			break
		}
		if ni > ind {
			p.refuse()
		}
		p.i = p.ls + ni
	}
	p.depth--
	if p.nextSig() >= 0 {
		p.refuse()
	}
	for i, f := range c.si.fields {
		if f.required && !c.seen[i] {
			d.add(&root, "%s is missing %q", requiredHint(f), c.si.name, f.key)
		}
	}
	d.depth--
	return true
}

// pair decodes a root pair as streamText does; false when the budget ran
// out.
func (c *chunker) pair(k, v *ynode) bool {
	d, si := c.d, c.si
	if !d.spend(k) {
		return false
	}
	idx, known := si.byKey[k.Value]
	if !known {
		if !d.full() {
			d.add(k, "unknown key %q in %s", keyHint(k.Value, si.keys), k.Value, si.name)
		}
		return true
	}
	if c.seen[idx] {
		d.add(k, "key %q appears twice in %s", "keep one of them", k.Value, si.name)
		return true
	}
	c.seen[idx] = true
	if idx < 64 {
		c.doc.keys |= 1 << idx
	}
	f := si.fields[idx]
	if isNull(resolve(v)) {
		if f.required {
			hint := "write its value after the colon"
			if len(f.enum) > 0 {
				hint += ": one of " + strings.Join(f.enum, ", ")
			}
			d.add(k, "%q in %s has no value", hint, k.Value, si.name)
		}
		return true
	}
	d.decodeField(f, v, c.dv.Field(f.index), si.name)
	return true
}

// list is streamer.list: it handles the value of key k when that is on the
// following lines, planning the pieces of a block list and moving past it,
// and reports whether it did.
func (c *chunker) list(ind int, k ynode, line, col int) bool {
	p := c.p
	j := p.i
	for j < len(p.s) && p.s[j] == ' ' {
		j++
	}
	if !(j >= len(p.s) || p.s[j] == '\n' || (p.s[j] == '#' && j > p.i)) {
		return false
	}
	p.endLine()
	ni := p.nextSig()
	if ni < ind || p.s[p.ls+ni] != '-' || !p.blankAt(p.ls+ni+1) {
		v := p.node(yaml.ScalarNode, tagNull, "", 0, line, col)
		if ni > ind {
			p.i = p.ls + ni
			v = p.block(ni)
		} else if ni == ind {
			p.i = p.ls + ni
		}
		if !c.pair(&k, &v) {
			p.refuse()
		}
		return true
	}
	p.i = p.ls + ni
	ind = ni
	p.enter()
	// The pair, as streamText takes an evSeq.
	d, si := c.d, c.si
	if !d.spend(&k) {
		p.refuse()
	}
	idx := si.byKey[k.Value] // streamKeys are fields
	if c.seen[idx] {
		p.refuse() // a repeated list: its items are parsed, not decoded
	}
	c.seen[idx] = true
	if idx < 64 {
		c.doc.keys |= 1 << idx
	}
	li := len(c.lists)
	c.lists = append(c.lists, docList{field: si.fields[idx], ind: ind, depth: p.depth, diagAt: len(c.rdiags)})
	l := &c.lists[li]
	// The list ends at the next line a root key may be on.
	start := p.ls
	end := len(c.text)
	if r := sort.SearchInts(c.roots, start+1); r < len(c.roots) {
		end = c.roots[r]
	}
	ln := p.ln
	for start < end {
		cut := end
		if end-start >= 2*c.target {
			cut = itemLine(c.text, start+c.target, end, ind)
		}
		l.pieces = append(l.pieces, len(c.pieces))
		c.pieces = append(c.pieces, &docPiece{list: li, start: start, end: cut, line: ln})
		ln += strings.Count(c.text[start:cut], "\n")
		c.pieces[len(c.pieces)-1].endLine = ln
		start = cut
	}
	p.depth--
	// Where the whole file's parser is once the list's items are read.
	p.ln = ln
	if end >= len(p.s) {
		p.atEOF()
	} else {
		p.i, p.ls = end, end
	}
	return true
}

// itemLine returns the offset of the first line at or after the line
// containing from (not before from's next line start) that starts an item
// of a list at indentation ind: ind spaces and "- "; end if there is none
// before end.
func itemLine(s string, from, end, ind int) int {
	nl := strings.IndexByte(s[from:end], '\n')
	if nl < 0 {
		return end
	}
	for ls := from + nl + 1; ls < end; {
		j := ls
		for j < end && s[j] == ' ' {
			j++
		}
		if j-ls == ind && j < end && s[j] == '-' && (j+1 >= len(s) || s[j+1] == ' ' || s[j+1] == '\n') {
			return ls
		}
		nl := strings.IndexByte(s[j:end], '\n')
		if nl < 0 {
			return end
		}
		ls = j + nl + 1
	}
	return end
}

// pieceWorker is one worker's reusable memory.
type pieceWorker struct {
	batch streamBatch
	items []ynode
}

// work parses and decodes every piece on GOMAXPROCS workers, this
// goroutine one of them; false when one failed.
func (c *chunker) work() bool {
	var next atomic.Int64
	var failed atomic.Bool
	run := func() {
		w := &pieceWorker{}
		for !failed.Load() {
			i := int(next.Add(1)) - 1
			if i >= len(c.pieces) {
				return
			}
			if !c.piece(c.pieces[i], w) {
				failed.Store(true)
			}
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(c.pieces)) - 1 {
		wg.Go(run)
	}
	run()
	wg.Wait()
	return !failed.Load()
}

// piece parses and decodes the items of pc as items and streamText would.
func (c *chunker) piece(pc *docPiece, w *pieceWorker) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false // refused, or a bug
		}
	}()
	l := &c.lists[pc.list]
	ind := l.ind
	w.batch.used = 0
	q := &fastParser{s: c.text, i: pc.start + ind, ls: pc.start, ln: pc.line, ascii: c.ascii, depth: l.depth, batch: &w.batch}
	items := w.items[:0]
	defer func() { w.items = items[:0] }()
	for { // items(ind)
		line := q.ln
		q.i++
		items = append(items, q.value(ind, line, ind+2, true))
		ni := q.nextSig()
		if q.ls >= pc.end {
			if q.ls != pc.end {
				return false
			}
			break
		}
		if ni < ind {
			return false // the list ended before the cut
		}
		if ni > ind {
			q.refuse()
		}
		q.i = q.ls + ni
		if q.s[q.i] != '-' || !q.blankAt(q.i+1) {
			return false
		}
	}
	if q.ln != pc.endLine {
		return false // a bug
	}
	// Decode, as streamText takes each evItem.
	budget := c.d.budget + 1 // never the one to run out: the sum is checked
	d := &decoder{file: c.d.file, src: c.d.src, diags: &pc.diags, budget: budget, depth: 1}
	t := c.dv.Field(l.field.index).Type().Elem().Elem()
	pc.arr = reflect.MakeSlice(reflect.SliceOf(t), len(items), len(items))
	for i := range items {
		if !d.spend(&items[i]) {
			return false
		}
		d.decodeStruct(&items[i], pc.arr.Index(i))
	}
	pc.spent = budget - d.budget
	pc.ok = true
	clear(items)
	return true
}

// finish joins the pieces into the document and the diagnostics, or
// returns false when the result could differ from the stream's.
func (c *chunker) finish(diags *Diagnostics) (*Document, bool) {
	n := len(*diags) + len(c.rdiags)
	spent := 0
	for _, pc := range c.pieces {
		if !pc.ok {
			return nil, false
		}
		n += len(pc.diags)
		spent += pc.spent
	}
	if n >= MaxDiagnostics || spent >= c.d.budget {
		return nil, false
	}
	c.d.budget -= spent
	before := len(*diags)
	at := 0
	for _, l := range c.lists {
		*diags = append(*diags, c.rdiags[at:l.diagAt]...)
		at = l.diagAt
		items := 0
		for _, i := range l.pieces {
			pc := c.pieces[i]
			*diags = append(*diags, pc.diags...)
			items += pc.arr.Len()
		}
		v := c.dv.Field(l.field.index)
		out := reflect.MakeSlice(v.Type(), items, items)
		k := 0
		for _, i := range l.pieces {
			arr := c.pieces[i].arr
			for j := range arr.Len() {
				out.Index(k).Set(arr.Index(j).Addr())
				k++
			}
		}
		v.Set(out)
	}
	*diags = append(*diags, c.rdiags[at:]...)
	if len(*diags) > before && !c.doc.set {
		return nil, true
	}
	return c.doc, true
}
