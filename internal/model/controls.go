package model

// Control is a security control whose presence is a tri-state fact on a
// component or a flow.
type Control uint8

// ControlInfo documents a control: its key in the model format, the question
// Ward asks when it is unknown, and what it means.
type ControlInfo struct {
	Key      string
	Question string // with %s for the element's id
	Doc      string
	// Flow is true for controls that apply to flows rather than components.
	Flow bool
}

// The controls. Their keys are stable: they appear in model files.
const (
	CtlAuthenticates Control = iota
	CtlAuthorizes
	CtlTenantIsolation
	CtlValidatesInput
	CtlEncodesOutput
	CtlSafeQueries
	CtlEncryptsAtRest
	CtlRateLimits
	CtlLogsSecurityEvents
	CtlTamperEvidentLogs
	CtlRedactsLogs
	CtlMFAForAdmins
	CtlSecretsManaged
	CtlBackups
	CtlEncryptedBackups
	CtlLeastPrivilege
	CtlSpendingLimits
	CtlBotProtection
	CtlCSRFProtection
	CtlPublicAccessBlocked
	CtlSecureSessions
	CtlVerifiesSignatures
	CtlPinsDependencies
	CtlPromptIsolation
	CtlHumanApproval
	CtlLimitsTools
	CtlFiltersOutput
	CtlHardened
	CtlNetworkRestricted
	CtlReplayProtection
	CtlTimeouts
	CtlDeadLetter
	CtlAccessReviewed
	CtlShortLivedTokens
	CtlGenericErrors
	CtlServerAuthoritative
	CtlAuditsWrites
	CtlSignedArtifacts
	CtlMetadataProtected
	CtlAttemptLimits
	CtlUniformResponses
	CtlFrameProtection
	CtlValidatesRedirects
	CtlChecksTokenAudience
	CtlRedundant
	CtlAttestation
	CtlSandboxed
	CtlDualApproval
	CtlMinimisesData
	numControls
)

// NumControls is the number of controls.
const NumControls = int(numControls)

// Controls holds a value for every control; the zero value is all unknown.
type Controls [NumControls]Tri

// Get returns the fact for c.
func (cs *Controls) Get(c Control) Tri { return cs[c] }

var controlInfo = [NumControls]ControlInfo{
	CtlAuthenticates:       {"authenticates", "Does `%s` authenticate its callers?", "Every caller is authenticated before any request is processed.", false},
	CtlAuthorizes:          {"authorizes", "Does `%s` check that the caller may perform each action on each object it asks for?", "Each request is authorised per action and per object (no insecure direct object references).", false},
	CtlTenantIsolation:     {"tenant_isolation", "Does `%s` keep each tenant's data apart, checking the tenant on every request and query?", "Tenant identity is enforced on every request and every query.", false},
	CtlValidatesInput:      {"validates_input", "Does `%s` validate all input against an allow-list (type, length, format, range)?", "All input is validated against an allow-list before use.", false},
	CtlEncodesOutput:       {"encodes_output", "Does `%s` encode or escape output for its context (HTML, headers, shell)?", "Output is encoded for the context it is rendered in.", false},
	CtlSafeQueries:         {"safe_queries", "Does `%s` build every query with parameters or a safe query builder, never by string concatenation?", "Queries and commands are built with parameters, never by concatenating input.", false},
	CtlEncryptsAtRest:      {"encrypts_at_rest", "Does `%s` encrypt the data it stores?", "Stored data is encrypted; say how with encryption_at_rest (disk, application, tokenized).", false},
	CtlRateLimits:          {"rate_limits", "Does `%s` limit the rate of requests per caller?", "Requests are rate-limited per caller or per key.", false},
	CtlLogsSecurityEvents:  {"logs_security_events", "Does `%s` log security events (logins, permission changes, admin actions) with who and when?", "Security-relevant events are logged with actor, action, object and time.", false},
	CtlTamperEvidentLogs:   {"tamper_evident_logs", "Are `%s`'s audit logs shipped off the host to storage its operators cannot alter?", "Audit logs are append-only or shipped to storage that the system's own operators cannot change.", false},
	CtlRedactsLogs:         {"redacts_logs", "Does `%s` keep secrets and personal data out of its logs?", "Secrets and sensitive data are redacted before logging.", false},
	CtlMFAForAdmins:        {"mfa_for_admins", "Does `%s` require multi-factor authentication for administrators?", "Administrative access requires a second factor.", false},
	CtlSecretsManaged:      {"secrets_managed", "Does `%s` get its secrets from a secrets manager (not code, images or plain config), with rotation?", "Secrets live in a secrets manager, are rotated, and never sit in code, images or plain configuration.", false},
	CtlBackups:             {"backups", "Is `%s` backed up, with restores tested?", "Data is backed up and restores are tested.", false},
	CtlEncryptedBackups:    {"encrypted_backups", "Are `%s`'s backups encrypted and access-controlled?", "Backups are encrypted and readable only by the restore role.", false},
	CtlLeastPrivilege:      {"least_privilege", "Does `%s` run with only the permissions it needs (database grants, cloud IAM)?", "The component's identities hold only the permissions they need.", false},
	CtlSpendingLimits:      {"spending_limits", "Are calls to `%s` capped by a quota or budget alert so abuse cannot run up the bill?", "Use of a paid API is capped by quotas, budgets and alerts.", false},
	CtlBotProtection:       {"bot_protection", "Does `%s` detect and slow down automated abuse (bots, credential stuffing, scraping)?", "Automated abuse is detected and throttled (bot detection, CAPTCHA, velocity checks).", false},
	CtlCSRFProtection:      {"csrf_protection", "Does `%s` reject cross-site requests that change state (CSRF)?", "State-changing requests from other sites are refused.", false},
	CtlPublicAccessBlocked: {"public_access_blocked", "Is public access blocked on `%s` (no anonymous or world-readable access)?", "The storage refuses anonymous and public access by policy.", false},
	CtlSecureSessions:      {"secure_sessions", "Does `%s` use secure sessions (random ids, HttpOnly/Secure cookies, expiry, revocation on logout)?", "Sessions use unguessable ids, secure cookie flags, expiry and revocation.", false},
	CtlVerifiesSignatures:  {"verifies_signatures", "Is every message on `%s` signed by the sender and the signature verified?", "Messages carry a signature (HMAC or public key) that the receiver verifies.", true},
	CtlPinsDependencies:    {"pins_dependencies", "Does `%s` pin and scan its third-party dependencies and images?", "Dependencies and images are pinned, verified and scanned for known vulnerabilities.", false},
	CtlPromptIsolation:     {"prompt_isolation", "Does `%s` keep untrusted content (user text, documents, tool output) apart from its instructions?", "Untrusted content is delimited, filtered and never treated as instructions.", false},
	CtlHumanApproval:       {"human_approval", "Does a person approve `%s`'s consequential actions before they happen?", "A person approves consequential or irreversible actions.", false},
	CtlLimitsTools:         {"limits_tools", "Are `%s`'s tools and permissions limited to what its task needs?", "The agent can call only the tools, with only the permissions, that its task needs.", false},
	CtlFiltersOutput:       {"filters_output", "Does `%s` check its output for sensitive data and unsafe content before it is shown or acted on?", "Generated output is checked before it is shown or acted on.", false},
	CtlHardened:            {"hardened", "Is `%s` hardened and patched (minimal image, no default credentials, updates applied)?", "The component is hardened, patched and has no default credentials.", false},
	CtlNetworkRestricted:   {"network_restricted", "Can only the components that need `%s` reach it on the network?", "Network policy lets only the components that need it reach it.", false},
	CtlReplayProtection:    {"replay_protection", "Does `%s` refuse replayed messages (nonces, timestamps, idempotency keys)?", "Replayed messages are detected and refused.", true},
	CtlTimeouts:            {"timeouts", "Does `%s` set timeouts and limits on request size and work per request?", "Requests have timeouts and size and work limits.", false},
	CtlDeadLetter:          {"dead_letter", "Does `%s` move messages that keep failing to a dead-letter queue instead of retrying forever?", "Poison messages go to a dead-letter queue with alerting.", false},
	CtlAccessReviewed:      {"access_reviewed", "Is access to `%s` reviewed regularly and removed when people leave?", "Who can access the component is reviewed regularly.", false},
	CtlShortLivedTokens:    {"short_lived_tokens", "Are the tokens and session credentials on `%s` short-lived, rotated on use and revocable?", "Bearer tokens and session credentials expire quickly, refresh tokens rotate with reuse detection, and all can be revoked.", false},
	CtlGenericErrors:       {"generic_errors", "Does `%s` return only generic errors to callers (no stack traces, queries, versions or internal names)?", "Errors returned to callers are generic; details go to the logs with a correlation id.", false},
	CtlServerAuthoritative: {"server_authoritative", "Does `%s` recompute or verify everything clients compute (prices, totals, scores, positions, permissions)?", "The server is authoritative: it recomputes or verifies client-computed state and never trusts it as sent.", false},
	CtlAuditsWrites:        {"audits_writes", "Is every write to `%s` attributed to who made it, and can writers change only what their role allows?", "Writes to the shared store are attributed and audited, and each writer can change only the records its role allows.", false},
	CtlSignedArtifacts:     {"signed_artifacts", "Are the artefacts `%s` builds or runs (images, binaries, firmware) signed at build and verified before they run?", "Built artefacts are signed by the build and verified (signature, digest, provenance) before deployment or installation.", false},
	CtlMetadataProtected:   {"metadata_protected", "Is the cloud metadata service out of reach of `%s`'s request paths (IMDSv2, hop limit, network policy), with narrowly scoped workload credentials?", "The instance metadata endpoint cannot be reached through the workload's outbound requests, and its credentials are narrowly scoped.", false},
	CtlAttemptLimits:       {"attempt_limits", "Does `%s` limit guesses per account and per code (reset codes, OTPs, vouchers) with lockout or expiry?", "Guesses of short secrets are limited per account and per code, and codes expire after a few attempts.", false},
	CtlUniformResponses:    {"uniform_responses", "Does `%s` answer the same way (content and timing) whether an account, card or code exists or not?", "Responses and timing do not reveal whether an account, card or code is valid.", false},
	CtlFrameProtection:     {"frame_protection", "Does `%s` forbid framing by other sites (CSP frame-ancestors or X-Frame-Options)?", "Pages refuse to be framed by other origins.", false},
	CtlValidatesRedirects:  {"validates_redirects", "Does `%s` match redirect and callback URLs exactly against registered values (and use PKCE and state)?", "Redirect and callback URLs are matched exactly against registered values; authorization codes are single-use and bound with PKCE and state.", false},
	CtlChecksTokenAudience: {"checks_token_audience", "Does `%s` check every token's issuer, audience, expiry and scope before acting on it?", "Every token is checked for issuer, audience, expiry and scope before the request is served.", false},
	CtlRedundant:           {"redundant", "Does `%s` run redundantly (several instances or zones, failover tested) so one failure does not stop the service?", "The component runs redundantly, with failover tested.", false},
	CtlAttestation:         {"attestation", "Does `%s` admit a device, node or workload only after attesting its identity (hardware-backed keys, allow-listed serials)?", "New devices, nodes and workloads join only after attestation of a hardware- or platform-backed identity.", false},
	CtlSandboxed:           {"sandboxed", "Does `%s` open, parse, load, run or render untrusted files, artefacts and content in a sandbox (separate process or VM, no network, least privilege, resource limits)?", "Untrusted files, artefacts and content are parsed, loaded, run or rendered in an isolated sandbox with no network, minimal privileges and resource limits.", false},
	CtlDualApproval:        {"dual_approval", "Do consequential actions in `%s` (approvals, payments, adjustments, bank-account changes) need a second person's approval?", "Consequential actions need a second, different person's approval (four-eyes), and nobody approves their own.", false},
	CtlMinimisesData:       {"minimises_data", "Does `%s` carry only the data the receiver needs, under a processing agreement that limits its use and retention?", "Only the fields the receiver needs are sent, under an agreement that limits use, retention and sub-processors.", true},
}

// Info returns the documentation of the control.
func (c Control) Info() ControlInfo { return controlInfo[c] }

// Key returns the control's key in the model format.
func (c Control) Key() string { return controlInfo[c].Key }

// String returns the control's key.
func (c Control) String() string { return controlInfo[c].Key }

// AllControls lists every control in order.
func AllControls() []Control {
	out := make([]Control, NumControls)
	for i := range out {
		out[i] = Control(i)
	}
	return out
}

var controlByKey = func() map[string]Control {
	m := make(map[string]Control, NumControls)
	for i, ci := range controlInfo {
		m[ci.Key] = Control(i)
	}
	return m
}()

// ControlByKey looks a control up by its key.
func ControlByKey(k string) (Control, bool) {
	c, ok := controlByKey[k]
	return c, ok
}

// ControlKeys lists every control key, in order.
func ControlKeys() []string {
	out := make([]string, NumControls)
	for i, ci := range controlInfo {
		out[i] = ci.Key
	}
	return out
}
