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
	if at := t.assets; at != nil && at.shared && len(t.ImpactedAssets) > 0 && &t.ImpactedAssets[0] == &at.labels[0] && len(t.ImpactedAssets) == len(at.labels) {
		labelsJSON(&w, at)
	} else {
		w.Strings(t.ImpactedAssets)
	}
	w.Str("statement", t.Statement)
	w.StrOmit("status", t.Status)
	w.Close('}')
	return w.B, w.Err()
}

// labelsJSON writes a shared list of asset labels: the bytes the first
// threat wrote, if written at the same place (the threats of an export
// all are), as a few rules put hundreds of assets at stake for thousands
// of threats.
func labelsJSON(w *interop.JSONW, at *assetTexts) {
	j := &at.json
	j.once.Do(func() {
		x := interop.JSONW{Prefix: w.Prefix}
		x.SetDepth(w.Depth())
		x.Strings(at.labels)
		j.prefix, j.depth, j.b = w.Prefix, w.Depth(), x.B
	})
	if j.prefix != w.Prefix || j.depth != w.Depth() {
		w.Strings(at.labels)
		return
	}
	w.B = append(w.B, j.b...)
}
