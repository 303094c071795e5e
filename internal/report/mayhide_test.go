package report

import (
	"math/rand/v2"
	"testing"
)

// TestMayHideWords compares mayHide (eight bytes at a time) with the byte
// table it stands for, on every byte at every position of strings of
// every length up to 24 and on random strings.
func TestMayHideWords(t *testing.T) {
	slow := func(p []byte) bool {
		for _, b := range p {
			if mayHideByte[b] {
				return true
			}
		}
		return false
	}
	check := func(p []byte) {
		if got, want := mayHide(p), slow(p); got != want {
			t.Fatalf("mayHide(%q) = %v, want %v", p, got, want)
		}
		if got, want := mayHideString(string(p)), slow(p); got != want {
			t.Fatalf("mayHideString(%q) = %v, want %v", p, got, want)
		}
	}
	for n := 0; n <= 24; n++ {
		for pos := 0; pos < n; pos++ {
			for b := range 256 {
				p := make([]byte, n)
				for i := range p {
					p[i] = 'a' + byte(i%26)
				}
				p[pos] = byte(b)
				check(p)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		p := make([]byte, r.IntN(40))
		for i := range p {
			p[i] = byte(r.IntN(256))
			if r.IntN(4) > 0 {
				p[i] = byte(0x20 + r.IntN(0x5f))
			}
		}
		check(p)
	}
}
