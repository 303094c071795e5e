package rule

import (
	"runtime"
	"sync"

	"github.com/wardtm/ward/internal/model"
)

// wordChunk is how many questions a worker words at a time.
const wordChunk = 4096

// wordQuestions sets each question's text from its fact (qs[i] from
// asks[i]), on all cores for long lists: a large model asks 100,000s of
// questions, each worded into a worker's string chunks (strArena) rather
// than allocated alone.
func wordQuestions(qs []*model.Question, asks []*asked) {
	workers := min(runtime.GOMAXPROCS(0), (len(qs)+wordChunk-1)/wordChunk)
	if workers <= 1 {
		var a strArena
		for i, q := range qs {
			q.Text = a.text(asks[i].p)
		}
		return
	}
	var wg sync.WaitGroup
	per := (len(qs) + workers - 1) / workers
	for lo := 0; lo < len(qs); lo += per {
		hi := min(lo+per, len(qs))
		wg.Go(func() {
			var a strArena
			for i := lo; i < hi; i++ {
				qs[i].Text = a.text(asks[i].p)
			}
		})
	}
	wg.Wait()
}
