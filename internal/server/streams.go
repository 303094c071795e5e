package server

import (
	"sync"
)

// streamSet tracks the open event streams of this process by the
// principals behind them, to bound how many one account holds and to
// close them the moment a token is revoked or an account is disabled,
// deleted, demoted or has its password reset. Other replicas, and expiry,
// are caught by handleEvents re-checking its credentials periodically.
type streamSet struct {
	mu    sync.Mutex
	byKey map[string]map[*stream]struct{}
	// perOwner counts streams per account (or per token when no account
	// created it).
	perOwner map[string]int
}

// stream is one open event stream.
type stream struct {
	keys    []string // "token:ID", "user:ID"
	owner   string
	session string
	done    chan struct{}
	once    sync.Once
}

func (st *stream) close() { st.once.Do(func() { close(st.done) }) }

func newStreamSet() *streamSet {
	return &streamSet{byKey: map[string]map[*stream]struct{}{}, perOwner: map[string]int{}}
}

// open registers a stream of p, or returns nil when p's account already
// holds max streams.
func (ss *streamSet) open(p *Principal, max int) *stream {
	owner := "user:" + p.OwnerID
	if p.OwnerID == "" {
		owner = p.Actor()
	}
	st := &stream{owner: owner, session: p.session, done: make(chan struct{}), keys: []string{owner}}
	if p.TokenID != "" {
		st.keys = append(st.keys, "token:"+p.TokenID)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.perOwner[owner] >= max {
		return nil
	}
	ss.perOwner[owner]++
	for _, k := range st.keys {
		if ss.byKey[k] == nil {
			ss.byKey[k] = map[*stream]struct{}{}
		}
		ss.byKey[k][st] = struct{}{}
	}
	return st
}

// release unregisters a stream.
func (ss *streamSet) release(st *stream) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.perOwner[st.owner]--; ss.perOwner[st.owner] <= 0 {
		delete(ss.perOwner, st.owner)
	}
	for _, k := range st.keys {
		delete(ss.byKey[k], st)
		if len(ss.byKey[k]) == 0 {
			delete(ss.byKey, k)
		}
	}
}

// kick closes every stream under key ("token:ID" or "user:ID").
func (ss *streamSet) kick(key string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for st := range ss.byKey[key] {
		st.close()
	}
}

// kickExcept closes the streams of key's browser sessions other than
// keepSession (a session id hash), as a password change ends those
// sessions; its tokens' streams stay.
func (ss *streamSet) kickExcept(key, keepSession string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for st := range ss.byKey[key] {
		if st.session != "" && st.session != keepSession {
			st.close()
		}
	}
}

// closeAll closes every stream (shutdown).
func (ss *streamSet) closeAll() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, m := range ss.byKey {
		for st := range m {
			st.close()
		}
	}
}
