package training

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidIDIsPattern compares validID with the expression it replaces.
func TestValidIDIsPattern(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	cases := []string{"", "a", "-a", "a-", "A", "a_b", "phish-1", "0", "é", "a\n", strings.Repeat("a", 63), strings.Repeat("a", 64), "ab-cd-09"}
	for _, s := range cases {
		if got, want := validID(s), re.MatchString(s); got != want {
			t.Errorf("validID(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzValidID(f *testing.F) {
	re := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	f.Add("phish-1")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validID(s), re.MatchString(s); got != want {
			t.Errorf("validID(%q) = %v, want %v", s, got, want)
		}
	})
}
