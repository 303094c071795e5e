package spec

import "strings"

// compactIDs moves the ids of the files' assets, components and flows into
// one string, in file order, instead of the file's text: every rule, the
// scoring, the report and the renderers read these ids over and over (a
// threat's id, title and targets name its elements), and ids a few bytes
// apart share cache lines where ids kilobytes apart in a file of
// megabytes each cost a miss. The values are unchanged. Called before
// build starts any goroutine.
func compactIDs(docs []parsed) {
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
