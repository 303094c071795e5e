// Package tmt imports Microsoft Threat Modeling Tool models (.tm7, XML
// written by .NET's DataContractSerializer) into Ward.
//
// Stencils become components, connectors become flows, border boundaries
// become boundaries whose members are the stencils drawn inside them, and
// threat instances become Ward threats. Templates (.tb7) are refused. The
// XML is checked for size, depth and token count before it is decoded, and
// documents with a DTD are refused.
package tmt

import (
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/interop/geom"
	"github.com/wardtm/ward/internal/spec"
)

// Importer reads .tm7 models.
var Importer = interop.Importer{
	Name:   "tmt",
	Title:  "Microsoft Threat Modeling Tool",
	Detect: Detect,
	Import: Import,
}

// Limits on the XML accepted.
const (
	MaxDepth  = 128
	MaxTokens = 4_000_000
)

// Detect reports whether data is a TMT model or template: an XML document
// whose root is ThreatModel (or KnowledgeBase in a .tb7 file).
func Detect(name string, data []byte) bool {
	head := data[:min(len(data), 2048)]
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".tb7") && bytes.Contains(head, []byte("<KnowledgeBase")) {
		return true
	}
	return bytes.Contains(head, []byte("<ThreatModel")) && (bytes.Contains(head, []byte("ThreatModeling.Model")) || strings.HasSuffix(lower, ".tm7"))
}

// scan walks the whole document once with limits and returns the root
// element's local name.
func scan(name string, data []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	depth, tokens := 0, 0
	root := ""
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := d.InputPos()
			return "", &interop.InputError{File: name, Line: line, Msg: "invalid XML: " + strings.TrimPrefix(err.Error(), "XML syntax error on line "+strconv.Itoa(line)+": "),
				Hint: "is this a .tm7 file saved by the Threat Modeling Tool?"}
		}
		tokens++
		if tokens > MaxTokens {
			return "", interop.Inputf(name, "split the model or remove unused drawing surfaces", "the XML has more than %d tokens", MaxTokens)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxDepth {
				line, col := d.InputPos()
				return "", &interop.InputError{File: name, Line: line, Col: col, Msg: fmt.Sprintf("the XML nests more than %d levels deep", MaxDepth), Hint: "a .tm7 model never nests this deeply; the file is damaged or hostile"}
			}
			if root == "" {
				root = t.Name.Local
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			line, col := d.InputPos()
			return "", &interop.InputError{File: name, Line: line, Col: col, Msg: "the XML has a DTD (<!DOCTYPE or <!ENTITY), which Ward refuses", Hint: "Threat Modeling Tool files have none; remove it"}
		}
	}
	return root, nil
}

type model struct {
	Surfaces []surface `xml:"DrawingSurfaceList>DrawingSurfaceModel"`
	Meta     struct {
		Assumptions          string `xml:"Assumptions"`
		Contributors         string `xml:"Contributors"`
		ExternalDependencies string `xml:"ExternalDependencies"`
		Description          string `xml:"HighLevelSystemDescription"`
		Owner                string `xml:"Owner"`
		Reviewer             string `xml:"Reviewer"`
		Name                 string `xml:"ThreatModelName"`
	} `xml:"MetaInformation"`
	Notes   []struct{} `xml:"Notes>Note"`
	Threats struct {
		Items []struct {
			Value instance `xml:"Value"`
		} `xml:",any"`
	} `xml:"ThreatInstances"`
	KB struct {
		Generic    []kbElement `xml:"GenericElements>ElementType"`
		Standard   []kbElement `xml:"StandardElements>ElementType"`
		Categories []struct {
			ID   string `xml:"Id"`
			Name string `xml:"Name"`
		} `xml:"ThreatCategories>ThreatCategory"`
		Meta []struct {
			Name  string `xml:"Name"`
			Label string `xml:"Label"`
		} `xml:"ThreatMetaData>PropertiesMetaData>ThreatMetaDatum"`
		Types []struct {
			ID          string `xml:"Id"`
			Category    string `xml:"Category"`
			ShortTitle  string `xml:"ShortTitle"`
			Description string `xml:"Description"`
		} `xml:"ThreatTypes>ThreatType"`
	} `xml:"KnowledgeBase"`
}

type kbElement struct {
	ID             string `xml:"Id"`
	Name           string `xml:"Name"`
	ParentID       string `xml:"ParentId"`
	Representation string `xml:"Representation"`
}

type surface struct {
	Properties []prop `xml:"Properties>anyType"`
	Borders    []kv   `xml:"Borders>KeyValueOfguidanyType"`
	Lines      []kv   `xml:"Lines>KeyValueOfguidanyType"`
}

type kv struct {
	Value element `xml:"Value"`
}

type prop struct {
	Type        string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
	DisplayName string `xml:"DisplayName"`
	Value       string `xml:"Value"`
}

type element struct {
	Type          string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
	GenericTypeID string `xml:"GenericTypeId"`
	GUID          string `xml:"Guid"`
	TypeID        string `xml:"TypeId"`
	Properties    []prop `xml:"Properties>anyType"`
	Left          string `xml:"Left"`
	Top           string `xml:"Top"`
	Width         string `xml:"Width"`
	Height        string `xml:"Height"`
	SourceGUID    string `xml:"SourceGuid"`
	TargetGUID    string `xml:"TargetGuid"`
	SourceX       string `xml:"SourceX"`
	SourceY       string `xml:"SourceY"`
	TargetX       string `xml:"TargetX"`
	TargetY       string `xml:"TargetY"`
	HandleX       string `xml:"HandleX"`
	HandleY       string `xml:"HandleY"`
}

type instance struct {
	FlowGUID    string `xml:"FlowGuid"`
	SourceGUID  string `xml:"SourceGuid"`
	TargetGUID  string `xml:"TargetGuid"`
	State       string `xml:"State"`
	StateInfo   string `xml:"StateInformation"`
	Priority    string `xml:"Priority"`
	TypeID      string `xml:"TypeId"`
	Title       string `xml:"Title"`
	Category    string `xml:"UserThreatCategory"`
	Description string `xml:"UserThreatDescription"`
	ShortDesc   string `xml:"UserThreatShortDescription"`
	Properties  []struct {
		Key   string `xml:"Key"`
		Value string `xml:"Value"`
	} `xml:"Properties>KeyValueOfstringstring"`
}

// Import converts a .tm7 model into a Ward model.
func Import(name string, data []byte) (*interop.Imported, error) {
	root, err := scan(name, data)
	if err != nil {
		return nil, err
	}
	switch root {
	case "ThreatModel":
	case "KnowledgeBase":
		return nil, interop.Inputf(name, "open the template in the Threat Modeling Tool, draw the system and save it as a .tm7 model, then import that", "this is a template (.tb7), not a model: it holds element and threat types, not a system")
	case "":
		return nil, interop.Inputf(name, "", "the file has no XML element")
	default:
		return nil, interop.Inputf(name, "import a .tm7 file saved by the Threat Modeling Tool", "not a Threat Modeling Tool model: the root element is <%s>, not <ThreatModel>", root)
	}
	var m model
	d := xml.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&m); err != nil {
		line, _ := d.InputPos()
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			line = syn.Line
		}
		return nil, &interop.InputError{File: name, Line: line, Msg: "cannot read the model: " + err.Error(), Hint: "is this a .tm7 file saved by the Threat Modeling Tool?"}
	}
	im := &interop.Imported{Doc: &spec.Document{Ward: 1}}
	c := &conv{im: im, m: &m, comps: map[string]*spec.Component{}, flows: map[string]*spec.Flow{}, kinds: map[string]int{}}
	c.run()
	return im, nil
}

type conv struct {
	im    *interop.Imported
	m     *model
	ids   interop.IDs
	comps map[string]*spec.Component // by TMT guid
	flows map[string]*spec.Flow
	kinds map[string]int
}

func (c *conv) run() {
	doc := c.im.Doc
	meta := c.m.Meta
	title := strings.TrimSpace(meta.Name)
	if title == "" {
		title = "Imported Threat Modeling Tool model"
	}
	doc.System = &spec.System{ID: c.ids.Make(title, "system"), Name: title, Description: strings.TrimSpace(meta.Description)}
	for _, s := range []string{meta.Owner, meta.Reviewer, meta.Contributors} {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" && !contains(doc.System.Contacts, p) {
				doc.System.Contacts = append(doc.System.Contacts, p)
			}
		}
	}
	for _, a := range []struct{ text, prefix string }{{meta.Assumptions, ""}, {meta.ExternalDependencies, "External dependency: "}} {
		for _, line := range strings.Split(a.text, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.EqualFold(line, "none") || strings.EqualFold(line, "n/a") {
				continue
			}
			doc.Assumptions = append(doc.Assumptions, &spec.Assumption{ID: c.ids.Make("assumption "+line, "assumption"), Text: a.prefix + line})
		}
	}
	seen := map[string]int{}
	for _, s := range c.m.Surfaces {
		names := map[string]bool{}
		for _, e := range append(append([]kv(nil), s.Borders...), s.Lines...) {
			if n := name(e.Value.Properties); n != "" && !names[n] {
				names[n] = true
				seen[n]++
			}
		}
	}
	for i := range c.m.Surfaces {
		c.surface(i, &c.m.Surfaces[i], len(c.m.Surfaces) > 1, seen)
	}
	c.threats()
	if n := len(c.m.Notes); n > 0 {
		c.im.Note("%d note(s) on the model dropped", n)
	}
	if c.kinds["kindGuess"] > 0 {
		c.im.Note("the model uses a custom knowledge base: element kinds were guessed from its element type names (device, system, interaction, store) and shapes — check each component's kind")
	}
	if n := c.kinds["annotation"]; n > 0 {
		c.im.Note("%d free-text annotation(s) dropped", n)
	}
	if n := c.kinds["dangling"]; n > 0 {
		c.im.Note("%d data flow(s) dropped: one end is not attached to an element", n)
	}
	if n := c.kinds["props"]; n > 0 {
		c.im.Note("element properties other than name and scope (%d set) are listed in descriptions, not mapped to Ward fields", n)
	}
	c.im.Note("diagram layout and the embedded knowledge base (element types, threat generation rules) are not kept")
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// name returns the "Name" property of an element.
func name(ps []prop) string {
	for _, p := range ps {
		if p.DisplayName == "Name" {
			return strings.Join(strings.Fields(p.Value), " ")
		}
	}
	return ""
}

func propValue(ps []prop, display string) string {
	for _, p := range ps {
		if strings.EqualFold(p.DisplayName, display) {
			return strings.TrimSpace(p.Value)
		}
	}
	return ""
}

// typeName is the element's stencil type as shown in the tool (the header
// property).
func typeName(ps []prop) string {
	for _, p := range ps {
		if strings.HasSuffix(p.Type, "HeaderDisplayAttribute") {
			return strings.TrimSpace(p.DisplayName)
		}
	}
	return ""
}

func num(s string) float64 {
	v, _ := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v
}

func (e *element) rect() geom.Rect {
	return geom.Rect{X: num(e.Left), Y: num(e.Top), W: num(e.Width), H: num(e.Height)}
}
func (e *element) path() []geom.Point {
	return []geom.Point{{X: num(e.SourceX), Y: num(e.SourceY)}, {X: num(e.HandleX), Y: num(e.HandleY)}, {X: num(e.TargetX), Y: num(e.TargetY)}}
}

var (
	reDevice    = regexp.MustCompile(`(?i)device|component|hardware|mcu|sensor|iot`)
	reExternal  = regexp.MustCompile(`(?i)interact|external|actor|user|human|browser`)
	reStore     = regexp.MustCompile(`(?i)store|database|storage|\bdb\b`)
	reService   = regexp.MustCompile(`(?i)process|service|system|server|application`)
	reProtoJunk = regexp.MustCompile(`[^a-z0-9.+/-]+`) // what a protocol name may not hold
	rePerson    = regexp.MustCompile(`(?i)\b(user|human|person|admin|operator|customer|employee)s?\b`)
)

// kind classifies an element: service, external, datastore, device,
// box, line, flow, annotation.
func (c *conv) kind(e *element) string {
	switch e.GenericTypeID {
	case "GE.P":
		return "service"
	case "GE.EI":
		return "external"
	case "GE.DS":
		return "datastore"
	case "GE.TB.B":
		return "box"
	case "GE.TB.L":
		return "line"
	case "GE.DF":
		return "flow"
	case "GE.A":
		return "annotation"
	}
	switch e.Type {
	case "BorderBoundary":
		return "box"
	case "LineBoundary":
		return "line"
	case "Connector":
		return "flow"
	case "Annotation", "StencilAnnotation":
		return "annotation"
	}
	// A custom knowledge base: guess from its generic element's name.
	for _, g := range c.m.KB.Generic {
		if g.ID != e.GenericTypeID {
			continue
		}
		c.kinds["kindGuess"]++
		switch {
		case reStore.MatchString(g.Name) || g.Representation == "ParallelLines":
			return "datastore"
		case reExternal.MatchString(g.Name):
			return "external"
		case reDevice.MatchString(g.Name):
			return "device"
		case reService.MatchString(g.Name):
			return "service"
		}
	}
	switch e.Type {
	case "StencilParallelLines":
		return "datastore"
	case "StencilRectangle":
		return "external"
	case "StencilEllipse":
		return "service"
	}
	return ""
}

var trustNames = regexp.MustCompile(`(?i)internet|public|partner|third`)

func trustOf(n string) string {
	switch strings.ToLower(trustNames.FindString(n)) {
	case "internet", "public":
		return "internet"
	case "partner", "third":
		return "partner"
	}
	return "internal"
}

func (c *conv) surface(i int, s *surface, multi bool, seen map[string]int) {
	doc := c.im.Doc
	sname := name(s.Properties)
	if sname == "" {
		sname = "diagram " + strconv.Itoa(i+1)
	}
	makeID := func(n, fallback string) string {
		if multi && seen[n] > 1 {
			n = sname + " " + n
		}
		return c.ids.Make(n, fallback)
	}
	type box struct {
		b    *spec.Boundary
		r    geom.Rect
		area float64
	}
	var boxes []*box
	var lines []*element
	for j := range s.Borders {
		e := &s.Borders[j].Value
		if c.kind(e) != "box" {
			continue
		}
		n := name(e.Properties)
		if n == "" {
			n = "trust boundary"
		}
		r := e.rect()
		boxes = append(boxes, &box{b: &spec.Boundary{ID: makeID(n, "boundary"), Name: n, Trust: trustOf(n)}, r: r, area: r.W * r.H})
	}
	for j := range s.Lines {
		if e := &s.Lines[j].Value; c.kind(e) == "line" {
			lines = append(lines, e)
		}
	}
	parentOf := func(p geom.Point, self *box) *box {
		var best *box
		for _, o := range boxes {
			if o == self || !o.r.Contains(p) || self != nil && o.area <= self.area {
				continue
			}
			if best == nil || o.area < best.area {
				best = o
			}
		}
		return best
	}
	order := append([]*box(nil), boxes...)
	slices.SortStableFunc(order, func(x, y *box) int { return cmp.Compare(y.area, x.area) })
	for _, bx := range order {
		if p := parentOf(bx.r.Center(), bx); p != nil {
			p.b.Boundaries = append(p.b.Boundaries, bx.b)
		} else {
			doc.Boundaries = append(doc.Boundaries, bx.b)
		}
	}
	if len(boxes) > 0 {
		c.im.Note("%q: %d border trust boundar(ies) imported with trust guessed from the name (internal unless it names the internet, public or a partner); members are the elements drawn inside", sname, len(boxes))
	}

	var outside, inside *spec.Boundary
	for j := range s.Borders {
		e := &s.Borders[j].Value
		k := c.kind(e)
		switch k {
		case "box", "line", "flow":
			continue
		case "annotation":
			c.kinds["annotation"]++
			continue
		case "":
			c.kinds["unknown"]++
			c.im.Note("element %q of unknown type %s dropped", name(e.Properties), e.Type)
			continue
		}
		n := name(e.Properties)
		if n == "" {
			n = "unnamed " + k
		}
		comp := &spec.Component{ID: makeID(n, k), Name: n, Kind: k, Tech: typeName(e.Properties), Description: c.extraProps(e.Properties)}
		if k == "external" && rePerson.MatchString(n+" "+comp.Tech) {
			comp.Kind = "person"
		}
		if strings.EqualFold(propValue(e.Properties, "Out Of Scope"), "true") {
			comp.OutOfScope = true
			if doc.Scope == nil {
				doc.Scope = &spec.Scope{}
			}
			doc.Scope.Out = append(doc.Scope.Out, &spec.ScopeItem{What: n, Why: propValue(e.Properties, "Reason For Out Of Scope")})
		}
		if bx := parentOf(e.rect().Center(), nil); bx != nil {
			comp.Boundary = bx.b.ID
		} else if len(boxes)+len(lines) > 0 {
			if comp.Kind == "external" || comp.Kind == "person" {
				if outside == nil {
					outside = &spec.Boundary{ID: makeID(sname+" outside", "outside"), Name: "Outside the system (" + sname + ")", Trust: "internet", Description: "External interactors not drawn inside a border boundary"}
					doc.Boundaries = append(doc.Boundaries, outside)
				}
				comp.Boundary = outside.ID
			} else {
				if inside == nil {
					inside = &spec.Boundary{ID: makeID(sname+" system", "system-boundary"), Name: "The system (" + sname + ")", Trust: "internal", Description: "Elements not drawn inside a border boundary"}
					doc.Boundaries = append(doc.Boundaries, inside)
				}
				comp.Boundary = inside.ID
			}
		}
		c.comps[e.GUID] = comp
		doc.Components = append(doc.Components, comp)
	}
	if outside != nil || inside != nil {
		c.im.Note("%q: elements outside every border boundary were placed in default boundaries (external interactors: %s, trust internet; others: %s, trust internal)", sname, idOf(outside), idOf(inside))
	}
	if len(lines) > 0 {
		c.im.Note("%q: %d line trust boundar(ies) cannot contain elements; data flows drawn across one are tagged crosses_trust_line", sname, len(lines))
	}

	for j := range s.Lines {
		e := &s.Lines[j].Value
		if c.kind(e) != "flow" {
			continue
		}
		from, to := c.comps[e.SourceGUID], c.comps[e.TargetGUID]
		if from == nil || to == nil {
			c.kinds["dangling"]++
			continue
		}
		n := name(e.Properties)
		idName := n
		if idName == "" {
			idName = from.ID + " to " + to.ID
		}
		fl := &spec.Flow{ID: makeID(idName, "flow"), Name: n, From: from.ID, To: to.ID, Description: c.extraProps(e.Properties)}
		if t := typeName(e.Properties); t != "" && !strings.EqualFold(t, "Generic Data Flow") {
			fl.Tags = append(fl.Tags, "tmt:"+strings.ToLower(strings.Join(strings.Fields(t), "_")))
		}
		fl.Protocol, fl.Encryption = protocol(propValue(e.Properties, "Protocol"))
		if strings.EqualFold(propValue(e.Properties, "Out Of Scope"), "true") {
			fl.Tags = append(fl.Tags, "out_of_scope")
		}
		for _, l := range lines {
			if geom.Crosses(e.path(), l.path()) {
				fl.Tags = append(fl.Tags, "crosses_trust_line")
				break
			}
		}
		c.flows[e.GUID] = fl
		doc.Flows = append(doc.Flows, fl)
	}
}

// extraProps lists the element's set properties other than its name and
// scope, for its description.
func (c *conv) extraProps(ps []prop) string {
	var out []string
	for _, p := range ps {
		v := strings.TrimSpace(p.Value)
		switch p.DisplayName {
		case "Name", "Out Of Scope", "Reason For Out Of Scope", "Dataflow Order", "Protocol":
			continue
		}
		if v == "" || strings.HasSuffix(p.Type, "HeaderDisplayAttribute") || strings.EqualFold(v, "select") {
			continue
		}
		out = append(out, p.DisplayName+": "+v)
		c.kinds["props"]++
	}
	if len(out) == 0 {
		return ""
	}
	return "Threat Modeling Tool properties: " + strings.Join(out, "; ")
}

func protocol(s string) (proto, enc string) {
	p := strings.ToLower(strings.TrimSpace(s))
	switch p {
	case "", "select", "not selected":
		return "", ""
	case "https", "http/s", "tls":
		return "https", "tls"
	case "http":
		return "http", "none"
	}
	return strings.Trim(reProtoJunk.ReplaceAllString(p, "-"), "-"), ""
}

func idOf(b *spec.Boundary) string {
	if b == nil {
		return "none"
	}
	return b.ID
}

var stride = map[string]string{
	"spoofing": "S", "tampering": "T", "repudiation": "R", "information disclosure": "I",
	"denial of service": "D", "elevation of privilege": "E",
}

func (c *conv) threats() {
	doc := c.im.Doc
	labels := map[string]string{}
	for _, m := range c.m.KB.Meta {
		labels[m.Name] = m.Label
	}
	types := map[string]int{}
	for i, t := range c.m.KB.Types {
		types[t.ID] = i
	}
	cats := map[string]string{}
	for _, k := range c.m.KB.Categories {
		cats[k.ID] = k.Name
	}
	var guessed, nonStride bool
	for _, item := range c.m.Threats.Items {
		in := item.Value
		props := map[string]string{}
		for _, p := range in.Properties {
			k := p.Key
			if l, ok := labels[k]; ok && l != "" && k != "Title" && k != "UserThreatCategory" && k != "UserThreatDescription" {
				k = l
			}
			props[k] = strings.TrimSpace(p.Value)
		}
		title := first(props["Title"], in.Title)
		category := first(props["UserThreatCategory"], in.Category)
		desc := first(props["UserThreatDescription"], in.Description, props["Short Description"], in.ShortDesc)
		if i, ok := types[in.TypeID]; ok {
			t := c.m.KB.Types[i]
			title = first(title, t.ShortTitle)
			desc = first(desc, t.Description)
			category = first(category, cats[t.Category])
		}
		title = strings.Join(strings.Fields(title), " ")
		if title == "" {
			title = "Untitled threat"
		}
		th := &spec.Threat{Title: title, Description: desc, FoundBy: "tool"}
		where := ""
		if fl := c.flows[in.FlowGUID]; fl != nil {
			th.Targets = []string{fl.ID}
			where = fl.ID
		} else {
			for _, g := range []string{in.SourceGUID, in.TargetGUID} {
				if comp := c.comps[g]; comp != nil && !contains(th.Targets, comp.ID) {
					th.Targets = append(th.Targets, comp.ID)
					where += " " + comp.ID
				}
			}
		}
		th.ID = c.ids.Make(title+" "+where, "threat")
		if s, ok := stride[strings.ToLower(strings.Join(strings.Fields(category), " "))]; ok {
			th.Stride = []string{s}
		} else if category != "" {
			th.Description = strings.TrimSpace("Category: " + category + ". " + th.Description)
			nonStride = true
		}
		switch strings.ToLower(strings.TrimSpace(in.State)) {
		case "mitigated":
			th.Status = "mitigated"
		case "notapplicable":
			th.Status = "false_positive"
			th.Reason = first(props["Justification"], in.StateInfo, "marked Not Applicable in the Threat Modeling Tool")
		default:
			th.Status = "open"
		}
		sev := first(props["Severity"], props["Priority"], in.Priority)
		switch strings.ToLower(sev) {
		case "critical", "highest":
			th.Likelihood, th.Impact = "likely", "severe"
		case "high":
			th.Likelihood, th.Impact = "possible", "major"
		case "medium":
			th.Likelihood, th.Impact = "possible", "moderate"
		case "low", "lowest":
			th.Likelihood, th.Impact = "unlikely", "minor"
		}
		if th.Impact != "" {
			guessed = true
		}
		var mit string
		for _, p := range in.Properties {
			k, v := first(labels[p.Key], p.Key), strings.TrimSpace(p.Value)
			if mit == "" && strings.Contains(strings.ToLower(k), "mitigat") && v != "" && !strings.EqualFold(v, "none") {
				mit = v
			}
		}
		if mit != "" {
			m := &spec.Mitigation{ID: c.ids.Make("mitigate "+th.ID, "mitigation"), Status: "proposed"}
			m.Title, m.Description = interop.TitleOf(mit)
			if th.Status == "mitigated" {
				m.Status = "implemented"
			}
			th.Mitigations = []string{m.ID}
			doc.Mitigations = append(doc.Mitigations, m)
		}
		doc.Threats = append(doc.Threats, th)
	}
	if len(c.m.Threats.Items) > 0 {
		c.im.Note("threat states: Mitigated → mitigated, Not Applicable → false_positive, every other state (Not Started, Needs Investigation, Auto Generated) → open")
	}
	if guessed {
		c.im.Note("threat severity or priority became likelihood and impact: highest/critical → likely/severe, high → possible/major, medium → possible/moderate, low → unlikely/minor (a guess)")
	}
	if nonStride {
		c.im.Note("threat categories that are not STRIDE are kept at the start of the description")
	}
	if len(c.m.Threats.Items) > 0 {
		c.im.Note("threat properties other than title, category, description, justification, severity/priority and mitigation (CVSS fields, compliance tags, ...) are not kept")
	}
}

func first(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
