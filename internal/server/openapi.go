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
	{"GET /api/v1/findings", "Findings of every system's latest version (?severity=&status=&data=&asset=&team=&system=&owner=&sort=)", false, "", 200},
	{"GET /api/v1/mitigations", "Mitigations of latest versions (?team=&status=)", false, "", 200},
	{"GET /api/v1/assumptions", "Assumptions of latest versions (?team=&status=)", false, "", 200},
	{"GET /api/v1/tokens", "List API tokens", false, "", 200},
	{"POST /api/v1/tokens", "Create an API token for a team (shown once)", false, "Token", 201},
	{"DELETE /api/v1/tokens/{id}", "Revoke an API token", false, "", 204},
	{"GET /api/v1/users", "List accounts (admin)", false, "", 200},
	{"POST /api/v1/users", "Create an account (admin)", false, "User", 201},
	{"GET /api/v1/audit", "The append-only audit log (admin, security)", false, "", 200},
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
		"Token": obj(map[string]any{"name": strT, "team": strT, "role": map[string]any{"enum": []string{"member", "viewer"}}}, "name", "team"),
		"User": obj(map[string]any{"email": strT, "name": strT, "role": map[string]any{"enum": []string{"admin", "security", "member", "viewer"}},
			"team": strT, "password": strT}, "email", "role"),
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
			"description": "The Ward server's JSON API. Authenticate with the session cookie (browsers) or Authorization: Bearer ward_... (API tokens)."},
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
