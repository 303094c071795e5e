package otm

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/jsonindent"
)

// TestExportItemsAreEncodingJSON: threats, components and data flows write
// what encoding/json writes for them, with every field set, with none, and
// with strings that need escaping; so a field added to one of these types
// without its line in jsonfast.go fails.
func TestExportItemsAreEncodingJSON(t *testing.T) {
	s := func(v string) *string { return &v }
	f := func(v float64) *float64 { return &v }
	yes, no := true, false
	odd := "<b>&\"x\"\n\xff\u2028"
	var cache sharedAttrsCache
	sa := cache.get(attrKey{"builtin", "r<1>", "open", 4, 5})
	items := []interop.IndentedJSONAppender{
		// Shared attributes: written once, then copied (at each prefix).
		threat{ID: "s1", Attributes: sa.m, attrs: sa}, threat{ID: "s2", Attributes: sa.m, attrs: sa},
		threat{},
		threat{ID: "t1", Name: odd, Description: odd, Categories: []*string{s("Spoofing"), nil}, CWEs: []*string{s("CWE-79")},
			Risk: &threatRisk{Likelihood: f(60), LikelihoodComment: odd, Impact: 12.5, ImpactComment: "c"}, Tags: []*string{s("a")},
			Attributes: map[string]any{"z": "1", "a": odd, "n": 3}},
		threat{ID: "t2", Risk: &threatRisk{}, Categories: []*string{}, Attributes: map[string]any{}},
		component{},
		component{ID: "c", Name: odd, Type: "service", Description: odd, Parent: &parent{TrustZone: "z", Component: "p"},
			Representations: []any{"r", map[string]any{"k": 1}}, Assets: &assetInstance{Processed: []*string{s("a")}, Stored: []*string{s("b")}},
			Threats: []threatInstance{{Threat: "t", State: "exposed", Mitigations: []*mitigationInstance{{Mitigation: "m", State: odd}, nil}},
				{Threat: "u", State: "mitigated"}}, Tags: []*string{s("x")},
			Attributes: map[string]any{"tech": odd, "port": 443}, Properties: map[string]any{"p": true}},
		component{ID: "d", Parent: &parent{}, Assets: &assetInstance{}, Threats: []threatInstance{}},
		dataflow{},
		dataflow{ID: "f", Name: odd, Description: odd, Bidirectional: &no, Source: "a", Destination: "b", Assets: []*string{s("x")},
			Threats: []threatInstance{{Threat: "t", State: "s", Mitigations: []*mitigationInstance{}}}, Tags: []*string{s("t")},
			Representations: []any{1.5}, Attributes: map[string]any{"port": 8080, "protocol": "https"}, Properties: map[string]any{"x": "y"}},
		dataflow{ID: "g", Bidirectional: &yes},
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
				t.Errorf("%T:\n got %s\nwant %s", x, got, want)
			}
		}
	}
}

// TestExportHiddenFieldsAsPublic: an exported threat's rationale and an
// element's attribute pairs write what the fields they stand for write.
func TestExportHiddenFieldsAsPublic(t *testing.T) {
	odd := "<b>&\"x\"\n\xff\u2028"
	for _, parts := range [][]string{{"a"}, {"a", odd, ""}, {""}, {"", ""}, {odd}} {
		hidden := threat{ID: "t", Risk: &threatRisk{rationale: parts}}
		public := threat{ID: "t", Risk: &threatRisk{LikelihoodComment: strings.Join(parts, "; ")}}
		got, _ := hidden.AppendIndentedJSON(nil, "  ")
		want, _ := public.AppendIndentedJSON(nil, "  ")
		if !bytes.Equal(got, want) {
			t.Errorf("rationale %q:\n got %s\nwant %s", parts, got, want)
		}
	}
	kv := []interop.KV{{K: "protocol", V: "https"}, {K: "port", V: 443}, {K: "mfa", V: odd}, {K: "port", V: 80}}
	m := map[string]any{"protocol": "https", "port": 80, "mfa": odd}
	for _, pair := range [][2]interop.IndentedJSONAppender{
		{component{ID: "c", attrs: slices.Clone(kv)}, component{ID: "c", Attributes: m}},
		{dataflow{ID: "f", attrs: slices.Clone(kv)}, dataflow{ID: "f", Attributes: m}},
		{dataflow{ID: "f", attrs: []interop.KV{}}, dataflow{ID: "f"}},
	} {
		got, _ := pair[0].AppendIndentedJSON(nil, "")
		want, _ := pair[1].AppendIndentedJSON(nil, "")
		if !bytes.Equal(got, want) {
			t.Errorf("%T:\n got %s\nwant %s", pair[0], got, want)
		}
	}
}
