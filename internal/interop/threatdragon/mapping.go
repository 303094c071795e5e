// How Threat Dragon's texts (boundary names, protocols, threat types,
// severities and scores) map to Ward's values.

package threatdragon

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/spec"
)

func trustOf(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "internet") || strings.Contains(n, "public"):
		return "internet"
	case strings.Contains(n, "partner") || strings.Contains(n, "third") || strings.Contains(n, "vendor"):
		return "partner"
	}
	return "internal"
}

// protocol normalises a Threat Dragon protocol text and infers encryption.
func protocol(s string) (proto, enc string) {
	p := strings.ToLower(strings.TrimSpace(s))
	switch p {
	case "":
		return "", ""
	case "http/s", "https", "http(s)", "tls", "https/tls":
		return "https", "tls"
	case "http":
		return "http", "none"
	case "mtls":
		return "https", "mtls"
	case "wss":
		return "websocket", "tls"
	case "sftp", "ssh", "ftps", "ldaps":
		return p, "tls"
	}
	p = strings.Trim(nonProto.ReplaceAllString(p, "-"), "-")
	return p, ""
}

var nonProto = regexp.MustCompile(`[^a-z0-9.+/-]+`)

var strideTypes = map[string]string{
	"spoofing": "S", "tampering": "T", "repudiation": "R", "information disclosure": "I",
	"denial of service": "D", "elevation of privilege": "E",
}

func (c *conv) threats(cl *cell, target string) {
	doc := c.im.Doc
	for _, t := range cl.p().Threats {
		if t == nil {
			continue
		}
		title := strings.Join(strings.Fields(t.Title), " ")
		if title == "" {
			title = "Untitled threat"
		}
		th := &spec.Threat{ID: c.ids.Make(title, "threat"), Title: title, Description: strings.TrimSpace(t.Description), FoundBy: "team"}
		if target != "" {
			th.Targets = []string{target}
		}
		typ := strings.ToLower(strings.Join(strings.Fields(t.Type), " "))
		if s, ok := strideTypes[typ]; ok && (t.ModelType == "" || strings.EqualFold(t.ModelType, "STRIDE")) {
			th.Stride = []string{s}
		} else if t.Type != "" {
			model := t.ModelType
			if model == "" {
				model = "category"
			}
			th.Description = strings.TrimSpace(model + ": " + t.Type + ". " + th.Description)
			if !c.nonSTRIDE {
				c.nonSTRIDE = true
				c.im.Note("threats of non-STRIDE types (LINDDUN, CIA, DIE, PLOT4ai) keep their type at the start of the description")
			}
		}
		switch strings.ToLower(strings.NewReplacer(" ", "", "/", "", "_", "").Replace(t.Status)) {
		case "mitigated":
			th.Status = "mitigated"
		case "notapplicable", "na":
			th.Status = "false_positive"
			th.Reason = "marked Not Applicable in Threat Dragon"
		default:
			th.Status = "open"
		}
		if th.Likelihood, th.Impact = severity(t.Severity, t.Score); th.Impact != "" {
			c.severityGuess = true
		}
		if m := strings.TrimSpace(t.Mitigation); m != "" {
			mt := &spec.Mitigation{ID: c.ids.Make("mitigate "+th.ID, "mitigation"), Status: "proposed"}
			mt.Title, mt.Description = interop.TitleOf(m)
			if th.Status == "mitigated" {
				mt.Status = "implemented"
			}
			th.Mitigations = []string{mt.ID}
			doc.Mitigations = append(doc.Mitigations, mt)
		}
		doc.Threats = append(doc.Threats, th)
	}
}

func severity(sev string, score json.RawMessage) (likelihood, impact string) {
	switch strings.ToLower(strings.TrimSpace(sev)) {
	case "critical":
		likelihood, impact = "likely", "severe"
	case "high":
		likelihood, impact = "possible", "major"
	case "medium":
		likelihood, impact = "possible", "moderate"
	case "low":
		likelihood, impact = "unlikely", "minor"
	}
	var v float64
	var str string
	if json.Unmarshal(score, &str) == nil {
		v, _ = strconv.ParseFloat(strings.TrimSpace(str), 64)
	} else {
		_ = json.Unmarshal(score, &v)
	}
	switch {
	case v >= 9:
		impact = "severe"
	case v >= 7:
		impact = "major"
	case v >= 4:
		impact = "moderate"
	case v > 0:
		impact = "minor"
	}
	if impact != "" && likelihood == "" {
		likelihood = "possible"
	}
	return likelihood, impact
}
