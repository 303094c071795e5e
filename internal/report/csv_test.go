package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
)

// csvOracle is CSV as it was written before csvCells: each row's cells
// made as strings (csvRow), defused, and written by encoding/csv.
func csvOracle(r *Result) []byte {
	mits := map[string]Mitigation{}
	for _, m := range r.Mitigations {
		mits[m.ID] = m
	}
	accepted := map[string]Accepted{}
	for _, a := range r.Summary.Accepted {
		accepted[a.ID] = a
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	cw.Write(csvHeader)
	joined := map[idListKey]string{}
	var row []string
	for i := range r.Findings {
		row = csvRow(row[:0], &r.Findings[i], mits, accepted, joined)
		cw.Write(row)
	}
	cw.Flush()
	return buf.Bytes()
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

// TestCSVRows compares CSV with the oracle on every report scenario and a
// generated model, and on findings whose cells need quoting and defusing.
func TestCSVRows(t *testing.T) {
	cases := streamCases(t)
	cases["hostile"] = &Result{
		Mitigations: []Mitigation{{ID: "M1", Status: "planned", Owner: "=o"}, {ID: "M,2", Status: "done"}},
		Summary:     Summary{Accepted: []Accepted{{ID: "A", Owner: " x", Expires: "2027-01-01"}}},
		Findings: []Finding{
			{ID: "A", Rank: -1, Title: "say \"hi\"\r\nthen,go", Status: "accepted", Category: "\\.", Severity: "\u00a0high",
				Targets: []Target{{Kind: "flow", ID: "f,1", From: "a", To: "=b", Location: &Location{File: "x\ny.yaml", Line: 3, Col: 4}}},
				Assets:  []string{"-a", "b", "c", "d", "e", "f", "g", "h\""}, Mitigations: []string{"M1", "M,2", "M3"}, Origin: "people"},
			{ID: "\tB", Rank: 2, Title: "＠x", Decision: &Decision{Status: "accepted", Owner: "+o", Reason: "r,\"q\"", Expires: "soon"},
				Assets: []string{"-a", "b", "c", "d", "e", "f", "g", "h\""}, Origin: "custom", Rule: "=r", FindingRefs: &FindingRefs{CWE: []int{79, -1}},
				Location: &Location{File: " f", Line: 1, Col: 2}},
			{ID: "C", Title: "\u2028x", Category: "\xff", Status: "\u0085", Targets: []Target{{Kind: "component", ID: "c"}, {Kind: "asset", ID: "\r"}}},
		},
	}
	for name, r := range cases {
		var got bytes.Buffer
		if err := CSV(&got, r); err != nil {
			t.Fatal(err)
		}
		if want := csvOracle(r); !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: CSV differs from encoding/csv's\n%s", name, firstDiff(string(want), got.String()))
		}
	}
}

// FuzzCSVCell compares appendCSVCell with csvSafe and encoding/csv.
func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"", "a", "=1", "\\.", " a", "a,b", "\"", "\r\n", "\tx", "＝x", "\u00a0", "\u0085", "\xff", "\xef\xbc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		cw.UseCRLF = true
		cw.Write([]string{csvSafe(s), "x"})
		cw.Flush()
		want := strings.TrimSuffix(buf.String(), ",x\r\n")
		if got := string(appendCSVCell(nil, s)); got != want {
			t.Errorf("appendCSVCell(%q) = %q, want %q", s, got, want)
		}
		if got := string(appendCSVString([]byte("p"), []byte(s))); got != "p"+want {
			t.Errorf("appendCSVString(bytes %q) = %q, want %q", s, got, "p"+want)
		}
	})
}
