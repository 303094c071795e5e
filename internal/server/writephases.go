package server

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// Where a write's time goes (issue 13). A push or an edit (a decision is
// one) carries a clock in its context; each step marks the wall time
// since the step before as its phase, and the request adds its phases to
// the server's totals when it answers. /metrics shows the totals as
// ward_write_phase_seconds_<kind>_<phase> with ward_writes_timed_<kind>,
// kind push or edit (a decision, an edit of an item), so the time a
// write spent queued for the analysis slot, merging, analysing, encoding
// and storing is known per write (ward-load prints it). The phases are
// wall time: on a busy machine they include waits for a core.

// writePhase is one step of a write.
type writePhase int

const (
	phaseRequest writePhase = iota // decoding the body, authorising, reading the system
	phaseQueue                     // waiting for the analysis slot (a push's parse while it queues included)
	phaseMerge                     // merging a push with the server's changes, or applying an edit
	phaseLoad                      // writing the files for the loader and loading them (spec.Load, rules)
	phaseAnalyse                   // the analysis (analysis.Run)
	phaseReport                    // the report and its queryable rows
	phaseHandoff                   // waiting for a store slot (PostgreSQL)
	phaseEncode                    // encoding the stored analysis
	phaseStore                     // the store's write transaction and the revision after it
	phaseAfter                     // the version cache, events and notifications
	phaseAnswer                    // encoding the answer
	numPhases
)

// phaseNames name the phases in /metrics.
var phaseNames = [numPhases]string{"request", "queue", "merge", "load", "analyse", "report", "handoff", "encode", "store", "after", "answer"}

// writeClock times one write's phases; one goroutine uses it.
type writeClock struct {
	last time.Time
	ns   [numPhases]int64
	// yield makes each mark give up the core (Config.YieldWrites);
	// yields counts them.
	yield  bool
	yields int
}

// writeKind tells pushes from edits, whose phases differ (an edit's merge
// is applying the edit; a push's the three-way merge).
type writeKind int

const (
	kindPush writeKind = iota
	kindEdit
	numKinds
)

var kindNames = [numKinds]string{"push", "edit"}

// writePhases are the totals over the writes answered since the start.
type writePhases [numKinds]struct {
	ns     [numPhases]atomic.Int64
	writes atomic.Int64
	yields atomic.Int64 // the marks that gave up the core (Config.YieldWrites)
}

type clockKey struct{}

// withClock returns ctx carrying a new clock started now; with yield, the
// write gives up its core at each mark (Config.YieldWrites).
func withClock(ctx context.Context, yield bool) (context.Context, *writeClock) {
	c := &writeClock{last: time.Now(), yield: yield}
	return context.WithValue(ctx, clockKey{}, c), c
}

// mark counts the time since the last mark of the write in ctx (if it is
// timed) as phase ph, and gives up the core if the clock says so: the
// goroutine goes to the back of the run queue, and the requests that
// became runnable while this step of the write ran (reads, mostly) run
// before its next step. A write's steps are each a few milliseconds of
// CPU or less; without the yield a runnable read may wait for a core up
// to the scheduler's time slice (10 ms) behind each CPU-bound goroutine.
// A yield with nothing else runnable returns at once.
func mark(ctx context.Context, ph writePhase) {
	if c, _ := ctx.Value(clockKey{}).(*writeClock); c != nil {
		c.mark(ph)
		if c.yield {
			c.yields++
			runtime.Gosched()
		}
	}
}

func (c *writeClock) mark(ph writePhase) {
	now := time.Now()
	c.ns[ph] += int64(now.Sub(c.last))
	c.last = now
}

// add counts a write's phases, the time since its last mark as answering.
func (t *writePhases) add(k writeKind, c *writeClock) {
	c.mark(phaseAnswer)
	for i, ns := range c.ns {
		t[k].ns[i].Add(ns)
	}
	t[k].writes.Add(1)
	t[k].yields.Add(int64(c.yields))
}

// gauges registers the totals on m.
func (t *writePhases) gauges(m *metrics) {
	for k, kind := range kindNames {
		m.gauge("ward_writes_timed_"+kind, func() float64 { return float64(t[k].writes.Load()) })
		m.gauge("ward_write_yields_"+kind, func() float64 { return float64(t[k].yields.Load()) })
		for i, name := range phaseNames {
			m.gauge("ward_write_phase_seconds_"+kind+"_"+name, func() float64 { return time.Duration(t[k].ns[i].Load()).Seconds() })
		}
	}
}
