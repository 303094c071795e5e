package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// metricsNow reads the server's gauges from /metrics, as the
// administrator; nil when they cannot be read.
func (l *loader) metricsNow(ctx context.Context) map[string]float64 {
	resp, data, err := l.do(ctx, "GET", "/metrics", l.admin, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	out := map[string]float64{}
	for line := range strings.Lines(string(data)) {
		name, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			out[name] = f
		}
	}
	return out
}

// serverGauges prints the server's gauges from /metrics that say where
// requests waited or what they reused (the analysis pool, the version
// cache, the database connection pool), read after the run, and where the
// writes of the run spent their time: the server's write phases
// (ward_write_phase_seconds_*) since before, the metrics read before the
// clients started (nil: not printed).
func (l *loader) serverGauges(ctx context.Context, out io.Writer, before map[string]float64) {
	after := l.metricsNow(ctx)
	if after == nil {
		return
	}
	var got []string
	for _, name := range serverGaugeNames {
		if v, ok := after[name]; ok {
			got = append(got, strings.TrimPrefix(name, "ward_")+" "+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	if len(got) > 0 {
		fmt.Fprintf(out, "server: %s\n", strings.Join(got, ", "))
	}
	if before == nil {
		return
	}
	lines := map[string]string{}
	for kind, plural := range map[string]string{"push": "pushes", "edit": "edits"} {
		writes := after["ward_writes_timed_"+kind] - before["ward_writes_timed_"+kind]
		if writes <= 0 {
			continue
		}
		var phases []string
		var sum float64
		for _, ph := range writePhaseNames {
			name := "ward_write_phase_seconds_" + kind + "_" + ph
			d := (after[name] - before[name]) / writes * 1000
			sum += d
			phases = append(phases, fmt.Sprintf("%s %.1f", ph, d))
		}
		lines[kind] = fmt.Sprintf("%s phases (the run's %.0f %s, server side, mean ms of wall time): %s; total %.1f\n", kind, writes, plural, strings.Join(phases, ", "), sum)
	}
	fmt.Fprint(out, lines["push"], lines["edit"])
}

// serverGaugeNames are the gauges serverGauges prints.
var serverGaugeNames = []string{"ward_analysis_slots_busy_seconds", "ward_analysis_slot_seconds", "ward_analyses_reused", "ward_version_cache_hits", "ward_version_cache_misses",
	"ward_db_connection_waits", "ward_db_connection_wait_seconds", "ward_write_yields_push", "ward_write_yields_edit"}

// writePhaseNames are the server's write phases, in order
// (internal/server/writephases.go).
var writePhaseNames = []string{"request", "queue", "merge", "load", "analyse", "report", "handoff", "encode", "store", "after", "answer"}
