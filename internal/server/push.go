package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/rule"
	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/spec/yamledit"
	"github.com/wardtm/ward/internal/store"
)

// Bundle is a model's files: the main file and what it includes, with
// paths relative to the main file's directory.
type Bundle struct {
	Main  string            `json:"main"`
	Files map[string]string `json:"files"`

	// parsed are files an edit parsed as they now are (editFile), for
	// the memo of the merges that will read them.
	parsed map[string]*yamledit.File
	// memo, when set, keeps what merges and edits parsed: an edit starts
	// from a parse of the same content (yamledit.Memo.Parse).
	memo *yamledit.Memo
}

// maxBundleFiles bounds how many files one model may have.
const maxBundleFiles = 256

// check validates the bundle's paths.
func (b *Bundle) check() error {
	if b.Main == "" {
		b.Main = "ward.yaml"
	}
	if len(b.Files) == 0 {
		return errorf(http.StatusBadRequest, "invalid", "files is empty: send at least the main model file")
	}
	if len(b.Files) > maxBundleFiles {
		return errorf(http.StatusBadRequest, "invalid", "a model may have at most %d files", maxBundleFiles)
	}
	for name := range b.Files {
		clean := path.Clean(name)
		if name == "" || clean != name || path.IsAbs(name) || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") || strings.ContainsAny(name, "\\\x00") {
			return errorf(http.StatusBadRequest, "invalid", "file name %q must be a clean relative path inside the model's directory", name)
		}
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			if _, ok := b.Files[d]; ok {
				return errorf(http.StatusBadRequest, "invalid", "%q is both a file and the directory of %q", d, name)
			}
		}
	}
	if _, ok := b.Files[b.Main]; !ok {
		return errorf(http.StatusBadRequest, "invalid", "main file %q is not among the files", b.Main)
	}
	return nil
}

// archive encodes the bundle as one txtar text (main file first), which is
// what a version stores and hashes.
func (b *Bundle) archive() []byte {
	a := &txtar.Archive{Comment: []byte("main: " + b.Main + "\n")}
	names := make([]string, 0, len(b.Files))
	for n := range b.Files {
		if n != b.Main {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range append([]string{b.Main}, names...) {
		data := []byte(b.Files[n])
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
		a.Files = append(a.Files, txtar.File{Name: n, Data: data})
	}
	return txtar.Format(a)
}

// unarchive decodes a stored version back into a bundle.
func unarchive(data []byte) Bundle {
	a := txtar.Parse(data)
	b := Bundle{Files: map[string]string{}}
	b.Main = strings.TrimSpace(strings.TrimPrefix(string(a.Comment), "main:"))
	for _, f := range a.Files {
		b.Files[f.Name] = string(f.Data)
	}
	return b
}

// analyseBundle writes the bundle to a private temporary directory, loads
// it as the CLI would (includes confined by os.Root) and analyses it.
func (s *Server) analyseBundle(ctx context.Context, b Bundle) (*analysis.Analysis, *report.Result, error) {
	ctx, release, err := s.analyse(ctx, bundleSize(b)) // bounded pool and budget (bounds.go)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	return s.analyseFiles(ctx, b)
}

// analyseFiles is analyseBundle for a caller that already holds a slot of
// the analysis pool (the editor's previews, limited at their own rate).
func (s *Server) analyseFiles(ctx context.Context, b Bundle) (*analysis.Analysis, *report.Result, error) {
	d, err := s.dirs.take(b.Files) // the bundle's files, written (analysisdir.go)
	if err != nil {
		return nil, nil, err
	}
	defer s.dirs.put(d)
	dir := d.path
	defer mark(ctx, phaseReport)
	l, err := spec.Load(ctx, filepath.Join(dir, filepath.FromSlash(b.Main)))
	if err != nil {
		return nil, nil, stripDir(err, dir)
	}
	if err := rule.CheckCustomCount(ctx, l.RuleFiles); err != nil { // before compiling them
		return nil, nil, err
	}
	rs, err := analysis.Rules(l, nil)
	if err != nil {
		return nil, nil, stripDir(err, dir)
	}
	mark(ctx, phaseLoad)
	a, err := analysis.Run(ctx, l.Model, rs, analysis.Options{Now: s.cfg.Now()})
	if err != nil {
		return nil, nil, err
	}
	mark(ctx, phaseAnalyse)
	res := report.Build(a, report.Tool{Name: "ward", Version: s.cfg.Version})
	res.Files = nil
	for _, f := range l.Model.Files {
		res.Files = append(res.Files, relTo(dir, f))
	}
	fixLocations(res, dir)
	return a, res, nil
}

func relTo(dir, p string) string {
	if r, err := filepath.Rel(dir, p); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}

// stripDir removes the temporary directory from diagnostics.
func stripDir(err error, dir string) error {
	if ds, ok := err.(spec.Diagnostics); ok {
		for i := range ds {
			ds[i].Pos.File = relTo(dir, ds[i].Pos.File)
		}
		return ds
	}
	return err
}

func fixLocations(r *report.Result, dir string) {
	r.RenameFiles(func(p string) string { return relTo(dir, p) })
}

// rows extracts the queryable rows of a result.
func rows(res *report.Result) ([]store.Finding, []store.Mitigation, []store.Assumption) {
	kinds := map[string][]string{}
	for _, a := range res.Assets {
		kinds[a.ID] = a.Data
	}
	var fs []store.Finding
	for _, f := range res.Findings {
		x := store.Finding{ID: f.ID, Rule: f.Rule, Category: f.Category, Severity: f.Severity, Score: f.Score, Status: f.Status, Title: f.Title, Assets: f.Assets}
		if f.Decision != nil {
			x.Owner = f.Decision.Owner
		}
		seen := map[string]bool{}
		for _, a := range f.Assets {
			for _, k := range kinds[a] {
				if !seen[k] {
					seen[k] = true
					x.DataKinds = append(x.DataKinds, k)
				}
			}
		}
		sort.Strings(x.DataKinds)
		fs = append(fs, x)
	}
	var ms []store.Mitigation
	for _, m := range res.Mitigations {
		ms = append(ms, store.Mitigation{ID: m.ID, Title: m.Title, Status: m.Status, Owner: m.Owner, Due: m.Due})
	}
	var as []store.Assumption
	for _, a := range res.Assumptions {
		as = append(as, store.Assumption{ID: a.ID, Text: a.Text, Status: a.Status})
	}
	return fs, ms, as
}

// pushRequest is the body of a push.
type pushRequest struct {
	Team         string `json:"team"`
	Message      string `json:"message"`
	BaseRevision int64  `json:"base_revision"`
	// BaseVersion is the version the pushed files start from (the CLI's
	// .ward-base file); BasePushed says they are that version's files as
	// the client pushed them rather than as stored. Without a base, the
	// base is the files of the newest pushed version (merge.go).
	BaseVersion int  `json:"base_version,omitempty"`
	BasePushed  bool `json:"base_pushed,omitempty"`
	// Force replaces the server's model with the pushed one, without
	// merging what changed on the server.
	Force bool `json:"force,omitempty"`
	Bundle
}

// pushResponse says what a push did.
type pushResponse struct {
	System   string         `json:"system"`
	Team     string         `json:"team"`
	Version  int            `json:"version"`
	Created  bool           `json:"created"`
	SHA256   string         `json:"sha256"`
	Revision int64          `json:"revision"`
	Summary  report.Summary `json:"summary"`
	// Merged lists the changes made on the server since the push's base
	// that were merged into the pushed model (e.g. "decision on X added").
	Merged []string `json:"merged,omitempty"`
	// Base is the version the merge started from.
	Base int `json:"base,omitempty"`
}

// handlePush stores a new version of a system's model. The server analyses
// the model itself; it never trusts a client's analysis.
func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) error {
	ctx, clock := withClock(r.Context(), s.cfg.YieldWrites)
	defer s.phases.add(kindPush, clock)
	r = r.WithContext(ctx)
	var req pushRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := req.Bundle.check(); err != nil {
		return err
	}
	// An existing system keeps its team: other teams' systems are not
	// revealed (404), and a push never moves a system between teams.
	x, err := s.store.GetSystem(r.Context(), r.PathValue("system"))
	switch {
	case err == nil:
		p := principal(r.Context())
		if !Allowed(p, Read, x.TeamID) {
			return store.ErrNotFound
		}
		if !Allowed(p, Write, x.TeamID) {
			return errorf(http.StatusForbidden, "forbidden", "your role (%s) does not allow this", p.Role)
		}
		if req.Team == "" {
			req.Team = x.TeamID
		}
		if req.Team != x.TeamID {
			return errorf(http.StatusConflict, "conflict", "system %q belongs to team %q, not %q", x.ID, x.TeamID, req.Team)
		}
	case errors.Is(err, store.ErrNotFound):
	default:
		return err
	}
	if req.Team == "" {
		req.Team = principal(r.Context()).TeamID
	}
	if req.Team == "" {
		return errorf(http.StatusBadRequest, "invalid", "say which team owns the system (team)")
	}
	if err := s.require(r, Write, req.Team); err != nil {
		return err
	}
	// The merge and the analysis run on one analysis slot (bounds.go);
	// the pushed files are parsed for the merge while the push queues.
	mark(ctx, phaseRequest)
	in := &mergeInputs{}
	ctx, release, err := s.analysePrep(ctx, bundleSize(req.Bundle), s.pushPrep(ctx, x, req, in))
	if err != nil {
		return err
	}
	defer release()
	mark(ctx, phaseQueue)
	res, err := s.pushMerged(ctx, principal(r.Context()), r.PathValue("system"), req, in)
	return writePush(w, res, err)
}

// pushPrep returns what a push to system x (zero when new) can do
// before its analysis slot (analysePrep), or nil when it will not merge.
// It reads what the merge starts from into in (fetch), and when the
// merge will read the pushed files, reads them into the merges' memo.
// The merge reads them unless the server's latest version is the push's
// base (CI pushing again to a system nobody decided on since); whether it
// is, is known here only from the version cache, and a guess either way
// only moves the parse (a wrong "yes" parses files the memo then holds
// unread, a wrong "no" leaves the parse to the merge, as before).
func (s *Server) pushPrep(ctx context.Context, x store.System, req pushRequest, in *mergeInputs) func() {
	if x.Latest == 0 || req.BaseRevision != 0 || req.Force {
		return nil // no merge
	}
	if e := s.versions.peek(x.ID, x.Latest); e != nil && e.v.Origin == store.OriginPush && len(e.v.Pushed) == 0 &&
		(req.BaseVersion == 0 || req.BaseVersion == x.Latest && !req.BasePushed) {
		return func() { s.fetch(ctx, x.ID, req, in) } // the latest version is the base: nothing to merge
	}
	files := req.Files
	return func() {
		s.fetch(ctx, x.ID, req, in)
		s.merges.Prepare(files)
	}
}

// writePush answers a request that stored a version: 201 when a new
// version was created, 200 when the model was unchanged.
func writePush(w http.ResponseWriter, res pushResponse, err error) error {
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	writeJSON(w, status, res)
	return nil
}

// storeVersion analyses a bundle and stores it as the system's new version.
func (s *Server) storeVersion(ctx context.Context, p *Principal, systemID, team, message string, base int64, b Bundle) (pushResponse, error) {
	return s.storeVersionAs(ctx, p, store.Push{SystemID: systemID, TeamID: team, Message: message, BaseRevision: base}, b, nil)
}

// storeVersionAs is storeVersion with the version's origin, the files
// pushed (when merged) and the merged changes to report.
func (s *Server) storeVersionAs(ctx context.Context, pr *Principal, p store.Push, b Bundle, merged *pushResponse) (pushResponse, error) {
	return s.storeVersionCached(ctx, pr, p, b, merged, nil, nil)
}

// basis is the latest version a write started from and the system's
// revision then, when the caller read them: a write whose content is that
// version's is answered as unchanged without a database write (CI pushing
// the same model), and notifications compare with its analysis from the
// memo instead of decoding it from the store.
type basis struct {
	v        store.Version
	revision int64
}

// storeVersionCached is storeVersionAs reusing the analysis of a bundle a
// lost race already analysed (cache may be nil), started from on (nil
// when unknown).
func (s *Server) storeVersionCached(ctx context.Context, pr *Principal, p store.Push, b Bundle, merged *pushResponse, cache *analysisCache, on *basis) (pushResponse, error) {
	systemID, team := p.SystemID, p.TeamID
	archive := b.archive()
	digest := sha256.Sum256(archive)
	if out, ok := s.unchangedFromSummary(systemID, team, digest, merged, on); ok {
		mark(ctx, phaseReport)
		return out, nil
	}
	a, err := s.storedAnalysisOf(ctx, b, digest, cache) // analysed once per content and day (analysismemo.go)
	if err != nil {
		return pushResponse{}, err
	}
	if a.systemID != systemID {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "the model's system.id is %q but it was pushed to %q", a.systemID, systemID)
	}
	if on != nil && on.v.SHA256 == hex.EncodeToString(digest[:]) {
		// What PushVersion answers for the latest version's content,
		// without its write transaction: unchanged as of when the latest
		// version was read (a writer since then came after this push).
		if err := s.remember(a); err != nil {
			return pushResponse{}, err
		}
		mark(ctx, phaseEncode)
		out := pushResponse{System: systemID, Team: team, Version: on.v.Number, SHA256: on.v.SHA256, Revision: on.revision, Summary: a.summary}
		if merged != nil {
			out.Merged, out.Base = merged.Merged, merged.Base
		}
		return out, nil
	}
	// The analysis is done: its encoding and the store's write run on a
	// store slot, and the analysis slot goes to the next write (bounds.go).
	if err := handoff(ctx); err != nil {
		return pushResponse{}, err
	}
	mark(ctx, phaseHandoff)
	if err := s.remember(a); err != nil {
		return pushResponse{}, err
	}
	mark(ctx, phaseEncode)
	p.Name, p.YAML, p.Result, p.Author = a.name, archive, a.result, pr.Actor()
	p.Findings, p.Mitigations, p.Assumptions = a.findings, a.mitigations, a.assumptions
	v, created, err := s.store.PushVersion(ctx, p)
	if err != nil {
		return pushResponse{}, err
	}
	revision, err := s.revisionAfter(ctx, p, created)
	if err != nil {
		return pushResponse{}, err
	}
	mark(ctx, phaseStore)
	if created {
		s.versions.rememberMerged(s.versions.putStored(v), a.merged)
		ev, _ := json.Marshal(map[string]any{"type": "version", "system": systemID, "version": v.Number})
		if err := s.cfg.Events.Publish(ctx, "system:"+systemID, ev); err != nil {
			s.log.Warn("publish event", "err", err)
		}
		var prev *pushSummary
		// The memo's analysis of the version before is the one stored
		// with it when both were made the same day.
		today := s.cfg.Now().UTC().Format(time.DateOnly)
		if on != nil && on.v.Number == v.Number-1 && on.v.CreatedAt.UTC().Format(time.DateOnly) == today {
			prev = s.summaries.notifySummary(on.v.SHA256, today)
		}
		s.notifyPush(ctx, pr, systemID, team, v.Number, a.notify, prev) // high risks, invalidated assumptions (notify.go)
	}
	mark(ctx, phaseAfter)
	out := pushResponse{System: systemID, Team: team, Version: v.Number, Created: created, SHA256: v.SHA256, Revision: revision, Summary: a.summary}
	if merged != nil {
		out.Merged, out.Base = merged.Merged, merged.Base
	}
	return out, nil
}

// unchangedFromSummary answers a write whose content is the latest
// version's (on) as unchanged — what storeVersionCached answers after
// analysing it — from the summaries memo, without the analysis: CI
// pushing a model the server's decisions since were merged into writes
// exactly the latest version's content, whose analysis this process made
// when it stored that version, but the memo of whole analyses (about 100
// of the shop) has usually dropped it by then on a server writing many
// systems; the summaries memo keeps what the answer needs (the summary)
// for about ten times as many. The key is the memo's, content and day, so
// the summary is the one an analysis now would give. ok is false when it
// does not apply, or the summary is not there: the caller analyses.
func (s *Server) unchangedFromSummary(systemID, team string, digest [sha256.Size]byte, merged *pushResponse, on *basis) (pushResponse, bool) {
	if on == nil || on.v.SHA256 != hex.EncodeToString(digest[:]) {
		return pushResponse{}, false
	}
	a := s.summaries.get(memoKey{digest: digest, day: s.cfg.Now().UTC().Format(time.DateOnly)})
	if a == nil || a.systemID != systemID {
		return pushResponse{}, false
	}
	s.summaryReused.Add(1)
	out := pushResponse{System: systemID, Team: team, Version: on.v.Number, SHA256: on.v.SHA256, Revision: on.revision, Summary: a.summary}
	if merged != nil {
		out.Merged, out.Base = merged.Merged, merged.Base
	}
	return out, true
}

// revisionAfter returns the system's revision right after PushVersion
// stored p (created) or found its content unchanged. A push with a base
// revision is stored only at that revision, and storing a version adds
// one to it, so that is the answer without reading the system back; a
// push without one reads it.
func (s *Server) revisionAfter(ctx context.Context, p store.Push, created bool) (int64, error) {
	if p.BaseRevision != 0 {
		if created {
			return p.BaseRevision + 1, nil
		}
		return p.BaseRevision, nil
	}
	sys, err := s.store.GetSystem(ctx, p.SystemID)
	if err != nil {
		return 0, err
	}
	return sys.Revision, nil
}

var _ = bytes.NewReader
var _ = fmt.Sprintf

// LoadDemo stores a bundle as a version of its system in team (created if
// missing), as the "demo" actor. It is how ward serve --demo loads the
// examples.
func (s *Server) LoadDemo(ctx context.Context, team string, b Bundle) error {
	if err := b.check(); err != nil {
		return err
	}
	if _, err := s.store.GetTeam(ctx, team); errors.Is(err, store.ErrNotFound) {
		if _, err := s.store.CreateTeam(ctx, store.Team{ID: team, Name: "Demo"}, "demo"); err != nil && !errors.Is(err, store.ErrExists) {
			return err
		}
	} else if err != nil {
		return err
	}
	_, res, err := s.analyseBundle(ctx, b)
	if err != nil {
		return err
	}
	result, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fs, ms, as := rows(res)
	_, _, err = s.store.PushVersion(ctx, store.Push{SystemID: res.System.ID, TeamID: team, Name: res.System.Name, YAML: b.archive(), Result: result,
		Author: "demo", Message: "demo example", Findings: fs, Mitigations: ms, Assumptions: as})
	return err
}
