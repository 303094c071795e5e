// Package spec reads Ward's threat-model format (ward.yaml, version 1) into a
// model.Model, reporting every problem at once with file:line:col, what is
// wrong and what to do.
//
// Files are read through an os.Root opened on the main file's directory, so
// includes and rule files cannot escape the model's directory tree. Inputs are
// bounded: file size, total size, YAML node count (aliases included) and
// nesting depth.
package spec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/model"
)

// Limits on what a model may be.
const (
	// MaxFileBytes is the largest model file accepted unless the caller's
	// LoadOptions say otherwise: the server's bound (ward's CLI passes its
	// own, --max-input).
	MaxFileBytes = 64 << 20
	// MaxTotalBytes bounds the sum of a model's files: four times the file
	// limit (LoadOptions.totalBytes).
	MaxTotalBytes = 4 * MaxFileBytes
	// MaxIncludeDepth bounds nested includes.
	MaxIncludeDepth = 8
)

// Source is a file's name (as shown to people) and its contents.
type Source struct {
	Name string
	Data []byte
	// owned says Data is the loader's own buffer, which nothing writes to
	// again: the parsed text may share its memory.
	owned bool
}

// Loaded is a model read from files, with the warnings found on the way and
// the custom rule files it names.
type Loaded struct {
	Model     *model.Model
	Warnings  Diagnostics
	RuleFiles []Source
	// Dir is the directory of the main file.
	Dir string
}

// LoadOptions are a caller's limits on the files a model is read from.
type LoadOptions struct {
	// MaxFileBytes bounds each file of the model; zero is MaxFileBytes.
	// The sum of the files is bounded by four times as much.
	MaxFileBytes int64
	// Hint, when set, says how to load a file of size bytes that is over
	// the limit (ward: the --max-input to pass); "split the model with
	// include" follows it.
	Hint func(size int64) string
}

func (o LoadOptions) fileBytes() int64 {
	if o.MaxFileBytes > 0 {
		return o.MaxFileBytes
	}
	return MaxFileBytes
}

func (o LoadOptions) totalBytes() int64 { return 4 * o.fileBytes() }

// Load reads the model at path and every file it includes, each at most
// MaxFileBytes. A model with problems returns Diagnostics as the error;
// other errors are I/O failures.
func Load(ctx context.Context, file string) (*Loaded, error) {
	return LoadWith(ctx, file, LoadOptions{})
}

// LoadWith is Load with the caller's limits.
func LoadWith(ctx context.Context, file string, opt LoadOptions) (*Loaded, error) {
	dir := filepath.Dir(file)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open model directory: %w", err)
	}
	defer root.Close()
	l := &loader{ctx: ctx, root: root, dir: dir, seen: map[string]bool{}, opt: opt}
	base := filepath.Base(file)
	data, err := l.read(base)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		return nil, err
	}
	l.seen[base] = true
	docs := l.parseTree(Source{Name: file, Data: data, owned: true}, base, 0)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var rules []Source
	if len(docs) > 0 && docs[0].main {
		rules = l.ruleFiles(docs[0])
	}
	m, bdiags := build(docs)
	diags := collapse(append(l.diags, bdiags...))
	diags.Sort()
	if diags.HasErrors() {
		return nil, diags
	}
	if m != nil {
		for _, d := range docs {
			m.Files = append(m.Files, d.name)
		}
		detach(m, docs)
	}
	return &Loaded{Model: m, Warnings: diags.Warnings(), RuleFiles: rules, Dir: dir}, nil
}

// Parse reads one model file from memory, without includes or rule files.
func Parse(name string, data []byte) (*model.Model, Diagnostics, error) {
	var diags Diagnostics
	doc, _ := parseDoc(Source{Name: name, Data: data}, &diags)
	if doc == nil {
		return nil, diags, diags
	}
	m, more := build([]parsed{{name: name, doc: doc}})
	diags = collapse(append(diags, more...))
	diags.Sort()
	if diags.HasErrors() {
		return nil, diags, diags
	}
	return m, diags, nil
}

type parsed struct {
	name string // shown to people
	rel  string // inside the root
	doc  *Document
	main bool
	// text is the file's text the document's strings were cut from, when
	// it was decoded from text (streamed or in pieces); see detach.
	text string
}

type loader struct {
	ctx   context.Context
	root  *os.Root
	dir   string
	seen  map[string]bool
	opt   LoadOptions
	total int64
	diags Diagnostics
}

func (l *loader) read(rel string) ([]byte, error) {
	// Look before opening: opening a named pipe blocks until a writer
	// comes, and a device may never end.
	fi, err := l.root.Stat(rel)
	if err != nil {
		if strings.Contains(err.Error(), "escapes from parent") {
			return nil, fileDiag(filepath.Join(l.dir, rel), "is a symbolic link to a file outside the model's directory",
				"copy the file into the model's directory, or link to one inside it")
		}
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fileDiag(filepath.Join(l.dir, rel), "is "+fileKind(fi.Mode())+", not a regular file", "name a regular file")
	}
	f, err := l.root.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read into a buffer of the file's size when it is known, so that a
	// large model is not copied again and again as the buffer grows.
	limit := l.opt.fileBytes()
	var size int64 // the file's size when known
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	name := filepath.Join(l.dir, rel)
	if size > limit {
		return nil, l.tooLarge(name, size, limit)
	}
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(size) + bytes.MinRead)
	}
	_, err = buf.ReadFrom(io.LimitReader(f, limit+1))
	data := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", rel, err)
	}
	if int64(len(data)) > limit { // grew while read
		return nil, l.tooLarge(name, int64(len(data)), limit)
	}
	l.total += int64(len(data))
	if total := l.opt.totalBytes(); l.total > total {
		return nil, Diagnostics{{Pos: model.Pos{File: name}, Msg: fmt.Sprintf("the model's files add up to more than %s", FormatSize(total)), Hint: "split it into several models"}}
	}
	return data, nil
}

// tooLarge is the error for a file of size bytes over limit.
func (l *loader) tooLarge(name string, size, limit int64) Diagnostics {
	hint := "split the model with include"
	if l.opt.Hint != nil {
		hint = l.opt.Hint(size) + ", or " + hint
	}
	return Diagnostics{{Pos: model.Pos{File: name}, Msg: fmt.Sprintf("the file is %s, over the %s limit", FormatSize(size), FormatSize(limit)), Hint: hint}}
}

// FormatSize writes n bytes in the largest unit it is a whole number of,
// such as 64 MiB or 1 GiB; a size over 1 MiB that is not a whole number of
// them is rounded up to the next MiB.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<20:
		return strconv.FormatInt((n+1<<20-1)>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	case n == 1:
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// parseTree parses a file and, depth first, the files it includes.
func (l *loader) parseTree(src Source, rel string, depth int) []parsed {
	doc, text := parseDoc(src, &l.diags)
	if doc == nil {
		return nil
	}
	out := []parsed{{name: src.Name, rel: rel, doc: doc, main: depth == 0, text: text}}
	for i, pat := range doc.Include {
		if l.ctx.Err() != nil {
			return out
		}
		// The key's position costs a second parse of the file: only a
		// diagnostic asks for it.
		pos := func() model.Pos { return doc.keyPos("include", i) }
		matches, ok := l.glob(rel, pat, pos)
		if !ok {
			continue
		}
		if depth+1 > MaxIncludeDepth {
			l.diags.add(pos(), "includes nest more than %d deep", "include the files from the main model instead", MaxIncludeDepth)
			continue
		}
		for _, m := range matches {
			if l.seen[m] {
				l.diags.warn(pos(), "%s is included more than once", "remove the repeated include", m)
				continue
			}
			l.seen[m] = true
			data, err := l.read(m)
			if err != nil {
				var ds Diagnostics
				if errors.As(err, &ds) {
					l.diags = append(l.diags, ds...)
				} else {
					l.diags.add(pos(), "cannot read included file %s: %v", "check the path and its permissions", m, unwrapPath(err))
				}
				continue
			}
			out = append(out, l.parseTree(Source{Name: filepath.Join(l.dir, filepath.FromSlash(m)), Data: data, owned: true}, m, depth+1)...)
		}
	}
	return out
}

// glob resolves an include or rule pattern relative to the file that names
// it, refusing anything outside the model's directory tree. pos gives the
// position of the pattern for a diagnostic.
func (l *loader) glob(from, pat string, pos func() model.Pos) ([]string, bool) {
	if pat == "" || path.IsAbs(pat) || filepath.IsAbs(pat) || strings.Contains(pat, "\\") {
		l.diags.add(pos(), "%q must be a relative path inside the model's directory", "write a path relative to this file, without .. or a leading /", pat)
		return nil, false
	}
	full := path.Clean(path.Join(path.Dir(from), pat))
	if full == ".." || strings.HasPrefix(full, "../") {
		l.diags.add(pos(), "%q points outside the model's directory", "keep included files inside the directory of the main model file", pat)
		return nil, false
	}
	matches, err := fs.Glob(l.root.FS(), full)
	if err != nil {
		l.diags.add(pos(), "bad pattern %q: %v", "fix the wildcard syntax", pat, err)
		return nil, false
	}
	if len(matches) == 0 {
		if fi, err := l.root.Lstat(full); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			l.diags.add(pos(), "%q is a symbolic link to a file outside the model's directory", "copy the file into the model's directory, or link to one inside it", pat)
			return nil, false
		}
		l.diags.add(pos(), "%q matches no file", "check the path; it is relative to the file that names it", pat)
		return nil, false
	}
	return matches, true
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ruleFiles reads the custom rule files the main document names.
func (l *loader) ruleFiles(main parsed) []Source {
	var out []Source
	seen := map[string]bool{}
	for i, pat := range main.doc.Rules {
		pos := func() model.Pos { return main.doc.keyPos("rules", i) }
		matches, ok := l.glob(main.rel, pat, pos)
		if !ok {
			continue
		}
		for _, m := range matches {
			if seen[m] {
				continue
			}
			seen[m] = true
			data, err := l.read(m)
			if err != nil {
				l.diags.add(pos(), "cannot read rule file %s: %v", "check the path and its permissions", m, unwrapPath(err))
				continue
			}
			out = append(out, Source{Name: filepath.Join(l.dir, filepath.FromSlash(m)), Data: data})
		}
	}
	return out
}

// parseDoc parses one YAML file into a Document, or returns nil when the
// file cannot be parsed at all. A document decoded from the file's text
// (streamed or in pieces) comes with the text, which its strings point
// into.
func parseDoc(src Source, diags *Diagnostics) (*Document, string) {
	if pos, bad := invalidUTF8(src.Data); bad != 0 {
		diags.add(model.Pos{File: src.Name, Line: pos.Line, Col: pos.Col}, "the file is not valid UTF-8 (byte 0x%02x)",
			"save the file as UTF-8; YAML allows no other encoding here", bad)
		return nil, ""
	}
	if len(src.Data) >= chunkMin && runtime.GOMAXPROCS(0) > 1 {
		text, ascii, roots, ok := prepareText(src.Data, prepareSplit, src.owned, true)
		if ok {
			if doc, ok := chunkDoc(src, text, ascii, roots, diags, chunkTarget); ok {
				return doc, text
			}
			if doc, ok := streamText(src, text, ascii, diags); ok {
				return doc, text
			}
		}
		return parseDocTree(src, diags), ""
	}
	if len(src.Data) >= streamMin {
		if text, ascii, ok := fastPrepareSplit(src.Data, prepareSplit, src.owned); ok {
			if doc, ok := streamText(src, text, ascii, diags); ok {
				return doc, text
			}
		}
	}
	return parseDocTree(src, diags), ""
}

// streamMin is the size from which a file is decoded streaming. The stream
// saves the node tree's memory on large files, but its parser goroutine and
// node batches (about 1 MB) cost more than the whole tree of a small file:
// a server analysing the shop example on every push allocated 1.3 MB more
// per push with every file streamed.
const streamMin = 256 << 10

// parseDocTree is parseDoc on the whole node tree (streamDoc's fallback).
func parseDocTree(src Source, diags *Diagnostics) *Document {
	root, err := parseYAML(src.Data)
	if err != nil {
		*diags = append(*diags, SyntaxDiag(src.Name, err))
		return nil
	}
	if root.Kind == 0 || len(root.Content) == 0 || isNull(root.kid(0)) {
		diags.add(model.Pos{File: src.Name, Line: 1, Col: 1}, "the file is empty", "start it with `ward: 1` (run `ward init` to scaffold a model)")
		return nil
	}
	n := root.kid(0)
	doc := &Document{}
	d := &decoder{file: src.Name, src: &srcFile{name: src.Name, data: src.Data}, diags: diags, budget: nodeBudget(len(src.Data))}
	before := len(*diags)
	d.decodeStruct(n, reflect.ValueOf(doc).Elem())
	if len(*diags) > before && !doc.set {
		return nil
	}
	if d.budget <= 0 {
		// Refused (aliases or nesting): checking what was read would only
		// pile up follow-on errors.
		return nil
	}
	return doc
}

func fileDiag(file, msg, hint string) Diagnostics {
	return Diagnostics{{Pos: model.Pos{File: file, Line: 1, Col: 1}, Msg: "the file " + msg, Hint: hint}}
}

// fileKind words what a non-regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// invalidUTF8 returns the line and column (in characters) of the first
// byte of data that is not UTF-8, and that byte; 0 when all is valid.
func invalidUTF8(data []byte) (model.Pos, byte) {
	if utf8.Valid(data) {
		return model.Pos{}, 0
	}
	line, start := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return model.Pos{Line: line, Col: utf8.RuneCount(data[start:i]) + 1}, data[i]
		}
		if r == '\n' {
			line, start = line+1, i+size
		}
		i += size
	}
	return model.Pos{}, 0
}

// nodeBudget allows generously more nodes and keys than a file of that size
// could hold without aliases, and no more.
func nodeBudget(size int) int { return size + 10_000 }

// SyntaxDiag is the diagnostic for a YAML syntax error in file: the line and
// column the parser gives (or the line its message names), its message and
// a hint. Every YAML file Ward reads reports syntax errors through it.
func SyntaxDiag(file string, err error) Diagnostic {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		msg := strings.TrimPrefix(le.Message, "yaml: ")
		line, col := le.Mark.Line, le.Mark.Column
		if line == 0 {
			line, col = parseLine(err.Error()), 1
		}
		if col == 0 {
			col = 1
		}
		return Diagnostic{Pos: model.Pos{File: file, Line: line, Col: col}, Msg: "YAML syntax error: " + msg,
			Hint: "check indentation (spaces, not tabs), colons and brackets on this line and the one before"}
	}
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 0 {
		return SyntaxDiag(file, les.Errors[0])
	}
	return Diagnostic{Pos: model.Pos{File: file, Line: parseLine(err.Error()), Col: 1}, Msg: "YAML syntax error: " + strings.TrimPrefix(err.Error(), "yaml: "),
		Hint: "check indentation (spaces, not tabs), colons and brackets"}
}

func parseLine(s string) int {
	i := strings.Index(s, "line ")
	if i < 0 {
		return 1
	}
	n := 0
	for _, r := range s[i+5:] {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	if n == 0 {
		return 1
	}
	return n
}
