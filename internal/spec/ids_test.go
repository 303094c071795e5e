package spec

import "testing"

func TestCompactIDs(t *testing.T) {
	docs := []parsed{
		{doc: &Document{Assets: []*Asset{{ID: "cards"}, nil}, Components: []*Component{{ID: "api"}, {ID: ""}, nil, {ID: "db"}},
			Flows: []*Flow{{ID: "api-db"}, {}}}},
		{doc: &Document{Components: []*Component{{ID: "worker"}}, Flows: []*Flow{nil, {ID: "w-db"}}}},
		{doc: &Document{}},
	}
	compactIDs(docs)
	var got []string
	for _, p := range docs {
		for _, a := range p.doc.Assets {
			if a != nil {
				got = append(got, a.ID)
			}
		}
		for _, c := range p.doc.Components {
			if c != nil {
				got = append(got, c.ID)
			}
		}
		for _, f := range p.doc.Flows {
			if f != nil {
				got = append(got, f.ID)
			}
		}
	}
	want := []string{"cards", "api", "", "db", "api-db", "", "worker", "w-db"}
	if len(got) != len(want) {
		t.Fatalf("ids %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ids %q, want %q", got, want)
			break
		}
	}
	compactIDs(nil) // no files: nothing to do
}
