package report

import (
	"fmt"
	"slices"
	"strings"
)

// Reader-facing words for the codes the JSON keeps stable.

var weaknessWords = map[string]string{
	"unauthenticated":             "the flow is not authenticated",
	"authentication_unknown":      "the flow's authentication is not stated",
	"plaintext":                   "the flow is not encrypted",
	"encryption_unknown":          "the flow's encryption is not stated",
	"receiver_no_authn":           "the receiver does not authenticate callers",
	"receiver_authn_unknown":      "whether the receiver authenticates callers is not stated",
	"receiver_no_authz":           "the receiver does not check permissions",
	"receiver_authz_unknown":      "whether the receiver checks permissions is not stated",
	"receiver_no_validation":      "the receiver does not validate input",
	"receiver_validation_unknown": "whether the receiver validates input is not stated",
	"open_findings":               "open findings on the receiver",
}

// WeaknessText says a path weakness code in words.
func WeaknessText(code string) string {
	if s, ok := weaknessWords[code]; ok {
		return s
	}
	return strings.ReplaceAll(code, "_", " ")
}

// weaknessList says codes in words, separated by "; ".
func weaknessList(codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = WeaknessText(c)
	}
	return strings.Join(out, "; ")
}

var sourceWords = map[string]string{
	"team": "the team", "security_review": "a security review", "pen_test": "a pen test",
	"bug_bounty": "a bug bounty", "incident": "an incident", "tool": "a tool",
}

// SourceText says who found a threat (found_by) in words.
func SourceText(s string) string {
	if w, ok := sourceWords[s]; ok {
		return w
	}
	return strings.ReplaceAll(s, "_", " ")
}

// OriginText says where a finding comes from: a rule, or people.
func OriginText(origin, rule string) string {
	switch origin {
	case "people":
		return "written by people"
	case "custom":
		return "custom rule " + rule
	}
	return "rule " + rule
}

// statusOrder is the order statuses are counted in; any other status
// (a newer one) follows, alphabetically.
var statusOrder = []string{"open", "mitigated", "accepted", "transferred", "false_positive"}

// statusCounts says how many findings have each status, open first and
// every closed status after: "9 open, 3 accepted, 2 mitigated".
func statusCounts(s Summary) string {
	return strings.Join(append([]string{fmt.Sprintf("%d open", s.Open), fmt.Sprintf("%d unverified", s.Unverified)}, closedParts(s)...), ", ")
}

// closedCounts says how many findings are closed, by status: "2
// mitigated, 3 accepted" ("" when none is).
func closedCounts(s Summary) string { return strings.Join(closedParts(s), ", ") }

func closedParts(s Summary) []string {
	var parts []string
	var rest []string
	for st := range s.ByStatus {
		if !Active(st) && !slices.Contains(statusOrder, st) {
			rest = append(rest, st)
		}
	}
	slices.Sort(rest)
	for _, st := range append(statusOrder[1:], rest...) {
		if n := s.ByStatus[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(st, "_", " ")))
		}
	}
	return parts
}
