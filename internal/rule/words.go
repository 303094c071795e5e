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
	wordEach(len(qs), func(a *strArena, i int) { qs[i].Text = a.text(asks[i].p) })
}

// WordQuestions sets the text of questions RunWith left unworded
// (Options.Unworded), from each one's fact: its key, control and
// element, which are all the wording reads.
func WordQuestions(qs []*model.Question) {
	wordEach(len(qs), func(a *strArena, i int) {
		q := qs[i]
		q.Text = a.text(pending{key: q.Key, ctl: q.Control, target: q.Target})
	})
}

// wordEach calls word for 0 … n-1, in chunks on all cores when n is
// large, each worker with its own arena.
func wordEach(n int, word func(a *strArena, i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+wordChunk-1)/wordChunk)
	if workers <= 1 {
		var a strArena
		for i := range n {
			word(&a, i)
		}
		return
	}
	var wg sync.WaitGroup
	per := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += per {
		hi := min(lo+per, n)
		wg.Go(func() {
			var a strArena
			for i := lo; i < hi; i++ {
				word(&a, i)
			}
		})
	}
	wg.Wait()
}
