package programme

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Formats of outside-finding files.
const (
	FormatCSV   = "csv"
	FormatJSON  = "json"
	FormatSARIF = "sarif"
)

// Fields are the columns of the documented CSV header (and the keys of the
// JSON format), in order. title, severity and found are required; system
// and source may come from ParseOptions instead.
var Fields = []string{"source", "ref", "title", "severity", "found", "system", "element", "category", "cwe", "threat", "cost"}

// Header is the documented CSV header line.
var Header = strings.Join(Fields, ",")

// MaxFindings bounds one import.
const MaxFindings = 100_000

const maxField = 4000

// ParseOptions tune Parse.
type ParseOptions struct {
	// File names the input in errors.
	File string
	// Format is csv, json or sarif; empty guesses from the content.
	Format string
	// Source and System apply to findings that do not name their own.
	Source string
	System string
	// Mapping maps Ward's field names to the columns of a platform's CSV
	// export (see Presets); fields not mapped keep their own name.
	Mapping map[string]string
}

// Presets are column mappings for common platform exports. They follow the
// platforms' documented CSV exports at the time of writing; check your
// export's header and pass your own mapping when it differs.
var Presets = map[string]map[string]string{
	"hackerone": {"ref": "id", "title": "title", "severity": "severity_rating", "found": "reported_at", "cwe": "weakness",
		"cost": "total_awarded_amount", "element": "structured_scope"},
	"bugcrowd": {"ref": "reference_number", "title": "title", "severity": "priority", "found": "submitted_at", "cwe": "vrt_id",
		"cost": "amount", "element": "target"},
}

// ParseMapping reads a mapping written as "field=column,field=column",
// starting from a preset when one is named ("hackerone,title=Summary").
func ParseMapping(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			p, found := Presets[strings.ToLower(part)]
			if !found {
				return nil, fmt.Errorf("mapping %q: neither field=column nor a preset (%s)", part, strings.Join(sortedKeys(Presets), ", "))
			}
			for f, c := range p {
				out[f] = c
			}
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !slices.Contains(Fields, k) {
			return nil, fmt.Errorf("mapping %q: unknown field %q; the fields are %s", part, k, Header)
		}
		if v == "" {
			return nil, fmt.Errorf("mapping %q: name the column", part)
		}
		out[k] = v
	}
	return out, nil
}

// ParseError is a problem at a place in the input.
type ParseError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ParseError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ErrInvalid marks every error of Parse: the input is wrong, not Ward.
var ErrInvalid = errors.New("invalid outside findings")

// ParseErrors are the problems of one input (at most 20 are kept).
type ParseErrors []*ParseError

func (es ParseErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (es ParseErrors) Is(target error) bool { return target == ErrInvalid }

type collector struct {
	file string
	errs ParseErrors
}

func (c *collector) add(line, col int, format string, args ...any) {
	if len(c.errs) < 20 {
		c.errs = append(c.errs, &ParseError{File: c.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
	}
}

func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs
}

// Parse reads outside findings from data. Every problem is reported with
// file:line(:col), what is wrong and what to do; nothing is returned when
// any finding is invalid, so an import is all or nothing.
func Parse(data []byte, opt ParseOptions) ([]Outside, error) {
	if opt.File == "" {
		opt.File = "input"
	}
	c := &collector{file: opt.File}
	if !utf8.Valid(data) {
		c.add(1, 0, "the file is not UTF-8 text — save it as UTF-8")
		return nil, c.err()
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	format := opt.Format
	if format == "" {
		format = guessFormat(data)
	}
	var out []Outside
	switch format {
	case FormatCSV:
		out = parseCSV(data, opt, c)
	case FormatJSON:
		out = parseJSON(data, opt, c)
	case FormatSARIF:
		out = parseSARIF(data, opt, c)
	default:
		return nil, fmt.Errorf("%w: format %q: use csv, json or sarif", ErrInvalid, format)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return out, nil
}

func guessFormat(data []byte) string {
	t := bytes.TrimSpace(data)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		if bytes.Contains(t[:min(len(t), 4096)], []byte(`"runs"`)) || bytes.Contains(t[:min(len(t), 4096)], []byte(`sarif`)) {
			return FormatSARIF
		}
		return FormatJSON
	}
	return FormatCSV
}

// raw is one finding as written, before checking.
type raw map[string]string

// build checks one finding's fields and makes it.
func build(r raw, opt ParseOptions, c *collector, line int, colOf func(field string) int) (Outside, bool) {
	ok := true
	bad := func(field, format string, args ...any) {
		c.add(line, colOf(field), format, args...)
		ok = false
	}
	for k, v := range r {
		if len(v) > maxField {
			bad(k, "%s is %d bytes long; at most %d", k, len(v), maxField)
		}
	}
	get := func(k string) string { return strings.TrimSpace(r[k]) }
	o := Outside{Ref: get("ref"), Title: oneLine(get("title")), SystemID: get("system"), Element: get("element"), Threat: get("threat")}
	o.Source = strings.ToLower(get("source"))
	if o.Source == "" {
		o.Source = opt.Source
	}
	if o.SystemID == "" {
		o.SystemID = opt.System
	}
	switch {
	case o.Source == "":
		bad("source", "no source: write pen_test, bug_bounty, incident or security_review (or pass --source)")
	case !slices.Contains(OutsideSources, o.Source):
		bad("source", "source %q: write pen_test, bug_bounty, incident or security_review", o.Source)
	}
	if o.Title == "" {
		bad("title", "no title: every finding needs one")
	}
	if o.SystemID == "" {
		bad("system", "no system: name the system's id (or pass --system)")
	}
	if s, sok := normSeverity(get("severity")); sok {
		o.Severity = s
	} else if get("severity") == "" {
		bad("severity", "no severity: write critical, high, medium, low or info")
	} else {
		bad("severity", "severity %q: write critical, high, medium, low or info (P1–P5 are read too)", get("severity"))
	}
	if d, err := parseDate(get("found")); err != nil {
		bad("found", "%v", err)
	} else {
		o.Found = d
	}
	if v := get("category"); v != "" {
		if cat, cok := normCategory(v); cok {
			o.Category = cat
		} else {
			bad("category", "category %q: write a STRIDE category (spoofing, tampering, repudiation, information_disclosure, denial_of_service, elevation_of_privilege)", v)
		}
	}
	if v := get("cwe"); v != "" {
		cwes, err := parseCWEs(v)
		if err != nil {
			bad("cwe", "%v", err)
		}
		o.CWE = cwes
	}
	if v := get("cost"); v != "" {
		f, err := parseCost(v)
		if err != nil {
			bad("cost", "cost %q: write a number (1500 or 1,500.00; no currency sign)", v)
		}
		o.Cost = f
	}
	return o, ok
}

var cweRE = regexp.MustCompile(`(?i)cwe[-_ ]?(\d{1,5})`)

func parseCWEs(s string) ([]int, error) {
	var out []int
	for _, m := range cweRE.FindAllStringSubmatch(s, 10) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	if len(out) == 0 {
		for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ' ' || r == ',' }) {
			n, err := strconv.Atoi(part)
			if err != nil || n <= 0 || n > 99999 {
				// A platform's weakness name without a CWE number: kept out.
				return nil, nil
			}
			out = append(out, n)
		}
	}
	return out, nil
}

func parseCost(s string) (float64, error) {
	s = strings.NewReplacer(",", "", "$", "", "£", "", "€", "", " ", "").Replace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > 1e12 {
		return 0, fmt.Errorf("bad cost")
	}
	return f, nil
}

var dateLayouts = []string{time.DateOnly, time.RFC3339, "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700"}

func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("no date found: write it as YYYY-MM-DD")
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1990 || t.Year() > 2200 {
				return time.Time{}, fmt.Errorf("date %q is out of range", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q: write it as YYYY-MM-DD (or RFC 3339)", s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseCSV reads the documented header, or a platform's with a mapping.
func parseCSV(data []byte, opt ParseOptions, c *collector) []Outside {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	head, err := r.Read()
	if err == io.EOF {
		c.add(1, 0, "the file is empty — the first line must be the header: %s", Header)
		return nil
	}
	if err != nil {
		csvErr(c, err)
		return nil
	}
	colOfField := map[string]int{} // Ward field → column index
	cols := map[string]int{}
	for i, h := range head {
		cols[strings.TrimSpace(strings.ToLower(h))] = i
	}
	for _, f := range Fields {
		name := f
		if m, ok := opt.Mapping[f]; ok {
			name = strings.ToLower(m)
		}
		if i, ok := cols[name]; ok {
			colOfField[f] = i
		} else if _, mapped := opt.Mapping[f]; mapped {
			c.add(1, 1, "the mapping names column %q for %s, which the header does not have", opt.Mapping[f], f)
		}
	}
	if len(opt.Mapping) == 0 {
		for i, h := range head {
			if k := strings.TrimSpace(strings.ToLower(h)); !slices.Contains(Fields, k) {
				c.add(1, colStart(head, i), "unknown column %q: the header is %s (or pass a mapping for a platform's export)", h, Header)
			}
		}
	}
	for _, need := range []string{"title", "severity", "found"} {
		if _, ok := colOfField[need]; !ok {
			c.add(1, 1, "the header has no %s column: the header is %s", need, Header)
		}
	}
	if len(c.errs) > 0 {
		return nil
	}
	var out []Outside
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			csvErr(c, err)
			return nil
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(out) >= MaxFindings {
			c.add(line, 0, "more than %d findings: split the file", MaxFindings)
			return nil
		}
		row := raw{}
		for f, i := range colOfField {
			if i < len(rec) {
				row[f] = rec[i]
			}
		}
		colOf := func(f string) int {
			if i, ok := colOfField[f]; ok && i < len(rec) {
				_, col := r.FieldPos(i)
				return col
			}
			return 1
		}
		if o, ok := build(row, opt, c, line, colOf); ok {
			out = append(out, o)
		}
		if len(c.errs) >= 20 {
			return nil
		}
	}
	return out
}

func colStart(head []string, i int) int {
	col := 1
	for _, h := range head[:i] {
		col += utf8.RuneCountInString(h) + 1
	}
	return col
}

func csvErr(c *collector, err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		c.add(pe.Line, pe.Column, "%v — check the quotes on this line", pe.Err)
		return
	}
	c.add(1, 0, "%v", err)
}

// lineCol turns a byte offset into a line and column.
func lineCol(data []byte, off int64) (int, int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

// parseJSON reads {"findings": [...]} or a bare array of objects whose keys
// are the CSV header's fields.
func parseJSON(data []byte, opt ParseOptions, c *collector) []Outside {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	jsonErr := func(err error) {
		line, col := lineCol(data, dec.InputOffset())
		if se := syntaxError(data); se != nil {
			line, col, err = se.line, se.col, se.err
		}
		c.add(line, col, "%v — fix the JSON", err)
	}
	tok, err := dec.Token()
	if err != nil {
		jsonErr(err)
		return nil
	}
	if tok == json.Delim('{') {
		found := false
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				jsonErr(err)
				return nil
			}
			if k == "findings" {
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				jsonErr(err)
				return nil
			}
		}
		if !found {
			c.add(1, 1, `no "findings" list: write {"findings": [{"title": ..., "severity": ..., "found": ...}]}`)
			return nil
		}
		if tok, err = dec.Token(); err != nil {
			jsonErr(err)
			return nil
		}
	}
	if tok != json.Delim('[') {
		line, col := lineCol(data, dec.InputOffset())
		c.add(line, col, "expected a list of findings — write [{...}, ...] or {\"findings\": [...]}")
		return nil
	}
	var out []Outside
	for dec.More() {
		start := dec.InputOffset()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			jsonErr(err)
			return nil
		}
		// The object starts after the separator and blanks.
		s := start
		for s < int64(len(data)) && bytes.IndexByte([]byte(", \t\r\n"), data[s]) >= 0 {
			s++
		}
		line, col := lineCol(data, s)
		if len(out) >= MaxFindings {
			c.add(line, col, "more than %d findings: split the file", MaxFindings)
			return nil
		}
		row := raw{}
		for k, v := range obj {
			if !slices.Contains(Fields, k) {
				c.add(line, col, "unknown key %q: the keys are %s", k, Header)
				continue
			}
			switch x := v.(type) {
			case string:
				row[k] = x
			case json.Number:
				row[k] = x.String()
			case nil:
			case []any:
				var parts []string
				for _, e := range x {
					parts = append(parts, fmt.Sprint(e))
				}
				row[k] = strings.Join(parts, ",")
			default:
				c.add(line, col, "%s: write a string or a number", k)
			}
		}
		if o, ok := build(row, opt, c, line, func(string) int { return col }); ok {
			out = append(out, o)
		}
		if len(c.errs) >= 20 {
			return nil
		}
	}
	return out
}

type syntaxErr struct {
	line, col int
	err       error
}

// syntaxError locates a JSON syntax error in the whole input (a
// Decoder's offsets are not always absolute).
func syntaxError(data []byte) *syntaxErr {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return nil
	}
	line, col := lineCol(data, se.Offset-1)
	return &syntaxErr{line, col, err}
}
