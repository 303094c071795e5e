package risk

import (
	"slices"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestLowerRepeats: a rule's threat on its own element that repeats an
// (element, category) pair named before it goes to the end of the next
// band; a zone-wide threat (first target one of several), an open threat
// and the team's own threat keep their places, and closed threats stay
// last.
func TestLowerRepeats(t *testing.T) {
	api, web := &model.Component{ID: "api"}, &model.Component{ID: "web"}
	mk := func(id, rule string, c *model.Component, cat model.Category, r model.Risk, st model.Status) *model.Finding {
		return &model.Finding{ID: id, Rule: rule, Category: cat, Status: st,
			Targets: []model.Target{{Component: c}}, Inherent: r, Residual: r}
	}
	people := mk("t1", model.PeopleRule, api, model.Spoofing, Make(4, 5), model.StatusUnverified)
	people.Origin = model.OriginPeople
	zone := mk("logs:cloud", "logs", api, model.Spoofing, Make(4, 5), model.StatusUnverified)
	zone.Targets = append(zone.Targets, model.Target{Component: web})
	fs := []*model.Finding{
		mk("stuffing:api", "stuffing", api, model.Spoofing, Make(4, 5), model.StatusUnverified), // 1
		mk("guessing:api", "guessing", api, model.Spoofing, Make(4, 5), model.StatusUnverified), // 2: repeat, moves
		zone,   // 3: names api first but is on the zone: stays
		people, // 4: the team's: stays
		mk("gap:api", "gap", api, model.Spoofing, Make(4, 5), model.StatusOpen),                    // 5: open: stays
		mk("idor:api:tampering", "idor", api, model.Tampering, Make(4, 4), model.StatusUnverified), // high
		mk("xss:web", "xss", web, model.Tampering, Make(4, 4), model.StatusUnverified),             // high
		mk("dos:web", "dos", web, model.DenialOfService, Make(2, 4), model.StatusUnverified),       // medium
		mk("old:web", "old", web, model.Spoofing, Make(4, 5), model.StatusMitigated),               // closed
	}
	for i, f := range fs {
		f.Rank = i + 1
	}
	LowerRepeats(fs)
	var got []string
	for i, f := range fs {
		got = append(got, f.ID)
		if f.Rank != i+1 {
			t.Errorf("%s: rank %d at position %d", f.ID, f.Rank, i+1)
		}
	}
	want := []string{"stuffing:api", "logs:cloud", "t1", "gap:api", "idor:api:tampering", "xss:web", "guessing:api", "dos:web", "old:web"}
	if !slices.Equal(got, want) {
		t.Errorf("order\n %v, want\n %v", got, want)
	}
	if fs[6].Residual.Severity != model.SevCritical {
		t.Errorf("the moved threat's severity changed: %v", fs[6].Residual.Severity)
	}
}

func TestOnFirstTarget(t *testing.T) {
	fl := &model.Flow{ID: "a-b"}
	tests := []struct {
		id   string
		tg   model.Target
		want bool
	}{
		{"r:a-b", model.Target{Flow: fl}, true},
		{"r:a-b:spoofing", model.Target{Flow: fl}, true},
		{"r:a-b-c", model.Target{Flow: fl}, false},
		{"r:a-b:x", model.Target{Flow: fl}, false},
		{"r:zone", model.Target{Flow: fl}, false},
		{"other:a-b", model.Target{Flow: fl}, false},
	}
	for _, tt := range tests {
		f := &model.Finding{ID: tt.id, Rule: "r", Targets: []model.Target{tt.tg}}
		if got := onFirstTarget(f); got != tt.want {
			t.Errorf("onFirstTarget(%s) = %v, want %v", tt.id, got, tt.want)
		}
	}
}
