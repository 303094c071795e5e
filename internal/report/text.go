package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/wardtm/ward/internal/jsonindent"
)

// JSON writes the result as indented JSON. It streams: the long lists
// (findings, questions, elements) are encoded in chunks of items, on all
// cores for a large result, and written in order, so memory stays
// proportional to a few chunks rather than to the whole output (a
// 10,000-component model's result is over 500 MB of JSON). The bytes are
// exactly what encoding/json with a two-space indent would write.
func JSON(w io.Writer, r *Result) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	v := reflect.ValueOf(r).Elem()
	t := v.Type()
	var ie itemEncoder
	var pool chunkPool // chunk buffers, shared by the lists
	bw.WriteString("{\n")
	keyOf := func(i int) string {
		key, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if key == "-" || !t.Field(i).IsExported() {
			return ""
		}
		return key
	}
	last := t.NumField() - 1 // the last field written
	for last > 0 && keyOf(last) == "" {
		last--
	}
	for i := 0; i < t.NumField(); i++ {
		key := keyOf(i)
		if key == "" {
			continue
		}
		bw.WriteString(`  "` + key + `": `)
		fv := v.Field(i)
		if fv.Kind() == reflect.Slice && fv.Len() > 0 {
			bw.WriteString("[\n")
			if err := writeJSONItems(bw, fv, &pool); err != nil {
				return err
			}
			bw.WriteString("  ]")
		} else {
			out, err := ie.encode(nil, fv.Interface(), "  ")
			if err != nil {
				return err
			}
			bw.Write(out)
		}
		if i < last {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// itemEncoder marshals values compactly with one reused encoder, then
// indents them in one pass (indentJSON), which is several times faster
// than an encoder set to indent, which re-scans and validates.
type itemEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

// encode appends x, indented with prefix, to dst.
func (e *itemEncoder) encode(dst []byte, x any, prefix string) ([]byte, error) {
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetEscapeHTML(false)
	}
	e.buf.Reset()
	if err := e.enc.Encode(x); err != nil {
		return dst, err
	}
	return indentJSON(dst, bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")), prefix), nil
}

// jsonChunk is how many list items one worker encodes at a time.
const jsonChunk = 128

// writeJSONItems writes the items of a non-empty list, one per line at
// four spaces, separated by commas. Long lists are encoded in chunks on
// GOMAXPROCS goroutines and written in order (writeChunks).
func writeJSONItems(w *bufio.Writer, list reflect.Value, pool *chunkPool) error {
	n := list.Len()
	items := list.Interface()
	if item := jsonItemWriter(items); item != nil {
		var lists jsonLists
		// Each chunk takes a memo no other goroutine holds; the memos
		// (keyed by addresses in this result) end with this list.
		memos := sync.Pool{New: func() any { return new(jsonMemo) }}
		return writeChunks(w, n, jsonChunk, pool, func(dst []byte, lo, hi int) ([]byte, error) {
			memo := memos.Get().(*jsonMemo)
			defer memos.Put(memo)
			w := jsonW{b: dst, depth: 2, lists: &lists, memo: memo}
			fs, _ := items.([]Finding)
			qs, _ := items.([]Question)
			for j := lo; j < hi; j++ {
				if (j-lo)%touchBlock == 0 {
					var x byte
					for k := j; k < min(j+touchBlock, hi); k++ {
						switch {
						case fs != nil:
							x ^= touchFindingJSON(&fs[k])
						case qs != nil:
							x ^= touchQuestion(&qs[k])
						}
					}
					runtime.KeepAlive(x)
				}
				w.roomFor(jsonItemRoom)
				w.b = append(w.b, "    "...)
				item(&w, j)
				if j < n-1 {
					w.b = append(w.b, ',')
				}
				w.b = append(w.b, '\n')
			}
			return w.b, nil
		})
	}
	return writeChunks(w, n, jsonChunk, pool, func(dst []byte, lo, hi int) ([]byte, error) {
		e := itemEncoders.Get().(*itemEncoder)
		defer itemEncoders.Put(e)
		var err error
		for j := lo; j < hi; j++ {
			dst = append(dst, "    "...)
			if dst, err = e.encode(dst, list.Index(j).Interface(), "    "); err != nil {
				return dst, err
			}
			if j < n-1 {
				dst = append(dst, ',')
			}
			dst = append(dst, '\n')
		}
		return dst, nil
	})
}

// itemEncoders are the encoders of the chunks in flight.
var itemEncoders = sync.Pool{New: func() any { return new(itemEncoder) }}

// indentJSON is jsonindent.Append.
func indentJSON(dst, src []byte, prefix string) []byte { return jsonindent.Append(dst, src, prefix) }

// maxTextQuestions is how many questions the text output lists by default.
const maxTextQuestions = 15

// TextOptions tune the text output.
type TextOptions struct {
	// All includes closed findings (mitigated, accepted, ...), not only open
	// ones, and every question.
	All bool
	// Verbose adds each finding's explanation, rationale and suggestions.
	Verbose bool
}

// Text writes the result for a terminal: the active threats (open and
// unverified) in one ranked list, the questions to answer first, then a
// summary line.
func Text(w io.Writer, r *Result, opt TextOptions) error {
	// Text from the model goes to a terminal: control characters in it
	// (escape sequences) are shown, not obeyed.
	// Buffered: the text is written a line at a time, and an unbuffered
	// standard output would make each line a system call.
	bw := bufio.NewWriterSize(w, 1<<16)
	ew := &errWriter{w: controlsShown{bw}}
	s := r.Summary
	ew.printf("%s (%s): %d threat%s, %s, %d question%s\n", r.System.Name, r.System.ID, s.Findings, pl(s.Findings), statusCounts(s), s.Questions, pl(s.Questions))
	qs := questionIndex(r)
	var list []int // the findings shown, by index
	for i := range r.Findings {
		if Active(r.Findings[i].Status) || opt.All {
			list = append(list, i)
		}
	}
	shown := len(list)
	if shown > 0 {
		ew.printf("\nThreats, ranked by residual risk (unverified: not known to be mitigated; answer its question to settle it):\n")
	}
	if ew.err == nil {
		// In chunks on all cores (writeChunks), straight to the buffer:
		// textFinding shows control characters itself.
		var pool chunkPool
		ew.err = writeChunks(bw, len(list), 4*jsonChunk, &pool, func(dst []byte, lo, hi int) ([]byte, error) {
			for k := lo; k < hi; k += touchBlock {
				block := list[k:min(k+touchBlock, hi)]
				var x byte
				for _, i := range block {
					x ^= touchFinding(&r.Findings[i])
				}
				runtime.KeepAlive(x)
				for _, i := range block {
					dst = textFinding(dst, &r.Findings[i], qs, opt)
				}
			}
			return dst, nil
		})
	}
	if shown == 0 {
		ew.printf("\nNo open or unverified threats.\n")
	}
	if len(r.Questions) > 0 {
		var firsts []int // the questions to answer first, by index
		for i := range r.Questions {
			if r.Questions[i].First {
				firsts = append(firsts, i)
			}
		}
		first := len(firsts)
		if first > 0 {
			ew.printf("\nAnswer these first (each settles unverified threats; a \"no\" makes them open):\n")
		}
		if first > 0 && ew.err == nil {
			// Appended by hand, as printf wrote them ("  - %s\n", "    %s:
			// set %s  [%s at stake, moves %d]  %s\n"), each line with its
			// control characters shown as controlsShown shows a write's,
			// and in chunks on all cores (writeChunks) like the threats: a
			// large model has a question to answer first per element
			// (200,000 lines at N=100,000).
			var pool chunkPool
			ew.err = writeChunks(bw, first, 4*jsonChunk, &pool, func(dst []byte, lo, hi int) ([]byte, error) {
				shown := func(start int) {
					if seg := dst[start:]; mayHide(seg) {
						dst = append(dst[:start], mdControls(string(seg))...)
					}
				}
				for _, i := range firsts[lo:hi] {
					q := &r.Questions[i]
					start := len(dst)
					dst = append(dst, "  - "...)
					dst = append(dst, q.Text...)
					dst = append(dst, '\n')
					shown(start)
					start = len(dst)
					dst = append(dst, "    "...)
					dst = append(dst, q.ID...)
					dst = append(dst, ": set "...)
					dst = appendAnswerPath(dst, q)
					dst = append(dst, "  ["...)
					dst = append(dst, q.AtStake...)
					dst = append(dst, " at stake, moves "...)
					dst = strconv.AppendInt(dst, int64(q.Moves), 10)
					dst = append(dst, "]  "...)
					dst = appendLoc(dst, q.Location)
					dst = append(dst, '\n')
					shown(start)
				}
				return dst, nil
			})
		}
		rest := len(r.Questions) - first
		if rest > 0 {
			ew.printf("\nOther questions, by the risk their answer moves:\n")
		}
		n := 0
		for i := range r.Questions {
			q := &r.Questions[i]
			if q.First {
				continue
			}
			if n == maxTextQuestions && !opt.All && !opt.Verbose {
				ew.printf("  ... and %d more (--all lists them; --format json has them all)\n", rest-n)
				break
			}
			n++
			ew.printf("  - %s\n", q.Text)
			if q.Key == "*" {
				for _, x := range q.More {
					ew.printf("    %s: set %s  [%s at stake]\n", x.ID, answerPath(x), x.AtStake)
				}
				continue
			}
			ew.printf("    %s: set %s  [%s at stake]  %s\n", q.ID, answerPath(*q), q.AtStake, locString(q.Location))
		}
	}
	for _, wn := range r.Warnings {
		ew.printf("\nwarning: %s: %s", locString(wn.Location), wn.Message)
		if wn.Hint != "" {
			ew.printf(" — %s", wn.Hint)
		}
		ew.printf("\n")
	}
	bs, us := s.BySeverity, s.UnverifiedBySeverity
	ew.printf("\nOpen: %d critical, %d high, %d medium, %d low, %d info. Unverified: %d critical, %d high, %d medium, %d low, %d info. Accepted: %d. Worst open: %s.\n",
		bs["critical"], bs["high"], bs["medium"], bs["low"], bs["info"], us["critical"], us["high"], us["medium"], us["low"], us["info"], len(s.Accepted), s.Worst)
	if s.Inferred.Total() > 0 {
		ew.printf("%s\n", InferredLine(s.Inferred))
	}
	return ew.flush(bw)
}

// textFinding appends a finding's lines of the text output. Control
// characters are shown line by line, as controlsShown shows them in each
// write of the other lines.
func textFinding(dst []byte, f *Finding, qs map[string]*Question, opt TextOptions) []byte {
	// Each line is appended by hand (this is most of the text output of a
	// large model; fmt cost a third of it), then has its control characters
	// shown. The formats are those of fmt: "%3d. %-8s %-10s %s\n", ….
	start := 0
	begin := func() { start = len(dst) }
	end := func() {
		// mdControls changes only lines with a hidden rune: looked for
		// in place, as most lines with a byte that may hide one (an
		// arrow, an accent) have none.
		if seg := dst[start:]; mayHide(seg) && bytes.ContainsFunc(seg, hiddenRune) {
			shown := mdControls(string(seg))
			dst = append(dst[:start], shown...)
		}
	}
	status := f.Status
	if strings.IndexByte(status, '_') >= 0 {
		status = strings.ReplaceAll(status, "_", " ")
	}
	if f.Reopened != "" {
		status = "reopened"
	}
	begin()
	var num [20]byte
	dst = padLeft(dst, string(strconv.AppendInt(num[:0], int64(f.Rank), 10)), 3)
	dst = append(dst, ". "...)
	// A closed threat's severity is what it was, not an open risk.
	if Active(f.Status) {
		dst = padRight(dst, upperSeverity(f.Severity), 8)
	} else {
		dst = padRight(dst, "("+f.Severity+")", 8)
	}
	dst = append(dst, ' ')
	dst = padRight(dst, status, 10)
	dst = append(dst, ' ')
	dst = append(dst, f.Title...)
	dst = append(dst, '\n')
	end()
	begin()
	dst = append(dst, "     "...)
	dst = append(dst, f.ID...)
	dst = append(dst, "  ["...)
	// Every STRIDE category the threat stands for (a weakness's readings
	// listed as one threat, a team's threat of several), the first its own.
	if len(f.Categories) > 1 {
		for i, c := range f.Categories {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, c...)
		}
	} else {
		dst = append(dst, f.Category...)
	}
	dst = appendCWEList(dst, f.CWE())
	dst = append(dst, "]  "...)
	dst = appendLoc(dst, f.Location)
	dst = append(dst, '\n')
	end()
	if d := f.Decision; d != nil && len(d.Covers) > 0 {
		begin()
		dst = append(dst, "     "...)
		dst = append(dst, strings.ReplaceAll(d.Status, "_", " ")...)
		dst = append(dst, ", covers hops "...)
		dst = append(dst, strings.Join(d.Covers, ", ")...)
		dst = append(dst, '\n')
		end()
	}
	if f.Reopened != "" {
		begin()
		dst = append(dst, "     re-opened: "...)
		dst = append(dst, f.Reopened...)
		dst = append(dst, '\n')
		end()
	}
	if f.Status == "unverified" {
		for _, id := range f.Questions {
			if q, ok := qs[id]; ok {
				begin()
				dst = append(dst, "     settle: set "...)
				dst = appendAnswerPath(dst, q)
				dst = append(dst, '\n')
				end()
			}
		}
	}
	if opt.Verbose {
		if f.Description != "" {
			begin()
			dst = append(dst, "     "...)
			dst = append(dst, f.Description...)
			dst = append(dst, '\n')
			end()
		}
		begin()
		dst = fmt.Appendf(dst, "     risk: likelihood %s × impact %s = %d (inherent %d, projected %d)\n", riskOr(f.Residual).LikelihoodLabel, riskOr(f.Residual).ImpactLabel,
			riskOr(f.Residual).Score, riskOr(f.Inherent).Score, riskOr(f.Projected).Score)
		end()
		for _, why := range f.Rationale {
			begin()
			dst = append(dst, "       - "...)
			dst = append(dst, why...)
			dst = append(dst, '\n')
			end()
		}
		for _, m := range f.Suggested() {
			begin()
			dst = append(dst, "     fix: "...)
			dst = append(dst, m...)
			dst = append(dst, '\n')
			end()
		}
	}
	return dst
}

// upperSeverity is strings.ToUpper(s), without allocating for the five
// severities (a line per threat).
func upperSeverity(s string) string {
	switch s {
	case "critical":
		return "CRITICAL"
	case "high":
		return "HIGH"
	case "medium":
		return "MEDIUM"
	case "low":
		return "LOW"
	case "info":
		return "INFO"
	}
	return strings.ToUpper(s)
}

// padLeft appends s right-aligned in width runes, as fmt's "%3s" does.
func padLeft(dst []byte, s string, width int) []byte {
	for n := utf8.RuneCountInString(s); n < width; n++ {
		dst = append(dst, ' ')
	}
	return append(dst, s...)
}

// padRight appends s left-aligned in width runes, as fmt's "%-8s" does.
func padRight(dst []byte, s string, width int) []byte {
	dst = append(dst, s...)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		dst = append(dst, ' ')
	}
	return dst
}

// Active reports whether a finding status belongs in the ranked threat
// list: open or unverified.
func Active(status string) bool { return status == "open" || status == "unverified" }

// questionIndex maps every question id, grouped ones included, to its
// question (pointers: a Question is ≈ 230 bytes, and there are tens of
// thousands). It is the index BuildOnly made (PartTextIndex) while r's
// questions are still the ones it was made of, or a new one.
func questionIndex(r *Result) map[string]*Question {
	if x := r.qindex; x != nil && len(x.of) == len(r.Questions) && (len(x.of) == 0 || &x.of[0] == &r.Questions[0]) {
		return x.index
	}
	return questionsByID(r.Questions)
}

// questionIndexOf is an index of the questions of (questionsByID).
type questionIndexOf struct {
	index map[string]*Question
	of    []Question
}

// questionsByID is questionIndex of the questions qs.
func questionsByID(qs []Question) map[string]*Question {
	n := len(qs)
	for i := range qs {
		n += len(qs[i].More)
	}
	out := make(map[string]*Question, n)
	for i := range qs {
		q := &qs[i]
		out[q.ID] = q
		for k := range q.More {
			out[q.More[k].ID] = &q.More[k]
		}
	}
	return out
}

// NeedsKey is the key of a question about an asset's unstated needs
// (rule.NeedsKey): answered by the asset's confidentiality, integrity and
// availability, or its classification, not by a control.
const NeedsKey = "needs"

// CarriesKey is the key of a question about what a flow carries, when it
// states nothing and Ward read it as carrying what the store it reaches
// holds (rule.CarriesKey): answered by the flow's carries list.
const CarriesKey = "carries"

// answerPath says where in the model a question is answered.
func answerPath(q Question) string { return string(appendAnswerPath(nil, &q)) }

// appendAnswerPath appends answerPath(*q).
func appendAnswerPath(dst []byte, q *Question) []byte {
	switch q.Key {
	case NeedsKey:
		// An asset's unstated needs: its three needs, or the
		// classification that implies them.
		dst = append(dst, "assets["...)
		dst = append(dst, q.Element.ID...)
		return append(dst, "].confidentiality, integrity, availability or classification"...)
	case "encryption", "authentication", "forwards_identity", CarriesKey:
		dst = append(dst, "flows["...)
		dst = append(dst, q.Element.ID...)
		dst = append(dst, "]."...)
		return append(dst, q.Key...)
	}
	dst = append(dst, q.Element.Kind...)
	dst = append(dst, "s["...)
	dst = append(dst, q.Element.ID...)
	dst = append(dst, "].controls"...)
	if q.Key == "*" {
		return dst
	}
	dst = append(dst, '.')
	return append(dst, q.Key...)
}

func cweList(cwe []int) string { return string(appendCWEList(nil, cwe)) }

// appendCWEList appends ", CWE-1, CWE-2" for the CWE ids, nothing for none.
func appendCWEList(dst []byte, cwe []int) []byte {
	for _, c := range cwe {
		dst = append(dst, ", CWE-"...)
		dst = strconv.AppendInt(dst, int64(c), 10)
	}
	return dst
}

func locString(l *Location) string { return string(appendLoc(nil, l)) }

// appendLoc appends locString(l): file:line:col, nothing for no location.
func appendLoc(dst []byte, l *Location) []byte {
	if l == nil {
		return dst
	}
	dst = append(dst, l.File...)
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, int64(l.Line), 10)
	dst = append(dst, ':')
	return strconv.AppendInt(dst, int64(l.Col), 10)
}

func pl(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// errWriter keeps the first write error so renderers can print freely.
type errWriter struct {
	w   io.Writer
	err error
	// pool holds the buffers of the Markdown tables written in chunks
	// (mdTable.rows), kept from one table to the next.
	pool chunkPool
}

// controlsShown writes control characters (but newlines and tabs) and
// bidirectional overrides as visible escapes (mdControls).
type controlsShown struct{ w io.Writer }

func (c controlsShown) Write(p []byte) (int, error) {
	if !mayHide(p) {
		return c.w.Write(p)
	}
	if _, err := io.WriteString(c.w, mdControls(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// mayHideByte marks the bytes that can be, or begin, a rune hiddenRune
// reports: C0 controls (but newline and tab), DEL, and the lead bytes of
// C1 controls (0xC2) and of the marks and overrides at U+200E..U+2069
// (0xE2). Text without them needs no escaping.
var mayHideByte = func() (t [256]bool) {
	for b := range 0x20 {
		t[b] = b != '\n' && b != '\t'
	}
	t[0x7f], t[0xc2], t[0xe2] = true, true, true
	return t
}()

// mayHide reports whether p may hold a rune mdControls escapes; false is
// certain.
func mayHide(p []byte) bool { return mayHideIn(p) }

// mayHideString is mayHide for a string.
func mayHideString(s string) bool { return mayHideIn(s) }

// mayHideIn is mayHide of a string or bytes: eight bytes at a time while
// they hold neither a control (below 0x20) nor a byte from 0x7f up (most
// text is plain ASCII), the bytes of any other word one by one.
func mayHideIn[T string | []byte](s T) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; len(s)-i >= 8; i += 8 {
		t := s[i : i+8]
		x := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		// A byte below 0x20 sets its top bit in (x-0x20…)&^x, one from
		// 0x7f up in x|(x+1…); borrows and carries can only mark more
		// words, which are then checked byte by byte.
		if ((x-lsb*0x20)&^x|x|(x+lsb))&msb == 0 {
			continue
		}
		for j := range 8 {
			if mayHideByte[t[j]] {
				return true
			}
		}
	}
	for ; i < len(s); i++ {
		if mayHideByte[s[i]] {
			return true
		}
	}
	return false
}

// flush flushes bw, the buffer under e, and returns the first error.
func (e *errWriter) flush(bw *bufio.Writer) error {
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

// write writes p, unless an earlier write failed.
func (e *errWriter) write(p []byte) {
	if e.err != nil {
		return
	}
	_, e.err = e.w.Write(p)
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}

// InferredLine is the line under the text summary that says how many facts
// Ward read from the elements' words and how to state them.
func InferredLine(n *InferredCount) string {
	count := func(k int, one, many string) string {
		if k == 1 {
			return "1 " + one
		}
		return strconv.Itoa(k) + " " + many
	}
	var parts []string
	if n.ComponentKinds > 0 {
		parts = append(parts, count(n.ComponentKinds, "component kind", "component kinds"))
	}
	if n.AssetKinds > 0 {
		parts = append(parts, count(n.AssetKinds, "asset kind", "asset kinds"))
	}
	if n.AssetData > 0 {
		parts = append(parts, count(n.AssetData, "asset's data", "assets' data"))
	}
	from := "their names"
	if n.ComponentFlags > 0 {
		parts = append(parts, count(n.ComponentFlags, "admin or paid flag", "admin or paid flags"))
		from = "their names and flows"
	}
	list := strings.Join(parts, ", ")
	if i := strings.LastIndex(list, ", "); i >= 0 {
		list = list[:i] + " and " + list[i+2:]
	}
	if list != "" {
		list += " read from " + from
	}
	if n.ComponentAssets > 0 {
		if list != "" {
			list += "; "
		}
		list += count(n.ComponentAssets, "component's stored or processed assets", "components' stored or processed assets") + " read from their flows"
	}
	if n.FlowCarries > 0 {
		if list != "" {
			list += "; "
		}
		list += count(n.FlowCarries, "flow's carried assets", "flows' carried assets") + " read from the stores they reach"
	}
	if n.AssetClasses > 0 {
		if list != "" {
			list += "; "
		}
		list += count(n.AssetClasses, "asset", "assets") + " taken as confidential for want of a stated sensitivity"
	}
	return "Inferred: " + list + ", not stated — state them in the model to be sure (ward help inference)."
}
