package risk

import (
	"slices"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/model"
)

// TestRepudiationImpact: a repudiation threat's impact is the integrity
// need one step lower (what is lost is the record of who acted, not the
// change), the asset's business value still a floor; the other categories
// on integrity keep the need as it is.
func TestRepudiationImpact(t *testing.T) {
	ledger := &model.Asset{ID: "ledger", Integrity: model.Critical}
	notes := &model.Asset{ID: "notes", Integrity: model.Low}
	worth := &model.Asset{ID: "worth", Integrity: model.High, Value: model.Critical}
	m := &model.Model{Assets: []*model.Asset{ledger, notes, worth}}
	const step = "; one step less for repudiation (what is lost is the record of who acted, not the change)"
	for _, tc := range []struct {
		cat  model.Category
		as   *model.Asset
		want model.Impact
		why  string
	}{
		{model.Repudiation, ledger, 4, "ledger needs critical integrity" + step},
		{model.Tampering, ledger, 5, "ledger needs critical integrity"},
		{model.Spoofing, ledger, 5, "ledger needs critical integrity"},
		{model.Repudiation, notes, 2, "notes needs low integrity"}, // low is the floor of the scale of needs
		{model.Repudiation, worth, 5, "worth needs critical integrity"},
	} {
		f := &model.Finding{Category: tc.cat, Assets: []*model.Asset{tc.as}}
		if got, why := ImpactOf(m, f); got != tc.want || why != tc.why {
			t.Errorf("%s on %s: %d %q, want %d %q", tc.cat, tc.as.ID, got, why, tc.want, tc.why)
		}
		// Assess words it the same (the explainer's shared wording).
		c := &model.Component{ID: "svc", Kind: model.KindService}
		mm := &model.Model{Assets: m.Assets, Components: []*model.Component{c}}
		mm.Index()
		g := &model.Finding{ID: "r:svc", Category: tc.cat, Assets: []*model.Asset{tc.as}, Targets: []model.Target{{Component: c}}}
		Assess(mm, []*model.Finding{g}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if g.Inherent.Impact != tc.want || !slices.Contains(g.Rationale, tc.why) {
			t.Errorf("assessed %s on %s: impact %d %v, want %d %q", tc.cat, tc.as.ID, g.Inherent.Impact, g.Rationale, tc.want, tc.why)
		}
	}
}

// TestStoreSoughtOut: disclosing a data store or storage whose data's
// disclosure is severe is possible at least, and the uncertainty factor
// does not lower it below possible; a queue, a service, tampering, data
// needing only high confidentiality, a threat naming a hop too and a
// likelihood the team stated keep the exposure, and so does the store's
// administrators' access (privileged-store-access): the infrastructure's
// own insiders are not who seeks the store out.
func TestStoreSoughtOut(t *testing.T) {
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	vault := &model.Boundary{ID: "vault", Trust: model.TrustRestricted}
	cards := &model.Asset{ID: "cards", Confidentiality: model.Critical}
	notes := &model.Asset{ID: "notes", Confidentiality: model.High}
	db := &model.Component{ID: "db", Kind: model.KindDatastore, Boundary: dc}
	bucket := &model.Component{ID: "bucket", Kind: model.KindStorage, Boundary: vault}
	queue := &model.Component{ID: "queue", Kind: model.KindQueue, Boundary: dc}
	api := &model.Component{ID: "api", Kind: model.KindService, Boundary: dc}
	hop := &model.Flow{ID: "hop", From: api, To: db}
	m := &model.Model{Boundaries: []*model.Boundary{dc, vault}, Assets: []*model.Asset{cards, notes},
		Components: []*model.Component{db, bucket, queue, api}, Flows: []*model.Flow{hop}}
	m.Index()
	on := func(cs ...*model.Component) []model.Target {
		var ts []model.Target
		for _, c := range cs {
			ts = append(ts, model.Target{Component: c})
		}
		return ts
	}
	for _, tc := range []struct {
		name               string
		rule               string
		cat                model.Category
		targets            []model.Target
		asset              *model.Asset
		threat             *model.Threat
		inherent, residual model.Likelihood
	}{
		{"a database on the internal network", "", model.InformationDisclosure, on(db), cards, nil, 3, 3},                         // was 2 and 2
		{"a bucket in a restricted zone", "", model.InformationDisclosure, on(bucket), cards, nil, 3, 3},                          // was 1 and 1
		{"the stores of a zone", "", model.InformationDisclosure, on(db, bucket), cards, nil, 3, 3},                               // a zone-wide threat
		{"a queue: messages in passing", "", model.InformationDisclosure, on(queue), cards, nil, 2, 2},                            //
		{"a service", "", model.InformationDisclosure, on(api), cards, nil, 2, 2},                                                 //
		{"a store and a service", "", model.InformationDisclosure, on(db, api), cards, nil, 2, 2},                                 //
		{"a hop into the store", "", model.InformationDisclosure, []model.Target{{Flow: hop}, {Component: db}}, cards, nil, 2, 2}, //
		{"tampering with the store", "", model.Tampering, on(db), &model.Asset{ID: "t", Integrity: model.Critical}, nil, 2, 2},    //
		{"data needing high confidentiality", "", model.InformationDisclosure, on(db), notes, nil, 2, 2},                          //
		{"the store's administrators", "privileged-store-access", model.InformationDisclosure, on(db), cards, nil, 2, 2},
		{"broad grants on the store", "sensitive-store-broad-access", model.InformationDisclosure, on(db), cards, nil, 3, 3},
		{"a likelihood the team stated", "", model.InformationDisclosure, on(db), cards, &model.Threat{Likelihood: 2}, 2, 2}, //
	} {
		f := &model.Finding{ID: "r:" + tc.name, Rule: tc.rule, Category: tc.cat, Targets: tc.targets, Assets: []*model.Asset{tc.asset}, Status: model.StatusUnverified, Threat: tc.threat}
		if tc.rule != "" {
			f.Origin = model.OriginBuiltin
		}
		if tc.threat != nil {
			f.Status = ""
		}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.inherent || f.Residual.Likelihood != tc.residual {
			t.Errorf("%s: likelihood %d, residual %d; want %d, %d (%v)", tc.name, f.Inherent.Likelihood, f.Residual.Likelihood, tc.inherent, tc.residual, f.Rationale)
		}
		if sought := slices.Contains(f.Rationale, soughtWhy); sought != (tc.inherent == soughtLikelihood && tc.threat == nil) {
			t.Errorf("%s: reason given %v (%v)", tc.name, sought, f.Rationale)
		}
	}
}

// TestGuessedStoreSoughtOut: a store whose data states no sensitivity but
// whose words name secrets, credentials, card, health or financial data
// (impact 4, read from the words) is sought out as a store of critical
// data is: possible at least, with its own reason. Personal data read from
// the words, data taken as confidential because nothing is stated, a store
// that also holds stated high data, and impact 4 stated by the model keep
// the exposure.
func TestGuessedStoreSoughtOut(t *testing.T) {
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	guess := func(id, desc string) *model.Asset {
		a := &model.Asset{ID: id, Description: desc}
		model.InferAsset(a, false)
		return a
	}
	tokens := guess("bank-tokens", "bank account tokens")
	health := guess("records", "patient health records")
	people := guess("profiles", "customer profiles")
	drafts := guess("drafts", "article drafts")
	stated := &model.Asset{ID: "notes", Confidentiality: model.High}
	if tokens.Inferred&model.InferredData == 0 || health.Inferred&model.InferredData == 0 || people.Inferred&model.InferredData == 0 || drafts.Inferred&model.InferredClass == 0 {
		t.Fatalf("inference changed: %v %v %v %v", tokens.Inferred, health.Inferred, people.Inferred, drafts.Inferred)
	}
	db := &model.Component{ID: "db", Kind: model.KindDatastore, Boundary: dc}
	api := &model.Component{ID: "api", Kind: model.KindService, Boundary: dc}
	m := &model.Model{Boundaries: []*model.Boundary{dc}, Assets: []*model.Asset{tokens, health, people, drafts, stated},
		Components: []*model.Component{db, api}}
	m.Index()
	for _, tc := range []struct {
		name     string
		on       *model.Component
		assets   []*model.Asset
		inherent model.Likelihood
	}{
		{"tokens read from the words", db, []*model.Asset{tokens}, 3},
		{"health data read from the words", db, []*model.Asset{health, people}, 3},
		{"personal data read from the words", db, []*model.Asset{people}, 2},
		{"data taken as confidential", db, []*model.Asset{drafts}, 2},
		{"beside stated high data", db, []*model.Asset{tokens, stated}, 2},
		{"on a service", api, []*model.Asset{tokens}, 2},
	} {
		f := &model.Finding{ID: "r:" + tc.name, Category: model.InformationDisclosure, Targets: []model.Target{{Component: tc.on}},
			Assets: tc.assets, Status: model.StatusUnverified}
		Assess(m, []*model.Finding{f}, Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if f.Inherent.Likelihood != tc.inherent || f.Residual.Likelihood != tc.inherent {
			t.Errorf("%s: likelihood %d, residual %d; want %d (%v)", tc.name, f.Inherent.Likelihood, f.Residual.Likelihood, tc.inherent, f.Rationale)
		}
		if got := slices.Contains(f.Rationale, soughtGuessWhy); got != (tc.inherent == soughtLikelihood) {
			t.Errorf("%s: reason given %v (%v)", tc.name, got, f.Rationale)
		}
	}
}
