package rule

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// This file parses and expands custom rules' finding title templates
// ({{component.name}} and the like; docs/rules.md lists the placeholders).

// Finding title templates.

type segment struct {
	lit   string
	ph    string
	quote bool
}

type templateError struct{ msg, hint string }

// placeholders says which element kinds each placeholder applies to.
var placeholders = map[string][]On{
	"id":       {OnComponent, OnFlow, OnBoundary, OnAsset},
	"name":     {OnComponent, OnFlow, OnBoundary, OnAsset},
	"kind":     {OnComponent, OnAsset},
	"boundary": {OnComponent, OnFlow},
	"trust":    {OnComponent, OnBoundary},
	"from":     {OnFlow},
	"to":       {OnFlow},
	"protocol": {OnFlow},
}

func parseTemplate(s string, on On) ([]segment, *templateError) {
	var out []segment
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			out = append(out, segment{lit: s})
			break
		}
		if i > 0 {
			out = append(out, segment{lit: s[:i]})
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return nil, &templateError{"unclosed {{ in \"finding\"", "write placeholders as {{id}}"}
		}
		name := strings.TrimSpace(s[i+2 : i+j])
		kinds, known := placeholders[name]
		if !known {
			names := make([]string, 0, len(placeholders))
			for k := range placeholders {
				names = append(names, k)
			}
			sort.Strings(names)
			return nil, &templateError{fmt.Sprintf("unknown placeholder {{%s}} in \"finding\"", name), keyHint(name, names)}
		}
		if on != 0 && !slicesContains(kinds, on) {
			return nil, &templateError{fmt.Sprintf("placeholder {{%s}} does not apply to %s rules", name, on),
				"it applies to " + joinOn(kinds) + " rules"}
		}
		out = append(out, segment{ph: name})
		s = s[i+j+2:]
	}
	return out, nil
}

func joinOn(os []On) string {
	ss := make([]string, len(os))
	for i, o := range os {
		ss[i] = o.String()
	}
	return strings.Join(ss, " and ")
}

func expand(segs []segment, t model.Target) string {
	var b strings.Builder
	for _, s := range segs {
		if s.ph == "" {
			b.WriteString(s.lit)
			continue
		}
		v := placeholder(s.ph, t)
		if s.quote {
			v = "`" + v + "`"
		}
		b.WriteString(v)
	}
	return b.String()
}

func placeholder(name string, t model.Target) string {
	switch {
	case t.Component != nil:
		c := t.Component
		switch name {
		case "id":
			return c.ID
		case "name":
			return c.Label()
		case "kind":
			return string(c.Kind)
		case "boundary":
			if c.Boundary != nil {
				return c.Boundary.ID
			}
		case "trust":
			return c.Trust().String()
		}
	case t.Flow != nil:
		f := t.Flow
		switch name {
		case "id":
			return f.ID
		case "name":
			return f.Label()
		case "from":
			return f.From.ID
		case "to":
			return f.To.ID
		case "protocol":
			return f.Protocol
		case "boundary":
			from, to := "", ""
			if f.From.Boundary != nil {
				from = f.From.Boundary.ID
			}
			if f.To.Boundary != nil {
				to = f.To.Boundary.ID
			}
			if from == to {
				return from
			}
			return from + " → " + to
		}
	case t.Boundary != nil:
		switch name {
		case "id":
			return t.Boundary.ID
		case "name":
			return t.Boundary.Label()
		case "trust":
			return t.Boundary.Trust.String()
		}
	case t.Asset != nil:
		switch name {
		case "id":
			return t.Asset.ID
		case "name":
			return t.Asset.Label()
		case "kind":
			return string(t.Asset.Kind)
		}
	}
	return ""
}
