package threatcomposer

import "github.com/wardtm/ward/internal/interop"

// AppendIndentedJSON implements interop.IndentedJSONAppender: a threat
// writes the bytes encoding/json gives it (reflection over a workspace's
// threats was most of an export's time), which
// TestThreatJSONIsEncodingJSON checks.
func (t threat) AppendIndentedJSON(dst []byte, prefix string) ([]byte, error) {
	w := interop.JSONW{B: dst, Prefix: prefix}
	w.Open('{')
	w.Str("id", t.ID)
	w.Int("numericId", t.NumericID)
	w.Int("displayOrder", t.DisplayOrder)
	w.Key("metadata")
	if t.Metadata == nil {
		w.B = append(w.B, "null"...)
	} else {
		w.Open('[')
		for _, m := range t.Metadata {
			w.Item()
			w.Open('{')
			w.Str("key", m.Key)
			w.Key("value")
			w.Any(m.Value)
			w.Close('}')
		}
		w.Close(']')
	}
	if len(t.Tags) > 0 {
		w.Key("tags")
		w.Strings(t.Tags)
	}
	w.Str("threatSource", t.ThreatSource)
	w.Str("prerequisites", t.Prerequisites)
	w.Str("threatAction", t.ThreatAction)
	w.Str("threatImpact", t.ThreatImpact)
	w.Key("impactedGoal")
	w.Strings(t.ImpactedGoal)
	w.Key("impactedAssets")
	w.Strings(t.ImpactedAssets)
	w.Str("statement", t.Statement)
	w.StrOmit("status", t.Status)
	w.Close('}')
	return w.B, w.Err()
}
