// Package threatcomposer reads and writes AWS Threat Composer workspace
// exports (.tc.json, schema 1): application info, architecture and data-flow
// descriptions, threats written in Threat Composer's grammar, mitigations,
// assumptions and the links between them. Threat packs (a library of
// reusable threats and mitigations) are read too.
package threatcomposer

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/wardtm/ward/internal/interop"
)

// Importer returns the Threat Composer importer.
func Importer() interop.Importer {
	return interop.Importer{Name: "threat-composer", Title: "AWS Threat Composer workspace (.tc.json)", Detect: Detect, Import: Import}
}

// Exporter returns the Threat Composer exporter.
func Exporter() interop.Exporter {
	return interop.Exporter{Name: "threat-composer", Title: "AWS Threat Composer workspace (.tc.json)", Ext: ".tc.json", Write: Write}
}

// Detect reports whether data looks like a Threat Composer export.
func Detect(name string, data []byte) bool {
	if strings.HasSuffix(strings.ToLower(filepath.Base(name)), ".tc.json") {
		return true
	}
	head := data[:min(len(data), 4096)]
	if !bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")) {
		return false
	}
	return bytes.Contains(head, []byte(`"applicationInfo"`)) ||
		(bytes.Contains(head, []byte(`"threat-pack"`)) || bytes.Contains(head, []byte(`"mitigation-pack"`))) && bytes.Contains(head, []byte(`"threat-composer"`)) ||
		bytes.Contains(head, []byte(`"threatSource"`)) && bytes.Contains(head, []byte(`"threatAction"`))
}

// workspace is a Threat Composer export; the namespace, type, id, name and
// description fields belong to threat packs.
type workspace struct {
	Schema          int              `json:"schema"`
	Namespace       string           `json:"namespace,omitempty"`
	Type            string           `json:"type,omitempty"`
	ID              string           `json:"id,omitempty"`
	Name            string           `json:"name,omitempty"`
	Description     string           `json:"description,omitempty"`
	ApplicationInfo *appInfo         `json:"applicationInfo,omitempty"`
	Architecture    *diagram         `json:"architecture,omitempty"`
	Dataflow        *diagram         `json:"dataflow,omitempty"`
	Assumptions     []assumption     `json:"assumptions"`
	Mitigations     []mitigation     `json:"mitigations"`
	AssumptionLinks []assumptionLink `json:"assumptionLinks"`
	MitigationLinks []mitigationLink `json:"mitigationLinks"`
	Threats         []threat         `json:"threats"`
}

type appInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type diagram struct {
	Image       string `json:"image"`
	Description string `json:"description"`
}

type metadata struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

type assumption struct {
	ID           string     `json:"id"`
	NumericID    int        `json:"numericId"`
	DisplayOrder int        `json:"displayOrder"`
	Metadata     []metadata `json:"metadata"`
	Tags         []string   `json:"tags,omitempty"`
	Content      string     `json:"content"`
}

type mitigation struct {
	ID           string     `json:"id"`
	NumericID    int        `json:"numericId"`
	DisplayOrder int        `json:"displayOrder"`
	Metadata     []metadata `json:"metadata"`
	Tags         []string   `json:"tags,omitempty"`
	Content      string     `json:"content"`
	Status       string     `json:"status,omitempty"`
}

type assumptionLink struct {
	Type         string `json:"type"`
	AssumptionID string `json:"assumptionId"`
	LinkedID     string `json:"linkedId"`
}

type mitigationLink struct {
	MitigationID string `json:"mitigationId"`
	LinkedID     string `json:"linkedId"`
}

type threat struct {
	ID             string     `json:"id"`
	NumericID      int        `json:"numericId"`
	DisplayOrder   int        `json:"displayOrder"`
	Metadata       []metadata `json:"metadata"`
	Tags           []string   `json:"tags,omitempty"`
	ThreatSource   string     `json:"threatSource"`
	Prerequisites  string     `json:"prerequisites"`
	ThreatAction   string     `json:"threatAction"`
	ThreatImpact   string     `json:"threatImpact"`
	ImpactedGoal   []string   `json:"impactedGoal"`
	ImpactedAssets []string   `json:"impactedAssets"`
	Statement      string     `json:"statement"`
	Status         string     `json:"status,omitempty"`
	// assets, on an exported threat, are its assets at stake, whose JSON
	// a shared list writes once (labelsJSON).
	assets *assetTexts
}

// Status values, as Threat Composer writes them.
const (
	threatIdentified        = "threatIdentified"
	threatResolved          = "threatResolved"
	threatResolvedNotUseful = "threatResolvedNotUseful"

	mitigationIdentified            = "mitigationIdentified"
	mitigationInProgress            = "mitigationInProgress"
	mitigationResolved              = "mitigationResolved"
	mitigationResolvedWillNotAction = "mitigationResolvedWillNotAction"
)
