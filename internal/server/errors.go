package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/store"
)

// Error is an error whose message may be shown to the client, with the
// HTTP status and a stable code. Anything else becomes a 500 whose id is
// logged, and whose message is not shown.
type Error struct {
	Status int
	Code   string
	Msg    string
	// Details carries structured information (model diagnostics).
	Details any
	// RetryAfter, when set, is sent as the Retry-After header (429, 503).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Msg }

// errorf makes a public error.
func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// handlerFunc is an HTTP handler that returns an error; adapt writes it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		ID      string `json:"id,omitempty"`
		Details any    `json:"details,omitempty"`
	} `json:"error"`
}

// classify maps an error to a public error, once, for every handler.
func classify(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	var diags spec.Diagnostics
	if errors.As(err, &diags) {
		type d struct {
			File string `json:"file"`
			Line int    `json:"line"`
			Col  int    `json:"col"`
			Msg  string `json:"message"`
			Hint string `json:"hint,omitempty"`
		}
		var ds []d
		for _, x := range diags {
			ds = append(ds, d{x.Pos.File, x.Pos.Line, x.Pos.Col, x.Msg, x.Hint})
		}
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_model", Msg: fmt.Sprintf("the model is invalid (%d problems)", len(ds)), Details: ds}
	}
	var mbe *http.MaxBytesError
	var be *rule.BudgetError
	switch {
	case errors.As(err, &be):
		return errorf(http.StatusUnprocessableEntity, "over_budget", "%s", be.Error())
	case errors.As(err, &mbe):
		return errorf(http.StatusRequestEntityTooLarge, "too_large", "the request body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, context.DeadlineExceeded):
		return errorf(http.StatusServiceUnavailable, "timeout", "the request took too long and was stopped; try again, or send a smaller model")
	case errors.Is(err, store.ErrNotFound):
		return errorf(http.StatusNotFound, "not_found", "not found")
	case errors.Is(err, store.ErrConflict):
		return errorf(http.StatusConflict, "conflict", "%v", err)
	case errors.Is(err, store.ErrExists):
		return errorf(http.StatusConflict, "exists", "it already exists")
	}
	return nil
}

// adapt turns a handlerFunc into an http.Handler: errors are classified,
// written as JSON, and logged at a level that fits; a 500 gets an id that is
// both in the response and in the log.
func (s *Server) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		s.writeError(w, r, err)
	})
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if isBrowserPath(r) {
		s.writePageError(w, r, err) // web pages get HTML (web.go)
		return
	}
	var body errorBody
	pe := classify(err)
	status := http.StatusInternalServerError
	if pe != nil {
		status = pe.Status
		body.Error.Code, body.Error.Message, body.Error.Details = pe.Code, pe.Msg, pe.Details
		if pe.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(pe.RetryAfter.Seconds())+1))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request failed", "request_id", requestID(r.Context()), "status", status, "code", pe.Code, "err", pe.Msg)
	} else {
		id := newID(8)
		body.Error.Code, body.Error.Message, body.Error.ID = "internal", "internal error; quote this id to your administrator", id
		s.log.Error("internal error", "error_id", id, "request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, body)
}

// writeJSON writes v as compact JSON, or indented by two spaces when the
// request asked for ?pretty (statusWriter.pretty); the schema is the same.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	if sw, ok := w.(*statusWriter); ok && sw.pretty {
		enc.SetIndent("", "  ")
	}
	_ = enc.Encode(v)
}

// newID returns n random bytes as hex.
func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}
