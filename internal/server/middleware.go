package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyPrincipal
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	// pretty asks writeJSON for indented JSON (a GET with ?pretty).
	pretty bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush lets server-sent events through.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wantsPretty reports whether a read asks for indented JSON: GET or HEAD
// with a "pretty" query parameter. Everything else is compact.
func wantsPretty(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Query().Has("pretty")
}

// contentSecurityPolicy allows nothing inline: scripts and styles come from
// the server's own origin only.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// isEventStream tells the long-lived server-sent event streams, which
// have no request timeout, from every other request.
func isEventStream(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v1/systems/") && strings.HasSuffix(r.URL.Path, "/events") ||
		isSessionStream(r)
}

// wrap applies the middleware every request goes through, outermost first:
// request id, access log and metrics, panic recovery, security headers,
// CSRF protection and a body size limit.
func (s *Server) wrap(h http.Handler) http.Handler {
	csrf := http.NewCrossOriginProtection()
	for _, o := range s.cfg.TrustedOrigins {
		if err := csrf.AddTrustedOrigin(o); err != nil {
			s.log.Warn("ignoring trusted origin", "origin", o, "err", err)
		}
	}
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errorf(http.StatusForbidden, "cross_origin", "cross-origin request refused (CSRF protection)"))
	}))
	inner := csrf.Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsAny(id, "\r\n\"") {
			id = newID(8)
		}
		ctx := context.WithValue(r.Context(), keyRequestID, id)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w, pretty: wantsPretty(r)}
		hdr := sw.Header()
		hdr.Set("X-Request-Id", id)
		hdr.Set("Content-Security-Policy", contentSecurityPolicy)
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Referrer-Policy", "no-referrer")
		hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
		hdr.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil || s.cfg.HSTS {
			hdr.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			hdr.Set("Cache-Control", "no-store")
		}
		r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
		if !isEventStream(r) && !isLiveStream(r) {
			// Bound the work (database, analysis) and a slow reader.
			tctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
			defer cancel()
			r = r.WithContext(tctx)
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.cfg.RequestTimeout + 5*time.Second))
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(sw, r, fmt.Errorf("panic: %v", v))
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			elapsed := time.Since(start)
			s.metrics.observe(route, r.Method, status, elapsed)
			// Paths and status only: bodies (models) are never logged.
			s.log.Info("request", "request_id", id, "method", r.Method, "route", route, "status", status,
				"bytes", sw.bytes, "duration_ms", float64(elapsed.Microseconds())/1000)
		}()
		inner.ServeHTTP(sw, r)
	})
}
