package report

import "github.com/wardtm/ward/internal/model"

// setTarget writes a model target into *dst (zero), its location from
// locs. A rule on the whole model has an empty target; it becomes the
// system itself, so every target has a kind and id.
func setTarget(dst *Target, t model.Target, system string, locs *locPool) {
	if t.Kind() == "" {
		dst.Kind, dst.ID = "system", system
		return
	}
	setTargetAt(dst, t, system, locs.at(t.Pos()))
}

// setTargetAt is setTarget with the location of t's position given.
func setTargetAt(dst *Target, t model.Target, system string, loc *Location) {
	if t.Kind() == "" {
		dst.Kind, dst.ID = "system", system
		return
	}
	dst.Kind, dst.ID, dst.Location = t.Kind(), t.ID(), loc
	if t.Flow != nil {
		dst.From, dst.To = t.Flow.From.ID, t.Flow.To.ID
	}
}

// locPool hands out one location per position, from chunks of 256: the
// position of an element is named by every finding, target and question on
// it (≈ 725,000 mentions of ≈ 60,000 positions at N=10,000). The result's
// locations are therefore shared; RenameFiles renames each once.
//
// Positions are looked up by their file's number in the pool, then by line
// and column packed in one word, not by the file's name: a model has a few
// files and they are named by the same string, so the name is compared
// (its pointer, mostly) instead of hashed at each of the 725,000 lookups.
type locPool struct {
	free  []Location
	files []string
	byPos []map[uint64]*Location // by file
	size  int                    // the first file's map is made for this many positions
	last  int32                  // index in files of the last file asked for
}

// at returns p's location, nil for no position (as loc).
func (l *locPool) at(p model.Pos) *Location {
	if p.IsZero() {
		return nil
	}
	if len(l.files) == 0 || l.files[l.last] != p.File {
		l.last = -1
		for i, f := range l.files {
			if f == p.File {
				l.last = int32(i)
				break
			}
		}
		if l.last < 0 {
			l.last = int32(len(l.files))
			l.files = append(l.files, p.File)
			l.byPos = append(l.byPos, make(map[uint64]*Location, l.size))
			l.size = 0
		}
	}
	if p.Line != int(int32(p.Line)) || p.Col != int(int32(p.Col)) {
		return &Location{File: p.File, Line: p.Line, Col: p.Col} // not a file's position
	}
	k := uint64(uint32(p.Line))<<32 | uint64(uint32(p.Col))
	byPos := l.byPos[l.last]
	if x, ok := byPos[k]; ok {
		return x
	}
	if len(l.free) == 0 {
		l.free = make([]Location, 256)
	}
	x := &l.free[0]
	l.free = l.free[1:]
	x.File, x.Line, x.Col = p.File, p.Line, p.Col
	byPos[k] = x
	return x
}

// RenameFiles rewrites the file of every location in the result (and the
// list of files) with rename, e.g. to make paths relative to a directory.
// A location Build shares among several findings is renamed once.
func (r *Result) RenameFiles(rename func(string) string) {
	done := map[*Location]bool{}
	fix := func(l *Location) {
		if l != nil && !done[l] {
			done[l] = true
			l.File = rename(l.File)
		}
	}
	for i := range r.Files {
		r.Files[i] = rename(r.Files[i])
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		fix(f.Location)
		for j := range f.Targets {
			fix(f.Targets[j].Location)
		}
		if f.Decision != nil {
			fix(f.Decision.Location)
		}
	}
	for i := range r.Questions {
		fix(r.Questions[i].Location)
		if e := r.Questions[i].Element; e != nil {
			fix(e.Location)
		}
		for j := range r.Questions[i].More {
			fix(r.Questions[i].More[j].Location)
			if e := r.Questions[i].More[j].Element; e != nil {
				fix(e.Location)
			}
		}
	}
	for i := range r.Components {
		fix(r.Components[i].Location)
	}
	for i := range r.Flows {
		fix(r.Flows[i].Location)
	}
	for i := range r.Mitigations {
		fix(r.Mitigations[i].Location)
	}
	for i := range r.Assumptions {
		fix(r.Assumptions[i].Location)
	}
	for i := range r.Warnings {
		fix(r.Warnings[i].Location)
	}
}
