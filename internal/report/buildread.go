package report

import (
	"runtime"
	"sync"

	"github.com/wardtm/ward/internal/model"
)

// readFindings is the part of Build's sizing pass that reads the engine's
// findings, run in chunks on GOMAXPROCS goroutines: reading a finding and
// its first target's element is a cache miss or two each, and the pass
// that numbers the elements and lists must go in order. For each finding i
// it writes into fel[i] the number of its one target when that is a
// component (its CompNum) or a flow (the number of components plus its
// FlowNum) that the model numbers, -1 otherwise (no, several or another
// kind of target: the ordered pass reads the finding then); into nas[i] and
// first[i] the length of its list of assets at stake and that list's first
// element. It returns the lengths of the findings' category lists of other
// than one category and of their mitigations, summed. Each goroutine writes
// only its own range of the slices.
func readFindings(m *model.Model, fs []*model.Finding, fel, nas []int32, first []**model.Asset) (ncat, nmit int) {
	ncomp := int32(len(m.Components))
	read := func(lo, hi int) (ncat, nmit int) {
		for i := lo; i < hi; i++ {
			f := fs[i]
			nmit += len(f.Mitigations)
			if len(f.Categories) != 1 {
				ncat += len(f.Categories)
			}
			fel[i] = -1
			if len(f.Targets) == 1 {
				switch t := &f.Targets[0]; {
				case t.Component != nil:
					fel[i] = m.CompNum(t.Component)
				case t.Flow != nil:
					if n := m.FlowNum(t.Flow); n >= 0 {
						fel[i] = ncomp + n
					}
				}
			}
			nas[i] = int32(len(f.Assets))
			if len(f.Assets) > 0 {
				first[i] = &f.Assets[0]
			}
		}
		return ncat, nmit
	}
	workers := min(runtime.GOMAXPROCS(0), len(fs)/readChunk)
	if workers <= 1 {
		return read(0, len(fs))
	}
	cats, mits := make([]int, workers), make([]int, workers)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { cats[w], mits[w] = read(len(fs)*w/workers, len(fs)*(w+1)/workers) })
	}
	cats[0], mits[0] = read(0, len(fs)/workers)
	wg.Wait()
	for w := range workers {
		ncat, nmit = ncat+cats[w], nmit+mits[w]
	}
	return ncat, nmit
}

// readChunk is the fewest findings readFindings gives a goroutine.
const readChunk = 4096
