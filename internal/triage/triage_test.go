package triage

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/model"
)

// harmless answers every question with the answer that needs no threat model.
func harmless() Answers {
	return Answers{PavedPath: model.Yes, InternetFacing: model.No, SensitiveData: []model.DataKind{}, SensitiveDataKnown: true,
		NewThirdParties: []string{}, NewThirdPartiesKnown: true, AuthChanges: model.No, Criticality: model.Low}
}

func with(f func(*Answers)) Answers {
	a := harmless()
	f(&a)
	return a
}

func TestEvaluateTiers(t *testing.T) {
	type want struct {
		Tier    Tier
		Score   int
		Reasons []string
		Unknown []Question
	}
	tests := []struct {
		name string
		a    Answers
		want want
	}{
		{"all harmless", harmless(), want{TierNone, 0, nil, nil}},
		{"harmless but critical stays none (criticality alone is below self-serve)", with(func(a *Answers) { a.Criticality = model.Critical }),
			want{TierNone, 15, []string{"criticality: critical — the system's business criticality is critical (+15)"}, nil}},
		{"internet-facing only", with(func(a *Answers) { a.InternetFacing = model.Yes }),
			want{TierSelfServe, 15, []string{"internet_facing: yes — part of the system is reachable from the internet (+15)"}, nil}},
		{"off paved path with pii", with(func(a *Answers) { a.PavedPath = model.No; a.SensitiveData = []model.DataKind{model.DataPII} }),
			want{TierSelfServe, 30, []string{
				"paved_path: no — the design leaves the paved path (+15)",
				"sensitive_data: pii — the system handles personal data (PII) (+15)",
			}, nil}},
		{"new third parties are capped", with(func(a *Answers) { a.NewThirdParties = []string{"a", "b", "c", "d", "e"} }),
			want{TierSelfServe, 15, []string{"new_third_parties: a, b, c, d, e — the design brings in 5 new third parties (+15)"}, nil}},
		{"score reaches security-led", with(func(a *Answers) {
			a.InternetFacing, a.AuthChanges, a.Criticality = model.Yes, model.Yes, model.High
			a.SensitiveData = []model.DataKind{model.DataPII, model.DataCredentials}
		}), want{TierSecurityLed, 63, []string{
			"internet_facing: yes — part of the system is reachable from the internet (+15)",
			"sensitive_data: credentials — the system handles credentials or authentication data (+20)",
			"sensitive_data: pii — the system handles personal data (PII) (another kind of sensitive data) (+3)",
			"auth_changes: yes — the design changes authentication or authorization (+15)",
			"criticality: high — the system's business criticality is high (+10)",
		}, nil}},
		{"payment card is always security-led", with(func(a *Answers) { a.SensitiveData = []model.DataKind{model.DataPaymentCard} }),
			want{TierSecurityLed, 25, []string{
				"sensitive_data: payment_card — the system handles payment card data (+25)",
				"sensitive_data: payment_card — payment card data puts the system in PCI DSS scope (always security-led)",
			}, nil}},
		{"everything unknown", Answers{}, want{TierSecurityLed, 75, []string{
			"paved_path: unknown — counted as off the paved path until answered (answer it to refine) (+15)",
			"internet_facing: unknown — counted as internet-facing until answered (answer it to refine) (+15)",
			"sensitive_data: unknown — counted as handling sensitive data until answered (answer it to refine) (+15)",
			"new_third_parties: unknown — counted as one new third party until answered (answer it to refine) (+5)",
			"auth_changes: unknown — counted as changing authentication until answered (answer it to refine) (+15)",
			"criticality: unknown — criticality counted as high until answered (answer it to refine) (+10)",
		}, []Question{QPavedPath, QInternetFacing, QSensitiveData, QNewThirdParties, QAuthChanges, QCriticality}}},
		{"one unknown prevents none", with(func(a *Answers) { a.AuthChanges = model.Unknown }),
			want{TierSelfServe, 15, []string{"auth_changes: unknown — counted as changing authentication until answered (answer it to refine) (+15)"}, []Question{QAuthChanges}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate(tt.a, DefaultPolicy())
			got := want{Tier: r.Tier, Score: r.Score, Unknown: r.Unknown}
			for _, rs := range r.Reasons {
				got.Reasons = append(got.Reasons, rs.String())
			}
			if len(got.Unknown) == 0 {
				got.Unknown = nil
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
			if r.Summary == "" || r.Policy != "default" {
				t.Errorf("summary %q, policy %q", r.Summary, r.Policy)
			}
			for _, rs := range r.Reasons {
				if rs.Question == "" || rs.Answer == "" {
					t.Errorf("reason %+v does not name its answer", rs)
				}
			}
		})
	}
}

// unknownize returns a with question q unanswered.
func unknownize(a Answers, q Question) Answers {
	switch q {
	case QPavedPath:
		a.PavedPath = model.Unknown
	case QInternetFacing:
		a.InternetFacing = model.Unknown
	case QAuthChanges:
		a.AuthChanges = model.Unknown
	case QCriticality:
		a.Criticality = model.LevelUnset
	case QSensitiveData:
		a.SensitiveData, a.SensitiveDataKnown = nil, false
	case QNewThirdParties:
		a.NewThirdParties, a.NewThirdPartiesKnown = nil, false
	}
	return a
}

// makeHarmless returns a with question q given the harmless answer.
func makeHarmless(a Answers, q Question) Answers {
	h := harmless()
	switch q {
	case QPavedPath:
		a.PavedPath = h.PavedPath
	case QInternetFacing:
		a.InternetFacing = h.InternetFacing
	case QAuthChanges:
		a.AuthChanges = h.AuthChanges
	case QCriticality:
		a.Criticality = h.Criticality
	case QSensitiveData:
		a.SensitiveData, a.SensitiveDataKnown = []model.DataKind{}, true
	case QNewThirdParties:
		a.NewThirdParties, a.NewThirdPartiesKnown = []string{}, true
	}
	return a
}

func randomAnswers(r *rand.Rand) Answers {
	tri := func() model.Tri { return model.Tri(r.IntN(3)) }
	a := Answers{PavedPath: tri(), InternetFacing: tri(), AuthChanges: tri(), Criticality: model.Level(r.IntN(5))}
	if r.IntN(3) > 0 {
		a.SensitiveDataKnown, a.SensitiveData = true, []model.DataKind{}
		for _, k := range model.DataKinds {
			if r.IntN(4) == 0 {
				a.SensitiveData = append(a.SensitiveData, k)
			}
		}
	}
	if r.IntN(3) > 0 {
		a.NewThirdPartiesKnown, a.NewThirdParties = true, []string{}
		for i := r.IntN(4); i > 0; i-- {
			a.NewThirdParties = append(a.NewThirdParties, "vendor")
		}
	}
	return a
}

// TestUnknownNeverLowers checks, over many answers and policies, that leaving
// a question unknown never gives a lower tier or score than answering it
// with the harmless answer, and that unknowns are never tier none.
func TestUnknownNeverLowers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	policies := []Policy{DefaultPolicy(), randomPolicy(r), randomPolicy(r), randomPolicy(r)}
	// An odd policy whose override fires on harmless answers.
	odd := DefaultPolicy()
	odd.Overrides = append(odd.Overrides,
		Override{When: Condition{PavedPath: []model.Tri{model.Yes}, Criticality: []string{"low"}}, Tier: TierSecurityLed, Reason: "odd"})
	policies = append(policies, odd)
	for i := 0; i < 3000; i++ {
		a := randomAnswers(r)
		p := policies[i%len(policies)]
		for _, q := range Questions {
			known := Evaluate(makeHarmless(a, q.ID), p)
			unk := Evaluate(unknownize(a, q.ID), p)
			if unk.Tier.Rank() < known.Tier.Rank() || unk.Score < known.Score {
				t.Fatalf("policy %s, answers %+v: %s unknown gives %s/%d, harmless answer gives %s/%d",
					p.Name, a, q.ID, unk.Tier, unk.Score, known.Tier, known.Score)
			}
			if q.ID != QCriticality && unk.Tier == TierNone {
				t.Fatalf("%s unknown gave tier none", q.ID)
			}
			if !contains(unk.Unknown, q.ID) {
				t.Fatalf("%s unknown is not listed in %v", q.ID, unk.Unknown)
			}
		}
	}
}

func contains(qs []Question, q Question) bool {
	for _, x := range qs {
		if x == q {
			return true
		}
	}
	return false
}

func randomPolicy(r *rand.Rand) Policy {
	p := DefaultPolicy()
	p.Name = "random"
	n := func() int { return r.IntN(40) }
	w := &p.Weights
	w.OffPavedPath, w.InternetFacing, w.AuthChanges, w.NewThirdParty, w.NewThirdPartyMax, w.ExtraSensitiveKind = n(), n(), n(), n(), n(), n()
	w.SensitiveData = KindWeights{n(), n(), n(), n(), n(), n(), n()}
	w.Criticality = LevelWeights{Low: n(), Medium: n(), High: n(), Critical: n()}
	w.Criticality.Unknown = w.Criticality.Low + r.IntN(20)
	p.Thresholds = Thresholds{SelfServe: 1 + r.IntN(40), SecurityLed: 20 + r.IntN(60)}
	if err := p.Validate(); err != nil {
		panic(err)
	}
	return p
}

func TestMergeAndUnknown(t *testing.T) {
	low := Answers{PavedPath: model.No, SensitiveData: []model.DataKind{model.DataPII}, Criticality: model.High}
	high := Answers{PavedPath: model.Yes, SensitiveDataKnown: true, SensitiveData: []model.DataKind{}}
	got := low.Merge(high)
	want := Answers{PavedPath: model.Yes, SensitiveDataKnown: true, SensitiveData: []model.DataKind{}, Criticality: model.High}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Question{QInternetFacing, QNewThirdParties, QAuthChanges}, got.Unknown()); diff != "" {
		t.Errorf("Unknown (-want +got):\n%s", diff)
	}
}

func TestFromContext(t *testing.T) {
	c := model.Context{PavedPath: model.Yes, NewThirdParties: []string{}}
	a := FromContext(c, false)
	if a.Known(QSensitiveData) || !a.Known(QNewThirdParties) || !a.Known(QPavedPath) {
		t.Errorf("FromContext(no sensitive_data key) = %+v", a)
	}
	if a := FromContext(c, true); !a.Known(QSensitiveData) || len(a.SensitiveData) != 0 {
		t.Errorf("FromContext(sensitive_data: []) = %+v", a)
	}
}

func TestDefaultPolicyValid(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatal(err)
	}
}
