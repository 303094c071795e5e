package threatcomposer

import "github.com/wardtm/ward/internal/interop"

// AppendIndentedJSON implements interop.IndentedJSONAppender: a threat
// writes the bytes encoding/json gives it (reflection over a workspace's
// threats was most of an export's time), which
// TestThreatJSONIsEncodingJSON checks.
func (t threat) AppendIndentedJSON(dst []byte, prefix string) ([]byte, error) {
	return t.appendJSON(dst, prefix, t.Metadata, nil, nil, -1)
}

// appendJSON is AppendIndentedJSON with metadata md (for t.Metadata) and,
// when stmt is not nil, the
// statement clip(stmt.String(), maxStatement) and, when com is not nil,
// the value of metadata entry comment clip(com.String(), maxComment),
// written from their parts (textParts.appendClipped).
func (t *threat) appendJSON(dst []byte, prefix string, md []metadata, stmt, com *textParts, comment int) ([]byte, error) {
	w := interop.JSONW{B: dst, Prefix: prefix}
	w.Open('{')
	w.Str("id", t.ID)
	w.Int("numericId", t.NumericID)
	w.Int("displayOrder", t.DisplayOrder)
	w.Key("metadata")
	if md == nil {
		w.B = append(w.B, "null"...)
	} else {
		w.Open('[')
		for j, m := range md {
			w.Item()
			w.Open('{')
			w.Str("key", m.Key)
			w.Key("value")
			if j == comment && com != nil {
				w.B = com.appendClipped(w.B, maxComment)
			} else {
				w.Any(m.Value)
			}
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
	if stmt != nil {
		w.Key("statement")
		w.B = stmt.appendClipped(w.B, maxStatement)
	} else {
		w.Str("statement", t.Statement)
	}
	w.StrOmit("status", t.Status)
	w.Close('}')
	return w.B, w.Err()
}

// labelsJSON writes a shared list of asset labels: the bytes the first
// threat wrote (interop.JSONOnce), as a few rules put hundreds of assets
// at stake for thousands of threats.
func labelsJSON(w *interop.JSONW, at *assetTexts) {
	if !at.json.Copy(w) {
		start := len(w.B)
		w.Strings(at.labels)
		at.json.Keep(w, start)
	}
}
