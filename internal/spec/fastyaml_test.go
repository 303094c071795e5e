package spec

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
	"golang.org/x/tools/txtar"

	"github.com/wardtm/ward/internal/synth"
)

// diffNodes describes the first difference between two node trees, or "".
func diffNodes(path string, a, b *yaml.Node) string {
	if a == nil || b == nil {
		if a != b {
			return fmt.Sprintf("%s: nil vs non-nil", path)
		}
		return ""
	}
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Style != b.Style ||
		a.Line != b.Line || a.Column != b.Column || a.Anchor != b.Anchor || (a.Alias == nil) != (b.Alias == nil) {
		return fmt.Sprintf("%s:\n fast: kind=%d tag=%q value=%q style=%d at %d:%d\n yaml: kind=%d tag=%q value=%q style=%d at %d:%d",
			path, a.Kind, a.Tag, a.Value, a.Style, a.Line, a.Column, b.Kind, b.Tag, b.Value, b.Style, b.Line, b.Column)
	}
	if len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: %d children vs %d (value %q at %d:%d)", path, len(a.Content), len(b.Content), a.Value, a.Line, a.Column)
	}
	for i := range a.Content {
		if d := diffNodes(fmt.Sprintf("%s/%d", path, i), a.Content[i], b.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// checkFast compares fastParse with yaml.Unmarshal on data. It reports
// whether fastParse accepted it.
func checkFast(t testing.TB, name string, data []byte) bool {
	t.Helper()
	got, ok := fastParseChecked(t, data)
	if !ok {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: fastParse accepted what yaml rejects (%v):\n%q", name, err, data)
	}
	if d := diffNodes("doc", got, &want); d != "" {
		t.Fatalf("%s: trees differ at %s\ninput: %q", name, d, data)
	}
	// The general parser's tree, as the loader reads it, is the same.
	fast, _ := fastParseStrict(data)
	if !reflect.DeepEqual(fast, fromYAML(&want)) {
		t.Fatalf("%s: fromYAML differs from fastParse\ninput: %q", name, data)
	}
	return true
}

// TestFromYAMLAliases: an alias holds its target, including a target it
// is inside of.
func TestFromYAMLAliases(t *testing.T) {
	n, err := parseYAML([]byte("a: &x {b: 1}\nc: *x\nd: &y [*y]\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := n.kid(0)
	c := resolve(m.kid(3))
	if c != m.kid(1) || c.Kind != yaml.MappingNode || c.kid(0).Value != "b" {
		t.Fatalf("c resolves to %+v", c)
	}
	d := m.kid(5)
	if resolve(d.kid(0)) != d {
		t.Fatal("d's item does not resolve to d")
	}
}

// fastParseChecked runs fastParseStrict, failing the test on a panic other
// than a refusal.
func fastParseChecked(t testing.TB, data []byte) (n *yaml.Node, ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			if _, refused := r.(fastRefusal); !refused {
				t.Fatalf("fastParse panicked: %v\ninput: %q", r, data)
			}
			n, ok = nil, false
		}
	}()
	f, ok := fastParseStrict(data)
	if !ok {
		return nil, false
	}
	return toYAML(f), true
}

// corpus returns the YAML files of the repository's test data and examples,
// and the YAML sections of the command tests' txtar archives.
func fastCorpus(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	for _, dir := range []string{"testdata", "../rules/testdata", "../../examples", "../../cmd/ward/testdata"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch {
			case strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml"):
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				out[p] = data
			case strings.HasSuffix(p, ".txtar") || strings.HasSuffix(p, ".txt"):
				a, err := txtar.ParseFile(p)
				if err != nil {
					return err
				}
				for _, f := range a.Files {
					if strings.HasSuffix(f.Name, ".yaml") || strings.HasSuffix(f.Name, ".yml") {
						out[p+"#"+f.Name] = f.Data
					}
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return out
}

func TestFastParseCorpus(t *testing.T) {
	files := fastCorpus(t)
	if len(files) < 50 {
		t.Fatalf("only %d corpus files found", len(files))
	}
	accepted := 0
	for name, data := range files {
		if checkFast(t, name, data) {
			accepted++
		} else {
			var n yaml.Node
			if yaml.Unmarshal(data, &n) == nil {
				t.Logf("refused (yaml parses it): %s", name)
			}
		}
	}
	t.Logf("%d of %d files accepted", accepted, len(files))
}

func TestFastParseSynth(t *testing.T) {
	for _, n := range []int{2, 10, 200} {
		data := synth.Generate(n, 1)
		if !checkFast(t, fmt.Sprint("synth ", n), data) {
			t.Errorf("synth model n=%d refused", n)
		}
		crlf := []byte(strings.ReplaceAll(string(data), "\n", "\r\n"))
		if !checkFast(t, fmt.Sprint("synth crlf ", n), crlf) {
			t.Errorf("synth model n=%d with CRLF refused", n)
		}
	}
}

// fastSnippets are tricky inputs: each must either be refused or parse
// exactly as yaml v4 parses it. Those marked accept must be accepted.
var fastSnippets = []struct {
	src    string
	accept bool
}{
	{"a: 1\n", true},
	{"a:\nb: 1\n", true},
	{"a:\n  # c\nb:\n", true},
	{"---\na: x\n", true},
	{"# c\n\n---\na: x\n", true},
	{"--- # c\na: x\n", true},
	{"# c\n\na: x\n", true},
	{"a: [x, {b: c}]\n", true},
	{"- a\n- b\n", true},
	{"a:\n- x\n- y\nb: z\n", true},
	{"a: |\n  x\n  y\n\nb: >-\n  p\n  q\n\n  r\n", true},
	{"a: yes\nb: on\nc: 0x1F\nd: 1_000\ne: 2027-01-31\nf: .5\ng: 0o17\nh: 017\ni: +1\nj: 1e3\nk: \"1\"\nl: ~\n", true},
	{"a: 0b101\nb: 1.5e+3\nc: -.inf\nd: 1_0.5\ne: 0x_1F\nf: 12:30\ng: 2001-12-14t21:59:43.10-05:00\nh: +.5\ni: 0.\n", true},
	{"a: True\nb: FALSE\nc: Null\nd: NULL\ne: .NaN\nf: -0\ng: -0.0\nh: 9223372036854775808\ni: 18446744073709551616\nj: -9223372036854775809\n", true},
	{"a: 2027-1-3\nb: 2027-01-31T10:00:00Z\nc: 2027-01-31 10:00:00\nd: 2027-13-01\ne: 1e\nf: 1.2.3\n", true},
	{"-\n- \n-   # c\n- a:\n  b:\n", true},
	{"a:\n  - x\n  -\n", true},
	{"  a: 1\n  b: 2\n", true},
	{"a: {}\nb: []\nc: {x: }\nd: [a, ]\ne: {x}\nf: [a: b]\n", false},
	{"a: [\n  x,\n  y\n  ]\n", true},
	{"a: [\nx]\n", false},
	{"a:\n  - [\n  x]\n", false},
	{"\"a b\": 1\n'c': 2\n", true},
	{"a: \"x\\ty\\u00e9\\x41\\U0001F600\\\\\\\"\"\n", true},
	{"a: 'it''s'\n", true},
	{"a: x # c\nb: x#y\nc: -x\nd: :x\ne: ?x\n", false},
	{"a: x # c\nb: x#y\nc: -x\n", true},
	{"a: 1\na: 2\n", true},
	{"- a:\n  - x\n  b: 1\n- c\n", true},
	{"a: |\n  x\n", true},
	{"a: |\n  x", false},
	{"a: |\n  x\n  \n", true},
	{"a: |+\n  x\n\n", true},
	{"a: |-\n  x\n\n\n", true},
	{"a: >\n  x\n   y\n  z\n\n  w\n", true},
	{"a: |\n\n  x\nb: |\n", true},
	{"a : b\n\"c\" : d\n", true},
	{"{a: b}\n", false},
	{"[a, b]\n", false},
	{"a: b\n...\n", false},
	{"foo\n", false},
	{"", false},
	{"# only\n", false},
	{"a: &x 1\nb: *x\n", false},
	{"a: !!str 1\n", false},
	{"<<: {a: 1}\n", false},
	{"? a\n: b\n", false},
	{"a: b\n---\nc: d\n", false},
	{"%YAML 1.2\n---\na: b\n", false},
	{"a:\tb\n", false},
	{"a: b\rc: d\n", false},
	{"a: b\r\nc: d\r\n", true},
	{"\ufeffa: b\n", false},
	{"a: b\n  c\n", false},
	{"a: 'b\n  c'\n", false},
	{"a: |2\n   x\n", false},
	{"é: ü\nß: [ä, ö]\n", true},
	{"a: é: b\n", false},
	{"- a: |\n   x\n", true},
	{"- a: |\n  x\n", false},
	{"a:\n- |\n x\n", true},
	{"k: [a,\n b]\n", true},
	{"- a: [x,\n    y]\n", true},
	{"a: [a, # c\n  b]\n", true},
	{"a: {b: [1, 2], c: {d: e}}\n", true},
	{"a: {b: c,\n  d: e}\n", true},
	{"a: [\"x\", 'y', \"a,b\"]\n", true},
	{"a: b: c\n", false},
	{"a: - b\n", false},
	{"- - a\n", false},
	{"a:\n  b: 1\n c: 2\n", false},
	{"a:\n    b: 1\n  c: 2\n", false},
	{"a: |\n  x\n # c\n  y\n", false},
	{"a: >\n  x\n\n   y\n  z\n", true},
	{"a: |\n    \n  x\n", false},
	{"a: |\n  \n  x\n", true},
	{"a: |\n   x\n  y\n", false},
	{"a: |\n  x\n    y\n  z\n", true},
	{"a: >+\n  x\n\n\nb: 1\n", true},
	{"a: |\nb: 1\n", true},
	{"a:\n  b:\n    c: [1, 2]\n  d: |\n    text\n", true},
	{"- id: a\n  name: A\n- id: b\n  name: B\n", true},
	{"a: \"\\q\"\n", false},
	{"a: \"\\ud800\"\n", false},
	{"a: 'x'#c\n", false},
	{"a: 'x' #c\n", true},
	{"a: 'x' y\n", false},
	{"a: [x]y\n", false},
	{"a: [x] # c\n", true},
	{"a:   \nb: 2\n", true},
	{"a: b   \n", true},
	{"a: -\n", false},
	{"a: \"\"\nb: ''\n", true},
	{"a: {\"b\": c}\n", true},
	{"a: {b:c}\n", false},
	{"a: [-1, -x, -.5]\n", true},
	{"a: [b c, d]\n", true},
	{"a: x:y\n", true},
	{"a: x:\n", false},
	{"a: b ,c\n", true},
	{"a: [b\n  c]\n", false},
	{"a:\n\n\n  b: 1\n\n", true},
	{"a: 1\n# trailing\n", true},
	{"a: 1 # c", true},
	{"a: 1", true},
	{"a:", true},
	{"- ", true},
	{"-", true},
	{"a: [no-rate-limit:api, b:c, x]\n", true},
	{"a: {k:v: w, x: y:z}\n", true},
	{"a: [x:, y]\n", false},
	{"a: [x:[y]]\n", false},
	{"a: [http://x.y/z]\n", true},
	{"a: [\n  x,\n]\nb: {\n  c: d\n}\n", true},
	{"- a: [\n    x\n  ]\n", true},
	{"- a: [\n    x\n ]\n", false},
	// Multi-line plain and single-quoted values (fastmulti.go).
	{"a: one two\n  three four\nb: 1\n", true},
	{"a: one\n\n  two\n   \n\n  three\nb: 1\n", true},
	{"a: one  \n    two # c\nb: 1\n", true},
	{"a: one\n  # c\n  two\n", false},
	{"a: one\n# c\nb: two\n", true},
	{"a: one\n  two: x\n", false},
	{"a: one\n  - two\n", false},
	{"a: one\n  two", true},
	{"a: 1\n  2\n", true},
	{"a: true\n  x\n", true},
	{"- one\n  two\n- three\n  four\n", true},
	{"- one\n two\n", true},
	{"k:\n- one\n two\n", true},
	{"k:\n  - one\n   two\n", true},
	{"- a: one\n    two\n  b: x\n", true},
	{"- a: one\n   two\n", false},
	{"a: ü\n  é ß\nb: 1\n", true},
	{"a: 'one\n  two'\nb: 1\n", true},
	{"a: 'one  \n\n   \n  two''s  \n  '\nb: 1\n", true},
	{"a: '  \n  two'\n", true},
	{"a: 'one\n  two' # c\n", true},
	{"a: 'one\ntwo'\n", false},
	{"a: 'one\n  two\n", false},
	{"- 'one\n  two': x\n", false},
	{"- 'one\n  two'\n- 'it''s'\n", true},
	{"a: 'one\n  --- two'\n", true},
}

func TestFastParseSnippets(t *testing.T) {
	for i, c := range fastSnippets {
		ok := checkFast(t, fmt.Sprint("snippet ", i), []byte(c.src))
		if c.accept && !ok {
			t.Errorf("snippet %d refused: %q", i, c.src)
		}
	}
}

// FuzzFastParse: whenever fastParse accepts an input, yaml v4 must parse it
// to the same tree.
func FuzzFastParse(f *testing.F) {
	for _, c := range fastSnippets {
		f.Add([]byte(c.src))
	}
	f.Add(synth.Generate(2, 1))
	for _, data := range fastCorpus(f) {
		if len(data) < 4096 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, "fuzz", data)
	})
}

func BenchmarkFastParse(b *testing.B) {
	data := synth.Generate(10000, synth.DefaultSeed)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := fastParse(data); !ok {
			b.Fatal("refused")
		}
	}
}

func BenchmarkYAMLv4(b *testing.B) {
	data := synth.Generate(10000, synth.DefaultSeed)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
	}
}

// yamlGen writes a YAML document of the subset (with some mistakes mixed
// in) driven by fuzz bytes, so that the fuzzer explores the subset deeply
// rather than mostly refused noise.
type yamlGen struct {
	src   []byte
	i     int
	out   []byte
	depth int
}

func (g *yamlGen) pick(n int) int {
	if g.i >= len(g.src) {
		return 0
	}
	v := int(g.src[g.i]) % n
	g.i++
	return v
}

var (
	genPlain = []string{"a", "x y", "1", "-1", "0x1F", "1_000", "1.5", ".5", "1e3", "true", "False", "yes", "~",
		"null", "2027-01-31", "2027-1-3", "12:30", "a:b", "a#b", "-x", "é", "http://x/y", "10.0.0.0/8", ".inf",
		"-.inf", "+1", "0o17", "+.5", "0.", "-0", "id-1", "ü ß", "NULL", "0b11", "9223372036854775808", "a  b"}
	genBlockOnly = []string{"a,b", "x[1]", "{x", "a}", "b]"}
	genBad       = []string{"a: b", "- x", "#x", "&a", "*a", "!t", "%x", "@x", "`x", "? x", "a:", "|", ">", "<<", "x\ty", "---", "..."}
	genQuoted    = []string{`"a"`, `'b'`, `"x\ty"`, `'it''s'`, `""`, `''`, `"a: b"`, `"\u00e9\x41"`, `"#"`, `'- x'`, `"1"`, `'~'`, `"\U0001F600"`, `"a\"b"`, `"\/\\"`, `'x # y'`}
)

func (g *yamlGen) w(s string) { g.out = append(g.out, s...) }

func (g *yamlGen) spaces(n int) {
	for range n {
		g.out = append(g.out, ' ')
	}
}

// eol ends a line, maybe with a comment and maybe adding blank or comment
// lines.
func (g *yamlGen) eol(ind int) {
	switch g.pick(8) {
	case 0:
		g.w(" # c")
	case 1:
		g.w("  ")
	}
	g.w("\n")
	switch g.pick(10) {
	case 0:
		g.w("\n")
	case 1:
		g.spaces(g.pick(ind + 3))
		g.w("# comment\n")
	case 2:
		g.spaces(g.pick(4))
		g.w("\n")
	}
}

func (g *yamlGen) scalar(flow bool) {
	switch g.pick(12) {
	case 0, 1, 2:
		g.w(genQuoted[g.pick(len(genQuoted))])
	case 3:
		if !flow {
			g.w(genBlockOnly[g.pick(len(genBlockOnly))])
			return
		}
		fallthrough
	case 4:
		if g.pick(4) == 0 {
			g.w(genBad[g.pick(len(genBad))])
			return
		}
		fallthrough
	default:
		g.w(genPlain[g.pick(len(genPlain))])
	}
}

func (g *yamlGen) key() {
	if g.pick(6) == 0 {
		g.w(genQuoted[g.pick(len(genQuoted))])
	} else {
		g.w(genPlain[g.pick(len(genPlain))])
	}
	if g.pick(10) == 0 {
		g.w(" ")
	}
	g.w(":")
}

// flowNode writes a flow collection; ind is the enclosing block's indent.
func (g *yamlGen) flowNode(ind int) {
	g.depth++
	defer func() { g.depth-- }()
	isMap := g.pick(2) == 0
	open, closer := "[", "]"
	if isMap {
		open, closer = "{", "}"
	}
	g.w(open)
	n := g.pick(4)
	for i := range n {
		if i > 0 {
			g.w(",")
		}
		switch g.pick(6) {
		case 0:
			if g.pick(3) == 0 {
				g.w(" # c")
			}
			g.w("\n")
			g.spaces(ind + 1 + g.pick(3) - g.pick(2))
		case 1, 2:
			g.w(" ")
		}
		if isMap {
			g.key()
			g.w(" ")
		}
		if g.depth < 4 && g.pick(5) == 0 {
			g.flowNode(ind)
		} else {
			g.scalar(true)
		}
	}
	switch g.pick(8) {
	case 0:
		g.w(",")
	case 1:
		g.w("\n")
		g.spaces(ind + g.pick(3))
	}
	g.w(closer)
}

func (g *yamlGen) blockScalar(ind int) {
	g.w([]string{"|", ">"}[g.pick(2)])
	g.w([]string{"", "-", "+", "", "1"}[g.pick(5)])
	if g.pick(4) == 0 {
		g.w(" # c")
	}
	g.w("\n")
	in := ind + 1 + g.pick(3)
	n := g.pick(5)
	for range n {
		switch g.pick(6) {
		case 0:
			g.w("\n")
		case 1:
			g.spaces(g.pick(in + 3))
			g.w("\n")
		case 2:
			g.spaces(in + 1 + g.pick(2))
			g.w("more indented\n")
		default:
			g.spaces(in)
			g.w([]string{"text", "a b", "# not a comment", "x: y", "- z", "é"}[g.pick(6)])
			g.w("\n")
		}
	}
}

// multiLine writes a plain or single-quoted scalar spanning lines, its
// continuations indented under ind (or, now and then, not).
func (g *yamlGen) multiLine(ind int) {
	quoted := g.pick(2) == 0
	if quoted {
		g.w("'")
	}
	words := []string{"text", "a b", "x:y", "it''s", "é", "1", "# c", "x: y", "-", "- z", "'", "~", "true", "a #b", "[x]"}
	g.w(words[g.pick(len(words))])
	for range 1 + g.pick(4) {
		if g.pick(4) == 0 {
			g.w(" ")
		}
		for range g.pick(3) {
			g.w("\n")
			g.spaces(g.pick(ind + 3))
		}
		g.w("\n")
		g.spaces(ind + 1 + g.pick(3) - 2*g.pick(2))
		g.w(words[g.pick(len(words))])
	}
	if quoted && g.pick(8) != 0 {
		g.w("'")
	}
}

// value writes what follows "key:" or "-": its line end included.
func (g *yamlGen) value(ind int, item bool) {
	deep := g.depth < 6
	switch c := g.pick(12); {
	case c == 0:
		g.eol(ind) // null
	case c <= 2 && deep:
		g.eol(ind)
		g.block(ind+1+g.pick(3), g.pick(2) == 0)
	case c == 3 && deep && !item:
		g.eol(ind)
		g.block(ind, false) // indentless sequence
	case c == 4 && deep && item:
		g.w(" ")
		g.spaces(g.pick(2))
		g.compact(ind)
	case c == 5:
		g.w(" ")
		g.flowNode(ind)
		g.eol(ind)
	case c == 6:
		g.w(" ")
		g.blockScalar(ind)
	case c == 7:
		g.w(" ")
		g.multiLine(ind)
		g.eol(ind)
	default:
		g.w(" ")
		g.scalar(false)
		g.eol(ind)
	}
}

// compact writes a mapping starting on a sequence item's line.
func (g *yamlGen) compact(seqInd int) {
	g.depth++
	defer func() { g.depth-- }()
	// The mapping's indentation is where its first key starts.
	line := len(g.out) - 1
	for line >= 0 && g.out[line] != '\n' {
		line--
	}
	ind := len(g.out) - line - 1
	n := 1 + g.pick(3)
	for i := range n {
		if i > 0 {
			g.spaces(ind)
		}
		g.key()
		g.value(ind, false)
	}
	_ = seqInd
}

// block writes a block mapping or sequence at indentation ind.
func (g *yamlGen) block(ind int, seq bool) {
	g.depth++
	defer func() { g.depth-- }()
	n := 1 + g.pick(4)
	for range n {
		d := ind
		if g.pick(40) == 0 {
			d += 1 - 2*g.pick(2) // a mistake
		}
		g.spaces(max(d, 0))
		if seq {
			g.w("-")
			if g.pick(5) == 0 {
				g.w(" ")
			}
			g.value(ind, true)
		} else {
			g.key()
			g.value(ind, false)
		}
	}
}

func genYAML(src []byte) []byte {
	g := &yamlGen{src: src}
	if g.pick(4) == 0 {
		g.w("# head\n\n")
	}
	if g.pick(4) == 0 {
		g.w("---\n")
	}
	g.block(g.pick(3)*g.pick(2), g.pick(3) == 0)
	out := g.out
	if g.pick(5) == 0 {
		out = []byte(strings.ReplaceAll(string(out), "\n", "\r\n"))
	}
	if g.pick(6) == 0 {
		out = bytes.TrimRight(out, "\r\n")
	}
	return out
}

// FuzzFastParseGen feeds fastParse generated documents of the subset.
func FuzzFastParseGen(f *testing.F) {
	for i := range 64 {
		seed := make([]byte, 64)
		for j := range seed {
			seed[j] = byte(i*31 + j*17 + i*j)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkFast(t, "gen", genYAML(src))
	})
}

func TestFastParseGen(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	accepted, total := 0, 20000
	if testing.Short() {
		total = 2000
	}
	for range total {
		src := make([]byte, 200)
		for j := range src {
			src[j] = byte(r.IntN(256))
		}
		if checkFast(t, "gen", genYAML(src)) {
			accepted++
		}
	}
	t.Logf("%d of %d generated documents accepted", accepted, total)
}
