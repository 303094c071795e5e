package synth

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCheckBinary100k runs the real ward binary, as a user does, on a
// generated model of 100,000 components and 500,000 flows split into parts
// (as `ward-synth -n 100000 -split DIR` writes it): issue 13's target is
// ≤ 10 s of wall and ≤ 3 GB of max RSS. Unlike BenchmarkEndToEnd it
// includes the command's garbage-collector policy (cmd/ward/gc.go) and the
// text render. It runs only under -bench (`go test ./...` does not run
// benchmarks) and takes minutes and 3 GB per iteration:
//
//	go test -run '^$' -bench CheckBinary100k -benchtime 1x ./internal/synth/
//
// It reports wall per run (ns/op), CPU (user + system) and the largest max
// RSS of the runs. WARD_BENCH_FORMAT picks another output format.
func BenchmarkCheckBinary100k(b *testing.B) {
	const n = 100_000
	dir := b.TempDir()
	bin := filepath.Join(dir, "ward")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/ward")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	model := writeModel(b, n)
	format := os.Getenv("WARD_BENCH_FORMAT")
	if format == "" {
		format = "text"
	}
	var cpu time.Duration
	var rss int64
	runs := 0
	for b.Loop() {
		cmd := exec.Command(bin, "check", model, "--fail-on", "none", "--format", format, "--date", "2026-01-01")
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = devnull, devnull
		err = cmd.Run()
		devnull.Close()
		if err != nil {
			b.Fatalf("ward check: %v", err)
		}
		runs++
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = max(rss, ru.Maxrss) // KiB on Linux
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(max(runs, 1)), "cpu-s/op")
	b.ReportMetric(float64(rss)/1e6, "max-RSS-GB")
	b.ReportMetric(n, "components")
}
