package model

import "time"

// Category is a STRIDE category.
type Category string

// The STRIDE categories.
const (
	Spoofing              Category = "spoofing"
	Tampering             Category = "tampering"
	Repudiation           Category = "repudiation"
	InformationDisclosure Category = "information_disclosure"
	DenialOfService       Category = "denial_of_service"
	ElevationOfPrivilege  Category = "elevation_of_privilege"
)

// Categories lists the STRIDE categories in order.
var Categories = []Category{Spoofing, Tampering, Repudiation, InformationDisclosure, DenialOfService, ElevationOfPrivilege}

// Letter returns the category's STRIDE letter.
func (c Category) Letter() string {
	switch c {
	case Spoofing:
		return "S"
	case Tampering:
		return "T"
	case Repudiation:
		return "R"
	case InformationDisclosure:
		return "I"
	case DenialOfService:
		return "D"
	case ElevationOfPrivilege:
		return "E"
	}
	return "?"
}

// Property returns the CIA property a category threatens most.
func (c Category) Property() Property {
	switch c {
	case InformationDisclosure:
		return Confidentiality
	case DenialOfService:
		return Availability
	}
	return Integrity
}

// ParseCategory accepts a category's name or its STRIDE letter.
func ParseCategory(s string) (Category, bool) {
	for _, c := range Categories {
		if string(c) == s || c.Letter() == s {
			return c, true
		}
	}
	return "", false
}

// Likelihood is a 1–5 scale: rare, unlikely, possible, likely, almost certain.
type Likelihood uint8

// Impact is a 1–5 scale: negligible, minor, moderate, major, severe.
type Impact uint8

var likelihoodNames = [...]string{"", "rare", "unlikely", "possible", "likely", "almost_certain"}
var impactNames = [...]string{"", "negligible", "minor", "moderate", "major", "severe"}

// String returns the likelihood's name.
func (l Likelihood) String() string {
	if int(l) < len(likelihoodNames) {
		return likelihoodNames[l]
	}
	return "?"
}

// String returns the impact's name.
func (i Impact) String() string {
	if int(i) < len(impactNames) {
		return impactNames[i]
	}
	return "?"
}

// ParseLikelihood parses a likelihood name.
func ParseLikelihood(s string) (Likelihood, bool) {
	for i, n := range likelihoodNames {
		if i > 0 && n == s {
			return Likelihood(i), true
		}
	}
	return 0, false
}

// ParseImpact parses an impact name.
func ParseImpact(s string) (Impact, bool) {
	for i, n := range impactNames {
		if i > 0 && n == s {
			return Impact(i), true
		}
	}
	return 0, false
}

// LikelihoodNames and ImpactNames list the scale names, lowest first.
var (
	LikelihoodNames = likelihoodNames[1:]
	ImpactNames     = impactNames[1:]
)

// Source is who found a threat.
type Source string

// Who found a threat.
const (
	FoundByTeam           Source = "team"
	FoundBySecurityReview Source = "security_review"
	FoundByPenTest        Source = "pen_test"
	FoundByBugBounty      Source = "bug_bounty"
	FoundByIncident       Source = "incident"
	FoundByTool           Source = "tool"
)

// Sources lists who can find a threat.
var Sources = []Source{FoundByTeam, FoundBySecurityReview, FoundByPenTest, FoundByBugBounty, FoundByIncident, FoundByTool}

// Status is the state of a threat or finding.
type Status string

// Threat and finding statuses.
const (
	StatusOpen          Status = "open"
	StatusMitigated     Status = "mitigated"
	StatusAccepted      Status = "accepted"
	StatusFalsePositive Status = "false_positive"
	StatusTransferred   Status = "transferred"
	// StatusUnverified marks a generated threat whose precondition holds but
	// whose control the model leaves unknown: not known to be mitigated. Only
	// the engine sets it; people settle it by answering the question.
	StatusUnverified Status = "unverified"
)

// Statuses lists the statuses people may write.
var Statuses = []Status{StatusOpen, StatusMitigated, StatusAccepted, StatusFalsePositive, StatusTransferred}

// Target is an element a threat is about: a component, a flow, a boundary or
// the system as a whole. Exactly one of its pointers is set.
type Target struct {
	Component *Component
	Flow      *Flow
	Boundary  *Boundary
	Asset     *Asset
}

// ID returns the element's id.
func (t Target) ID() string {
	switch {
	case t.Component != nil:
		return t.Component.ID
	case t.Flow != nil:
		return t.Flow.ID
	case t.Boundary != nil:
		return t.Boundary.ID
	case t.Asset != nil:
		return t.Asset.ID
	}
	return ""
}

// Kind returns "component", "flow", "boundary" or "asset".
func (t Target) Kind() string {
	switch {
	case t.Component != nil:
		return "component"
	case t.Flow != nil:
		return "flow"
	case t.Boundary != nil:
		return "boundary"
	case t.Asset != nil:
		return "asset"
	}
	return ""
}

// Pos returns where the element is defined.
func (t Target) Pos() Pos {
	switch {
	case t.Component != nil:
		return t.Component.Pos
	case t.Flow != nil:
		return t.Flow.Pos
	case t.Boundary != nil:
		return t.Boundary.Pos
	case t.Asset != nil:
		return t.Asset.Pos
	}
	return Pos{}
}

// Threat is a threat written by people in the model.
type Threat struct {
	ID          string
	Title       string
	Description string
	Categories  []Category
	Targets     []Target
	Assets      []*Asset
	Likelihood  Likelihood
	Impact      Impact
	Status      Status
	FoundBy     Source
	Owner       string
	Reason      string
	Expires     Date
	Mitigations []*Mitigation
	Pos         Pos
}

// MitigationStatus is where a mitigation stands.
type MitigationStatus string

// Mitigation statuses, in order of progress (WontDo stands apart).
const (
	MitProposed    MitigationStatus = "proposed"
	MitPlanned     MitigationStatus = "planned"
	MitImplemented MitigationStatus = "implemented"
	MitVerified    MitigationStatus = "verified"
	MitWontDo      MitigationStatus = "wont_do"
)

// MitigationStatuses lists the mitigation statuses.
var MitigationStatuses = []MitigationStatus{MitProposed, MitPlanned, MitImplemented, MitVerified, MitWontDo}

// Done reports whether the mitigation is in place (implemented or verified).
func (s MitigationStatus) Done() bool { return s == MitImplemented || s == MitVerified }

// Planned reports whether the mitigation is committed to (planned) or done.
func (s MitigationStatus) Planned() bool { return s == MitPlanned || s.Done() }

// Mitigation is a control to put in place, linked to any number of threats and
// findings, each with its own status, owner, ticket and due date.
type Mitigation struct {
	ID          string
	Title       string
	Description string
	Status      MitigationStatus
	Owner       string
	Ticket      string
	Due         Date
	// Reduces says what the mitigation lowers when it is in place: likelihood
	// (the default), impact, or both.
	ReducesLikelihood int
	ReducesImpact     int
	Pos               Pos
}

// AssumptionStatus is whether an assumption has been checked.
type AssumptionStatus string

// Assumption statuses.
const (
	AssumptionUnvalidated AssumptionStatus = "unvalidated"
	AssumptionValidated   AssumptionStatus = "validated"
	AssumptionInvalidated AssumptionStatus = "invalidated"
)

// AssumptionStatuses lists the assumption statuses.
var AssumptionStatuses = []AssumptionStatus{AssumptionUnvalidated, AssumptionValidated, AssumptionInvalidated}

// Assumption is something the model takes for granted. An invalidated
// assumption re-opens every threat, finding and mitigation it holds up.
type Assumption struct {
	ID       string
	Text     string
	Status   AssumptionStatus
	Evidence string
	// Supports lists what the assumption holds up: threat ids, mitigation
	// ids, finding ids, or element ids.
	Supports []string
	Pos      Pos
}

// Decision is a decision people took on a generated finding.
type Decision struct {
	Finding     string
	Status      Status
	Reason      string
	Owner       string
	Expires     Date
	Mitigations []*Mitigation
	// Covers lists, for a decision on a merged threat, the ids of the
	// threats merged into it that the decision was taken on; nil means the
	// whole group, whatever joins it.
	Covers []string
	Pos    Pos
}

// Expired reports whether an acceptance has passed its expiry date.
func (d *Decision) Expired(now time.Time) bool {
	return !d.Expires.IsZero() && !now.Before(d.Expires.Time.AddDate(0, 0, 1))
}

// Expired reports whether an accepted threat has passed its expiry date.
func (t *Threat) Expired(now time.Time) bool {
	return !t.Expires.IsZero() && !now.Before(t.Expires.Time.AddDate(0, 0, 1))
}
