package report

import (
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkPool holds the buffers of writeChunks, kept from one list to the
// next.
type chunkPool chan []byte

// writeChunks writes items [0, n) to w in order, encoded by enc, which
// appends items [lo, hi) to dst. Items are encoded size at a time; a long
// list is encoded on GOMAXPROCS goroutines and written in order, so memory
// stays proportional to a few chunks rather than to the whole output. enc
// must be safe to call concurrently on different ranges. The buffers come
// from *pool, made on first use.
func writeChunks(w io.Writer, n, size int, pool *chunkPool, enc func(dst []byte, lo, hi int) ([]byte, error)) error {
	workers := min(runtime.GOMAXPROCS(0), (n+size-1)/size)
	if workers <= 1 {
		var out []byte
		for lo := 0; lo < n; lo += size {
			var err error
			if out, err = enc(out[:0], lo, min(lo+size, n)); err != nil {
				return err
			}
			if _, err := w.Write(out); err != nil {
				return err
			}
		}
		return nil
	}
	// Workers claim chunks in order (next) and encode them into buffers
	// from a fixed pool, which bounds how far they run ahead of the
	// writer: a worker takes a buffer before it claims a chunk, and the
	// writer gives it back once the chunk is written. The pool is kept
	// for the next list. No goroutine hands the chunks out: on two cores
	// such a feeder, woken for every chunk, left a core idle whenever it
	// waited behind the writer (json at 10,000 components: ≈ 1.4 cores).
	chunks := (n + size - 1) / size
	if *pool == nil || cap(*pool) != 2*workers+2 {
		*pool = make(chunkPool, 2*workers+2)
		for range cap(*pool) {
			*pool <- nil
		}
	}
	free := *pool
	type result struct {
		out []byte
		err error
	}
	res := make([]result, chunks)
	done := make([]chan struct{}, chunks)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	defer wg.Wait()
	defer close(stop)
	for range workers {
		wg.Go(func() {
			for {
				var buf []byte
				select {
				case buf = <-free:
				case <-stop:
					return
				}
				i := int(next.Add(1) - 1)
				if i >= chunks {
					free <- buf
					return
				}
				lo := i * size
				res[i].out, res[i].err = enc(buf[:0], lo, min(lo+size, n))
				close(done[i])
			}
		})
	}
	for i := range chunks {
		<-done[i]
		if res[i].err != nil {
			return res[i].err
		}
		if _, err := w.Write(res[i].out); err != nil {
			return err
		}
		free <- res[i].out
		res[i].out = nil
	}
	return nil
}
