package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestJSONIsEncodingJSON checks that the streamed, hand-indented JSON is
// byte for byte what encoding/json writes for the whole result with a
// two-space indent and HTML left unescaped.
// The cases include a generated model whose lists span many of the
// chunks the writer encodes in parallel (streamCases).
func TestJSONIsEncodingJSON(t *testing.T) {
	if n := len(synthesised(t).Findings); n <= 2*jsonChunk {
		t.Errorf("the synthetic result has %d findings, too few to test chunks", n)
	}
	for name, r := range streamCases(t) {
		t.Run(name, func(t *testing.T) {
			var got, want bytes.Buffer
			if err := JSON(&got, r); err != nil {
				t.Fatal(err)
			}
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(r); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("JSON differs from encoding/json\n%s", firstDiff(got.String(), want.String()))
			}
		})
	}
}

var indentSeeds = []string{
	`{}`, `[]`, `""`, `0`, `null`, `{"a":[]}`, `{"a":{}}`, `[[],[{}]]`,
	`{"a":1,"b":[1,2,{"c":"d"}],"e":{"f":null}}`,
	`{"s":"quote \" brace { bracket ] comma , colon : backslash \\"}`,
	`["\\\\",  "\u00e9<&>", "\\u2028"]`,
	` { "spaced" : [ 1 , 2 ] } `,
}

// TestIndentJSON compares indentJSON with json.Indent on compact input.
func TestIndentJSON(t *testing.T) {
	for _, s := range indentSeeds {
		checkIndent(t, []byte(s))
	}
}

// FuzzIndentJSON compares indentJSON with json.Indent on any valid JSON,
// compacted as encoding/json marshals it; on any other input it must not
// panic.
func FuzzIndentJSON(f *testing.F) {
	for _, s := range indentSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"unterminated`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if !json.Valid(src) {
			indentJSON(nil, src, "  ")
			return
		}
		checkIndent(t, src)
	})
}

func checkIndent(t *testing.T, src []byte) {
	t.Helper()
	var compact bytes.Buffer
	if err := json.Compact(&compact, src); err != nil {
		t.Fatalf("compact %q: %v", src, err)
	}
	for _, prefix := range []string{"", "    "} {
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), prefix, "  "); err != nil {
			t.Fatal(err)
		}
		if got := indentJSON(nil, compact.Bytes(), prefix); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("indentJSON(%q, %q) =\n%s\nwant\n%s", compact.Bytes(), prefix, got, want.Bytes())
		}
	}
}
