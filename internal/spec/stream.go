package spec

import (
	"reflect"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Streaming decode. A model is mostly a few long top-level lists
// (components, flows, ...). For a file in fastParse's subset whose root is
// a block mapping, streamDoc decodes each item of such a list as soon as
// the parser has read it, instead of building the whole node tree first:
// the parser runs on its own goroutine and hands the decoder batches of
// parsed items, whose nodes live in a few recycled chunks. Parsing and
// decoding overlap on two cores, and the node tree (≈ 1.1 million nodes,
// 80 MB at 10,000 components) is never whole in memory.
//
// The decoder does exactly what decodeStruct does on the root mapping and
// decodeItems on each item, in the same order, so the document, the
// diagnostics and the node budget are those of a decode of the whole tree.
// Whatever the stream does not handle — the parser refusing the file (it
// then goes to the general parser), a root that is not a block mapping,
// the node budget running out, a bug in the parser — makes streamDoc
// give up, leaving diags as they were, and parseDoc decode the whole tree.

// streamEvent is one step of the root mapping as the parser reads it.
type streamEvent struct {
	kind uint8
	key  ynode
	// val is the root mapping node (evRoot, without content), a pair's
	// value (evPair), a streamed list's node (evSeq, without content) or
	// one of its items (evItem).
	val ynode
}

const (
	evRoot = iota
	evPair
	evSeq
	evItem
	evSeqEnd
)

// streamBatch is a run of events and the chunks their nodes are in.
type streamBatch struct {
	events []streamEvent
	chunks [][]ynode
	used   int
}

const (
	// streamBatchItems is the number of events after which a batch is
	// handed over.
	streamBatchItems = 128
	// streamChunk is the size of a batch's node chunks.
	streamChunk = 4096
	// streamBatches is the number of batches in flight.
	streamBatches = 4
)

// chunk returns space for k nodes from the batch's chunks.
func (b *streamBatch) chunk(k int) []ynode {
	if k > streamChunk {
		return make([]ynode, k)
	}
	if b.used < len(b.chunks) {
		b.used++
		return b.chunks[b.used-1]
	}
	c := make([]ynode, streamChunk)
	b.chunks = append(b.chunks, c)
	b.used++
	return c
}

// streamStop unwinds the parser when the decoder has given up.
type streamStop struct{}

// streamer is the parser's side of the stream.
type streamer struct {
	p      *fastParser
	keys   map[string]bool // root keys whose block lists are streamed
	full   chan<- *streamBatch
	free   <-chan *streamBatch
	quit   <-chan struct{}
	b      *streamBatch
	failed bool // refused, or a bug: the stream is not to be used
}

func (s *streamer) next() {
	select {
	case b := <-s.free:
		b.events, b.used = b.events[:0], 0
		s.b = b
		s.p.batch = b
		s.p.slab = nil // the rest of the last chunk belongs to the batch handed over
	case <-s.quit:
		panic(streamStop{})
	}
}

func (s *streamer) emit(e streamEvent) {
	s.b.events = append(s.b.events, e)
	if len(s.b.events) >= streamBatchItems {
		s.flush()
		s.next()
	}
}

func (s *streamer) flush() {
	select {
	case s.full <- s.b:
	case <-s.quit:
		panic(streamStop{})
	}
}

// run parses the document as fastParser.document does, streaming the root
// mapping's pairs.
func (s *streamer) run() {
	defer close(s.full)
	defer func() {
		if r := recover(); r != nil {
			if _, stop := r.(streamStop); !stop {
				s.failed = true // refused, or a bug: the whole-tree path decides
			}
		}
	}()
	p := s.p
	s.next()
	ind := p.nextSig()
	if ind < 0 {
		p.refuse()
	}
	ind = p.docStart(ind)
	if p.s[p.i] == '-' && p.blankAt(p.i+1) {
		p.refuse() // a list at the root: not streamed
	}
	p.enter() // block
	s.emit(streamEvent{kind: evRoot, val: p.node(yaml.MappingNode, tagMap, "", 0, p.ln, p.col(p.i))})
	for { // mapping(ind)
		k, colon := p.key()
		line, col := p.ln, p.col(colon)+1
		p.i = colon + 1
		if !s.keys[k.Value] || !s.list(ind, k, line, col) {
			s.emit(streamEvent{kind: evPair, key: k, val: p.value(ind, line, col, false)})
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
	s.flush()
}

// list streams the value of key k when it is a block list, as value and
// sequence would parse it, and reports whether it was one. Otherwise
// nothing has been read.
func (s *streamer) list(ind int, k ynode, line, col int) bool {
	p := s.p
	j := p.i
	for j < len(p.s) && p.s[j] == ' ' {
		j++
	}
	if !(j >= len(p.s) || p.s[j] == '\n' || (p.s[j] == '#' && j > p.i)) {
		return false
	}
	// What value does from here, with the block list streamed.
	p.endLine()
	ni := p.nextSig()
	if ni < ind || p.s[p.ls+ni] != '-' || !p.blankAt(p.ls+ni+1) {
		if ni > ind {
			p.i = p.ls + ni
			s.emit(streamEvent{kind: evPair, key: k, val: p.block(ni)})
			return true
		}
		if ni == ind {
			p.i = p.ls + ni
		}
		s.emit(streamEvent{kind: evPair, key: k, val: p.node(yaml.ScalarNode, tagNull, "", 0, line, col)})
		return true
	}
	p.i = p.ls + ni
	ind = ni
	p.enter()
	s.emit(streamEvent{kind: evSeq, key: k, val: p.node(yaml.SequenceNode, tagSeq, "", 0, p.ln, ind+1)})
	p.items(ind, func(v ynode) { s.emit(streamEvent{kind: evItem, val: v}) })
	p.depth--
	s.emit(streamEvent{kind: evSeqEnd})
	return true
}

// streamKeys are the Document keys whose values are lists of structs.
var streamKeys = func() map[string]bool {
	t := reflect.TypeFor[Document]()
	si := infoOf(t)
	keys := map[string]bool{}
	for _, f := range si.fields {
		ft := t.Field(f.index).Type
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Pointer {
			keys[f.key] = true
		}
	}
	return keys
}()

// streamItemsChunk is the number of list items allocated at once.
const streamItemsChunk = 512

// streamDoc decodes src as parseDoc does, streaming, or returns false
// (diags untouched) when the whole tree must be decoded instead.
func streamDoc(src Source, diags *Diagnostics) (*Document, bool) {
	text, ascii, ok := fastPrepareSplit(src.Data, prepareSplit, src.owned)
	if !ok {
		return nil, false
	}
	return streamText(src, text, ascii, diags)
}

// streamText is streamDoc on text, src.Data as fastPrepare returned it.
func streamText(src Source, text string, ascii bool, diags *Diagnostics) (*Document, bool) {
	p := &fastParser{s: text, ln: 1, ascii: ascii}
	full := make(chan *streamBatch, streamBatches)
	free := make(chan *streamBatch, streamBatches)
	for range streamBatches {
		free <- &streamBatch{}
	}
	quit := make(chan struct{})
	s := &streamer{p: p, keys: streamKeys, full: full, free: free, quit: quit}
	go s.run()

	before := len(*diags)
	doc := &Document{}
	d := &decoder{file: src.Name, src: &srcFile{name: src.Name, data: src.Data}, diags: diags, budget: nodeBudget(len(src.Data))}
	dv := reflect.ValueOf(doc).Elem()
	si := infoOf(dv.Type())
	seen := make([]bool, len(si.fields))
	var root ynode
	// The list being streamed: its field, the structs and their pointers.
	var (
		listOn   bool // items go to the list (not a repeated key's)
		list     field
		arrs     []reflect.Value // chunks of structs, all full but the last
		arr      reflect.Value
		nextItem int
		items    int
	)
	ok := d.streamEvents(full, free, func(e *streamEvent) bool {
		switch e.kind {
		case evRoot:
			root = e.val
			if !d.spend(&root) {
				return false
			}
			d.depth++
			doc.setNode(&root, d.src, si)
			return true
		case evItem:
			if !listOn {
				return true
			}
			if !d.spend(&e.val) {
				return false
			}
			if nextItem == arr.Len() {
				arr = reflect.MakeSlice(arr.Type(), streamItemsChunk, streamItemsChunk)
				arrs = append(arrs, arr)
				nextItem = 0
			}
			nextItem++
			items++
			d.decodeStruct(&e.val, arr.Index(nextItem-1))
			return true
		case evSeqEnd:
			if listOn {
				v := dv.Field(list.index)
				out := reflect.MakeSlice(v.Type(), items, items)
				for i := range items {
					out.Index(i).Set(arrs[i/streamItemsChunk].Index(i % streamItemsChunk).Addr())
				}
				v.Set(out)
				listOn, arrs = false, nil
			}
			return true
		}
		// A pair, as in decodeStruct's loop.
		k := &e.key
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
		if seen[idx] {
			d.add(k, "key %q appears twice in %s", "keep one of them", k.Value, si.name)
			return true
		}
		seen[idx] = true
		if idx < 64 {
			doc.keys |= 1 << idx
		}
		f := si.fields[idx]
		if e.kind == evSeq {
			// decodeField on a list of structs; the items follow.
			t := dv.Field(f.index).Type()
			listOn, list, nextItem, items = true, f, 0, 0
			arr = reflect.MakeSlice(reflect.SliceOf(t.Elem().Elem()), 0, 0)
			return true
		}
		if isNull(resolve(&e.val)) {
			if f.required {
				hint := "write its value after the colon"
				if len(f.enum) > 0 {
					hint += ": one of " + strings.Join(f.enum, ", ")
				}
				d.add(k, "%q in %s has no value", hint, k.Value, si.name)
			}
			return true
		}
		d.decodeField(f, &e.val, dv.Field(f.index), si.name)
		return true
	}, quit)
	if !ok || s.failed || d.budget <= 0 || root.Kind == 0 {
		*diags = (*diags)[:before]
		return nil, false
	}
	for i, f := range si.fields {
		if f.required && !seen[i] {
			d.add(&root, "%s is missing %q", requiredHint(f), si.name, f.key)
		}
	}
	d.depth--
	if len(*diags) > before && !doc.set {
		return nil, true
	}
	return doc, true
}

// streamEvents hands each event of each batch to fn, returning the batches
// to the parser, until the parser is done; false when fn gave up (the
// parser is then stopped).
func (d *decoder) streamEvents(full <-chan *streamBatch, free chan<- *streamBatch, fn func(*streamEvent) bool, quit chan struct{}) (ok bool) {
	done := false
	defer func() {
		if !done { // fn gave up or panicked: stop the parser
			close(quit)
			for range full {
			}
		}
	}()
	for b := range full {
		for i := range b.events {
			if !fn(&b.events[i]) {
				return false
			}
		}
		free <- b // never blocks: it holds every batch
	}
	done = true
	return true
}
