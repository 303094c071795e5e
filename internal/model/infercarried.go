package model

import "slices"

// InferredCarries: the flow states neither carries nor returns, and what
// the datastore or object storage at one of its ends holds was read as
// what it carries (Flow.Inferred, InferCarried).
const InferredCarries Inferred = 1 << 0

// InferCarried fills in what a flow that states no carried and no returned
// asset carries, where the model already says it: a flow into or out of a
// datastore or object storage that stores assets reads or writes them ("the
// API's sql link to the requests database carries the requests"). A flow
// that states what it carries keeps its list, and a flow whose ends hold
// nothing stated or inferred is left carrying nothing: unknown stays
// unknown. Queues are left alone: their messages are on their flows. Like
// InferHeld it reads only a model that states what no component processes
// (its writer recorded where data goes on some flows only); a model that
// states processes anywhere is left as it is. It records what it inferred
// in f.Inferred. Run it before InferHeld, so that the callers of a store
// are read to process what they exchange with it, and again after, so
// that what a store was read to hold counts too.
func InferCarried(m *Model) {
	for _, c := range m.Components {
		if len(c.StatedProcesses()) > 0 {
			return
		}
	}
	for _, f := range m.Flows {
		if f.From == nil || f.To == nil || len(f.Carries)+len(f.Returns) > 0 {
			continue
		}
		var as []*Asset
		for _, c := range [1]*Component{f.To} {
			if holdsData(c) && !c.ThirdParty {
				as = appendNew(as, c.Stores)
			}
		}
		if len(as) > 0 {
			f.Carries, f.Inferred = as, f.Inferred|InferredCarries
		}
	}
}

// appendNew appends the assets of add that as does not hold yet.
func appendNew(as, add []*Asset) []*Asset {
	for _, a := range add {
		if !slices.Contains(as, a) {
			as = append(as, a)
		}
	}
	return as
}

// StatedCarries is what the flow carries as the model stated it: nil when
// InferCarried read it from the flow's ends.
func (f *Flow) StatedCarries() []*Asset {
	if f.Inferred&InferredCarries != 0 {
		return nil
	}
	return f.Carries
}

// InferredFacts names the flow's inferred facts ("carries" read from its
// ends by InferCarried), nil when every fact was stated.
func (f *Flow) InferredFacts() []string {
	if f.Inferred&InferredCarries != 0 {
		return []string{"carries"}
	}
	return nil
}
