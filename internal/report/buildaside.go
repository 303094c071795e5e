package report

import (
	"slices"
	"strings"
	"sync"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
)

// aside is the part of Build that runs beside its main loop over the
// findings, on other goroutines: the findings' own fields, the questions,
// the attack paths and the rules' documentation. None of it reads what the
// main loop writes, and the main loop writes other fields of the findings.
type aside struct {
	wg         sync.WaitGroup
	questions  []Question
	paths      []AttackPath
	docs       []RuleInfo
	components []Component
	flows      []Flow
	qindex     map[string]*Question
}

func buildAside(a *analysis.Analysis, dst []Finding, system string, parts Parts) *aside {
	s := &aside{}
	s.wg.Go(func() {
		plainFields(dst, a.Findings)
	})
	s.wg.Go(func() {
		// The questions' locations come from a pool of their own: a
		// position's location is shared within the questions and within
		// the findings (RenameFiles renames each location once).
		var locs locPool
		s.questions = questions(a.Model, a.Questions, system, &locs)
		if parts&PartTextIndex != 0 {
			s.qindex = questionsByID(s.questions)
		}
	})
	if parts&PartElements != 0 {
		s.wg.Go(func() {
			s.components, s.flows = elements(a.Model)
		})
	}
	s.wg.Go(func() {
		if parts&PartPaths != 0 {
			s.paths = attackPaths(a, ResultPaths)
		}
		s.docs = ruleDocs(a)
	})
	return s
}

func (s *aside) wait() { s.wg.Wait() }

// plainFields writes the fields of each result finding that depend on its
// engine finding alone. It goes from the last finding back, so that it and
// Build's main loop, which goes forwards writing other fields of the same
// findings, meet on the same cache lines only once.
func plainFields(dst []Finding, src []*model.Finding) {
	// One FindingRefs per rule's references (and one for none).
	refs := map[*model.Refs]*FindingRefs{}
	for i := len(src) - 1; i >= 0; i-- {
		f, x := src[i], &dst[i]
		x.ID, x.Rank, x.Rule, x.Origin = f.ID, f.Rank, f.Rule, string(f.Origin)
		x.Title, x.Description, x.Category = f.Title, f.Description, string(f.Category)
		if c := heldGuess(f); c != nil {
			x.Title = f.Title + heldMark(c)
		} else if fl := carriedGuess(f); fl != nil {
			x.Title = f.Title + carriedMark(fl)
		}
		x.Severity, x.Score, x.Status = f.Residual.Severity.String(), int(f.Residual.Score), string(f.Status)
		x.Reopened, x.FoundBy = f.Reopened, string(f.FoundBy)
		x.Rationale = orEmpty(f.Rationale)
		r, ok := refs[f.Refs]
		if !ok {
			r = &FindingRefs{CWE: orEmpty(f.CWE()), CAPEC: orEmpty(f.CAPEC()), Suggested: orEmpty(f.Suggested()), References: orEmpty(f.References())}
			refs[f.Refs] = r
		}
		x.FindingRefs = r
		x.Aliases, x.Questions = f.Aliases, f.Questions
		x.Folded, x.FoldedStatus = folded(f)
		if d := f.Decision; d != nil {
			x.Decision = &Decision{Status: string(d.Status), Reason: d.Reason, Owner: d.Owner, Expires: d.Expires.String(), Covers: d.Covers, Location: loc(d.Pos)}
		}
	}
}

// elements makes the result's components and flows, all but their worst
// open severity, which Build's main loop finds. Each element is at a
// position of its own: their locations are cut from one slab, not pooled.
func elements(m *model.Model) ([]Component, []Flow) {
	locs := make([]Location, len(m.Components)+len(m.Flows))
	at := func(p model.Pos) *Location {
		if p.IsZero() {
			return nil
		}
		x := &locs[0]
		locs = locs[1:]
		x.File, x.Line, x.Col = p.File, p.Line, p.Col
		return x
	}
	comps := make([]Component, len(m.Components))
	for i, c := range m.Components {
		x := &comps[i]
		x.ID, x.Name, x.Kind, x.Tech, x.OutOfScope = c.ID, c.Label(), string(c.Kind), c.Tech, c.OutOfScope
		x.Inferred = c.InferredFacts()
		known := 0
		for _, t := range c.Controls {
			if t != model.Unknown {
				known++
			}
		}
		// Sized at once: grown from empty, the maps of 100,000 components
		// allocated ≈ 38 MB, half of it the tables they outgrew.
		x.Controls, x.Location = make(map[string]string, known), at(c.Pos)
		if c.Boundary != nil {
			x.Boundary = c.Boundary.ID
		}
		x.Stores, x.Processes = make([]string, len(c.Stores)), make([]string, len(c.Processes))
		for k, as := range c.Stores {
			x.Stores[k] = as.ID
		}
		for k, as := range c.Processes {
			x.Processes[k] = as.ID
		}
		for k, t := range c.Controls {
			if t != model.Unknown {
				x.Controls[model.Control(k).Key()] = t.String()
			}
		}
	}
	ncar := 0
	for _, f := range m.Flows {
		ncar += len(f.Carries)
	}
	carSlab := make([]string, ncar)
	flows := make([]Flow, len(m.Flows))
	for i, f := range m.Flows {
		x := &flows[i]
		x.ID, x.From, x.To, x.Protocol, x.Port = f.ID, f.From.ID, f.To.ID, f.Protocol, f.Port
		x.Authentication, x.Encryption = orUnknown(string(f.Authentication)), orUnknown(string(f.Encryption))
		x.OneWay, x.Crosses, x.Location = f.OneWay, f.CrossesBoundary(), at(f.Pos)
		x.Carries, carSlab = carSlab[:len(f.Carries):len(f.Carries)], carSlab[len(f.Carries):]
		for k, as := range f.Carries {
			x.Carries[k] = as.ID
		}
		x.Inferred = f.InferredFacts()
	}
	return comps, flows
}

// folded is the ids of the threats folded into f, and the own status of
// those whose status differs from f's (nil when none does).
func folded(f *model.Finding) ([]string, map[string]string) {
	if len(f.Folded) == 0 {
		return nil, nil
	}
	ids := make([]string, len(f.Folded))
	var st map[string]string
	for i, x := range f.Folded {
		ids[i] = x.ID
		if x.Status != f.Status && x.Status != "" {
			if st == nil {
				st = map[string]string{}
			}
			st[x.ID] = string(x.Status)
		}
	}
	return ids, st
}

// heldGuess returns the component a threat is on when its title names an
// asset at stake that the component holds only by Ward's reading of its
// flows (its stores or processes inferred, model.InferHeld), else nil: the
// title says the component holds it ("`db` stores `records` ..."), and that
// is a guess. A threat whose title names no such asset (a prompt injection
// into an agent) stands whatever the agent holds.
func heldGuess(f *model.Finding) *model.Component {
	if len(f.Targets) == 0 {
		return nil
	}
	c := f.Targets[0].Component
	if c == nil || c.Inferred&(model.InferredStores|model.InferredProcesses) == 0 {
		return nil
	}
	for _, a := range f.Assets {
		if (c.Inferred&model.InferredStores != 0 && slices.Contains(c.Stores, a) ||
			c.Inferred&model.InferredProcesses != 0 && slices.Contains(c.Processes, a)) && namesAsset(f.Title, a.ID) {
			return c
		}
	}
	return nil
}

// heldMark is what a threat's title and its questions add when they stand
// on what component c holds by Ward's reading of its flows (heldGuess).
func heldMark(c *model.Component) string {
	return " (inferred: what `" + c.ID + "` holds is read from its flows)"
}

// carriedGuess returns the flow a threat is on when its title names an
// asset at stake that the flow carries only by Ward's reading of the store
// it reaches (its carries inferred, model.InferCarried), else nil: the
// title says the flow carries it, and that is a guess.
func carriedGuess(f *model.Finding) *model.Flow {
	if len(f.Targets) == 0 {
		return nil
	}
	fl := f.Targets[0].Flow
	if fl == nil || fl.Inferred&model.InferredCarries == 0 {
		return nil
	}
	for _, a := range f.Assets {
		if slices.Contains(fl.Carries, a) && namesAsset(f.Title, a.ID) {
			return fl
		}
	}
	return nil
}

// carriedMark is what a threat's title and its questions add when they
// stand on what flow fl carries by Ward's reading of the store it reaches
// (carriedGuess).
func carriedMark(fl *model.Flow) string {
	return " (inferred: what `" + fl.ID + "` carries is read from what `" + fl.To.ID + "` stores)"
}

// namesAsset reports whether a title names asset id, as rules write it
// (in backquotes).
func namesAsset(title, id string) bool {
	for i := strings.Index(title, id); i >= 0; {
		if i > 0 && title[i-1] == '`' && i+len(id) < len(title) && title[i+len(id)] == '`' {
			return true
		}
		j := strings.Index(title[i+1:], id)
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}
