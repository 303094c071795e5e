package server

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// metrics keeps request counters and latency histograms, exposed in the
// Prometheus text format at /metrics.
type metrics struct {
	mu       sync.Mutex
	requests map[reqKey]uint64
	hist     map[string]*histogram
	gauges   map[string]func() float64
}

type reqKey struct {
	route, method string
	code          int
}

type histogram struct {
	counts []uint64 // per bucket, cumulative at export
	sum    float64
	n      uint64
}

var buckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

func newMetrics() *metrics {
	return &metrics{requests: map[reqKey]uint64{}, hist: map[string]*histogram{}, gauges: map[string]func() float64{}}
}

func (m *metrics) observe(route, method string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqKey{route, method, code}]++
	h := m.hist[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(buckets))}
		m.hist[route] = h
	}
	sec := d.Seconds()
	for i, b := range buckets {
		if sec <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.n++
}

func (m *metrics) gauge(name string, fn func() float64) {
	m.mu.Lock()
	m.gauges[name] = fn
	m.mu.Unlock()
}

func quoteLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP ward_http_requests_total HTTP requests by route, method and status.")
	fmt.Fprintln(w, "# TYPE ward_http_requests_total counter")
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b reqKey) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	for _, k := range keys {
		fmt.Fprintf(w, "ward_http_requests_total{route=\"%s\",method=\"%s\",code=\"%d\"} %d\n", quoteLabel(k.route), k.method, k.code, m.requests[k])
	}
	fmt.Fprintln(w, "# HELP ward_http_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(w, "# TYPE ward_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.hist))
	for r := range m.hist {
		routes = append(routes, r)
	}
	slices.Sort(routes)
	for _, r := range routes {
		h := m.hist[r]
		var cum uint64
		for i, b := range buckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "ward_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %d\n", quoteLabel(r), b, cum)
		}
		fmt.Fprintf(w, "ward_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %d\n", quoteLabel(r), h.n)
		fmt.Fprintf(w, "ward_http_request_duration_seconds_sum{route=\"%s\"} %g\n", quoteLabel(r), h.sum)
		fmt.Fprintf(w, "ward_http_request_duration_seconds_count{route=\"%s\"} %d\n", quoteLabel(r), h.n)
	}
	names := make([]string, 0, len(m.gauges))
	for n := range m.gauges {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "# TYPE %s gauge\n%s %g\n", n, n, m.gauges[n]())
	}
}

// handleMetrics serves the metrics to an administrator, or to a scraper
// sending Authorization: Bearer with Config.MetricsToken. They are not
// public by default: route names and traffic say more than they should to
// anyone who can reach the port.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	tok, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !bearer || s.cfg.MetricsToken == "" || !constantTimeEqual(tok, s.cfg.MetricsToken) {
		p, err := s.authenticate(r)
		if err != nil {
			return err
		}
		if p == nil {
			return errorf(http.StatusUnauthorized, "unauthenticated", "send Authorization: Bearer with the metrics token (WARD_METRICS_TOKEN), or sign in as an administrator")
		}
		if !Allowed(p, Admin, "") {
			return errorf(http.StatusForbidden, "forbidden", "only administrators and the metrics scraper read metrics")
		}
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w)
	return nil
}
