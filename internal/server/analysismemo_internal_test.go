package server

import (
	"crypto/sha256"
	"strings"
	"testing"
)

// TestAnalysisMemoBounded: the memo keeps what fits its bound, drops the
// least recently used first, keys by day as well as content, and refuses
// an entry larger than a quarter of it.
func TestAnalysisMemoBounded(t *testing.T) {
	entry := func(n int) *storedAnalysis { return &storedAnalysis{result: []byte(strings.Repeat("x", n))} }
	key := func(s, day string) memoKey { return memoKey{digest: sha256.Sum256([]byte(s)), day: day} }
	one := entry(1000).size()
	m := newAnalysisMemo(4*one + one/2) // room for four
	for _, s := range []string{"a", "b", "c", "d"} {
		m.put(key(s, "2026-12-05"), entry(1000))
	}
	if m.get(key("a", "2026-12-05")) == nil { // a is now the most recently used
		t.Fatal("a was dropped before the memo was full")
	}
	m.put(key("e", "2026-12-05"), entry(1000))
	if m.get(key("b", "2026-12-05")) != nil {
		t.Error("b, the least recently used, was kept past the bound")
	}
	for _, s := range []string{"a", "c", "d", "e"} {
		if m.get(key(s, "2026-12-05")) == nil {
			t.Errorf("%s was dropped", s)
		}
	}
	if m.bytes > m.max {
		t.Errorf("memo holds %d bytes, bound %d", m.bytes, m.max)
	}
	if m.get(key("a", "2026-12-06")) != nil {
		t.Error("an analysis made on one day was found for the next")
	}
	m.put(key("huge", "2026-12-05"), entry(int(m.max)))
	if m.get(key("huge", "2026-12-05")) != nil || m.get(key("e", "2026-12-05")) == nil {
		t.Error("an entry over a quarter of the bound was kept, or evicted the others")
	}
	// What notifications compare is kept apart, without the result, and
	// its strings count toward its size.
	full := entry(100_000)
	full.notify.Findings = append(full.notify.Findings, struct{ ID, Title, Severity, Status string }{"f1", strings.Repeat("t", 500), "high", "open"})
	if sum := full.summaryOnly(); sum.result != nil || sum.size() < 500 || sum.size() > full.size()/10 {
		t.Errorf("summary of a 100 KB analysis: %d bytes, result kept: %v", sum.size(), sum.result != nil)
	}
}
