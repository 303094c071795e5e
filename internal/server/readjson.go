package server

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/jsonstr"
	"github.com/wardtm/ward/internal/store"
)

// The JSON shapes of the hottest reads (issue 13) as structs instead of
// map[string]any: encoding/json encodes a map by sorting its keys (and
// boxing every value) on every request, which was 40 % of a findings
// list's CPU. Each struct lists its fields in the sorted key order the map
// had, with the same names and types, so the bytes on the wire are
// unchanged (TestReadShapesAreTheMaps).

// systemDoc is a system as the API returns it.
type systemDoc struct {
	CreatedAt time.Time `json:"created_at"`
	ID        string    `json:"id"`
	Latest    int       `json:"latest"`
	Name      string    `json:"name"`
	Revision  int64     `json:"revision"`
	Team      string    `json:"team"`
	UpdatedAt time.Time `json:"updated_at"`
}

func systemJSON(x store.System) systemDoc {
	return systemDoc{CreatedAt: x.CreatedAt, ID: x.ID, Latest: x.Latest, Name: x.Name, Revision: x.Revision, Team: x.TeamID, UpdatedAt: x.UpdatedAt}
}

// findingDoc is a row of the findings list.
type findingDoc struct {
	Assets   []string `json:"assets"`
	Category string   `json:"category"`
	Data     []string `json:"data"`
	ID       string   `json:"id"`
	Owner    string   `json:"owner"`
	Rule     string   `json:"rule"`
	Score    int      `json:"score"`
	Severity string   `json:"severity"`
	Status   string   `json:"status"`
	System   string   `json:"system"`
	Team     string   `json:"team"`
	Title    string   `json:"title"`
	Version  int      `json:"version"`
}

func findingJSON(f store.Finding) findingDoc {
	return findingDoc{Assets: orEmpty(f.Assets), Category: f.Category, Data: orEmpty(f.DataKinds), ID: f.ID, Owner: f.Owner, Rule: f.Rule,
		Score: f.Score, Severity: f.Severity, Status: f.Status, System: f.SystemID, Team: f.TeamID, Title: f.Title, Version: f.Version}
}

// writeFindings writes a page of the findings list as writeList writes
// it. Compact, it appends the JSON itself (findingsListJSON) instead of
// going through encoding/json's reflection, the largest part of a list's
// CPU after its rows were answered from memory (issue 13); ?pretty keeps
// the encoder.
func writeFindings(w http.ResponseWriter, fs []store.Finding, total int, p store.Page) {
	if sw, ok := w.(*statusWriter); ok && sw.pretty {
		out := make([]findingDoc, 0, len(fs))
		for _, f := range fs {
			out = append(out, findingJSON(f))
		}
		writeList(w, out, total, p)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bp := listBufs.Get().(*[]byte)
	b := findingsListJSON((*bp)[:0], fs, total, p)
	_, _ = w.Write(b)
	if cap(b) <= 1<<20 { // a page of 500 rows is ≈ 200 KB
		*bp = b
		listBufs.Put(bp)
	}
}

// listBufs holds the buffers of findings lists written (as encoding/json
// keeps its own), so that a list allocates none.
var listBufs = sync.Pool{New: func() any { return new([]byte) }}

// findingsListJSON appends what json.NewEncoder(w).Encode writes for
// list[findingDoc] of fs (its newline included), byte for byte
// (TestFindingsListJSON): the fields in findingDoc's order, nil lists as
// [], strings escaped as encoding/json escapes them.
func findingsListJSON(b []byte, fs []store.Finding, total int, p store.Page) []byte {
	b = append(b, `{"items":[`...)
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"assets":`...)
		b = jsonStrings(b, f.Assets)
		b = append(b, `,"category":`...)
		b = jsonstr.Append(b, f.Category)
		b = append(b, `,"data":`...)
		b = jsonStrings(b, f.DataKinds)
		b = append(b, `,"id":`...)
		b = jsonstr.Append(b, f.ID)
		b = append(b, `,"owner":`...)
		b = jsonstr.Append(b, f.Owner)
		b = append(b, `,"rule":`...)
		b = jsonstr.Append(b, f.Rule)
		b = append(b, `,"score":`...)
		b = strconv.AppendInt(b, int64(f.Score), 10)
		b = append(b, `,"severity":`...)
		b = jsonstr.Append(b, f.Severity)
		b = append(b, `,"status":`...)
		b = jsonstr.Append(b, f.Status)
		b = append(b, `,"system":`...)
		b = jsonstr.Append(b, f.SystemID)
		b = append(b, `,"team":`...)
		b = jsonstr.Append(b, f.TeamID)
		b = append(b, `,"title":`...)
		b = jsonstr.Append(b, f.Title)
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, int64(f.Version), 10)
		b = append(b, '}')
	}
	b = append(b, `],"total":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(p.Limit), 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, int64(p.Offset), 10)
	return append(b, "}\n"...)
}

// jsonStrings appends xs as a JSON array ([] when nil).
func jsonStrings(b []byte, xs []string) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, x)
	}
	return append(b, ']')
}
