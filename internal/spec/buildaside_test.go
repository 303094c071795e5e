package spec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wardtm/ward/internal/model"
)

// TestBuildAsideSame checks that making and resolving the flows on a second
// goroutine gives the same model and exactly the same diagnostics as doing
// it in turn, with problems in the flows' references (unknown ends, loops,
// unknown assets, repeated ids) early, late or nowhere. Run it with -race.
func TestBuildAsideSame(t *testing.T) {
	big := func(n int, bad func(i int) string) string {
		var b strings.Builder
		b.WriteString("ward: 1\nsystem: {id: s, name: S}\nassets:\n  - {id: a1, name: A}\n  - {id: a2, name: B}\ncomponents:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - {id: c%d, kind: service, stores: [a1]}\n", i)
		}
		b.WriteString("flows:\n")
		for i := 1; i < n; i++ {
			if x := bad(i); x != "" {
				b.WriteString(x)
				continue
			}
			fmt.Fprintf(&b, "  - {id: f%d, from: c%d, to: c%d, protocol: HTTPS, carries: [a1, a2], returns: [a2], controls: {authenticates: yes}}\n", i, i-1, i)
			if i%3 == 0 {
				fmt.Fprintf(&b, "  - {from: c%d, to: c%d}\n", i, i-1) // an id of its own
			}
		}
		return b.String()
	}
	cases := map[string]string{
		"clean": big(400, func(int) string { return "" }),
		"unknown end late": big(400, func(i int) string {
			if i == 390 {
				return "  - {id: fx, from: c1, to: nope}\n"
			}
			return ""
		}),
		"unknown asset early": big(400, func(i int) string {
			if i == 2 {
				return "  - {id: fx, from: c1, to: c2, carries: [a1, zz]}\n"
			}
			return ""
		}),
		"loop": big(400, func(i int) string {
			if i == 250 {
				return "  - {id: fx, from: c3, to: c3}\n"
			}
			return ""
		}),
		"repeated ids": big(400, func(i int) string {
			if i%50 == 0 {
				return "  - {id: c1, from: c1, to: c2}\n  - {from: c4, to: c5}\n  - {from: c4, to: c5}\n"
			}
			return ""
		}),
		"many problems": big(400, func(i int) string {
			return fmt.Sprintf("  - {id: f%d, from: c%d, to: x%d, returns: [q]}\n", i, i, i)
		}),
	}
	show := func(m *model.Model) string {
		if m == nil {
			return "nil"
		}
		var b strings.Builder
		for _, f := range m.Flows {
			fmt.Fprintf(&b, "%s %s>%s %s %v %v %v %v\n", f.ID, f.From.ID, f.To.ID, f.Protocol, f.Pos, len(f.Carries), len(f.Returns), f.Controls)
		}
		for _, c := range m.Components {
			fmt.Fprintf(&b, "%s %d %d\n", c.ID, len(c.In), len(c.Out))
		}
		return b.String()
	}
	old := asideFlows
	defer func() { asideFlows = old }()
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			asideFlows = 16
			m1, d1, _ := Parse("m.yaml", []byte(src))
			asideFlows = 1 << 30
			m2, d2, _ := Parse("m.yaml", []byte(src))
			if diff := cmp.Diff(d2.Error(), d1.Error()); diff != "" {
				t.Errorf("diagnostics differ (-in turn +aside):\n%s", diff)
			}
			if diff := cmp.Diff(show(m2), show(m1)); diff != "" {
				t.Errorf("models differ (-in turn +aside):\n%s", diff)
			}
		})
	}
}
