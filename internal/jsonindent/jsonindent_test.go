package jsonindent

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The fuzz test comparing Append with json.Indent on any valid JSON is
// internal/report's FuzzIndentJSON (through its indentJSON); this checks
// the same on fixed cases, including the empty objects and arrays and
// strings holding every character that is structure outside a string.
func TestAppendIsIndent(t *testing.T) {
	for _, s := range []string{
		`{}`, `[]`, `""`, `0`, `null`, `{"a":[]}`, `{"a":{}}`, `[[],[{}]]`,
		`{"a":1,"b":[1,2,{"c":"d"}],"e":{"f":null}}`,
		`{"s":"quote \" brace { bracket ] comma , colon : backslash \\"}`,
		`["\\\\","\u00e9<&>","\\u2028"]`,
	} {
		for _, prefix := range []string{"", "    "} {
			var want bytes.Buffer
			if err := json.Indent(&want, []byte(s), prefix, "  "); err != nil {
				t.Fatal(err)
			}
			if got := Append([]byte("x"), []byte(s), prefix); !bytes.Equal(got, append([]byte("x"), want.Bytes()...)) {
				t.Errorf("Append(%q, %q) =\n%s\nwant x\n%s", s, prefix, got, want.Bytes())
			}
		}
	}
}
