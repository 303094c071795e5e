package rules_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rules"
)

// TestZoneWideAcrossOwnZones: backups are one practice across the
// organisation's own zones (noise24): the unknown backups of the stores in
// the internal zone and the restricted one are one threat naming each
// store and asking each one's question, not one per zone; a store stated
// without backups stays its own open threat, one stated backed up is not
// named. A partner's zone's stores are asked and raise nothing while their
// backups are unknown (noise25: backed up by whoever runs that platform).
func TestZoneWideAcrossOwnZones(t *testing.T) {
	fs, qs := run(t, filepath.Join("testdata", "noise24", "own-zones.yaml"), rules.All())
	const id = "store-without-backups"
	if got, want := ofRule(fs, id, model.StatusUnverified), []string{id + ":dc"}; !slices.Equal(got, want) {
		t.Fatalf("unverified threats %v, want %v", got, want)
	}
	if got, want := ofRule(fs, id, model.StatusOpen), []string{id + ":gone-db"}; !slices.Equal(got, want) {
		t.Errorf("open threats %v, want %v", got, want)
	}
	named := map[string][]string{}
	for _, f := range fs {
		if f.Rule == id && f.Status == model.StatusUnverified {
			for _, tg := range f.Targets {
				named[f.ID] = append(named[f.ID], tg.ID())
			}
		}
	}
	if got, want := named[id+":dc"], []string{"orders-db", "ledger-db", "ledger-archive"}; !slices.Equal(got, want) {
		t.Errorf("the own zones' threat names %v, want %v", got, want)
	}
	got := asking(qs, id)
	for _, c := range []string{"orders-db", "ledger-db", "ledger-archive", "fulfil-db", "fulfil-files"} {
		if !slices.Contains(got, c+".backups") {
			t.Errorf("questions %v lack %s.backups", got, c)
		}
	}
}
