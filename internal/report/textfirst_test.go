package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestTextFirstQuestions compares the questions to answer first, written
// in chunks on all cores, with each line written through controlsShown as
// the renderer once did, on enough questions for several chunks, some
// with control characters and bidi overrides in their text and ids.
func TestTextFirstQuestions(t *testing.T) {
	r := &Result{System: System{ID: "s", Name: "S"}}
	texts := []string{"Is it encrypted?", "Is \x1b[31mred\x1b[0m set?", "Tab\tand \u202eevil\u202c text?", "Ünïcödé → arrows?", ""}
	for i := range 2000 {
		el := &Target{Kind: "component", ID: fmt.Sprintf("c-%d", i)}
		if i%7 == 3 {
			el.ID = fmt.Sprintf("c-\u2067%d", i)
		}
		q := Question{ID: el.ID + ":authn", Text: texts[i%len(texts)], Element: el, Key: "authn", AtStake: "high",
			Moves: i, First: i%3 != 2}
		if i%5 != 0 {
			q.Location = &Location{File: "m\x07.yaml", Line: i + 1, Col: 3}
		}
		r.Questions = append(r.Questions, q)
	}
	var got bytes.Buffer
	if err := Text(&got, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	w := controlsShown{&want}
	for i := range r.Questions {
		q := &r.Questions[i]
		if !q.First {
			continue
		}
		w.Write([]byte("  - " + q.Text + "\n"))
		line := append([]byte("    "+q.ID+": set "), appendAnswerPath(nil, q)...)
		line = fmt.Appendf(line, "  [%s at stake, moves %d]  ", q.AtStake, q.Moves)
		w.Write(append(appendLoc(line, q.Location), '\n'))
	}
	head := "Answer these first (each settles unverified threats; a \"no\" makes them open):\n"
	_, section, ok := strings.Cut(got.String(), head)
	if !ok {
		t.Fatalf("no questions to answer first in:\n%s", got.String())
	}
	section, _, _ = strings.Cut(section, "\nOther questions")
	if section != want.String() {
		t.Errorf("questions to answer first differ:\n got %q\nwant %q", section[:min(len(section), 400)], want.String()[:min(want.Len(), 400)])
	}
}
