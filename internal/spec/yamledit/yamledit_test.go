package yamledit

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const base = `ward: 1
# people's decisions
decisions:
  - finding: a:x   # first
    status: accepted
    owner: dana
    expires: 2027-01-01

  - finding: b:y
    status: false_positive
    reason: >
      Long reason
      on two lines.
# end
mitigations:
  - id: m1
    title: 'Quoted title'
    status: planned
`

func TestMerge(t *testing.T) {
	theirs := strings.Replace(base, "status: planned", "status: implemented", 1) + `
assumptions:
  - id: as1
    text: added on the server
`
	theirs = strings.Replace(theirs, "  - finding: b:y\n    status: false_positive\n    reason: >\n      Long reason\n      on two lines.\n", "", 1)
	ours := strings.Replace(base, "ward: 1\n", "ward: 1\n# local comment\n", 1)
	got, changes, conflicts, err := Merge(map[string]string{"w.yaml": base}, map[string]string{"w.yaml": theirs}, map[string]string{"w.yaml": ours}, "w.yaml")
	if err != nil || len(conflicts) > 0 {
		t.Fatal(err, conflicts)
	}
	var cs []string
	for _, c := range changes {
		cs = append(cs, c.String())
	}
	if diff := cmp.Diff([]string{"assumption as1 added", "decision on b:y removed", "mitigation m1 changed"}, cs); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	want := strings.Replace(theirs, "ward: 1\n", "ward: 1\n# local comment\n", 1)
	if diff := cmp.Diff(want, got["w.yaml"]); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
}

// TestMergeSameAsBase: a side equal to the base (read once, as the base)
// merges as any other: CI pushing its base again gets the server's
// changes in the pushed text, and with nothing changed on the server the
// pushed files come back as they are.
func TestMergeSameAsBase(t *testing.T) {
	theirs := strings.Replace(base, "status: planned", "status: implemented", 1) + "\nassumptions:\n  - id: as1\n    text: added on the server\n"
	ours := strings.Replace(base, "ward: 1\n", "ward: 1\n# local comment\n", 1)
	for _, c := range []struct {
		name               string
		theirs, ours, want string
		changes            int
	}{
		{"ours is the base", theirs, base, theirs, 2},
		{"theirs is the base", base, ours, ours, 0},
		{"all three the same", base, base, base, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, changes, conflicts, err := Merge(map[string]string{"w.yaml": base}, map[string]string{"w.yaml": c.theirs}, map[string]string{"w.yaml": c.ours}, "w.yaml")
			if err != nil || len(conflicts) > 0 || len(changes) != c.changes {
				t.Fatal(err, conflicts, changes)
			}
			if diff := cmp.Diff(c.want, got["w.yaml"]); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
		})
	}
	// The rest of the model changed on the server and ours is the base:
	// refused as before.
	_, _, _, err := Merge(map[string]string{"w.yaml": base}, map[string]string{"w.yaml": strings.Replace(base, "ward: 1", "ward: 2", 1)}, map[string]string{"w.yaml": base}, "w.yaml")
	if err != ErrModelChanged {
		t.Errorf("model changed: %v", err)
	}
}

func TestMergeConflict(t *testing.T) {
	theirs := strings.Replace(base, "owner: dana", "owner: sam", 1)
	ours := strings.Replace(base, "owner: dana", "owner: lee", 1)
	_, _, conflicts, err := Merge(map[string]string{"w.yaml": base}, map[string]string{"w.yaml": theirs}, map[string]string{"w.yaml": ours}, "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(conflicts) != 1 || conflicts[0].Line != 4 || conflicts[0].String() != "decision on a:x changed on the server and in your model: owner: sam on the server, lee in yours" {
		t.Errorf("conflicts: %+v", conflicts)
	}
	// The rest of the model changed on the server: refused.
	_, _, _, err = Merge(map[string]string{"w.yaml": base}, map[string]string{"w.yaml": strings.Replace(base, "ward: 1", "ward: 2", 1)}, map[string]string{"w.yaml": ours}, "w.yaml")
	if err != ErrModelChanged {
		t.Errorf("model changed: %v", err)
	}
}

func TestEdits(t *testing.T) {
	tests := []struct {
		name string
		edit func(f *File) error
		want string
	}{
		{"inline keeps the comment", func(f *File) error { return f.SetField("decisions", "a:x", "finding", String("a:z")) },
			strings.Replace(base, "- finding: a:x   # first", "- finding: a:z   # first", 1)},
		{"single quotes kept", func(f *File) error { return f.SetField("mitigations", "m1", "title", String("It's new")) },
			strings.Replace(base, "'Quoted title'", "'It''s new'", 1)},
		{"block replaced", func(f *File) error { return f.SetField("decisions", "b:y", "reason", String("short")) },
			strings.Replace(base, "reason: >\n      Long reason\n      on two lines.\n", "reason: >-\n      short\n", 1)},
		{"field added after the last", func(f *File) error { return f.SetField("decisions", "a:x", "reason", String("yes: quoted")) },
			strings.Replace(base, "2027-01-01\n", "2027-01-01\n    reason: \"yes: quoted\"\n", 1)},
		{"field deleted", func(f *File) error { return f.DeleteField("decisions", "a:x", "owner") },
			strings.Replace(base, "    owner: dana\n", "", 1)},
		{"item appended", func(f *File) error {
			return f.AppendItem("mitigations", []Field{{"id", String("m2")}, {"title", String("true")}, {"covers", List([]string{"a", "b c"})}})
		}, base + "  - id: m2\n    title: \"true\"\n    covers: [a, b c]\n"},
		{"section created", func(f *File) error { return f.AppendItem("assumptions", []Field{{"id", String("x")}}) },
			base + "\nassumptions:\n  - id: x\n"},
		{"last item deleted", func(f *File) error { return f.DeleteItem("mitigations", "m1") },
			strings.Replace(base, "mitigations:\n  - id: m1\n    title: 'Quoted title'\n    status: planned\n", "mitigations: []\n", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(base)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.edit(f); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, f.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzEdit(f *testing.F) {
	f.Add(base, "a:x", "status", "x y")
	f.Add("decisions: []\n", "a", "reason", "")
	f.Add("decisions:\n- finding: a\n  status: x\n", "a", "status", "\"q\"")
	f.Add("mitigations: [{id: a}]\n", "a", "status", "1")
	f.Fuzz(func(t *testing.T, src, key, field, value string) {
		if len(src) > 4096 {
			return
		}
		done := make(chan bool)
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				panic(fmt.Sprintf("HANG %q %q %q %q", src, key, field, value))
			}
		}()
		for i, op := range []func(*File) error{
			func(x *File) error { return x.SetField("decisions", key, field, String(value)) },
			func(x *File) error { return x.SetField("mitigations", key, field, List([]string{value})) },
			func(x *File) error { return x.DeleteField("decisions", key, field) },
			func(x *File) error {
				return x.AppendItem("mitigations", []Field{{"id", String(key)}, {field, String(value)}})
			},
			func(x *File) error { return x.DeleteItem("decisions", key) },
		} {
			x, err := Parse(src)
			if err != nil {
				return
			}
			if err := op(x); err == nil {
				if _, err := Parse(x.String()); err != nil {
					t.Fatalf("op %d left invalid YAML: %v\n%s", i, err, x.String())
				}
			}
		}
		// The same edits in one batch: the text of the edits one by one,
		// or the file as it was when they fail.
		one, err := Parse(src)
		if err != nil {
			return
		}
		edits := func(x *File) error {
			if err := x.SetField("decisions", key, field, String(value)); err != nil {
				return err
			}
			if err := x.SetField("decisions", key, "status", String(value+"!")); err != nil {
				return err
			}
			return x.SetField("mitigations", key, field, List([]string{value}))
		}
		errOne := edits(one)
		batch, _ := Parse(src)
		errBatch := batch.Batch(edits)
		switch {
		case errOne == nil && errBatch == nil:
			if one.String() != batch.String() {
				t.Fatalf("batch %q, one by one %q", batch.String(), one.String())
			}
		case errBatch != nil:
			if batch.String() != src && (src == "" || batch.String() != strings.TrimSuffix(src, "\n")+"\n") {
				t.Fatalf("a failed batch changed the file: %q", batch.String())
			}
		default:
			t.Fatalf("batch succeeded (%q), one by one failed: %v", batch.String(), errOne)
		}
		checkFastParse(t, src)
		if x, err := Parse(src); err == nil && restOfTree(src, &x.doc) != restOf(src) {
			t.Fatalf("rest of the tree differs from the text's: %q", src)
		}
		_, _, _, _ = Merge(map[string]string{"a.yaml": src}, map[string]string{"a.yaml": base}, map[string]string{"a.yaml": src}, "a.yaml")
		_ = fmt.Sprint()
	})
}

// TestMemoMerge: merges through a memo (files read before, evicted, or
// reused as another side) answer what merges without one answer, and the
// memo's files are never edited.
func TestMemoMerge(t *testing.T) {
	theirs := strings.Replace(base, "status: planned", "status: implemented", 1) + "\nassumptions:\n  - id: as1\n    text: added on the server\n"
	ours := strings.Replace(base, "ward: 1\n", "ward: 1\n# local comment\n", 1)
	other := "mitigations:\n  - id: m9\n    status: planned\n"
	conflicting := strings.Replace(base, "owner: dana", "owner: lee", 1)
	type bundles struct{ base, theirs, ours map[string]string }
	one := func(s string) map[string]string { return map[string]string{"w.yaml": s} }
	two := func(s, o string) map[string]string {
		return map[string]string{"w.yaml": s, "x/more.yaml": o, "rules.txt": "r"}
	}
	cases := []bundles{
		{one(base), one(theirs), one(ours)},
		{one(base), one(theirs), one(base)},
		{one(base), one(base), one(ours)},
		{one(base), one(strings.Replace(base, "owner: dana", "owner: sam", 1)), one(conflicting)},
		{one(base), one(strings.Replace(base, "ward: 1", "ward: 2", 1)), one(ours)},
		{one(ours), one(theirs), one(base)},
		{two(base, other), two(theirs, strings.Replace(other, "planned", "done", 1)), two(ours, other)},
		{two(base, other), two(base, ""), two(ours, other)},
		{one("decisions: [a]\n"), one(base), one(ours)},
		{one(base), one("a: [\n"), one(ours)},
	}
	type answer struct {
		Out       map[string]string
		Changes   []Change
		Conflicts []Conflict
		Err       string
	}
	run := func(m *Memo, c bundles) answer {
		out, ch, co, err := m.Merge(c.base, c.theirs, c.ours, "w.yaml")
		a := answer{Out: out, Changes: ch, Conflicts: co}
		if err != nil {
			a.Err = err.Error()
		}
		return a
	}
	for _, size := range []int{1 << 20, 8 << 10, 0} {
		m := NewMemo(size)
		// Files remembered from an edit's parse read as files parsed by
		// the memo.
		for _, c := range cases {
			for name, src := range c.theirs {
				if f, err := Parse(src); err == nil {
					m.Remember(name, f)
				}
			}
		}
		for round := range 3 {
			for i, c := range cases {
				if diff := cmp.Diff(run(nil, c), run(m, c)); diff != "" {
					t.Errorf("memo of %d bytes, round %d, case %d (-without +with):\n%s", size, round, i, diff)
				}
			}
		}
		if m.size > size {
			t.Errorf("memo holds %d bytes, more than its %d", m.size, size)
		}
		// A file the memo holds is handed out to edit as Parse reads it,
		// and editing it leaves the memo's as it was.
		for i, c := range cases {
			for name, src := range c.theirs {
				want, werr := Parse(src)
				f, err := m.Parse(name, src)
				if (err != nil) != (werr != nil) {
					t.Fatalf("case %d: memo's Parse error %v, Parse's %v", i, err, werr)
				}
				if err != nil {
					continue
				}
				if f.String() != src || !f.SameTree(want.Tree()) {
					t.Errorf("case %d: the memo's parse of %s differs from Parse's", i, name)
				}
				if err := f.AppendItem("decisions", []Field{{"finding", String("memo:x")}, {"status", String("accepted")}}); err == nil {
					if g, _ := m.Parse(name, src); g.String() != src || !g.SameTree(want.Tree()) {
						t.Errorf("case %d: an edit of the memo's parse changed the memo's", i)
					}
				}
			}
		}
	}
}

// TestBatch: edits in a Batch (one parse at the end for fields set in
// place) give the text and tree the same edits give one by one, and a
// failed batch leaves the file as it was.
func TestBatch(t *testing.T) {
	for i, edits := range []func(*File) error{
		func(f *File) error {
			for _, kv := range [][2]string{{"status", "mitigated"}, {"owner", "sam lee"}, {"expires", "2030-01-01"}, {"reason", "new: reason"}} {
				if err := f.SetField("decisions", "a:x", kv[0], String(kv[1])); err != nil {
					return err
				}
			}
			return f.DeleteField("decisions", "a:x", "covers")
		},
		func(f *File) error {
			if err := f.SetField("decisions", "b:y", "status", String("accepted")); err != nil {
				return err
			}
			if err := f.SetField("decisions", "b:y", "reason", String("short")); err != nil { // a folded block: lines replaced
				return err
			}
			if err := f.SetField("mitigations", "m1", "status", String("implemented")); err != nil {
				return err
			}
			return f.DeleteField("decisions", "a:x", "owner")
		},
		func(f *File) error {
			if err := f.SetField("decisions", "a:x", "mitigations", List([]string{"m1", "m2"})); err != nil {
				return err
			}
			return f.AppendItem("decisions", []Field{{"finding", String("c:z")}, {"status", String("accepted")}})
		},
	} {
		one, err := Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		if err := edits(one); err != nil {
			t.Fatal(i, err)
		}
		batch, _ := Parse(base)
		if err := batch.Batch(edits); err != nil {
			t.Fatal(i, err)
		}
		if diff := cmp.Diff(one.String(), batch.String()); diff != "" {
			t.Errorf("edits %d (-one by one +batch):\n%s", i, diff)
		}
		if !batch.SameTree(&one.doc) || !Same(batch.String(), one.String()) {
			t.Errorf("edits %d: the batch's tree differs", i)
		}
	}
	f, _ := Parse(base)
	err := f.Batch(func(f *File) error {
		if err := f.SetField("decisions", "a:x", "status", String("x")); err != nil {
			return err
		}
		return fmt.Errorf("fail")
	})
	if err == nil || f.String() != base {
		t.Errorf("a failed batch changed the file: %v\n%s", err, f.String())
	}
}

// TestRestOfTree: the rest read from a parsed file is the rest read from
// its text.
func TestRestOfTree(t *testing.T) {
	for _, src := range []string{base, "", "# only a comment\n", "a: 1\ndecisions: []\nb: [x, {y: 2}]\n", "a: &x {k: v}\nb: *x\n", "a: 2027-01-01\nb: 0x10\nc: ~\n"} {
		f, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := restOfTree(src, &f.doc), restOf(src); got != want {
			t.Errorf("%q: tree %q, text %q", src, got, want)
		}
	}
}
