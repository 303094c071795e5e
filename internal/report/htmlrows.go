package report

import (
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The HTML page's long lists — the findings, the open questions and the
// elements, nearly all of a large model's page — are written here by hand
// rather than by html/template, whose reflection and escapers made a
// 10,000-component page take tens of seconds. The bytes are those the
// template wrote (TestHTMLIsTemplate compares the whole page with the
// template as it was): every value gets the escaping html/template gives
// it in its place — appendEsc in text and quoted attributes, appendURL in
// links — and control characters are shown per value as the page's
// writer showed them per write (controlsShown), so the rows go to the
// buffer directly.

// htmlChunk is how many rows one worker writes at a time.
const htmlChunk = 64

// htmlEscapes is html/template's replacement table for text and quoted
// attribute values (htmlReplacementTable in html/template): every other
// byte, and so every rune of two or more bytes and invalid UTF-8, is
// written as it is.
var htmlEscapes = [256]string{0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;"}

// appendEsc appends s escaped as html/template escapes a string in HTML
// text or a quoted attribute value, then with control characters shown as
// the page's writer shows them (controlsShown, which saw each value the
// template printed in one write).
func appendEsc(dst []byte, s string) []byte {
	// One pass for the common case: escape, and fall back to the slow
	// path at the first byte that may begin a hidden rune.
	start, last := len(dst), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if mayHideByte[c] {
			return append(dst[:start], mdControls(string(appendEscaped(nil, s)))...)
		}
		if r := htmlEscapes[c]; r != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, r...)
			last = i + 1
		}
	}
	return append(dst, s[last:]...)
}

// appendEscaped appends s escaped as html/template escapes a string in
// HTML text or a quoted attribute value.
func appendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		if r := htmlEscapes[s[i]]; r != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, r...)
			last = i + 1
		}
	}
	return append(dst, s[last:]...)
}

// appendEscJoin appends strings.Join(list, sep), sep plain text,
// escaped as one value (appendEsc).
func appendEscJoin(dst []byte, list []string, sep string) []byte {
	for _, s := range list {
		if mayHideString(s) {
			return appendEsc(dst, strings.Join(list, sep))
		}
	}
	for i, s := range list {
		if i > 0 {
			dst = append(dst, sep...)
		}
		dst = appendEscaped(dst, s)
	}
	return dst
}

// appendInt appends n as the template prints an int.
func appendInt(dst []byte, n int) []byte { return strconv.AppendInt(dst, int64(n), 10) }

// urlKeep marks the bytes html/template's URL normaliser keeps as they
// are (processURLOnto with norm): unreserved and reserved characters but
// the quote and parentheses; '%' is kept before two hex digits.
var urlKeep = func() (t [256]bool) {
	for _, c := range "!#$&*+,/:;=?@[]-._~" {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	return t
}()

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// appendURLPart appends s, part of a quoted href, as html/template writes
// it there: normalised as a URL (other bytes percent-encoded), then
// escaped for the attribute ('&' and '+' are the only bytes left that
// need it).
func appendURLPart(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '+':
			dst = append(dst, "&#43;"...)
		case urlKeep[c], c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			dst = append(dst, c)
		default:
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&0xF])
		}
	}
	return dst
}

// appendURL appends s, a whole href value of type string, as the template
// writes it: an address whose scheme is not http, https or mailto is
// replaced by "#ZgotmplZ" (html/template's urlFilter), then normalised.
func appendURL(dst []byte, s string) []byte {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		if !strings.EqualFold(protocol, "http") && !strings.EqualFold(protocol, "https") && !strings.EqualFold(protocol, "mailto") {
			s = "#ZgotmplZ"
		}
	}
	return appendURLPart(dst, s)
}

// appendAnchor appends the href of the template's anchor function: a
// link to an element of the page.
func appendAnchor(dst []byte, prefix, id string) []byte {
	dst = append(dst, '#')
	dst = append(dst, prefix...)
	return appendURLPart(dst, id)
}

// appendTicks appends what the template's ticks function returns: s
// escaped, with `quoted` spans in code.
func appendTicks(dst []byte, s string) []byte {
	if strings.IndexByte(s, '`') < 0 && !strings.ContainsAny(s, "'\"&<>\x00") {
		return appendShown(dst, s)
	}
	// ticks(s), appended in place.
	esc := template.HTMLEscapeString(s)
	start := len(dst)
	if strings.Count(esc, "`")%2 == 1 {
		dst = append(dst, esc...) // an unpaired backtick stays as it is
	} else {
		for i := 0; ; i++ {
			j := strings.IndexByte(esc, '`')
			if j < 0 {
				dst = append(dst, esc...)
				break
			}
			dst = append(dst, esc[:j]...)
			if i%2 == 0 {
				dst = append(dst, "<code>"...)
			} else {
				dst = append(dst, "</code>"...)
			}
			esc = esc[j+1:]
		}
	}
	if mayHide(dst[start:]) {
		shown := mdControls(string(dst[start:]))
		dst = append(dst[:start], shown...)
	}
	return dst
}

// appendShown appends HTML with control characters shown (controlsShown).
func appendShown(dst []byte, s string) []byte {
	if mayHideString(s) {
		return append(dst, mdControls(s)...)
	}
	return append(dst, s...)
}

// htmlRows writes the page's long lists.
type htmlRows struct {
	p *htmlPage
	r *Result
	// kinds maps component and flow ids to their anchors' prefixes.
	kinds map[string]string
	pool  chunkPool
}

func (h *htmlRows) index() {
	h.kinds = make(map[string]string, len(h.r.Components)+len(h.r.Flows))
	for _, c := range h.r.Components {
		h.kinds[c.ID] = "c-"
	}
	for _, f := range h.r.Flows {
		h.kinds[f.ID] = "fl-"
	}
}

// findings writes one article per finding, in rank order.
func (h *htmlRows) findings(w io.Writer) error {
	fs := h.p.Findings
	// Each chunk takes a memo no other goroutine holds; the memos (keyed
	// by addresses in this result) end with this list.
	memos := sync.Pool{New: func() any { return &htmlMemo{rules: map[string]*htmlRuleMemo{}} }}
	return writeChunks(w, len(fs), htmlChunk, &h.pool, func(dst []byte, lo, hi int) ([]byte, error) {
		memo := memos.Get().(*htmlMemo)
		defer memos.Put(memo)
		var who []string
		for _, f := range fs[lo:hi] {
			dst, who = h.finding(dst, f, who, memo)
		}
		return dst, nil
	})
}

// htmlMemo holds, for one goroutine at a time, the HTML of the parts of a
// finding its rule repeats on every threat: its description, and its
// suggested mitigations and references. As in jsonMemo, a description is
// recognised by comparing it with the one remembered, the lists by the
// identity of their backing arrays; so what is written is what writing
// the part again would give.
type htmlMemo struct {
	rules map[string]*htmlRuleMemo
}

type htmlRuleMemo struct {
	desc      string
	descHTML  []byte
	parts     jsonPartsKey
	partsHTML []byte
}

func (m *htmlMemo) rule(id string) *htmlRuleMemo {
	e := m.rules[id]
	if e == nil {
		e = &htmlRuleMemo{}
		m.rules[id] = e
	}
	return e
}

// finding appends one finding's article; who is scratch space for its
// owners; memo (nil: none) keeps what its rule's findings repeat.
func (h *htmlRows) finding(b []byte, f *Finding, who []string, memo *htmlMemo) ([]byte, []string) {
	var e *htmlRuleMemo
	if memo != nil {
		e = memo.rule(f.Rule)
	}
	b = append(b, `<article class="finding sev-`...)
	b = appendEsc(b, f.Severity)
	b = append(b, `" id="finding-`...)
	b = appendEsc(b, f.ID)
	b = append(b, `" data-severity="`...)
	b = appendEsc(b, f.Severity)
	b = append(b, `" data-stride="`...)
	b = appendEscJoin(b, findingCategories(f), " ")
	b = append(b, `" data-status="`...)
	b = appendEsc(b, f.Status)
	b = append(b, `" data-owners="`...)
	who = h.p.owners(who, f)
	b = appendEscJoin(b, who, "|")
	b = append(b, "\">\n<div class=\"head\"><span class=\"rank\">#"...)
	b = appendInt(b, f.Rank)
	b = append(b, `</span>`...)
	if Active(f.Status) {
		b = append(b, `<span class="badge sev-`...)
		b = appendEsc(b, f.Severity)
		b = append(b, `">`...)
		b = appendEsc(b, f.Severity)
		b = append(b, `</span>`...)
	} else {
		b = append(b, `<span class="badge sev-none" title="residual severity; the finding is closed">was `...)
		b = appendEsc(b, f.Severity)
		b = append(b, `</span>`...)
	}
	b = append(b, `<span class="badge st st-`...)
	b = appendEsc(b, f.Status)
	b = append(b, `">`...)
	if f.Reopened != "" {
		b = append(b, "re-opened"...)
	} else {
		b = appendUnderscoresAsSpaces(b, f.Status)
	}
	b = append(b, `</span><span class="title">`...)
	b = appendTicks(b, f.Title)
	b = append(b, "</span></div>\n<div class=\"sub\"><span class=\"id\">"...)
	b = appendEsc(b, f.ID)
	b = append(b, `</span> · `...)
	cs := findingCategories(f)
	if len(cs) == 1 && cs[0] != "none" && strings.IndexByte(cs[0], '_') < 0 {
		b = appendEsc(b, cs[0]) // its own label
	} else {
		labels := make([]string, len(cs))
		for i, c := range cs {
			if c == "none" {
				c = ""
			}
			labels[i] = categoryLabel(c)
		}
		b = appendEscJoin(b, labels, ", ")
	}
	b = append(b, ` · `...)
	if f.Origin == "people" {
		b = append(b, "written by people"...)
	} else {
		b = appendEsc(b, f.Origin)
		b = append(b, ` rule <code>`...)
		b = appendEsc(b, f.Rule)
		b = append(b, `</code>`...)
	}
	if f.FoundBy != "" {
		b = append(b, ` · found by `...)
		b = appendEsc(b, SourceText(f.FoundBy))
	}
	if f.Location != nil {
		b = append(b, ` · <code>`...)
		b = appendLocation(b, f.Location)
		b = append(b, `</code>`...)
	}
	b = append(b, "</div>\n"...)
	if f.Reopened != "" {
		b = append(b, `<p class="reopened" style="margin-left:38px">Re-opened: `...)
		b = appendEsc(b, f.Reopened)
		b = append(b, `</p>`...)
	}
	b = append(b, "\n<div class=\"body\"><div>\n"...)
	if f.Description != "" {
		b = append(b, `<div class="md">`...)
		if e != nil && e.descHTML != nil && e.desc == f.Description {
			b = append(b, e.descHTML...)
		} else {
			start := len(b)
			b = appendShown(b, string(markdownHTML(f.Description)))
			if e != nil {
				e.desc, e.descHTML = f.Description, append(e.descHTML[:0], b[start:]...)
			}
		}
		b = append(b, `</div>`...)
	}
	b = append(b, "\n<dl>\n<dt>Targets</dt><dd class=\"chips\">"...)
	for _, t := range f.Targets {
		b = append(b, `<a href="`...)
		if prefix, ok := h.kinds[t.ID]; ok && (t.Kind == "component" || t.Kind == "flow") {
			b = appendAnchor(b, prefix, t.ID)
		}
		b = append(b, `" title="`...)
		b = appendEsc(b, t.Kind)
		b = append(b, `">`...)
		if t.From != "" || t.To != "" {
			if mayHideString(t.ID) || mayHideString(t.From) || mayHideString(t.To) {
				b = appendEsc(b, t.ID+" ("+t.From+" → "+t.To+")")
			} else {
				b = appendEscaped(b, t.ID)
				b = append(b, " ("...)
				b = appendEscaped(b, t.From)
				b = append(b, " → "...)
				b = appendEscaped(b, t.To)
				b = append(b, ')')
			}
		} else {
			b = appendEsc(b, t.ID)
		}
		b = append(b, `</a>`...)
	}
	b = append(b, "</dd>\n"...)
	if len(f.Assets) > 0 {
		b = append(b, `<dt>Assets</dt><dd class="chips">`...)
		for _, a := range f.Assets {
			b = append(b, `<span>`...)
			b = appendEsc(b, a)
			b = append(b, `</span>`...)
		}
		b = append(b, `</dd>`...)
	}
	b = append(b, '\n')
	if len(f.Questions) > 0 {
		b = append(b, `<dt>Settle</dt><dd class="chips">`...)
		for _, q := range f.Questions {
			b = append(b, `<a href="#questions">`...)
			b = appendEsc(b, q)
			b = append(b, `</a>`...)
		}
		b = append(b, `</dd>`...)
	}
	b = append(b, '\n')
	b = appendTickList(b, "Rationale", f.Rationale)
	if d := f.Decision; d != nil {
		b = append(b, `<dt>Decision</dt><dd><span class="badge st st-`...)
		b = appendEsc(b, d.Status)
		b = append(b, `">`...)
		b = appendEsc(b, d.Status)
		b = append(b, `</span>`...)
		if d.Reason != "" {
			b = append(b, ' ')
			b = appendEsc(b, d.Reason)
		}
		if d.Owner != "" {
			b = append(b, ` · owner `...)
			b = appendEsc(b, d.Owner)
		}
		if d.Expires != "" {
			b = append(b, ` · until `...)
			b = appendEsc(b, d.Expires)
		}
		if len(d.Covers) > 0 {
			b = append(b, ` · covers hops `...)
			b = appendEsc(b, strings.Join(d.Covers, ", "))
		}
		b = append(b, `</dd>`...)
	}
	b = append(b, '\n')
	if len(f.Mitigations) > 0 {
		b = append(b, `<dt>Mitigations</dt><dd><ul>`...)
		for _, id := range f.Mitigations {
			m, ok := h.p.mits[id]
			if !ok {
				m = &Mitigation{ID: id, Title: id, Status: "unknown"}
			}
			b = append(b, `<li><a href="`...)
			b = appendAnchor(b, "m-", m.ID)
			b = append(b, `">`...)
			b = appendEsc(b, m.Title)
			b = append(b, `</a> <span class="badge st st-`...)
			b = appendEsc(b, m.Status)
			b = append(b, `">`...)
			b = appendEsc(b, m.Status)
			b = append(b, `</span>`...)
			if m.Overdue {
				b = append(b, ` <span class="badge st st-overdue">overdue</span>`...)
			}
			if m.Owner != "" {
				b = append(b, ` <span class="muted">· `...)
				b = appendEsc(b, m.Owner)
				b = append(b, `</span>`...)
			}
			b = append(b, `</li>`...)
		}
		b = append(b, `</ul></dd>`...)
	}
	b = append(b, '\n')
	var k jsonPartsKey
	if e != nil {
		k = jsonPartsKey{sliceKey(f.CWE()), sliceKey(f.CAPEC()), sliceKey(f.Suggested()), sliceKey(f.References()), 0}
		if e.partsHTML != nil && e.parts == k {
			b = append(b, e.partsHTML...)
			return h.findingEnd(b, f), who
		}
	}
	start := len(b)
	b = appendTickList(b, "Suggested", f.Suggested())
	if len(f.CWE()) > 0 || len(f.CAPEC()) > 0 || len(f.References()) > 0 {
		b = append(b, `<dt>References</dt><dd class="chips">`...)
		for _, c := range f.CWE() {
			b = append(b, `<a href="https://cwe.mitre.org/data/definitions/`...)
			b = appendInt(b, c)
			b = append(b, `.html" rel="noreferrer">CWE-`...)
			b = appendInt(b, c)
			b = append(b, `</a>`...)
		}
		for _, c := range f.CAPEC() {
			b = append(b, `<a href="https://capec.mitre.org/data/definitions/`...)
			b = appendInt(b, c)
			b = append(b, `.html" rel="noreferrer">CAPEC-`...)
			b = appendInt(b, c)
			b = append(b, `</a>`...)
		}
		for _, ref := range f.References() {
			b = append(b, `<a href="`...)
			b = appendURL(b, ref)
			b = append(b, `" rel="noreferrer">`...)
			b = appendEsc(b, ref)
			b = append(b, `</a>`...)
		}
		b = append(b, `</dd>`...)
	}
	if e != nil {
		e.parts, e.partsHTML = k, append(e.partsHTML[:0], b[start:]...)
	}
	return h.findingEnd(b, f), who
}

// findingEnd appends the end of a finding's article: its risks.
func (h *htmlRows) findingEnd(b []byte, f *Finding) []byte {
	b = append(b, "\n</dl></div>\n<div><table class=\"risk\"><thead><tr><th></th><th>Likelihood</th><th>Impact</th><th>Score</th></tr></thead><tbody>\n"...)
	b = appendRiskRow(b, "Inherent", riskOr(f.Inherent))
	b = appendRiskRow(b, "Residual", riskOr(f.Residual))
	b = appendRiskRow(b, "Projected", riskOr(f.Projected))
	b = append(b, "</tbody></table></div>\n</div>\n</article>\n"...)
	return b
}

// appendTickList appends a definition of lines in which `quoted` spans
// are code, if there are any, and the line's end.
func appendTickList(b []byte, term string, lines []string) []byte {
	if len(lines) > 0 {
		b = append(b, `<dt>`...)
		b = append(b, term...)
		b = append(b, `</dt><dd><ul>`...)
		for _, s := range lines {
			b = append(b, `<li>`...)
			b = appendTicks(b, s)
			b = append(b, `</li>`...)
		}
		b = append(b, `</ul></dd>`...)
	}
	return append(b, '\n')
}

func appendRiskRow(b []byte, name string, r *Risk) []byte {
	b = append(b, `<tr><th>`...)
	b = append(b, name...)
	b = append(b, `</th><td>`...)
	b = appendEsc(b, r.LikelihoodLabel)
	b = append(b, " ("...)
	b = appendInt(b, r.Likelihood)
	b = append(b, ")</td><td>"...)
	b = appendEsc(b, r.ImpactLabel)
	b = append(b, " ("...)
	b = appendInt(b, r.Impact)
	b = append(b, `)</td><td class="score"><span class="badge sev-`...)
	b = appendEsc(b, r.Severity)
	b = append(b, `">`...)
	b = appendInt(b, r.Score)
	return append(b, "</span></td></tr>\n"...)
}

// appendUnderscoresAsSpaces appends s, escaped, with underscores as
// spaces.
func appendUnderscoresAsSpaces(b []byte, s string) []byte {
	if strings.IndexByte(s, '_') < 0 {
		return appendEsc(b, s)
	}
	return appendEsc(b, strings.ReplaceAll(s, "_", " "))
}

// appendLocation appends locString(l), escaped.
func appendLocation(b []byte, l *Location) []byte {
	b = appendEsc(b, l.File)
	b = append(b, ':')
	b = appendInt(b, l.Line)
	b = append(b, ':')
	return appendInt(b, l.Col)
}

// questions writes one row per open question.
func (h *htmlRows) questions(w io.Writer) error {
	qs := h.p.Questions
	return writeChunks(w, len(qs), 4*htmlChunk, &h.pool, func(b []byte, lo, hi int) ([]byte, error) {
		for i := lo; i < hi; i++ {
			q := &qs[i]
			b = append(b, `<tr><td><span class="badge sev-`...)
			b = appendEsc(b, q.AtStake)
			b = append(b, `">`...)
			b = appendEsc(b, q.AtStake)
			b = append(b, `</span>`...)
			if q.First {
				b = append(b, ` <span class="badge st st-open">first</span>`...)
			}
			b = append(b, `</td><td>`...)
			b = appendTicks(b, q.Text)
			b = append(b, `<br><span class="id">`...)
			b = appendEsc(b, q.ID)
			b = append(b, `</span></td><td><code>`...)
			b = appendEsc(b, answerPath(*q))
			b = append(b, `</code>`...)
			if q.Location != nil {
				b = append(b, `<br><span class="id">`...)
				b = appendLocation(b, q.Location)
				b = append(b, `</span>`...)
			}
			b = append(b, "</td></tr>\n"...)
		}
		return b, nil
	})
}

// elements writes one row per component and flow with its findings: the
// anchors the diagram links to.
func (h *htmlRows) elements(w io.Writer) error {
	r := h.r
	// The findings on each element, in rank order.
	byTarget := make(map[string][]string, len(r.Components)+len(r.Flows))
	for _, f := range h.p.Findings {
		for _, t := range f.Targets {
			if t.Kind == "component" || t.Kind == "flow" {
				byTarget[t.ID] = append(byTarget[t.ID], f.ID)
			}
		}
	}
	names := make(map[string]string, len(r.Components))
	for _, c := range r.Components {
		names[c.ID] = c.Name
	}
	nc := len(r.Components)
	return writeChunks(w, nc+len(r.Flows), 4*htmlChunk, &h.pool, func(b []byte, lo, hi int) ([]byte, error) {
		for i := lo; i < hi; i++ {
			var id, worst string
			b = append(b, `<tr id="`...)
			if i < nc {
				c := &r.Components[i]
				id, worst = c.ID, c.Worst
				b = append(b, "c-"...)
				b = appendEsc(b, id)
				b = append(b, `"><td>`...)
				b = appendEsc(b, c.Name)
				b = append(b, `<br><span class="id">`...)
				b = appendEsc(b, id)
				b = append(b, `</span></td><td>`...)
				b = appendEsc(b, c.Kind)
				if c.kindInferred() {
					b = appendInferredMark(b, "its name")
				}
				b = appendInferredFacts(b, c)
				b = append(b, `</td><td>`...)
				if c.Boundary != "" {
					b = appendEsc(b, c.Boundary)
				} else {
					b = append(b, "—"...)
				}
			} else {
				f := &r.Flows[i-nc]
				id, worst = f.ID, f.Worst
				from, to := names[f.From], names[f.To]
				if from == "" {
					from = f.From
				}
				if to == "" {
					to = f.To
				}
				b = append(b, "fl-"...)
				b = appendEsc(b, id)
				b = append(b, `"><td>`...)
				if mayHideString(from) || mayHideString(to) {
					b = appendEsc(b, from+" → "+to)
				} else {
					b = appendEscaped(b, from)
					b = append(b, " → "...)
					b = appendEscaped(b, to)
				}
				b = append(b, `<br><span class="id">`...)
				b = appendEsc(b, id)
				b = append(b, `</span></td><td>flow`...)
				if f.Protocol != "" {
					b = append(b, " · "...)
					b = appendEsc(b, f.Protocol) // the kind's only part that may hide
				}
				if slices.Contains(f.Inferred, "carries") {
					b = append(b, `<br>carries `...)
					b = appendEscJoin(b, f.Carries, ", ")
					b = appendInferredMark(b, "the store it reaches")
				}
				b = append(b, `</td><td>`...)
				if f.Crosses {
					b = append(b, "crosses a boundary"...)
				} else {
					b = append(b, "—"...)
				}
			}
			b = append(b, `</td><td><span class="badge sev-`...)
			b = appendEsc(b, worst)
			b = append(b, `">`...)
			b = appendEsc(b, worst)
			b = append(b, `</span></td><td class="chips">`...)
			if ids := byTarget[id]; len(ids) > 0 {
				for _, fid := range ids {
					b = append(b, `<a href="`...)
					b = appendAnchor(b, "finding-", fid)
					b = append(b, `">`...)
					b = appendEsc(b, fid)
					b = append(b, `</a>`...)
				}
			} else {
				b = append(b, "—"...)
			}
			b = append(b, "</td></tr>\n"...)
		}
		return b, nil
	})
}

// appendInferredMark appends InferredMark as the HTML reports show it:
// muted, with a title saying the fact was read from what.
func appendInferredMark(b []byte, from string) []byte {
	b = append(b, ` <span class="muted" title="not stated in the model: read from `...)
	b = appendEsc(b, from)
	b = append(b, ` (ward help inference)">`...)
	b = appendEsc(b, strings.TrimPrefix(InferredMark, " "))
	return append(b, `</span>`...)
}

// appendInferredFacts appends, under an element row's kind, the facts
// besides the kind that the loader inferred for the component (the admin
// and paid flags, the assets it stores or processes read from its flows),
// each marked (appendInferredMark): the analysis uses them as if stated.
// Nothing for a component whose facts were all stated.
func appendInferredFacts(b []byte, c *Component) []byte {
	for _, f := range c.InferredFacts() {
		if f.Fact == "kind" {
			continue
		}
		b = append(b, `<br>`...)
		b = appendEsc(b, f.Fact)
		if len(f.Assets) > 0 {
			b = append(b, ' ')
			b = appendEscJoin(b, f.Assets, ", ")
		}
		b = appendInferredMark(b, f.From)
	}
	return b
}
