// The JSON shapes of a Threat Dragon file (v2 and the legacy v1 cells).

package threatdragon

import (
	"encoding/json"

	"github.com/wardtm/ward/internal/interop/geom"
)

type file struct {
	Version string  `json:"version"`
	Summary summary `json:"summary"`
	Detail  *detail `json:"detail"`
}

type summary struct {
	Title       string `json:"title"`
	Owner       string `json:"owner"`
	Description string `json:"description"`
}

type detail struct {
	Contributors []contributor `json:"contributors"`
	Reviewer     string        `json:"reviewer"`
	Diagrams     []*diagram    `json:"diagrams"`
}

type contributor struct {
	Name string `json:"name"`
}

type diagram struct {
	Title       string       `json:"title"`
	DiagramType string       `json:"diagramType"`
	Description string       `json:"description"`
	Cells       []*cell      `json:"cells"`
	DiagramJSON *diagramJSON `json:"diagramJson"`
}

type diagramJSON struct {
	Cells []*cell `json:"cells"`
}

type endpoint struct {
	Cell string   `json:"cell"` // v2
	ID   string   `json:"id"`   // v1
	X    *float64 `json:"x"`
	Y    *float64 `json:"y"`
}

type text struct {
	Text string `json:"text"`
}

// props holds the element properties: under "data" in v2, on the cell in v1.
type props struct {
	Type             string    `json:"type"`
	Name             string    `json:"name"`
	Description      string    `json:"description"`
	OutOfScope       bool      `json:"outOfScope"`
	ReasonOutOfScope string    `json:"reasonOutOfScope"`
	IsEncrypted      bool      `json:"isEncrypted"`
	IsPublicNetwork  bool      `json:"isPublicNetwork"`
	IsBidirectional  bool      `json:"isBidirectional"`
	Protocol         string    `json:"protocol"`
	StoresCreds      bool      `json:"storesCredentials"`
	IsALog           bool      `json:"isALog"`
	IsSigned         bool      `json:"isSigned"`
	IsWebApp         bool      `json:"isWebApplication"`
	ProvidesAuth     bool      `json:"providesAuthentication"`
	PrivilegeLevel   string    `json:"privilegeLevel"`
	Threats          []*threat `json:"threats"`
}

type cell struct {
	props
	ID       string       `json:"id"`
	Shape    string       `json:"shape"`
	Position *geom.Point  `json:"position"`
	Size     *size        `json:"size"`
	Attrs    *cellAttrs   `json:"attrs"`
	Labels   []label      `json:"labels"`
	Source   *endpoint    `json:"source"`
	Target   *endpoint    `json:"target"`
	Vertices []geom.Point `json:"vertices"`
	Data     *props       `json:"data"`
}

// label is an edge label: an object with attrs (Threat Dragon v1 and most
// v2 files) or a plain string (v2 files saved by some 2.x versions).
type label struct {
	Attrs *labelAttrs `json:"attrs"`
	text  string
}

type size struct {
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

type cellAttrs struct {
	Text  *text `json:"text"`
	Label *text `json:"label"`
}

type labelAttrs struct {
	Text      *text `json:"text"`
	LabelText *text `json:"labelText"`
}

func (l *label) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &l.text)
	}
	type plain label
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*l = label(p)
	return nil
}

type threat struct {
	Title       string          `json:"title"`
	Status      string          `json:"status"`
	Severity    string          `json:"severity"`
	Type        string          `json:"type"`
	Description string          `json:"description"`
	Mitigation  string          `json:"mitigation"`
	ModelType   string          `json:"modelType"`
	Score       json.RawMessage `json:"score"`
}

// Import converts a Threat Dragon model into a Ward model.
