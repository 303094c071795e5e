// Package cpuclock reads the CPU time (user + system) the process has used,
// for benchmarks and the load generator that report CPU per operation: on a
// shared machine wall time swings with the load, CPU time much less.
package cpuclock
