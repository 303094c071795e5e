package threatcomposer

import "github.com/wardtm/ward/internal/interop"

// The workspace is read with interop.JSONR (no reflection), falling back to
// encoding/json for anything it refuses; FuzzImportThreatComposer compares
// the two.

func decodeWorkspace(name string, data []byte, w *workspace) error {
	// The strings share data's memory (interop.Importer.Import): most of
	// them (ids, statements, grammar parts) are kept in the model or cut
	// into it, and copying them was ≈ 7 % of an import's CPU.
	return interop.DecodeJSONFastShared(name, data, w, tcJSON, readWorkspace)
}

var workspaceKeys = []string{"schema", "namespace", "type", "id", "name", "description", "applicationInfo",
	"architecture", "dataflow", "assumptions", "mitigations", "assumptionLinks", "mitigationLinks", "threats"}

func readWorkspace(r *interop.JSONR, w *workspace) {
	r.Object(workspaceKeys, func(k string) bool {
		switch k {
		case "schema":
			r.IntInto(&w.Schema)
		case "namespace":
			r.StrInto(&w.Namespace)
		case "type":
			r.StrInto(&w.Type)
		case "id":
			r.StrInto(&w.ID)
		case "name":
			r.StrInto(&w.Name)
		case "description":
			r.StrInto(&w.Description)
		case "applicationInfo":
			if !r.Null() {
				a := &appInfo{}
				r.Object([]string{"name", "description"}, func(k string) bool {
					if k == "name" {
						r.StrInto(&a.Name)
					} else {
						r.StrInto(&a.Description)
					}
					return true
				})
				w.ApplicationInfo = a
			}
		case "architecture":
			w.Architecture = readDiagram(r)
		case "dataflow":
			w.Dataflow = readDiagram(r)
		case "assumptions":
			interop.ReadList(r, &w.Assumptions, readAssumption)
		case "mitigations":
			interop.ReadList(r, &w.Mitigations, readMitigation)
		case "assumptionLinks":
			interop.ReadList(r, &w.AssumptionLinks, func(r *interop.JSONR, l *assumptionLink) {
				r.Object([]string{"type", "assumptionId", "linkedId"}, func(k string) bool {
					switch k {
					case "type":
						r.StrInto(&l.Type)
					case "assumptionId":
						r.StrInto(&l.AssumptionID)
					default:
						r.StrInto(&l.LinkedID)
					}
					return true
				})
			})
		case "mitigationLinks":
			interop.ReadList(r, &w.MitigationLinks, func(r *interop.JSONR, l *mitigationLink) {
				r.Object([]string{"mitigationId", "linkedId"}, func(k string) bool {
					if k == "mitigationId" {
						r.StrInto(&l.MitigationID)
					} else {
						r.StrInto(&l.LinkedID)
					}
					return true
				})
			})
		case "threats":
			interop.ReadList(r, &w.Threats, readThreat)
		}
		return true
	})
}

func readDiagram(r *interop.JSONR) *diagram {
	if r.Null() {
		return nil
	}
	d := &diagram{}
	r.Object([]string{"image", "description"}, func(k string) bool {
		if k == "image" {
			r.StrInto(&d.Image)
		} else {
			r.StrInto(&d.Description)
		}
		return true
	})
	return d
}

func readMetadata(r *interop.JSONR, m *metadata) {
	r.Object([]string{"key", "value"}, func(k string) bool {
		if k == "key" {
			r.StrInto(&m.Key)
		} else {
			m.Value = r.Any()
		}
		return true
	})
}

var assumptionKeys = []string{"id", "numericId", "displayOrder", "metadata", "tags", "content"}

func readAssumption(r *interop.JSONR, a *assumption) {
	r.Object(assumptionKeys, func(k string) bool {
		switch k {
		case "id":
			r.StrInto(&a.ID)
		case "numericId":
			r.IntInto(&a.NumericID)
		case "displayOrder":
			r.IntInto(&a.DisplayOrder)
		case "metadata":
			interop.ReadList(r, &a.Metadata, readMetadata)
		case "tags":
			r.Strings(&a.Tags)
		case "content":
			r.StrInto(&a.Content)
		}
		return true
	})
}

var mitigationKeys = []string{"id", "numericId", "displayOrder", "metadata", "tags", "content", "status"}

func readMitigation(r *interop.JSONR, m *mitigation) {
	r.Object(mitigationKeys, func(k string) bool {
		switch k {
		case "id":
			r.StrInto(&m.ID)
		case "numericId":
			r.IntInto(&m.NumericID)
		case "displayOrder":
			r.IntInto(&m.DisplayOrder)
		case "metadata":
			interop.ReadList(r, &m.Metadata, readMetadata)
		case "tags":
			r.Strings(&m.Tags)
		case "content":
			r.StrInto(&m.Content)
		case "status":
			r.StrInto(&m.Status)
		}
		return true
	})
}

var threatKeys = []string{"id", "numericId", "displayOrder", "metadata", "tags", "threatSource", "prerequisites",
	"threatAction", "threatImpact", "impactedGoal", "impactedAssets", "statement", "status"}

func readThreat(r *interop.JSONR, t *threat) {
	r.Object(threatKeys, func(k string) bool {
		switch k {
		case "id":
			r.StrInto(&t.ID)
		case "numericId":
			r.IntInto(&t.NumericID)
		case "displayOrder":
			r.IntInto(&t.DisplayOrder)
		case "metadata":
			interop.ReadList(r, &t.Metadata, readMetadata)
		case "tags":
			r.Strings(&t.Tags)
		case "threatSource":
			r.StrInto(&t.ThreatSource)
		case "prerequisites":
			r.StrInto(&t.Prerequisites)
		case "threatAction":
			r.StrInto(&t.ThreatAction)
		case "threatImpact":
			r.StrInto(&t.ThreatImpact)
		case "impactedGoal":
			r.Strings(&t.ImpactedGoal)
		case "impactedAssets":
			r.Strings(&t.ImpactedAssets)
		case "statement":
			r.StrInto(&t.Statement)
		case "status":
			r.StrInto(&t.Status)
		}
		return true
	})
}
