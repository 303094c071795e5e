package report

import (
	"strings"
	"testing"
)

// TestHeldMark: a threat whose title says a component holds an asset it
// holds only by Ward's reading of its flows is marked inferred, and so is
// a question asked only for such threats; a stated holding is not.
func TestHeldMark(t *testing.T) {
	model := strings.Replace(heldDiagramModel, "classification: internal", "classification: confidential", 1)
	// vault in a zone of its own: in a model without boundaries the two
	// stores' threats would be one (noise26), and each title is checked.
	model = strings.Replace(model, "{id: vault, kind: datastore,", "{id: vault, kind: datastore, boundary: vault-zone,", 1)
	model = strings.Replace(model, "components:", "boundaries:\n  - {id: vault-zone, trust: restricted}\ncomponents:", 1)
	_, r := analyseYAML(t, "m.yaml", model)
	const mark = " (inferred: what `db` holds is read from its flows)"
	titles := map[string]string{}
	for _, f := range r.Findings {
		titles[f.ID] = f.Title
	}
	if got := titles["sensitive-store-unencrypted:db"]; !strings.HasSuffix(got, mark) {
		t.Errorf("db's title %q, want it marked %q", got, mark)
	}
	if got := titles["sensitive-store-unencrypted:vault"]; got == "" || strings.Contains(got, "inferred") {
		t.Errorf("vault's title %q, want it raised and unmarked (its stores are stated)", got)
	}
	qs := questionsByID(r.Questions)
	if q := qs["db.encrypts_at_rest"]; q == nil || !strings.HasSuffix(q.Text, mark) {
		t.Errorf("db.encrypts_at_rest = %+v, want its text marked", q)
	}
	if q := qs["vault.encrypts_at_rest"]; q == nil || strings.Contains(q.Text, "inferred") {
		t.Errorf("vault.encrypts_at_rest = %+v, want it unmarked", q)
	}
	for _, c := range []struct {
		title, id string
		want      bool
	}{
		{"`db` stores `readings` without encryption", "readings", true},
		{"`db` stores `meter-readings`", "readings", false},
		{"`db` stores readings", "readings", false},
		{"`readings-db` holds `readings`", "readings", true},
	} {
		if got := namesAsset(c.title, c.id); got != c.want {
			t.Errorf("namesAsset(%q, %q) = %v, want %v", c.title, c.id, got, c.want)
		}
	}
}
