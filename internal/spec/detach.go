package spec

import (
	"unsafe"

	"github.com/wardtm/ward/internal/model"
)

// detachMin is the size of text, in all, from which detach copies a
// model's strings out of its files' text.
const detachMin = chunkMin

// detach moves the model's strings that still point into the text of the
// files they were decoded from (names, descriptions, techs, tags …; the
// ids are already apart, compactIDs) into one fresh block, so that the
// text itself can be freed once the load is over: a model's strings are a
// small part of its files (YAML keys, indentation and the values decoded
// to numbers or shared enum strings are the rest), and a single string left
// pointing into a file's text keeps all of it. At 100,000 components the
// files are 117 MB, the strings moved ≈ 15 MB, and the text was live
// through the whole analysis, where the collector runs more often the
// closer the live heap comes to the memory limit. The values are
// unchanged; only strings inside the texts move (shared enum strings and
// strings decoded otherwise stay). A string the walk misses only keeps
// its file's text alive, as before.
func detach(m *model.Model, docs []parsed) {
	var texts []string
	size := 0
	for _, d := range docs {
		if d.text != "" {
			texts = append(texts, d.text)
			size += len(d.text)
		}
	}
	if size < detachMin {
		return
	}
	inText := func(s string) bool {
		if s == "" {
			return false
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		for _, t := range texts {
			b := uintptr(unsafe.Pointer(unsafe.StringData(t)))
			if p >= b && p < b+uintptr(len(t)) {
				return true
			}
		}
		return false
	}
	n := 0
	modelStrings(m, func(s *string) {
		if inText(*s) {
			n += len(*s)
		}
	})
	if n == 0 {
		return
	}
	block := make([]byte, 0, n)
	modelStrings(m, func(s *string) {
		if inText(*s) {
			at := len(block)
			block = append(block, *s...)
			*s = unsafe.String(&block[at], len(*s))
		}
	})
}

// modelStrings calls fn with every string of m's elements, threats,
// mitigations, assumptions and decisions that a file's text may hold.
func modelStrings(m *model.Model, fn func(*string)) {
	all := func(l []string) {
		for i := range l {
			fn(&l[i])
		}
	}
	fn(&m.System.ID)
	fn(&m.System.Name)
	fn(&m.System.Description)
	fn(&m.System.Team)
	all(m.System.Contacts)
	all(m.Context.NewThirdParties)
	for _, a := range m.Assets {
		fn(&a.ID)
		fn(&a.Name)
		fn(&a.Description)
		fn((*string)(&a.Kind))
	}
	for _, b := range m.Boundaries {
		fn(&b.ID)
		fn(&b.Name)
		fn(&b.Description)
	}
	for _, c := range m.Components {
		fn(&c.ID)
		fn(&c.Name)
		fn(&c.Description)
		fn((*string)(&c.Kind))
		fn(&c.Tech)
		all(c.Tools)
		fn(&c.HumanAccess)
		fn(&c.RateLimitScope)
		all(c.Tags)
		fn((*string)(&c.EncryptionAtRest))
	}
	for _, f := range m.Flows {
		fn(&f.ID)
		fn(&f.Name)
		fn(&f.Description)
		fn(&f.Protocol)
		fn((*string)(&f.Authentication))
		fn((*string)(&f.Encryption))
		all(f.Tags)
	}
	for _, t := range m.Threats {
		fn(&t.ID)
		fn(&t.Title)
		fn(&t.Description)
		for i := range t.Categories {
			fn((*string)(&t.Categories[i]))
		}
		fn((*string)(&t.Status))
		fn((*string)(&t.FoundBy))
		fn(&t.Owner)
		fn(&t.Reason)
	}
	for _, x := range m.Mitigations {
		fn(&x.ID)
		fn(&x.Title)
		fn(&x.Description)
		fn((*string)(&x.Status))
		fn(&x.Owner)
		fn(&x.Ticket)
	}
	for _, x := range m.Assumptions {
		fn(&x.ID)
		fn(&x.Text)
		fn((*string)(&x.Status))
		fn(&x.Evidence)
		all(x.Supports)
	}
	for _, d := range m.Decisions {
		fn(&d.Finding)
		fn((*string)(&d.Status))
		fn(&d.Reason)
		fn(&d.Owner)
		all(d.Covers)
	}
}
