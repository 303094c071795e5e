// Package triage decides, at design time, whether a design needs a threat
// model and who leads it: nobody (tier none), the team itself (self-serve) or
// the security team (security-led). It also gives every design a priority
// score (0–100) so a security team with few hours spends them on the most
// sensitive requests first.
//
// The package does no I/O: answers and policies come in as values or bytes.
//
// Unknown answers never lower the tier: an unknown answer scores at least as
// much as the harmless answer, a design with any unknown answer is never
// tier none, and an override that fires on the harmless answer also fires on
// an unknown one. Unknown answers are listed so people can answer them and
// refine the result.
package triage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// Tier is who threat-models the design.
type Tier string

// Tiers, from least to most involvement of the security team.
const (
	// TierNone: no threat model needed (paved path, no sensitive data, not
	// internet-facing, no new third parties, no authentication changes).
	TierNone Tier = "none"
	// TierSelfServe: the team threat-models the design itself.
	TierSelfServe Tier = "self-serve"
	// TierSecurityLed: the security team leads or reviews the threat model.
	TierSecurityLed Tier = "security-led"
)

// Tiers lists the tiers in order.
var Tiers = []Tier{TierNone, TierSelfServe, TierSecurityLed}

// Rank orders tiers: none 0, self-serve 1, security-led 2, unknown -1.
func (t Tier) Rank() int { return slices.Index(Tiers, t) }

// ParseTier parses a tier name.
func ParseTier(s string) (Tier, bool) {
	t := Tier(strings.ToLower(strings.TrimSpace(s)))
	if t.Rank() < 0 {
		return "", false
	}
	return t, true
}

// Question identifies one intake question. Its value is the key used in
// answers files, in the model's context: section and in policies.
type Question string

// The intake questions.
const (
	QPavedPath       Question = "paved_path"
	QInternetFacing  Question = "internet_facing"
	QSensitiveData   Question = "sensitive_data"
	QNewThirdParties Question = "new_third_parties"
	QAuthChanges     Question = "auth_changes"
	QCriticality     Question = "criticality"
)

// QuestionInfo is a question as asked of people.
type QuestionInfo struct {
	ID Question
	// Text is the question.
	Text string
	// Choices describes the accepted answers.
	Choices string
	// Flag is the ward triage / ward init flag that answers it.
	Flag string
}

// Questions lists the intake questions in the order they are asked.
var Questions = []QuestionInfo{
	{QPavedPath, "Does the design follow the paved path (the common, already secured way to build and deploy)?", "yes, no", "--paved-path"},
	{QInternetFacing, "Is any part of the system reachable from the internet?", "yes, no", "--internet-facing"},
	{QSensitiveData, "Which kinds of sensitive data does it handle?", "comma-separated: " + dataKindList() + "; or none", "--sensitive-data"},
	{QNewThirdParties, "Does it bring in third parties new to the organisation? Name them.", "comma-separated names, or none", "--new-third-party"},
	{QAuthChanges, "Does it change authentication or authorization?", "yes, no", "--auth-changes"},
	{QCriticality, "How critical is the system to the business?", "low, medium, high, critical", "--criticality"},
}

// Info returns the question's description.
func (q Question) Info() QuestionInfo {
	for _, i := range Questions {
		if i.ID == q {
			return i
		}
	}
	return QuestionInfo{ID: q}
}

func dataKindList() string {
	s := make([]string, len(model.DataKinds))
	for i, k := range model.DataKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Answers are a design's answers to the intake questions. The zero value
// answers nothing: every question is unknown.
type Answers struct {
	PavedPath      model.Tri
	InternetFacing model.Tri
	// SensitiveData lists the kinds of sensitive data handled. It is
	// meaningful when SensitiveDataKnown is true or the list is not empty;
	// known and empty means none.
	SensitiveData      []model.DataKind
	SensitiveDataKnown bool
	// NewThirdParties names the third parties new to the organisation; known
	// and empty means none.
	NewThirdParties      []string
	NewThirdPartiesKnown bool
	AuthChanges          model.Tri
	// Criticality is LevelUnset when unknown.
	Criticality model.Level
}

// Known reports whether question q has an answer.
func (a Answers) Known(q Question) bool {
	switch q {
	case QPavedPath:
		return a.PavedPath != model.Unknown
	case QInternetFacing:
		return a.InternetFacing != model.Unknown
	case QSensitiveData:
		return a.SensitiveDataKnown || len(a.SensitiveData) > 0
	case QNewThirdParties:
		return a.NewThirdPartiesKnown || len(a.NewThirdParties) > 0
	case QAuthChanges:
		return a.AuthChanges != model.Unknown
	case QCriticality:
		return a.Criticality != model.LevelUnset
	}
	return false
}

// Unknown lists the questions without an answer, in asking order.
func (a Answers) Unknown() []Question {
	var out []Question
	for _, q := range Questions {
		if !a.Known(q.ID) {
			out = append(out, q.ID)
		}
	}
	return out
}

// Merge returns a with every question that over answers taken from over.
// Call it from the lowest precedence source to the highest.
func (a Answers) Merge(over Answers) Answers {
	if over.Known(QPavedPath) {
		a.PavedPath = over.PavedPath
	}
	if over.Known(QInternetFacing) {
		a.InternetFacing = over.InternetFacing
	}
	if over.Known(QSensitiveData) {
		a.SensitiveData, a.SensitiveDataKnown = slices.Clone(over.SensitiveData), true
	}
	if over.Known(QNewThirdParties) {
		a.NewThirdParties, a.NewThirdPartiesKnown = slices.Clone(over.NewThirdParties), true
	}
	if over.Known(QAuthChanges) {
		a.AuthChanges = over.AuthChanges
	}
	if over.Known(QCriticality) {
		a.Criticality = over.Criticality
	}
	return a
}

// Value returns the answer to q as written in files: yes/no/unknown, a
// comma-separated list, none, or a level.
func (a Answers) Value(q Question) string {
	if !a.Known(q) {
		return "unknown"
	}
	switch q {
	case QPavedPath:
		return a.PavedPath.String()
	case QInternetFacing:
		return a.InternetFacing.String()
	case QAuthChanges:
		return a.AuthChanges.String()
	case QCriticality:
		return a.Criticality.String()
	case QSensitiveData:
		if len(a.SensitiveData) == 0 {
			return "none"
		}
		s := make([]string, len(a.SensitiveData))
		for i, k := range a.SensitiveData {
			s[i] = string(k)
		}
		return strings.Join(s, ", ")
	case QNewThirdParties:
		if len(a.NewThirdParties) == 0 {
			return "none"
		}
		return strings.Join(a.NewThirdParties, ", ")
	}
	return "unknown"
}

// FromContext turns a model's context: section into answers. The model
// format cannot tell an absent sensitive_data from an empty list, so pass
// sensitiveDataDeclared when the file declares the key (see ContextKeys).
func FromContext(c model.Context, sensitiveDataDeclared bool) Answers {
	a := Answers{
		PavedPath:      c.PavedPath,
		InternetFacing: c.InternetFacing,
		AuthChanges:    c.AuthChanges,
		Criticality:    c.Criticality,
	}
	if len(c.SensitiveData) > 0 || sensitiveDataDeclared {
		a.SensitiveData, a.SensitiveDataKnown = slices.Clone(c.SensitiveData), true
	}
	if c.NewThirdParties != nil {
		a.NewThirdParties, a.NewThirdPartiesKnown = slices.Clone(c.NewThirdParties), true
	}
	return a
}

// Reason explains one thing that raised the tier or the score. It always
// names the answer that caused it.
type Reason struct {
	// Question is the answer's question.
	Question Question `json:"question"`
	// Answer is the answer as written (yes, no, unknown, pii, ...).
	Answer string `json:"answer"`
	// Points the answer adds to the score (before the cap at 100).
	Points int `json:"points"`
	// Tier is set when the reason is a policy override forcing a tier.
	Tier Tier `json:"tier,omitempty"`
	// Text says why, for people.
	Text string `json:"text"`
}

// String formats the reason as "question: answer — text".
func (r Reason) String() string {
	s := fmt.Sprintf("%s: %s — %s", r.Question, r.Answer, r.Text)
	if r.Points > 0 {
		s += fmt.Sprintf(" (+%d)", r.Points)
	}
	return s
}

// Result is the outcome of triage.
type Result struct {
	Tier Tier `json:"tier"`
	// Score ranks the security review queue: 0 (nothing sensitive) to 100.
	Score int `json:"score"`
	// Summary says in one sentence how the tier was reached.
	Summary string `json:"summary"`
	// Reasons lists what raised the tier and the score, each naming its answer.
	Reasons []Reason `json:"reasons"`
	// Unknown lists the questions still unanswered; answering them refines
	// the result (it can only stay or go down if they are answered with the
	// harmless answer).
	Unknown []Question `json:"unknown"`
	// Policy is the name of the policy applied.
	Policy string `json:"policy"`
}

// Evaluate triages answers under policy p. p should be valid (see
// Policy.Validate); DefaultPolicy always is.
func Evaluate(a Answers, p Policy) Result {
	res := Result{Tier: TierNone, Policy: p.Name, Unknown: a.Unknown(), Reasons: []Reason{}}
	if res.Unknown == nil {
		res.Unknown = []Question{}
	}
	w := p.Weights
	raw := 0
	add := func(q Question, answer string, pts int, text string) {
		raw += pts
		res.Reasons = append(res.Reasons, Reason{Question: q, Answer: answer, Points: pts, Text: text})
	}
	const refine = " until answered (answer it to refine)"

	// The five questions that decide whether a threat model is needed.
	switch a.PavedPath {
	case model.No:
		add(QPavedPath, "no", w.OffPavedPath, "the design leaves the paved path")
	case model.Unknown:
		add(QPavedPath, "unknown", w.OffPavedPath, "counted as off the paved path"+refine)
	}
	switch a.InternetFacing {
	case model.Yes:
		add(QInternetFacing, "yes", w.InternetFacing, "part of the system is reachable from the internet")
	case model.Unknown:
		add(QInternetFacing, "unknown", w.InternetFacing, "counted as internet-facing"+refine)
	}
	switch {
	case !a.Known(QSensitiveData):
		add(QSensitiveData, "unknown", w.SensitiveData.Unknown, "counted as handling sensitive data"+refine)
	case len(a.SensitiveData) > 0:
		kinds := dedupKinds(a.SensitiveData)
		slices.SortStableFunc(kinds, func(x, y model.DataKind) int { return w.SensitiveData.Of(y) - w.SensitiveData.Of(x) })
		for i, k := range kinds {
			pts := w.SensitiveData.Of(k)
			text := "the system handles " + dataKindLabel(k)
			if i > 0 {
				pts = w.ExtraSensitiveKind
				text += " (another kind of sensitive data)"
			}
			add(QSensitiveData, string(k), pts, text)
		}
	}
	switch {
	case !a.Known(QNewThirdParties):
		add(QNewThirdParties, "unknown", w.NewThirdParty, "counted as one new third party"+refine)
	case len(a.NewThirdParties) > 0:
		n := len(a.NewThirdParties)
		pts := min(n*w.NewThirdParty, max(w.NewThirdPartyMax, w.NewThirdParty))
		add(QNewThirdParties, strings.Join(a.NewThirdParties, ", "), pts, fmt.Sprintf("the design brings in %d new third part%s", n, pluralY(n)))
	}
	switch a.AuthChanges {
	case model.Yes:
		add(QAuthChanges, "yes", w.AuthChanges, "the design changes authentication or authorization")
	case model.Unknown:
		add(QAuthChanges, "unknown", w.AuthChanges, "counted as changing authentication"+refine)
	}
	needsModel := len(res.Reasons) > 0
	// Criticality only weighs on the score (and on tier none through the
	// self-serve threshold).
	if a.Criticality == model.LevelUnset {
		if pts := w.Criticality.Unknown; pts > 0 {
			add(QCriticality, "unknown", pts, "criticality counted as "+w.Criticality.unknownAs()+refine)
		}
	} else if pts := w.Criticality.Of(a.Criticality); pts > 0 {
		add(QCriticality, a.Criticality.String(), pts, "the system's business criticality is "+a.Criticality.String())
	}
	res.Score = min(max(raw, 0), 100)

	th := p.Thresholds
	switch {
	case res.Score >= th.SecurityLed:
		res.Tier = TierSecurityLed
		res.Summary = fmt.Sprintf("score %d reaches the security-led threshold (%d)", res.Score, th.SecurityLed)
	case needsModel:
		res.Tier = TierSelfServe
		res.Summary = fmt.Sprintf("a threat model is needed; score %d is below the security-led threshold (%d)", res.Score, th.SecurityLed)
	case res.Score >= th.SelfServe:
		res.Tier = TierSelfServe
		res.Summary = fmt.Sprintf("score %d reaches the self-serve threshold (%d)", res.Score, th.SelfServe)
	default:
		res.Summary = "paved path, no sensitive data, not internet-facing, no new third parties, no authentication changes: no threat model needed"
	}
	for _, o := range p.Overrides {
		if o.Tier.Rank() < res.Tier.Rank() || o.Tier == TierNone {
			continue // overrides only raise the tier
		}
		q, ans, ok := o.When.match(a)
		if !ok {
			continue
		}
		text := o.Reason
		if text == "" {
			text = "policy override"
		}
		res.Reasons = append(res.Reasons, Reason{Question: q, Answer: ans, Tier: o.Tier, Text: text + " (always " + string(o.Tier) + ")"})
		if o.Tier.Rank() > res.Tier.Rank() {
			res.Tier = o.Tier
			res.Summary = fmt.Sprintf("policy override: %s: %s is always %s", q, ans, o.Tier)
		}
	}
	return res
}

func pluralY(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}

func dedupKinds(ks []model.DataKind) []model.DataKind {
	var out []model.DataKind
	for _, k := range ks {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func dataKindLabel(k model.DataKind) string {
	switch k {
	case model.DataPII:
		return "personal data (PII)"
	case model.DataPHI:
		return "health data (PHI)"
	case model.DataPaymentCard:
		return "payment card data"
	case model.DataCredentials:
		return "credentials or authentication data"
	case model.DataSecrets:
		return "secrets (keys, tokens)"
	case model.DataFinancial:
		return "financial data"
	}
	return string(k)
}
