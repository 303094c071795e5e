// Package threagile imports Threagile models (threagile.yaml) into Ward.
//
// Data assets become assets, technical assets components, communication
// links flows, trust boundaries (nested) boundaries, and tracked risks
// threats with their tracked status. The YAML is bounded before it is
// decoded: node count with aliases expanded, and nesting depth.
package threagile

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/spec"
)

// Importer reads Threagile YAML models.
var Importer = interop.Importer{
	Name:       "threagile",
	Title:      "Threagile",
	Detect:     Detect,
	Import:     Import,
	ImportFrom: ImportFrom,
}

// Limits on the YAML accepted.
const (
	MaxNodes = 1_000_000
	MaxDepth = 64
)

// Detect reports whether data looks like a Threagile model: YAML with
// top-level technical_assets and one of threagile_version, data_assets or
// trust_boundaries.
func Detect(name string, data []byte) bool {
	has := func(key string) bool {
		return bytes.HasPrefix(data, []byte(key+":")) || bytes.Contains(data, []byte("\n"+key+":"))
	}
	return has("technical_assets") && (has("threagile_version") || has("data_assets") || has("trust_boundaries")) ||
		has("threagile_version") && has("includes")
}

// Import converts a Threagile model that includes no other file.
func Import(name string, data []byte) (*interop.Imported, error) {
	return ImportFrom(interop.Options{}, name, data)
}

// ImportFrom converts a Threagile model whose includes: are read from
// opt.Root (the model's directory: an include cannot leave it), each
// bounded by opt.Limit.
func ImportFrom(opt interop.Options, name string, data []byte) (*interop.Imported, error) {
	root, err := spec.ParseYAML(data)
	if err != nil {
		return nil, yamlError(name, err)
	}
	// The parser's own tree is garbage now that root is built from it; at
	// 5,000 assets it is ≈ 45 MB of the ≈ 185 MB reading allocates.
	interop.Collect(len(data))
	included, err := resolveIncludes(opt, name, root)
	if err != nil {
		return nil, err
	}
	if root.Kind == 0 {
		return nil, interop.Inputf(name, "", "the file is empty")
	}
	budget := MaxNodes
	if n, ok := bounded(root, 0, &budget); !ok {
		return nil, &interop.InputError{File: name, Line: n.Line, Col: n.Column,
			Msg:  fmt.Sprintf("the YAML nests more than %d levels deep or expands to more than %d nodes (aliases?)", MaxDepth, MaxNodes),
			Hint: "remove anchors and aliases that repeat large parts of the file"}
	}
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil, &interop.InputError{File: name, Line: doc.Line, Col: doc.Column, Msg: "a Threagile model is a YAML mapping (title:, technical_assets:, ...)"}
	}
	var m model
	if err := doc.Decode(&m); err != nil {
		return nil, decodeError(name, doc, err)
	}
	c := &conv{name: name, im: &interop.Imported{Doc: &spec.Document{Ward: 1}}, assets: map[string]string{}, comps: map[string]*spec.Component{}, links: map[string]*spec.Flow{}, bounds: map[string]*spec.Boundary{}}
	if err := c.run(&m); err != nil {
		return nil, err
	}
	if len(included) > 0 {
		c.im.Note("the model's includes were read and merged: %s", strings.Join(included, ", "))
	}
	if len(c.im.Doc.Components) == 0 {
		c.im.Note("the model has no technical assets: there is no architecture to analyse")
	}
	return c.im, nil
}

type pair struct {
	key string
	val *yaml.Node
}

// pairs lists a mapping's entries in file order.
func pairs(n *yaml.Node) []pair {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, pair{n.Content[i].Value, n.Content[i+1]})
	}
	return out
}

type conv struct {
	name    string
	im      *interop.Imported
	ids     interop.IDs
	assets  map[string]string // Threagile data asset id -> Ward id
	comps   map[string]*spec.Component
	links   map[string]*spec.Flow // "asset>link" id -> flow
	bounds  map[string]*spec.Boundary
	missing []string
}

func (c *conv) decode(n *yaml.Node, v any) error {
	if err := n.Decode(v); err != nil {
		return decodeError(c.name, n, err)
	}
	return nil
}

func (c *conv) shape(n *yaml.Node, what string) error {
	if n.Kind != 0 && n.Kind != yaml.MappingNode && !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return &interop.InputError{File: c.name, Line: n.Line, Col: n.Column, Msg: what + " must be a mapping of names to entries", Hint: "see the Threagile model format"}
	}
	return nil
}

var (
	classification = map[string][2]string{
		"public": {"public", "low"}, "internal": {"internal", "medium"}, "restricted": {"confidential", "high"},
		"confidential": {"confidential", "high"}, "strictly-confidential": {"restricted", "critical"},
	}
	criticality = map[string]string{
		"archive": "low", "operational": "medium", "important": "high", "critical": "critical", "mission-critical": "critical",
	}
)

func (c *conv) run(m *model) error {
	doc := c.im.Doc
	title := strings.TrimSpace(m.Title)
	if title == "" {
		title = "Imported Threagile model"
	}
	doc.System = &spec.System{ID: c.ids.Make(title, "system"), Name: title, Description: strings.TrimSpace(firstNonEmpty(m.BusinessOverview.Description, m.ManagementSummary))}
	if a := strings.TrimSpace(m.Author.Name); a != "" {
		doc.System.Contacts = []string{a}
	}
	if crit, ok := criticality[m.BusinessCriticality]; ok {
		doc.Context = &spec.Context{Criticality: crit}
		if m.BusinessCriticality == "mission-critical" {
			c.im.Note("business_criticality mission-critical became criticality critical")
		}
	}
	for _, n := range []*yaml.Node{&m.DataAssets, &m.TechnicalAssets, &m.TrustBoundaries, &m.SharedRuntimes, &m.RiskTracking, &m.IndividualRiskCategories} {
		if err := c.shape(n, "this section"); err != nil {
			return err
		}
	}

	// Data assets.
	quantity := false
	for _, p := range pairs(&m.DataAssets) {
		var d dataAsset
		if err := c.decode(p.val, &d); err != nil {
			return err
		}
		id := c.ids.Make(firstNonEmpty(d.ID, p.key), "asset")
		a := &spec.Asset{ID: id, Name: p.key, Description: strings.TrimSpace(d.Description), Kind: "data"}
		if cl, ok := classification[d.Confidentiality]; ok {
			a.Classification, a.Confidentiality = cl[0], cl[1]
		}
		a.Integrity, a.Availability = criticality[d.Integrity], criticality[d.Availability]
		if d.Quantity != "" {
			quantity = true
			a.Description = strings.TrimSpace(a.Description + "\nQuantity: " + d.Quantity + ".")
		}
		c.assets[firstNonEmpty(d.ID, p.key)] = id
		doc.Assets = append(doc.Assets, a)
	}
	if len(doc.Assets) > 0 {
		c.im.Note("data asset ratings: confidentiality public/internal/restricted/confidential/strictly-confidential → classification public/internal/confidential/confidential/restricted; integrity and availability archive/operational/important/critical/mission-critical → low/medium/high/critical/critical")
		c.im.Note("Ward's kinds of sensitive data (pii, payment_card, ...) are not set: add data: [...] to each asset")
	}
	if quantity {
		c.im.Note("data asset quantity is kept in the description only")
	}

	// Technical assets.
	type pending struct {
		from  string
		asset string
		links []pair
	}
	var todo []pending
	internetAssets := map[string]bool{}
	for _, p := range pairs(&m.TechnicalAssets) {
		var t techAsset
		if err := c.decode(p.val, &t); err != nil {
			return err
		}
		tid := firstNonEmpty(t.ID, p.key)
		comp := &spec.Component{ID: c.ids.Make(tid, "component"), Name: p.key, Description: strings.TrimSpace(t.Description), Kind: kindOf(&t), Tech: t.Technology, OutOfScope: t.OutOfScope}
		for _, tag := range t.Tags {
			if tag = tagOf(tag); tag != "" {
				comp.Tags = append(comp.Tags, tag)
			}
		}
		if t.Machine != "" {
			comp.Tags = append(comp.Tags, "machine:"+t.Machine)
		}
		if t.Usage == "devops" {
			comp.Admin = true
		}
		switch t.Encryption {
		case "none":
			comp.EncryptionAtRest = "none"
		case "transparent":
			comp.EncryptionAtRest = "disk"
		case "data-with-symmetric-shared-key", "data-with-asymmetric-shared-key", "data-with-enduser-individual-key":
			comp.EncryptionAtRest = "application"
		}
		if comp.Kind != "datastore" && comp.Kind != "storage" && len(t.Stored) == 0 {
			comp.EncryptionAtRest = ""
		}
		comp.Stores = c.assetRefs(t.Stored, tid)
		comp.Processes = c.assetRefs(t.Processed, tid)
		if t.OutOfScope {
			if doc.Scope == nil {
				doc.Scope = &spec.Scope{}
			}
			doc.Scope.Out = append(doc.Scope.Out, &spec.ScopeItem{What: p.key, Why: strings.TrimSpace(t.JustificationOOS)})
		}
		if t.Internet {
			internetAssets[tid] = true
		}
		c.comps[tid] = comp
		doc.Components = append(doc.Components, comp)
		if err := c.shape(&t.Links, "communication_links"); err != nil {
			return err
		}
		todo = append(todo, pending{from: comp.ID, asset: tid, links: pairs(&t.Links)})
	}
	c.im.Note("technical asset type external-entity → external (person when used_as_client_by_human), process → service, datastore → datastore; technology refines the kind (function, queue, storage, client, llm)")
	c.im.Note("technical asset owner, size, multi_tenant, redundant, custom_developed_parts, data_formats_accepted and CIA ratings are not kept (Ward derives needs from the assets)")

	// Communication links.
	for _, pd := range todo {
		for _, lp := range pd.links {
			var l link
			if err := c.decode(lp.val, &l); err != nil {
				return err
			}
			to := c.comps[l.Target]
			if to == nil {
				c.missing = append(c.missing, fmt.Sprintf("link %q of %s targets unknown technical asset %q", lp.key, pd.asset, l.Target))
				continue
			}
			if to.ID == pd.from {
				// A Ward flow joins two different components.
				c.missing = append(c.missing, fmt.Sprintf("link %q of %s targets the asset itself (not imported: a flow joins two different components)", lp.key, pd.asset))
				continue
			}
			fl := &spec.Flow{ID: c.ids.Make(pd.from+" "+lp.key, "flow"), Name: lp.key, Description: strings.TrimSpace(l.Description), From: pd.from, To: to.ID}
			fl.Protocol, fl.Encryption = protocol(l.Protocol)
			fl.Authentication = authentication[l.Authentication]
			if l.Authentication == "client-certificate" && fl.Encryption == "tls" {
				fl.Encryption = "mtls"
			}
			if l.Authentication == "two-factor" {
				fl.Tags = append(fl.Tags, "two_factor")
			}
			if l.Authorization != "" && l.Authorization != "none" {
				fl.Tags = append(fl.Tags, "authorization:"+l.Authorization)
			}
			if l.VPN {
				fl.Tags = append(fl.Tags, "vpn")
			}
			if l.IPFiltered {
				fl.Tags = append(fl.Tags, "ip_filtered")
			}
			if l.Readonly {
				fl.Tags = append(fl.Tags, "readonly")
			}
			if l.Usage == "devops" {
				fl.Tags = append(fl.Tags, "devops")
			}
			for _, tag := range l.Tags {
				if tag = tagOf(tag); tag != "" {
					fl.Tags = append(fl.Tags, tag)
				}
			}
			for _, a := range append(c.assetRefs(l.Sent, pd.asset), c.assetRefs(l.Received, pd.asset)...) {
				if !contains(fl.Carries, a) {
					fl.Carries = append(fl.Carries, a)
				}
			}
			c.links[pd.asset+">"+tagOf(lp.key)] = fl
			c.im.Doc.Flows = append(c.im.Doc.Flows, fl)
		}
	}
	c.im.Note("communication links: data_assets_sent and data_assets_received both became carries; authorization, vpn, ip_filtered and readonly became tags; authentication none/credentials/session-id/token/client-certificate/two-factor/externalized → none/password/session/token/mtls/password (+two_factor tag)/token")

	if err := c.boundaries(m, internetAssets); err != nil {
		return err
	}
	if err := c.runtimes(m); err != nil {
		return err
	}
	if err := c.risks(m); err != nil {
		return err
	}
	for _, what := range []struct {
		n    *yaml.Node
		name string
	}{{&m.AbuseCases, "abuse_cases"}, {&m.SecurityRequirements, "security_requirements"}, {&m.Questions, "questions"}} {
		if k := len(pairs(what.n)); k > 0 {
			c.im.Note("%d %s not carried over", k, what.name)
		}
	}
	for _, s := range c.missing {
		c.im.Note("%s: dropped", s)
	}
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

var nonTag = regexp.MustCompile(`[^a-z0-9:._-]+`)

func tagOf(s string) string {
	return strings.Trim(nonTag.ReplaceAllString(strings.ToLower(strings.TrimSpace(s)), "-"), "-")
}

func (c *conv) assetRefs(refs []string, owner string) []string {
	var out []string
	for _, r := range refs {
		if id, ok := c.assets[r]; ok {
			if !contains(out, id) {
				out = append(out, id)
			}
		} else if r != "" {
			c.missing = append(c.missing, fmt.Sprintf("%s refers to unknown data asset %q", owner, r))
		}
	}
	return out
}

func kindOf(t *techAsset) string {
	tech := strings.ToLower(t.Technology)
	switch {
	case tech == "browser" || tech == "desktop" || tech == "mobile-app" || tech == "client-system":
		return "client"
	case tech == "function" || t.Machine == "serverless" && t.Type == "process":
		return "function"
	case tech == "message-queue" || tech == "stream-processing" || tech == "event-listener" && t.Type == "datastore":
		return "queue"
	case tech == "file-server" || tech == "block-storage" || tech == "data-lake" || tech == "local-file-system":
		return "storage"
	case tech == "ai" || tech == "llm":
		return "llm"
	case tech == "iot-device" || tech == "hsm":
		return "device"
	}
	switch t.Type {
	case "external-entity":
		if t.UsedAsClientByHuman {
			return "person"
		}
		return "external"
	case "datastore":
		return "datastore"
	}
	return "service"
}

var authentication = map[string]string{
	"none": "none", "credentials": "password", "session-id": "session", "token": "token",
	"client-certificate": "mtls", "two-factor": "password", "externalized": "token",
}

// protocol maps a Threagile protocol to a Ward protocol and encryption.
func protocol(p string) (proto, enc string) {
	switch p {
	case "", "unknown-protocol":
		return "", ""
	case "https":
		return "https", "tls"
	case "http":
		return "http", "none"
	case "ws":
		return "websocket", "none"
	case "wss":
		return "websocket", "tls"
	case "reverse-proxy-web-protocol":
		return "http", "none"
	case "reverse-proxy-web-protocol-encrypted":
		return "https", "tls"
	case "jdbc", "odbc", "sql-access-protocol":
		return "sql", "none"
	case "jdbc-encrypted", "odbc-encrypted", "sql-access-protocol-encrypted":
		return "sql", "tls"
	case "nosql-access-protocol":
		return "nosql", "none"
	case "nosql-access-protocol-encrypted":
		return "nosql", "tls"
	case "ssh", "ssh-tunnel", "sftp", "scp", "ftps", "ldaps":
		return p, "tls"
	case "ftp", "ldap", "telnet", "nfs", "jms", "mqtt", "nrpe", "xmpp", "pop3", "imap", "smtp", "smb", "binary", "text", "iiop", "jrmp":
		return p, "none"
	case "smtp-encrypted", "pop3-encrypted", "imap-encrypted", "smb-encrypted", "binary-encrypted", "text-encrypted", "iiop-encrypted", "jrmp-encrypted":
		return strings.TrimSuffix(p, "-encrypted"), "tls"
	case "in-process-library-call", "local-file-access", "container-container-communication":
		return p, ""
	}
	return tagOf(p), ""
}

var boundaryTrust = map[string]string{
	"network-on-prem": "internal", "network-dedicated-hoster": "internal", "network-virtual-lan": "internal",
	"network-cloud-provider": "internal", "network-cloud-security-group": "restricted",
	"network-policy-namespace-isolation": "restricted", "execution-environment": "restricted",
}

func (c *conv) boundaries(m *model, internet map[string]bool) error {
	doc := c.im.Doc
	type entry struct {
		b      *spec.Boundary
		tb     boundary
		parent string
	}
	var all []*entry
	byID := map[string]*entry{}
	for _, p := range pairs(&m.TrustBoundaries) {
		var tb boundary
		if err := c.decode(p.val, &tb); err != nil {
			return err
		}
		id := firstNonEmpty(tb.ID, p.key)
		trust, ok := boundaryTrust[tb.Type]
		if !ok {
			trust = "internal"
		}
		desc := strings.TrimSpace(tb.Description)
		if tb.Type != "" {
			desc = strings.TrimSpace(desc + "\nThreagile type: " + tb.Type + ".")
		}
		e := &entry{b: &spec.Boundary{ID: c.ids.Make(id, "boundary"), Name: p.key, Description: desc, Trust: trust}, tb: tb}
		all = append(all, e)
		byID[id] = e
	}
	// Parents: the first boundary that lists a boundary as nested wins;
	// cycles are broken.
	for _, e := range all {
		for _, n := range e.tb.Nested {
			child := byID[n]
			if child == nil {
				c.missing = append(c.missing, fmt.Sprintf("trust boundary %s nests unknown boundary %q", e.b.ID, n))
				continue
			}
			if child.parent != "" || child == e {
				c.im.Note("trust boundary %s is nested in more than one boundary (or in itself): kept under %s only", child.b.ID, firstNonEmpty(child.parent, e.b.ID))
				continue
			}
			cycle := false
			for p := e; p != nil; p = byID[p.parent] {
				if p == child {
					cycle = true
					break
				}
			}
			if cycle {
				c.im.Note("trust boundaries %s and %s nest in each other: the cycle was broken", e.b.ID, child.b.ID)
				continue
			}
			child.parent = firstNonEmpty(e.tb.ID, e.b.Name)
			e.b.Boundaries = append(e.b.Boundaries, child.b)
		}
	}
	depth := func(e *entry) int {
		d := 0
		for p := byID[e.parent]; p != nil && d < len(all); p = byID[p.parent] {
			d++
		}
		return d
	}
	placed := map[string]int{}
	for _, e := range all {
		if e.parent == "" {
			doc.Boundaries = append(doc.Boundaries, e.b)
		}
		for _, a := range e.tb.Inside {
			comp := c.comps[a]
			if comp == nil {
				c.missing = append(c.missing, fmt.Sprintf("trust boundary %s lists unknown technical asset %q", e.b.ID, a))
				continue
			}
			// An asset listed in several boundaries goes in the innermost.
			if d, ok := placed[a]; !ok || depth(e) > d {
				comp.Boundary = e.b.ID
				placed[a] = depth(e)
			}
		}
	}
	if len(all) > 0 {
		c.im.Note("trust boundary types → trust: network-on-prem, network-dedicated-hoster, network-virtual-lan, network-cloud-provider → internal; network-cloud-security-group, network-policy-namespace-isolation, execution-environment → restricted (a guess; the type is kept in the description)")
	}
	// Internet-facing assets outside every boundary go in an internet boundary.
	var inet *spec.Boundary
	var ids []string
	for id := range internet {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		comp := c.comps[id]
		if comp.Boundary != "" {
			continue
		}
		if inet == nil {
			inet = &spec.Boundary{ID: c.ids.Make("internet", "internet"), Name: "Internet", Trust: "internet", Description: "Technical assets marked internet: true outside every trust boundary"}
			doc.Boundaries = append(doc.Boundaries, inet)
		}
		comp.Boundary = inet.ID
	}
	if inet != nil {
		c.im.Note("technical assets with internet: true outside every trust boundary were placed in boundary %q (trust internet)", inet.ID)
	}
	return nil
}

func (c *conv) runtimes(m *model) error {
	for _, p := range pairs(&m.SharedRuntimes) {
		var r runtime
		if err := c.decode(p.val, &r); err != nil {
			return err
		}
		tag := "shared_runtime:" + tagOf(firstNonEmpty(r.ID, p.key))
		for _, a := range r.Running {
			if comp := c.comps[a]; comp != nil {
				comp.Tags = append(comp.Tags, tag)
			}
		}
		c.im.Note("shared runtime %q is not modelled in Ward: its technical assets are tagged %s", p.key, tag)
	}
	return nil
}
