//go:build pprof

package main

import (
	"os"
	"runtime/pprof"
)

// With -tags pprof, WARD_CPUPROFILE=file writes a CPU profile of the whole
// command (for measuring the binary as a user runs it; see
// docs/performance.md). Ordinary builds have no such hook.
func init() {
	p := os.Getenv("WARD_CPUPROFILE")
	if p == "" {
		return
	}
	f, err := os.Create(p)
	if err != nil {
		return
	}
	if pprof.StartCPUProfile(f) != nil {
		return
	}
	stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
}
