package main

import (
	"os"
	"runtime"
	"runtime/debug"
)

// gcFloor lets the heap reach about 16 MB before the first garbage
// collection, then hands back to the usual pacing (GOGC=100). A check of a
// small model allocates a few megabytes: without the floor the collector
// starts at 4 MB and its one cycle (scanning the globals of a 60 MB binary)
// is about a fifth of the command's CPU. Large models lose nothing: after
// that first cycle the heap grows as it always did. Setting GOGC in the
// environment turns the floor off.
func gcFloor() {
	if os.Getenv("GOGC") != "" {
		return
	}
	old := debug.SetGCPercent(400) // first goal: 4 MB × 400 / 100
	runtime.AddCleanup(new([32]byte), func(p int) { debug.SetGCPercent(p) }, old)
}
