package server

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/decide"
	"github.com/wardtm/ward/internal/modeledit"
	"github.com/wardtm/ward/internal/report"
	"github.com/wardtm/ward/internal/spec"
)

// controlRequest sets one control of a component or flow: the answer to
// one of the model's open questions ("does the API rate-limit? yes"); or,
// for the question of what an asset needs (kind asset, key needs), the
// asset's classification (public, internal, confidential or restricted);
// or, for the question of what a flow carries (kind flow, key carries),
// the asset ids it carries, comma-separated.
type controlRequest struct {
	// Kind is "component", "flow" or "asset".
	Kind string `json:"kind"`
	// Element is the component's, flow's or asset's id.
	Element      string `json:"element"`
	Key          string `json:"key"`
	Value        string `json:"value"`
	BaseRevision int64  `json:"base_revision"`
	Message      string `json:"message"`
}

// handleSetControl sets a control of a component or flow.
func (s *Server) handleSetControl(w http.ResponseWriter, r *http.Request) error {
	var req controlRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.setControl(r.Context(), principal(r.Context()), r.PathValue("system"), req)
	return writePush(w, res, err)
}

// setControl sets controls[key] of a component or flow to yes, no or
// unknown, as a new version of the model; it is how a question is answered,
// from the JSON API and from the system page.
func (s *Server) setControl(ctx context.Context, p *Principal, systemID string, req controlRequest) (pushResponse, error) {
	if req.Kind == "asset" {
		return s.setNeeds(ctx, p, systemID, req)
	}
	if !oneOf(req.Kind, "component", "flow") {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "kind must be component, flow or asset")
	}
	if req.Key == report.CarriesKey {
		if req.Kind != "flow" {
			return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "only a flow carries assets: kind must be flow")
		}
		return s.setCarries(ctx, p, systemID, req)
	}
	if !oneOf(req.Value, "yes", "no", "unknown") {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "value must be yes, no or unknown")
	}
	if !validID(req.Key) || req.Element == "" {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "name the element and the control key (lower-case letters, digits and _)")
	}
	section := "components"
	if req.Kind == "flow" {
		section = "flows"
	}
	return s.editModel(ctx, p, systemID, Write, req.BaseRevision, req.Message, func(b *Bundle) error {
		for name, content := range b.Files {
			doc, err := parseFile(name, content)
			if err != nil {
				continue
			}
			list := decide.Lookup(doc.Content[0], section)
			if list == nil || list.Kind != yaml.SequenceNode {
				continue
			}
			for _, item := range list.Content {
				if item.Kind != yaml.MappingNode || elementID(item, req.Kind) != req.Element {
					continue
				}
				controls := decide.Lookup(item, "controls")
				// First as a minimal line edit (modeledit keeps every other
				// line as written), with the element's other controls kept.
				all := map[string]any{req.Key: req.Value}
				if controls != nil && controls.Kind == yaml.MappingNode {
					for i := 0; i+1 < len(controls.Content); i += 2 {
						if k := controls.Content[i].Value; k != req.Key {
							all[k] = controls.Content[i+1].Value
						}
					}
				}
				edit := modeledit.Edit{Op: "update", Section: section, ID: req.Element, Set: map[string]any{"controls": all}}
				if out, err := modeledit.Apply([]byte(content), []modeledit.Edit{edit}); err == nil {
					b.Files[name] = string(out)
					return nil
				}
				// Otherwise re-encode the file.
				if controls == nil || controls.Kind != yaml.MappingNode {
					controls = &yaml.Node{Kind: yaml.MappingNode}
					decide.Set(item, "controls", controls)
				}
				decide.Set(controls, req.Key, &yaml.Node{Kind: yaml.ScalarNode, Value: req.Value})
				out, err := formatFile(doc)
				b.Files[name] = out
				return err
			}
		}
		return errorf(http.StatusNotFound, "not_found", "the model has no %s with id %q", req.Kind, req.Element)
	})
}

// elementID is a component's id, or a flow's (FROM-to-TO when not given).
func elementID(item *yaml.Node, kind string) string {
	if v := decide.Lookup(item, "id"); v != nil {
		return v.Value
	}
	if kind == "flow" {
		from, to := decide.Lookup(item, "from"), decide.Lookup(item, "to")
		if from != nil && to != nil {
			return from.Value + "-to-" + to.Value
		}
	}
	return ""
}

// setNeeds answers the question of what an asset needs (key needs) with
// its classification, which implies its confidentiality, integrity and
// availability needs, as a new version of the model.
func (s *Server) setNeeds(ctx context.Context, p *Principal, systemID string, req controlRequest) (pushResponse, error) {
	if req.Key != report.NeedsKey {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "an asset's question has key needs")
	}
	if !oneOf(req.Value, "public", "internal", "confidential", "restricted") || req.Element == "" {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "name the asset and its classification: public, internal, confidential or restricted")
	}
	return s.editModel(ctx, p, systemID, Write, req.BaseRevision, req.Message, func(b *Bundle) error {
		for name, content := range b.Files {
			doc, err := parseFile(name, content)
			if err != nil {
				continue
			}
			list := decide.Lookup(doc.Content[0], "assets")
			if list == nil || list.Kind != yaml.SequenceNode {
				continue
			}
			for _, item := range list.Content {
				if item.Kind != yaml.MappingNode || elementID(item, "asset") != req.Element {
					continue
				}
				edit := modeledit.Edit{Op: "update", Section: "assets", ID: req.Element, Set: map[string]any{"classification": req.Value}}
				if out, err := modeledit.Apply([]byte(content), []modeledit.Edit{edit}); err == nil {
					b.Files[name] = string(out)
					return nil
				}
				decide.Set(item, "classification", &yaml.Node{Kind: yaml.ScalarNode, Value: req.Value})
				out, err := formatFile(doc)
				b.Files[name] = out
				return err
			}
		}
		return errorf(http.StatusNotFound, "not_found", "the model has no asset with id %q", req.Element)
	})
}

// maxCarried bounds the assets one answer may name (a model's flow carries
// a handful; the bound keeps a forged form from writing an unbounded list).
const maxCarried = 64

// carriedIDs reads the comma-separated asset ids of a carries answer: each
// an id, none repeated, at least one.
func carriedIDs(value string) ([]string, error) {
	var ids []string
	for _, id := range strings.Split(value, ",") {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(ids, id) {
			continue
		}
		if len(id) > 200 || !spec.ValidID(id) {
			return nil, errorf(http.StatusBadRequest, "invalid", "%q is not an asset id: name the assets the flow carries, comma-separated (for example card,order)", id)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, errorf(http.StatusBadRequest, "invalid", "name the assets the flow carries, comma-separated asset ids (a flow that carries nothing of value needs no answer: leave the question open or remove the flow)")
	}
	if len(ids) > maxCarried {
		return nil, errorf(http.StatusBadRequest, "invalid", "%d assets named; at most %d", len(ids), maxCarried)
	}
	return ids, nil
}

// setCarries answers the question of what a flow carries: the flow's
// carries list becomes the assets named, as a new version of the model
// (a name the model has no asset for is refused by the model's
// validation, with its position).
func (s *Server) setCarries(ctx context.Context, p *Principal, systemID string, req controlRequest) (pushResponse, error) {
	ids, err := carriedIDs(req.Value)
	if err != nil {
		return pushResponse{}, err
	}
	if req.Element == "" {
		return pushResponse{}, errorf(http.StatusBadRequest, "invalid", "name the flow (element)")
	}
	return s.editModel(ctx, p, systemID, Write, req.BaseRevision, req.Message, func(b *Bundle) error {
		for name, content := range b.Files {
			doc, err := parseFile(name, content)
			if err != nil {
				continue
			}
			list := decide.Lookup(doc.Content[0], "flows")
			if list == nil || list.Kind != yaml.SequenceNode {
				continue
			}
			for _, item := range list.Content {
				if item.Kind != yaml.MappingNode || elementID(item, "flow") != req.Element {
					continue
				}
				edit := modeledit.Edit{Op: "update", Section: "flows", ID: req.Element, Set: map[string]any{"carries": ids}}
				if out, err := modeledit.Apply([]byte(content), []modeledit.Edit{edit}); err == nil {
					b.Files[name] = string(out)
					return nil
				}
				seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
				for _, id := range ids {
					seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: id})
				}
				decide.Set(item, "carries", seq)
				out, err := formatFile(doc)
				b.Files[name] = out
				return err
			}
		}
		return errorf(http.StatusNotFound, "not_found", "the model has no flow with id %q", req.Element)
	})
}
