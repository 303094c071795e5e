package review

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/triage"
)

// Form is a request's answers to the intake questions as the API and the
// web form carry them: yes/no/unknown (or empty for unknown) for the
// yes/no questions, a level for criticality, and lists where a nil list is
// unknown and an empty list (or ["none"]) is none.
type Form struct {
	PavedPath       string   `json:"paved_path"`
	InternetFacing  string   `json:"internet_facing"`
	SensitiveData   []string `json:"sensitive_data"`
	NewThirdParties []string `json:"new_third_parties"`
	AuthChanges     string   `json:"auth_changes"`
	Criticality     string   `json:"criticality"`
}

// Answers checks the form and turns it into triage answers.
func (f Form) Answers() (triage.Answers, error) {
	var a triage.Answers
	for _, q := range []struct {
		name string
		val  string
		dst  *model.Tri
	}{{"paved_path", f.PavedPath, &a.PavedPath}, {"internet_facing", f.InternetFacing, &a.InternetFacing}, {"auth_changes", f.AuthChanges, &a.AuthChanges}} {
		t, ok := model.ParseTri(strings.ToLower(strings.TrimSpace(q.val)))
		if !ok {
			return a, fmt.Errorf("%s: %q is not yes, no or unknown", q.name, q.val)
		}
		*q.dst = t
	}
	c := strings.ToLower(strings.TrimSpace(f.Criticality))
	lv, ok := model.ParseLevel(strings.TrimSuffix(c, "unknown"))
	if !ok {
		return a, fmt.Errorf("criticality: %q is not low, medium, high, critical or unknown", f.Criticality)
	}
	a.Criticality = lv
	if f.SensitiveData != nil {
		a.SensitiveDataKnown, a.SensitiveData = true, []model.DataKind{}
		for _, s := range f.SensitiveData {
			s = strings.ToLower(strings.TrimSpace(s))
			switch {
			case s == "none" || s == "":
			case slices.Contains(model.DataKinds, model.DataKind(s)):
				if !slices.Contains(a.SensitiveData, model.DataKind(s)) {
					a.SensitiveData = append(a.SensitiveData, model.DataKind(s))
				}
			default:
				return a, fmt.Errorf("sensitive_data: %q is not a kind of sensitive data (%s, or none)", s, kindNames())
			}
		}
	}
	if f.NewThirdParties != nil {
		a.NewThirdPartiesKnown, a.NewThirdParties = true, []string{}
		for _, s := range f.NewThirdParties {
			s = strings.TrimSpace(s)
			if s == "" || strings.EqualFold(s, "none") {
				continue
			}
			if len(s) > 100 {
				return a, fmt.Errorf("new_third_parties: a name is longer than 100 characters")
			}
			if !slices.Contains(a.NewThirdParties, s) {
				a.NewThirdParties = append(a.NewThirdParties, s)
			}
		}
		if len(a.NewThirdParties) > 50 {
			return a, fmt.Errorf("new_third_parties: more than 50 names")
		}
	}
	return a, nil
}

func kindNames() string {
	s := make([]string, len(model.DataKinds))
	for i, k := range model.DataKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// FormOf writes answers as a form (the inverse of Form.Answers).
func FormOf(a triage.Answers) Form {
	f := Form{PavedPath: a.PavedPath.String(), InternetFacing: a.InternetFacing.String(), AuthChanges: a.AuthChanges.String(),
		Criticality: a.Value(triage.QCriticality)}
	if a.Known(triage.QSensitiveData) {
		f.SensitiveData = []string{}
		for _, k := range a.SensitiveData {
			f.SensitiveData = append(f.SensitiveData, string(k))
		}
	}
	if a.Known(triage.QNewThirdParties) {
		f.NewThirdParties = append([]string{}, a.NewThirdParties...)
	}
	return f
}

// PolicyYAML writes p in the policy file format that triage.ParsePolicy
// (and ward triage --policy) reads, so administrators start editing from
// the policy in force.
func PolicyYAML(p triage.Policy) string {
	var b strings.Builder
	w := p.Weights
	fmt.Fprintf(&b, "ward_policy: %d\nname: %s\n", triage.PolicyVersion, strconv.Quote(p.Name))
	b.WriteString("# Points each risky (or unknown) answer adds to the score, capped at 100.\nweights:\n")
	fmt.Fprintf(&b, "  paved_path: %d\n  internet_facing: %d\n  auth_changes: %d\n  new_third_party: %d\n  new_third_party_max: %d\n  extra_sensitive_kind: %d\n",
		w.OffPavedPath, w.InternetFacing, w.AuthChanges, w.NewThirdParty, w.NewThirdPartyMax, w.ExtraSensitiveKind)
	b.WriteString("  sensitive_data:\n")
	for _, k := range model.DataKinds {
		fmt.Fprintf(&b, "    %s: %d\n", k, w.SensitiveData.Of(k))
	}
	fmt.Fprintf(&b, "    unknown: %d\n", w.SensitiveData.Unknown)
	c := w.Criticality
	fmt.Fprintf(&b, "  criticality:\n    low: %d\n    medium: %d\n    high: %d\n    critical: %d\n    unknown: %d\n", c.Low, c.Medium, c.High, c.Critical, c.Unknown)
	fmt.Fprintf(&b, "# Scores at which the tiers start.\nthresholds:\n  self_serve: %d\n  security_led: %d\n", p.Thresholds.SelfServe, p.Thresholds.SecurityLed)
	b.WriteString("# Answers that always force at least a tier, whatever the score.\n")
	if len(p.Overrides) == 0 {
		b.WriteString("overrides: []\n")
		return b.String()
	}
	b.WriteString("overrides:\n")
	for _, o := range p.Overrides {
		b.WriteString("  - when:\n")
		cond := o.When
		tris := func(key string, ts []model.Tri) {
			if len(ts) == 0 {
				return
			}
			s := make([]string, len(ts))
			for i, t := range ts {
				s[i] = t.String()
			}
			fmt.Fprintf(&b, "      %s: [%s]\n", key, strings.Join(s, ", "))
		}
		strs := func(key string, ss []string) {
			if len(ss) > 0 {
				fmt.Fprintf(&b, "      %s: [%s]\n", key, strings.Join(ss, ", "))
			}
		}
		tris("paved_path", cond.PavedPath)
		tris("internet_facing", cond.InternetFacing)
		tris("auth_changes", cond.AuthChanges)
		strs("sensitive_data", cond.SensitiveData)
		tris("new_third_parties", cond.NewThirdParties)
		strs("criticality", cond.Criticality)
		fmt.Fprintf(&b, "    tier: %s\n", o.Tier)
		if o.Reason != "" {
			fmt.Fprintf(&b, "    reason: %s\n", strconv.Quote(o.Reason))
		}
	}
	return b.String()
}
