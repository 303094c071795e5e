package threatdragon

import (
	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/geom"
)

// A Threat Dragon file is read with interop.JSONR (no reflection), falling
// back to encoding/json for anything it refuses; FuzzReadFile compares the
// two.

// readList reads an array as encoding/json does into a slice: null makes
// it nil, [] empty, a null item a zero item.
func readList[T any](r *interop.JSONR, dst *[]T, item func(*interop.JSONR, *T)) {
	var out []T
	if !r.Array(func() {
		var zero T
		out = append(out, zero)
		item(r, &out[len(out)-1])
	}) {
		*dst = nil
		return
	}
	if out == nil {
		out = []T{}
	}
	*dst = out
}

// readPtr reads an object into a new T: null makes it nil.
func readPtr[T any](r *interop.JSONR, dst **T, item func(*interop.JSONR, *T)) {
	if r.Null() {
		*dst = nil
		return
	}
	v := new(T)
	item(r, v)
	*dst = v
}

// readPtrs reads an array of objects into a []*T: a null item is nil.
func readPtrs[T any](r *interop.JSONR, dst *[]*T, item func(*interop.JSONR, *T)) {
	readList(r, dst, func(r *interop.JSONR, p **T) { readPtr(r, p, item) })
}

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
			readPtr(r, &f.Detail, readDetail)
		}
		return true
	})
}

func readDetail(r *interop.JSONR, d *detail) {
	r.Object([]string{"contributors", "reviewer", "diagrams"}, func(k string) bool {
		switch k {
		case "contributors":
			readList(r, &d.Contributors, func(r *interop.JSONR, c *contributor) {
				r.Object([]string{"name"}, func(string) bool {
					r.StrInto(&c.Name)
					return true
				})
			})
		case "reviewer":
			r.StrInto(&d.Reviewer)
		case "diagrams":
			readPtrs(r, &d.Diagrams, readDiagram)
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
			readPtrs(r, &d.Cells, readCell)
		case "diagramJson":
			readPtr(r, &d.DiagramJSON, func(r *interop.JSONR, j *diagramJSON) {
				r.Object([]string{"cells"}, func(string) bool {
					readPtrs(r, &j.Cells, readCell)
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
		readPtrs(r, &p.Threats, readThreat)
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
			readPtr(r, &c.Position, readPoint)
		case "size":
			readPtr(r, &c.Size, func(r *interop.JSONR, s *size) {
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
			readPtr(r, &c.Attrs, func(r *interop.JSONR, a *cellAttrs) {
				r.Object([]string{"text", "label"}, func(k string) bool {
					if k == "text" {
						readPtr(r, &a.Text, readText)
					} else {
						readPtr(r, &a.Label, readText)
					}
					return true
				})
			})
		case "labels":
			readList(r, &c.Labels, readLabel)
		case "source":
			readPtr(r, &c.Source, readEndpoint)
		case "target":
			readPtr(r, &c.Target, readEndpoint)
		case "vertices":
			readList(r, &c.Vertices, readPoint)
		case "data":
			readPtr(r, &c.Data, readProps)
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
		readPtr(r, &l.Attrs, func(r *interop.JSONR, a *labelAttrs) {
			r.Object([]string{"text", "labelText"}, func(k string) bool {
				if k == "text" {
					readPtr(r, &a.Text, readText)
				} else {
					readPtr(r, &a.LabelText, readText)
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
