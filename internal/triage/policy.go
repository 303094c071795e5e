package triage

import (
	"fmt"
	"slices"

	"github.com/wardtm/ward/internal/model"
)

// Policy is how an organisation turns intake answers into a tier and a
// priority score: points per risky answer, score thresholds for the tiers,
// and overrides that force a tier whatever the score.
//
// The score is the sum of the points of the risky answers, capped at 100. A
// design is:
//   - security-led when the score reaches Thresholds.SecurityLed, or an
//     override says so;
//   - self-serve when any of paved_path, internet_facing, sensitive_data,
//     new_third_parties or auth_changes is risky or unknown, or the score
//     reaches Thresholds.SelfServe (criticality alone can do that);
//   - none otherwise.
type Policy struct {
	// Name identifies the policy in results.
	Name       string
	Weights    Weights
	Thresholds Thresholds
	// Overrides force a minimum tier when their condition holds. They only
	// ever raise the tier.
	Overrides []Override
}

// Weights are the points each risky answer adds to the score. Unknown
// answers score as the risky answer (or, for sensitive data and
// criticality, their Unknown weight).
type Weights struct {
	// OffPavedPath: paved_path is no (or unknown).
	OffPavedPath int
	// InternetFacing: internet_facing is yes (or unknown).
	InternetFacing int
	// AuthChanges: auth_changes is yes (or unknown).
	AuthChanges int
	// NewThirdParty: per new third party (unknown counts as one).
	NewThirdParty int
	// NewThirdPartyMax caps the points from new third parties.
	NewThirdPartyMax int
	// SensitiveData: the most heavily weighted kind handled counts in full.
	SensitiveData KindWeights
	// ExtraSensitiveKind: per further kind of sensitive data.
	ExtraSensitiveKind int
	// Criticality: per business criticality.
	Criticality LevelWeights
}

// KindWeights gives points per kind of sensitive data.
type KindWeights struct {
	PII, PHI, PaymentCard, Credentials, Secrets, Financial int
	// Unknown: sensitive_data not answered.
	Unknown int
}

// Of returns the points for kind k.
func (w KindWeights) Of(k model.DataKind) int {
	switch k {
	case model.DataPII:
		return w.PII
	case model.DataPHI:
		return w.PHI
	case model.DataPaymentCard:
		return w.PaymentCard
	case model.DataCredentials:
		return w.Credentials
	case model.DataSecrets:
		return w.Secrets
	case model.DataFinancial:
		return w.Financial
	}
	return w.Unknown
}

func (w *KindWeights) ptr(k string) *int {
	switch model.DataKind(k) {
	case model.DataPII:
		return &w.PII
	case model.DataPHI:
		return &w.PHI
	case model.DataPaymentCard:
		return &w.PaymentCard
	case model.DataCredentials:
		return &w.Credentials
	case model.DataSecrets:
		return &w.Secrets
	case model.DataFinancial:
		return &w.Financial
	}
	if k == "unknown" {
		return &w.Unknown
	}
	return nil
}

// LevelWeights gives points per business criticality.
type LevelWeights struct {
	Low, Medium, High, Critical int
	// Unknown: criticality not answered. It must be at least Low.
	Unknown int
}

// Of returns the points for level l (Unknown for LevelUnset).
func (w LevelWeights) Of(l model.Level) int {
	switch l {
	case model.Low:
		return w.Low
	case model.Medium:
		return w.Medium
	case model.High:
		return w.High
	case model.Critical:
		return w.Critical
	}
	return w.Unknown
}

func (w *LevelWeights) ptr(k string) *int {
	switch k {
	case "low":
		return &w.Low
	case "medium":
		return &w.Medium
	case "high":
		return &w.High
	case "critical":
		return &w.Critical
	case "unknown":
		return &w.Unknown
	}
	return nil
}

// unknownAs names the highest level an unknown criticality weighs as much as.
func (w LevelWeights) unknownAs() string {
	name := "low"
	for _, l := range []model.Level{model.Low, model.Medium, model.High, model.Critical} {
		if w.Of(l) <= w.Unknown {
			name = l.String()
		}
	}
	return name
}

// Thresholds are the scores at which tiers start.
type Thresholds struct {
	// SelfServe: a score at or above it needs at least a self-serve threat
	// model, even when the five design questions are all harmless.
	SelfServe int
	// SecurityLed: a score at or above it is security-led.
	SecurityLed int
}

// Override forces at least Tier when When holds.
type Override struct {
	When   Condition
	Tier   Tier
	Reason string
}

// Condition holds when every non-empty field matches (each field matches when
// the answer is any of the listed values). An unknown answer matches the
// values listed and also whatever the harmless answer matches, so an unknown
// answer can never escape an override the harmless answer triggers.
type Condition struct {
	PavedPath      []model.Tri
	InternetFacing []model.Tri
	AuthChanges    []model.Tri
	// SensitiveData: data kinds, "none" or "unknown"; matches when the
	// design handles any of the kinds listed.
	SensitiveData []string
	// NewThirdParties: yes (at least one), no (none) or unknown.
	NewThirdParties []model.Tri
	// Criticality: levels or "unknown".
	Criticality []string
}

// Empty reports whether the condition has no field set.
func (c Condition) Empty() bool {
	return len(c.PavedPath)+len(c.InternetFacing)+len(c.AuthChanges)+len(c.SensitiveData)+len(c.NewThirdParties)+len(c.Criticality) == 0
}

// match reports whether the condition holds for a, and names the first
// answer it tested.
func (c Condition) match(a Answers) (Question, string, bool) {
	var first Question
	var firstAns string
	note := func(q Question, ans string) {
		if first == "" {
			first, firstAns = q, ans
		}
	}
	tri := func(q Question, want []model.Tri, got, harmless model.Tri) bool {
		if len(want) == 0 {
			return true
		}
		note(q, got.String())
		if slices.Contains(want, got) {
			return true
		}
		return got == model.Unknown && slices.Contains(want, harmless)
	}
	if !tri(QPavedPath, c.PavedPath, a.PavedPath, model.Yes) ||
		!tri(QInternetFacing, c.InternetFacing, a.InternetFacing, model.No) ||
		!tri(QAuthChanges, c.AuthChanges, a.AuthChanges, model.No) {
		return "", "", false
	}
	if len(c.NewThirdParties) > 0 {
		got := model.Unknown
		if a.Known(QNewThirdParties) {
			got = model.No
			if len(a.NewThirdParties) > 0 {
				got = model.Yes
			}
		}
		if !tri(QNewThirdParties, c.NewThirdParties, got, model.No) {
			return "", "", false
		}
		if got == model.Yes && first == QNewThirdParties {
			firstAns = a.Value(QNewThirdParties)
		}
	}
	if len(c.SensitiveData) > 0 {
		ok := false
		switch {
		case !a.Known(QSensitiveData):
			ok = slices.Contains(c.SensitiveData, "unknown") || slices.Contains(c.SensitiveData, "none")
			note(QSensitiveData, "unknown")
		case len(a.SensitiveData) == 0:
			ok = slices.Contains(c.SensitiveData, "none")
			note(QSensitiveData, "none")
		default:
			for _, k := range a.SensitiveData {
				if slices.Contains(c.SensitiveData, string(k)) {
					ok = true
					note(QSensitiveData, string(k))
					break
				}
			}
		}
		if !ok {
			return "", "", false
		}
	}
	if len(c.Criticality) > 0 {
		got := "unknown"
		if a.Criticality != model.LevelUnset {
			got = a.Criticality.String()
		}
		note(QCriticality, got)
		if !slices.Contains(c.Criticality, got) && (got != "unknown" || !slices.Contains(c.Criticality, "low")) {
			return "", "", false
		}
	}
	return first, firstAns, first != ""
}

// DefaultPolicy returns Ward's built-in policy. docs/triage.md documents it;
// keep the two in step.
//
//	paved_path no          15      sensitive_data (strongest kind counts in full)
//	internet_facing yes    15        payment_card 25, phi 25, credentials 20,
//	auth_changes yes       15        financial 20, pii 15, secrets 15, unknown 15
//	new third party         5 each,  each further kind 3
//	  at most 15           criticality low 0, medium 5, high 10, critical 15,
//	                         unknown 10
//
// Thresholds: self-serve 20, security-led 50. Overrides: payment card data
// and health data are always security-led.
func DefaultPolicy() Policy {
	return Policy{
		Name: "default",
		Weights: Weights{
			OffPavedPath:       15,
			InternetFacing:     15,
			AuthChanges:        15,
			NewThirdParty:      5,
			NewThirdPartyMax:   15,
			ExtraSensitiveKind: 3,
			SensitiveData: KindWeights{
				PII: 15, PHI: 25, PaymentCard: 25, Credentials: 20, Secrets: 15, Financial: 20, Unknown: 15,
			},
			Criticality: LevelWeights{Low: 0, Medium: 5, High: 10, Critical: 15, Unknown: 10},
		},
		Thresholds: Thresholds{SelfServe: 20, SecurityLed: 50},
		Overrides: []Override{
			{When: Condition{SensitiveData: []string{string(model.DataPaymentCard)}}, Tier: TierSecurityLed,
				Reason: "payment card data puts the system in PCI DSS scope"},
			{When: Condition{SensitiveData: []string{string(model.DataPHI)}}, Tier: TierSecurityLed,
				Reason: "health data (PHI) is regulated"},
		},
	}
}

// Validate checks a policy built in code; policy files are checked, with
// positions, by ParsePolicy.
func (p Policy) Validate() error {
	w := p.Weights
	for _, v := range []int{w.OffPavedPath, w.InternetFacing, w.AuthChanges, w.NewThirdParty, w.NewThirdPartyMax, w.ExtraSensitiveKind,
		w.SensitiveData.PII, w.SensitiveData.PHI, w.SensitiveData.PaymentCard, w.SensitiveData.Credentials, w.SensitiveData.Secrets,
		w.SensitiveData.Financial, w.SensitiveData.Unknown, w.Criticality.Low, w.Criticality.Medium, w.Criticality.High,
		w.Criticality.Critical, w.Criticality.Unknown} {
		if v < 0 || v > 100 {
			return fmt.Errorf("weight %d is out of range 0..100", v)
		}
	}
	if w.Criticality.Unknown < w.Criticality.Low {
		return fmt.Errorf("criticality unknown (%d) weighs less than low (%d): unknown answers must never lower the tier", w.Criticality.Unknown, w.Criticality.Low)
	}
	t := p.Thresholds
	if t.SelfServe < 1 || t.SelfServe > 101 || t.SecurityLed < 1 || t.SecurityLed > 101 {
		return fmt.Errorf("thresholds must be between 1 and 101")
	}
	for i, o := range p.Overrides {
		if o.Tier != TierSelfServe && o.Tier != TierSecurityLed {
			return fmt.Errorf("override %d: tier must be self-serve or security-led", i+1)
		}
		if o.When.Empty() {
			return fmt.Errorf("override %d: when is empty", i+1)
		}
	}
	return nil
}
