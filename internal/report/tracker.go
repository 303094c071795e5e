package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Tracker exports turn the work a threat model still asks for into issues:
// one per open mitigation (proposed or planned) and one per open finding that
// no open mitigation addresses. Each carries a stable external id
// ("mitigation/ID" or "finding/ID") so a re-import can skip what exists.

// TrackerOptions tune the tracker exports.
type TrackerOptions struct {
	// JiraProject is the Jira project key (default WARD).
	JiraProject string
	// SourceURL, when set, makes file:line back-links real links:
	// SourceURL/FILE#LLINE (e.g. https://github.com/org/repo/blob/main).
	SourceURL string
}

// DefaultJiraProject is the project key used when none is given.
const DefaultJiraProject = "WARD"

// workItem is one issue to create, independent of the tracker.
type workItem struct {
	externalID string
	kind       string // mitigation, finding or verify (a question settling unverified threats)
	title      string
	severity   string // worst open severity at stake, "none" if none
	categories []string
	owner      string
	due        string
	ticket     string
	loc        *Location
	mitigation *Mitigation
	finding    *Finding
	question   *Question
	findings   []*Finding // what a mitigation addresses, or a question settles
}

// workItems lists the open work in r: open mitigations in model order, then
// open findings without an open mitigation, ranked.
func workItems(r *Result) []workItem {
	byID := map[string]*Finding{}
	for i := range r.Findings {
		byID[r.Findings[i].ID] = &r.Findings[i]
	}
	covered := map[string]bool{}
	var items []workItem
	for i := range r.Mitigations {
		m := &r.Mitigations[i]
		if m.Status != "proposed" && m.Status != "planned" {
			continue
		}
		it := workItem{externalID: "mitigation/" + m.ID, kind: "mitigation", title: m.Title, owner: m.Owner, due: m.Due, ticket: m.Ticket,
			loc: m.Location, mitigation: m, severity: "none"}
		anyOpen := false
		for _, id := range m.Addresses {
			f := byID[id]
			if f == nil {
				continue
			}
			covered[id] = true
			it.findings = append(it.findings, f)
			anyOpen = anyOpen || f.Status == "open"
		}
		for _, f := range it.findings {
			if (f.Status == "open" || !anyOpen) && sevRank(f.Severity) > sevRank(it.severity) {
				it.severity = f.Severity
			}
			it.categories = appendNew(it.categories, f.Categories...)
		}
		items = append(items, it)
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Status != "open" || covered[f.ID] {
			continue
		}
		loc := f.Location
		for _, t := range f.Targets {
			if loc == nil {
				loc = t.Location
			}
		}
		items = append(items, workItem{externalID: "finding/" + f.ID, kind: "finding", title: f.Title, severity: f.Severity,
			categories: f.Categories, loc: loc, finding: f})
	}
	// Unverified threats become work through the questions to answer first:
	// one item per question, listing the threats its answer settles.
	for i := range r.Questions {
		q := &r.Questions[i]
		if !q.First {
			continue
		}
		it := workItem{externalID: "question/" + q.ID, kind: "verify", title: "Verify: " + q.Text, severity: q.AtStake, loc: q.Location, question: q}
		for _, id := range q.Threats {
			if f := byID[id]; f != nil && f.Status == "unverified" && !covered[id] {
				it.findings = append(it.findings, f)
				it.categories = appendNew(it.categories, f.Categories...)
			}
		}
		if len(it.findings) > 0 {
			items = append(items, it)
		}
	}
	return items
}

func appendNew(s []string, xs ...string) []string {
	for _, x := range xs {
		found := false
		for _, y := range s {
			found = found || x == y
		}
		if !found {
			s = append(s, x)
		}
	}
	return s
}

// githubIssue is one issue for `gh issue create` or the REST API
// (POST /repos/OWNER/REPO/issues takes title, body, labels, assignees).
type githubIssue struct {
	ExternalID string   `json:"external_id"`
	Kind       string   `json:"kind"`
	Title      string   `json:"title"`
	Body       string   `json:"body"`
	Labels     []string `json:"labels"`
	Assignees  []string `json:"assignees"`
	Severity   string   `json:"severity"`
	Owner      string   `json:"owner,omitempty"`
	Due        string   `json:"due,omitempty"`
	Ticket     string   `json:"ticket,omitempty"`
}

// GitHubIssues writes the open work in r as a JSON array of GitHub issues.
// Owners written as @login become assignees; other owners are named in the
// body only, since GitHub can only assign accounts.
func GitHubIssues(w io.Writer, r *Result, opt TrackerOptions) error {
	items := workItems(r)
	return writeJSONList(w, "", "", len(items), func(i int) any {
		it := &items[i]
		labels := []string{"ward", "threat-model", "ward:" + it.kind}
		if it.severity != "none" {
			labels = append(labels, "severity:"+it.severity)
		}
		for _, c := range it.categories {
			labels = append(labels, "stride:"+c)
		}
		assignees := []string{}
		if login, ok := strings.CutPrefix(it.owner, "@"); ok && login != "" && !strings.ContainsAny(login, " @/") {
			assignees = append(assignees, login)
		}
		title := "[ward] " + it.title
		if it.kind == "mitigation" {
			title = "[ward] Mitigation: " + it.title
		}
		// Control characters and bidirectional overrides from names are
		// shown as escapes: the tracker renders what it is given.
		return githubIssue{ExternalID: it.externalID, Kind: it.kind, Title: mdControls(title), Body: mdControls(markdownBody(r, *it, opt)),
			Labels: labels, Assignees: assignees, Severity: it.severity, Owner: it.owner, Due: it.due, Ticket: it.ticket}
	})
}

// writeJSONList writes a non-nil list of n items, made by item(i), as
// encoding/json with a two-space indent and HTML unescaped writes it,
// between head and tail (the enclosing object's text around the list, or
// nothing when the list is the document), then a newline. The items are
// made and encoded in chunks on all cores (writeChunks), so memory holds
// a few chunks, not the whole payload.
func writeJSONList(w io.Writer, head, tail string, n int, item func(i int) any) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	prefix := "  "
	if head != "" {
		prefix = "    "
	}
	bw.WriteString(head)
	if n == 0 {
		bw.WriteString("[]")
	} else {
		bw.WriteString("[\n")
		var pool chunkPool
		err := writeChunks(bw, n, jsonChunk, &pool, func(dst []byte, lo, hi int) ([]byte, error) {
			e := itemEncoders.Get().(*itemEncoder)
			defer itemEncoders.Put(e)
			var err error
			for j := lo; j < hi; j++ {
				dst = append(dst, prefix...)
				if dst, err = e.encode(dst, item(j), prefix); err != nil {
					return dst, err
				}
				if j < n-1 {
					dst = append(dst, ',')
				}
				dst = append(dst, '\n')
			}
			return dst, nil
		})
		if err != nil {
			return err
		}
		bw.WriteString(prefix[2:] + "]")
	}
	bw.WriteString(tail + "\n")
	return bw.Flush()
}

// link is a back-link to a model location, in Markdown.
func mdLink(l *Location, opt TrackerOptions) string {
	if l == nil {
		return ""
	}
	at := fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Col)
	if u := sourceURL(l, opt); u != "" {
		return "[" + at + "](" + u + ")"
	}
	return "`" + at + "`"
}

func sourceURL(l *Location, opt TrackerOptions) string {
	if opt.SourceURL == "" || l == nil {
		return ""
	}
	return fmt.Sprintf("%s/%s#L%d", strings.TrimRight(opt.SourceURL, "/"), strings.TrimPrefix(l.File, "./"), l.Line)
}

func markdownBody(r *Result, it workItem, opt TrackerOptions) string {
	var b strings.Builder
	sys := fmt.Sprintf("system `%s` (%s)", r.System.ID, r.System.Name)
	if m := it.mitigation; m != nil {
		fmt.Fprintf(&b, "Mitigation `%s` in the threat model of %s.\n\n", m.ID, sys)
		fmt.Fprintf(&b, "- **Status:** %s\n", m.Status)
		if m.Owner != "" {
			fmt.Fprintf(&b, "- **Owner:** %s\n", m.Owner)
		}
		if m.Due != "" {
			overdue := ""
			if m.Overdue {
				overdue = " (**overdue**)"
			}
			fmt.Fprintf(&b, "- **Due:** %s%s\n", m.Due, overdue)
		}
		if m.Ticket != "" {
			fmt.Fprintf(&b, "- **Ticket:** %s\n", m.Ticket)
		}
		if it.severity != "none" {
			fmt.Fprintf(&b, "- **Severity at stake:** %s\n", it.severity)
		}
		if l := mdLink(m.Location, opt); l != "" {
			fmt.Fprintf(&b, "- **Defined at:** %s\n", l)
		}
		if len(it.findings) > 0 {
			b.WriteString("\nAddresses:\n\n")
			for _, f := range it.findings {
				fmt.Fprintf(&b, "- `%s` **%s** %s: %s", f.ID, f.Severity, f.Status, f.Title)
				if len(f.Targets) > 0 {
					b.WriteString(" — " + targetList(f.Targets))
				}
				if l := mdLink(findingLoc(f), opt); l != "" {
					b.WriteString(" — " + l)
				}
				b.WriteString("\n")
			}
		}
		b.WriteString("\nWhen it is done, set its `status` to `implemented` (or `verified`) in the model.\n")
	} else if q := it.question; q != nil {
		fmt.Fprintf(&b, "Unverified threats in the threat model of %s: %s\n\n", sys, questionUnknown(q))
		fmt.Fprintf(&b, "- **Question:** %s\n- **Answer in:** `%s` (%s)\n- **Severity at stake:** %s\n", q.Text, answerPath(*q), answerValues(q), q.AtStake)
		if l := mdLink(q.Location, opt); l != "" {
			fmt.Fprintf(&b, "- **Defined at:** %s\n", l)
		}
		b.WriteString("\nSettles these unverified threats (" + answerEffect(q) + "):\n\n")
		for _, f := range it.findings {
			fmt.Fprintf(&b, "- `%s` **%s** unverified: %s\n", f.ID, f.Severity, f.Title)
		}
	} else {
		f := it.finding
		fmt.Fprintf(&b, "Open threat `%s` in the threat model of %s.\n\n", f.ID, sys)
		if f.Description != "" {
			b.WriteString(strings.TrimSpace(f.Description) + "\n\n")
		}
		fmt.Fprintf(&b, "- **Severity:** %s (score %d: likelihood %s × impact %s)\n", f.Severity, f.Score,
			riskOr(f.Residual).LikelihoodLabel, riskOr(f.Residual).ImpactLabel)
		if len(f.Categories) > 0 {
			fmt.Fprintf(&b, "- **STRIDE:** %s\n", strings.Join(f.Categories, ", "))
		}
		if len(f.Targets) > 0 {
			fmt.Fprintf(&b, "- **Targets:** %s\n", targetList(f.Targets))
		}
		if len(f.Assets) > 0 {
			fmt.Fprintf(&b, "- **Assets at stake:** %s\n", strings.Join(f.Assets, ", "))
		}
		fmt.Fprintf(&b, "- **Rule:** `%s`\n", f.Rule)
		if len(f.CWE()) > 0 {
			cwes := make([]string, 0, len(f.CWE()))
			for _, c := range f.CWE() {
				cwes = append(cwes, fmt.Sprintf("[CWE-%d](https://cwe.mitre.org/data/definitions/%d.html)", c, c))
			}
			fmt.Fprintf(&b, "- **CWE:** %s\n", strings.Join(cwes, ", "))
		}
		if l := mdLink(it.loc, opt); l != "" {
			fmt.Fprintf(&b, "- **Defined at:** %s\n", l)
		}
		if len(f.Suggested()) > 0 {
			b.WriteString("\nSuggested mitigations:\n\n")
			for _, s := range f.Suggested() {
				b.WriteString("- " + s + "\n")
			}
		}
		b.WriteString("\nTo close it, add a mitigation to the model that addresses it, or record a decision " +
			"(accepted with an owner and an expiry, false positive, transferred).\n")
	}
	fmt.Fprintf(&b, "\n<sub>ward-id: %s</sub>\n", it.externalID)
	return b.String()
}

func findingLoc(f *Finding) *Location {
	if f.Location != nil {
		return f.Location
	}
	for _, t := range f.Targets {
		if t.Location != nil {
			return t.Location
		}
	}
	return nil
}

func targetList(ts []Target) string {
	s := make([]string, 0, len(ts))
	for _, t := range ts {
		s = append(s, targetLabel(t))
	}
	return strings.Join(s, ", ")
}

// jiraBulk is the body of POST /rest/api/2/issue/bulk (Jira Cloud and Data
// Center): description in Jira wiki markup, at most 50 issues a request.
type jiraBulk struct {
	IssueUpdates []jiraIssue `json:"issueUpdates"`
}

type jiraIssue struct {
	Fields jiraFields `json:"fields"`
}

type jiraFields struct {
	Project     jiraKey   `json:"project"`
	Summary     string    `json:"summary"`
	Description string    `json:"description"`
	IssueType   jiraName  `json:"issuetype"`
	Labels      []string  `json:"labels"`
	Priority    *jiraName `json:"priority,omitempty"`
	DueDate     string    `json:"duedate,omitempty"`
}

type jiraKey struct {
	Key string `json:"key"`
}

type jiraName struct {
	Name string `json:"name"`
}

// jiraPriority maps a severity to Jira's default priority scheme.
var jiraPriority = map[string]string{"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low", "info": "Lowest"}

// Jira writes the open work in r as a Jira bulk-create payload. Jira can only
// assign accounts by id, so owners are named in the description; the
// external id is a label (ward-id-mitigation/ID), searchable with JQL.
func Jira(w io.Writer, r *Result, opt TrackerOptions) error {
	key := opt.JiraProject
	if key == "" {
		key = DefaultJiraProject
	}
	items := workItems(r)
	// The payload is a jiraBulk, written a list item at a time.
	return writeJSONList(w, "{\n  \"issueUpdates\": ", "\n}", len(items), func(i int) any {
		it := &items[i]
		labels := []string{"ward", "threat-model", "ward-" + it.kind, jiraLabel("ward-id-" + it.externalID)}
		if it.severity != "none" {
			labels = append(labels, "severity-"+it.severity)
		}
		for _, c := range it.categories {
			labels = append(labels, "stride-"+c)
		}
		summary := it.title
		if it.kind == "mitigation" {
			summary = "Mitigation: " + summary
		}
		fields := jiraFields{Project: jiraKey{key}, Summary: truncate(strings.ReplaceAll(mdControls(summary), "`", ""), 255),
			Description: mdControls(jiraBody(r, *it, opt)), IssueType: jiraName{"Task"}, Labels: labels, DueDate: it.due}
		if p := jiraPriority[it.severity]; p != "" {
			fields.Priority = &jiraName{p}
		}
		return jiraIssue{Fields: fields}
	})
}

// jiraLabel makes s a valid Jira label: no spaces, at most 255 characters.
func jiraLabel(s string) string {
	return truncate(strings.Join(strings.Fields(s), "_"), 255)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// jiraMarkup escapes the characters of Jira wiki markup.
var jiraMarkup = strings.NewReplacer("{", `\{`, "}", `\}`, "[", `\[`, "]", `\]`, "|", `\|`)

// jiraText escapes Jira wiki markup in free text and turns Markdown code
// spans into {{monospace}}.
func jiraText(s string) string {
	s = jiraMarkup.Replace(s)
	var b strings.Builder
	open := false
	for _, part := range strings.SplitAfter(s, "`") {
		if p, ok := strings.CutSuffix(part, "`"); ok {
			b.WriteString(p)
			if open {
				b.WriteString("}}")
			} else {
				b.WriteString("{{")
			}
			open = !open
			continue
		}
		b.WriteString(part)
	}
	if open { // an unpaired backtick: close the span
		b.WriteString("}}")
	}
	return b.String()
}

func jiraLink(l *Location, opt TrackerOptions) string {
	if l == nil {
		return ""
	}
	at := fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Col)
	if u := sourceURL(l, opt); u != "" {
		return "[" + jiraText(at) + "|" + u + "]"
	}
	return "{{" + jiraText(at) + "}}"
}

func jiraBody(r *Result, it workItem, opt TrackerOptions) string {
	var b strings.Builder
	sys := fmt.Sprintf("system {{%s}} (%s)", jiraText(r.System.ID), jiraText(r.System.Name))
	if m := it.mitigation; m != nil {
		fmt.Fprintf(&b, "Mitigation {{%s}} in the threat model of %s.\n\n", jiraText(m.ID), sys)
		fmt.Fprintf(&b, "* *Status:* %s\n", m.Status)
		if m.Owner != "" {
			fmt.Fprintf(&b, "* *Owner:* %s\n", jiraText(m.Owner))
		}
		if m.Due != "" {
			overdue := ""
			if m.Overdue {
				overdue = " (*overdue*)"
			}
			fmt.Fprintf(&b, "* *Due:* %s%s\n", m.Due, overdue)
		}
		if m.Ticket != "" {
			fmt.Fprintf(&b, "* *Ticket:* %s\n", jiraText(m.Ticket))
		}
		if it.severity != "none" {
			fmt.Fprintf(&b, "* *Severity at stake:* %s\n", it.severity)
		}
		if l := jiraLink(m.Location, opt); l != "" {
			fmt.Fprintf(&b, "* *Defined at:* %s\n", l)
		}
		if len(it.findings) > 0 {
			b.WriteString("\nAddresses:\n\n")
			for _, f := range it.findings {
				fmt.Fprintf(&b, "* {{%s}} *%s* %s: %s", jiraText(f.ID), f.Severity, f.Status, jiraText(f.Title))
				if len(f.Targets) > 0 {
					b.WriteString(" — " + jiraText(targetList(f.Targets)))
				}
				if l := jiraLink(findingLoc(f), opt); l != "" {
					b.WriteString(" — " + l)
				}
				b.WriteString("\n")
			}
		}
		b.WriteString("\nWhen it is done, set its {{status}} to {{implemented}} (or {{verified}}) in the model.\n")
	} else if q := it.question; q != nil {
		fmt.Fprintf(&b, "Unverified threats in the threat model of %s: %s\n\n", sys, questionUnknown(q))
		fmt.Fprintf(&b, "* *Question:* %s\n* *Answer in:* {{%s}} (%s)\n* *Severity at stake:* %s\n", jiraText(q.Text), jiraText(answerPath(*q)), answerValues(q), q.AtStake)
		if l := jiraLink(q.Location, opt); l != "" {
			fmt.Fprintf(&b, "* *Defined at:* %s\n", l)
		}
		b.WriteString("\nSettles these unverified threats (" + answerEffect(q) + "):\n\n")
		for _, f := range it.findings {
			fmt.Fprintf(&b, "* {{%s}} *%s* unverified: %s\n", jiraText(f.ID), f.Severity, jiraText(f.Title))
		}
	} else {
		f := it.finding
		fmt.Fprintf(&b, "Open threat {{%s}} in the threat model of %s.\n\n", jiraText(f.ID), sys)
		if f.Description != "" {
			b.WriteString(jiraText(strings.TrimSpace(f.Description)) + "\n\n")
		}
		fmt.Fprintf(&b, "* *Severity:* %s (score %d: likelihood %s × impact %s)\n", f.Severity, f.Score,
			riskOr(f.Residual).LikelihoodLabel, riskOr(f.Residual).ImpactLabel)
		if len(f.Categories) > 0 {
			fmt.Fprintf(&b, "* *STRIDE:* %s\n", strings.Join(f.Categories, ", "))
		}
		if len(f.Targets) > 0 {
			fmt.Fprintf(&b, "* *Targets:* %s\n", jiraText(targetList(f.Targets)))
		}
		if len(f.Assets) > 0 {
			fmt.Fprintf(&b, "* *Assets at stake:* %s\n", jiraText(strings.Join(f.Assets, ", ")))
		}
		fmt.Fprintf(&b, "* *Rule:* {{%s}}\n", jiraText(f.Rule))
		if len(f.CWE()) > 0 {
			cwes := make([]string, 0, len(f.CWE()))
			for _, c := range f.CWE() {
				cwes = append(cwes, fmt.Sprintf("[CWE-%d|https://cwe.mitre.org/data/definitions/%d.html]", c, c))
			}
			fmt.Fprintf(&b, "* *CWE:* %s\n", strings.Join(cwes, ", "))
		}
		if l := jiraLink(it.loc, opt); l != "" {
			fmt.Fprintf(&b, "* *Defined at:* %s\n", l)
		}
		if len(f.Suggested()) > 0 {
			b.WriteString("\nSuggested mitigations:\n\n")
			for _, s := range f.Suggested() {
				b.WriteString("* " + jiraText(s) + "\n")
			}
		}
		b.WriteString("\nTo close it, add a mitigation to the model that addresses it, or record a decision " +
			"(accepted with an owner and an expiry, false positive, transferred).\n")
	}
	fmt.Fprintf(&b, "\nward-id: {{%s}}\n", jiraText(it.externalID))
	return b.String()
}

// questionUnknown says what the model leaves unknown that question q asks.
func questionUnknown(q *Question) string {
	if q.Key == NeedsKey {
		return "the model does not say what the asset needs."
	}
	if q.Key == CarriesKey {
		return "the flow does not say what it carries; Ward read it as carrying what the store it reaches holds."
	}
	return "the model does not say whether the control is in place."
}

// answerValues says what q is answered with.
func answerValues(q *Question) string {
	if q.Key == NeedsKey {
		return "low, medium, high or critical; or public, internal, confidential or restricted"
	}
	if q.Key == CarriesKey {
		return "the ids of the assets the flow carries (carries: [...]), or none"
	}
	return "yes or no"
}

// answerEffect says what the answers to q do to the threats it settles.
func answerEffect(q *Question) string {
	if q.Key == NeedsKey {
		return "a low need drops them; a higher one leaves them to their other questions"
	}
	if q.Key == CarriesKey {
		return "a flow that carries none of the assets at stake drops them; one that carries them leaves them to their other questions"
	}
	return "\"no\" makes them open, \"yes\" mitigated"
}
