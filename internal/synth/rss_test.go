package synth

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryRSS builds the real ward binary, runs `ward check` on generated
// models and reports wall time and peak resident memory (max RSS) of the
// process. It is slow, so it runs only when WARD_BENCH_RSS is set:
//
//	WARD_BENCH_RSS=1 go test -run TestBinaryRSS -v ./internal/synth/
//
// WARD_BENCH_RSS may also list sizes, e.g. WARD_BENCH_RSS=1000,10000,20000.
func TestBinaryRSS(t *testing.T) {
	env := os.Getenv("WARD_BENCH_RSS")
	if env == "" {
		t.Skip("set WARD_BENCH_RSS=1 to build ward and measure its max RSS")
	}
	sizes := []int{1000, 10000}
	if env != "1" {
		sizes = nil
		for _, s := range strings.Split(env, ",") {
			n, err := strconv.Atoi(s)
			if err != nil || n < 2 {
				t.Fatalf("WARD_BENCH_RSS: bad size %q", s)
			}
			sizes = append(sizes, n)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ward")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/ward")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, n := range sizes {
		model := filepath.Join(dir, "big-"+strconv.Itoa(n)+".yaml")
		if err := os.WriteFile(model, Generate(n, DefaultSeed), 0o644); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(model)
		var best time.Duration
		var rss int64
		for range 3 {
			cmd := exec.Command(bin, "check", model, "--fail-on", "none", "--format", "json", "--date", "2026-01-01")
			devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = devnull, &stderr
			// N=10,000 goes over the default findings budget.
			cmd.Env = append(os.Environ(), "WARD_MAX_FINDINGS=1000000000")
			start := time.Now()
			err = cmd.Run()
			wall := time.Since(start)
			devnull.Close()
			if err != nil {
				t.Fatalf("N=%d: ward check: %v\n%s", n, err, stderr.Bytes())
			}
			if best == 0 || wall < best {
				best = wall
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				rss = max(rss, ru.Maxrss) // KiB on Linux
			}
		}
		t.Logf("N=%d (%d flows, %.1f MB of YAML): ward check wall %v (best of 3), max RSS %.1f MB",
			n, 5*n, float64(st.Size())/1e6, best.Round(time.Millisecond), float64(rss)/1024)
	}
}
