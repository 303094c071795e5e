package main

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/report"
)

func TestCommand(t *testing.T) {
	for args, want := range map[string][]string{
		"check": {"check", "x/ward.yaml"},
		"serve": {"-v", "serve", "--addr", ":0"},
		"":      {"--help"},
	} {
		if got := command(want); got != args {
			t.Errorf("command(%q) = %q, want %q", want, got, args)
		}
	}
}

// TestCeilingGivenUp: a one-shot command collects only at the ceiling
// (GOGC off); past it, only at the second ceiling (GOGC still off), and
// past that the pacing by the live heap takes over (GOGC largeGOGC, no
// memory limit).
func TestCeilingGivenUp(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	oldPct := debug.SetGCPercent(100)
	oldLim := debug.SetMemoryLimit(math.MaxInt64)
	defer func() {
		debug.SetGCPercent(oldPct)
		debug.SetMemoryLimit(oldLim)
		gcMu.Lock()
		gcStage = stageCeiling
		gcMu.Unlock()
	}()
	gcPolicy([]string{"check"})
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("GOGC under the ceiling = %d, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l != heapCeiling {
		t.Fatalf("memory limit = %d, want %d", l, heapCeiling)
	}
	gcMu.Lock()
	defer gcMu.Unlock()
	enterStage(stageLarge)
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("GOGC under the second ceiling = %d, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l != largeCeiling {
		t.Fatalf("memory limit past the ceiling = %d, want %d", l, largeCeiling)
	}
	enterStage(stagePaced)
	if p := debug.SetGCPercent(largeGOGC); p != largeGOGC {
		t.Fatalf("GOGC past both ceilings = %d, want %d", p, largeGOGC)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Fatalf("memory limit past both ceilings = %d, want none", l)
	}
}

func TestNextStage(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		stage int
		live  uint64
		want  int
	}{
		{stageCeiling, 100 * mb, stageCeiling},
		{stageCeiling, 400 * mb, stageLarge}, // 100,000 components, mid-load
		{stageLarge, 1750 * mb, stagePaced},  // the second ceiling's one collection
		{stagePaced, 100 * mb, stagePaced},
		{stageDone, 3000 * mb, stageDone},
	} {
		if got := nextStage(c.stage, c.live); got != c.want {
			t.Errorf("nextStage(%d, %d MB) = %d, want %d", c.stage, c.live/mb, got, c.want)
		}
	}
}

func TestServeKeepsPacing(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	oldPct := debug.SetGCPercent(100)
	defer debug.SetGCPercent(oldPct)
	gcPolicy([]string{"serve"})
	if p := debug.SetGCPercent(100); p == -1 {
		t.Fatal("serve runs with the collector off")
	}
	if l := debug.SetMemoryLimit(-1); l == heapCeiling {
		t.Fatal("serve runs under the one-shot ceiling")
	}
}

func TestCollectNow(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		objects, live, goal uint64
		want                bool
	}{
		{330 * mb, 0, 412 * mb, true},         // 10,000 components: past the ceiling once built
		{200 * mb, 0, 412 * mb, false},        // fits: no collection at all
		{330 * mb, 300 * mb, 412 * mb, false}, // just collected
		{400 * mb, 0, 412 * mb, true},         // close to the goal: still before it
		{415 * mb, 0, 412 * mb, false},        // past the goal: a collection is running
		{5 * mb, 0, 412 * mb, false},          // the shop example
	} {
		if got := collectNow(c.objects, c.live, c.goal, heapCeiling); got != c.want {
			t.Errorf("collectNow(%d, %d, %d MB) = %v, want %v", c.objects/mb, c.live/mb, c.goal/mb, got, c.want)
		}
	}
}

func TestJustCollected(t *testing.T) {
	for _, c := range []struct {
		objects, live uint64
		want          bool
	}{
		{1540 << 20, 1540 << 20, true},  // right after the analysis's collection
		{1700 << 20, 1540 << 20, true},  // an eighth is 192 MB
		{1800 << 20, 1540 << 20, false}, // allocated more since
		{10, 0, false},                  // no collection yet
	} {
		if got := justCollected(c.objects, c.live); got != c.want {
			t.Errorf("justCollected(%d, %d) = %v, want %v", c.objects, c.live, got, c.want)
		}
	}
}

// TestDeferCollection: right after a collection, deferCollection turns the
// collector off under a limit of twice the heap (its objects, at least the
// live heap), and afterBuild hands back to pacing by the live heap.
func TestDeferCollection(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	oldPct := debug.SetGCPercent(largeGOGC)
	oldLim := debug.SetMemoryLimit(math.MaxInt64)
	defer func() {
		debug.SetGCPercent(oldPct)
		debug.SetMemoryLimit(oldLim)
		deferred = false
	}()
	live := make([]byte, 8<<20)
	runtime.GC()
	deferCollection()
	if !deferred {
		t.Skip("the heap was not just collected (a test running beside this one allocated)")
	}
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Fatalf("GOGC while deferred = %d, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l < 16<<20 {
		t.Fatalf("memory limit while deferred = %d, want 2.5 times the heap (≥ 16 MB)", l)
	}
	afterBuild(false, false)
	if deferred {
		t.Fatal("still deferred after afterBuild")
	}
	if p := debug.SetGCPercent(largeGOGC); p != largeGOGC {
		t.Fatalf("GOGC after afterBuild = %d, want %d", p, largeGOGC)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Fatalf("memory limit after afterBuild = %d, want none", l)
	}
	runtime.KeepAlive(live)
}

// TestPacedLimit: the limit while paced is pacedCeiling until the live heap
// comes within an eighth of it, then an eighth above the live heap.
func TestPacedLimit(t *testing.T) {
	for live, want := range map[uint64]int64{
		0:          pacedCeiling,
		2000 << 20: pacedCeiling,
		2444 << 20: pacedCeiling, // 2,749.5 MB
		2448 << 20: 2754 << 20,
		4000 << 20: 4500 << 20,
	} {
		if got := pacedLimit(live); got != want {
			t.Errorf("pacedLimit(%d MB) = %d MB, want %d MB", live>>20, got>>20, want>>20)
		}
	}
}

// TestInputBytes: files count their size, directories and model files
// with an include key the files below them, flags and missing paths
// nothing; the count stops at enough.
func TestInputBytes(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "m", "parts"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "m", "ward.yaml"), make([]byte, 100), 0o644))
	must(os.WriteFile(filepath.Join(dir, "m", "parts", "a.yaml"), make([]byte, 50), 0o644))
	must(os.WriteFile(filepath.Join(dir, "one.yaml"), make([]byte, 30), 0o644))
	// A split model: its small ward.yaml includes parts below its directory.
	must(os.MkdirAll(filepath.Join(dir, "s", "parts"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "s", "ward.yaml"), []byte("ward: 1\ninclude:\n  - parts/*.yaml\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "s", "parts", "a.yaml"), make([]byte, 1000), 0o644))
	for _, c := range []struct {
		args   []string
		enough int64
		want   int64
	}{
		{[]string{"check", filepath.Join(dir, "one.yaml")}, 1 << 20, 30},
		{[]string{"check", filepath.Join(dir, "s", "ward.yaml")}, 1 << 20, 1034},
		{[]string{"check", filepath.Join(dir, "m", "ward.yaml")}, 1 << 20, 100},
		{[]string{"check", "--format", "json", filepath.Join(dir, "m")}, 1 << 20, 150},
		{[]string{"check", filepath.Join(dir, "m"), filepath.Join(dir, "one.yaml")}, 1 << 20, 180},
		{[]string{"check", filepath.Join(dir, "one.yaml"), filepath.Join(dir, "m")}, 20, 30},
		{[]string{"check", "-", filepath.Join(dir, "missing.yaml")}, 1 << 20, 0},
		{[]string{"report", filepath.Join(dir, "one.yaml"), "-o", filepath.Join(dir, "m", "ward.yaml")}, 1 << 20, 30},
		{[]string{"export", "--output", filepath.Join(dir, "m"), "--to", "otm", filepath.Join(dir, "one.yaml")}, 1 << 20, 30},
	} {
		if got := inputBytes(c.args, c.enough); got != c.want {
			t.Errorf("inputBytes(%q, %d) = %d, want %d", c.args, c.enough, got, c.want)
		}
	}
}

// TestAfterLoadKeepsStage: the collection afterLoad makes once a large
// model is loaded is not the second ceiling's one collection: the watcher
// leaves the stage (and the memory limit) as they were. Under the first
// ceiling afterLoad collects only a medium input (mediumLoad), and the
// stage stays.
func TestAfterLoadKeepsStage(t *testing.T) {
	oldPct := debug.SetGCPercent(-1)
	oldLim := debug.SetMemoryLimit(math.MaxInt64)
	defer func() {
		gcMu.Lock()
		gcStage = stageDone // the watcher stops at its next run
		gcMu.Unlock()
		runtime.GC()
		debug.SetGCPercent(oldPct)
		debug.SetMemoryLimit(oldLim)
		gcMu.Lock()
		gcStage, loadCollect = stageCeiling, false
		gcMu.Unlock()
	}()
	// Watchers other tests armed (gcPolicy) stop first: a process has one.
	gcMu.Lock()
	gcStage = stageDone
	gcMu.Unlock()
	for range 3 {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	gcMu.Lock()
	gcStage = stageCeiling
	gcMu.Unlock()
	afterLoad()
	gcMu.Lock()
	if loadCollect {
		t.Error("afterLoad under the first ceiling marked a collection")
	}
	gcMu.Unlock()
	// A medium input collects under the first ceiling, and stays there.
	before := gcCycles()
	mediumLoad = true
	afterLoad()
	mediumLoad = false
	if gcCycles() == before {
		t.Error("afterLoad of a medium input did not collect")
	}
	gcMu.Lock()
	if loadCollect || gcStage != stageCeiling {
		t.Errorf("afterLoad of a medium input: loadCollect %v, stage %d; want false, %d", loadCollect, gcStage, stageCeiling)
	}
	enterStage(stageLarge)
	gcMu.Unlock()
	watchCeiling()
	afterLoad()
	for range 5000 {
		gcMu.Lock()
		seen := !loadCollect
		gcMu.Unlock()
		if seen {
			break
		}
		time.Sleep(time.Millisecond)
	}
	gcMu.Lock()
	defer gcMu.Unlock()
	if loadCollect {
		t.Fatal("the watcher did not see afterLoad's collection")
	}
	if gcStage != stageLarge {
		t.Errorf("stage after afterLoad's collection = %d, want %d (the second ceiling)", gcStage, stageLarge)
	}
	if l := debug.SetMemoryLimit(-1); l != largeCeiling {
		t.Errorf("memory limit after afterLoad's collection = %d, want %d", l, largeCeiling)
	}
}

// TestCollecting: collecting says no once a collection has ended, and yes
// while one marks (each collection pauses the world twice).
func TestCollecting(t *testing.T) {
	runtime.GC()
	if collecting() {
		t.Fatal("collecting after runtime.GC returned")
	}
	// A heap of pointers that takes a while to mark.
	type node struct{ next *node }
	var head *node
	for range 1 << 20 {
		head = &node{head}
	}
	done := make(chan struct{})
	go func() {
		runtime.GC()
		close(done)
	}()
	seen := false
	for wait := true; wait; {
		select {
		case <-done:
			wait = false
		default:
			seen = seen || collecting()
			runtime.Gosched()
		}
	}
	runtime.KeepAlive(head)
	if collecting() {
		t.Fatal("collecting after the collection ended")
	}
	if !seen {
		t.Skip("the collection ended before collecting was called")
	}
}

// TestLight: only a built result without its elements and paths is light
// (text, csv, sarif); json, markdown and html keep afterAnalysis's
// collection, and so do commands that build no result.
func TestLight(t *testing.T) {
	for _, c := range []struct {
		format string
		build  bool
		want   bool
	}{
		{"text", true, true}, {"csv", true, true}, {"sarif", true, true},
		{"json", true, false}, {"markdown", true, false}, {"html", true, false},
		{"text", false, false},
	} {
		if got := light(c.build, report.FormatParts(c.format)); got != c.want {
			t.Errorf("light(%v, FormatParts(%q)) = %v, want %v", c.build, c.format, got, c.want)
		}
	}
}

// gcCycles is the number of collections ended.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestAfterBuildSmall: a text result rendered alone leaves the collector
// off under deferCollection's limit, without collecting.
func TestAfterBuildSmall(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	oldPct := debug.SetGCPercent(-1)
	oldLim := debug.SetMemoryLimit(1 << 40)
	defer func() {
		debug.SetGCPercent(oldPct)
		debug.SetMemoryLimit(oldLim)
		deferred = false
	}()
	deferred = true
	before := gcCycles()
	afterBuild(true, true)
	if deferred {
		t.Error("still deferred after afterBuild")
	}
	if gcCycles() != before {
		t.Error("afterBuild of a text result collected")
	}
	if p := debug.SetGCPercent(-1); p != -1 {
		t.Errorf("GOGC after afterBuild = %d, want off", p)
	}
	if l := debug.SetMemoryLimit(-1); l != 1<<40 {
		t.Errorf("memory limit after afterBuild = %d, want deferCollection's (%d)", l, int64(1<<40))
	}
}
