package server

import (
	"net/http"
	"strconv"
	"strings"
)

// endpoint documents one route for the OpenAPI document.
type endpoint struct {
	pattern string // as registered: "METHOD /path/{param}"
	summary string
	public  bool   // needs no authentication
	body    string // request body schema name, if any
	ok      int    // success status
}

// endpoints documents every route; TestOpenAPIMatchesRoutes keeps it in
// step with routes().
var endpoints = []endpoint{
	{"GET /healthz", "Liveness: the process is up", true, "", 200},
	{"GET /readyz", "Readiness: the database answers", true, "", 200},
	{"GET /metrics", "Prometheus metrics", true, "", 200},
	{"GET /api/v1/openapi.json", "This document", true, "", 200},
	{"GET /api/v1/version", "Server and result schema versions", true, "", 200},
	{"POST /api/v1/setup", "Create the first administrator with the one-time setup token", true, "Setup", 200},
	{"POST /api/v1/login", "Sign in with email and password; sets the session cookie", true, "Login", 200},
	{"POST /api/v1/logout", "Sign out", true, "", 204},
	{"GET /api/v1/me", "Who is calling", false, "", 200},
	{"GET /api/v1/oidc/login", "Single sign-on: redirects to the identity provider (state, nonce, PKCE)", true, "", 302},
	{"GET /api/v1/oidc/callback", "Single sign-on: the identity provider returns here; starts a session and redirects to /", true, "", 303},
	{"GET /api/v1/teams", "List teams", false, "", 200},
	{"POST /api/v1/teams", "Create a team (admin)", false, "Team", 201},
	{"GET /api/v1/teams/{team}", "Get a team", false, "", 200},
	{"GET /api/v1/systems", "List systems (members see their team's)", false, "", 200},
	{"GET /api/v1/systems/{system}", "Get a system", false, "", 200},
	{"POST /api/v1/systems/{system}/versions", "Push a model: the server analyses it and stores a new version (no-op when unchanged)", false, "Push", 201},
	{"GET /api/v1/systems/{system}/versions", "List a system's versions, newest first", false, "", 200},
	{"GET /api/v1/systems/{system}/versions/{version}", "Get a version (number or latest) with its analysis", false, "", 200},
	{"GET /api/v1/systems/{system}/versions/{version}/model", "Get a version's model files, to commit (ward pull)", false, "", 200},
	{"GET /api/v1/systems/{system}/diff", "What changed between two versions (?from=&to=)", false, "", 200},
	{"POST /api/v1/systems/{system}/decisions", "Record a decision on a finding; stored as a new version", false, "Decision", 201},
	{"PATCH /api/v1/systems/{system}/mitigations/{id}", "Change a mitigation's status; stored as a new version", false, "MitigationStatus", 201},
	{"PATCH /api/v1/systems/{system}/assumptions/{id}", "Validate or invalidate an assumption; stored as a new version", false, "AssumptionStatus", 201},
	{"GET /api/v1/systems/{system}/events", "Live events of a system (server-sent events)", false, "", 200},
	{"PATCH /api/v1/systems/{system}/controls", "Set a control of a component or flow, an asset's classification or what a flow carries (answers a question); stored as a new version", false, "Control", 201},
	{"GET /api/v1/findings", "Findings of every system's latest version (?severity=&status=&data=&asset=&team=&system=&owner=&sort=)", false, "", 200},
	{"GET /api/v1/mitigations", "Mitigations of latest versions (?team=&status=)", false, "", 200},
	{"GET /api/v1/assumptions", "Assumptions of latest versions (?team=&status=)", false, "", 200},
	{"GET /api/v1/tokens", "List API tokens", false, "", 200},
	{"POST /api/v1/tokens", "Create an API token for a team (shown once)", false, "Token", 201},
	{"DELETE /api/v1/tokens/{id}", "Revoke an API token", false, "", 204},
	{"GET /api/v1/users", "List accounts (admin)", false, "", 200},
	{"POST /api/v1/users", "Create an account (admin)", false, "User", 201},
	{"GET /api/v1/audit", "The append-only audit log (admin, security)", false, "", 200},
	{"GET /api/v1/reviews", "The design-review queue: open requests ranked by risk priority with the week's capacity plan (?team=&week=), reminders, recent approvals", false, "", 200},
	{"POST /api/v1/reviews", "Request a design review: the answers are triaged at once (tier, priority, reasons)", false, "ReviewRequest", 201},
	{"GET /api/v1/reviews/{id}", "Get a review request with its history", false, "", 200},
	{"POST /api/v1/reviews/{id}/actions", "Act on a review request: triage, start, request_changes, resubmit, approve, self_serve, assign", false, "ReviewAction", 200},
	{"PUT /api/v1/reviews/capacity", "Enter a security engineer's review hours for a week (security, admin)", false, "Capacity", 200},
	{"GET /api/v1/reviews/reminders", "Overdue and due-soon reviews; stale, expired and expiring approvals", false, "", 200},
	{"GET /api/v1/reviews/settings", "The triage policy (as a policy file), the review settings and the intake questions", false, "", 200},
	{"PUT /api/v1/reviews/settings", "Change the triage policy and review settings (admin)", false, "ReviewSettings", 200},
	{"POST /api/v1/reviews/triage", "Triage answers under the organisation's policy without storing anything", false, "TriagePreview", 200},
	{"GET /api/v1/systems/{system}/review", "A system's review badge: approved, pending, no_review or stale, with the approval", false, "", 200},
	{"POST /api/v1/systems/{system}/sessions", "Open a live threat-modeling session on a version (the caller facilitates; the guest link is in the answer only)", false, "Session", 201},
	{"GET /api/v1/systems/{system}/sessions", "List a system's live sessions, newest first", false, "", 200},
	{"GET /api/v1/sessions/{session}", "A session as the caller may see it (hidden cards, anonymity, own votes; tallies after voting)", false, "", 200},
	{"POST /api/v1/sessions/{session}/actions", "Act in a session: join, phase, settings, card.add, card.edit, card.take, card.dismiss, card.merge, present, ready, hand, vote, decide, reflect, conclude", false, "SessionAction", 200},
	{"POST /api/v1/sessions/{session}/promote", "Save the session's decisions as a new model version (facilitator)", false, "", 201},
	{"GET /api/v1/sessions/{session}/record", "The session record (?format=json|markdown)", false, "", 200},
	{"GET /api/v1/sessions/{session}/log", "The session's append-only event log (?after=seq)", false, "", 200},
	{"POST /api/v1/systems", "Create a system from ward init's questions, a template or another tool's file", false, "NewSystem", 201},
	{"POST /api/v1/systems/{system}/preview", "Check working files and structured edits against the latest version without storing: diagnostics, findings, graph, diagram, diff", false, "Preview", 200},
	{"PUT /api/v1/systems/{system}/model", "Save edited model files (and structured edits) as a new version; 409 with a diff when the system moved on", false, "SaveModel", 201},
	{"GET /api/v1/users/{id}", "Get an account (admin)", false, "", 200},
	{"PATCH /api/v1/users/{id}", "Change an account's role and team, disable or enable it (admin)", false, "UserPatch", 200},
	{"DELETE /api/v1/users/{id}", "Delete an account: sessions end, its tokens are revoked, what it authored stays (admin)", false, "", 204},
	{"POST /api/v1/users/{id}/password", "Reset an account's password; ends its sessions (admin)", false, "PasswordReset", 204},
	{"POST /api/v1/me/password", "Change your own password; ends your other sessions", false, "PasswordChange", 204},
	{"GET /api/v1/me/notifications", "Your notification preferences: email on or off, the event kinds you want (docs/notifications.md)", false, "", 200},
	{"PUT /api/v1/me/notifications", "Change your notification preferences (signed-in accounts)", false, "NotifyPrefs", 200},
	{"GET /api/v1/teams/{team}/webhooks", "A team's webhooks, without their secrets (admins, the team's members signed in)", false, "", 200},
	{"POST /api/v1/teams/{team}/webhooks", "Add a webhook; the answer holds its signing secret, shown this once", false, "Webhook", 201},
	{"PATCH /api/v1/teams/{team}/webhooks/{id}", "Change a webhook; rotate_secret answers the new secret once", false, "Webhook", 200},
	{"DELETE /api/v1/teams/{team}/webhooks/{id}", "Delete a webhook", false, "", 204},
	{"POST /api/v1/teams/{team}/notifications/test", "Queue a test message to the team's webhooks (or one) and your email", false, "NotifyTest", 202},
	{"GET /api/v1/teams/{team}/notifications/deliveries", "Latest deliveries to the team's webhooks: state, attempts, last error", false, "", 200},
	// Training exercises and runs (training.go).
	{"GET /api/v1/training/exercises", "List the training exercises", false, "", 200},
	{"POST /api/v1/training/exercises", "Store an exercise an instructor wrote (YAML, docs/training.md); problems as diagnostics with line and column (instructors)", false, "TrainingExercise", 201},
	{"GET /api/v1/training/exercises/{exercise}", "An exercise: design, model and elements; flaws and reference for instructors only", false, "", 200},
	{"GET /api/v1/training/runs", "List training runs, newest first", false, "", 200},
	{"POST /api/v1/training/runs", "Open a training run of an exercise for several groups (instructors: security or admin)", false, "TrainingRun", 201},
	{"GET /api/v1/training/runs/{run}", "A training run; participants see only their own group's board until it is done", false, "", 200},
	{"POST /api/v1/training/runs/{run}/actions", "Act in a run: join, card.add, card.edit, card.merge, note.add, top_three, submit (groups); phase, accept, match (instructor)", false, "TrainingAction", 200},
	{"GET /api/v1/training/runs/{run}/results", "Coverage, top-three agreement, outside finds, overlap matrix and unique finds per group (?format=json|markdown)", false, "", 200},
	{"POST /api/v1/training/runs/{run}/guest-link", "Make the run's guest link for one-off participants, replacing any earlier link; the answer's guest_link is shown this once (the run's instructor)", false, "", 201},
	{"DELETE /api/v1/training/runs/{run}/guest-link", "Revoke the run's guest link and sign its guests out (the run's instructor)", false, "", 204},
	{"GET /api/v1/teams/{team}/training", "A team's training evidence: completed runs", false, "", 200},
	{"POST /api/v1/programme/findings", "Import outside findings (pen test, bug bounty, incident; CSV, JSON, SARIF or a platform export with a mapping); each answers \"would the model have caught it?\" (security, admin)", false, "OutsideImport", 201},
	{"GET /api/v1/programme/findings", "Outside findings with their catch analysis (?team=&system=&source=&catch=&batch=)", false, "", 200},
	{"GET /api/v1/programme/teams", "Teams in the self-serve programme: phase, readiness with the numbers behind it, open proposal", false, "", 200},
	{"GET /api/v1/programme/teams/{team}", "A team's programme: phase and history, evidence by quarter, reviewed models, escapes, proposals", false, "", 200},
	{"PUT /api/v1/programme/teams/{team}/phase", "Set a team's phase with a note (security coach)", false, "Phase", 200},
	{"POST /api/v1/programme/proposals/{id}", "Confirm or dismiss a phase proposal with a note (security coach)", false, "ProposalDecision", 200},
	{"GET /api/v1/programme/leadership", "Leadership view: risk by team and asset class, trend, programme progress, cost ranges with sources (?format=json|csv)", false, "", 200},
	{"GET /api/v1/programme/settings", "Graduation rules and cost model", false, "", 200},
	{"PUT /api/v1/programme/settings", "Change the graduation rules and cost model (admin)", false, "ProgrammeSettings", 200},
	{"POST /api/v1/reviews/{id}/threats", "Add a threat found in a design review to the model (found_by: security_review), stored as a new version (security, admin)", false, "ReviewThreat", 201},
}

func obj(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

var (
	strT  = map[string]any{"type": "string"}
	intT  = map[string]any{"type": "integer"}
	strsT = map[string]any{"type": "array", "items": strT}
	triT  = map[string]any{"enum": []string{"", "yes", "no", "unknown"}}
)

// openAPI builds the OpenAPI 3.1 document.
func openAPI(version string) map[string]any {
	schemas := map[string]any{
		"Error": obj(map[string]any{"error": obj(map[string]any{"code": strT, "message": strT, "id": strT, "details": map[string]any{}}, "code", "message")}, "error"),
		"Setup": obj(map[string]any{"token": strT, "email": strT, "name": strT, "password": strT}, "token", "email", "password"),
		"Login": obj(map[string]any{"email": strT, "password": strT}, "email", "password"),
		"Team":  obj(map[string]any{"id": strT, "name": strT}, "id"),
		"Push": obj(map[string]any{"team": strT, "message": strT, "base_revision": intT, "main": strT,
			"base_version": intT, "base_pushed": map[string]any{"type": "boolean"}, "force": map[string]any{"type": "boolean"},
			"files": map[string]any{"type": "object", "additionalProperties": strT}}, "files"),
		"Decision": obj(map[string]any{"finding": strT, "status": map[string]any{"enum": []string{"mitigated", "accepted", "false_positive", "transferred"}},
			"reason": strT, "owner": strT, "expires": map[string]any{"type": "string", "format": "date"}, "mitigations": strsT, "base_revision": intT, "message": strT}, "finding", "status"),
		"MitigationStatus": obj(map[string]any{"status": map[string]any{"enum": []string{"proposed", "planned", "implemented", "verified", "wont_do"}},
			"owner": strT, "ticket": strT, "due": strT, "base_revision": intT, "message": strT}, "status"),
		"AssumptionStatus": obj(map[string]any{"status": map[string]any{"enum": []string{"unvalidated", "validated", "invalidated"}},
			"evidence": strT, "base_revision": intT, "message": strT}, "status"),
		"Control": obj(map[string]any{"kind": map[string]any{"enum": []string{"component", "flow", "asset"}}, "element": strT, "key": strT,
			"value": map[string]any{"type": "string", "description": "yes, no or unknown for a control; public, internal, confidential or restricted for an asset's needs; comma-separated asset ids for a flow's carries"}, "base_revision": intT, "message": strT}, "kind", "element", "key", "value"),
		"Token": obj(map[string]any{"name": strT, "team": strT, "role": map[string]any{"enum": []string{"member", "viewer", "admin"}}, "expires_in_days": intT}, "name"),
		"UserPatch": obj(map[string]any{"role": map[string]any{"enum": []string{"admin", "security", "member", "viewer"}}, "team": strT,
			"disabled": map[string]any{"type": "boolean"}}),
		"PasswordReset":  obj(map[string]any{"password": strT}, "password"),
		"PasswordChange": obj(map[string]any{"current": strT, "password": strT}, "current", "password"),
		"User": obj(map[string]any{"email": strT, "name": strT, "role": map[string]any{"enum": []string{"admin", "security", "member", "viewer"}},
			"team": strT, "password": strT}, "email", "role"),
		"NotifyPrefs": obj(map[string]any{"email": map[string]any{"type": "boolean"}, "kinds": strsT}),
		"Webhook": obj(map[string]any{"name": strT, "url": strT, "kinds": strsT, "enabled": map[string]any{"type": "boolean"},
			"rotate_secret": map[string]any{"type": "boolean"}}),
		"NotifyTest": obj(map[string]any{"webhook": strT}),
		"Answers": obj(map[string]any{"paved_path": triT, "internet_facing": triT, "auth_changes": triT,
			"sensitive_data":    map[string]any{"type": []string{"array", "null"}, "items": strT, "description": "kinds of sensitive data; null or absent is unknown, [] is none"},
			"new_third_parties": map[string]any{"type": []string{"array", "null"}, "items": strT, "description": "names; null or absent is unknown, [] is none"},
			"criticality":       map[string]any{"enum": []string{"", "low", "medium", "high", "critical", "unknown"}}}),
		"ReviewRequest": obj(map[string]any{"system": strT, "team": strT, "title": strT, "design_doc": strT,
			"wanted_by": map[string]any{"type": "string", "format": "date"}, "answers": map[string]any{"$ref": "#/components/schemas/Answers"}}, "system"),
		"Session": obj(map[string]any{"title": strT, "version": map[string]any{"type": "integer"}, "minutes": map[string]any{"type": "integer"},
			"settings": map[string]any{"type": "object"}, "invite_security": map[string]any{"type": "boolean"}}, "title"),
		"SessionAction": obj(map[string]any{"type": strT, "request_id": strT, "card": map[string]any{"type": "object"}, "card_id": strT, "from": strT,
			"count": map[string]any{"type": "integer"}, "on": map[string]any{"type": "boolean"}, "phase": strT, "timer": map[string]any{"type": "integer"},
			"settings": map[string]any{"type": "object"}, "decision": map[string]any{"type": "object"}, "reflection": map[string]any{"type": "object"}, "name": strT}, "type"),
		"TrainingRun": obj(map[string]any{"exercise": strT, "title": strT, "groups": map[string]any{"type": "array", "items": strT},
			"minutes": obj(map[string]any{"read": intT, "find": intT, "prioritise": intT})}, "exercise", "groups"),
		"TrainingExercise": obj(map[string]any{"source": strT}, "source"),
		"TrainingAction": obj(map[string]any{"type": map[string]any{"enum": []string{"join", "card.add", "card.edit", "card.merge", "note.add", "top_three", "submit", "phase", "accept", "match"}},
			"group": strT, "card": map[string]any{"type": "object"}, "card_id": strT, "from": strT, "note": map[string]any{"type": "object"},
			"top_three": map[string]any{"type": "array", "items": strT}, "phase": map[string]any{"enum": []string{"read", "find", "prioritise", "done"}},
			"severity": strT, "title": strT, "ref": strT}, "type"),
		"ReviewAction": obj(map[string]any{"action": map[string]any{"enum": []string{"triage", "start", "request_changes", "resubmit", "approve", "self_serve", "assign"}},
			"assignee": strT, "note": strT, "base_revision": intT}, "action"),
		"Capacity": obj(map[string]any{"week": strT, "engineer": strT, "hours": map[string]any{"type": "number"}}, "hours"),
		"ReviewSettings": obj(map[string]any{"policy": strT, "settings": obj(map[string]any{"approval_days": intT, "warn_days": intT, "due_days": intT,
			"security_led_hours": map[string]any{"type": "number"}, "self_serve_hours": map[string]any{"type": "number"}})}),
		"Edit": obj(map[string]any{"op": map[string]any{"enum": []string{"add", "update", "delete"}},
			"section": map[string]any{"enum": []string{"components", "flows", "boundaries", "assets", "layout", "threats", "mitigations", "assumptions", "decisions"}}, "id": strT, "parent": strT,
			"set":   map[string]any{"type": "object", "description": "keys and values: string, integer, boolean, list of strings or (controls) a map of strings"},
			"unset": strsT}, "op", "section"),
		"Preview": obj(map[string]any{"base_revision": intT, "files": map[string]any{"type": "object", "additionalProperties": strT},
			"edits": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/Edit"}}, "svg": map[string]any{"type": "boolean"}}),
		"SaveModel": obj(map[string]any{"base_revision": intT, "files": map[string]any{"type": "object", "additionalProperties": strT},
			"edits": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/Edit"}}, "message": strT}, "base_revision"),
		"NewSystem": obj(map[string]any{"from": map[string]any{"enum": []string{"questions", "template", "import"}}, "team": strT, "id": strT, "name": strT,
			"answers": map[string]any{"$ref": "#/components/schemas/Answers"}, "kinds": strsT, "template": strT, "format": strT, "file_name": strT, "content": strT}, "from"),
		"TriagePreview": obj(map[string]any{"answers": map[string]any{"$ref": "#/components/schemas/Answers"}}),
		"OutsideImport": obj(map[string]any{"content": strT, "format": map[string]any{"type": "string", "enum": []string{"csv", "json", "sarif"}},
			"file": strT, "source": strT, "system": strT, "mapping": strT}, "content"),
		"Phase":            obj(map[string]any{"phase": strT, "note": strT}, "phase", "note"),
		"ProposalDecision": obj(map[string]any{"confirm": map[string]any{"type": "boolean"}, "note": strT}, "confirm", "note"),
		"ReviewThreat": obj(map[string]any{"title": strT, "description": strT, "target": strT, "stride": strsT, "likelihood": strT, "impact": strT},
			"title", "target", "stride", "likelihood", "impact"),
		"ProgrammeSettings": obj(map[string]any{"rules": map[string]any{"type": "object"}, "costs": map[string]any{"type": "object"}}),
	}
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	paths := map[string]any{}
	for _, e := range endpoints {
		method, path, _ := strings.Cut(e.pattern, " ")
		op := map[string]any{"summary": e.summary, "operationId": opID(method, path)}
		responses := map[string]any{
			strconv.Itoa(e.ok): map[string]any{"description": "success"},
			"400":              errResp("bad request"),
			"500":              errResp("internal error; the body carries an id that is also in the server log"),
		}
		if !e.public {
			responses["401"] = errResp("not signed in")
			responses["403"] = errResp("not allowed")
		} else {
			op["security"] = []any{}
		}
		if strings.Contains(path, "{") {
			responses["404"] = errResp("not found")
			var params []any
			for _, part := range strings.Split(path, "/") {
				if strings.HasPrefix(part, "{") {
					params = append(params, map[string]any{"name": strings.Trim(part, "{}"), "in": "path", "required": true, "schema": strT})
				}
			}
			op["parameters"] = params
		}
		if e.body != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + e.body}}}}
			responses["409"] = errResp("conflict: stale revision or already exists")
			responses["413"] = errResp("request body too large")
			responses["422"] = errResp("the model is invalid (details list file:line:col problems)")
		}
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = map[string]any(op)
		op["responses"] = responses
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Ward API", "version": version,
			"description": "The Ward server's JSON API. Authenticate with the session cookie (browsers) or Authorization: Bearer ward_... (API tokens). Responses are compact JSON; add ?pretty to a GET for the same document indented."},
		"paths": paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"token":   map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			},
		},
		"security": []any{map[string]any{"token": []any{}}, map[string]any{"session": []any{}}},
	}
}

func opID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.Split(path, "/") {
		part = strings.Trim(part, "{}")
		if part == "" || part == "api" || part == "v1" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + strings.ReplaceAll(part[1:], ".", "_"))
	}
	return b.String()
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, openAPI(s.cfg.Version))
	return nil
}
