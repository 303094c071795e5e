package sqlstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite's WAL is copied back into the database file by checkpoints. By
// default the connection whose commit takes the WAL past 1,000 pages runs
// one at once, inside its commit: on a server that is a write holding
// the one analysis slot (internal/server, bounds.go) while it copies
// every page written since the last checkpoint and syncs both files
// (≈ 0.25–0.3 ms of CPU a version on the load benchmark, the system
// calls besides; issue 13, server17). Instead a goroutine of the store
// runs a PASSIVE checkpoint (which waits for no reader or writer) shortly
// after writes, on a connection of the pool, so the copying leaves the
// writes' serialised path; the connections' automatic checkpoint stays as
// a backstop, at 16,000 pages (64 MiB of WAL), should the goroutine fall
// behind.

// checkpointDelay is how long the checkpointer lets writes accumulate
// after the first one it is told of: a page written several times in it
// is copied once.
const checkpointDelay = 50 * time.Millisecond

// walBackstop is the connections' wal_autocheckpoint, in pages.
const walBackstop = 16000

type checkpointer struct {
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once
	runs atomic.Int64 // checkpoints run without an error (for tests)
}

// startCheckpointer starts the background checkpoints of a SQLite store.
func (s *DB) startCheckpointer() {
	c := &checkpointer{kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	s.ckpt = c
	go func() {
		defer close(c.done)
		t := time.NewTimer(0)
		<-t.C
		for {
			select {
			case <-c.kick:
			case <-c.stop:
				return
			}
			t.Reset(checkpointDelay)
			select {
			case <-t.C:
			case <-c.stop:
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			// An error (the database busy, closing) leaves the pages to
			// the next checkpoint or to the backstop.
			if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err == nil {
				c.runs.Add(1)
			}
			cancel()
		}
	}()
}

// wrote tells the checkpointer that a write transaction committed.
func (c *checkpointer) wrote() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// close stops the checkpointer and waits for a checkpoint under way.
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	c.once.Do(func() { close(c.stop) })
	<-c.done
}
