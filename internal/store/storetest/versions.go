package storetest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/store"
)

// testStoredAnalyses checks that a version's stored analysis reads back
// byte for byte whatever its size or content (a store may keep it
// compressed: issue 13), by number, as the latest, and from an unchanged
// push, and that lists leave it out.
func testStoredAnalyses(t *testing.T, s store.Store) {
	ctx := t.Context()
	must(s.CreateTeam(ctx, store.Team{ID: "pay", Name: "Payments"}, "admin"))
	var big strings.Builder
	big.WriteString(`{"schema":"ward.result/v1","findings":[`)
	for i := range 3000 {
		if i > 0 {
			big.WriteByte(',')
		}
		fmt.Fprintf(&big, `{"id":"F%d","title":"Tampering with \u003corder\u003e %d","score":%d,"text":"é ü 漢字 \\n"}`, i, i*i%977, i%10)
	}
	big.WriteString(`]}`)
	results := []string{
		`{"schema":"ward.result/v1"}`,
		"",
		big.String(),
		`{"x":"` + strings.Repeat("a", 70_000) + `"}`,
		big.String()[:1000] + "\n",
	}
	for i, r := range results {
		p := push("shop", "pay", fmt.Sprintf("ward: %d\n", i))
		p.Result = []byte(r)
		v, created, err := s.PushVersion(ctx, p)
		if err != nil || !created || v.Number != i+1 {
			t.Fatalf("push %d: %+v %v %v", i, v.Number, created, err)
		}
		if !bytes.Equal(v.Result, p.Result) {
			t.Errorf("push %d returned a result of %d bytes, want %d", i, len(v.Result), len(r))
		}
		for _, n := range []int{v.Number, 0} {
			got := must(s.GetVersion(ctx, "shop", n))
			if string(got.Result) != r {
				t.Errorf("version %d (asked as %d): result of %d bytes, want %d", v.Number, n, len(got.Result), len(r))
			}
		}
		again, created, err := s.PushVersion(ctx, p)
		if err != nil || created || string(again.Result) != r {
			t.Errorf("unchanged push %d: created=%v err=%v result of %d bytes, want %d", i, created, err, len(again.Result), len(r))
		}
	}
	for i, r := range results {
		if got := must(s.GetVersion(ctx, "shop", i+1)); string(got.Result) != r || string(got.YAML) != fmt.Sprintf("ward: %d\n", i) {
			t.Errorf("version %d read again: result of %d bytes, want %d; yaml %q", i+1, len(got.Result), len(r), got.YAML)
		}
	}
	list, total, err := s.ListVersions(ctx, "shop", store.Page{Limit: 10})
	if err != nil || total != len(results) || len(list) != len(results) {
		t.Fatalf("ListVersions: %d of %d, %v", len(list), total, err)
	}
	for _, v := range list {
		if v.Result != nil || v.YAML != nil {
			t.Errorf("listed version %d carries its result or YAML", v.Number)
		}
	}
}
