package main

import (
	"math"
	"runtime/metrics"
	"time"
)

// This file reads how long this process's goroutines waited for a core
// (the runtime's scheduling latencies): with an in-process server, the
// share of a read's latency that is waiting for a CPU rather than work or
// a queue of the server's own.

const schedLatencies = "/sched/latencies:seconds"

// schedHist is the runtime's histogram of scheduling latencies so far.
func schedHist() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: schedLatencies}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return s[0].Value.Float64Histogram()
}

// schedQuantiles returns the p50 and p99 of the scheduling latencies
// recorded between two readings of schedHist (the bucket's upper bound,
// so an upper estimate), and how many there were.
func schedQuantiles(before, after *metrics.Float64Histogram) (p50, p99 time.Duration, n uint64) {
	if before == nil || after == nil || len(before.Counts) != len(after.Counts) {
		return 0, 0, 0
	}
	counts := make([]uint64, len(after.Counts))
	for i := range counts {
		counts[i] = after.Counts[i] - before.Counts[i]
		n += counts[i]
	}
	if n == 0 {
		return 0, 0, 0
	}
	at := func(q float64) time.Duration {
		want := uint64(q*float64(n) + 0.5)
		var sum uint64
		for i, c := range counts {
			sum += c
			if sum >= want && c > 0 {
				return bound(after.Buckets, i)
			}
		}
		return bound(after.Buckets, len(counts)-1)
	}
	return at(0.50), at(0.99), n
}

// bound is bucket i's upper bound, or its lower one when that is infinite.
func bound(buckets []float64, i int) time.Duration {
	b := buckets[i+1]
	if math.IsInf(b, 0) {
		b = buckets[i]
	}
	return time.Duration(b * float64(time.Second))
}
