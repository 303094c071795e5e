package risk

import "github.com/wardtm/ward/internal/model"

// statedPrivilegeRules are the built-in rules whose gap is a component's
// least privilege (`least_privilege`): a service or job that holds
// credentials or grants broader than its work needs. Where the model
// states the gap (`least_privilege: no`, the threat is open), the design
// says the component holds them: whoever can change the component — its
// code, configuration, pipeline or host, people of the organisation among
// them — acts with all of it (docs/risk.md, Likelihood: a stated excess
// privilege).
var statedPrivilegeRules = map[string]bool{
	"critical-credentials-overreach":    true,
	"integration-credentials-overreach": true,
	"overprivileged-entry-point":        true,
	"sensitive-store-broad-access":      true,
	"less-trusted-caller-into-admin":    true,
}

// statedPrivilegeLikelihood is where a stated excess privilege starts, at
// least: possible, as for held access.
const statedPrivilegeLikelihood = 3

// statedPrivilegeWhy is the reason statedPrivilege adds to the likelihood.
const statedPrivilegeWhy = "the model states the grants are broader than needed (least_privilege: no): whoever can change what holds them (code, configuration, pipeline or host) acts with them, possible at least"

// statedPrivilege reports whether f is the open threat of an excess
// privilege the model states (statedPrivilegeRules): possible at least,
// however deep inside the network the component sits, as for held access.
// An unknown grant (unverified) keeps its exposure: most services' grants
// are narrower than the rule fears, and reviewers rank the stated ones
// first.
func statedPrivilege(f *model.Finding) bool {
	return !ab.statedpriv && f.Origin == model.OriginBuiltin && f.Status == model.StatusOpen && statedPrivilegeRules[f.Rule]
}
