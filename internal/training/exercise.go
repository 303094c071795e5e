// Package training is the domain of threat-modeling training exercises: a
// design (a Ward model and a short design document) with planted flaws and
// a reference list of threats, authored by instructors in YAML; training
// runs in which several groups each work on their own board (the live
// session's board, package session) through three time-boxed phases — read,
// find threats, prioritise — and submit threats, assumptions or questions,
// and a ranked top three; and the scoring that compares each group with
// the reference and the groups with each other.
//
// Scoring is a teaching aid, not a grade: its point is to show that
// different groups find different threats. Everything here is pure: no
// I/O, no clock; the server stores runs (package store) and renders them.
package training

import (
	"slices"

	"github.com/wardtm/ward/internal/model"
)

// FormatVersion is the version of the exercise format (the `training:` key).
const FormatVersion = 1

// Severities of reference threats, most severe first.
var Severities = []string{"critical", "high", "medium", "low"}

// SeverityRank orders severities: 0 for critical, larger for less severe,
// len(Severities) for an unknown one.
func SeverityRank(s string) int {
	if i := slices.Index(Severities, s); i >= 0 {
		return i
	}
	return len(Severities)
}

// Exercise is one training exercise.
type Exercise struct {
	// ID names the exercise (kebab-case), stable across edits.
	ID string `json:"id"`
	// Title is shown to groups and instructors.
	Title string `json:"title"`
	// Summary is one or two sentences for the list of exercises.
	Summary string `json:"summary"`
	// Minutes are the default time boxes of the three phases.
	Minutes Minutes `json:"minutes"`
	// Design is the design document groups read, in Markdown.
	Design string `json:"design"`
	// Model is the design's Ward model (ward.yaml format), parsed.
	Model *model.Model `json:"-"`
	// ModelYAML is the model's text as written in the exercise.
	ModelYAML string `json:"model_yaml"`
	// Flaws are the weaknesses planted in the design, for the instructor.
	Flaws []Flaw `json:"flaws"`
	// Reference is the instructor's answer: the threats and a top three.
	Reference Reference `json:"reference"`
	// Source is the file the exercise was read from.
	Source string `json:"source"`
}

// Minutes are the time boxes of the phases of a run.
type Minutes struct {
	Read       int `json:"read"`
	Find       int `json:"find"`
	Prioritise int `json:"prioritise"`
}

// Flaw is a weakness the author planted in the design.
type Flaw struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Where lists the elements or flows the flaw is in.
	Where []string `json:"where"`
	// Explain is what the instructor says when walking through it.
	Explain string `json:"explain"`
}

// Reference is the instructor's answer for an exercise.
type Reference struct {
	Threats []RefThreat `json:"threats"`
	// TopThree lists three reference threat ids, most important first.
	TopThree []string `json:"top_three"`
}

// RefThreat is one threat of the reference.
type RefThreat struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Target is the element or flow id the threat is about.
	Target string `json:"target"`
	// Stride holds STRIDE letters (S, T, R, I, D, E).
	Stride   []string `json:"stride"`
	Asset    string   `json:"asset,omitempty"`
	Severity string   `json:"severity"`
	// Flaw names the planted flaw the threat comes from, if any.
	Flaw string `json:"flaw,omitempty"`
	// Why explains the threat for the debrief.
	Why string `json:"why,omitempty"`
	// Added is set on threats an instructor added during a run (a valid
	// threat a group found outside the reference): the group and card.
	Added string `json:"added,omitempty"`
}

// Threat returns the reference threat with the id, or nil.
func (r *Reference) Threat(id string) *RefThreat {
	for i := range r.Threats {
		if r.Threats[i].ID == id {
			return &r.Threats[i]
		}
	}
	return nil
}

// Element is an element or flow of an exercise's model, as a board column.
type Element struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Elements lists the model's in-scope components and its flows.
func (x *Exercise) Elements() []Element {
	var out []Element
	if x.Model == nil {
		return nil
	}
	for _, c := range x.Model.Components {
		if c.OutOfScope {
			continue
		}
		name := c.Name
		if name == "" {
			name = c.ID
		}
		out = append(out, Element{ID: c.ID, Name: name, Kind: string(c.Kind)})
	}
	for _, f := range x.Model.Flows {
		name := f.Name
		if name == "" && f.From != nil && f.To != nil {
			name = f.From.ID + " → " + f.To.ID
		}
		out = append(out, Element{ID: f.ID, Name: name, Kind: "flow"})
	}
	return out
}

// ElementName returns the name of an element or flow id (the id when unknown).
func (x *Exercise) ElementName(id string) string {
	for _, e := range x.Elements() {
		if e.ID == id {
			return e.Name
		}
	}
	return id
}
