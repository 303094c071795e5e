// Package rules is Ward's built-in rule catalogue: STRIDE on every element
// kind, flow and boundary crossing, and the families experienced reviewers look
// for (authentication, transport, data at rest, injection, authorization and
// tenancy, secrets, audit and logging, denial of service and cost, automated
// abuse, third parties and supply chain, privileged access, cloud storage,
// queues, LLMs and agents).
//
// Each rule is a value with a stable id; each has a fixture under
// testdata/<id>/ with a model that must trigger it and one that must not.
package rules

import (
	"fmt"
	"sort"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/rule"
)

// families lists every family of built-in rules.
var families = [][]*rule.Rule{
	authnRules,
	// Transport, data at rest, injection, authorization and tenancy, secrets.
	transportRules, dataRules, injectionRules, authzRules, secretsRules,
	// Logging, denial of service and cost, automated abuse, third parties,
	// privileged access, cloud storage, queues, LLMs and agents, boundaries, assets.
	loggingRules, dosRules, abuseRules, thirdpartyRules, adminRules, storageRules, queueRules, llmRules, boundaryRules, assetRules,
}

// All returns the built-in rules, sorted by id. Each call returns the same
// values; callers must not modify them.
func All() []*rule.Rule { return all }

var all = func() []*rule.Rule {
	var out []*rule.Rule
	for _, f := range families {
		for _, r := range f {
			r.Origin = model.OriginBuiltin
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}()

// q quotes an element id for titles.
func q(id string) string { return "`" + id + "`" }

// flowName names a flow in titles: `id` (from → to).
func flowName(f *model.Flow) string {
	return fmt.Sprintf("`%s` (%s → %s)", f.ID, f.From.ID, f.To.ID)
}

// lessTrustedSenders returns the flows into c from less trusted places.
func lessTrustedSenders(c *model.Component) []*model.Flow {
	var out []*model.Flow
	for _, f := range c.In {
		if f.From.Trust() < c.Trust() {
			out = append(out, f)
		}
	}
	return out
}

// entryPoint reports whether c runs code and receives flows from a less
// trusted place (or sits on the internet itself and receives flows).
func entryPoint(c *model.Component) bool {
	if !c.IsProcess() || len(c.In) == 0 {
		return false
	}
	if c.Trust() == model.TrustInternet {
		return true
	}
	return len(lessTrustedSenders(c)) > 0
}

// internetExposed reports whether c is on the internet or receives flows
// from it.
func internetExposed(c *model.Component) bool {
	if c.Trust() == model.TrustInternet && !c.IsActor() {
		return true
	}
	for _, f := range c.In {
		if f.From.Trust() == model.TrustInternet {
			return true
		}
	}
	return false
}

// handlesInput reports whether c runs code and receives any flow.
func handlesInput(c *model.Component) bool { return c.IsProcess() && len(c.In) > 0 }

// sensitive returns the sensitive assets among as.
func sensitive(as []*model.Asset) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		if a.Sensitive() {
			out = append(out, a)
		}
	}
	return out
}

// withData returns the assets among as holding any of the data kinds.
func withData(as []*model.Asset, kinds ...model.DataKind) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		for _, k := range kinds {
			if a.HasData(k) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// ofKind returns the assets among as of any of the kinds.
func ofKind(as []*model.Asset, kinds ...model.AssetKind) []*model.Asset {
	var out []*model.Asset
	for _, a := range as {
		for _, k := range kinds {
			if a.Kind == k {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// ids lists element ids for titles: `a`, `b` and 3 more.
func ids[T interface{ comparable }](xs []T, id func(T) string) string {
	s := ""
	for i, x := range xs {
		if i == 2 && len(xs) > 3 {
			return s + fmt.Sprintf(" and %d more", len(xs)-2)
		}
		if i > 0 {
			if i == len(xs)-1 {
				s += " and "
			} else {
				s += ", "
			}
		}
		s += q(id(x))
	}
	return s
}

func assetID(a *model.Asset) string    { return a.ID }
func compID(c *model.Component) string { return c.ID }
