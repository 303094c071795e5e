package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// This file checks what the load stored (every acknowledged write, no
// version gap) and prints the results.

// verify checks that every acknowledged write is stored with its SHA-256
// and that each system's version numbers run 1..latest without a gap. It
// returns the problems found.
func (l *loader) verify(ctx context.Context) ([]string, error) {
	var problems []string
	for _, s := range l.systems {
		var sys struct {
			Latest int `json:"latest"`
		}
		if err := l.mustJSON(ctx, "GET", "/api/v1/systems/"+s.id, l.admin, nil, http.StatusOK, &sys); err != nil {
			return problems, err
		}
		stored := map[int]string{}
		for off := 0; ; off += 500 {
			var page struct {
				Items []struct {
					Version int    `json:"version"`
					SHA256  string `json:"sha256"`
				} `json:"items"`
				Total int `json:"total"`
			}
			if err := l.mustJSON(ctx, "GET", fmt.Sprintf("/api/v1/systems/%s/versions?limit=500&offset=%d", s.id, off), l.admin, nil, http.StatusOK, &page); err != nil {
				return problems, err
			}
			for _, v := range page.Items {
				stored[v.Version] = v.SHA256
			}
			if off+500 >= page.Total {
				break
			}
		}
		for n := 1; n <= sys.Latest; n++ {
			if _, ok := stored[n]; !ok {
				problems = append(problems, fmt.Sprintf("%s: version %d missing (gap below latest %d)", s.id, n, sys.Latest))
			}
		}
		if len(stored) != sys.Latest {
			problems = append(problems, fmt.Sprintf("%s: %d versions stored, latest is %d", s.id, len(stored), sys.Latest))
		}
		for n, sum := range s.acked {
			if got, ok := stored[n]; !ok {
				problems = append(problems, fmt.Sprintf("%s: acknowledged version %d lost", s.id, n))
			} else if got != sum {
				problems = append(problems, fmt.Sprintf("%s: version %d has sha256 %.12s, acknowledged %.12s", s.id, n, got, sum))
			}
		}
	}
	return problems, nil
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

// report prints the table and reports whether the run met the thresholds.
func report(out io.Writer, c config, r results, lost []string, verr error) bool {
	by := map[string][]time.Duration{}
	fails := map[string]int{}
	retried := map[string]int{}  // succeeded after one or more 429s
	refusals := map[string]int{} // 429 answers, retried or not
	errSamples := map[string]string{}
	var reads, writes []time.Duration
	var writesAtOnce []time.Duration // writes answered without a 429
	var readFails, writeFails, cut int
	for _, s := range r.samples {
		refusals[s.op] += s.retries
		if s.cut {
			// Still waiting out a Retry-After when the run ended: neither
			// a success nor a failure, and no latency.
			cut++
			refusals[s.op]++
			continue
		}
		if s.retries > 0 && s.err == "" {
			retried[s.op]++
		}
		if strings.HasPrefix(s.err, "429 ") {
			refusals[s.op]++
		}
		by[s.op] = append(by[s.op], s.d)
		isRead := strings.HasPrefix(s.op, "read")
		if isRead {
			reads = append(reads, s.d)
		} else {
			writes = append(writes, s.d)
			if s.retries == 0 && s.err == "" {
				writesAtOnce = append(writesAtOnce, s.d)
			}
		}
		if s.err != "" {
			fails[s.op]++
			errSamples[s.op] = s.err
			if isRead {
				readFails++
			} else {
				writeFails++
			}
		}
	}
	secs := r.elapsed.Seconds()
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tcount\tfailed\tretried\t429s\tper s\tp50 ms\tp95 ms\tp99 ms\tmax ms\t")
	row := func(name string, ds []time.Duration, failed, retried, refusals int) {
		slices.Sort(ds)
		var mx time.Duration
		if len(ds) > 0 {
			mx = ds[len(ds)-1]
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t\n", name, len(ds), failed, retried, refusals, float64(len(ds))/secs,
			ms(pct(ds, .50)), ms(pct(ds, .95)), ms(pct(ds, .99)), ms(mx))
	}
	var sums [2][2]int // [read/write][retried/429s]
	for _, op := range opOrder {
		if len(by[op]) > 0 {
			row(op, by[op], fails[op], retried[op], refusals[op])
		}
		k := 1
		if strings.HasPrefix(op, "read") {
			k = 0
		}
		sums[k][0] += retried[op]
		sums[k][1] += refusals[op]
	}
	row("all reads", reads, readFails, sums[0][0], sums[0][1])
	row("all writes", writes, writeFails, sums[1][0], sums[1][1])
	tw.Flush()
	fmt.Fprintf(out, "throughput: %.0f requests/s (%.0f reads/s, %.0f writes/s) over %s\n",
		float64(len(reads)+len(writes))/secs, float64(len(reads))/secs, float64(len(writes))/secs, r.elapsed.Round(time.Millisecond))
	if n := len(reads) + len(writes); n > 0 && r.cpu > 0 {
		where := "the in-process server and the clients"
		if c.serverURL != "" {
			where = "the clients alone"
		}
		fmt.Fprintf(out, "cpu: %.2f s of this process (%s) while the clients ran, %.3f ms per request\n",
			r.cpu.Seconds(), where, float64(r.cpu.Microseconds())/1000/float64(n))
	}
	little(out, c, r, reads, writes)
	if r.schedN > 0 && c.serverURL == "" {
		fmt.Fprintf(out, "waits for a core: p50 %s ms, p99 %s ms over %d goroutine wake-ups (the runtime's scheduling latencies of the in-process server and the clients; a read's latency includes several)\n",
			ms(r.sched50), ms(r.sched99), r.schedN)
	}
	if len(writesAtOnce) < len(writes) {
		slices.Sort(writesAtOnce)
		fmt.Fprintf(out, "writes answered without a 429: %d of %d, p50 %s ms, p99 %s ms (the others waited out a Retry-After, or failed)\n",
			len(writesAtOnce), len(writes), ms(pct(writesAtOnce, .50)), ms(pct(writesAtOnce, .99)))
	}
	fmt.Fprintf(out, "retried: requests answered 429 busy and retried after Retry-After (as the CLI does); they count once, with their waits, and are not failures. %d were still waiting to retry when the run ended (not counted)\n", cut)
	for _, op := range opOrder {
		if e, ok := errSamples[op]; ok {
			fmt.Fprintf(out, "  %s failure, e.g.: %.300s\n", op, e)
		}
	}
	ok := true
	if verr != nil {
		fmt.Fprintf(out, "FAIL: could not verify the writes: %v\n", verr)
		ok = false
	}
	if len(lost) > 0 {
		fmt.Fprintf(out, "FAIL: %d problems with acknowledged writes, e.g.:\n", len(lost))
		for _, p := range lost[:min(len(lost), 10)] {
			fmt.Fprintln(out, "  "+p)
		}
		ok = false
	} else if verr == nil {
		fmt.Fprintf(out, "verified: every acknowledged write is stored with its SHA-256; version numbers are gapless\n")
	}
	slices.Sort(reads)
	if p99 := pct(reads, .99); p99 > c.maxReadP99 {
		fmt.Fprintf(out, "FAIL: read p99 %s ms exceeds %s\n", ms(p99), c.maxReadP99)
		ok = false
	}
	slices.Sort(writes)
	if p99 := pct(writes, .99); c.maxWriteP99 > 0 && p99 > c.maxWriteP99 {
		fmt.Fprintf(out, "FAIL: write p99 %s ms exceeds %s\n", ms(p99), c.maxWriteP99)
		ok = false
	}
	if readFails+writeFails > c.maxFailures {
		fmt.Fprintf(out, "FAIL: %d failed requests (%d reads, %d writes); at most %d allowed\n", readFails+writeFails, readFails, writeFails, c.maxFailures)
		ok = false
	}
	if ok {
		bounds := fmt.Sprintf("read p99 ≤ %s", c.maxReadP99)
		if c.maxWriteP99 > 0 {
			bounds += fmt.Sprintf(", write p99 ≤ %s", c.maxWriteP99)
		}
		fmt.Fprintf(out, "PASS: %s, no failed or lost writes\n", bounds)
	}
	return ok
}

func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// little prints what Little's law says of the run. In the closed loop
// every client always has one request in flight (or is pausing), so the
// clients over the throughput is the mean latency plus the mean pause: the
// latency the clients see is set by how many they are and how fast the
// server serves, not by where the requests wait. And at the CPU a request
// took, the cores serve at most cores ÷ CPU per request, so the mean latency
// is at least clients × CPU per request ÷ cores less the pause. In the open
// loop the mean number in flight is the throughput times the mean latency.
func little(out io.Writer, c config, r results, reads, writes []time.Duration) {
	n := len(reads) + len(writes)
	secs := r.elapsed.Seconds()
	if n == 0 || secs <= 0 {
		return
	}
	all := mean(append(append([]time.Duration(nil), reads...), writes...))
	x := float64(n) / secs
	if c.rate > 0 {
		fmt.Fprintf(out, "little: %.0f requests/s served × mean latency %s ms = %.1f requests in flight on average (mean read %s ms, write %s ms)\n",
			x, ms(all), x*all.Seconds(), ms(mean(reads)), ms(mean(writes)))
		return
	}
	cycle := time.Duration(float64(c.clients) / x * float64(time.Second))
	fmt.Fprintf(out, "little: %d clients ÷ %.0f requests/s = %s ms a request, pause included (mean latency %s ms: reads %s ms, writes %s ms)",
		c.clients, x, ms(cycle), ms(all), ms(mean(reads)), ms(mean(writes)))
	if r.cpu > 0 && c.serverURL == "" {
		perReq := r.cpu.Seconds() / float64(n)
		floor := time.Duration(float64(c.clients)*perReq/float64(runtime.GOMAXPROCS(0))*float64(time.Second)) - c.think
		fmt.Fprintf(out, "; at %.3f ms of CPU a request on %d cores, no less than %s ms (the process used %.2f cores)", perReq*1000, runtime.GOMAXPROCS(0), ms(max(floor, 0)), r.cpu.Seconds()/secs)
	}
	fmt.Fprintln(out)
}
