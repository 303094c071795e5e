package spec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParallelDecodeSame checks that decoding long lists in two halves at
// once gives the same model and exactly the same diagnostics as decoding in
// turn, with problems in either half and with the node budget running out.
func TestParallelDecodeSame(t *testing.T) {
	big := func(n int, bad func(i int) string) string {
		var b strings.Builder
		b.WriteString("ward: 1\nsystem: {id: s, name: S}\ncomponents:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - id: c%d\n    kind: service\n%s", i, bad(i))
		}
		b.WriteString("flows:\n")
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "  - {from: c%d, to: c%d, protocol: https}\n", i-1, i)
		}
		return b.String()
	}
	var alias strings.Builder
	alias.WriteString("ward: 1\nsystem: {id: s, name: S}\nx: &a\n")
	for i := range 40 {
		fmt.Fprintf(&alias, "  k%d: v\n", i)
	}
	alias.WriteString("components:\n")
	for range 5000 {
		alias.WriteString("  - *a\n")
	}
	cases := map[string]string{
		"clean": big(3000, func(int) string { return "" }),
		"late problems": big(3000, func(i int) string {
			if i%700 == 699 {
				return "    colour: red\n    kind: servise\n"
			}
			return ""
		}),
		"early problems": big(3000, func(i int) string {
			if i == 3 {
				return "    port: 1\n"
			}
			return ""
		}),
		"many problems": big(3000, func(i int) string { return "    bogus: 1\n" }),
		"budget":        alias.String(),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			m1, d1, _ := Parse("m.yaml", []byte(src))
			old := parallelItems
			parallelItems = 1 << 30
			m2, d2, _ := Parse("m.yaml", []byte(src))
			parallelItems = old
			if diff := cmp.Diff(d2.Error(), d1.Error()); diff != "" {
				t.Errorf("diagnostics differ (-sequential +parallel):\n%s", diff)
			}
			if (m1 == nil) != (m2 == nil) || m1 != nil && (len(m1.Components) != len(m2.Components) || len(m1.Flows) != len(m2.Flows)) {
				t.Errorf("models differ")
			}
		})
	}
}

// TestValidIDMatchesPattern checks the hand-written id check against the
// pattern the JSON schema publishes.
func TestValidIDMatchesPattern(t *testing.T) {
	for _, s := range []string{"", "a", "A9", "9a", "a.b_c-d", ".a", "_a", "-a", "a b", "a\n", "é", "aé", "a/b", "a:b", "a..", "Z-", "a\x00"} {
		if got, want := validID(s), idPattern.MatchString(s); got != want {
			t.Errorf("validID(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
