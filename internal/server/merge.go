package server

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/wardtm/ward/internal/spec/yamledit"
	"github.com/wardtm/ward/internal/store"
)

// A push never silently reverts what was decided on the server. The pushed
// files start from a base version: the one the CLI last pulled or pushed
// (its .ward-base file, sent as base_version), or — for a push without one,
// as from CI — the files of the newest version that came from a push (as
// the client sent them). What changed on the server since the base in
// decisions, mitigations and assumptions is merged into the pushed model
// item by item (yamledit.Merge); an item changed differently on both sides
// is a conflict (409, each item with its fields), and so is a model pushed
// by someone else since the base that differs from this one. The merge is
// retried when another writer stores a version in between, so nothing
// acknowledged is lost and the loser of a race is told.

// mergeMemoBytes bounds the memo of what merges read of files (about
// 60 KB for the shop's two files): a push's base is usually the content
// the system's previous push sent, and its latest version one a merge or
// an edit read before.
const mergeMemoBytes = 16 << 20

// maxMergeAttempts bounds the retries of a push or an edit that lost a race.
const maxMergeAttempts = 40

// backoff waits a little, more after each lost race, with jitter so that
// racing writers spread out.
func backoff(ctx context.Context, attempt int) {
	d := time.Duration(rand.IntN(2+min(attempt, 10)*4)) * time.Millisecond
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// conflictDetail is one item in conflict, in the shape of a model
// diagnostic so the CLI prints it as file:line: message.
type conflictDetail struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Msg  string `json:"message"`
	Hint string `json:"hint,omitempty"`
}

// mergeInputs are the versions a push's merge starts from, read while the
// push waits for its analysis slot (pushPrep) rather than on it: on
// PostgreSQL each is a round trip to the database (the latest page of
// versions for the base, the base itself when the version cache lacks
// it), and a write waiting on the database on the analysis slot holds up
// every write queued behind it. They are the system's at revision rev,
// and used only when the system is still at rev once the push has its
// slot: versions are never changed, and every new version moves the
// revision on, so the latest version and the base are then the same.
type mergeInputs struct {
	ok     bool
	rev    int64 // the system's revision when they were read
	latest store.Version
	base   *Bundle
	baseN  int
}

// fetch reads into in what the merge of req into systemID starts from; on
// any error in stays unset, and the merge reads them itself (and meets
// the error there, as before).
func (s *Server) fetch(ctx context.Context, systemID string, req pushRequest, in *mergeInputs) {
	sys, err := s.store.GetSystem(ctx, systemID)
	if err != nil || sys.Latest == 0 {
		return
	}
	latest, err := s.storedVersion(ctx, systemID, sys.Latest)
	if err != nil {
		return
	}
	base, baseN, err := s.pushBase(ctx, systemID, req)
	if err != nil {
		return
	}
	*in = mergeInputs{ok: true, rev: sys.Revision, latest: latest, base: base, baseN: baseN}
}

// pushMerged stores a push, merging into it what changed on the server
// since its base; in, when set (pushPrep), is what the merge starts from,
// if the system did not change since it was read.
func (s *Server) pushMerged(ctx context.Context, pr *Principal, systemID string, req pushRequest, in *mergeInputs) (pushResponse, error) {
	cache := &analysisCache{}
	for attempt := 1; ; attempt++ {
		p := store.Push{SystemID: systemID, TeamID: req.Team, Message: req.Message, BaseRevision: req.BaseRevision, Origin: store.OriginPush}
		b := req.Bundle
		var merged *pushResponse
		var on *basis
		sys, err := s.store.GetSystem(ctx, systemID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return pushResponse{}, err
		case sys.Latest > 0 && req.BaseRevision == 0 && !req.Force:
			var (
				latest store.Version
				base   *Bundle
				baseN  int
			)
			if in != nil && in.ok && in.rev == sys.Revision && in.latest.Number == sys.Latest {
				latest, base, baseN = in.latest, in.base, in.baseN
			} else {
				latest, err = s.storedVersion(ctx, systemID, sys.Latest)
				if err != nil {
					return pushResponse{}, err
				}
				base, baseN, err = s.pushBase(ctx, systemID, req)
				if err != nil {
					return pushResponse{}, err
				}
			}
			in = nil // a merge again reads afresh
			theirs := unarchive(latest.YAML)
			if base != nil {
				out, changes, conflicts, err := s.merges.Merge(base.Files, theirs.Files, b.Files, b.Main)
				if errors.Is(err, yamledit.ErrModelChanged) {
					return pushResponse{}, errorf(http.StatusConflict, "conflict",
						"system %q: version %d (by %s) changed the model since your base (version %d) — pull it, merge it with your change (ward pull %s --dir DIR), and push again; or push with --force to replace it",
						systemID, latest.Number, latest.Author, baseN, systemID)
				}
				if err != nil {
					return pushResponse{}, errorf(http.StatusConflict, "conflict", "system %q: cannot merge the changes made on the server since version %d: %v", systemID, baseN, err)
				}
				if len(conflicts) > 0 {
					return pushResponse{}, conflictError(systemID, baseN, latest.Number, conflicts)
				}
				if len(changes) > 0 {
					p.Pushed = b.archive()
					b = Bundle{Main: b.Main, Files: out}
					merged = &pushResponse{Base: baseN}
					for _, c := range changes {
						merged.Merged = append(merged.Merged, c.String())
					}
				}
			}
			// Stored only if nobody wrote in between; else merge again.
			p.BaseRevision = sys.Revision
			on = &basis{v: latest, revision: sys.Revision}
		}
		mark(ctx, phaseMerge)
		res, err := s.storeVersionCached(ctx, pr, p, b, merged, cache, on)
		if errors.Is(err, store.ErrConflict) && req.BaseRevision == 0 && attempt < maxMergeAttempts && sys.Latest > 0 {
			backoff(ctx, attempt)
			if err := resume(ctx); err != nil { // merge again on an analysis slot
				return pushResponse{}, err
			}
			mark(ctx, phaseQueue)
			continue
		}
		return res, err
	}
}

// storedVersion returns version n (> 0) of systemID from the version
// cache, else from the store (without caching it: a merge reads the
// model, not the analysis a read would serve). A push merges against the
// latest version and its base, which this process usually stored itself:
// reading each back from the database read and copied its stored analysis
// (≈ 280 KB for the shop) twice a push (issue 13).
func (s *Server) storedVersion(ctx context.Context, systemID string, n int) (store.Version, error) {
	if e := s.versions.get(systemID, n); e != nil {
		return e.v, nil
	}
	return s.store.GetVersion(ctx, systemID, n)
}

// pushBase returns the files a push starts from and their version, or nil
// when there is nothing to merge.
func (s *Server) pushBase(ctx context.Context, systemID string, req pushRequest) (*Bundle, int, error) {
	if req.BaseVersion > 0 {
		v, err := s.storedVersion(ctx, systemID, req.BaseVersion)
		if errors.Is(err, store.ErrNotFound) {
			return nil, 0, errorf(http.StatusConflict, "conflict", "system %q has no version %d (your base): pull it again (ward pull %s)", systemID, req.BaseVersion, systemID)
		}
		if err != nil {
			return nil, 0, err
		}
		b := unarchive(v.YAML)
		if req.BasePushed && len(v.Pushed) > 0 {
			b = unarchive(v.Pushed)
		}
		return &b, v.Number, nil
	}
	// No base: the newest version that came from a push, as pushed. It is
	// usually among the last few: a page of versions costs a read of each
	// one's row (on SQLite past its stored analysis, ≈ 30 µs a version),
	// so the first page is small.
	for off, limit := 0, 4; ; off, limit = off+limit, 100 {
		vs, total, err := s.store.ListVersions(ctx, systemID, store.Page{Limit: limit, Offset: off})
		if err != nil {
			return nil, 0, err
		}
		for _, x := range vs {
			if x.Origin != store.OriginPush {
				continue
			}
			v, err := s.storedVersion(ctx, systemID, x.Number)
			if err != nil {
				return nil, 0, err
			}
			b := unarchive(v.YAML)
			if len(v.Pushed) > 0 {
				b = unarchive(v.Pushed)
			}
			return &b, v.Number, nil
		}
		if len(vs) == 0 || off+len(vs) >= total {
			return nil, 0, nil
		}
	}
}

// conflictError is the 409 of a push whose changes conflict with the
// server's: the message names no model contents (it is logged); the
// details list each item with its file and line.
func conflictError(systemID string, base, latest int, conflicts []yamledit.Conflict) error {
	hint := fmt.Sprintf("keep the server's value by editing this item, or keep yours with ward push --force; see the server's with ward pull %s --dir DIR", systemID)
	var ds []conflictDetail
	for _, c := range conflicts {
		ds = append(ds, conflictDetail{File: c.File, Line: c.Line, Msg: c.String(), Hint: hint})
	}
	return &Error{Status: http.StatusConflict, Code: "conflict", Details: ds,
		Msg: fmt.Sprintf("system %q: %d item(s) changed both on the server (since your base, version %d; now version %d) and in your model — nothing was stored", systemID, len(conflicts), base, latest)}
}
