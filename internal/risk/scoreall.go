package risk

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/wardtm/ward/internal/model"
)

// scoreChunk is how many findings a scoring worker takes at a time.
const scoreChunk = 2048

// scoreAll calls fn for every finding, on GOMAXPROCS workers for long
// lists, each worker with its own explainer from newEx: scoring a finding
// writes that finding only, and an explainer's memos (shared wording,
// exposure, impact of long asset lists) are caches whose values do not
// depend on which findings filled them.
func scoreAll(fs []*model.Finding, fn func(*explainer, *model.Finding), newEx func() *explainer) {
	workers := min(runtime.GOMAXPROCS(0), (len(fs)+scoreChunk-1)/scoreChunk)
	if workers <= 1 {
		ex := newEx()
		for _, f := range fs {
			fn(ex, f)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			ex := newEx()
			for {
				lo := int(next.Add(scoreChunk)) - scoreChunk
				if lo >= len(fs) {
					return
				}
				for _, f := range fs[lo:min(lo+scoreChunk, len(fs))] {
					fn(ex, f)
				}
			}
		})
	}
	wg.Wait()
}
