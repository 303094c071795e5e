package spec

import "strings"

// compactIDs moves the ids of the files' assets, components and flows into
// one string, in file order, instead of the file's text: every rule, the
// scoring, the report and the renderers read these ids over and over (a
// threat's id, title and targets name its elements), and ids a few bytes
// apart share cache lines where ids kilobytes apart in a file of
// megabytes each cost a miss. The values are unchanged. Called before
// build starts any goroutine. The ids of boundaries, mitigations, threats
// and assumptions follow in a second string (compactOtherIDs).
func compactIDs(docs []parsed) {
	defer compactOtherIDs(docs)
	n := 0
	for _, p := range docs {
		d := p.doc
		for _, a := range d.Assets {
			if a != nil {
				n += len(a.ID)
			}
		}
		for _, c := range d.Components {
			if c != nil {
				n += len(c.ID)
			}
		}
		for _, f := range d.Flows {
			if f != nil {
				n += len(f.ID)
			}
		}
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, p := range docs {
		d := p.doc
		for _, a := range d.Assets {
			if a != nil {
				sb.WriteString(a.ID)
			}
		}
		for _, c := range d.Components {
			if c != nil {
				sb.WriteString(c.ID)
			}
		}
		for _, f := range d.Flows {
			if f != nil {
				sb.WriteString(f.ID)
			}
		}
	}
	s, off := sb.String(), 0
	cut := func(id *string) {
		k := len(*id)
		*id, off = s[off:off+k], off+k
	}
	for _, p := range docs {
		d := p.doc
		for _, a := range d.Assets {
			if a != nil {
				cut(&a.ID)
			}
		}
		for _, c := range d.Components {
			if c != nil {
				cut(&c.ID)
			}
		}
		for _, f := range d.Flows {
			if f != nil {
				cut(&f.ID)
			}
		}
	}
}

// compactOtherIDs moves the ids of the files' boundaries (nested ones
// too), mitigations, threats and assumptions into one string, as
// compactIDs does for the others: the model's lookups by id keep them as
// keys, and a key pointing into a file's text would keep all of it alive
// after the load (detach frees the rest).
func compactOtherIDs(docs []parsed) {
	var ids []*string
	var bounds func([]*Boundary)
	bounds = func(bs []*Boundary) {
		for _, b := range bs {
			if b != nil {
				ids = append(ids, &b.ID)
				bounds(b.Boundaries)
			}
		}
	}
	for _, p := range docs {
		d := p.doc
		bounds(d.Boundaries)
		for _, x := range d.Mitigations {
			if x != nil {
				ids = append(ids, &x.ID)
			}
		}
		for _, x := range d.Threats {
			if x != nil {
				ids = append(ids, &x.ID)
			}
		}
		for _, x := range d.Assumptions {
			if x != nil {
				ids = append(ids, &x.ID)
			}
		}
	}
	n := 0
	for _, id := range ids {
		n += len(*id)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, id := range ids {
		sb.WriteString(*id)
	}
	s, off := sb.String(), 0
	for _, id := range ids {
		k := len(*id)
		*id, off = s[off:off+k], off+k
	}
}
