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
func Import(name string, data []byte) (*interop.Imported, error) {
	if len(data) > interop.MaxInputBytes {
		return nil, fmt.Errorf("%s: %w", name, interop.ErrTooLarge)
	}
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

func trustOf(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "internet") || strings.Contains(n, "public"):
		return "internet"
	case strings.Contains(n, "partner") || strings.Contains(n, "third") || strings.Contains(n, "vendor"):
		return "partner"
	}
	return "internal"
}

// protocol normalises a Threat Dragon protocol text and infers encryption.
func protocol(s string) (proto, enc string) {
	p := strings.ToLower(strings.TrimSpace(s))
	switch p {
	case "":
		return "", ""
	case "http/s", "https", "http(s)", "tls", "https/tls":
		return "https", "tls"
	case "http":
		return "http", "none"
	case "mtls":
		return "https", "mtls"
	case "wss":
		return "websocket", "tls"
	case "sftp", "ssh", "ftps", "ldaps":
		return p, "tls"
	}
	p = strings.Trim(nonProto.ReplaceAllString(p, "-"), "-")
	return p, ""
}

var sentenceEnd = regexp.MustCompile(`[.!?] +[A-Z]`)

var nonProto = regexp.MustCompile(`[^a-z0-9.+/-]+`)

var strideTypes = map[string]string{
	"spoofing": "S", "tampering": "T", "repudiation": "R", "information disclosure": "I",
	"denial of service": "D", "elevation of privilege": "E",
}

func (c *conv) threats(cl *cell, target string) {
	doc := c.im.Doc
	for _, t := range cl.p().Threats {
		if t == nil {
			continue
		}
		title := strings.Join(strings.Fields(t.Title), " ")
		if title == "" {
			title = "Untitled threat"
		}
		th := &spec.Threat{ID: c.ids.Make(title, "threat"), Title: title, Description: strings.TrimSpace(t.Description), FoundBy: "team"}
		if target != "" {
			th.Targets = []string{target}
		}
		typ := strings.ToLower(strings.Join(strings.Fields(t.Type), " "))
		if s, ok := strideTypes[typ]; ok && (t.ModelType == "" || strings.EqualFold(t.ModelType, "STRIDE")) {
			th.Stride = []string{s}
		} else if t.Type != "" {
			model := t.ModelType
			if model == "" {
				model = "category"
			}
			th.Description = strings.TrimSpace(model + ": " + t.Type + ". " + th.Description)
			if !c.nonSTRIDE {
				c.nonSTRIDE = true
				c.im.Note("threats of non-STRIDE types (LINDDUN, CIA, DIE, PLOT4ai) keep their type at the start of the description")
			}
		}
		switch strings.ToLower(strings.NewReplacer(" ", "", "/", "", "_", "").Replace(t.Status)) {
		case "mitigated":
			th.Status = "mitigated"
		case "notapplicable", "na":
			th.Status = "false_positive"
			th.Reason = "marked Not Applicable in Threat Dragon"
		default:
			th.Status = "open"
		}
		if th.Likelihood, th.Impact = severity(t.Severity, t.Score); th.Impact != "" {
			c.severityGuess = true
		}
		if m := strings.TrimSpace(t.Mitigation); m != "" {
			mt := &spec.Mitigation{ID: c.ids.Make("mitigate "+th.ID, "mitigation"), Status: "proposed"}
			mt.Title, mt.Description = firstLine(m)
			if th.Status == "mitigated" {
				mt.Status = "implemented"
			}
			th.Mitigations = []string{mt.ID}
			doc.Mitigations = append(doc.Mitigations, mt)
		}
		doc.Threats = append(doc.Threats, th)
	}
}

// firstLine splits a text into a title (its first sentence or line, at most
// 120 characters) and, when there is more, the whole text as description.
func firstLine(s string) (title, desc string) {
	t := s
	if i := strings.IndexAny(t, "\n"); i >= 0 {
		t = t[:i]
	}
	if m := sentenceEnd.FindStringIndex(t); m != nil {
		t = t[:m[0]+1]
	}
	t = strings.TrimSpace(t)
	if r := []rune(t); len(r) > 120 {
		t = string(r[:117]) + "..."
	}
	if t != strings.TrimSpace(s) {
		desc = s
	}
	return t, desc
}

func severity(sev string, score json.RawMessage) (likelihood, impact string) {
	switch strings.ToLower(strings.TrimSpace(sev)) {
	case "critical":
		likelihood, impact = "likely", "severe"
	case "high":
		likelihood, impact = "possible", "major"
	case "medium":
		likelihood, impact = "possible", "moderate"
	case "low":
		likelihood, impact = "unlikely", "minor"
	}
	var v float64
	var str string
	if json.Unmarshal(score, &str) == nil {
		v, _ = strconv.ParseFloat(strings.TrimSpace(str), 64)
	} else {
		_ = json.Unmarshal(score, &v)
	}
	switch {
	case v >= 9:
		impact = "severe"
	case v >= 7:
		impact = "major"
	case v >= 4:
		impact = "moderate"
	case v > 0:
		impact = "minor"
	}
	if impact != "" && likelihood == "" {
		likelihood = "possible"
	}
	return likelihood, impact
}
