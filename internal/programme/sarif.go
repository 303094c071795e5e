package programme

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// SARIF 2.1.0, the parts an outside finding needs. A pen-test or scanning
// tool's results become findings: the message is the title; the severity
// is the result's (or its rule's) properties.severity, else the rule's
// security-severity score (≥ 9 critical, ≥ 7 high, ≥ 4 medium, else low),
// else the level (error high, warning medium, note low); the date is
// properties.found, else the run's invocation end (or start) time; CWE
// come from the rule's tags (CWE-79, external/cwe/cwe-79); the element is
// properties.element or the first logical location's name; source,
// system, category, threat and cost may be given as result properties.
type sarifResult struct {
	RuleID  string `json:"ruleId"`
	Level   string `json:"level"`
	GUID    string `json:"guid"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations []struct {
		LogicalLocations []struct {
			Name               string `json:"name"`
			FullyQualifiedName string `json:"fullyQualifiedName"`
		} `json:"logicalLocations"`
	} `json:"locations"`
	Properties map[string]any `json:"properties"`
}

type sarifRule struct {
	ID               string `json:"id"`
	ShortDescription struct {
		Text string `json:"text"`
	} `json:"shortDescription"`
	Properties struct {
		Tags             []string `json:"tags"`
		SecuritySeverity any      `json:"security-severity"`
		Severity         string   `json:"severity"`
	} `json:"properties"`
}

type sarifRun struct {
	Tool struct {
		Driver struct {
			Rules []sarifRule `json:"rules"`
		} `json:"driver"`
	} `json:"tool"`
	Invocations []struct {
		StartTimeUTC string `json:"startTimeUtc"`
		EndTimeUTC   string `json:"endTimeUtc"`
	} `json:"invocations"`
}

type placed struct {
	r         sarifResult
	line, col int
}

func parseSARIF(data []byte, opt ParseOptions, c *collector) []Outside {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error) []Outside {
		line, col := lineCol(data, dec.InputOffset())
		if se := syntaxError(data); se != nil {
			line, col, err = se.line, se.col, se.err
		}
		c.add(line, col, "%v — fix the SARIF (JSON)", err)
		return nil
	}
	expect := func(d json.Delim) error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if t != d {
			return fmt.Errorf("expected %q, found %v", d, t)
		}
		return nil
	}
	if err := expect('{'); err != nil {
		return fail(err)
	}
	var out []Outside
	runs := false
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		if k != "runs" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
			continue
		}
		runs = true
		if err := expect('['); err != nil {
			return fail(err)
		}
		for dec.More() {
			if err := expect('{'); err != nil {
				return fail(err)
			}
			var run sarifRun
			var results []placed
			for dec.More() {
				rk, err := dec.Token()
				if err != nil {
					return fail(err)
				}
				switch rk {
				case "results":
					if err := expect('['); err != nil {
						return fail(err)
					}
					for dec.More() {
						s := dec.InputOffset()
						for s < int64(len(data)) && bytes.IndexByte([]byte(", \t\r\n"), data[s]) >= 0 {
							s++
						}
						var r sarifResult
						if err := dec.Decode(&r); err != nil {
							return fail(err)
						}
						if len(results)+len(out) >= MaxFindings {
							line, col := lineCol(data, s)
							c.add(line, col, "more than %d results: split the file", MaxFindings)
							return nil
						}
						line, col := lineCol(data, s)
						results = append(results, placed{r, line, col})
					}
					if err := expect(']'); err != nil {
						return fail(err)
					}
				case "tool":
					if err := dec.Decode(&run.Tool); err != nil {
						return fail(err)
					}
				case "invocations":
					if err := dec.Decode(&run.Invocations); err != nil {
						return fail(err)
					}
				default:
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return fail(err)
					}
				}
			}
			if err := expect('}'); err != nil {
				return fail(err)
			}
			out = append(out, sarifFindings(run, results, opt, c)...)
			if len(c.errs) >= 20 {
				return nil
			}
		}
		if err := expect(']'); err != nil {
			return fail(err)
		}
	}
	if !runs {
		c.add(1, 1, `no "runs": this is not a SARIF 2.1.0 log`)
	}
	return out
}

func sarifFindings(run sarifRun, results []placed, opt ParseOptions, c *collector) []Outside {
	rules := map[string]sarifRule{}
	for _, r := range run.Tool.Driver.Rules {
		rules[r.ID] = r
	}
	date := ""
	if len(run.Invocations) > 0 {
		date = run.Invocations[0].EndTimeUTC
		if date == "" {
			date = run.Invocations[0].StartTimeUTC
		}
	}
	var out []Outside
	for i, p := range results {
		r, rule := p.r, rules[p.r.RuleID]
		row := raw{"title": firstLine(r.Message.Text), "found": date, "ref": r.GUID}
		if row["title"] == "" {
			row["title"] = rule.ShortDescription.Text
		}
		if row["ref"] == "" && r.RuleID != "" {
			row["ref"] = fmt.Sprintf("%s#%d", r.RuleID, i+1)
		}
		row["severity"] = sarifSeverity(r, rule)
		var cwes []string
		for _, t := range rule.Properties.Tags {
			if cweRE.MatchString(t) {
				cwes = append(cwes, t)
			}
		}
		row["cwe"] = strings.Join(cwes, ";")
		if len(r.Locations) > 0 && len(r.Locations[0].LogicalLocations) > 0 {
			row["element"] = r.Locations[0].LogicalLocations[0].Name
		}
		for _, k := range []string{"source", "system", "element", "category", "threat", "cost", "found", "severity", "cwe"} {
			switch v := r.Properties[k].(type) {
			case string:
				row[k] = v
			case json.Number:
				row[k] = v.String()
			}
		}
		if o, ok := build(row, opt, c, p.line, func(string) int { return p.col }); ok {
			out = append(out, o)
		}
	}
	return out
}

func sarifSeverity(r sarifResult, rule sarifRule) string {
	if rule.Properties.Severity != "" {
		return rule.Properties.Severity
	}
	var score float64
	switch v := rule.Properties.SecuritySeverity.(type) {
	case string:
		score, _ = strconv.ParseFloat(v, 64)
	case json.Number:
		score, _ = v.Float64()
	case float64:
		score = v
	}
	switch {
	case score >= 9:
		return "critical"
	case score >= 7:
		return "high"
	case score >= 4:
		return "medium"
	case score > 0:
		return "low"
	}
	switch r.Level {
	case "error":
		return "high"
	case "warning", "":
		return "medium"
	case "note":
		return "low"
	}
	return "info"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
