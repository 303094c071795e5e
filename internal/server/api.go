package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/wardtm/ward/internal/diff"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/store"
)

// routes lists every endpoint. The OpenAPI document (openapi.go) describes
// the same set; a test keeps them in step.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, fn handlerFunc) {
		s.patterns = append(s.patterns, pattern)
		mux.Handle(pattern, s.adapt(fn))
	}
	a := func(pattern string, fn handlerFunc) {
		s.patterns = append(s.patterns, pattern)
		mux.Handle(pattern, s.adapt(s.authed(fn)))
	}

	h("GET /healthz", s.handleHealth)
	h("GET /readyz", s.handleReady)
	h("GET /metrics", s.handleMetrics)
	h("GET /api/v1/openapi.json", s.handleOpenAPI)
	h("GET /api/v1/version", s.handleVersion)

	h("POST /api/v1/setup", s.handleSetup)
	h("POST /api/v1/login", s.handleLogin)
	h("POST /api/v1/logout", s.handleLogout)
	a("GET /api/v1/me", s.handleMe)
	h("GET /api/v1/oidc/login", s.handleOIDCLogin)
	h("GET /api/v1/oidc/callback", s.handleOIDCCallback)

	a("GET /api/v1/teams", s.handleListTeams)
	a("POST /api/v1/teams", s.handleCreateTeam)
	a("GET /api/v1/teams/{team}", s.handleGetTeam)

	a("GET /api/v1/systems", s.handleListSystems)
	a("GET /api/v1/systems/{system}", s.handleGetSystem)
	a("POST /api/v1/systems/{system}/versions", s.handlePush)
	a("GET /api/v1/systems/{system}/versions", s.handleListVersions)
	a("GET /api/v1/systems/{system}/versions/{version}", s.handleGetVersion)
	a("GET /api/v1/systems/{system}/versions/{version}/model", s.handleGetModel)
	a("GET /api/v1/systems/{system}/diff", s.handleDiff)
	a("POST /api/v1/systems/{system}/decisions", s.handleDecision)
	a("PATCH /api/v1/systems/{system}/mitigations/{id}", s.handleMitigationStatus)
	a("PATCH /api/v1/systems/{system}/assumptions/{id}", s.handleAssumptionStatus)
	a("GET /api/v1/systems/{system}/events", s.handleEvents)
	a("PATCH /api/v1/systems/{system}/controls", s.handleSetControl)

	a("GET /api/v1/findings", s.handleFindings)
	a("GET /api/v1/mitigations", s.handleMitigations)
	a("GET /api/v1/assumptions", s.handleAssumptions)

	a("GET /api/v1/tokens", s.handleListTokens)
	a("POST /api/v1/tokens", s.handleCreateToken)
	a("DELETE /api/v1/tokens/{id}", s.handleRevokeToken)
	a("GET /api/v1/users", s.handleListUsers)
	a("POST /api/v1/users", s.handleCreateUser)
	a("GET /api/v1/audit", s.handleAudit)

	// Design reviews (review.go).
	a("GET /api/v1/reviews", s.handleListReviews)
	a("POST /api/v1/reviews", s.handleCreateReview)
	a("GET /api/v1/reviews/{id}", s.handleGetReview)
	a("POST /api/v1/reviews/{id}/actions", s.handleReviewAction)
	a("PUT /api/v1/reviews/capacity", s.handleSetCapacity)
	a("GET /api/v1/reviews/reminders", s.handleReviewReminders)
	a("GET /api/v1/reviews/settings", s.handleGetReviewSettings)
	a("PUT /api/v1/reviews/settings", s.handleSetReviewSettings)
	a("POST /api/v1/reviews/triage", s.handleTriagePreview)
	a("GET /api/v1/systems/{system}/review", s.handleSystemReview)

	// Live threat-modeling sessions (session.go).
	a("POST /api/v1/systems/{system}/sessions", s.handleCreateSession)
	a("GET /api/v1/systems/{system}/sessions", s.handleListSessions)
	a("GET /api/v1/sessions/{session}", s.handleGetSession)
	a("POST /api/v1/sessions/{session}/actions", s.handleSessionAction)
	a("POST /api/v1/sessions/{session}/promote", s.handlePromoteSession)
	a("GET /api/v1/sessions/{session}/record", s.handleSessionRecord)
	a("GET /api/v1/sessions/{session}/log", s.handleSessionEvents)
	// Editing in the browser (editor.go).
	a("POST /api/v1/systems", s.handleCreateSystem)
	a("POST /api/v1/systems/{system}/preview", s.handlePreviewModel)
	a("PUT /api/v1/systems/{system}/model", s.handleSaveModel)

	// Account and token lifecycle (accounts.go, tokens.go).
	a("GET /api/v1/users/{id}", s.handleGetUser)
	a("PATCH /api/v1/users/{id}", s.handleUpdateUser)
	a("DELETE /api/v1/users/{id}", s.handleDeleteUser)
	a("POST /api/v1/users/{id}/password", s.handleResetPassword)
	a("POST /api/v1/me/password", s.handleChangePassword)

	// Notifications (notify.go, notify_api.go).
	a("GET /api/v1/me/notifications", s.handleGetPrefs)
	a("PUT /api/v1/me/notifications", s.handleSetPrefs)
	a("GET /api/v1/teams/{team}/webhooks", s.handleListWebhooks)
	a("POST /api/v1/teams/{team}/webhooks", s.handleCreateWebhook)
	a("PATCH /api/v1/teams/{team}/webhooks/{id}", s.handleUpdateWebhook)
	a("DELETE /api/v1/teams/{team}/webhooks/{id}", s.handleDeleteWebhook)
	a("POST /api/v1/teams/{team}/notifications/test", s.handleTestNotifications)
	a("GET /api/v1/teams/{team}/notifications/deliveries", s.handleTeamDeliveries)
	// Training exercises and runs (training.go).
	a("GET /api/v1/training/exercises", s.handleListExercises)
	a("GET /api/v1/training/exercises/{exercise}", s.handleGetExercise)
	a("POST /api/v1/training/exercises", s.handleSaveExercise)
	a("GET /api/v1/training/runs", s.handleListRuns)
	a("POST /api/v1/training/runs", s.handleOpenRun)
	a("GET /api/v1/training/runs/{run}", s.handleGetRun)
	a("POST /api/v1/training/runs/{run}/actions", s.handleRunAction)
	a("GET /api/v1/training/runs/{run}/results", s.handleRunResults)
	a("POST /api/v1/training/runs/{run}/guest-link", s.handleRunGuestLink)
	a("DELETE /api/v1/training/runs/{run}/guest-link", s.handleRevokeRunGuests)
	a("GET /api/v1/teams/{team}/training", s.handleTrainingEvidence)
	// The self-serve programme (programme*.go).
	a("POST /api/v1/programme/findings", s.handleImportOutside)
	a("GET /api/v1/programme/findings", s.handleListOutside)
	a("GET /api/v1/programme/teams", s.handleProgrammeTeams)
	a("GET /api/v1/programme/teams/{team}", s.handleProgrammeTeam)
	a("PUT /api/v1/programme/teams/{team}/phase", s.handleSetTeamPhase)
	a("POST /api/v1/programme/proposals/{id}", s.handleDecideProposal)
	a("GET /api/v1/programme/leadership", s.handleLeadership)
	a("GET /api/v1/programme/settings", s.handleGetProgrammeSettings)
	a("PUT /api/v1/programme/settings", s.handleSetProgrammeSettings)
	a("POST /api/v1/reviews/{id}/threats", s.handleReviewThreat)

	s.webRoutes(mux)
	mux.Handle("/", s.adapt(s.notFound))
	return s.wrap(mux)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Warn("not ready", "err", err)
		return errorf(http.StatusServiceUnavailable, "not_ready", "the database does not answer")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"version": s.cfg.Version, "result_schema": report.Schema})
	return nil
}

func (s *Server) handleListTeams(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	var teams []store.Team
	var total int
	if pr := principal(r.Context()); Allowed(pr, Read, "") {
		teams, total, err = s.store.ListTeams(r.Context(), p)
	} else {
		// Members and tokens see their own team only.
		var t store.Team
		t, err = s.store.GetTeam(r.Context(), pr.TeamID)
		teams, total = []store.Team{t}, 1
		if errors.Is(err, store.ErrNotFound) {
			teams, total, err = nil, 0, nil
		}
	}
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(teams))
	for _, t := range teams {
		out = append(out, map[string]any{"id": t.ID, "name": t.Name, "created_at": t.CreatedAt})
	}
	writeList(w, out, total, p)
	return nil
}

type teamCreate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (s *Server) handleCreateTeam(w http.ResponseWriter, r *http.Request) error {
	var req teamCreate
	if err := s.require(r, Admin, ""); err != nil {
		return err
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	t, err := s.opCreateTeam(r.Context(), principal(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": t.ID, "name": t.Name, "created_at": t.CreatedAt})
	return nil
}

// opCreateTeam creates a team (administrators); the JSON API and the
// administration page share it.
func (s *Server) opCreateTeam(ctx context.Context, p *Principal, req teamCreate) (store.Team, error) {
	if err := s.requireP(p, Admin, ""); err != nil {
		return store.Team{}, err
	}
	if !validID(req.ID) {
		return store.Team{}, errorf(http.StatusBadRequest, "invalid", "team id %q: use lower-case letters, digits and -", req.ID)
	}
	if req.Name == "" {
		req.Name = req.ID
	}
	return s.store.CreateTeam(ctx, store.Team{ID: req.ID, Name: req.Name}, p.Actor())
}

func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func (s *Server) handleGetTeam(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("team")
	if !Allowed(principal(r.Context()), Read, id) {
		return store.ErrNotFound // other teams are not revealed to members and tokens
	}
	t, err := s.store.GetTeam(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": t.ID, "name": t.Name, "created_at": t.CreatedAt})
	return nil
}

// scopeTeam returns the team a list must be limited to for the principal:
// members and tokens see their own team only.
func scopeTeam(p *Principal, asked string) (string, error) {
	if Allowed(p, Read, "") {
		return asked, nil
	}
	if asked != "" && asked != p.TeamID {
		return "", errorf(http.StatusForbidden, "forbidden", "you can only read team %q", p.TeamID)
	}
	return p.TeamID, nil
}

func (s *Server) handleListSystems(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	team, err := scopeTeam(principal(r.Context()), r.URL.Query().Get("team"))
	if err != nil {
		return err
	}
	list, total, err := s.store.ListSystems(r.Context(), team, p)
	if err != nil {
		return err
	}
	out := make([]systemDoc, 0, len(list))
	for _, x := range list {
		out = append(out, systemJSON(x))
	}
	writeList(w, out, total, p)
	return nil
}

// system loads a system the principal may access, answering 404 (not 403)
// for other teams' systems so their existence is not revealed.
func (s *Server) system(r *http.Request, a Access) (store.System, error) {
	return s.systemFor(r.Context(), principal(r.Context()), r.PathValue("system"), a)
}

// systemFor loads system id for p with access a, as system does.
func (s *Server) systemFor(ctx context.Context, p *Principal, id string, a Access) (store.System, error) {
	x, err := s.store.GetSystem(ctx, id)
	if err != nil {
		return x, err
	}
	if !Allowed(p, Read, x.TeamID) {
		return x, store.ErrNotFound
	}
	if !Allowed(p, a, x.TeamID) {
		return x, errorf(http.StatusForbidden, "forbidden", "your role (%s) does not allow this", p.Role)
	}
	return x, nil
}

func (s *Server) handleGetSystem(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, systemJSON(x))
	return nil
}

func versionJSON(v store.Version) map[string]any {
	return map[string]any{"system": v.SystemID, "version": v.Number, "sha256": v.SHA256, "author": v.Author, "message": v.Message, "created_at": v.CreatedAt}
}

func (s *Server) handleListVersions(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	vs, total, err := s.store.ListVersions(r.Context(), x.ID, p)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(vs))
	for _, v := range vs {
		out = append(out, versionJSON(v))
	}
	writeList(w, out, total, p)
	return nil
}

// versionNumber reads {version}: a number or "latest".
func versionNumber(s string) (int, error) {
	if s == "latest" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errorf(http.StatusBadRequest, "invalid", "version must be a positive number or latest")
	}
	return n, nil
}

func (s *Server) version(r *http.Request, name string) (store.System, store.Version, error) {
	x, err := s.system(r, Read)
	if err != nil {
		return x, store.Version{}, err
	}
	e, err := s.cachedVersion(r, x, name)
	if err != nil {
		return x, store.Version{}, err
	}
	return x, e.v, nil
}

// cachedVersion reads version name ("latest" or a number) of system x,
// which the caller may read, through the version cache (versioncache.go).
func (s *Server) cachedVersion(r *http.Request, x store.System, name string) (*cachedVersion, error) {
	n, err := versionNumber(name)
	if err != nil {
		return nil, err
	}
	return s.versionN(r.Context(), x, n)
}

// versionN is cachedVersion by number (0: the latest).
func (s *Server) versionN(ctx context.Context, x store.System, n int) (*cachedVersion, error) {
	if n == 0 {
		n = x.Latest // read in the same row as the system's team
	}
	if n > 0 {
		if e := s.versions.get(x.ID, n); e != nil {
			return e, nil
		}
	}
	v, err := s.store.GetVersion(ctx, x.ID, n)
	if err != nil {
		return nil, err
	}
	return s.versions.put(v), nil
}

// handleGetVersion returns a version's metadata and its analysis. A
// version never changes, so it carries an ETag and If-None-Match is
// answered 304.
func (s *Server) handleGetVersion(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	e, err := s.cachedVersion(r, x, r.PathValue("version"))
	if err != nil {
		return err
	}
	v := e.v
	sw, ok := w.(*statusWriter)
	pretty := ok && sw.pretty
	if notModified(w, r, versionETag(v, pretty)) {
		return nil
	}
	if pretty || !e.canonical {
		out := versionJSON(v)
		out["result"] = json.RawMessage(v.Result)
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	return writeVersion(w, e)
}

// handleGetModel returns a version's files, to commit back to the
// repository (ward pull).
func (s *Server) handleGetModel(w http.ResponseWriter, r *http.Request) error {
	x, v, err := s.version(r, r.PathValue("version"))
	if err != nil {
		return err
	}
	b := unarchive(v.YAML)
	writeJSON(w, http.StatusOK, map[string]any{"system": x.ID, "version": v.Number, "revision": x.Revision, "main": b.Main, "files": b.Files})
	return nil
}

// handleDiff compares two stored versions (?from=N&to=M, default the two
// latest) with the same analysis as ward diff, computed once and stored
// (diffcache.go).
func (s *Server) handleDiff(w http.ResponseWriter, r *http.Request) error {
	x, err := s.system(r, Read)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	to, from := x.Latest, x.Latest-1
	var perr error
	if v := q.Get("to"); v != "" {
		to, perr = versionNumber(v)
	}
	if v := q.Get("from"); v != "" && perr == nil {
		from, perr = versionNumber(v)
	}
	if perr != nil {
		return perr
	}
	body, err := s.opDiff(r.Context(), x, from, to)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// compare compares two stored versions of x with the same analysis as
// ward diff (version 0 or less is "none"); it is the operation behind the
// system page's versions, served from the stored diff like the JSON API.
func (s *Server) compare(ctx context.Context, x store.System, from, to int) (*diff.Diff, error) {
	body, err := s.opDiff(ctx, x, max(from, 0), to)
	if err != nil {
		return nil, err
	}
	var d diff.Diff
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("stored diff of %s %d..%d: %w", x.ID, from, to, err)
	}
	return &d, nil
}

func (s *Server) handleFindings(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	team, err := scopeTeam(principal(r.Context()), q.Get("team"))
	if err != nil {
		return err
	}
	fq := store.FindingQuery{TeamID: team, SystemID: q.Get("system"), MinSeverity: q.Get("severity"), Status: q.Get("status"),
		DataKind: q.Get("data"), Asset: q.Get("asset"), Owner: q.Get("owner"), Sort: q.Get("sort"), Page: p}
	if fq.MinSeverity != "" && !oneOf(fq.MinSeverity, "info", "low", "medium", "high", "critical") {
		return errorf(http.StatusBadRequest, "invalid_query", "severity must be info, low, medium, high or critical")
	}
	if err := checkStatus(fq.Status, findingStatuses); err != nil {
		return err
	}
	if fq.Sort != "" && !oneOf(fq.Sort, "severity", "system", "id") {
		return errorf(http.StatusBadRequest, "invalid_query", "sort must be severity, system or id")
	}
	fs, total, err := s.store.Findings(r.Context(), fq)
	if err != nil {
		return err
	}
	writeFindings(w, fs, total, p)
	return nil
}

func oneOf(s string, opts ...string) bool {
	for _, o := range opts {
		if s == o {
			return true
		}
	}
	return false
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// listQuery reads what the organisation-wide lists share: the page, the
// team the principal may see, and a status among statuses.
func listQuery[T ~string](r *http.Request, statuses []T) (store.Page, string, string, error) {
	p, err := page(r)
	if err != nil {
		return p, "", "", err
	}
	team, err := scopeTeam(principal(r.Context()), r.URL.Query().Get("team"))
	if err != nil {
		return p, "", "", err
	}
	status := r.URL.Query().Get("status")
	return p, team, status, checkStatus(status, statuses)
}

func (s *Server) handleMitigations(w http.ResponseWriter, r *http.Request) error {
	p, team, status, err := listQuery(r, mitigationStatuses)
	if err != nil {
		return err
	}
	ms, total, err := s.store.Mitigations(r.Context(), team, status, p)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(ms))
	for _, m := range ms {
		out = append(out, map[string]any{"system": m.SystemID, "team": m.TeamID, "id": m.ID, "title": m.Title, "status": m.Status, "owner": m.Owner, "due": m.Due})
	}
	writeList(w, out, total, p)
	return nil
}

func (s *Server) handleAssumptions(w http.ResponseWriter, r *http.Request) error {
	p, team, status, err := listQuery(r, assumptionStatuses)
	if err != nil {
		return err
	}
	as, total, err := s.store.Assumptions(r.Context(), team, status, p)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(as))
	for _, a := range as {
		out = append(out, map[string]any{"system": a.SystemID, "team": a.TeamID, "id": a.ID, "text": a.Text, "status": a.Status})
	}
	writeList(w, out, total, p)
	return nil
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	p := principal(r.Context())
	if p.Role != store.RoleAdmin && p.Role != store.RoleSecurity {
		return errorf(http.StatusForbidden, "forbidden", "only administrators and security engineers read the audit log")
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	var after int64
	if v := r.URL.Query().Get("after"); v != "" {
		after, err = strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errorf(http.StatusBadRequest, "invalid_query", "after must be a sequence number")
		}
	}
	evs, err := s.store.Audit(r.Context(), after, pg)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(evs))
	for _, e := range evs {
		out = append(out, map[string]any{"seq": e.Seq, "at": e.At, "actor": e.Actor, "action": e.Action, "object": e.Object, "detail": e.Detail})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}
