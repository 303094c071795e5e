package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// serverGauges prints the server's gauges from /metrics that say where
// requests waited or what they reused (the analysis pool, the version
// cache, the database connection pool), read after the run.
func (l *loader) serverGauges(ctx context.Context, out io.Writer) {
	resp, data, err := l.do(ctx, "GET", "/metrics", l.admin, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		return
	}
	var got []string
	for line := range strings.Lines(string(data)) {
		name, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok && slices.Contains(serverGaugeNames, name) {
			got = append(got, strings.TrimPrefix(name, "ward_")+" "+v)
		}
	}
	if len(got) > 0 {
		fmt.Fprintf(out, "server: %s\n", strings.Join(got, ", "))
	}
}

// serverGaugeNames are the gauges serverGauges prints.
var serverGaugeNames = []string{"ward_analysis_slots_busy_seconds", "ward_analysis_slot_seconds", "ward_analyses_reused", "ward_version_cache_hits", "ward_version_cache_misses",
	"ward_db_connection_waits", "ward_db_connection_wait_seconds"}
