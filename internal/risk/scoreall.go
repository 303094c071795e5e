package risk

import (
	"runtime"

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
	workParts(len(fs), scoreChunk, workers, func() func(lo, hi int) {
		ex := newEx()
		return func(lo, hi int) {
			for _, f := range fs[lo:hi] {
				fn(ex, f)
			}
		}
	})
}
