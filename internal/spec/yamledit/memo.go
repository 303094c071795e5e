package yamledit

import (
	"container/list"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Memo remembers, per file content, what a merge reads of a file: its
// canonical rest (the file without the merged sections) and its items in
// the merged sections, and the model file as parsed. A server merges
// every push against the base and the latest version, files it has read
// before, and edits the latest version's files: with a memo each content
// is parsed once. What it keeps is never edited: Parse hands out a File
// of its own that shares only the parsed tree, which no edit modifies (an
// edit replaces a File's tree; Tree copies it). A nil *Memo remembers
// nothing. It is safe for concurrent use.
type Memo struct {
	max int

	mu    sync.Mutex
	size  int
	items map[[32]byte]*list.Element
	lru   list.List // of *memoFile, most recent first
}

// NewMemo returns a memo holding about maxBytes (an estimate: the text
// and its parsed tree).
func NewMemo(maxBytes int) *Memo {
	return &Memo{max: maxBytes, items: map[[32]byte]*list.Element{}}
}

// memoFile is what a merge reads of one file's content.
type memoFile struct {
	key  [32]byte // SHA-256 of the name and content
	size int
	// rest is the SHA-256 of the file without the merged sections,
	// canonically, as restOf writes it.
	rest [32]byte
	// A model file (.yaml, .yml) has entries; parseErr and itemsErr are
	// Parse's and Items' errors.
	parseErr, itemsErr error
	entries            []memoEntry
	// file is the model file as parsed (nil for other files and errors).
	file *File

	// What a merge reads (rest, the entries and errors) of a file an edit
	// left parsed (Remember) is read when a merge first needs it.
	once sync.Once
	name string
	src  string
}

type memoEntry struct {
	section string
	e       entry
}

// The memo's estimate of an item's parsed subtree: treeFactor nodes
// (of about lineCost bytes) for each line.
const (
	treeFactor = 3
	lineCost   = 160
)

func (m *Memo) file(name, src string) *memoFile {
	yamlFile := isYAML(name)
	key := sha256.Sum256([]byte(name + "\x00" + src))
	if m != nil {
		m.mu.Lock()
		if el, ok := m.items[key]; ok {
			m.lru.MoveToFront(el)
			mf := el.Value.(*memoFile)
			m.mu.Unlock()
			mf.read()
			return mf
		}
		m.mu.Unlock()
	}
	var f *File
	var err error
	if yamlFile {
		f, err = Parse(src)
	}
	mf := m.add(m.build(key, name, src, yamlFile, f, err))
	mf.read()
	return mf
}

// read reads what a merge reads of a file Remember kept, once.
func (mf *memoFile) read() {
	mf.once.Do(func() {
		if mf.name != "" {
			mf.readFile(mf.name, mf.src, true, mf.file, nil)
			mf.name, mf.src = "", ""
		}
	})
}

// Parse parses a model file to edit, as Parse does; a file the memo holds
// is not parsed again. The File returned is the caller's to edit.
func (m *Memo) Parse(name, src string) (*File, error) {
	if m != nil && isYAML(name) {
		key := sha256.Sum256([]byte(name + "\x00" + src))
		m.mu.Lock()
		el, ok := m.items[key]
		if ok {
			m.lru.MoveToFront(el)
		}
		m.mu.Unlock()
		if ok {
			if f := el.Value.(*memoFile).file; f != nil {
				return f.share(), nil
			}
		}
	}
	return Parse(src)
}

// share returns a File with f's text and tree, to edit without changing f:
// the tree is shared, and edits replace a File's tree rather than modify
// it.
func (f *File) share() *File {
	return &File{lines: slices.Clone(f.lines), final: f.final, doc: f.doc, fast: f.fast}
}

// Remember keeps a model file someone just parsed (f, named name; an
// edit's result), without parsing it again: the next edit of its content
// starts from it (Parse), and a merge reads its items when it first needs
// them. The caller no longer edits f.
func (m *Memo) Remember(name string, f *File) {
	if m == nil || !isYAML(name) {
		return
	}
	src := f.String()
	key := sha256.Sum256([]byte(name + "\x00" + src))
	m.mu.Lock()
	_, ok := m.items[key]
	m.mu.Unlock()
	if !ok {
		// What a merge will read of it (the items' text, canonical
		// forms and trees) is counted now as about as much again.
		m.add(&memoFile{key: key, size: 2 * fileSize(f), file: f, name: name, src: src})
	}
}

// fileSize estimates the memory of a parsed file: its text and tree.
func fileSize(f *File) int {
	n := 128
	for _, l := range f.lines {
		n += 16 + len(l) + treeFactor*lineCost
	}
	return n
}

// build reads a file: f and err are Parse's answer for a model file.
func (m *Memo) build(key [32]byte, name, src string, yamlFile bool, f *File, err error) *memoFile {
	mf := &memoFile{key: key}
	mf.size = 128 + mf.readFile(name, src, yamlFile, f, err)
	if mf.file = f; f != nil {
		mf.size += fileSize(f)
	}
	return mf
}

// readFile reads what a merge reads of a file into mf and returns an
// estimate of its size.
func (mf *memoFile) readFile(name, src string, yamlFile bool, f *File, err error) (size int) {
	rest := ""
	if yamlFile {
		if err != nil {
			mf.parseErr = fmt.Errorf("%s: %w", name, err)
			rest = restOf(src)
		} else {
			rest = restOfTree(src, &f.doc)
			for _, s := range Merged {
				items, err := f.Items(s)
				if err != nil {
					mf.itemsErr = fmt.Errorf("%s: %w", name, err)
					mf.entries = nil
					break
				}
				for _, it := range items {
					if it.Key == "" {
						continue
					}
					e := entry{file: name, item: it, text: f.Lines(it), canon: canon(it.Node), node: it.Node}
					mf.entries = append(mf.entries, memoEntry{s, e})
					// The item's text, its canonical form and its tree
					// (the node holds only the item's subtree).
					size += 64 + len(e.canon) + treeFactor*(it.End-it.Start+1)*lineCost
					for _, l := range e.text {
						size += 16 + len(l)
					}
				}
			}
		}
	}
	if !yamlFile {
		rest = restOf(src)
	}
	mf.rest = sha256.Sum256([]byte(rest))
	return size
}

// add keeps mf, unless it is too large; it returns the memo's entry for
// mf's key.
func (m *Memo) add(mf *memoFile) *memoFile {
	key := mf.key
	if m == nil || mf.size > m.max/4 {
		return mf
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok { // another merge read it meanwhile
		m.lru.MoveToFront(el)
		return el.Value.(*memoFile)
	}
	m.items[key] = m.lru.PushFront(mf)
	m.size += mf.size
	for m.size > m.max {
		el := m.lru.Back()
		old := el.Value.(*memoFile)
		m.lru.Remove(el)
		delete(m.items, old.key)
		m.size -= old.size
	}
	return mf
}

func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// bundle reads every file of a bundle: its rest and its index (a file is
// memoised under its name and content).
func (m *Memo) bundle(files map[string]string) (rest string, ix index, parseErr, itemsErr error) {
	var b strings.Builder
	ix = index{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		mf := m.file(name, files[name])
		b.WriteString(name + "\x00")
		b.Write(mf.rest[:])
		if mf.parseErr != nil {
			if parseErr == nil {
				parseErr = mf.parseErr
			}
			continue
		}
		if mf.itemsErr != nil {
			if itemsErr == nil {
				itemsErr = mf.itemsErr
			}
			continue
		}
		for _, me := range mf.entries {
			k := [2]string{me.section, me.e.item.Key}
			if _, dup := ix[k]; dup {
				continue
			}
			ix[k] = me.e
		}
	}
	return b.String(), ix, parseErr, itemsErr
}
