package main

import (
	"bytes"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"

	"github.com/wardtm/ward/internal/report"
)

// gcFloor lets the heap reach about 16 MB before the first garbage
// collection, then hands back to the usual pacing (GOGC=100). A check of a
// small model allocates a few megabytes: without the floor the collector
// starts at 4 MB and its one cycle (scanning the globals of a 60 MB binary)
// is about a fifth of the command's CPU. Large models lose nothing: after
// that first cycle the heap grows as it always did. Setting GOGC in the
// environment turns the floor off. It is the server's policy (gcPolicy).
func gcFloor() {
	if os.Getenv("GOGC") != "" {
		return
	}
	old := debug.SetGCPercent(400) // first goal: 4 MB × 400 / 100
	runtime.AddCleanup(new([32]byte), func(p int) { debug.SetGCPercent(p) }, old)
}

// heapCeiling is the memory a one-shot command (check, export, report …)
// lets the Go heap reach before it collects, while the live heap stays
// well below it: issue 13 asks a check of 10,000 components for at most
// 500 MB of RSS, and the binary and the runtime's own memory take a few
// tens of MB beside the heap.
const heapCeiling = 440 << 20

// ceilingLeave is the live heap, after a collection, above which the
// ceiling is given up for pacing by the live heap (largeGOGC): near the
// ceiling the collector would run after every few MB allocated (and a
// model whose live data exceeds it would collect without end). Seven
// eighths of the ceiling (385 MB): a check of 10,000 components leaves at
// most ≈ 280 MB live (≈ 325 MB with --all), while one of 100,000 leaves
// ≈ 400 MB after its first collection, mid-load, and at 19/20 of the
// ceiling collected three or four more times within 30 MB of it (each
// marking ≈ 420 MB) before giving it up.
const ceilingLeave = heapCeiling / 8 * 7

// largeCeiling is the second ceiling: once a collection leaves more than
// ceilingLeave live (a model too large for heapCeiling), the collector
// stays off until the process's memory reaches this limit, collects there
// once, and then paces by the live heap (largeGOGC). What the rules raise
// stays live until the listing drops the threats not listed, so while
// they run a collection marks nearly all of the heap and frees little: at
// 100,000 components, paced by the live heap from the first ceiling on,
// the load and the rules collected six times (marking 0.6–2.1 GB each,
// ≈ 7 GB in all) where under this limit they collect once (≈ 2.6 GB),
// late in the rules. After it the live heap (≈ 1.75 GB) paces the rest
// of the analysis as before: near the limit, with nearly 2 GB live, the
// collector would run after every 200–300 MB allocated (tried: 3
// collections more, no less CPU). Collections in all for a check of
// 100,000 components: 10 → 5, ≈ 15 → 11 GB marked, 7–11 % less CPU. The
// price is memory: the one collection frees ≈ 0.85 GB scattered among the
// threats that stay, and the heap is less compact afterwards (≈ 40–50 MB
// more mapped at the peak, the end of building the result: max RSS
// 3.01 → 3.05 GB on a loaded machine). A lower limit (2,300 MB) was
// worse on both: its collection comes earlier and the pacing after it
// reaches a higher goal in the listing. A model of 30,000–70,000
// components runs its analysis without collecting and holds more memory
// than under pacing (up to the limit), for less CPU. Issue 13 asks at most
// 3 GB at 100,000 components.
const largeCeiling = 2600 << 20

// largeGOGC paces the collector once both ceilings are given up (a model
// past the second ceiling), and while a large model's result is
// rendered with the analysis still live (afterBuild; ward check lets it
// go and uses renderGOGC): the heap may grow to 1.5 times what the last
// collection left, not twice (GOGC's default 100). At 100,000 components 50
// took the max RSS from 3.59 to 3.33 GB for no more CPU (the collections
// are more, each marks the same live heap).
const largeGOGC = 50

// The stages of a one-shot command's pacing (gcStage): under heapCeiling,
// under largeCeiling, paced by the live heap (largeGOGC), and done (the
// analysis is over: afterAnalysis took the pacing over and the watcher
// stops). gcMu orders the watcher's changes (run in the cleanup
// goroutine) with afterAnalysis's.
const (
	stageCeiling = iota
	stageLarge
	stagePaced
	stageDone
)

var (
	gcMu    sync.Mutex
	gcStage = stageCeiling
)

// gcPolicy sets the collector's pacing for the command in args. The
// server (serve) keeps the usual pacing with gcFloor: it is long-running and
// should not sit at the ceiling. Every other command is one-shot: it
// collects only when its memory reaches heapCeiling (GOGC off, a memory
// limit), instead of whenever the heap doubles. A check of a small model
// never collects; one of 10,000 components collects a few times instead of
// a dozen, and its peak RSS stays under 500 MB; as soon as a collection
// leaves more than ceilingLeave live (a model too large for the ceiling)
// the second ceiling (largeCeiling) takes over, and past that pacing by the
// live heap (largeGOGC, no limit). GOGC or GOMEMLIMIT in the environment
// leave the runtime's own settings alone.
//
// It returns what to call once an analysis is done (afterAnalysis) and
// once its result is built (afterBuild), or nils.
func gcPolicy(args []string) (analysed func(build bool, parts report.Parts), built func(alone, small bool)) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return nil, nil
	}
	if command(args) == "serve" {
		gcFloor()
		return nil, nil
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(heapCeiling)
	n := inputBytes(args, largeInput)
	if n >= largeInput {
		gcMu.Lock()
		enterStage(stageLarge)
		gcMu.Unlock()
	}
	mediumLoad = n >= mediumInput && n < mediumInputMax
	watchCeiling()
	return afterAnalysis, afterBuild
}

// largeInput is the size of the files named on the command line from
// which a one-shot command starts under the second ceiling (largeCeiling)
// rather than the first: a model this large always leaves more than
// ceilingLeave live at its first collection, which only told the pacing
// so. At 100,000 components (≈ 120 MB of YAML) that collection came
// mid-load (marking ≈ 415 MB) and a second followed at once (≈ 500 MB),
// the memory limit still at heapCeiling until the watcher ran; both are
// skipped. 64 MiB is ≈ 55,000 synthetic components; 30,000 (≈ 36 MB)
// keep the first ceiling.
const largeInput = 64 << 20

// writes are the flags whose value names a file that is not read as
// a model (an output, a database).
var writes = map[string]bool{"-o": true, "--output": true, "--db": true}

// walkEntries bounds inputBytes's walk of a directory (a model's is a
// ward.yaml and its parts; ward check . in a large tree should not read
// all of it before starting).
const walkEntries = 4096

// inputBytes returns the size of the regular files args name (a
// directory counts the files below it, the first walkEntries of them; a
// model file that includes others, the files below its directory, where
// includes are confined), stopping once it reaches enough. Arguments that
// name nothing (flags, a command, standard input) count nothing, and
// neither do the files the command writes or keeps its data in (the value
// of a flag in writes: an earlier run's large output must not make a small
// model's run large).
func inputBytes(args []string, enough int64) int64 {
	var n int64
	seen := 0
	for i, a := range args {
		if n >= enough || a == "" || a[0] == '-' || i > 0 && writes[args[i-1]] {
			continue
		}
		st, err := os.Stat(a)
		switch {
		case err != nil:
		case st.Mode().IsRegular() && st.Size() < includerBytes && includes(a):
			// A split model's ward.yaml is a few hundred bytes; its parts
			// are the input (session 21: /tmp/s100k/ward.yaml started under
			// the first ceiling and collected 8 times, the directory 5).
			walkBytes(filepath.Dir(a), &n, &seen, enough)
		case st.Mode().IsRegular():
			n += st.Size()
		case st.IsDir():
			walkBytes(a, &n, &seen, enough)
		}
	}
	return n
}

// includerBytes bounds the model files inputBytes reads to find an
// include key: a model over it counts as large or small by its own size.
const includerBytes = 64 << 10

// includes reports whether the model file at path has a top-level
// include key (a line starting "include:"). It reads at most
// includerBytes; an unreadable file includes nothing.
func includes(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > includerBytes {
		return false
	}
	return bytes.HasPrefix(b, []byte("include:")) || bytes.Contains(b, []byte("\ninclude:"))
}

// walkBytes adds to n the sizes of the regular files below dir, stopping
// at enough bytes or once seen passes walkEntries.
func walkBytes(dir string, n *int64, seen *int, enough int64) {
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if *seen++; err != nil || *n >= enough || *seen > walkEntries {
			return filepath.SkipAll
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				*n += info.Size()
			}
		}
		return nil
	})
}

// afterAnalysis collects garbage once an analysis is done, before the
// result is built, when what the heap holds now and what building and
// rendering will add (about half as much again) would reach the memory
// limit: the collection then happens where the least is live (the model,
// the listed threats and the questions; the rules' and the scoring's
// working data is garbage) instead of wherever the heap meets the ceiling.
// At 10,000 components that was twice, at the end of the scoring (≈ 240
// MB live) and during the render (≈ 160–270 MB); with the collection here,
// once (≈ 160 MB), and building and rendering fit under the ceiling after
// it. Nothing is done once the ceiling has been given up (no memory
// limit), nor when little was allocated since the last collection (the
// analysis collects itself after dropping most of a large model's
// threats), nor when the heap has passed its goal: a collection has then
// started, at this same point, and runtime.GC would wait for it and run a
// second.
//
// Nor when the ceiling's own collection is under way (collecting) and the
// result is built without its heavy parts (light: text, csv, sarif): at
// 10,000 components the analysis ends with ≈ 405 MB of heap, just where
// the ceiling starts collecting, and runtime.GC waited for that
// collection and then marked again (≈ 80–100 ms with the program
// stopped). What the first leaves live (≈ 240 MB) is room enough for
// building and rendering those formats. A result with its elements and
// paths (json, markdown, html) is kept to the second collection: skipped,
// its build and render passed the ceiling and collected there, during the
// render (perfjson26: json +0.21 s of CPU).
//
// Past the first ceiling, when the result is to be built (build) the
// collection is moved instead (see deferCollection), or, when the heap
// has not just been collected, the pacing by the live heap takes over; a
// command that builds no result (export) is paced by the live heap.
func afterAnalysis(build bool, parts report.Parts) {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcStage != stageCeiling {
		// What follows the analysis is paced by the live heap unless the
		// collection is deferred: a model of 30,000 components has not
		// collected since the first ceiling, and under the second would
		// build and render without collecting (json: max RSS 1.17 → 1.44
		// GB; export to OTM, which builds no result, 0.99 → 1.33 GB).
		enterStage(stagePaced)
		gcStage = stageDone
		if build {
			deferCollection()
		}
		return
	}
	limit := debug.SetMemoryLimit(-1)
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	for _, x := range s {
		if x.Value.Kind() != metrics.KindUint64 {
			return
		}
	}
	if collectNow(s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64(), uint64(limit)) && !(light(build, parts) && collecting()) {
		runtime.GC()
	}
}

// light says whether a result built with parts (build) holds none of the
// parts that building and rendering allocate most for (the elements and
// the paths): what a collection of the analysis leaves is then room
// enough for them under the ceiling.
func light(build bool, parts report.Parts) bool {
	return build && parts&report.AllParts == 0
}

// collecting says whether a collection is under way. The runtime has no
// metric for it, but every collection stops the world twice, at its start
// and at the end of its marking, and counts each pause
// (/sched/pauses/total/gc:seconds) and each collection ended
// (/gc/cycles/total): between the two pauses there is one more of the
// first than twice the second. (A mark termination the runtime restarts
// counts a third pause: later calls then say a collection is under way,
// and afterAnalysis leaves a light result to the ceiling.)
func collecting() bool {
	s := []metrics.Sample{{Name: "/sched/pauses/total/gc:seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram || s[1].Value.Kind() != metrics.KindUint64 {
		return false
	}
	var pauses uint64
	for _, n := range s[0].Value.Float64Histogram().Counts {
		pauses += n
	}
	return pauses > 2*s[1].Value.Uint64()
}

// afterLoad collects garbage once a model is loaded, when the command
// started under the second ceiling (a large input, largeInput): what the
// loading parsed is garbage then and the model is all that is live. At
// 100,000 components that is ≈ 280 MB live of ≈ 850 MB of heap; left to
// the second ceiling, the ≈ 570 MB of parse trees and documents stayed in
// the heap through the rules, whose one collection (marking ≈ 2.5 GB)
// came that much earlier. This collection does not count as the second
// ceiling's one (loadCollect): the pacing stays where it was.
//
// It collects too under the first ceiling once the input is at least
// mediumInput (mediumLoad). At 10,000 components the load leaves ≈ 39 MB
// live of ≈ 92 MB of heap, and without this collection its garbage
// stayed in the heap until the analysis reached the ceiling, just before
// its end (≈ 410 MB of heap): that collection marked ≈ 211–235 MB, the
// rules' and the scoring's working data with what stays, while the
// analysis ran beside it, and json collected again after the analysis
// (afterAnalysis, ≈ 132 MB). Collected here, the analysis ends at ≈ 364
// MB, under the ceiling, and afterAnalysis's collection is the only other
// one, for every format: ≈ 39 + 132 MB marked in all instead of ≈ 211–235
// (text) or ≈ 346 (json), and the peak is lower (max RSS ≈ 457 → 428 MB,
// text).
func afterLoad() {
	gcMu.Lock()
	large := gcStage == stageLarge
	loadCollect = large
	gcMu.Unlock()
	if large || mediumLoad {
		runtime.GC()
	}
}

// mediumInput and mediumInputMax bound the size of the input for which a
// command under the first ceiling collects once its model is loaded
// (afterLoad): ≈ 7,000 to ≈ 11,000 synthetic components (≈ 8.4 to 13.6
// MB), whose analyses, with the catalogue of session 27, allocate enough
// that a collection follows anyway and, once the load's garbage is gone,
// end under the ceiling. At 8,000 components the one collection after
// the analysis (≈ 106 MB marked) gave way to this one (≈ 32 MB; the
// build and render then fit under the ceiling); at 10,000 see afterLoad.
// At 12,000 the analysis reaches the ceiling either way, and collecting
// after loading only added a collection (≈ 48 MB marked; 484 → 573 MB in
// all); larger models, to the second ceiling, were not measured.
const (
	mediumInput    = 8 << 20
	mediumInputMax = 13 << 20
)

// mediumLoad is set when the input is medium (gcPolicy).
var mediumLoad bool

// loadCollect is set while afterLoad's collection has not been seen by
// the watcher (watchCeiling), which then leaves the stage as it is.
var loadCollect bool

// collectNow says whether a heap holding objects bytes, live of them at
// the last collection, should be collected now under limit, its goal
// being goal: building and rendering would take it past the limit (half as
// much again), more than a quarter of the limit was allocated since the
// last collection, and the heap is below its goal.
func collectNow(objects, live, goal, limit uint64) bool {
	return objects+objects/2 > limit && objects > live && objects-live > limit/4 && objects < goal
}

// command returns the first argument that is not a flag.
func command(args []string) string {
	for _, a := range args {
		if len(a) > 0 && a[0] != '-' {
			return a
		}
	}
	return ""
}

// watchCeiling runs after each collection (a cleanup on an object that is
// garbage by then) and moves to the next stage (nextStage): from
// heapCeiling to largeCeiling past ceilingLeave, from there to pacing by
// the live heap, and while paced keeps the memory limit at pacedLimit. It
// stops once afterAnalysis has taken over.
func watchCeiling() {
	runtime.AddCleanup(new([32]byte), func(struct{}) {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		gcMu.Lock()
		defer gcMu.Unlock()
		if loadCollect {
			loadCollect = false
		} else if next := nextStage(gcStage, s[0].Value.Uint64()); next != gcStage {
			enterStage(next)
		}
		if gcStage == stagePaced {
			debug.SetMemoryLimit(pacedLimit(s[0].Value.Uint64()))
		}
		if gcStage < stageDone {
			watchCeiling()
		}
	}, struct{}{})
}

// enterStage sets the pacing of stage (stageLarge or stagePaced).
func enterStage(stage int) {
	gcStage = stage
	switch stage {
	case stageLarge:
		debug.SetMemoryLimit(largeCeiling)
	case stagePaced:
		debug.SetGCPercent(largeGOGC)
		debug.SetMemoryLimit(math.MaxInt64)
	}
}

// pacedCeiling bounds the process's memory while the analysis of a model
// past the second ceiling is paced by the live heap (stagePaced, until
// afterAnalysis): at 100,000 components the scoring and listing grow the
// heap from ≈ 2.3 GB left live to ≈ 2.7 GB under a goal of 1.5 times it,
// and the memory mapped reached ≈ 3.0 GB (the run's peak) before the
// analysis's own collection. Under this limit the collector runs once more
// there instead. pacedLimit never sets it closer than an eighth of the live
// heap, so a larger model is paced as before rather than collecting
// without end.
const pacedCeiling = 2750 << 20

// pacedLimit is the memory limit while paced with live bytes live.
func pacedLimit(live uint64) int64 {
	return int64(max(pacedCeiling, live+live/8))
}

// nextStage returns the stage after stage once a collection left live
// bytes live: past ceilingLeave the first ceiling is given up for the
// second, and the second is given up after its one collection.
func nextStage(stage int, live uint64) int {
	switch {
	case stage == stageCeiling && live > ceilingLeave:
		return stageLarge
	case stage == stageLarge:
		return stagePaced
	}
	return stage
}

// deferred is set while the collector waits for a result to be built
// (deferCollection); gcAtDefer is the collection count then.
var (
	deferred  bool
	gcAtDefer uint64
)

// deferCollection turns the collector off while a large model's result
// is built, when the analysis has just collected (it does once it has
// dropped most of the threats raised: what is live is then what building
// reads). Building allocates about 0.8 times the live heap (100,000
// components: ≈ 1.24 GB over 1.54 GB live), a quarter of it working data
// that is garbage once it is done; paced by the live heap (largeGOGC), the
// collector ran once mid-build, marked ≈ 2.4 GB and freed ≈ 50 MB, and the
// working data then stayed in the heap through rendering. afterBuild
// collects instead, once, after it: the same mark, and the render reuses
// the working data's memory (the peak is the heap at the end of building).
// A memory limit of two and a half times the heap bounds a build that
// allocates more than expected: of its objects, not of the live heap, as
// the analysis's last steps allocate after its collection what the build
// reads (the questions' wording, ≈ 90 MB at 100,000 components): a limit
// of twice the live heap made the build collect twice. Twice the objects
// was still too close (session 24, perf24b): the heap freed by the
// analysis's collection is scattered, the memory the limit counts is ≈
// 150 MB above the objects, and at 100,000 components the limit started
// the collection near the end of every build (2.14 GB of heap), which
// marked the analysis with the result (≈ 2.05 GB live, 4.4 s of CPU) and
// made afterBuild's own collection wait for it and be skipped. Under the
// higher limit the build does not collect; afterBuild's collection runs
// once ward check has let the analysis go (analyseFor) and marks the
// result alone (≈ 1.09 GB). The peak is unchanged: that collection freed
// ≈ 100 MB while the heap grew by 50 MB under it.
func deferCollection() {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	for _, x := range s {
		if x.Value.Kind() != metrics.KindUint64 {
			return
		}
	}
	objects, live := s[0].Value.Uint64(), s[1].Value.Uint64()
	if !justCollected(objects, live) {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(int64(2*objects + objects/2))
	deferred, gcAtDefer = true, s[2].Value.Uint64()
}

// justCollected says whether a heap holding objects bytes, live of them at
// the last collection, has allocated little (an eighth of live) since.
func justCollected(objects, live uint64) bool {
	return live > 0 && objects < live+live/8
}

// afterBuild ends deferCollection: it collects and hands the free memory
// back to the system, unless the memory limit made the collector run
// meanwhile, and hands back to pacing by the live heap. ward check calls
// it once it has let the analysis go (its result is all the render reads):
// at 100,000 components the collection then frees ≈ 1.1 GB of ≈ 2.2.
// When only the result stays live (alone), the render is paced by
// renderGOGC rather than largeGOGC.
//
// A result rendered alone by a render that allocates little (small:
// ward check's text without --verbose or --all, ≈ 7 MB at 10,000
// components, its chunk buffers reused) is the exception: the render
// finds room in the heap the analysis's collections freed, so the
// collection, which would mark the whole result (≈ 1.1 GB at 100,000
// components) just before the process ends, is skipped and the collector
// stays off under deferCollection's limit. Not so for csv or sarif (≈ 23
// and 38 MB at 10,000), nor for text with --verbose (≈ 33 MB): at 100,000
// components sarif and csv then reached that limit during their renders,
// collected there (marking ≈ 1.4–1.5 GB) and peaked at 2.93 and 3.17 GB
// instead of 2.83.
func afterBuild(alone, small bool) {
	if !deferred {
		return
	}
	deferred = false
	if alone && small {
		return
	}
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() == gcAtDefer {
		// FreeOSMemory, not runtime.GC: the memory building's working data
		// held goes back to the system at once instead of staying mapped
		// while the render allocates beside it. At 100,000 components the
		// render's peak fell by ≈ 170 MB (mapped ≈ 2,990 → 2,820 MB).
		debug.FreeOSMemory()
	}
	if alone {
		debug.SetGCPercent(renderGOGC)
	} else {
		debug.SetGCPercent(largeGOGC)
	}
	debug.SetMemoryLimit(math.MaxInt64)
}

// renderGOGC paces the render of a large model's result once only the
// result is live (afterBuild's alone): the heap may grow to twice it,
// which stays under the heap the build reached (the analysis's live data
// and the result). At 100,000 components json's render, paced by
// largeGOGC from ≈ 1.22 GB live, collected once more (marking ≈ 1.39 GB).
const renderGOGC = 100
