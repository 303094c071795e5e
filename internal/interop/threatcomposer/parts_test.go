package threatcomposer

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/jsonindent"
	"github.com/wardtm/ward/internal/jsonstr"
	"github.com/wardtm/ward/internal/rules"
	"github.com/wardtm/ward/internal/spec"
)

// TestPartsClipAlike: a text written from its parts is the JSON of the
// joined text clipped, with white space at either end, texts at and around
// the limit, runes of several bytes, characters that need escaping and
// invalid UTF-8 (also split between parts).
func TestPartsClipAlike(t *testing.T) {
	pieces := []string{"", " ", "a", "ab", "é", "<&>", "\"q\"\n", "\u2028", "\xff", "\xe2\x80", "\xa6", " x ", "\t", "\u00a0", "日本", strings.Repeat("y", 9)}
	for _, n := range []int{1, 3, 8, 12, 20} {
		for _, a := range pieces {
			for _, b := range pieces {
				for _, c := range pieces {
					var p textParts
					p.set(a, b, c)
					got := p.appendClipped([]byte("x"), n)
					want := jsonstr.Append([]byte("x"), clip(a+b+c, n))
					if !bytes.Equal(got, want) {
						t.Errorf("parts %q %q %q, n=%d: got %s, want %s", a, b, c, n, got, want)
					}
				}
			}
		}
	}
}

// TestThreatsFromPartsAreEncodingJSON: each threat of the examples' exports,
// written from its parts (threatMaker.append), is what encoding/json
// writes for the threat made whole.
func TestThreatsFromPartsAreEncodingJSON(t *testing.T) {
	models, _ := filepath.Glob("../../../examples/*/ward.yaml")
	if len(models) == 0 {
		t.Fatal("no examples")
	}
	for _, path := range models {
		l, err := spec.Load(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		a, err := analysis.Run(t.Context(), l.Model, rules.All(), analysis.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		mk := threatMaker{a: a, id: func(kind, id string) string { return uuid5Of(kind, ":", id) }, texts: map[assetsKey]*assetTexts{}}
		for _, f := range a.Findings {
			if len(f.Assets) >= minSharedAssets {
				mk.texts[assetsKey{&f.Assets[0], len(f.Assets)}] = newAssetTexts(f.Assets, true)
			}
		}
		for i := range a.Findings {
			var b bytes.Buffer
			if err := json.NewEncoder(&b).Encode(mk.threat(i)); err != nil {
				t.Fatal(err)
			}
			want := jsonindent.Append(nil, bytes.TrimSuffix(b.Bytes(), []byte("\n")), "    ")
			got, err := mk.append(nil, i, "    ")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: threat %d:\ngot  %s\nwant %s", path, i, got, want)
			}
		}
	}
}
