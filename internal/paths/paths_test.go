package paths

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/model"
)

// testModel: user (internet person) → web (internet service) → api → db,
// with a weak side route web → legacy → db and a one-way api → queue.
func testModel() *model.Model {
	inet := &model.Boundary{ID: "inet", Trust: model.TrustInternet}
	dc := &model.Boundary{ID: "dc", Trust: model.TrustInternal}
	secret := &model.Asset{ID: "secret", Classification: model.ClassRestricted}
	pub := &model.Asset{ID: "pub", Classification: model.ClassPublic, Confidentiality: model.Low, Integrity: model.Low, Availability: model.Low}
	c := func(id string, k model.ComponentKind, b *model.Boundary) *model.Component {
		return &model.Component{ID: id, Kind: k, Boundary: b}
	}
	user, web, api, legacy, db, q := c("user", model.KindPerson, inet), c("web", model.KindService, inet), c("api", model.KindService, dc),
		c("legacy", model.KindService, dc), c("db", model.KindDatastore, dc), c("queue", model.KindQueue, dc)
	api.Controls[model.CtlAuthenticates] = model.Yes
	api.Controls[model.CtlAuthorizes] = model.Yes
	legacy.Controls[model.CtlAuthenticates] = model.No
	db.Stores = []*model.Asset{secret}
	q.Stores = []*model.Asset{pub}
	f := func(id string, from, to *model.Component, auth model.Auth, enc model.Encryption) *model.Flow {
		return &model.Flow{ID: id, From: from, To: to, Authentication: auth, Encryption: enc}
	}
	m := &model.Model{Assets: []*model.Asset{secret, pub}, Boundaries: []*model.Boundary{inet, dc},
		Components: []*model.Component{user, web, api, legacy, db, q},
		Flows: []*model.Flow{
			f("user-web", user, web, model.AuthNone, model.EncTLS),
			f("web-api", web, api, model.AuthToken, model.EncTLS),
			f("api-db", api, db, model.AuthPassword, model.EncTLS),
			f("web-legacy", web, legacy, model.AuthNone, model.EncNone),
			f("legacy-db", legacy, db, model.AuthNone, model.EncNone),
			{ID: "api-queue", From: api, To: q, OneWay: true},
		}}
	m.Index()
	return m
}

func route(p Path) []string {
	out := []string{p.Entry.ID}
	for _, h := range p.Hops {
		out = append(out, h.Flow.ID)
	}
	return out
}

func TestFind(t *testing.T) {
	m := testModel()
	r := Find(m, Options{})
	var entries []string
	for _, e := range r.Entries {
		entries = append(entries, e.ID)
	}
	if diff := cmp.Diff([]string{"user", "web"}, entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	var got [][]string
	for _, p := range r.Paths {
		got = append(got, route(p))
	}
	// Paths start at the last entry point (web), never pass through one,
	// weakest first; the public asset is not a target.
	want := [][]string{{"web", "web-legacy", "legacy-db"}, {"web", "web-api", "api-db"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	if w := r.Paths[0].Hops[0].Weaknesses; !slices.Contains(w, WeakUnauthenticated) || !slices.Contains(w, WeakPlaintext) || !slices.Contains(w, WeakNoAuthn) {
		t.Errorf("weaknesses of web-legacy = %v", w)
	}
	if r.Paths[0].Score >= r.Paths[1].Score {
		t.Errorf("scores not ascending: %d, %d", r.Paths[0].Score, r.Paths[1].Score)
	}
	// K and MaxPaths bound the list.
	if r := Find(m, Options{K: 1}); len(r.Paths) != 1 {
		t.Errorf("K=1: %d paths", len(r.Paths))
	}
	if r := Find(m, Options{MaxPaths: 1}); len(r.Paths) != 1 {
		t.Errorf("MaxPaths=1: %d paths", len(r.Paths))
	}
	// --asset makes any asset a target; --from any component a start.
	r = Find(m, Options{Assets: []*model.Asset{m.Asset("pub")}, From: []*model.Component{m.Component("user")}})
	if len(r.Paths) != 1 || !slices.Equal(route(r.Paths[0]), []string{"user", "user-web", "web-api", "api-queue"}) {
		t.Errorf("from user, web is no longer an entry point: %v", r.Paths)
	}
	r = Find(m, Options{Assets: []*model.Asset{m.Asset("pub")}, From: []*model.Component{m.Component("api")}})
	if len(r.Paths) != 1 || r.Paths[0].Target.ID != "queue" {
		t.Errorf("api → queue: %v", r.Paths)
	}
}

func TestFindingsWeaken(t *testing.T) {
	m := testModel()
	before := Find(m, Options{}).Paths[1].Score
	f := &model.Finding{ID: "x", Status: model.StatusOpen, Targets: []model.Target{{Flow: m.Flow("api-db")}}}
	f.Residual.Severity = model.SevHigh
	after := Find(m, Options{Findings: []*model.Finding{f}}).Paths[1]
	if after.Score != before-1 || !slices.Contains(after.Hops[1].Findings, "x") {
		t.Errorf("score %d → %d, findings %v", before, after.Score, after.Hops[1].Findings)
	}
}

func TestBlast(t *testing.T) {
	m := testModel()
	r := Blast(m, m.Component("api"))
	type reach struct {
		ID   string
		Hops int
		Resp bool
	}
	var got []reach
	for _, c := range r.Components {
		got = append(got, reach{c.Component.ID, c.Hops, c.Response})
	}
	want := []reach{{"db", 1, false}, {"queue", 1, false}, {"web", 1, true}, {"legacy", 2, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	var assets []string
	for _, a := range r.Assets {
		assets = append(assets, a.Asset.ID)
	}
	if diff := cmp.Diff([]string{"secret", "pub"}, assets); diff != "" {
		t.Errorf("assets (-want +got):\n%s", diff)
	}
}
