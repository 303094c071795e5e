// Package model is Ward's domain graph: a system, its assets, trust boundaries,
// components, data flows, threats written by people, mitigations, assumptions and
// decisions on generated findings, with every reference resolved to a pointer.
//
// The package holds no I/O: it knows nothing of YAML, SQL, HTTP or logging. The
// spec package builds a Model from files; the rule and risk packages read it.
package model

import (
	"fmt"
	"slices"
	"sync/atomic"
	"time"
)

// Pos is a position in a model file, used to point people at the source of a
// problem or of an element. Line and Col are 1-based; a zero Pos is unknown.
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats the position as file:line:col.
func (p Pos) String() string {
	if p.File == "" && p.Line == 0 {
		return "-"
	}
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// IsZero reports whether the position is unknown.
func (p Pos) IsZero() bool { return p.File == "" && p.Line == 0 }

// Tri is a tri-state fact: yes, no or unknown. Unknown is the zero value and is
// never treated as "no".
type Tri uint8

// The three states of a fact.
const (
	Unknown Tri = iota
	Yes
	No
)

// String returns "yes", "no" or "unknown".
func (t Tri) String() string {
	switch t {
	case Yes:
		return "yes"
	case No:
		return "no"
	}
	return "unknown"
}

// ParseTri parses yes/no/unknown (and true/false).
func ParseTri(s string) (Tri, bool) {
	switch s {
	case "yes", "true":
		return Yes, true
	case "no", "false":
		return No, true
	case "unknown", "":
		return Unknown, true
	}
	return Unknown, false
}

// Level is a four-step scale used for classification-like needs (low, medium,
// high, critical). The zero value means "not stated".
type Level uint8

// Levels, ordered.
const (
	LevelUnset Level = iota
	Low
	Medium
	High
	Critical
)

var levelNames = [...]string{"", "low", "medium", "high", "critical"}

// String returns the level's name.
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "?"
}

// ParseLevel parses low/medium/high/critical.
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if n == s && i > 0 {
			return Level(i), true
		}
	}
	return LevelUnset, s == ""
}

// System describes what is being modelled and who owns it.
type System struct {
	ID          string
	Name        string
	Description string
	Team        string
	Contacts    []string
	Criticality Level
	Pos         Pos
}

// ScopeItem is one thing explicitly in or out of scope, with the reason.
type ScopeItem struct {
	What string
	Why  string
}

// Scope says what the model covers and what it leaves out.
type Scope struct {
	In  []ScopeItem
	Out []ScopeItem
}

// Context holds the design's answers to the intake questions used by triage.
type Context struct {
	PavedPath       Tri
	InternetFacing  Tri
	SensitiveData   []DataKind
	NewThirdParties []string
	AuthChanges     Tri
	Criticality     Level
	Pos             Pos
}

// DataKind is a kind of sensitive data.
type DataKind string

// Sensitive data kinds understood by the engine and by triage.
const (
	DataPII         DataKind = "pii"
	DataPHI         DataKind = "phi"
	DataPaymentCard DataKind = "payment_card"
	DataCredentials DataKind = "credentials"
	DataSecrets     DataKind = "secrets"
	DataFinancial   DataKind = "financial"
)

// DataKinds lists every sensitive data kind.
var DataKinds = []DataKind{DataPII, DataPHI, DataPaymentCard, DataCredentials, DataSecrets, DataFinancial}

// Trust is a boundary's trust level, from least to most trusted.
type Trust uint8

// Trust levels, ordered from least to most trusted.
const (
	TrustUnset Trust = iota
	TrustInternet
	TrustPartner
	TrustInternal
	TrustRestricted
)

var trustNames = [...]string{"", "internet", "partner", "internal", "restricted"}

// String returns the trust level's name.
func (t Trust) String() string {
	if int(t) < len(trustNames) {
		return trustNames[t]
	}
	return "?"
}

// ParseTrust parses internet/partner/internal/restricted.
func ParseTrust(s string) (Trust, bool) {
	for i, n := range trustNames {
		if n == s && i > 0 {
			return Trust(i), true
		}
	}
	return TrustUnset, false
}

// Boundary is a trust boundary. Boundaries nest; a component belongs to the
// innermost boundary that names it.
type Boundary struct {
	ID          string
	Name        string
	Description string
	Trust       Trust
	Parent      *Boundary
	Children    []*Boundary
	Components  []*Component
	Pos         Pos
}

// Label returns the boundary's name, or its id.
func (b *Boundary) Label() string {
	if b.Name != "" {
		return b.Name
	}
	return b.ID
}

// Depth returns how deeply the boundary is nested (0 at top level).
func (b *Boundary) Depth() int {
	d := 0
	for p := b.Parent; p != nil; p = p.Parent {
		d++
	}
	return d
}

// AssetKind is what sort of thing an asset is.
type AssetKind string

// Asset kinds.
const (
	AssetData           AssetKind = "data"
	AssetCredential     AssetKind = "credential"
	AssetMoney          AssetKind = "money"
	AssetInfrastructure AssetKind = "infrastructure"
	AssetAvailability   AssetKind = "availability"
	AssetReputation     AssetKind = "reputation"
)

// AssetKinds lists every asset kind.
var AssetKinds = []AssetKind{AssetData, AssetCredential, AssetMoney, AssetInfrastructure, AssetAvailability, AssetReputation}

// Classification is an asset's data classification.
type Classification uint8

// Classifications, from least to most sensitive.
const (
	ClassUnset Classification = iota
	ClassPublic
	ClassInternal
	ClassConfidential
	ClassRestricted
)

var classNames = [...]string{"", "public", "internal", "confidential", "restricted"}

// String returns the classification's name.
func (c Classification) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "?"
}

// ParseClassification parses public/internal/confidential/restricted.
func ParseClassification(s string) (Classification, bool) {
	for i, n := range classNames {
		if n == s && i > 0 {
			return Classification(i), true
		}
	}
	return ClassUnset, false
}

// Asset is something worth protecting. Every threat is tied back to assets.
type Asset struct {
	ID             string
	Name           string
	Description    string
	Kind           AssetKind
	Classification Classification
	Data           []DataKind
	// Confidentiality, Integrity and Availability are the asset's needs.
	Confidentiality Level
	Integrity       Level
	Availability    Level
	// MustNotStore marks data that should not be stored at all (for example
	// card verification codes after authorisation).
	MustNotStore bool
	// Value is what the asset is worth to the business: a floor for the
	// impact of any threat against it (unset when not stated).
	Value Level
	// Hashed marks credentials stored only as salted one-way hashes.
	Hashed bool
	// Inferred says which facts the loader read from the asset's words
	// because the model left them out (InferAsset).
	Inferred Inferred
	// num is the asset's index in its model's Assets, set by Index (read
	// it with Model.AssetNum, which checks it).
	num int32
	Pos Pos
}

// Label returns the asset's name, or its id.
func (a *Asset) Label() string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

// HasData reports whether the asset holds the given kind of sensitive data.
func (a *Asset) HasData(k DataKind) bool {
	for _, d := range a.Data {
		if d == k {
			return true
		}
	}
	return false
}

// Sensitive reports whether the asset is confidential or restricted, or
// holds any kind of sensitive data.
func (a *Asset) Sensitive() bool {
	return a.Classification >= ClassConfidential || len(a.Data) > 0 || a.Confidentiality >= High
}

// Need returns the asset's need for the given property, falling back on its
// classification when the need is not stated.
func (a *Asset) Need(p Property) Level {
	var l Level
	switch p {
	case Confidentiality:
		l = a.Confidentiality
	case Integrity:
		l = a.Integrity
	case Availability:
		l = a.Availability
	}
	if l != LevelUnset {
		return a.hashedCap(p, l)
	}
	return a.hashedCap(p, a.classNeed(p))
}

// hashedCap lowers the confidentiality need of hashed credentials: reading
// them gives hashes to crack offline, not passwords.
func (a *Asset) hashedCap(p Property, l Level) Level {
	if a.Hashed && p == Confidentiality && l > Medium {
		return l - 1
	}
	return l
}

// classNeed is the need the classification implies.
func (a *Asset) classNeed(p Property) Level {
	// A classification speaks of confidentiality. Integrity follows it one
	// step lower, at least high for money, credentials and infrastructure,
	// whose integrity is what they are for (money and infrastructure at
	// the classification's own level); availability is medium unless stated, since how
	// secret data is says nothing of how long it may be down.
	//
	// A classification Ward took as confidential because nothing states
	// the asset's sensitivity (InferredClass) makes the rules treat it as
	// sensitive, but implies the unstated default (medium) rather than
	// high: a guess does not outrank what a model states.
	l := Medium
	switch {
	case a.Inferred&InferredClass != 0:
	case a.Classification == ClassRestricted:
		l = Critical
	case a.Classification == ClassConfidential:
		l = High
	case a.Classification == ClassInternal:
		l = Medium
	case a.Classification == ClassPublic:
		l = Low
	default:
		if len(a.Data) > 0 {
			l = High
		}
	}
	switch p {
	case Integrity:
		// A credential's classification speaks of its secrecy: whoever
		// reads it acts as its holder. Changed in place it is what it is
		// for (an account or device taken over), so its integrity is at
		// least high, but it follows the classification one step lower,
		// as data's does: critical only when the model says so.
		if a.Kind == AssetCredential {
			return max(l-1, High)
		}
		if a.Kind == AssetMoney || a.Kind == AssetInfrastructure {
			return max(l, High)
		}
		return max(Medium, min(l, l-1))
	case Availability:
		if a.Kind == AssetAvailability {
			return High
		}
		return Medium
	}
	return l
}

// Property is one of confidentiality, integrity and availability.
type Property uint8

// The CIA properties.
const (
	Confidentiality Property = iota + 1
	Integrity
	Availability
)

// String returns the property's name.
func (p Property) String() string {
	switch p {
	case Confidentiality:
		return "confidentiality"
	case Integrity:
		return "integrity"
	case Availability:
		return "availability"
	}
	return "?"
}

// ComponentKind is what sort of element a component is.
type ComponentKind string

// Component kinds.
const (
	KindPerson    ComponentKind = "person"
	KindService   ComponentKind = "service"
	KindFunction  ComponentKind = "function"
	KindDatastore ComponentKind = "datastore"
	KindQueue     ComponentKind = "queue"
	KindExternal  ComponentKind = "external"
	KindDevice    ComponentKind = "device"
	KindLLM       ComponentKind = "llm"
	KindAgent     ComponentKind = "agent"
	KindClient    ComponentKind = "client"
	KindStorage   ComponentKind = "storage"
)

// ComponentKinds lists every component kind.
var ComponentKinds = []ComponentKind{KindPerson, KindClient, KindService, KindFunction, KindDatastore, KindStorage, KindQueue, KindExternal, KindDevice, KindLLM, KindAgent}

// Component is a person, service, function, data store, queue, external system,
// device or LLM/agent component.
type Component struct {
	// num is the component's index in its model's Components, set by
	// Index (read it with Model.CompNum, which checks it).
	num         int32
	ID          string
	Name        string
	Description string
	Kind        ComponentKind
	Tech        string
	Boundary    *Boundary
	Stores      []*Asset
	Processes   []*Asset
	OutOfScope  bool
	// Admin marks a privileged or administrative interface.
	Admin bool
	// Public marks storage that is meant to be publicly readable.
	Public bool
	// Paid marks an external API billed per use.
	Paid bool
	// ThirdParty marks a component run by another organisation.
	ThirdParty bool
	// New marks a third party new to the organisation.
	New bool
	// Tools lists what an LLM agent can do (for agent components).
	Tools []string
	// Executes lists the kinds of content others write that the component
	// runs, renders, builds or converts (templates, builds, documents, web,
	// media, notebooks, code); nil when not stated, ["none"] when stated to
	// run only the team's own content.
	Executes []string
	// Anonymous marks an entry point that anyone may use by design (a
	// public survey, a sign-up page): authentication threats do not apply,
	// abuse threats still do.
	Anonymous bool
	// Relay says whether the component only forwards requests (CDN, WAF,
	// gateway, proxy) without owning the objects behind it; unknown means
	// inferred from its name and tech.
	Relay Tri
	// HumanAccess names the only role whose people may access the store
	// directly ("dba", "sre-oncall"); empty when not stated.
	HumanAccess string
	// RateLimitScope says what rate_limits counts: "per_caller" or
	// "global" (one shared budget); empty when not stated.
	RateLimitScope string
	// Price is what one call to a paid API costs, as a level; unset when
	// not stated.
	Price Level
	Tags  []string
	// Controls holds the tri-state control facts.
	Controls Controls
	// EncryptionAtRest says how stored data is encrypted.
	EncryptionAtRest AtRest
	In               []*Flow
	Out              []*Flow
	Pos              Pos
	held             heldAssets
	// Inferred says which facts the loader read from the component's words
	// (InferComponentKind).
	Inferred Inferred
	// guesses caches Guessed's answers: two bits per Guess (known, yes).
	guesses uint64
}

// Guess names a yes/no reading of a component's id, name, tech and tags
// (its words) that other packages make often enough to cache
// (Component.Guessed).
type Guess uint8

// The cached guesses; each belongs to the package that computes it.
const (
	// GuessRelay: the built-in catalogue's reading of a component as a
	// relay (rules.Relay).
	GuessRelay Guess = iota
	// GuessLinkLocal: a link-local or same-host service (the rules'
	// reviewerLinkLocal).
	GuessLinkLocal
	// GuessLogSink: a log or monitoring system (the rules' loggingSink).
	GuessLogSink
)

// Guessed returns guess(c), computed once per component: every rule asks
// some of these of each element it looks at, and reading words out of
// names is not free. guess must depend only on the component's own fields
// (not on In, Out or the rest of the model) and always use the same
// function for a given g. Index forgets the answers, so a component
// changed after an analysis is read again once the model is re-indexed.
// Safe for concurrent use: racing callers compute the same answer.
func (c *Component) Guessed(g Guess, guess func(*Component) bool) bool {
	known, yes := uint64(1)<<(2*g), uint64(2)<<(2*g)
	if v := atomic.LoadUint64(&c.guesses); v&known != 0 {
		return v&yes != 0
	}
	ans := guess(c)
	set := known
	if ans {
		set |= yes
	}
	atomic.OrUint64(&c.guesses, set)
	return ans
}

// Label returns the component's name, or its id.
func (c *Component) Label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}

// Trust returns the trust level of the component's boundary. A component
// outside any boundary is treated as internal unless it is a person, client or
// external system, which are treated as internet.
func (c *Component) Trust() Trust {
	if c.Boundary != nil {
		return c.Boundary.Trust
	}
	switch c.Kind {
	case KindPerson, KindClient, KindExternal, KindDevice:
		return TrustInternet
	}
	return TrustInternal
}

// IsStore reports whether the component keeps data (datastore, storage, queue).
func (c *Component) IsStore() bool {
	return c.Kind == KindDatastore || c.Kind == KindStorage || c.Kind == KindQueue
}

// IsProcess reports whether the component runs code the team controls
// (service, function, LLM, agent).
func (c *Component) IsProcess() bool {
	switch c.Kind {
	case KindService, KindFunction, KindLLM, KindAgent:
		return true
	}
	return false
}

// IsActor reports whether the component is an outside actor (person, client,
// device, external system).
func (c *Component) IsActor() bool {
	switch c.Kind {
	case KindPerson, KindClient, KindDevice, KindExternal:
		return true
	}
	return false
}

// Assets returns the assets the component stores or processes, without
// duplicates, stored ones first. The list is built once by Model.Index and
// shared by every caller (rules put it at stake in many threats), so callers
// must not modify it; if Stores or Processes were replaced since, it is
// built afresh.
func (c *Component) Assets() []*Asset {
	if len(c.Processes) == 0 {
		return c.Stores
	}
	if h := &c.held; sameList(h.stores, c.Stores) && sameList(h.processes, c.Processes) && h.all != nil {
		return h.all
	}
	return mergeAssets(c.Stores, c.Processes)
}

// heldAssets is Component.Assets' list and the lists it was built from.
type heldAssets struct {
	stores, processes, all []*Asset
}

// index builds the component's Assets list (Model.Index).
func (c *Component) index() {
	atomic.StoreUint64(&c.guesses, 0)
	c.held = heldAssets{}
	if len(c.Processes) > 0 {
		c.held = heldAssets{stores: c.Stores, processes: c.Processes, all: mergeAssets(c.Stores, c.Processes)}
	}
}

// sameList reports whether a and b are the same slice (same start and length).
func sameList(a, b []*Asset) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func mergeAssets(stores, processes []*Asset) []*Asset {
	out := make([]*Asset, 0, len(stores)+len(processes))
	var seen map[*Asset]bool
	if cap(out) > 32 {
		seen = make(map[*Asset]bool, cap(out))
	}
	for _, l := range [][]*Asset{stores, processes} {
		for _, a := range l {
			switch {
			case seen != nil:
				if seen[a] {
					continue
				}
				seen[a] = true
			case slices.Contains(out, a):
				continue
			}
			out = append(out, a)
		}
	}
	return slices.Clip(out)
}

// TouchesData reports whether the component stores or processes a named
// asset, is a store, or sends or receives an asset or reads or writes a
// store on one of its flows: whether it handles any of the model's data.
func (c *Component) TouchesData() bool {
	if len(c.Stores)+len(c.Processes) > 0 || c.IsStore() {
		return true
	}
	for _, l := range [][]*Flow{c.In, c.Out} {
		for _, f := range l {
			if f.TouchesData() {
				return true
			}
		}
	}
	return false
}

// HasTag reports whether the component carries the tag.
func (c *Component) HasTag(t string) bool {
	for _, x := range c.Tags {
		if x == t {
			return true
		}
	}
	return false
}

// Date is a calendar date without a time zone, as written in a model.
type Date struct{ time.Time }

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.Time.IsZero() }

// String formats the date as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}
