package otm

import "github.com/wardtm/ward/internal/interop"

// The long lists of an export (threats, components, data flows) write
// their own JSON (interop.IndentedJSONAppender): the bytes encoding/json
// gives them, which TestExportItemsAreEncodingJSON checks.

// AppendIndentedJSON implements interop.IndentedJSONAppender.
func (t threat) AppendIndentedJSON(dst []byte, prefix string) ([]byte, error) {
	w := interop.JSONW{B: dst, Prefix: prefix}
	w.Open('{')
	w.Str("id", t.ID)
	w.Str("name", t.Name)
	w.StrOmit("description", t.Description)
	if len(t.Categories) > 0 {
		w.Key("categories")
		w.StringPtrs(t.Categories)
	}
	if len(t.CWEs) > 0 {
		w.Key("cwes")
		w.StringPtrs(t.CWEs)
	}
	w.Key("risk")
	if r := t.Risk; r == nil {
		w.B = append(w.B, "null"...)
	} else {
		w.Open('{')
		w.Key("likelihood")
		if r.Likelihood == nil {
			w.B = append(w.B, "null"...)
		} else {
			w.Float64(*r.Likelihood)
		}
		if r.LikelihoodComment == "" && r.rationale != nil {
			w.StrJoinedOmit("likelihoodComment", r.rationale, "; ")
		} else {
			w.StrOmit("likelihoodComment", r.LikelihoodComment)
		}
		w.Float("impact", r.Impact)
		w.StrOmit("impactComment", r.ImpactComment)
		w.Close('}')
	}
	if len(t.Tags) > 0 {
		w.Key("tags")
		w.StringPtrs(t.Tags)
	}
	if sa := t.attrs; sa != nil && len(t.Attributes) > 0 && len(t.Attributes) == len(sa.m) {
		w.Key("attributes")
		if !sa.json.Copy(&w) {
			start := len(w.B)
			w.Map(sa.m)
			sa.json.Keep(&w, start)
		}
	} else {
		attributes(&w, "attributes", t.Attributes)
	}
	w.Close('}')
	return w.B, w.Err()
}

// AppendIndentedJSON implements interop.IndentedJSONAppender.
func (c component) AppendIndentedJSON(dst []byte, prefix string) ([]byte, error) {
	w := interop.JSONW{B: dst, Prefix: prefix}
	w.Open('{')
	w.Str("id", c.ID)
	w.Str("name", c.Name)
	w.Str("type", c.Type)
	w.StrOmit("description", c.Description)
	w.Key("parent")
	if p := c.Parent; p == nil {
		w.B = append(w.B, "null"...)
	} else {
		w.Open('{')
		w.StrOmit("trustZone", p.TrustZone)
		w.StrOmit("component", p.Component)
		w.Close('}')
	}
	anys(&w, "representations", c.Representations)
	if a := c.Assets; a != nil {
		w.Key("assets")
		w.Open('{')
		if len(a.Processed) > 0 {
			w.Key("processed")
			w.StringPtrs(a.Processed)
		}
		if len(a.Stored) > 0 {
			w.Key("stored")
			w.StringPtrs(a.Stored)
		}
		w.Close('}')
	}
	instances(&w, c.Threats)
	if len(c.Tags) > 0 {
		w.Key("tags")
		w.StringPtrs(c.Tags)
	}
	attributes(&w, "attributes", c.Attributes)
	kvs(&w, "attributes", c.attrs)
	attributes(&w, "properties", c.Properties)
	w.Close('}')
	return w.B, w.Err()
}

// AppendIndentedJSON implements interop.IndentedJSONAppender.
func (f dataflow) AppendIndentedJSON(dst []byte, prefix string) ([]byte, error) {
	w := interop.JSONW{B: dst, Prefix: prefix}
	w.Open('{')
	w.Str("id", f.ID)
	w.Str("name", f.Name)
	w.StrOmit("description", f.Description)
	if f.Bidirectional != nil {
		w.Bool("bidirectional", *f.Bidirectional)
	}
	w.Str("source", f.Source)
	w.Str("destination", f.Destination)
	if len(f.Assets) > 0 {
		w.Key("assets")
		w.StringPtrs(f.Assets)
	}
	instances(&w, f.Threats)
	if len(f.Tags) > 0 {
		w.Key("tags")
		w.StringPtrs(f.Tags)
	}
	anys(&w, "representations", f.Representations)
	attributes(&w, "attributes", f.Attributes)
	kvs(&w, "attributes", f.attrs)
	attributes(&w, "properties", f.Properties)
	w.Close('}')
	return w.B, w.Err()
}

// attributes writes a map member tagged omitempty.
func attributes(w *interop.JSONW, k string, m map[string]any) {
	if len(m) > 0 {
		w.Key(k)
		w.Map(m)
	}
}

// kvs writes attributes held as pairs (omitempty), as attributes writes
// their map.
func kvs(w *interop.JSONW, k string, kv []interop.KV) {
	if len(kv) > 0 {
		w.Key(k)
		w.KVs(kv)
	}
}

// anys writes a list member tagged omitempty.
func anys(w *interop.JSONW, k string, xs []any) {
	if len(xs) == 0 {
		return
	}
	w.Key(k)
	w.Open('[')
	for _, x := range xs {
		w.Item()
		w.Any(x)
	}
	w.Close(']')
}

// instances writes an element's threat instances (omitempty).
func instances(w *interop.JSONW, ts []threatInstance) {
	if len(ts) == 0 {
		return
	}
	w.Key("threats")
	w.Open('[')
	for _, t := range ts {
		w.Item()
		w.Open('{')
		w.Str("threat", t.Threat)
		w.Str("state", t.State)
		if len(t.Mitigations) > 0 {
			w.Key("mitigations")
			w.Open('[')
			for _, m := range t.Mitigations {
				w.Item()
				if m == nil {
					w.B = append(w.B, "null"...)
					continue
				}
				w.Open('{')
				w.Str("mitigation", m.Mitigation)
				w.Str("state", m.State)
				w.Close('}')
			}
			w.Close(']')
		}
		w.Close('}')
	}
	w.Close(']')
}
