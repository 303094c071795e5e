package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// TestJSONIsEncodingJSON checks that the streamed, hand-indented JSON is
// byte for byte what encoding/json writes for the whole result with a
// two-space indent and HTML left unescaped.
// The cases include a generated model whose lists span many of the
// chunks the writer encodes in parallel (streamCases).
func TestJSONIsEncodingJSON(t *testing.T) {
	if n := len(synthesised(t).Findings); n <= 2*jsonChunk {
		t.Errorf("the synthetic result has %d findings, too few to test chunks", n)
	}
	for name, r := range streamCases(t) {
		t.Run(name, func(t *testing.T) { sameAsEncodingJSON(t, r) })
	}
}

var indentSeeds = []string{
	`{}`, `[]`, `""`, `0`, `null`, `{"a":[]}`, `{"a":{}}`, `[[],[{}]]`,
	`{"a":1,"b":[1,2,{"c":"d"}],"e":{"f":null}}`,
	`{"s":"quote \" brace { bracket ] comma , colon : backslash \\"}`,
	`["\\\\",  "\u00e9<&>", "\\u2028"]`,
	` { "spaced" : [ 1 , 2 ] } `,
}

// TestIndentJSON compares indentJSON with json.Indent on compact input.
func TestIndentJSON(t *testing.T) {
	for _, s := range indentSeeds {
		checkIndent(t, []byte(s))
	}
}

// FuzzIndentJSON compares indentJSON with json.Indent on any valid JSON,
// compacted as encoding/json marshals it; on any other input it must not
// panic.
func FuzzIndentJSON(f *testing.F) {
	for _, s := range indentSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"unterminated`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if !json.Valid(src) {
			indentJSON(nil, src, "  ")
			return
		}
		checkIndent(t, src)
	})
}

func checkIndent(t *testing.T, src []byte) {
	t.Helper()
	var compact bytes.Buffer
	if err := json.Compact(&compact, src); err != nil {
		t.Fatalf("compact %q: %v", src, err)
	}
	for _, prefix := range []string{"", "    "} {
		var want bytes.Buffer
		if err := json.Indent(&want, compact.Bytes(), prefix, "  "); err != nil {
			t.Fatal(err)
		}
		if got := indentJSON(nil, compact.Bytes(), prefix); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("indentJSON(%q, %q) =\n%s\nwant\n%s", compact.Bytes(), prefix, got, want.Bytes())
		}
	}
}

// fill sets every field of v, recursively, to a value that is not the
// zero value (empty when empty is set: empty strings, empty non-nil
// slices and maps, zero numbers), so that every field is written.
func fill(v reflect.Value, depth int, empty bool) {
	switch v.Kind() {
	case reflect.String:
		if !empty {
			v.SetString("s \"<&>\u2028 " + strconv.Itoa(depth))
		}
	case reflect.Int:
		if !empty {
			v.SetInt(int64(7 + depth))
		}
	case reflect.Bool:
		v.SetBool(!empty)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), depth+1, empty)
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1, empty)
		v.Set(p)
	case reflect.Slice:
		n := 2
		if empty || depth > 4 {
			n = 0
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(s.Index(i), depth+1, empty)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		if !empty {
			for _, k := range []string{"zeta", "alpha", "mid\"dle"} {
				e := reflect.New(v.Type().Elem()).Elem()
				fill(e, depth+1, empty)
				m.SetMapIndex(reflect.ValueOf(k), e)
			}
		}
		v.Set(m)
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

// TestJSONItemsAllFields compares the hand-written items with
// encoding/json on items with every field set, every field empty (but
// not nil), and every field zero (nil).
func TestJSONItemsAllFields(t *testing.T) {
	for _, mode := range []string{"full", "empty", "zero"} {
		t.Run(mode, func(t *testing.T) {
			var r Result
			for _, list := range []any{&r.Findings, &r.Questions, &r.Components, &r.Flows} {
				v := reflect.ValueOf(list).Elem()
				s := reflect.MakeSlice(v.Type(), 3, 3)
				for i := range 3 {
					if mode != "zero" {
						fill(s.Index(i), 0, mode == "empty" || i == 1)
					}
				}
				v.Set(s)
				if jsonItemWriter(v.Interface()) == nil {
					t.Fatalf("%s has no hand-written items", v.Type())
				}
			}
			sameAsEncodingJSON(t, &r)
		})
	}
}

// TestTrackersAreEncodingJSON checks that the tracker payloads, written a
// list item at a time on all cores, are what encoding/json writes for the
// whole payload: each is decoded and encoded again with a two-space
// indent, and must come out the same.
func TestTrackersAreEncodingJSON(t *testing.T) {
	for name, r := range streamCases(t) {
		for _, tc := range []struct {
			format string
			write  func(*bytes.Buffer) error
			v      any
		}{
			{"github-issues", func(b *bytes.Buffer) error { return GitHubIssues(b, r, TrackerOptions{}) }, &[]githubIssue{}},
			{"jira", func(b *bytes.Buffer) error { return Jira(b, r, TrackerOptions{}) }, &jiraBulk{}},
		} {
			t.Run(name+"/"+tc.format, func(t *testing.T) {
				var got, want bytes.Buffer
				if err := tc.write(&got); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(got.Bytes(), tc.v); err != nil {
					t.Fatal(err)
				}
				enc := json.NewEncoder(&want)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(tc.v); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("%s differs from encoding/json\n%s", tc.format, firstDiff(got.String(), want.String()))
				}
			})
		}
	}
}

// TestJSONSharedLists checks the bytes of long string lists that findings
// share (written once per chunk, then copied) against encoding/json:
// findings with the same list, with lists that start at the same element
// but are shorter, with equal contents in another array, and short lists,
// across several chunks.
func TestJSONSharedLists(t *testing.T) {
	ids := make([]string, 2*minSharedList)
	for i := range ids {
		ids[i] = fmt.Sprintf("asset-%d \"q\" é", i)
	}
	other := slices.Clone(ids)
	var r Result
	for i := range 3*jsonChunk + 7 {
		var assets []string
		switch i % 5 {
		case 0, 1:
			assets = ids
		case 2:
			assets = ids[:minSharedList+i%9]
		case 3:
			assets = other[i%4:]
		case 4:
			assets = ids[:i%minSharedList]
		}
		r.Findings = append(r.Findings, Finding{ID: fmt.Sprint("f", i), Assets: assets, Rationale: ids[i%3:], FindingRefs: &FindingRefs{Suggested: ids}})
	}
	sameAsEncodingJSON(t, &r)
}

// sameAsEncodingJSON checks that JSON writes r as encoding/json (indented,
// HTML not escaped) does.
func sameAsEncodingJSON(t *testing.T, r *Result) {
	t.Helper()
	var got, want bytes.Buffer
	if err := JSON(&got, r); err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("JSON differs from encoding/json\n%s", firstDiff(got.String(), want.String()))
	}
}

// TestJSONRepeatedElement checks the bytes json copies for an element's
// further questions (the element and location written for the first,
// copied for the next at the same level) against encoding/json, with the
// element named again at another level and by another element between.
func TestJSONRepeatedElement(t *testing.T) {
	loc := &Location{File: "a \"b\".yaml", Line: 12, Col: 5}
	el := &Target{Kind: "flow", ID: "f-1", From: "a", To: "b", Location: loc}
	other := &Target{Kind: "component", ID: "c-<1>", Location: &Location{File: "x.yaml", Line: 3, Col: 1}}
	q := func(id string, e *Target, l *Location) Question {
		return Question{ID: id, Text: "Is `" + id + "` so?", Element: e, Key: "k", Rules: []string{"r"}, AtStake: "high",
			Location: l, Threats: []string{"t-" + id}}
	}
	top := q("q1", el, loc)
	top.More = []Question{q("q2", el, loc), q("q3", el, loc), q("q4", other, other.Location), q("q5", el, loc), q("q6", el, nil)}
	r := Result{Questions: []Question{top, q("q7", el, loc), q("q8", el, loc)}}
	sameAsEncodingJSON(t, &r)
}
