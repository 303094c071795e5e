package threatdragon

import (
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/geom"
)

// A Threat Dragon file is read with interop.JSONR (no reflection), falling
// back to encoding/json for anything it refuses; FuzzReadFile compares the
// two.

func readFile(r *interop.JSONR, f *file) {
	r.Object([]string{"version", "summary", "detail"}, func(k string) bool {
		switch k {
		case "version":
			r.StrInto(&f.Version)
		case "summary":
			r.Object([]string{"title", "owner", "description"}, func(k string) bool {
				switch k {
				case "title":
					r.StrInto(&f.Summary.Title)
				case "owner":
					r.StrInto(&f.Summary.Owner)
				case "description":
					r.StrInto(&f.Summary.Description)
				}
				return true
			})
		case "detail":
			interop.ReadPtr(r, &f.Detail, readDetail)
		}
		return true
	})
}

func readDetail(r *interop.JSONR, d *detail) {
	r.Object([]string{"contributors", "reviewer", "diagrams"}, func(k string) bool {
		switch k {
		case "contributors":
			interop.ReadList(r, &d.Contributors, func(r *interop.JSONR, c *contributor) {
				r.Object([]string{"name"}, func(string) bool {
					r.StrInto(&c.Name)
					return true
				})
			})
		case "reviewer":
			r.StrInto(&d.Reviewer)
		case "diagrams":
			interop.ReadPtrs(r, &d.Diagrams, readDiagram)
		}
		return true
	})
}

func readDiagram(r *interop.JSONR, d *diagram) {
	r.Object([]string{"title", "diagramType", "description", "cells", "diagramJson"}, func(k string) bool {
		switch k {
		case "title":
			r.StrInto(&d.Title)
		case "diagramType":
			r.StrInto(&d.DiagramType)
		case "description":
			r.StrInto(&d.Description)
		case "cells":
			interop.ReadPtrs(r, &d.Cells, readCell)
		case "diagramJson":
			interop.ReadPtr(r, &d.DiagramJSON, func(r *interop.JSONR, j *diagramJSON) {
				r.Object([]string{"cells"}, func(string) bool {
					interop.ReadPtrs(r, &j.Cells, readCell)
					return true
				})
			})
		}
		return true
	})
}

var propsKeys = []string{"type", "name", "description", "outOfScope", "reasonOutOfScope", "isEncrypted",
	"isPublicNetwork", "isBidirectional", "protocol", "storesCredentials", "isALog", "isSigned",
	"isWebApplication", "providesAuthentication", "privilegeLevel", "threats"}

// readProp reads the props key k (one of propsKeys) into p.
func readProp(r *interop.JSONR, p *props, k string) {
	switch k {
	case "type":
		r.StrInto(&p.Type)
	case "name":
		r.StrInto(&p.Name)
	case "description":
		r.StrInto(&p.Description)
	case "outOfScope":
		r.BoolInto(&p.OutOfScope)
	case "reasonOutOfScope":
		r.StrInto(&p.ReasonOutOfScope)
	case "isEncrypted":
		r.BoolInto(&p.IsEncrypted)
	case "isPublicNetwork":
		r.BoolInto(&p.IsPublicNetwork)
	case "isBidirectional":
		r.BoolInto(&p.IsBidirectional)
	case "protocol":
		r.StrInto(&p.Protocol)
	case "storesCredentials":
		r.BoolInto(&p.StoresCreds)
	case "isALog":
		r.BoolInto(&p.IsALog)
	case "isSigned":
		r.BoolInto(&p.IsSigned)
	case "isWebApplication":
		r.BoolInto(&p.IsWebApp)
	case "providesAuthentication":
		r.BoolInto(&p.ProvidesAuth)
	case "privilegeLevel":
		r.StrInto(&p.PrivilegeLevel)
	case "threats":
		interop.ReadPtrs(r, &p.Threats, readThreat)
	}
}

func readProps(r *interop.JSONR, p *props) {
	r.Object(propsKeys, func(k string) bool {
		readProp(r, p, k)
		return true
	})
}

var cellKeys = append([]string{"id", "shape", "position", "size", "attrs", "labels", "source", "target", "vertices", "data"},
	propsKeys...)

func readPoint(r *interop.JSONR, p *geom.Point) {
	r.Object([]string{"x", "y"}, func(k string) bool {
		if k == "x" {
			r.FloatInto(&p.X)
		} else {
			r.FloatInto(&p.Y)
		}
		return true
	})
}

func readText(r *interop.JSONR, t *text) {
	r.Object([]string{"text"}, func(string) bool {
		r.StrInto(&t.Text)
		return true
	})
}

func readEndpoint(r *interop.JSONR, e *endpoint) {
	r.Object([]string{"cell", "id", "x", "y"}, func(k string) bool {
		switch k {
		case "cell":
			r.StrInto(&e.Cell)
		case "id":
			r.StrInto(&e.ID)
		case "x":
			r.FloatPtr(&e.X)
		case "y":
			r.FloatPtr(&e.Y)
		}
		return true
	})
}

func readCell(r *interop.JSONR, c *cell) {
	r.Object(cellKeys, func(k string) bool {
		switch k {
		case "id":
			r.StrInto(&c.ID)
		case "shape":
			r.StrInto(&c.Shape)
		case "position":
			interop.ReadPtr(r, &c.Position, readPoint)
		case "size":
			interop.ReadPtr(r, &c.Size, func(r *interop.JSONR, s *size) {
				r.Object([]string{"width", "height"}, func(k string) bool {
					if k == "width" {
						r.FloatInto(&s.Width)
					} else {
						r.FloatInto(&s.Height)
					}
					return true
				})
			})
		case "attrs":
			interop.ReadPtr(r, &c.Attrs, func(r *interop.JSONR, a *cellAttrs) {
				r.Object([]string{"text", "label"}, func(k string) bool {
					if k == "text" {
						interop.ReadPtr(r, &a.Text, readText)
					} else {
						interop.ReadPtr(r, &a.Label, readText)
					}
					return true
				})
			})
		case "labels":
			interop.ReadList(r, &c.Labels, readLabel)
		case "source":
			interop.ReadPtr(r, &c.Source, readEndpoint)
		case "target":
			interop.ReadPtr(r, &c.Target, readEndpoint)
		case "vertices":
			interop.ReadList(r, &c.Vertices, readPoint)
		case "data":
			interop.ReadPtr(r, &c.Data, readProps)
		default:
			readProp(r, &c.props, k)
		}
		return true
	})
}

// readLabel reads a label as label.UnmarshalJSON does: a string, or an
// object with attrs.
func readLabel(r *interop.JSONR, l *label) {
	if r.IsNext('"') {
		l.text = r.Str()
		return
	}
	r.Object([]string{"attrs"}, func(string) bool {
		interop.ReadPtr(r, &l.Attrs, func(r *interop.JSONR, a *labelAttrs) {
			r.Object([]string{"text", "labelText"}, func(k string) bool {
				if k == "text" {
					interop.ReadPtr(r, &a.Text, readText)
				} else {
					interop.ReadPtr(r, &a.LabelText, readText)
				}
				return true
			})
		})
		return true
	})
}

func readThreat(r *interop.JSONR, t *threat) {
	r.Object([]string{"title", "status", "severity", "type", "description", "mitigation", "modelType", "score"}, func(k string) bool {
		switch k {
		case "title":
			r.StrInto(&t.Title)
		case "status":
			r.StrInto(&t.Status)
		case "severity":
			r.StrInto(&t.Severity)
		case "type":
			r.StrInto(&t.Type)
		case "description":
			r.StrInto(&t.Description)
		case "mitigation":
			r.StrInto(&t.Mitigation)
		case "modelType":
			r.StrInto(&t.ModelType)
		case "score":
			t.Score = r.Raw()
		}
		return true
	})
}
