package threatcomposer

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/wardtm/ward/internal/jsonindent"
)

// TestThreatJSONIsEncodingJSON: a threat writes what encoding/json writes
// for it, with every field set, with none, and with strings that need
// escaping; so a field added to threat without its line in jsonfast.go
// fails.
func TestThreatJSONIsEncodingJSON(t *testing.T) {
	odd := "<b>&\"x\"\n\xff\u2028"
	items := []threat{
		{},
		{ID: "id", NumericID: 3, DisplayOrder: 4, Metadata: []metadata{{Key: "Priority", Value: "High"}, {Key: "STRIDE", Value: []string{"S", "T"}},
			{Key: odd, Value: odd}, {Key: "n", Value: nil}}, Tags: []string{odd}, ThreatSource: odd, Prerequisites: odd, ThreatAction: odd,
			ThreatImpact: odd, ImpactedGoal: []string{"integrity"}, ImpactedAssets: []string{odd, "b"}, Statement: odd, Status: "threatIdentified"},
		{Metadata: []metadata{}, Tags: []string{}, ImpactedGoal: []string{}, ImpactedAssets: []string{}},
	}
	for _, x := range items {
		for _, prefix := range []string{"", "    "} {
			var b bytes.Buffer
			if err := json.NewEncoder(&b).Encode(x); err != nil {
				t.Fatal(err)
			}
			want := jsonindent.Append(nil, bytes.TrimSuffix(b.Bytes(), []byte("\n")), prefix)
			got, err := x.AppendIndentedJSON(nil, prefix)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got %s\nwant %s", got, want)
			}
		}
	}
}
