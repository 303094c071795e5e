// Package otm reads and writes the Open Threat Model (OTM) format, IriusRisk's
// tool-neutral JSON (or YAML) threat model: a project, trust zones,
// components, data flows, assets, and a library of threats and mitigations
// instantiated on components and data flows. Versions 0.1.0 and 0.2.0 are
// read; 0.2.0 is written.
package otm

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/wardtm/ward/internal/interop"
)

// Version is the OTM version Export writes.
const Version = "0.2.0"

// Importer returns the OTM importer.
func Importer() interop.Importer {
	return interop.Importer{Name: "otm", Title: "Open Threat Model (OTM) JSON or YAML", Detect: Detect, Import: Import}
}

// Exporter returns the OTM exporter.
func Exporter() interop.Exporter {
	return interop.Exporter{Name: "otm", Title: "Open Threat Model (OTM) 0.2.0 JSON", Ext: ".otm.json", Write: Write}
}

// Detect reports whether data looks like an OTM file: an otmVersion key near
// the top of a JSON or YAML document.
func Detect(name string, data []byte) bool {
	n := strings.ToLower(filepath.Base(name))
	if strings.HasSuffix(n, ".otm") || strings.Contains(n, ".otm.") {
		return true
	}
	head := data[:min(len(data), 4096)]
	return bytes.Contains(head, []byte(`"otmVersion"`)) ||
		bytes.HasPrefix(bytes.TrimSpace(head), []byte("otmVersion:")) || bytes.Contains(head, []byte("\notmVersion:"))
}

// The OTM document. Fields are pointers or slices so that null and absent
// values are accepted wherever the schema allows them. OTM 0.1.0 files
// written by some tools say "properties" where 0.2.0 says "attributes"; both
// are read.

type document struct {
	OTMVersion      string           `json:"otmVersion" yaml:"otmVersion"`
	Project         *project         `json:"project" yaml:"project"`
	Representations []representation `json:"representations,omitempty" yaml:"representations"`
	Assets          []asset          `json:"assets,omitempty" yaml:"assets"`
	TrustZones      []trustZone      `json:"trustZones" yaml:"trustZones"`
	Components      []component      `json:"components,omitempty" yaml:"components"`
	Dataflows       []dataflow       `json:"dataflows" yaml:"dataflows"`
	Threats         []threat         `json:"threats,omitempty" yaml:"threats"`
	Mitigations     []mitigation     `json:"mitigations,omitempty" yaml:"mitigations"`
}

type project struct {
	Name         string         `json:"name" yaml:"name"`
	ID           string         `json:"id" yaml:"id"`
	Description  string         `json:"description,omitempty" yaml:"description"`
	Owner        string         `json:"owner,omitempty" yaml:"owner"`
	OwnerContact string         `json:"ownerContact,omitempty" yaml:"ownerContact"`
	Tags         []string       `json:"tags,omitempty" yaml:"tags"`
	Attributes   map[string]any `json:"attributes,omitempty" yaml:"attributes"`
}

type representation struct {
	Name string `json:"name" yaml:"name"`
	ID   string `json:"id" yaml:"id"`
	Type string `json:"type" yaml:"type"`
}

type asset struct {
	Name        string         `json:"name" yaml:"name"`
	ID          string         `json:"id" yaml:"id"`
	Description string         `json:"description,omitempty" yaml:"description"`
	Risk        *assetRisk     `json:"risk" yaml:"risk"`
	Attributes  map[string]any `json:"attributes,omitempty" yaml:"attributes"`
}

type assetRisk struct {
	Confidentiality float64 `json:"confidentiality" yaml:"confidentiality"`
	Integrity       float64 `json:"integrity" yaml:"integrity"`
	Availability    float64 `json:"availability" yaml:"availability"`
	Comment         string  `json:"comment,omitempty" yaml:"comment"`
}

type trustZone struct {
	ID              string         `json:"id" yaml:"id"`
	Name            string         `json:"name" yaml:"name"`
	Type            string         `json:"type,omitempty" yaml:"type"`
	Description     string         `json:"description,omitempty" yaml:"description"`
	Risk            *zoneRisk      `json:"risk" yaml:"risk"`
	Parent          *parent        `json:"parent,omitempty" yaml:"parent"`
	Representations []any          `json:"representations,omitempty" yaml:"representations"`
	Attributes      map[string]any `json:"attributes,omitempty" yaml:"attributes"`
	Properties      map[string]any `json:"properties,omitempty" yaml:"properties"`
}

type zoneRisk struct {
	TrustRating *float64 `json:"trustRating" yaml:"trustRating"`
}

type parent struct {
	TrustZone string `json:"trustZone,omitempty" yaml:"trustZone"`
	Component string `json:"component,omitempty" yaml:"component"`
}

type component struct {
	ID              string           `json:"id" yaml:"id"`
	Name            string           `json:"name" yaml:"name"`
	Type            string           `json:"type" yaml:"type"`
	Description     string           `json:"description,omitempty" yaml:"description"`
	Parent          *parent          `json:"parent" yaml:"parent"`
	Representations []any            `json:"representations,omitempty" yaml:"representations"`
	Assets          *assetInstance   `json:"assets,omitempty" yaml:"assets"`
	Threats         []threatInstance `json:"threats,omitempty" yaml:"threats"`
	Tags            []*string        `json:"tags,omitempty" yaml:"tags"`
	Attributes      map[string]any   `json:"attributes,omitempty" yaml:"attributes"`
	Properties      map[string]any   `json:"properties,omitempty" yaml:"properties"`
	// attrs, on an exported element, are its Attributes (which are then
	// nil), written as the map of them (interop.JSONW.KVs).
	attrs []interop.KV
}

type assetInstance struct {
	Processed []*string `json:"processed,omitempty" yaml:"processed"`
	Stored    []*string `json:"stored,omitempty" yaml:"stored"`
}

type dataflow struct {
	ID              string           `json:"id" yaml:"id"`
	Name            string           `json:"name" yaml:"name"`
	Description     string           `json:"description,omitempty" yaml:"description"`
	Bidirectional   *bool            `json:"bidirectional,omitempty" yaml:"bidirectional"`
	Source          string           `json:"source" yaml:"source"`
	Destination     string           `json:"destination" yaml:"destination"`
	Assets          []*string        `json:"assets,omitempty" yaml:"assets"`
	Threats         []threatInstance `json:"threats,omitempty" yaml:"threats"`
	Tags            []*string        `json:"tags,omitempty" yaml:"tags"`
	Representations []any            `json:"representations,omitempty" yaml:"representations"`
	Attributes      map[string]any   `json:"attributes,omitempty" yaml:"attributes"`
	Properties      map[string]any   `json:"properties,omitempty" yaml:"properties"`
	// attrs, on an exported element, are its Attributes (which are then
	// nil), written as the map of them (interop.JSONW.KVs).
	attrs []interop.KV
}

type threatInstance struct {
	Threat      string                `json:"threat" yaml:"threat"`
	State       string                `json:"state" yaml:"state"`
	Mitigations []*mitigationInstance `json:"mitigations,omitempty" yaml:"mitigations"`
}

type mitigationInstance struct {
	Mitigation string `json:"mitigation" yaml:"mitigation"`
	State      string `json:"state" yaml:"state"`
}

type threat struct {
	ID          string         `json:"id" yaml:"id"`
	Name        string         `json:"name" yaml:"name"`
	Description string         `json:"description,omitempty" yaml:"description"`
	Categories  []*string      `json:"categories,omitempty" yaml:"categories"`
	CWEs        []*string      `json:"cwes,omitempty" yaml:"cwes"`
	Risk        *threatRisk    `json:"risk" yaml:"risk"`
	Tags        []*string      `json:"tags,omitempty" yaml:"tags"`
	Attributes  map[string]any `json:"attributes,omitempty" yaml:"attributes"`
	// attrs, on an exported threat, holds Attributes when they are shared
	// with other threats, and their JSON.
	attrs *sharedAttrs
}

type threatRisk struct {
	Likelihood        *float64 `json:"likelihood" yaml:"likelihood"`
	LikelihoodComment string   `json:"likelihoodComment,omitempty" yaml:"likelihoodComment"`
	Impact            float64  `json:"impact" yaml:"impact"`
	ImpactComment     string   `json:"impactComment,omitempty" yaml:"impactComment"`
	// rationale, on an exported threat whose LikelihoodComment is empty,
	// is written as it: strings.Join(rationale, "; "), without joining.
	rationale []string
}

type mitigation struct {
	ID            string         `json:"id" yaml:"id"`
	Name          string         `json:"name" yaml:"name"`
	Description   string         `json:"description,omitempty" yaml:"description"`
	RiskReduction float64        `json:"riskReduction" yaml:"riskReduction"`
	Attributes    map[string]any `json:"attributes,omitempty" yaml:"attributes"`
}

func strs(ps []*string) []string {
	var out []string
	for _, p := range ps {
		if p != nil && strings.TrimSpace(*p) != "" {
			out = append(out, *p)
		}
	}
	return out
}
