package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/decide"
	"github.com/wardtm/ward/internal/store"
)

// Decisions taken through the API (a finding accepted, a mitigation's status
// changed, an assumption validated) are edits of the model's YAML, stored as
// a new version like any push, so they can be pulled and committed. Edits
// change only the lines they must (yamlops.go).

func parseFile(name, content string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil {
		return nil, errorf(http.StatusUnprocessableEntity, "invalid_model", "%s: %v", name, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errorf(http.StatusUnprocessableEntity, "invalid_model", "%s is not a YAML mapping", name)
	}
	return &doc, nil
}

func formatFile(doc *yaml.Node) (string, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

type decisionRequest struct {
	Finding      string   `json:"finding"`
	Status       string   `json:"status"`
	Reason       string   `json:"reason"`
	Owner        string   `json:"owner"`
	Expires      string   `json:"expires"`
	Mitigations  []string `json:"mitigations"`
	BaseRevision int64    `json:"base_revision"`
	Message      string   `json:"message"`

	// covers is set by decide, not by clients: the ids of the threats
	// merged into the finding decided, from the latest analysis.
	covers []string
}

// handleDecision records a decision on a generated finding.
func (s *Server) handleDecision(w http.ResponseWriter, r *http.Request) error {
	ctx, clock := withClock(r.Context(), s.cfg.YieldWrites)
	defer s.phases.add(kindEdit, clock)
	var req decisionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.decide(ctx, principal(r.Context()), r.PathValue("system"), req)
	return writePush(w, res, err)
}

// decide records a decision on a generated finding as a new version of the
// model; it is the operation behind the JSON API and the system page.
func (s *Server) decide(ctx context.Context, p *Principal, systemID string, req decisionRequest) (pushResponse, error) {
	if err := decide.Check(req.decision()); err != nil {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "%s", err)
	}
	return s.editModelOf(ctx, p, systemID, Review, req.BaseRevision, req.Message, func(b *Bundle, v *cachedVersion) error {
		merged, err := s.versions.mergedOf(v)
		if err != nil {
			return err
		}
		req.covers = merged[req.Finding]
		return applyDecision(b, req)
	})
}

// mergedFrom returns, when the finding with the id in a stored analysis is
// a merged threat (it has aliases: the ids of the threats merged into it),
// those ids: the hops a decision taken on it now covers (docs/risk.md).
// A decision on any other finding covers nothing more than itself (nil).
func mergedFrom(result []byte, id string) ([]string, error) {
	merged, err := mergedIndex(result)
	return merged[id], err
}

// mergedIndex maps the ids of a stored analysis's merged threats to the
// ids of the threats merged into them.
func mergedIndex(result []byte) (map[string][]string, error) {
	// A result without merged threats (aliases is left out when empty)
	// is not decoded: a decision is the server's most frequent write.
	if len(result) == 0 || !bytes.Contains(result, []byte(`"aliases":`)) {
		return nil, nil
	}
	var res struct {
		Findings []struct {
			ID      string   `json:"id"`
			Origin  string   `json:"origin"`
			Aliases []string `json:"aliases"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(result, &res); err != nil {
		return nil, fmt.Errorf("stored analysis: %w", err)
	}
	merged := map[string][]string{}
	for _, f := range res.Findings {
		if c := decide.Covers(f.Origin, f.Aliases); c != nil {
			merged[f.ID] = c
		}
	}
	return merged, nil
}

type mitigationRequest struct {
	Status       string `json:"status"`
	Owner        string `json:"owner"`
	Ticket       string `json:"ticket"`
	Due          string `json:"due"`
	BaseRevision int64  `json:"base_revision"`
	Message      string `json:"message"`
}

// handleMitigationStatus changes a mitigation's status (and owner, ticket, due).
func (s *Server) handleMitigationStatus(w http.ResponseWriter, r *http.Request) error {
	var req mitigationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.setMitigation(r.Context(), principal(r.Context()), r.PathValue("system"), r.PathValue("id"), req)
	return writePush(w, res, err)
}

// setMitigation changes a mitigation's status (and owner, ticket, due) as
// a new version of the model.
func (s *Server) setMitigation(ctx context.Context, p *Principal, systemID, id string, req mitigationRequest) (pushResponse, error) {
	if !oneOf(req.Status, "proposed", "planned", "implemented", "verified", "wont_do") {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "status must be proposed, planned, implemented, verified or wont_do")
	}
	return s.editItem(ctx, p, systemID, Write, "mitigations", id, req.BaseRevision, req.Message, map[string]string{"status": req.Status, "owner": req.Owner, "ticket": req.Ticket, "due": req.Due})
}

type assumptionRequest struct {
	Status       string `json:"status"`
	Evidence     string `json:"evidence"`
	BaseRevision int64  `json:"base_revision"`
	Message      string `json:"message"`
}

// handleAssumptionStatus validates or invalidates an assumption, with evidence.
func (s *Server) handleAssumptionStatus(w http.ResponseWriter, r *http.Request) error {
	var req assumptionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.setAssumption(r.Context(), principal(r.Context()), r.PathValue("system"), r.PathValue("id"), req)
	return writePush(w, res, err)
}

// setAssumption validates or invalidates an assumption, with evidence, as
// a new version of the model.
func (s *Server) setAssumption(ctx context.Context, p *Principal, systemID, id string, req assumptionRequest) (pushResponse, error) {
	if !oneOf(req.Status, "unvalidated", "validated", "invalidated") {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "status must be unvalidated, validated or invalidated")
	}
	if req.Status != "unvalidated" && req.Evidence == "" {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "say what shows it (evidence): a test, a pen-test report, a link")
	}
	return s.editItem(ctx, p, systemID, Review, "assumptions", id, req.BaseRevision, req.Message, map[string]string{"status": req.Status, "evidence": req.Evidence})
}

// editItem sets fields of the item with the id in a top-level list of any
// file of the model.
func (s *Server) editItem(ctx context.Context, p *Principal, systemID string, a Access, section, id string, base int64, message string, fields map[string]string) (pushResponse, error) {
	return s.editModel(ctx, p, systemID, a, base, message, func(b *Bundle) error {
		return applyItemFields(b, section, id, fields)
	})
}

// editModel applies edit to the latest version's files and stores the
// result as a new version, refusing with 409 when base is stale. Without a
// base, an edit that lost a race with another writer is applied again on
// top of the new latest version, so neither is lost.
func (s *Server) editModel(ctx context.Context, p *Principal, systemID string, a Access, base int64, message string, edit func(*Bundle) error) (pushResponse, error) {
	return s.editModelOf(ctx, p, systemID, a, base, message, func(b *Bundle, _ *cachedVersion) error { return edit(b) })
}

// editModelOf is editModel for an edit that reads the version it edits
// (its stored analysis).
func (s *Server) editModelOf(ctx context.Context, p *Principal, systemID string, a Access, base int64, message string, edit func(*Bundle, *cachedVersion) error) (pushResponse, error) {
	if message == "" {
		message = fmt.Sprintf("edited through the API by %s", p.Actor())
	}
	cache := &analysisCache{}
	for attempt := 1; ; attempt++ {
		x, err := s.systemFor(ctx, p, systemID, a)
		if err != nil {
			return pushResponse{}, err
		}
		if base != 0 && base != x.Revision {
			return pushResponse{}, errorf(http.StatusConflict, "conflict", "system %q is at revision %d, not %d: reload and retry", x.ID, x.Revision, base)
		}
		if ctx.Value(inPoolKey{}) == nil && ctx.Value(slotKey{}) == nil {
			// Wait for the analysis slot before reading and editing the
			// model, so that a request refused 429 (or waiting) has cost
			// nothing; the rate limit is still charged when the analysis
			// runs (bounds.go).
			mark(ctx, phaseRequest)
			r, err := s.pool.acquire(ctx, 0)
			if err != nil {
				return pushResponse{}, err
			}
			var release func()
			ctx, release = s.pool.holding(ctx, r)
			defer release()
			ctx = context.WithValue(ctx, slotKey{}, true)
			mark(ctx, phaseQueue)
		}
		v, err := s.versionN(ctx, x, x.Latest)
		if err != nil {
			return pushResponse{}, err
		}
		b := unarchive(v.v.YAML)
		b.memo = s.merges
		if err := edit(&b, v); err != nil {
			return pushResponse{}, err
		}
		for name, f := range b.parsed { // the next push merges with them
			if b.Files[name] == f.String() {
				s.merges.Remember(name, f)
			}
		}
		mark(ctx, phaseMerge)
		res, err := s.storeVersionCached(ctx, p, store.Push{SystemID: x.ID, TeamID: x.TeamID, Message: message, BaseRevision: x.Revision, Origin: store.OriginEdit}, b, nil, cache, &basis{v: v.v, revision: x.Revision})
		if errors.Is(err, store.ErrConflict) && base == 0 && attempt < maxMergeAttempts {
			backoff(ctx, attempt)
			if err := resume(ctx); err != nil { // edit again on an analysis slot
				return pushResponse{}, err
			}
			mark(ctx, phaseQueue)
			continue
		}
		return res, err
	}
}
