package report

import (
	"io"
	"runtime"
	"sync/atomic"
)

// chunkPool holds the buffers of writeChunks, kept from one list to the
// next.
type chunkPool chan []byte

// firstChunkCap is the capacity of writeChunks's first buffers.
const firstChunkCap = 64 << 10

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
	type chunk struct {
		lo   int
		out  []byte
		err  error
		done chan struct{}
	}
	// A window of chunks in flight, in order. Buffers come from a fixed
	// pool, one more than the chunks that can be outstanding (queued in
	// order, or held by the writer), so a worker always finds one; the
	// pool is kept for the next list.
	jobs := make(chan *chunk)
	order := make(chan *chunk, 2*workers)
	if *pool == nil || cap(*pool) != 2*workers+2 {
		*pool = make(chunkPool, 2*workers+2)
		for range cap(*pool) {
			*pool <- nil
		}
	}
	free := *pool
	// A buffer's first chunk starts it at the size of the largest chunk
	// written so far (firstChunkCap at first), rather than growing it from
	// nothing by append's steps of a quarter, each a copy.
	var biggest atomic.Int64
	biggest.Store(firstChunkCap)
	stop := make(chan struct{})
	defer close(stop)
	for range workers {
		go func() {
			for c := range jobs {
				var buf []byte
				select {
				case buf = <-free:
				case <-stop:
					return
				}
				if buf == nil {
					buf = make([]byte, 0, biggest.Load())
				}
				c.out, c.err = enc(buf[:0], c.lo, min(c.lo+size, n))
				if m := int64(len(c.out)); m > biggest.Load() {
					biggest.Store(m) // a race may keep the smaller: only a size hint
				}
				close(c.done)
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(order)
		for lo := 0; lo < n; lo += size {
			c := &chunk{lo: lo, done: make(chan struct{})}
			select {
			case order <- c:
			case <-stop:
				return
			}
			select {
			case jobs <- c:
			case <-stop:
				return
			}
		}
	}()
	for c := range order {
		<-c.done
		if c.err != nil {
			return c.err
		}
		if _, err := w.Write(c.out); err != nil {
			return err
		}
		free <- c.out
	}
	return nil
}
