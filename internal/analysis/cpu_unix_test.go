//go:build unix

package analysis

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the process has used, for
// benchmarks that report CPU per operation: on a shared machine wall time
// swings with the load, CPU time much less.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
