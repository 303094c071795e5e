package interop

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/synth"
)

// emitted is what the yaml emitter writes for the document "key: val",
// as encodeYAML configures it.
func emitted(t testing.TB, key string, val *yaml.Node) string {
	t.Helper()
	return string(encodeNode(t, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: key}, val}}))
}

// sameAsEmitter checks that fastYAML either refuses or writes the
// emitter's bytes, and reports whether it wrote.
func sameAsEmitter(t testing.TB, key string, val *yaml.Node) bool {
	t.Helper()
	var got bytes.Buffer
	got.WriteString("before")
	if !fastYAML(&got, key, val) {
		if got.String() != "before" {
			t.Fatalf("a refusal left output: %q", got.String())
		}
		return false
	}
	if want := emitted(t, key, val); got.String()[len("before"):] != want {
		t.Fatalf("fastYAML wrote\n%s\nthe emitter\n%s", got.String()[len("before"):], want)
	}
	return true
}

func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: s, Tag: "!!str"}
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i < len(kv); i += 2 {
		v, ok := kv[i+1].(*yaml.Node)
		if !ok {
			v = str(kv[i+1].(string))
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: kv[i].(string)}, v)
	}
	return n
}

func seq(flow bool, items ...*yaml.Node) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Content: items}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

// shapes puts s in every position fastYAML writes a string in.
func shapes(s string) []*yaml.Node {
	item := mapping("id", "comp-1", "description", s, "tags", seq(true, str("a"), str(s)))
	return []*yaml.Node{
		str(s),
		mapping("name", s),
		seq(false, item, mapping("id", s)),
		seq(false, str(s), str("x")),
		seq(true, str(s), str("b")),
		mapping("deep", mapping("deeper", seq(false, mapping("key-with-a-long-name-here", s)))),
		{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "authn"}, str(s)}},
	}
}

// TestFastYAMLMatchesEmitter: on text at the folding width, with several
// spaces, non-ASCII letters, indicators, reserved words, literals with
// blank and trailing lines, flow lists near the width, fastYAML writes the
// emitter's bytes or refuses; and it does write the common shapes.
func TestFastYAMLMatchesEmitter(t *testing.T) {
	words := strings.Repeat("word ", 30)
	texts := []string{"plain", "two words", "Ünïcode wörds — dash", "http://host:8080/path", "a: b", "a #b", "a#b", "trailing:",
		"yes", "No", "on", "OFF", "y", "n", "null", "true", "True", "NULL", "Null", "nan", ".inf", "123", "1e3", "-dash", "- item", "'quoted'", "x  two  spaces", "tab\there",
		"line\nbreak", "line\nbreak\n", "kept\n\n", "\nleading", " leading", "a\n\nb\n", "a\r\nb", "x\u0085y", "x\u2028y",
		"", "~", "<<", "2026-12-05", "2026-1-05", "2026-13-45", "0000-00-00", "1.5", "has, comma", "brackets [x]", "authorization:technical-user", "Threagile type: network-cloud-security-group.", "#hash", "@at", "[x]", "x:", " lead", "trail ", "say \"hi\"", "back\\slash", "a: b " + strings.Repeat("long ", 20), "curly {x}", "question?", "at@sign", strings.Repeat("x", 200)}
	for n := 60; n <= 100; n++ {
		texts = append(texts, words[:n], words[:n]+"end", strings.ReplaceAll(words[:n], "word ", "wörd "), strings.ReplaceAll(words[:n], "d w", "d  w"),
			// Quoted (": "), folded in block context, with quotes doubled.
			"weakness: "+words[:n]+"end", "it's: "+strings.ReplaceAll(words[:n], "d w", "d 'w"), "x: "+strings.ReplaceAll(words[:n], "d w", "d  w")+" ",
			" x: "+words[:n], "#"+words[:n]+"x", "x: "+strings.ReplaceAll(words[:n], "word ", "wörd' "))
	}
	wrote := 0
	for _, s := range texts {
		for _, n := range shapes(s) {
			if sameAsEmitter(t, "key", n) {
				wrote++
			}
		}
	}
	if wrote < len(texts)*3 {
		t.Errorf("fastYAML wrote only %d of %d documents: it refuses common shapes", wrote, len(texts)*len(shapes("")))
	}
	for _, key := range []string{"controls", "has space", "123", "yes", "a:b", strings.Repeat("k", 101)} {
		sameAsEmitter(t, key, str("v"))
	}
	sameAsEmitter(t, "ints", mapping("n", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: "-12"}, "b", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}))
	sameAsEmitter(t, "empty", seq(false))
	sameAsEmitter(t, "empty", mapping())
	sameAsEmitter(t, "empties", seq(false, mapping(), mapping("a", "b")))
}

// TestFastYAMLOnModels: fastYAML writes nearly every piece of a generated
// model (so the fast path is the one imports take) and the emitter's bytes
// for each.
func TestFastYAMLOnModels(t *testing.T) {
	var doc spec.Document
	if err := yaml.Unmarshal(synth.Generate(600, synth.DefaultSeed), &doc); err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(&doc).Elem()
	total, wrote := 0, 0
	for key, fv := range yamlFields(v) {
		nodes := []*yaml.Node{toNode(fv)}
		if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() != reflect.String {
			nodes = nil
			for lo := 0; lo < fv.Len(); lo += yamlChunk {
				s := &yaml.Node{Kind: yaml.SequenceNode}
				for j := lo; j < min(lo+yamlChunk, fv.Len()); j++ {
					s.Content = append(s.Content, toNode(fv.Index(j)))
				}
				nodes = append(nodes, s)
			}
		}
		for _, n := range nodes {
			total++
			if sameAsEmitter(t, key, n) {
				wrote++
			}
		}
	}
	if wrote*10 < total*9 {
		t.Errorf("fastYAML wrote %d of %d pieces of a generated model, want at least 90 %%", wrote, total)
	}
	t.Logf("fastYAML wrote %d of %d pieces", wrote, total)
}

// FuzzFastYAML: for any text in any position, fastYAML writes the
// emitter's bytes or refuses.
func FuzzFastYAML(f *testing.F) {
	for _, s := range []string{"plain", "two words", strings.Repeat("word ", 20) + "x", "a\nb\n", "a: b", "yes", "ü ü", "it's: " + strings.Repeat("wörd ", 20) + "x"} {
		f.Add(s, "key")
	}
	f.Fuzz(func(t *testing.T, s, key string) {
		for _, n := range shapes(s) {
			sameAsEmitter(t, "key", n)
			sameAsEmitter(t, key, n)
		}
		sameAsEmitter(t, "m", mapping(key, s))
	})
}

// printableCountRef is printableCount a rune at a time, as it was before
// its eight-byte path.
func printableCountRef(s string, breaks bool) (n int, ok bool) {
	for i := 0; i < len(s); n++ {
		if b := s[i]; b < utf8.RuneSelf {
			if (b < 0x20 || b == 0x7f) && !(breaks && b == '\n') {
				return n, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !printableRune(r) {
			return n, false
		}
		i += size
	}
	return n, true
}

// FuzzPrintableCount compares printableCount with printableCountRef.
func FuzzPrintableCount(f *testing.F) {
	for _, s := range []string{"", "plain text longer than eight", "tab\there", "x\x7fy and more bytes", "line\nbreak in a long line",
		"é and more ascii after", "\x1f2345678", "12345678\x7f", "~~~~~~~~ ~~~~~~~~", "\u2028 long enough text"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, breaks bool) {
		n, ok := printableCount(s, breaks)
		rn, rok := printableCountRef(s, breaks)
		if ok != rok || ok && n != rn {
			t.Errorf("printableCount(%q, %v) = %d, %v; want %d, %v", s, breaks, n, ok, rn, rok)
		}
	})
}

// TestFastYAMLFoldsASCII: long ASCII text with single and double spaces,
// plain or quoted, folds as the emitter folds it (foldASCII writes the runs
// between folds whole).
func TestFastYAMLFoldsASCII(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	const alphabet = "abcdefgh      :'#-"
	for range 1500 {
		b := make([]byte, rng.IntN(320))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		for _, n := range shapes(s) {
			sameAsEmitter(t, "key", n)
		}
		sameAsEmitter(t, "key", mapping("description", "x: "+s))
	}
}
