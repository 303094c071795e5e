package risk

import (
	"sync"
	"sync/atomic"
)

// workParts calls the function part returns on consecutive ranges of
// [0, n) of at most chunk items that cover it: with workers > 1, on that
// many goroutines, each calling part once for its own function (its own
// memos) and taking the next chunk until none is left; otherwise once, as
// part()(0, n), on the calling goroutine. The functions must touch only
// what their ranges name, or state of their own.
func workParts(n, chunk, workers int, part func() func(lo, hi int)) {
	if workers <= 1 {
		part()(0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			fn := part()
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunk, n))
			}
		})
	}
	wg.Wait()
}
