package otm

import "github.com/wardtm/ward/internal/interop"

// An OTM JSON file is read with interop.JSONR (no reflection), falling back
// to encoding/json for anything it refuses; FuzzReadDocument compares the
// two.

func decodeDocument(name string, data []byte, d *document) error {
	return interop.DecodeJSONFast(name, data, d, otmJSON, readDocument)
}

var documentKeys = []string{"otmVersion", "project", "representations", "assets", "trustZones", "components",
	"dataflows", "threats", "mitigations"}

func readDocument(r *interop.JSONR, d *document) {
	r.Object(documentKeys, func(k string) bool {
		switch k {
		case "otmVersion":
			r.StrInto(&d.OTMVersion)
		case "project":
			interop.ReadPtr(r, &d.Project, readProject)
		case "representations":
			interop.ReadList(r, &d.Representations, readRepresentation)
		case "assets":
			interop.ReadList(r, &d.Assets, readAsset)
		case "trustZones":
			interop.ReadList(r, &d.TrustZones, readTrustZone)
		case "components":
			interop.ReadList(r, &d.Components, readComponent)
		case "dataflows":
			interop.ReadList(r, &d.Dataflows, readDataflow)
		case "threats":
			interop.ReadList(r, &d.Threats, readThreat)
		case "mitigations":
			interop.ReadList(r, &d.Mitigations, readMitigation)
		}
		return true
	})
}

var projectKeys = []string{"name", "id", "description", "owner", "ownerContact", "tags", "attributes"}

func readProject(r *interop.JSONR, p *project) {
	r.Object(projectKeys, func(k string) bool {
		switch k {
		case "name":
			r.StrInto(&p.Name)
		case "id":
			r.StrInto(&p.ID)
		case "description":
			r.StrInto(&p.Description)
		case "owner":
			r.StrInto(&p.Owner)
		case "ownerContact":
			r.StrInto(&p.OwnerContact)
		case "tags":
			r.Strings(&p.Tags)
		case "attributes":
			r.MapInto(&p.Attributes)
		}
		return true
	})
}

func readRepresentation(r *interop.JSONR, p *representation) {
	r.Object([]string{"name", "id", "type"}, func(k string) bool {
		switch k {
		case "name":
			r.StrInto(&p.Name)
		case "id":
			r.StrInto(&p.ID)
		case "type":
			r.StrInto(&p.Type)
		}
		return true
	})
}

var assetKeys = []string{"name", "id", "description", "risk", "attributes"}

func readAsset(r *interop.JSONR, a *asset) {
	r.Object(assetKeys, func(k string) bool {
		switch k {
		case "name":
			r.StrInto(&a.Name)
		case "id":
			r.StrInto(&a.ID)
		case "description":
			r.StrInto(&a.Description)
		case "risk":
			interop.ReadPtr(r, &a.Risk, func(r *interop.JSONR, x *assetRisk) {
				r.Object([]string{"confidentiality", "integrity", "availability", "comment"}, func(k string) bool {
					switch k {
					case "confidentiality":
						r.FloatInto(&x.Confidentiality)
					case "integrity":
						r.FloatInto(&x.Integrity)
					case "availability":
						r.FloatInto(&x.Availability)
					case "comment":
						r.StrInto(&x.Comment)
					}
					return true
				})
			})
		case "attributes":
			r.MapInto(&a.Attributes)
		}
		return true
	})
}

func readParent(r *interop.JSONR, p *parent) {
	r.Object([]string{"trustZone", "component"}, func(k string) bool {
		if k == "trustZone" {
			r.StrInto(&p.TrustZone)
		} else {
			r.StrInto(&p.Component)
		}
		return true
	})
}

var trustZoneKeys = []string{"id", "name", "type", "description", "risk", "parent", "representations", "attributes", "properties"}

func readTrustZone(r *interop.JSONR, z *trustZone) {
	r.Object(trustZoneKeys, func(k string) bool {
		switch k {
		case "id":
			r.StrInto(&z.ID)
		case "name":
			r.StrInto(&z.Name)
		case "type":
			r.StrInto(&z.Type)
		case "description":
			r.StrInto(&z.Description)
		case "risk":
			interop.ReadPtr(r, &z.Risk, func(r *interop.JSONR, x *zoneRisk) {
				r.Object([]string{"trustRating"}, func(string) bool {
					r.FloatPtr(&x.TrustRating)
					return true
				})
			})
		case "parent":
			interop.ReadPtr(r, &z.Parent, readParent)
		case "representations":
			r.AnysInto(&z.Representations)
		case "attributes":
			r.MapInto(&z.Attributes)
		case "properties":
			r.MapInto(&z.Properties)
		}
		return true
	})
}

func readThreatInstance(r *interop.JSONR, t *threatInstance) {
	r.Object([]string{"threat", "state", "mitigations"}, func(k string) bool {
		switch k {
		case "threat":
			r.StrInto(&t.Threat)
		case "state":
			r.StrInto(&t.State)
		case "mitigations":
			var out []*mitigationInstance
			if !r.Array(func() {
				var m *mitigationInstance
				interop.ReadPtr(r, &m, func(r *interop.JSONR, m *mitigationInstance) {
					r.Object([]string{"mitigation", "state"}, func(k string) bool {
						if k == "mitigation" {
							r.StrInto(&m.Mitigation)
						} else {
							r.StrInto(&m.State)
						}
						return true
					})
				})
				out = append(out, m)
			}) {
				t.Mitigations = nil
			} else {
				if out == nil {
					out = []*mitigationInstance{}
				}
				t.Mitigations = out
			}
		}
		return true
	})
}

var componentKeys = []string{"id", "name", "type", "description", "parent", "representations", "assets", "threats",
	"tags", "attributes", "properties"}

func readComponent(r *interop.JSONR, c *component) {
	r.Object(componentKeys, func(k string) bool {
		switch k {
		case "id":
			r.StrInto(&c.ID)
		case "name":
			r.StrInto(&c.Name)
		case "type":
			r.StrInto(&c.Type)
		case "description":
			r.StrInto(&c.Description)
		case "parent":
			interop.ReadPtr(r, &c.Parent, readParent)
		case "representations":
			r.AnysInto(&c.Representations)
		case "assets":
			interop.ReadPtr(r, &c.Assets, func(r *interop.JSONR, a *assetInstance) {
				r.Object([]string{"processed", "stored"}, func(k string) bool {
					if k == "processed" {
						r.StrPtrs(&a.Processed)
					} else {
						r.StrPtrs(&a.Stored)
					}
					return true
				})
			})
		case "threats":
			interop.ReadList(r, &c.Threats, readThreatInstance)
		case "tags":
			r.StrPtrs(&c.Tags)
		case "attributes":
			r.MapInto(&c.Attributes)
		case "properties":
			r.MapInto(&c.Properties)
		}
		return true
	})
}

var dataflowKeys = []string{"id", "name", "description", "bidirectional", "source", "destination", "assets",
	"threats", "tags", "representations", "attributes", "properties"}

func readDataflow(r *interop.JSONR, f *dataflow) {
	r.Object(dataflowKeys, func(k string) bool {
		switch k {
		case "id":
			r.StrInto(&f.ID)
		case "name":
			r.StrInto(&f.Name)
		case "description":
			r.StrInto(&f.Description)
		case "bidirectional":
			r.BoolPtr(&f.Bidirectional)
		case "source":
			r.StrInto(&f.Source)
		case "destination":
			r.StrInto(&f.Destination)
		case "assets":
			r.StrPtrs(&f.Assets)
		case "threats":
			interop.ReadList(r, &f.Threats, readThreatInstance)
		case "tags":
			r.StrPtrs(&f.Tags)
		case "representations":
			r.AnysInto(&f.Representations)
		case "attributes":
			r.MapInto(&f.Attributes)
		case "properties":
			r.MapInto(&f.Properties)
		}
		return true
	})
}

var threatKeys = []string{"id", "name", "description", "categories", "cwes", "risk", "tags", "attributes"}

func readThreat(r *interop.JSONR, t *threat) {
	r.Object(threatKeys, func(k string) bool {
		switch k {
		case "id":
			r.StrInto(&t.ID)
		case "name":
			r.StrInto(&t.Name)
		case "description":
			r.StrInto(&t.Description)
		case "categories":
			r.StrPtrs(&t.Categories)
		case "cwes":
			r.StrPtrs(&t.CWEs)
		case "risk":
			interop.ReadPtr(r, &t.Risk, func(r *interop.JSONR, x *threatRisk) {
				r.Object([]string{"likelihood", "likelihoodComment", "impact", "impactComment"}, func(k string) bool {
					switch k {
					case "likelihood":
						r.FloatPtr(&x.Likelihood)
					case "likelihoodComment":
						r.StrInto(&x.LikelihoodComment)
					case "impact":
						r.FloatInto(&x.Impact)
					case "impactComment":
						r.StrInto(&x.ImpactComment)
					}
					return true
				})
			})
		case "tags":
			r.StrPtrs(&t.Tags)
		case "attributes":
			r.MapInto(&t.Attributes)
		}
		return true
	})
}

func readMitigation(r *interop.JSONR, m *mitigation) {
	r.Object([]string{"id", "name", "description", "riskReduction", "attributes"}, func(k string) bool {
		switch k {
		case "id":
			r.StrInto(&m.ID)
		case "name":
			r.StrInto(&m.Name)
		case "description":
			r.StrInto(&m.Description)
		case "riskReduction":
			r.FloatInto(&m.RiskReduction)
		case "attributes":
			r.MapInto(&m.Attributes)
		}
		return true
	})
}
