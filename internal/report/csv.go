package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"runtime"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// csvHeader names the CSV columns, in order. They are stable: new columns
// are added at the end.
var csvHeader = []string{"rank", "id", "severity", "score", "status", "category", "title", "targets", "assets",
	"rule", "cwe", "owner", "decision", "mitigations", "location"}

// CSV writes one row per finding, ranked, as RFC 4180 CSV (CRLF line ends,
// quoted where needed) for spreadsheets. Every cell a spreadsheet could read
// as a formula is defused (see csvSafe).
func CSV(w io.Writer, r *Result) error {
	mits := map[string]Mitigation{}
	for _, m := range r.Mitigations {
		mits[m.ID] = m
	}
	accepted := map[string]Accepted{}
	for _, a := range r.Summary.Accepted {
		accepted[a.ID] = a
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	cw.Flush()
	// The rows, in chunks on all cores (writeChunks), each appended cell
	// by cell (csvCells.row) where encoding/csv took a []string of cells
	// built with joins and concatenations: at 10,000 components that was
	// about a million allocations.
	var pool chunkPool
	err := writeChunks(bw, len(r.Findings), 4*jsonChunk, &pool, func(dst []byte, lo, hi int) ([]byte, error) {
		c := csvCells{mits: mits, accepted: accepted, joined: map[idListKey][]byte{}}
		for k := lo; k < hi; k += touchBlock {
			block := r.Findings[k:min(k+touchBlock, hi)]
			runtime.KeepAlive(touchFindings(block))
			for i := range block {
				dst = c.row(dst, &block[i])
			}
		}
		return dst, nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// csvCells appends the rows of findings: the cells csvRow (csv_test.go)
// gives, defused (csvSafe) and written as encoding/csv with UseCRLF
// writes them (TestCSVRows, FuzzCSVCell).
type csvCells struct {
	mits     map[string]Mitigation
	accepted map[string]Accepted
	// joined holds the assets cell, as written, of long asset lists, which
	// findings share (report.Build gives findings with the same assets at
	// stake one list).
	joined map[idListKey][]byte
	cell   []byte // the cell being made
}

// row appends f's row, its line end included.
func (c *csvCells) row(dst []byte, f *Finding) []byte {
	dst = appendCSVCell(dst, strconv.AppendInt(c.cell[:0], int64(f.Rank), 10))
	dst = appendCSVString(append(dst, ','), f.ID)
	dst = appendCSVString(append(dst, ','), f.Severity)
	c.cell = strconv.AppendInt(c.cell[:0], int64(f.Score), 10)
	dst = appendCSVCell(append(dst, ','), c.cell)
	dst = appendCSVString(append(dst, ','), f.Status)
	dst = appendCSVString(append(dst, ','), f.Category)
	dst = appendCSVString(append(dst, ','), f.Title)
	c.cell = c.cell[:0]
	for i := range f.Targets {
		if i > 0 {
			c.cell = append(c.cell, "; "...)
		}
		c.cell = appendTargetLabel(c.cell, &f.Targets[i])
	}
	dst = appendCSVCell(append(dst, ','), c.cell)
	dst = append(dst, ',')
	if len(f.Assets) >= 8 {
		k := idListKey{&f.Assets[0], len(f.Assets)}
		b, ok := c.joined[k]
		if !ok {
			b = appendCSVCell(nil, appendJoined(c.cell[:0], f.Assets))
			c.joined[k] = b
		}
		dst = append(dst, b...)
	} else {
		c.cell = appendJoined(c.cell[:0], f.Assets)
		dst = appendCSVCell(dst, c.cell)
	}
	dst = append(dst, ',')
	if f.Origin == "people" {
		dst = appendCSVString(dst, OriginText(f.Origin, f.Rule))
	} else {
		dst = appendCSVString(dst, f.Rule)
	}
	c.cell = c.cell[:0]
	for i, n := range f.CWE() {
		if i > 0 {
			c.cell = append(c.cell, "; "...)
		}
		c.cell = strconv.AppendInt(append(c.cell, "CWE-"...), int64(n), 10)
	}
	dst = appendCSVCell(append(dst, ','), c.cell)
	var owner string
	c.cell = c.cell[:0]
	if d := f.Decision; d != nil {
		owner = d.Owner
		c.cell = append(c.cell, d.Status...)
		if d.Reason != "" {
			c.cell = append(append(c.cell, ": "...), d.Reason...)
		}
		if d.Expires != "" {
			c.cell = append(append(append(c.cell, " (until "...), d.Expires...), ')')
		}
	} else if a, ok := c.accepted[f.ID]; ok {
		owner = a.Owner
		c.cell = append(c.cell, "accepted"...)
		if a.Expires != "" {
			c.cell = append(append(append(c.cell, " (until "...), a.Expires...), ')')
		}
	}
	dst = appendCSVString(append(dst, ','), owner)
	dst = appendCSVCell(append(dst, ','), c.cell)
	c.cell = c.cell[:0]
	for i, id := range f.Mitigations {
		if i > 0 {
			c.cell = append(c.cell, "; "...)
		}
		m := c.mits[id]
		c.cell = append(append(append(c.cell, id...), " ("...), m.Status...)
		if m.Owner != "" {
			c.cell = append(append(c.cell, ", "...), m.Owner...)
		}
		c.cell = append(c.cell, ')')
	}
	dst = appendCSVCell(append(dst, ','), c.cell)
	c.cell = c.cell[:0]
	if l := f.Location; l != nil {
		c.cell = appendLoc(c.cell, l)
	} else {
		for _, t := range f.Targets {
			if l := t.Location; l != nil {
				c.cell = appendLoc(c.cell, l)
				break
			}
		}
	}
	dst = appendCSVCell(append(dst, ','), c.cell)
	return append(dst, '\r', '\n')
}

// appendJoined appends ids joined by "; ".
func appendJoined(dst []byte, ids []string) []byte {
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, "; "...)
		}
		dst = append(dst, id...)
	}
	return dst
}

// appendCSVString is appendCSVCell of a string.
func appendCSVString[S ~string | ~[]byte](dst []byte, s S) []byte {
	return appendCSVCell(dst, s)
}

// appendCSVCell appends the cell s defused (csvSafe) and as encoding/csv
// writes a field with UseCRLF: quoted when it holds a quote, a comma or a
// line end, starts with a space or is `\.`; a quote doubled, a new line
// written CRLF, a carriage return dropped.
func appendCSVCell[S ~string | ~[]byte](dst []byte, s S) []byte {
	if len(s) == 0 {
		return dst
	}
	defuse := false
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		defuse = true
	default:
		defuse = s[0] == 0xEF && len(s) >= 3 && s[1] == 0xBC && (s[2] == 0x9D || s[2] == 0x8B || s[2] == 0x8D || s[2] == 0xA0) // ＝ ＋ － ＠
	}
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			quote = true
			break
		}
	}
	if !quote && !defuse {
		if s[0] < utf8.RuneSelf {
			quote = s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r') || (len(s) == 2 && s[0] == '\\' && s[1] == '.')
		} else {
			r, _ := utf8.DecodeRuneInString(string(s[:min(len(s), utf8.UTFMax)]))
			quote = unicode.IsSpace(r)
		}
	}
	if !quote {
		if defuse {
			dst = append(dst, '\'')
		}
		return append(dst, s...)
	}
	dst = append(dst, '"')
	if defuse {
		dst = append(dst, '\'')
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			dst = append(dst, '"', '"')
		case '\r':
		case '\n':
			dst = append(dst, '\r', '\n')
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// csvSafe defuses spreadsheet formula injection (CWE-1236): a cell that
// starts with = + - @, a tab or a carriage return (or their full-width
// forms, which some spreadsheets also accept) gets a leading single quote,
// so it is shown as text and never evaluated. Text in a threat model is
// written by many people; a title like "=HYPERLINK(...)" must stay text.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	for _, p := range []string{"＝", "＋", "－", "＠"} {
		if strings.HasPrefix(s, p) {
			return "'" + s
		}
	}
	return s
}

// csvRule is the rule column: a threat people wrote has no rule.
func csvRule(f *Finding) string {
	if f.Origin == "people" {
		return OriginText(f.Origin, f.Rule)
	}
	return f.Rule
}

// idListKey identifies a shared list of ids by its first element and length.
type idListKey struct {
	first *string
	n     int
}
