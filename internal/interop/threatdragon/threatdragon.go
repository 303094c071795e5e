// Package threatdragon imports OWASP Threat Dragon models (the v2 JSON
// format, "version": "2.x", and the legacy v1 JointJS format) into Ward.
//
// Diagram cells become components and flows; trust-boundary boxes become
// boundaries whose members are the components drawn inside them; threats on
// cells become Ward threats, with their mitigation text as a linked
// mitigation. What cannot be carried over is noted (see docs/interop.md).
package threatdragon

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/geom"
	"github.com/wardtm/ward/internal/spec"
)

// Importer reads Threat Dragon v1 and v2 JSON models.
var Importer = interop.Importer{
	Name:   "threat-dragon",
	Title:  "OWASP Threat Dragon",
	Detect: Detect,
	Import: Import,
}

// Detect reports whether data is a Threat Dragon model: a JSON object with
// summary and detail.diagrams, and not an Open Threat Model file.
func Detect(name string, data []byte) bool {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' || !bytes.Contains(data, []byte(`"diagrams"`)) || bytes.Contains(data, []byte(`"otmVersion"`)) {
		return false
	}
	if is, ok := detectFast(data); ok {
		return is
	}
	return detectProbe(data)
}

// detectProbe is what Detect decides on data, with encoding/json.
func detectProbe(data []byte) bool {
	var probe struct {
		Summary *json.RawMessage `json:"summary"`
		Detail  *struct {
			Diagrams json.RawMessage `json:"diagrams"`
		} `json:"detail"`
	}
	if json.Unmarshal(data, &probe) != nil {
		return false
	}
	return probe.Summary != nil && probe.Detail != nil && len(probe.Detail.Diagrams) > 0
}

// detectFast is Detect's probe read with interop.JSONR, which keeps nothing
// (the probe's json.Unmarshal copied the diagrams): a summary that is not
// null, and a detail object with a diagrams key. ok is false when the reader
// refuses the file, and the probe decides.
func detectFast(data []byte) (is, ok bool) {
	var summary, detail, diagrams bool
	ok = interop.FastJSON(data, func(r *interop.JSONR) {
		r.Object([]string{"summary", "detail"}, func(k string) bool {
			if k == "summary" {
				if summary = !r.Null(); summary {
					r.Skip()
				}
				return true
			}
			detail = false
			r.Object([]string{"diagrams"}, func(string) bool {
				detail = true // a {} detail stays false: no diagrams
				diagrams = true
				r.Skip()
				return true
			})
			return true
		})
	})
	return summary && detail && diagrams, ok
}

func Import(name string, data []byte) (*interop.Imported, error) {
	var f file
	if !interop.FastJSON(data, func(r *interop.JSONR) { readFile(r, &f) }) { // jsonread.go
		f = file{}
		if err := json.Unmarshal(data, &f); err != nil {
			return nil, jsonError(name, data, err)
		}
	}
	if f.Detail == nil {
		return nil, interop.Inputf(name, "export the model from Threat Dragon (File > Save) and import that file", "not a Threat Dragon model: there is no \"detail\" object")
	}
	im := &interop.Imported{Doc: &spec.Document{Ward: 1}}
	c := &conv{name: name, im: im, cellIDs: map[*cell]string{}, kinds: map[string]int{}}
	c.run(&f)
	return im, nil
}

// jsonError turns a decoding error into an InputError with a position.
func jsonError(name string, data []byte, err error) error {
	var off int64 = -1
	msg := err.Error()
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
		msg = "invalid JSON: " + syn.Error()
	case errors.As(err, &typ):
		off = typ.Offset
		msg = fmt.Sprintf("unexpected %s for %q (expected %s)", typ.Value, typ.Field, typ.Type)
	}
	if strings.Contains(msg, "exceeded max depth") {
		msg = "the JSON nests too deeply"
	}
	e := &interop.InputError{File: name, Msg: msg, Hint: "is this a Threat Dragon model? Open and save it in Threat Dragon, then import it again"}
	if off >= 0 && off <= int64(len(data)) {
		before := data[:off]
		e.Line = bytes.Count(before, []byte("\n")) + 1
		e.Col = int(off) - bytes.LastIndexByte(before, '\n')
	}
	return e
}

type conv struct {
	name                                                 string
	im                                                   *interop.Imported
	ids                                                  interop.IDs
	cellIDs                                              map[*cell]string // cell -> Ward component or flow id
	kinds                                                map[string]int   // counters for notes
	actorGuess, severityGuess, encryptedFalse, nonSTRIDE bool
}

func (c *conv) run(f *file) {
	doc := c.im.Doc
	title := strings.TrimSpace(f.Summary.Title)
	if title == "" {
		title = "Imported Threat Dragon model"
	}
	doc.System = &spec.System{ID: c.ids.Make(title, "system"), Name: title, Description: f.Summary.Description}
	for _, s := range append([]string{f.Summary.Owner, f.Detail.Reviewer}, names(f)...) {
		if s = strings.TrimSpace(s); s != "" && !contains(doc.System.Contacts, s) {
			doc.System.Contacts = append(doc.System.Contacts, s)
		}
	}
	if f.Detail.Reviewer != "" || f.Summary.Owner != "" {
		c.im.Note("owner, reviewer and contributors became system contacts (their roles are not kept)")
	}

	// Names used in more than one diagram get the diagram's title as prefix.
	seen := map[string]int{}
	for i, d := range f.Detail.Diagrams {
		if d == nil {
			continue
		}
		names := map[string]bool{}
		for _, cl := range d.cells() {
			if cl == nil {
				continue
			}
			if n := cl.name(); n != "" && !names[n] {
				names[n] = true
				seen[n]++
			}
		}
		_ = i
	}
	multi := len(f.Detail.Diagrams) > 1
	for i, d := range f.Detail.Diagrams {
		if d == nil {
			continue
		}
		c.diagram(i, d, multi, seen)
	}
	if c.actorGuess {
		c.im.Note("actors became person when their name names people (user, customer, admin, ...), else external — check each")
	}
	if c.encryptedFalse {
		c.im.Note("flows with isEncrypted unticked were left without encryption: Threat Dragon cannot tell \"not encrypted\" from \"not answered\"")
	}
	if c.severityGuess {
		c.im.Note("threat severity (and score, when set) was turned into likelihood and impact: Critical → likely/severe, High → possible/major, Medium → possible/moderate, Low → unlikely/minor (a guess)")
	}
	if n := c.kinds["text"]; n > 0 {
		c.im.Note("%d text block(s) dropped", n)
	}
	if n := c.kinds["unknown"]; n > 0 {
		c.im.Note("%d cell(s) of unknown type dropped", n)
	}
	c.im.Note("diagram layout (positions, sizes, styles) is not kept")
}

func names(f *file) []string {
	var out []string
	for _, p := range f.Detail.Contributors {
		out = append(out, p.Name)
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (d *diagram) cells() []*cell {
	if d.DiagramJSON != nil && len(d.Cells) == 0 {
		return d.DiagramJSON.Cells
	}
	return d.Cells
}

// p returns the element properties wherever the format version keeps them.
func (cl *cell) p() *props {
	if cl.Data != nil {
		return cl.Data
	}
	return &cl.props
}

// kind classifies a cell: actor, process, store, flow, box, curve, text.
func (cl *cell) kind() string {
	t := cl.p().Type
	if t == "" {
		t = cl.Type
	}
	switch {
	case cl.Shape == "actor" || t == "tm.Actor":
		return "actor"
	case cl.Shape == "process" || t == "tm.Process":
		return "process"
	case cl.Shape == "store" || t == "tm.Store":
		return "store"
	case cl.Shape == "flow" || t == "tm.Flow":
		return "flow"
	case cl.Shape == "trust-boundary-box" || cl.Shape == "trust-broundary-box" || t == "tm.BoundaryBox":
		return "box"
	case cl.Shape == "trust-boundary-curve" || cl.Shape == "trust-broundary-curve" || t == "tm.Boundary":
		return "curve"
	case cl.Shape == "td-text-block" || t == "tm.Text":
		return "text"
	}
	return ""
}

func (cl *cell) name() string {
	n := cl.p().Name
	if n == "" && cl.Attrs != nil {
		if cl.Attrs.Text != nil {
			n = cl.Attrs.Text.Text
		} else if cl.Attrs.Label != nil {
			n = cl.Attrs.Label.Text
		}
	}
	if n == "" {
		for _, l := range cl.Labels {
			if l.text != "" {
				n = l.text
			}
			if l.Attrs == nil {
				continue
			}
			if l.Attrs.LabelText != nil && l.Attrs.LabelText.Text != "" {
				n = l.Attrs.LabelText.Text
			} else if l.Attrs.Text != nil && l.Attrs.Text.Text != "" {
				n = l.Attrs.Text.Text
			}
		}
	}
	return strings.Join(strings.Fields(n), " ")
}

// rect is a cell's box on the diagram.
func (cl *cell) rect() (geom.Rect, bool) {
	if cl.Position == nil || cl.Size == nil {
		return geom.Rect{}, false
	}
	return geom.Rect{X: cl.Position.X, Y: cl.Position.Y, W: cl.Size.Width, H: cl.Size.Height}, true
}

var person = regexp.MustCompile(`(?i)\b(user|users|customer|customers|admin|administrator|person|people|employee|staff|operator|member|human|owner|driver|patient|citizen|buyer|seller|client user|attacker|actor)s?\b`)

func (c *conv) diagram(i int, d *diagram, multi bool, seen map[string]int) {
	doc := c.im.Doc
	dname := strings.TrimSpace(d.Title)
	if dname == "" {
		dname = "diagram " + strconv.Itoa(i+1)
	}
	if d.DiagramType != "" && d.DiagramType != "STRIDE" {
		c.im.Note("diagram %q is a %s diagram: its threats are not STRIDE and keep their %s category in the description", dname, d.DiagramType, d.DiagramType)
	}
	makeID := func(n, fallback string) string {
		if multi && seen[n] > 1 {
			n = dname + " " + n
		}
		return c.ids.Make(n, fallback)
	}
	cells := d.cells()
	byID := map[string]*cell{}
	for _, cl := range cells {
		if cl != nil && cl.ID != "" {
			byID[cl.ID] = cl
		}
	}

	// Boundaries: boxes, nested by containment.
	type box struct {
		b    *spec.Boundary
		r    geom.Rect
		area float64
	}
	var boxes []*box
	var curves []*cell
	for _, cl := range cells {
		if cl == nil {
			continue
		}
		switch cl.kind() {
		case "box":
			r, ok := cl.rect()
			if !ok {
				c.kinds["unknown"]++
				continue
			}
			n := cl.name()
			if n == "" {
				n = "trust boundary"
			}
			b := &spec.Boundary{ID: makeID(n, "boundary"), Name: n, Description: cl.p().Description, Trust: trustOf(n)}
			boxes = append(boxes, &box{b: b, r: r, area: r.W * r.H})
		case "curve":
			curves = append(curves, cl)
		case "text":
			c.kinds["text"]++
		}
	}
	// A box's parent is the smallest other box holding its centre.
	parentOf := func(p geom.Point, self *box, area float64) *box {
		var best *box
		for _, o := range boxes {
			if o == self || !o.r.Contains(p) || (self != nil && o.area <= area) {
				continue
			}
			if best == nil || o.area < best.area {
				best = o
			}
		}
		return best
	}
	// Add roots in order, children under their parents (parents are
	// larger, so sorting by area descending places parents first).
	order := append([]*box(nil), boxes...)
	slices.SortStableFunc(order, func(x, y *box) int { return cmp.Compare(y.area, x.area) })
	for _, bx := range order {
		if p := parentOf(bx.r.Center(), bx, bx.area); p != nil {
			p.b.Boundaries = append(p.b.Boundaries, bx.b)
		} else {
			doc.Boundaries = append(doc.Boundaries, bx.b)
		}
	}
	if len(boxes) > 0 {
		c.im.Note("diagram %q: %d trust boundary box(es) imported with trust guessed from the name (internal unless it names the internet or a partner); members are the elements drawn inside each box", dname, len(boxes))
	}

	// Components.
	var outside, inside *spec.Boundary
	hasBoundaries := len(boxes)+len(curves) > 0
	centres := map[string]geom.Point{}
	for _, cl := range cells {
		if cl == nil {
			continue
		}
		k := cl.kind()
		if k != "actor" && k != "process" && k != "store" {
			if k == "" {
				c.kinds["unknown"]++
			}
			continue
		}
		p := cl.p()
		n := cl.name()
		if n == "" {
			n = "unnamed " + k
		}
		comp := &spec.Component{ID: makeID(n, k), Name: n, Description: p.Description, OutOfScope: p.OutOfScope}
		switch k {
		case "actor":
			comp.Kind = "external"
			if person.MatchString(n) {
				comp.Kind = "person"
			}
			c.actorGuess = true
		case "process":
			comp.Kind = "service"
			if p.IsWebApp {
				comp.Tags = append(comp.Tags, "web_application")
			}
			if p.PrivilegeLevel != "" {
				comp.Tags = append(comp.Tags, "privilege:"+strings.Join(strings.Fields(p.PrivilegeLevel), ""))
			}
		case "store":
			comp.Kind = "datastore"
			if p.IsEncrypted {
				comp.EncryptionAtRest = "disk"
				c.kinds["storeEnc"]++
			}
			if p.StoresCreds {
				comp.Tags = append(comp.Tags, "stores_credentials")
			}
			if p.IsALog {
				comp.Tags = append(comp.Tags, "log")
			}
			if p.IsSigned {
				comp.Tags = append(comp.Tags, "signed")
			}
		}
		if p.ProvidesAuth {
			comp.Tags = append(comp.Tags, "provides_authentication")
		}
		if p.OutOfScope {
			if doc.Scope == nil {
				doc.Scope = &spec.Scope{}
			}
			doc.Scope.Out = append(doc.Scope.Out, &spec.ScopeItem{What: n, Why: p.ReasonOutOfScope})
		}
		if r, ok := cl.rect(); ok {
			centres[cl.ID] = r.Center()
			if bx := parentOf(r.Center(), nil, 0); bx != nil {
				comp.Boundary = bx.b.ID
			}
		}
		if comp.Boundary == "" && hasBoundaries {
			if k == "actor" {
				if outside == nil {
					outside = &spec.Boundary{ID: makeID(dname+" outside", "outside"), Name: "Outside the system (" + dname + ")", Trust: "internet",
						Description: "Actors not drawn inside a trust boundary box"}
					doc.Boundaries = append(doc.Boundaries, outside)
				}
				comp.Boundary = outside.ID
			} else {
				if inside == nil {
					inside = &spec.Boundary{ID: makeID(dname+" system", "system-boundary"), Name: "The system (" + dname + ")", Trust: "internal",
						Description: "Processes and stores not drawn inside a trust boundary box"}
					doc.Boundaries = append(doc.Boundaries, inside)
				}
				comp.Boundary = inside.ID
			}
		}
		c.cellIDs[cl] = comp.ID
		doc.Components = append(doc.Components, comp)
		c.threats(cl, comp.ID)
	}
	if c.kinds["storeEnc"] > 0 {
		c.im.Note("stores marked encrypted got encryption_at_rest: disk — set application or tokenized if the application encrypts")
		c.kinds["storeEnc"] = 0
	}
	if outside != nil || inside != nil {
		c.im.Note("diagram %q: elements outside every trust boundary box were placed in default boundaries (actors: %q, trust internet; processes and stores: %q, trust internal)", dname, idOf(outside), idOf(inside))
	}
	if len(curves) > 0 {
		c.im.Note("diagram %q: %d trust boundary line(s) cannot be turned into membership; flows drawn across one are tagged crosses_trust_line", dname, len(curves))
	}

	// Flows.
	for _, cl := range cells {
		if cl == nil || cl.kind() != "flow" {
			continue
		}
		src, dst := byID[cl.Source.ref()], byID[cl.Target.ref()]
		from, to := c.cellIDs[src], c.cellIDs[dst]
		if src == nil || dst == nil || from == "" || to == "" {
			c.im.Note("flow %q dropped: one end is not attached to an element; its %d threat(s) are kept without a target", cl.name(), len(cl.p().Threats))
			c.threats(cl, "")
			continue
		}
		p := cl.p()
		n := cl.name()
		fl := &spec.Flow{From: from, To: to, Name: n, Description: p.Description}
		idName := n
		if idName == "" {
			idName = from + " to " + to
		}
		fl.ID = makeID(idName, "flow")
		fl.Protocol, fl.Encryption = protocol(p.Protocol)
		if p.IsEncrypted && fl.Encryption == "" {
			fl.Encryption = "tls"
		}
		if !p.IsEncrypted && fl.Encryption == "" {
			c.encryptedFalse = true
		}
		if p.IsPublicNetwork {
			fl.Tags = append(fl.Tags, "public_network")
		}
		if p.OutOfScope {
			fl.Tags = append(fl.Tags, "out_of_scope")
			c.kinds["flowOOS"]++
		}
		path := append([]geom.Point{centres[src.ID]}, cl.Vertices...)
		path = append(path, centres[dst.ID])
		for _, cv := range curves {
			if geom.Crosses(path, cv.polyline()) {
				fl.Tags = append(fl.Tags, "crosses_trust_line")
				break
			}
		}
		c.cellIDs[cl] = fl.ID
		doc.Flows = append(doc.Flows, fl)
		c.threats(cl, fl.ID)
		if p.IsBidirectional {
			back := *fl
			back.ID = c.ids.Make(fl.ID+"-reverse", "flow")
			back.From, back.To = fl.To, fl.From
			back.Tags = append([]string(nil), fl.Tags...)
			doc.Flows = append(doc.Flows, &back)
			c.im.Note("bidirectional flow %q became two flows (%s, %s); its threats target the first", fl.ID, fl.ID, back.ID)
		}
	}
	if n := c.kinds["flowOOS"]; n > 0 {
		c.im.Note("%d flow(s) marked out of scope are tagged out_of_scope (Ward has no out-of-scope flows)", n)
		c.kinds["flowOOS"] = 0
	}
}

func idOf(b *spec.Boundary) string {
	if b == nil {
		return "none"
	}
	return b.ID
}

func (e *endpoint) ref() string {
	if e == nil {
		return ""
	}
	if e.Cell != "" {
		return e.Cell
	}
	return e.ID
}

func (cl *cell) polyline() []geom.Point {
	var pts []geom.Point
	if cl.Source != nil && cl.Source.X != nil && cl.Source.Y != nil {
		pts = append(pts, geom.Point{X: *cl.Source.X, Y: *cl.Source.Y})
	}
	pts = append(pts, cl.Vertices...)
	if cl.Target != nil && cl.Target.X != nil && cl.Target.Y != nil {
		pts = append(pts, geom.Point{X: *cl.Target.X, Y: *cl.Target.Y})
	}
	return pts
}
