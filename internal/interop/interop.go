// Package interop converts threat models between Ward and other tools. An
// importer turns another tool's file into a spec.Document, which Encode
// writes as readable ward.yaml (zero values left out, notes of what could not
// be carried over at the top); Encode checks that its output loads, so an
// importer can never produce an invalid model: spec.CheckDecoded runs the
// decoder's checks and the build on the document itself and, where it is
// not sure, the output is parsed with spec.Parse for the errors and their
// positions (CheckWritten). Exporters write other tools' formats from an
// analysis.
//
// Each format lives in its own package under internal/interop; the CLI lists
// them. Inputs are bounded (Importer.Run checks the caller's Options.MaxBytes,
// MaxInputBytes by default) and parsers must refuse hostile files (deep
// nesting, entity or alias expansion) with a clear error.
package interop

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/spec"
)

// MaxInputBytes is the largest file an importer accepts by default
// (Options.MaxBytes zero): the bound for hostile input and the server's
// per-request memory. ward import sets a larger one (--max-input).
const MaxInputBytes = 64 << 20

// Options are a caller's settings for one import (Importer.Run).
type Options struct {
	// Root, when set, is the imported file's directory, from which the
	// files it includes are read (confined to it).
	Root *os.Root
	// MaxBytes bounds the input and each file it includes; zero is
	// MaxInputBytes.
	MaxBytes int64
	// Hint, when set, says what to do about a file of size bytes over the
	// limit (ward import: the --max-input to pass).
	Hint func(size int64) string
}

// Limit is the largest file accepted.
func (o Options) Limit() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return MaxInputBytes
}

// TooLarge is the error for file, of size bytes (negative when not known),
// over the limit. It is an *InputError wrapping ErrTooLarge.
func (o Options) TooLarge(file string, size int64) error {
	msg := "the file is over the " + FormatSize(o.Limit()) + " limit"
	if size >= 0 {
		msg = "the file is " + FormatSize(size) + ", over the " + FormatSize(o.Limit()) + " limit"
	}
	e := &InputError{File: file, Msg: msg, err: ErrTooLarge}
	if o.Hint != nil {
		e.Hint = o.Hint(size)
	}
	return e
}

// ErrTooLarge is wrapped by the error for an input over its limit
// (Options.TooLarge).
var ErrTooLarge = errors.New("the file is too large")

// FormatSize writes a number of bytes for people: in GiB, MiB or KiB when
// it is a whole number of them, rounded up to MiB from 1 MiB, else in
// bytes.
func FormatSize(n int64) string { return spec.FormatSize(n) }

// ParseSize reads a size such as 1GiB, 256MiB, 512KiB, 100MB or 4096
// (bytes): KiB, MiB and GiB are powers of 1024, KB, MB and GB of 1000; a
// space before the unit is allowed.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && '0' <= t[i] && t[i] <= '9' {
		i++
	}
	num, unit := t[:i], strings.TrimSpace(t[i:])
	mult := map[string]int64{"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
		"KB": 1e3, "MB": 1e6, "GB": 1e9}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 || n <= 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is not a size: use a positive number of bytes, or one with a unit (KiB, MiB, GiB, KB, MB, GB), at most 1 TiB", s)
	}
	return n * mult, nil
}

// Imported is the result of an import: the model and what was lost.
type Imported struct {
	Doc *spec.Document
	// Notes say, one per line, what could not be carried over and what was
	// guessed. They are written as comments at the top of the model.
	Notes []string
}

// Note records something that could not be carried over.
func (im *Imported) Note(format string, args ...any) {
	im.Notes = append(im.Notes, fmt.Sprintf(format, args...))
}

// Importer reads one other tool's format.
type Importer struct {
	// Name is the format's id on the command line (otm, threat-dragon, ...).
	Name string
	// Title is the tool and format, for help text.
	Title string
	// Detect reports whether data looks like this format (used when the
	// format is not given).
	Detect func(name string, data []byte) bool
	// Import converts data (from the file called name) into a Ward model.
	// The model may share data's memory (a string read from the file is
	// not always copied): the caller hands data over and does not change
	// it afterwards. Import does not bound data: call Run, which checks
	// it against the caller's limit first.
	Import func(name string, data []byte) (*Imported, error)
	// ImportFrom, when set, is Import for an importer that reads other
	// files: opt.Root is the file's directory, from which the files it
	// includes are read (confined to it; none when Root is nil), each
	// bounded by opt.Limit.
	ImportFrom func(opt Options, name string, data []byte) (*Imported, error)
}

// Run imports data (from the file called name) with the caller's options:
// data over opt.Limit is refused (Options.TooLarge), then ImportFrom, when
// set, or Import converts it.
func (i *Importer) Run(opt Options, name string, data []byte) (*Imported, error) {
	if int64(len(data)) > opt.Limit() {
		return nil, opt.TooLarge(name, int64(len(data)))
	}
	if i.ImportFrom != nil {
		return i.ImportFrom(opt, name, data)
	}
	return i.Import(name, data)
}

// Exporter writes one other tool's format.
type Exporter struct {
	Name  string
	Title string
	// Ext is the usual file extension, with the dot.
	Ext string
	// Write writes the analysed model in the format, streaming.
	Write func(w io.Writer, a *analysis.Analysis) error
}

// InputError is a problem with the file being imported, to be shown with
// its position when known. It maps to exit code 2.
type InputError struct {
	File      string
	Line, Col int
	Msg       string
	Hint      string
	err       error // wrapped (Unwrap): ErrTooLarge, or nil
}

// Unwrap returns the error wrapped, if any (ErrTooLarge).
func (e *InputError) Unwrap() error { return e.err }

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, max(e.Col, 1))
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" — ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Inputf returns an InputError without a position.
func Inputf(file, hint, format string, args ...any) error {
	return &InputError{File: file, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// IDs makes valid, unique Ward ids from other tools' names and ids.
type IDs struct {
	used map[string]bool
}

var nonID = regexp.MustCompile(`[^a-z0-9._-]+`)

// Make returns a valid id derived from s (a name or a foreign id), unique
// among the ids made so far; fallback is used when s has no usable letters.
func (g *IDs) Make(s, fallback string) string {
	if g.used == nil {
		g.used = map[string]bool{}
	}
	id := s
	if !cleanID(s) {
		id = strings.Trim(nonID.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), "-"), "-._")
	}
	if len(id) > 48 {
		id = strings.Trim(id[:48], "-._")
	}
	if id == "" {
		id = fallback
	}
	base := id
	for i := 2; g.used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	g.used[id] = true
	return id
}

// cleanID reports whether Make's clean-up leaves s as it is: s is made of
// a-z, 0-9, '.', '_' and '-' and neither starts nor ends with one of the
// last three (most of the names an importer numbers, "threat-12"; the
// regular expression was ≈ 3 % of a Threat Composer import's CPU).
func cleanID(s string) bool {
	if s == "" || strings.IndexByte("-._", s[0]) >= 0 || strings.IndexByte("-._", s[len(s)-1]) >= 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Reserve makes room for n more ids, for an importer that knows how many
// it will make (the set is not regrown as they come).
func (g *IDs) Reserve(n int) {
	if g.used == nil {
		g.used = make(map[string]bool, n)
	}
}

// ValidID reports whether s is a valid Ward id as it is: a letter or digit,
// then letters, digits, '.', '_' and '-' (the pattern
// ^[A-Za-z0-9][A-Za-z0-9._-]*$ without the regexp machinery; FuzzValidID).
func ValidID(s string) bool {
	if s == "" || !idStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !idStart(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func idStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Used says whether id was made or used already.
func (g *IDs) Used(id string) bool { return g.used[id] }

// Use records id (already valid) as used and returns it.
func (g *IDs) Use(id string) string {
	if g.used == nil {
		g.used = map[string]bool{}
	}
	g.used[id] = true
	return id
}

// collecting is set by CollectInOneShot.
var collecting atomic.Bool

// CollectInOneShot makes Collect collect garbage, for ward import: a
// one-shot command collects only at its heap ceiling, so its peak memory is
// all it allocated. The server does not call it.
func CollectInOneShot() { collecting.Store(true) }

// CollectBytes is the input size from which Collect collects.
const CollectBytes = 1 << 20

// Collect collects garbage, once CollectInOneShot was called, for an input
// of size bytes of at least CollectBytes: an importer calls it when what it
// read first (a parse tree) has become garbage.
func Collect(size int) {
	if collecting.Load() && size >= CollectBytes {
		runtime.GC()
	}
}

// Encode writes doc as readable ward.yaml with the notes as a comment block
// at the top, and checks that the result loads.
func Encode(doc *spec.Document, notes []string, source string) ([]byte, error) {
	out, err := EncodeYAML(doc, notes, source)
	if err != nil {
		return nil, err
	}
	return out, CheckWritten(doc, out)
}

// CheckWritten checks that out, the model EncodeYAML wrote from doc, loads,
// as CheckEncoded does, but without parsing out when it can tell from doc
// itself: spec.CheckDecoded runs the decoder's checks on doc's values and
// the build on doc, and is sure only when Parse of out would find nothing.
// When it is not sure, out is parsed (CheckEncoded), so an invalid model
// is refused with the same error and positions as before. doc is changed
// as building it changes it: call it once out is written.
func CheckWritten(doc *spec.Document, out []byte) error {
	if utf8.Valid(out) && spec.CheckDecoded(doc, len(out)) {
		return nil
	}
	return CheckEncoded(out)
}

// CheckEncoded checks that a model EncodeYAML wrote loads.
func CheckEncoded(out []byte) error {
	if _, diags, err := spec.Parse("imported.yaml", out); err != nil {
		return fmt.Errorf("the imported model is invalid (a bug in the importer): %w", errors.Join(err, diagsErr(diags)))
	}
	return nil
}

// EncodeYAML is Encode without the check that the result loads.
func EncodeYAML(doc *spec.Document, notes []string, source string) ([]byte, error) {
	parts, err := EncodeYAMLParts(doc, notes, source)
	if err != nil {
		return nil, err
	}
	return bytes.Join(parts, nil), nil
}

// EncodeYAMLParts is EncodeYAML in parts, whose concatenation is its bytes,
// for a caller that writes them out in turn (ward import, which collects
// garbage between writing and checking): joining them copied the whole
// model once more (33 MB for a large Threat Composer file).
func EncodeYAMLParts(doc *spec.Document, notes []string, source string) ([][]byte, error) {
	if doc.Ward == 0 {
		doc.Ward = 1
	}
	var head []string
	head = append(head, "Imported by ward from "+source+".")
	if len(notes) > 0 {
		head = append(head, "", "Not carried over, or guessed — review before relying on this model:")
		for _, s := range notes {
			head = append(head, "- "+s)
		}
	}
	parts, err := encodeParts(reflect.ValueOf(doc).Elem(), strings.Join(head, "\n"))
	if err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	return parts, nil
}

// CheckWrittenParts is CheckWritten of the model written in parts
// (EncodeYAMLParts). The parts are joined only when they must be parsed.
func CheckWrittenParts(doc *spec.Document, parts [][]byte) error {
	size, valid := 0, true
	for _, p := range parts {
		size += len(p)
		valid = valid && utf8.Valid(p) // valid parts make valid text
	}
	if valid && spec.CheckDecoded(doc, size) {
		return nil
	}
	return CheckEncoded(bytes.Join(parts, nil))
}

// yamlChunk is how many list items encodeYAML encodes at a time.
const yamlChunk = 256

// encodeYAML writes the struct v as YAML with head as its top comment:
// the bytes a yaml encoder (indent 2) writes for toNode(v), but a section
// at a time and long lists a chunk of items at a time, so that neither the
// node tree of the whole model nor the encoder's events for it (the yaml
// emitter keeps every event of a document) are held at once. A block list
// continues across chunks: each chunk is encoded under its key, and the
// key's line is dropped from every chunk but the first.
//
// The pieces (sections and chunks) are independent documents, so they are
// encoded on all cores, a window of pieces at a time, and written in order.
func encodeYAML(w *bytes.Buffer, v reflect.Value, head string) error {
	parts, err := encodeParts(v, head)
	if err != nil {
		return err
	}
	total := 0
	for _, b := range parts {
		total += len(b)
	}
	w.Grow(total)
	for i, b := range parts {
		w.Write(b)
		parts[i] = nil
	}
	return nil
}

// encodeParts is encodeYAML's bytes in parts, in order.
func encodeParts(v reflect.Value, head string) ([][]byte, error) {
	var pieces []yamlPiece
	for key, fv := range yamlFields(v) {
		if fv.Kind() != reflect.Slice || fv.Type().Elem().Kind() == reflect.String || fv.Len() <= yamlChunk {
			pieces = append(pieces, yamlPiece{key: key, v: fv, lo: -1})
			continue
		}
		for lo := 0; lo < fv.Len(); lo += yamlChunk {
			pieces = append(pieces, yamlPiece{key: key, v: fv, lo: lo, hi: min(lo+yamlChunk, fv.Len())})
		}
	}
	if len(pieces) > 0 {
		pieces[0].head = head // the comment goes on the first section
	}
	window := 2 * runtime.GOMAXPROCS(0)
	// The pieces' bytes are kept and handed back in order (encodeYAML
	// copies them into w once it is grown to their total): w growing by
	// doubling as they came allocated about twice the model (70 MB more
	// for a 35 MB model).
	var parts [][]byte
	write := func(b []byte) { parts = append(parts, b) }
	var keyLine []byte // the current list's key line, once a chunk of it is written
	pending := ""      // the head comment, when the piece given it wrote nothing
	for at := 0; at < len(pieces); at += window {
		batch := pieces[at:min(at+window, len(pieces))]
		var wg sync.WaitGroup
		for i := range batch {
			wg.Go(batch[i].encode)
		}
		wg.Wait()
		for i := range batch {
			p := &batch[i]
			if p.err != nil {
				return nil, p.err
			}
			if p.lo < 0 && len(p.out) == 0 {
				pending, p.head = p.head, ""
				continue
			}
			if pending != "" { // the comment goes on the first piece written
				p.head, pending = pending, ""
				if p.encode(); p.err != nil {
					return nil, p.err
				}
			}
			if p.lo < 0 {
				keyLine = nil
				write(p.out)
				continue
			}
			if p.lo == 0 {
				keyLine = nil
			}
			last := p.hi == p.v.Len()
			if p.empty && (keyLine != nil || !last) {
				continue // nothing to add; an all-empty list is written once, as []
			}
			if keyLine == nil {
				keyLine = append([]byte(nil), p.out[:bytes.IndexByte(p.out, '\n')+1]...)
				write(p.out)
				continue
			}
			if !bytes.HasPrefix(p.out, keyLine) {
				return nil, fmt.Errorf("list %s: chunk does not start with %q", p.key, keyLine)
			}
			write(p.out[len(keyLine):])
		}
		for i := range batch {
			batch[i] = yamlPiece{} // let the window's values go
		}
	}
	return parts, nil
}

// yamlPiece is one document encodeYAML writes: a section (lo < 0) or the
// chunk [lo, hi) of a long list of objects (always block style).
type yamlPiece struct {
	key    string
	v      reflect.Value
	lo, hi int
	head   string

	out   []byte
	empty bool // a chunk whose items all encode to nothing
	err   error
}

// encode encodes the piece under its key into out; a section with nothing
// to write leaves out empty.
func (p *yamlPiece) encode() {
	if p.lo < 0 && writesNothing(p.v) {
		return
	}
	// The piece is written into a pooled buffer and kept as an exact copy:
	// encodeYAML holds every piece until it joins them.
	enc := encodeBuffers.Get().(*bytes.Buffer)
	enc.Reset()
	defer encodeBuffers.Put(enc)
	if p.head == "" {
		if ok, empty := directYAML(enc, p.key, p.v, p.lo, p.hi); ok {
			p.out, p.empty = bytes.Clone(enc.Bytes()), empty
			return
		}
	}
	var val *yaml.Node
	if p.lo < 0 {
		if val = toNode(p.v); val == nil {
			return
		}
	} else {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for j := p.lo; j < p.hi; j++ {
			if c := toNode(p.v.Index(j)); c != nil {
				seq.Content = append(seq.Content, c)
			}
		}
		val, p.empty = seq, len(seq.Content) == 0
	}
	if p.head == "" && fastYAML(enc, p.key, val) {
		p.out = bytes.Clone(enc.Bytes())
		return
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: p.key}, val}}
	n.HeadComment = p.head
	e := yaml.NewEncoder(enc)
	e.SetIndent(2)
	if p.err = e.Encode(n); p.err == nil {
		p.err = e.Close()
	}
	p.out = bytes.Clone(enc.Bytes())
}

// encodeBuffers holds the buffers pieces are written into.
var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func diagsErr(ds spec.Diagnostics) error {
	if len(ds) == 0 {
		return nil
	}
	return ds
}

// yamlFields yields the YAML key and value of each field of the struct v
// that is written: exported, tagged, and not zero or empty. spec.CheckDecoded
// (its written) assumes this rule: change both together.
func yamlFields(v reflect.Value) iter.Seq2[string, reflect.Value] {
	return func(yield func(string, reflect.Value) bool) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := f.Tag.Get("yaml")
			if !f.IsExported() || key == "" || key == "-" {
				continue
			}
			fv := v.Field(i)
			if fv.IsZero() || (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0 {
				continue
			}
			if !yield(key, fv) {
				return
			}
		}
	}
}

// keyNodes holds one node per key of the format types: a node is only
// read once built (by fastYAML and the yaml encoder), so the mappings of
// every element share their key nodes instead of allocating one per pair
// (most of what encoding a large imported model allocated).
var keyNodes sync.Map // string -> *yaml.Node

func keyNode(key string) *yaml.Node {
	if n, ok := keyNodes.Load(key); ok {
		return n.(*yaml.Node)
	}
	n, _ := keyNodes.LoadOrStore(key, &yaml.Node{Kind: yaml.ScalarNode, Value: key})
	return n.(*yaml.Node)
}

// toNode turns a format value into a YAML node, leaving zero values out and
// keeping the field order of the format types.
func toNode(v reflect.Value) *yaml.Node {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return toNode(v.Elem())
	case reflect.Struct:
		// The pairs are gathered on the stack and the content allocated
		// once, at its size; key nodes are shared (keyNode).
		var buf [64]*yaml.Node
		kv := buf[:0]
		for key, fv := range yamlFields(v) {
			child := toNode(fv)
			if child == nil {
				continue
			}
			kv = append(kv, keyNode(key), child)
		}
		n := &yaml.Node{Kind: yaml.MappingNode}
		if len(kv) > 0 {
			n.Content = append([]*yaml.Node(nil), kv...)
		}
		return n
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		simple := v.Type().Elem().Kind() == reflect.String
		if simple {
			n.Style = yaml.FlowStyle
		}
		for i := 0; i < v.Len(); i++ {
			if c := toNode(v.Index(i)); c != nil {
				n.Content = append(n.Content, c)
			}
		}
		if simple && len(strings.Join(stringsOf(v), ", ")) > 60 {
			n.Style = 0
		}
		return n
	case reflect.Map:
		n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		keys := v.MapKeys()
		ks := make([]string, len(keys))
		for i, k := range keys {
			ks[i] = k.String()
		}
		sortStrings(ks)
		for _, k := range ks {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, toNode(v.MapIndex(reflect.ValueOf(k))))
		}
		return n
	case reflect.String:
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: v.String(), Tag: "!!str"}
		if strings.Contains(v.String(), "\n") {
			n.Style = yaml.LiteralStyle
		}
		return n
	case reflect.Int:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatInt(v.Int(), 10), Tag: "!!int"}
	case reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatBool(v.Bool()), Tag: "!!bool"}
	}
	return nil
}

func stringsOf(v reflect.Value) []string {
	out := make([]string, v.Len())
	for i := range out {
		out[i] = v.Index(i).String()
	}
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// NotAModel says what data is when it is plainly not a threat model file
// (an archive, an image, a binary), or "" — so an import refuses it with
// a clear message instead of a parser error full of garbage bytes.
func NotAModel(data []byte) string {
	magic := []struct {
		prefix, what string
	}{
		{"PK\x03\x04", "a zip archive"}, {"PK\x05\x06", "an empty zip archive"}, {"\x1f\x8b", "a gzip archive"},
		{"%PDF-", "a PDF document"}, {"\x89PNG", "a PNG image"}, {"\xff\xd8\xff", "a JPEG image"}, {"GIF8", "a GIF image"},
		{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"}, {"Rar!", "a RAR archive"}, {"\x7fELF", "an executable"}, {"MZ", "a Windows executable"},
		{"\xd0\xcf\x11\xe0", "an Office document"},
	}
	for _, m := range magic {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return m.what
		}
	}
	head := data[:min(len(data), 8192)]
	if bytes.IndexByte(head, 0) >= 0 && !bytes.HasPrefix(head, []byte("\xff\xfe")) && !bytes.HasPrefix(head, []byte("\xfe\xff")) {
		return "a binary file"
	}
	return ""
}
