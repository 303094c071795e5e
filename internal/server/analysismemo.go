package server

import (
	lru "container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/store"
)

// Analyses reused by content (issue 13). What a version's analysis says
// depends on three things only: its files (the archive a version stores,
// whose SHA-256 is the version's digest; custom rules are among the
// files), the engine and rule catalogue compiled into this binary, and the
// date acceptances expire and mitigations fall due against (risk.score and
// report: whole UTC days). CI pushes the same model again and again, an
// edit is undone, a model is reverted: each such write used to analyse the
// model afresh. The memo keeps, for recently stored content, the analysis
// in the form a version stores it — the canonical compact JSON, the
// queryable rows and what notifications compare — keyed by (digest, UTC
// day); a write of the same content on the same day reuses it and stores
// the version as before (a new version when the content differs from the
// latest, none when it is the latest: store.PushVersion). The reused
// result's "generated" is the time the analysis was made, earlier that
// day. An entry never goes stale within its key: the engine cannot change
// under a running process, and the day is in the key. Only analyses that
// succeeded are kept; a model that fails is analysed (and fails) again.

// analysisMemoBytes bounds the memo (about 100 analyses of the shop
// example, whose result is 280 KB).
const analysisMemoBytes = 32 << 20

// summaryMemoBytes bounds a second memo of the same analyses holding only
// what notifications compare (about 30 KB for the shop): a new version is
// compared with the version before, which many systems written in turn
// would have pushed out of the first.
const summaryMemoBytes = 8 << 20

// storedAnalysis is an analysis in the form a version stores it.
type storedAnalysis struct {
	systemID, name string
	summary        report.Summary
	result         []byte // canonical compact JSON (json.Marshal)
	// res is the analysis until encode makes result from it (nil after).
	res         *report.Result
	key         memoKey // the memo's key, set by storedAnalysisOf
	findings    []store.Finding
	mitigations []store.Mitigation
	assumptions []store.Assumption
	notify      pushSummary // what notifyPush compares
	// merged maps the merged threats' ids to the ids merged into them,
	// as mergedIndex reads them from result (a decision's covers).
	merged map[string][]string
}

// size is roughly the memory an entry holds.
func (a *storedAnalysis) size() int64 {
	n := int64(len(a.result)) + 512
	for _, f := range a.findings {
		n += int64(len(f.ID)+len(f.Rule)+len(f.Category)+len(f.Title)+len(f.Owner)) + 160
		for _, x := range f.Assets {
			n += int64(len(x)) + 16
		}
	}
	for _, m := range a.mitigations {
		n += int64(len(m.ID)+len(m.Title)+len(m.Owner)) + 96
	}
	for _, x := range a.assumptions {
		n += int64(len(x.ID)+len(x.Text)) + 64
	}
	// The summary's counts, by key (the maps are shared by an entry and
	// its summaryOnly).
	m := a.summary
	n += int64(64 * (len(m.UnverifiedBySeverity) + len(m.BySeverity) + len(m.ByStatus) + len(m.ByCategory) + len(m.ByAsset)))
	// The notification summary shares the rows' strings when there are
	// rows; alone (summaryOnly), its strings count.
	n += int64(len(a.notify.Findings)*64 + len(a.notify.Assumptions)*48)
	if a.findings == nil && a.assumptions == nil {
		for _, f := range a.notify.Findings {
			n += int64(len(f.ID) + len(f.Title) + len(f.Severity) + len(f.Status))
		}
		for _, x := range a.notify.Assumptions {
			n += int64(len(x.ID) + len(x.Text) + len(x.Status))
		}
	}
	return n
}

// summaryOnly is the part of an analysis notifications compare, and the
// summary a push answers with (a push of the latest version's content
// answers unchanged with it: storeVersionCached).
func (a *storedAnalysis) summaryOnly() *storedAnalysis {
	return &storedAnalysis{systemID: a.systemID, summary: a.summary, notify: a.notify}
}

// newStoredAnalysis puts a result in the form a version stores it.
func newStoredAnalysis(res *report.Result) (*storedAnalysis, error) {
	a := newAnalysisRows(res)
	return a, a.encode()
}

// encode makes the stored result (json.Marshal of the analysis) of an
// analysis newAnalysisRows made, once. A write encodes its analysis after
// its analysis slot went to the next write (storeVersionCached), and only
// an encoded analysis goes in the memo: a memo entry is complete and
// shared, the entry of a write still encoding is its own.
func (a *storedAnalysis) encode() error {
	if a.res == nil {
		return nil
	}
	data, err := json.Marshal(a.res)
	if err != nil {
		return err
	}
	a.result, a.res = data, nil
	return nil
}

// newAnalysisRows is newStoredAnalysis but for the stored result, which
// encode makes.
func newAnalysisRows(res *report.Result) *storedAnalysis {
	a := &storedAnalysis{systemID: res.System.ID, name: res.System.Name, summary: res.Summary, res: res}
	a.findings, a.mitigations, a.assumptions = rows(res)
	a.merged = map[string][]string{}
	for _, f := range res.Findings {
		if len(f.Aliases) > 0 && f.Origin != string(model.OriginPeople) {
			a.merged[f.ID] = f.Aliases
		}
		a.notify.Findings = append(a.notify.Findings, struct{ ID, Title, Severity, Status string }{f.ID, f.Title, f.Severity, f.Status})
	}
	for _, x := range res.Assumptions {
		a.notify.Assumptions = append(a.notify.Assumptions, struct{ ID, Text, Status string }{x.ID, x.Text, x.Status})
	}
	return a
}

// memoKey is a content digest and the UTC day of the analysis.
type memoKey struct {
	digest [sha256.Size]byte
	day    string
}

// analysisMemo is a least-recently-used map of stored analyses bounded by
// their size. Entries are shared and never modified.
type analysisMemo struct {
	mu      sync.Mutex
	entries map[memoKey]*lru.Element // of *memoEntry
	order   lru.List                 // front: most recently used
	bytes   int64
	max     int64
	hits    int64
	misses  int64
}

type memoEntry struct {
	key  memoKey
	a    *storedAnalysis
	size int64
}

func newAnalysisMemo(max int64) *analysisMemo {
	return &analysisMemo{entries: map[memoKey]*lru.Element{}, max: max}
}

func (m *analysisMemo) get(k memoKey) *storedAnalysis {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[k]
	if !ok {
		m.misses++
		return nil
	}
	m.hits++
	m.order.MoveToFront(e)
	return e.Value.(*memoEntry).a
}

func (m *analysisMemo) put(k memoKey, a *storedAnalysis) {
	size := a.size()
	if size > m.max/4 {
		return // one huge model would evict everything else
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[k]; ok {
		return
	}
	m.entries[k] = m.order.PushFront(&memoEntry{key: k, a: a, size: size})
	m.bytes += size
	for m.bytes > m.max {
		old := m.order.Back()
		e := old.Value.(*memoEntry)
		m.order.Remove(old)
		delete(m.entries, e.key)
		m.bytes -= e.size
	}
}

// notifySummary returns what notifications compare for content with the
// hex SHA-256 digest, analysed today, or nil.
func (m *analysisMemo) notifySummary(digest string, day string) *pushSummary {
	var k memoKey
	if n, err := hex.Decode(k.digest[:], []byte(digest)); err != nil || n != sha256.Size {
		return nil
	}
	k.day = day
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entries[k]; ok {
		return &e.Value.(*memoEntry).a.notify
	}
	return nil
}

// stats returns the memo's hits and misses so far.
func (m *analysisMemo) stats() (hits, misses int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits, m.misses
}

// storedAnalysisOf returns the analysis of a bundle whose archive has
// the SHA-256 digest: the one a retry of the same request made (cache), the memo's,
// or a new one, made on the caller's analysis slot. A new one is not
// encoded yet, nor in the memo: the caller calls remember once the
// analysis slot is no longer needed.
func (s *Server) storedAnalysisOf(ctx context.Context, b Bundle, digest [sha256.Size]byte, cache *analysisCache) (*storedAnalysis, error) {
	k := memoKey{digest: digest, day: s.cfg.Now().UTC().Format(time.DateOnly)}
	if cache != nil && cache.a != nil && cache.key == k {
		return cache.a, nil
	}
	a := s.memo.get(k)
	if a == nil {
		_, res, err := s.analyseBundle(ctx, b)
		if err != nil {
			return nil, err
		}
		a = newAnalysisRows(res)
		// Keyed by the day the analysis was made, which is k's but for
		// one made across midnight.
		if day, _, ok := strings.Cut(res.Generated, "T"); ok {
			k.day = day
		}
		a.key = k
	}
	if cache != nil {
		cache.key, cache.a = k, a
	}
	mark(ctx, phaseReport)
	return a, nil
}

// remember encodes an analysis storedAnalysisOf made and keeps it in the
// memos; one already encoded is already there.
func (s *Server) remember(a *storedAnalysis) error {
	if a.res == nil {
		return nil
	}
	if err := a.encode(); err != nil {
		return err
	}
	s.memo.put(a.key, a)
	s.summaries.put(a.key, a.summaryOnly())
	return nil
}

// analysisCache keeps the analysis of one request's last bundle, so a
// retry whose bundle did not change does not analyse it again even when
// the memo has dropped it (a model too large for the memo).
type analysisCache struct {
	key memoKey
	a   *storedAnalysis
}
