package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
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
	// The rows, in chunks on all cores (writeChunks), each chunk by its
	// own csv.Writer.
	var pool chunkPool
	err := writeChunks(bw, len(r.Findings), 4*jsonChunk, &pool, func(dst []byte, lo, hi int) ([]byte, error) {
		buf := bytes.NewBuffer(dst)
		cw := csv.NewWriter(buf)
		cw.UseCRLF = true
		var row []string
		joined := map[idListKey]string{}
		for i := lo; i < hi; i++ {
			row = csvRow(row[:0], &r.Findings[i], mits, accepted, joined)
			if err := cw.Write(row); err != nil {
				return buf.Bytes(), err
			}
		}
		cw.Flush()
		return buf.Bytes(), cw.Error()
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// csvRow appends to row a finding's cells, every one defused (csvSafe).
// joined remembers the assets cell of long asset lists, which findings share
// (report.Build gives findings with the same assets at stake one list).
func csvRow(row []string, f *Finding, mits map[string]Mitigation, accepted map[string]Accepted, joined map[idListKey]string) []string {
	targets := make([]string, 0, len(f.Targets))
	for _, t := range f.Targets {
		targets = append(targets, targetLabel(t))
	}
	cwe := make([]string, 0, len(f.CWE()))
	for _, c := range f.CWE() {
		cwe = append(cwe, "CWE-"+strconv.Itoa(c))
	}
	var owner, decision string
	if d := f.Decision; d != nil {
		owner, decision = d.Owner, d.Status
		if d.Reason != "" {
			decision += ": " + d.Reason
		}
		if d.Expires != "" {
			decision += " (until " + d.Expires + ")"
		}
	} else if a, ok := accepted[f.ID]; ok {
		owner, decision = a.Owner, "accepted"
		if a.Expires != "" {
			decision += " (until " + a.Expires + ")"
		}
	}
	ms := make([]string, 0, len(f.Mitigations))
	for _, id := range f.Mitigations {
		m := mits[id]
		s := id + " (" + m.Status
		if m.Owner != "" {
			s += ", " + m.Owner
		}
		ms = append(ms, s+")")
	}
	var location string
	if l := f.Location; l != nil {
		location = locString(l)
	} else {
		for _, t := range f.Targets {
			if l := t.Location; l != nil {
				location = locString(l)
				break
			}
		}
	}
	assets := ""
	if len(f.Assets) >= 8 {
		k := idListKey{&f.Assets[0], len(f.Assets)}
		var ok bool
		if assets, ok = joined[k]; !ok {
			assets = strings.Join(f.Assets, "; ")
			joined[k] = assets
		}
	} else {
		assets = strings.Join(f.Assets, "; ")
	}
	row = append(row, strconv.Itoa(f.Rank), f.ID, f.Severity, strconv.Itoa(f.Score), f.Status, f.Category, f.Title,
		strings.Join(targets, "; "), assets, csvRule(f), strings.Join(cwe, "; "), owner, decision,
		strings.Join(ms, "; "), location)
	for i := range row {
		row[i] = csvSafe(row[i])
	}
	return row
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
