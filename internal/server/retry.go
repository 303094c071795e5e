package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// How a client retries this server's 429 "busy" answers (the analysis
// queue is full): the CLI's server commands and cmd/ward-load follow it.
const (
	// RetryMax is how many times one request is retried.
	RetryMax = 3
	// RetryMaxWait bounds the total wait of one request's retries.
	RetryMaxWait = 30 * time.Second
	// retryOneMax bounds a single wait, whatever Retry-After says.
	retryOneMax = 10 * time.Second
)

// RetryAfter says whether a client retries resp (its attempt-th retry,
// after waiting waited in all so far) and after how long: the server's
// Retry-After in seconds (1 s when absent or unreadable, at most 10 s a
// time), while retries and the total wait stay within RetryMax and
// RetryMaxWait. Only 429 answers are retried.
func RetryAfter(resp *http.Response, attempt int, waited time.Duration) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests || attempt >= RetryMax {
		return 0, false
	}
	wait := time.Second
	if n, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && n > 0 {
		wait = min(time.Duration(n)*time.Second, retryOneMax)
	}
	if waited+wait > RetryMaxWait {
		return 0, false
	}
	return wait, true
}
