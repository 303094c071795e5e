//go:build pprof

package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"time"
)

// With -tags pprof, WARD_CPUPROFILE=file writes a CPU profile of the whole
// command (for measuring the binary as a user runs it; see
// docs/performance.md), WARD_MEMPROFILE=file a heap profile (allocations
// and what was live at the last collection) at its end, WARD_TRACE=file an
// execution trace (which phases use both cores), and WARD_HEAPTRACE=1
// prints the heap's objects, the memory mapped for it and the process's
// CPU every 250 ms to standard error (where the peaks fall). Ordinary
// builds have no such hooks.
func init() {
	if os.Getenv("WARD_HEAPTRACE") != "" {
		go heapTrace()
	}
	if p, n := os.Getenv("WARD_HEAPAT"), os.Getenv("WARD_HEAPAT_GC"); p != "" && n != "" {
		go heapAt(p, n)
	}
	stops := []func(){}
	if p := os.Getenv("WARD_MEMPROFILE"); p != "" {
		stops = append(stops, func() {
			if f, err := os.Create(p); err == nil {
				runtime.GC()
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		})
	}
	if p := os.Getenv("WARD_TRACE"); p != "" {
		if f, err := os.Create(p); err == nil && trace.Start(f) == nil {
			stops = append(stops, func() { trace.Stop(); f.Close() })
		}
	}
	if p := os.Getenv("WARD_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil && pprof.StartCPUProfile(f) == nil {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	stopProfile = func() {
		for _, s := range stops {
			s()
		}
	}
}

// heapAt writes a heap profile to file once the collection numbered n
// (WARD_HEAPAT_GC) is over: its in-use figures are what that collection
// left live (what the collector marks mid-analysis). n may list several
// collections, comma-separated ("4,6"): each writes file.N, and the
// difference of two (go tool pprof -sample_index=alloc_space -base file.4
// file.6) is what was allocated between them.
func heapAt(file, n string) {
	var want []uint64
	for _, s := range strings.Split(n, ",") {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return
		}
		want = append(want, v)
	}
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	for i, w := range want {
		for {
			metrics.Read(s)
			if s[0].Value.Uint64() >= w {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		name := file
		if len(want) > 1 {
			name = file + "." + strconv.FormatUint(want[i], 10)
		}
		if f, err := os.Create(name); err == nil {
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		}
	}
}

func heapTrace() {
	start := time.Now()
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	for {
		metrics.Read(s)
		fmt.Fprintf(os.Stderr, "heap %6.2fs objects %5d MB mapped-released %5d MB gc %d\n",
			time.Since(start).Seconds(), s[0].Value.Uint64()>>20,
			(s[1].Value.Uint64()-s[2].Value.Uint64())>>20, s[4].Value.Uint64())
		time.Sleep(250 * time.Millisecond)
	}
}
