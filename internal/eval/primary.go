package eval

import (
	"slices"
	"strings"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/report"
)

// element returns the id of the element Ward's threat f is on: the middle
// of its id rule:element[:category] (a component, a flow, the receiver of
// merged flows, or the zone of a zone-wide threat). A threat whose id does
// not start with its rule (one built by hand) is on its first target.
func element(f *report.Finding) string {
	rest, ok := strings.CutPrefix(f.ID, f.Rule+":")
	if !ok || f.Rule == "" {
		if len(f.Targets) > 0 {
			return f.Targets[0].ID
		}
		return ""
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && slices.Contains(model.Categories, model.Category(rest[i+1:])) {
		rest = rest[:i]
	}
	return rest
}

// matchesStrictly reports whether f matches the listed threat t through
// its primary target: the element f is on, or, for a threat on a flow,
// that flow or its receiver. Other elements f names (the components of a
// zone-wide threat, the flows merged into a receiver's threat, a
// component's callers) do not count, so a threat that stands for many
// elements matches only the lines on the one it is about.
func matchesStrictly(t *Threat, f *report.Finding) bool {
	if !matches(t, f) {
		return false
	}
	el := element(f)
	if slices.Contains(t.Targets, el) {
		return true
	}
	for _, tg := range f.Targets {
		if tg.ID == el && tg.Kind == "flow" && tg.To != "" {
			return slices.Contains(t.Targets, tg.To)
		}
	}
	return false
}
