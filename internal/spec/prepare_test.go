package spec

import (
	"strings"
	"testing"
)

// prepareInputs are texts around fastPrepare's rules: content before or
// after the halves' cut, markers, directives, control and non-ASCII
// characters on either side.
var prepareInputs = []string{
	"a: 1\nb: 2\nc: 3\nd: 4\n",
	"# only\n# comments\n\n# here\na: 1\n",
	"---\na: 1\nb: 2\n---\nc: 3\n",
	"---\n# c\n\na: 1\nb: 2\n",
	"a: 1\nb: 2\n%YAML 1.2\nc: 3\n",
	"a: 1\nb: 2\n...\nc: 3\n",
	"a: 1\nb: 2\nc: 'é'\nd: ü\n",
	"a: 'é'\nb: 2\nc: 3\nd: 4\n",
	"a: 1\nb: 2\nc: \t3\nd: 4\n",
	"a: 1\nb: 2\nc: 3\u2028\nd: 4\n",
	"a: 1\r\nb: 2\r\nc: 3\r\n",
	"a: 1\nb: 2\n-\n--- x\n",
	"\n\n\n\n\n\n\na: 1\n",
	"a: 1\n" + strings.Repeat("# pad\n", 20) + "b: \xff\n",
	strings.Repeat("k: v\n", 50) + "\ufeff\n",
	"# a\n# b\n---\n# c\n# d\n---\n",
}

// TestPrepareSplit checks that checking in two halves (every cut size)
// gives what checking in one piece gives.
func TestPrepareSplit(t *testing.T) {
	for _, in := range prepareInputs {
		want, wantASCII, wantOK := fastPrepareSplit([]byte(in), 0, false)
		for split := 1; split <= len(in)+1; split++ {
			got, ascii, ok := fastPrepareSplit([]byte(in), split, split%2 == 0)
			if got != want || ascii != wantASCII || ok != wantOK {
				t.Fatalf("%q split %d: (%q, %v, %v), want (%q, %v, %v)", in, split, got, ascii, ok, want, wantASCII, wantOK)
			}
		}
	}
}

func FuzzPrepareSplit(f *testing.F) {
	for _, in := range prepareInputs {
		f.Add([]byte(in), 1)
	}
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		want, wantASCII, wantOK := fastPrepareSplit(data, 0, false)
		got, ascii, ok := fastPrepareSplit(append([]byte(nil), data...), split, true)
		if got != want || ascii != wantASCII || ok != wantOK {
			t.Fatalf("split %d: (%q, %v, %v), want (%q, %v, %v)", split, got, ascii, ok, want, wantASCII, wantOK)
		}
	})
}
