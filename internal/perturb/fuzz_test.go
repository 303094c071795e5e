package perturb

import "testing"

// FuzzApply: every perturbation at once on any bytes never panics, and
// what it writes is YAML it can read again.
func FuzzApply(f *testing.F) {
	f.Add([]byte(full))
	f.Add([]byte("ward: 1\nboundaries: [{id: a, boundaries: [{id: b, trust: restricted}]}]\n"))
	f.Add([]byte("components: 3\nflows: {a: b}\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("a: &x [*x]\n"))
	all, err := Parse("minimal")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		out, err := Apply(data, all)
		if err != nil {
			return
		}
		if _, err := Apply(out, all); err != nil {
			t.Fatalf("Apply wrote YAML it cannot read again: %v\n%s", err, out)
		}
	})
}
