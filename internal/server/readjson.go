package server

import (
	"time"

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
