package risk

import (
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/model"
)

// naiveSuggest is the straightforward scan suggester must agree with.
func naiveSuggest(id string, fs []*model.Finding) []string {
	rule, target, _ := strings.Cut(id, ":")
	var same []string
	for _, f := range fs {
		r, t, _ := strings.Cut(f.ID, ":")
		if r == rule || t == target {
			same = append(same, f.ID)
		}
	}
	return same[:min(len(same), 5)]
}

func TestSuggesterMatchesScan(t *testing.T) {
	var fs []*model.Finding
	for _, id := range []string{"a:x", "b:x", "a:y", "t-1", "c:z", "a:z", "b:y", "a:w", "a:v", "d:x"} {
		fs = append(fs, &model.Finding{ID: id})
	}
	s := &suggester{fs: fs}
	for _, q := range []string{"a:x", "b:z", "e:x", "e:e", "d:", "a:q", ":y"} {
		want := naiveSuggest(q, fs)
		got := s.suggest(q)
		if len(want) == 0 {
			if !strings.HasPrefix(got, "the finding is gone") {
				t.Errorf("%s: got %q, want none", q, got)
			}
			continue
		}
		if w := "current findings with the same rule or element: " + strings.Join(want, ", "); got != w {
			t.Errorf("%s: got %q, want %q", q, got, w)
		}
	}
}
