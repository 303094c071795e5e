package rule

import (
	"fmt"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// TestQuestionText checks that questions joined from parts read as the
// fmt wording they replace.
func TestQuestionText(t *testing.T) {
	a, b := &model.Component{ID: "api"}, &model.Component{ID: "db"}
	f := &model.Flow{ID: "api-db", From: a, To: b}
	for c := range model.NumControls {
		ctl := model.Control(c)
		if !questionParts[c].ok {
			t.Errorf("control %s: question %q is not split", ctl.Key(), ctl.Info().Question)
		}
		p := pending{key: ctl.Key(), ctl: ctl, target: model.Target{Component: a}, code: uintptr(c)}
		if got, want := p.text(), fmt.Sprintf(ctl.Info().Question, "api"); got != want {
			t.Errorf("control %s: %q, want %q", ctl.Key(), got, want)
		}
	}
	for key, want := range map[string]string{
		"encryption":        fmt.Sprintf("Is flow `%s` (%s → %s) encrypted in transit (TLS or mTLS)?", f.ID, a.ID, b.ID),
		"authentication":    fmt.Sprintf("How does `%s` authenticate `%s` on flow `%s` (none, token, mtls, ...)?", b.ID, a.ID, f.ID),
		"forwards_identity": fmt.Sprintf("Does flow `%s` carry the end user's identity to `%s`, or only `%s`'s own credentials?", f.ID, b.ID, a.ID),
	} {
		if got := (pending{key: key, target: model.Target{Flow: f}}).text(); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
}
