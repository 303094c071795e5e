package rules

import (
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// Whether an entry point owns per-user or per-tenant objects is not stated
// in the model; missing-object-authorization reads it from the structure
// (docs/rules.md, "Object authorization: who owns objects"). Measured on the
// ten seen evaluation sets (docs/quality-history.md, owner14): every kind of
// caller that stands for many principals — people, client apps, devices of a
// fleet, partners' systems, agents — is where reviewers list the threat, a
// single client app as much as several roles; what separates is whether
// anything per-user can be reached at all.
type objectOwner uint8

const (
	// ownerLikely: a principal reaches the component and sensitive data or
	// money is within its reach, or the model names no data (unknown is
	// not no).
	ownerLikely objectOwner = iota
	// ownerUnlikely: the model names its data and none of its sensitive
	// data or money is within the component's reach: the threat stays, one
	// likelihood step lower.
	ownerUnlikely
	// ownerNone: only the team's own jobs call the component, followed
	// back three hops (principalUpstream): there is no second principal
	// whose objects a caller could ask for. The rule asks whether it
	// authorizes and raises nothing.
	ownerNone
)

// ownerOf reads whether entry point c plausibly owns per-user objects.
func ownerOf(x *rule.Ctx, c *model.Component) objectOwner {
	if !principalUpstream(c) {
		return ownerNone
	}
	if len(x.Model.Assets) > 0 && !sensitiveInReach(c) {
		return ownerUnlikely
	}
	return ownerLikely
}

// sensitiveInReach reports whether c holds or processes data worth another
// user's reading or changing (ownedData), its flows carry or return any,
// or it calls a store that holds any.
func sensitiveInReach(c *model.Component) bool {
	if ownedData(c.Assets()) {
		return true
	}
	for _, l := range [][]*model.Flow{c.In, c.Out} {
		for _, f := range l {
			if ownedData(f.Carries) || ownedData(f.Returns) {
				return true
			}
			if f.From == c && f.To.IsStore() && ownedData(f.To.Stores) {
				return true
			}
		}
	}
	return false
}

// ownedData reports whether any of as is worth another user's reading or
// changing: sensitive (confidential, a kind of personal data, high
// confidentiality), of high integrity, money or a credential.
func ownedData(as []*model.Asset) bool {
	for _, a := range as {
		if a.Sensitive() || a.Kind == model.AssetMoney {
			return true
		}
	}
	return false
}

// principalUpstream reports whether a person, client, device, outside or
// out-of-scope system, agent or LLM sends to c, directly or through up to
// three hops of the team's own processes, queues and stores. Callers beyond
// the third hop count as principals: what is not followed is not read as
// "only machines".
func principalUpstream(c *model.Component) bool {
	seen := map[*model.Component]bool{c: true}
	var up func(x *model.Component, depth int) bool
	up = func(x *model.Component, depth int) bool {
		for _, f := range x.In {
			s := f.From
			if seen[s] {
				continue
			}
			seen[s] = true
			switch s.Kind {
			case model.KindPerson, model.KindClient, model.KindDevice, model.KindExternal, model.KindAgent, model.KindLLM:
				return true
			}
			if s.ThirdParty || s.OutOfScope {
				return true
			}
			if depth >= 3 {
				if len(s.In) > 0 {
					return true
				}
				continue
			}
			if up(s, depth+1) {
				return true
			}
		}
		return false
	}
	return up(c, 0)
}
