package spec

import (
	"strings"
	"testing"
)

// TestInvalidUTF8Position: invalid UTF-8 is reported where it is, not at 1:1.
func TestInvalidUTF8Position(t *testing.T) {
	for _, c := range []struct {
		data string
		want string
	}{
		{"ward: 1\nsystem: {id: s, name: S}\ncomponents:\n  - {id: a, kind: service}\n  - {id: b, kind: service}\n  - {id: c, name: \"é\xff\", kind: service}\n", "m.yaml:6:21: the file is not valid UTF-8 (byte 0xff)"},
		{"\xfeward: 1\n", "m.yaml:1:1: the file is not valid UTF-8 (byte 0xfe)"},
		{"ward: 1\n# \xc3\n", "m.yaml:2:3:"},
	} {
		_, ds, err := Parse("m.yaml", []byte(c.data))
		if err == nil || len(ds) == 0 || !strings.HasPrefix(ds[0].String(), c.want) {
			t.Errorf("%q: %v, want %s", c.data, ds, c.want)
		}
	}
}
