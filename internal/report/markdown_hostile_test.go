package report

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// hostileModel has markup, terminal escapes and bidirectional overrides in
// every free-text field a report shows.
const hostileModel = `ward: 1
system:
  id: hostile
  name: "Shop <script>alert(1)</script> \e[31mRED\e[0m"
  description: "<img src=x onerror=alert(1)> \u202eevil\u202c"
  team: "<b>team</b>"
assets:
  - {id: cards, name: "Cards <iframe>", classification: restricted, data: [payment_card]}
boundaries:
  - {id: net, name: "Net \e]0;title\a", trust: internet}
  - {id: dc, trust: internal}
components:
  - {id: web, name: "<script>web</script>\u0007", kind: service, boundary: net, stores: [cards]}
  - {id: db, name: "DB \e[2J", kind: datastore, boundary: dc, stores: [cards]}
flows:
  - {id: q, name: "q <a href=javascript:x>", from: web, to: db, carries: [cards]}
`

// TestMarkdownHostileNames: names from a model can inject neither HTML nor
// terminal control sequences into a Markdown report.
func TestMarkdownHostileNames(t *testing.T) {
	m, _, err := spec.Parse("hostile.yaml", []byte(hostileModel))
	if err != nil {
		t.Fatal(err)
	}
	a, err := analysis.Run(context.Background(), m, rules.All(), analysis.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Markdown(&buf, Build(a, Tool{Name: "ward", Version: "test"})); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script", "<img", "<iframe", "<b>", "<a href", "\x1b", "\a", "\u202e"} {
		if strings.Contains(out, bad) {
			i := strings.Index(out, bad)
			t.Errorf("the report contains %q: ...%q...", bad, out[max(0, i-40):min(len(out), i+40)])
		}
	}
	for _, r := range out {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			t.Errorf("control character %U in the report", r)
			break
		}
	}
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(out, `\x1b[31mRED`) {
		t.Errorf("hostile text is not shown escaped:\n%s", out[:min(len(out), 600)])
	}
}

// TestMarkdownCellsInPlace: the cells the threat tables put together in
// their row buffer are what codes and targets return, for every pair of
// hostile strings, spaces at the ends and empty ids.
func TestMarkdownCellsInPlace(t *testing.T) {
	strs := append([]string{"", " ", "a ", " b", "x\u00a0", "\u3000y", "`", "a|b", "ok-1"}, hostileStrings...)
	for _, a := range strs {
		for _, b := range strs {
			ids := []string{a, b}
			if got, want := string(appendCodesCell([]byte("| "), ids)), "| "+codes(ids); got != want {
				t.Errorf("codes %q: got %q, want %q", ids, got, want)
			}
			ts := []Target{{ID: a}, {ID: b, From: a, To: b}}
			if got, want := string(appendTargetsCell([]byte("| "), ts)), "| "+targets(ts); got != want {
				t.Errorf("targets %q: got %q, want %q", ids, got, want)
			}
		}
	}
	if got := string(appendCodesCell(nil, nil)); got != codes(nil) {
		t.Errorf("no codes: got %q", got)
	}
	if got := string(appendTargetsCell(nil, nil)); got != targets(nil) {
		t.Errorf("no targets: got %q", got)
	}
}

// TestMarkdownQuestionRows compares the question rows, put together in
// place, with the cells joined as the table wrote them before, on the
// hostile result's questions and ones answered in many places.
func TestMarkdownQuestionRows(t *testing.T) {
	qs := hostileResult(t).Questions
	for i, s := range hostileStrings {
		q := Question{ID: s, Text: s, AtStake: s, Moves: i, Key: "*", Element: &Target{Kind: "component", ID: s}}
		q.More = []Question{{Key: "encryption", Element: &Target{Kind: "flow", ID: s}}, {Key: s, Element: &Target{Kind: s, ID: "x"}}}
		qs = append(qs, q, Question{Key: s, Element: &Target{Kind: s, ID: s}, Location: &Location{File: s, Line: i}})
	}
	for i := range qs {
		q := &qs[i]
		var cells []string
		if q.Key == "*" {
			var keys []string
			for _, x := range q.More {
				keys = append(keys, code(answerPath(x)))
			}
			cells = []string{mdCell(q.Text), q.AtStake, strconv.Itoa(q.Moves), strings.Join(keys, "<br>"), code(q.ID)}
		} else {
			where := code(answerPath(*q))
			if l := locString(q.Location); l != "" {
				where += " (" + code(l) + ")"
			}
			cells = []string{mdCell(q.Text), q.AtStake, strconv.Itoa(q.Moves), mdCell(where), code(q.ID)}
		}
		if got, want := string(appendQuestionRow(nil, q)), string(appendMDRow(nil, cells)); got != want {
			t.Errorf("question %q:\n got %q\nwant %q", q.ID, got, want)
		}
	}
}
