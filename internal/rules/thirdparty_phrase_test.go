package rules

import (
	"math/rand"
	"testing"
)

// TestTpPhraseSameAsSplit checks the in-place matching against lowering
// and splitting, on chosen and random text.
func TestTpPhraseSameAsSplit(t *testing.T) {
	cases := [][2]string{
		{"Vendor Remote-Desktop (RDP)", "remote desktop"},
		{"remote  remote desktop", "remote desktop"},
		{"remotedesktop", "remote desktop"},
		{"remote", "remote desktop"},
		{"x remote sessions", "remote session"},
		{"", "vpn"}, {"vpn", ""}, {"vpn", " - "}, {"OpenVPN", "vpn"}, {"open VPN", "vpn"},
		{"Microsoft Teams", "microsoft teams"}, {"teams", "microsoft teams"},
		{"Ünïcode Remote Access", "remote access"}, {"\u212Aey", "key"}, {"İd", "id"},
		{"alerts_and_alarms", "alarms"}, {"a1 b2", "A1 b2"},
	}
	for _, c := range cases {
		if got, want := tpPhrase(c[0], c[1]), tpPhraseWords(c[0], c[1]); got != want {
			t.Errorf("tpPhrase(%q, %q) = %v, want %v", c[0], c[1], got, want)
		}
	}
	r := rand.New(rand.NewSource(27))
	alpha := "abAB1 -_.rR"
	gen := func(n int) string {
		b := make([]byte, r.Intn(n))
		for i := range b {
			b[i] = alpha[r.Intn(len(alpha))]
		}
		return string(b)
	}
	for range 200000 {
		s, p := gen(14), gen(6)
		if got, want := tpPhrase(s, p), tpPhraseWords(s, p); got != want {
			t.Fatalf("tpPhrase(%q, %q) = %v, want %v", s, p, got, want)
		}
	}
}
