package server

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	busy := func(h string) *http.Response {
		r := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{}}
		if h != "" {
			r.Header.Set("Retry-After", h)
		}
		return r
	}
	for _, tc := range []struct {
		name    string
		resp    *http.Response
		attempt int
		waited  time.Duration
		want    time.Duration
		retry   bool
	}{
		{"as told", busy("2"), 0, 0, 2 * time.Second, true},
		{"absent", busy(""), 0, 0, time.Second, true},
		{"unreadable", busy("soon"), 1, 0, time.Second, true},
		{"capped", busy("600"), 0, 0, 10 * time.Second, true},
		{"too many tries", busy("1"), RetryMax, 0, 0, false},
		{"waited too long", busy("5"), 1, 27 * time.Second, 0, false},
		{"not busy", &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}}, 0, 0, 0, false},
	} {
		got, retry := RetryAfter(tc.resp, tc.attempt, tc.waited)
		if got != tc.want || retry != tc.retry {
			t.Errorf("%s: got %v, %v; want %v, %v", tc.name, got, retry, tc.want, tc.retry)
		}
	}
}
