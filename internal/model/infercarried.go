package model

import "slices"

// InferredCarries: the flow states neither carries nor returns, and what
// the datastore or object storage it reaches holds was read as what it
// carries (Flow.Inferred, InferCarried).
const InferredCarries Inferred = 1 << 0

// InferCarried fills in what a flow that states no carried and no returned
// asset carries, where the model already says it: a flow into a datastore or
// object storage of ours that stores assets reads or writes them ("the
// API's sql link to the requests database carries the requests"); a flow
// out of a store is left alone (a bucket's event notification does not
// carry the objects). A flow that states what it carries keeps its list,
// and a flow into a store that holds nothing stated or inferred is left
// carrying nothing: unknown stays unknown. Queues are left alone: their messages are on their flows. Like
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
		to := f.To
		if !holdsData(to) || to.ThirdParty || len(to.Stores) == 0 {
			continue
		}
		as := make([]*Asset, 0, len(to.Stores))
		for _, a := range to.Stores {
			if !slices.Contains(as, a) { // a model may list an asset twice
				as = append(as, a)
			}
		}
		f.Carries, f.Inferred = as, f.Inferred|InferredCarries
	}
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
