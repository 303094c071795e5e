package rule

import (
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"weak"

	"cel.dev/cel-go/cel"
	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/spec"
)

// This file implements custom rules: rules written in YAML files with CEL
// conditions, loaded at run time. docs/rules.md is their user documentation.

// RulesFormat is the version of the custom rule file format.
const RulesFormat = 1

// Limits on custom rules. CostLimit bounds the work one evaluation of one
// expression may do (CEL cost units, roughly one per operation or list item);
// an evaluation that exceeds it stops with an error.
const (
	CostLimit     = 100_000
	maxExprLen    = 4096
	maxFileRules  = 10_000
	maxEvalErrors = 8
)

// EvalError describes run-time failures of a custom rule's expressions: an
// expression that fails (a missing map key, an index out of range, the cost
// limit) counts as "does not apply" for that element, and is recorded here.
type EvalError struct {
	Rule   string
	Source model.Pos
	// Target is the first element on which evaluation failed, Err its error.
	Target string
	Err    string
	// Count is how many evaluations failed.
	Count int
}

func (e EvalError) String() string {
	return fmt.Sprintf("%s: custom rule %q failed on %d element(s), first on %q: %s", e.Source, e.Rule, e.Count, e.Target, e.Err)
}

// customState is what a custom rule keeps beyond its *Rule.
type customState struct {
	mu     sync.Mutex
	count  atomic.Int64
	target string
	err    string
}

// customStates maps weak pointers to custom rules to their state, so that
// dropping the rules frees their state and the model data their cache holds.
var customStates sync.Map // weak.Pointer[Rule] -> *customState

func registerState(r *Rule, st *customState) {
	k := weak.Make(r)
	customStates.Store(k, st)
	runtime.AddCleanup(r, func(k weak.Pointer[Rule]) { customStates.Delete(k) }, k)
}

// EvalErrors returns the run-time evaluation failures of the custom rules
// among rules since they were loaded, in rule order.
func EvalErrors(rules []*Rule) []EvalError {
	var out []EvalError
	for _, r := range rules {
		v, ok := customStates.Load(weak.Make(r))
		if !ok {
			continue
		}
		st := v.(*customState)
		n := st.count.Load()
		if n == 0 {
			continue
		}
		st.mu.Lock()
		out = append(out, EvalError{Rule: r.ID, Source: r.Source, Target: st.target, Err: st.err, Count: int(n)})
		st.mu.Unlock()
	}
	return out
}

func (st *customState) fail(target string, err error) {
	if st.count.Add(1) == 1 {
		st.mu.Lock()
		st.target, st.err = target, err.Error()
		st.mu.Unlock()
	}
}

// LoadCustom parses custom rule files. Every problem in every file is
// reported at once, as spec.Diagnostics; builtin are the rules whose ids
// custom rules may not take.
func LoadCustom(srcs []spec.Source, builtin []*Rule) ([]*Rule, error) {
	envs, err := celEnvs()
	if err != nil {
		return nil, fmt.Errorf("custom rules: %w", err)
	}
	l := &loader{envs: envs, builtin: map[string]bool{}, seen: map[string]model.Pos{}, vars: &varCache{}}
	for _, r := range builtin {
		l.builtin[r.ID] = true
	}
	var rules []*Rule
	for _, src := range srcs {
		rules = append(rules, l.file(src)...)
	}
	if len(l.diags) > 0 {
		l.diags.Sort()
		return nil, l.diags
	}
	return rules, nil
}

type loader struct {
	envs    map[On]*cel.Env
	builtin map[string]bool
	seen    map[string]model.Pos
	diags   spec.Diagnostics
	vars    *varCache
	// per file
	name   string
	lines  []string
	budget int
}

func (l *loader) pos(n *yaml.Node) model.Pos {
	return model.Pos{File: l.name, Line: n.Line, Col: n.Column}
}

func (l *loader) add(n *yaml.Node, hint, msg string, args ...any) {
	l.addAt(l.pos(n), hint, msg, args...)
}

func (l *loader) addAt(p model.Pos, hint, msg string, args ...any) {
	l.diags = append(l.diags, spec.Diagnostic{Pos: p, Msg: fmt.Sprintf(msg, args...), Hint: hint})
}

var topKeys = []string{"ward_rules", "rules"}

var ruleKeys = []string{"id", "title", "finding", "category", "on", "when", "requires", "unless", "property",
	"exploitability", "vector", "doc", "cwe", "capec", "mitigations", "references"}

var requiredKeys = []string{"id", "title", "category", "on", "when", "doc"}

func (l *loader) file(src spec.Source) []*Rule {
	l.name, l.lines, l.budget = src.Name, nil, len(src.Data)/2+10_000
	var root yaml.Node
	if err := yaml.Unmarshal(src.Data, &root); err != nil {
		l.diags = append(l.diags, spec.SyntaxDiag(src.Name, err))
		return nil
	}
	if root.Kind == 0 || len(root.Content) == 0 || isNull(root.Content[0]) {
		l.addAt(model.Pos{File: src.Name, Line: 1, Col: 1}, "start it with `ward_rules: 1` and a `rules:` list (see docs/rules.md)", "the rule file is empty")
		return nil
	}
	l.lines = strings.Split(string(src.Data), "\n")
	top := l.resolve(root.Content[0])
	if top.Kind != yaml.MappingNode {
		l.add(top, "start it with `ward_rules: 1` and a `rules:` list (see docs/rules.md)", "a rule file must be a mapping, not %s", kindName(top))
		return nil
	}
	var version, list *yaml.Node
	for _, p := range l.pairs(top, "the rule file", topKeys) {
		switch p[0].Value {
		case "ward_rules":
			version = p[1]
		case "rules":
			list = p[1]
		}
	}
	switch {
	case version == nil:
		l.add(top, "add `ward_rules: 1` at the top", "the rule file is missing \"ward_rules\"")
	case version.Kind != yaml.ScalarNode || version.Value != strconv.Itoa(RulesFormat):
		l.add(version, "write `ward_rules: 1`", "unsupported rule format version %s", kindName(version))
	}
	if list == nil {
		l.add(top, "add a `rules:` list", "the rule file is missing \"rules\"")
		return nil
	}
	if isNull(list) {
		return nil
	}
	if list.Kind != yaml.SequenceNode {
		l.add(list, "start each rule with `- id: ...`", "\"rules\" must be a list, not %s", kindName(list))
		return nil
	}
	if len(list.Content) > maxFileRules {
		l.add(list, "split the rules across files", "too many rules in one file (%d, at most %d)", len(list.Content), maxFileRules)
		return nil
	}
	var out []*Rule
	for _, item := range list.Content {
		if r := l.rule(l.resolve(item)); r != nil {
			out = append(out, r)
		}
	}
	return out
}

// resolve follows aliases and charges the node budget, so aliases cannot
// expand a small file into an enormous one.
func (l *loader) resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	l.budget--
	if l.budget == 0 {
		l.add(n, "remove anchors and aliases that repeat large parts of the file", "the rule file expands to too many YAML nodes (aliases?)")
	}
	return n
}

// pairs returns the key/value pairs of a mapping, applying << merge keys and
// reporting unknown and repeated keys.
func (l *loader) pairs(n *yaml.Node, what string, known []string) [][2]*yaml.Node {
	var out, merged [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := l.resolve(n.Content[i]), l.resolve(n.Content[i+1])
		if l.budget <= 0 {
			return nil
		}
		if k.Kind != yaml.ScalarNode {
			l.add(k, "write `key: value`", "keys must be plain words")
			continue
		}
		if k.Value == "<<" && k.Tag == "!!merge" {
			if v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					merged = append(merged, [2]*yaml.Node{l.resolve(v.Content[j]), l.resolve(v.Content[j+1])})
				}
			}
			continue
		}
		if !slicesContains(known, k.Value) {
			l.add(k, keyHint(k.Value, known), "unknown key %q in %s", k.Value, what)
			continue
		}
		if seen[k.Value] {
			l.add(k, "keep one of them", "key %q appears twice in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, v})
	}
	for _, m := range merged { // explicit keys win over merged ones
		if m[0].Kind == yaml.ScalarNode && slicesContains(known, m[0].Value) && !seen[m[0].Value] {
			seen[m[0].Value] = true
			out = append(out, m)
		}
	}
	return out
}

// ruleSpec is a rule as read from its file, before compilation.
type ruleSpec struct {
	node  *yaml.Node
	nodes map[string]*yaml.Node
}

func (s *ruleSpec) str(l *loader, key string) (string, *yaml.Node, bool) {
	n := s.nodes[key]
	if n == nil || isNull(n) {
		return "", n, false
	}
	if n.Kind != yaml.ScalarNode {
		l.add(n, "quote it if it contains : or starts with [ or {", "%q must be text, not %s", key, kindName(n))
		return "", n, false
	}
	return n.Value, n, true
}

func (s *ruleSpec) list(l *loader, key string) []*yaml.Node {
	n := s.nodes[key]
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		l.add(n, fmt.Sprintf("write [%s]", n.Value), "%q must be a list", key)
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		l.add(n, "start each item with `- `", "%q must be a list, not %s", key, kindName(n))
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, it := range n.Content {
		it = l.resolve(it)
		if l.budget <= 0 {
			return nil
		}
		if it.Kind != yaml.ScalarNode || isNull(it) {
			l.add(it, "write each item as text", "items of %q must be text, not %s", key, kindName(it))
			continue
		}
		out = append(out, it)
	}
	return out
}

// custom is a compiled custom rule.
type custom struct {
	rule     *Rule
	when     cel.Program
	unless   cel.Program
	controls []model.Control
	auth     bool // requires: authentication (flow rules)
	enc      bool // requires: encryption (flow rules)
	title    []segment
	vars     *varCache
	state    *customState
}

func (l *loader) rule(n *yaml.Node) *Rule {
	if n.Kind != yaml.MappingNode {
		l.add(n, "start each rule with `- id: ...`", "a rule must be a mapping of keys to values, not %s", kindName(n))
		return nil
	}
	s := &ruleSpec{node: n, nodes: map[string]*yaml.Node{}}
	for _, p := range l.pairs(n, "rule", ruleKeys) {
		s.nodes[p[0].Value] = p[1]
	}
	ok := true
	for _, k := range requiredKeys {
		if v := s.nodes[k]; v == nil || isNull(v) || v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) == "" {
			hint := fmt.Sprintf("add `%s:`", k)
			switch k {
			case "category":
				hint += " with a STRIDE category: " + strings.Join(categoryNames(), ", ")
			case "on":
				hint += " with one of: component, flow, boundary, asset"
			case "when":
				hint += " with a CEL condition, or `when: \"true\"` for every element"
			}
			at := n
			if v != nil {
				at = v
			}
			l.add(at, hint, "rule is missing %q", k)
			ok = false
		}
	}
	r := &Rule{Origin: model.OriginCustom, Source: l.pos(n)}
	c := &custom{rule: r, vars: l.vars, state: &customState{}}

	if id, idn, has := s.str(l, "id"); has {
		switch {
		case !IsID(id):
			l.add(idn, "use lower-case letters, digits and single hyphens, e.g. acme-no-ftp", "rule id %q is not kebab-case", id)
			ok = false
		case id == model.PeopleRule:
			l.add(idn, "choose another id", "rule id %q is reserved for threats written by people", id)
			ok = false
		case l.builtin[id]:
			l.add(idn, "choose another id; prefix custom rules with your organisation, e.g. acme-"+id, "rule id %q clashes with the built-in rule %q", id, id)
			ok = false
		default:
			if prev, dup := l.seen[id]; dup {
				l.add(idn, "first defined at "+prev.String()+"; give each rule its own id", "rule id %q is defined twice", id)
				ok = false
			} else {
				l.seen[id] = l.pos(idn)
			}
		}
		r.ID = id
	}
	r.Title, _, _ = s.str(l, "title")
	r.Doc, _, _ = s.str(l, "doc")
	if v, vn, has := s.str(l, "category"); has {
		cat, good := parseCategory(v)
		if !good {
			l.add(vn, enumHint(v, categoryNames())+" (or a STRIDE letter S, T, R, I, D, E)", "%q is not a STRIDE category", v)
			ok = false
		}
		r.Category = cat
	}
	if v, vn, has := s.str(l, "on"); has {
		on, good := ParseOn(strings.ToLower(v))
		if !good || on == OnModel {
			l.add(vn, enumHint(v, []string{"component", "flow", "boundary", "asset"}), "%q is not an element kind a rule can examine", v)
			ok = false
		} else {
			r.On = on
		}
	}
	if v, vn, has := s.str(l, "property"); has {
		switch strings.ToLower(v) {
		case "confidentiality", "c":
			r.Property = model.Confidentiality
		case "integrity", "i":
			r.Property = model.Integrity
		case "availability", "a":
			r.Property = model.Availability
		default:
			l.add(vn, enumHint(v, []string{"confidentiality", "integrity", "availability"}), "%q is not a property", v)
			ok = false
		}
	}
	if v, vn, has := s.str(l, "exploitability"); has {
		e, err := strconv.Atoi(v)
		if err != nil || e < -2 || e > 2 {
			l.add(vn, "use a whole number from -2 (hard) to 2 (trivial)", "exploitability must be between -2 and 2, not %q", v)
			ok = false
		}
		r.Exploitability = e
	}
	if v, vn, has := s.str(l, "vector"); has {
		switch strings.ToLower(v) {
		case "network":
			r.Vector = model.VectorNetwork
		case "content":
			r.Vector = model.VectorContent
		case "supply_chain":
			r.Vector = model.VectorSupplyChain
		default:
			l.add(vn, enumHint(v, []string{"network", "content", "supply_chain"}), "%q is not an attack vector", v)
			ok = false
		}
	}
	for _, k := range []string{"cwe", "capec"} {
		for _, it := range s.list(l, k) {
			v := strings.TrimPrefix(strings.ToUpper(it.Value), strings.ToUpper(k)+"-")
			i, err := strconv.Atoi(v)
			if err != nil || i <= 0 {
				l.add(it, "write the number, e.g. 319", "%q is not a %s number", it.Value, strings.ToUpper(k))
				ok = false
				continue
			}
			if k == "cwe" {
				r.CWE = append(r.CWE, i)
			} else {
				r.CAPEC = append(r.CAPEC, i)
			}
		}
	}
	for _, it := range s.list(l, "mitigations") {
		r.Mitigations = append(r.Mitigations, it.Value)
	}
	for _, it := range s.list(l, "references") {
		r.References = append(r.References, it.Value)
	}
	for _, it := range s.list(l, "requires") {
		key := it.Value
		switch {
		case (key == "authentication" || key == "encryption") && r.On == OnFlow:
			c.auth = c.auth || key == "authentication"
			c.enc = c.enc || key == "encryption"
		default:
			ctl, good := model.ControlByKey(key)
			if !good && (key == "authentication" || key == "encryption") {
				l.add(it, "they are facts about flows; write an `on: flow` rule", "%q can be required only by flow rules", key)
				ok = false
				continue
			}
			if !good {
				known := model.ControlKeys()
				if r.On == OnFlow {
					known = append(known, "authentication", "encryption")
				}
				l.add(it, keyHint(key, known)+" (see `ward help controls`)", "unknown control %q", key)
				ok = false
				continue
			}
			c.controls = append(c.controls, ctl)
		}
	}
	if s.nodes["requires"] != nil && r.On != 0 && r.On != OnComponent && r.On != OnFlow {
		l.add(s.nodes["requires"], "use `when` and `unless` conditions instead", "\"requires\" applies only to component and flow rules, not %s rules", r.On)
		ok = false
	}
	if v, vn, has := s.str(l, "finding"); has {
		segs, err := parseTemplate(v, r.On)
		if err != nil {
			l.add(vn, err.hint, "%s", err.msg)
			ok = false
		}
		c.title = segs
	} else if r.Title != "" {
		c.title = []segment{{ph: "id", quote: true}, {lit: ": " + r.Title}}
	}
	if r.On != 0 {
		env := l.envs[r.On]
		var good bool
		if _, vn, has := s.str(l, "when"); has {
			c.when, good = l.compile(env, r.On, vn, "when")
			ok = ok && good
		}
		if _, vn, has := s.str(l, "unless"); has {
			c.unless, good = l.compile(env, r.On, vn, "unless")
			ok = ok && good
		}
	}
	if !ok {
		return nil
	}
	r.Check = c.check
	registerState(r, c.state)
	return r
}

// compile type-checks a CEL condition and plans it with the cost limit.
func (l *loader) compile(env *cel.Env, on On, n *yaml.Node, key string) (cel.Program, bool) {
	expr := n.Value
	if len(expr) > maxExprLen {
		l.add(n, "split the rule or simplify the condition", "the %q expression is too long (%d bytes, at most %d)", key, len(expr), maxExprLen)
		return nil, false
	}
	ast, iss := env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		for _, e := range iss.Errors() {
			msg := strings.ReplaceAll(strings.ReplaceAll(e.Message, "rule.cel", ""), " (in container '')", "")
			l.addAt(l.exprPos(n, e.Location.Line(), e.Location.Column()), celHint(msg, on),
				"invalid %q expression: %s", key, msg)
		}
		return nil, false
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		l.add(n, "write a condition that is true or false, e.g. `flow.protocol == \"ftp\"`", "the %q expression must be true or false, not %s",
			key, strings.ReplaceAll(ast.OutputType().String(), "rule.cel", ""))
		return nil, false
	}
	prg, err := env.Program(ast, cel.CostLimit(CostLimit), cel.InterruptCheckFrequency(100), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		l.add(n, "simplify the condition", "invalid %q expression: %s", key, err.Error())
		return nil, false
	}
	return prg, true
}

// exprPos maps a position inside a CEL expression (1-based line, 0-based
// column) to the file, exactly for single-line scalars and literal blocks,
// else to the scalar's start.
func (l *loader) exprPos(n *yaml.Node, line, col int) model.Pos {
	p := l.pos(n)
	if line < 1 || col < 0 {
		return p
	}
	switch n.Style {
	case 0, yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		if strings.Contains(n.Value, "\n") || line != 1 || n.Line < 1 || n.Line > len(l.lines) {
			return p
		}
		src := l.lines[n.Line-1]
		off := 0
		if n.Style != 0 {
			off = 1
		}
		start := n.Column - 1 + off
		// Only when the scalar is written as is (no escapes) do columns line up.
		if start >= 0 && start+len(n.Value) <= len(src) && src[start:start+len(n.Value)] == n.Value {
			p.Col = n.Column + off + runeCol(n.Value, col)
		}
	case yaml.LiteralStyle:
		ln := n.Line + line
		if ln > len(l.lines) {
			return p
		}
		src, exprLines := strings.TrimRight(l.lines[ln-1], "\r"), strings.Split(n.Value, "\n")
		if line > len(exprLines) || !strings.HasSuffix(src, exprLines[line-1]) {
			return p
		}
		p.Line, p.Col = ln, len(src)-len(exprLines[line-1])+1+runeCol(exprLines[line-1], col)
	}
	return p
}

// runeCol converts a CEL column (in code points) to a byte column, as
// yaml counts columns.
func runeCol(s string, col int) int {
	i := 0
	for b := range s {
		if i == col {
			return b
		}
		i++
	}
	return col
}

var (
	undefinedField = regexp.MustCompile(`undefined field '([^']*)'`)
	undeclaredRef  = regexp.MustCompile(`undeclared reference to '([^']*)'`)
)

func celHint(msg string, on On) string {
	if m := undefinedField.FindStringSubmatch(msg); m != nil {
		var all []string
		for _, fs := range celFields {
			all = append(all, fs...)
		}
		sort.Strings(all)
		if s := spec.Suggest(m[1], all); s != "" {
			return fmt.Sprintf("did you mean %q? (fields are listed in docs/rules.md)", s)
		}
		return "fields are listed in docs/rules.md"
	}
	if m := undeclaredRef.FindStringSubmatch(msg); m != nil {
		vars := []string{on.String(), "system"}
		if s := spec.Suggest(m[1], vars); s != "" && !strings.Contains(msg, "did you mean") {
			return fmt.Sprintf("did you mean %q?", s)
		}
		return "this rule can use: " + strings.Join(vars, ", ")
	}
	return "see docs/rules.md for the variables and functions conditions can use"
}

// Helpers.

func parseCategory(s string) (model.Category, bool) {
	if len(s) == 1 {
		s = strings.ToUpper(s)
	} else {
		s = strings.ToLower(strings.ReplaceAll(s, " ", "_"))
	}
	return model.ParseCategory(s)
}

func categoryNames() []string {
	out := make([]string, len(model.Categories))
	for i, c := range model.Categories {
		out[i] = string(c)
	}
	return out
}

func enumHint(got string, known []string) string {
	if s := spec.Suggest(strings.ToLower(got), known); s != "" {
		return fmt.Sprintf("did you mean %q? (one of: %s)", s, strings.Join(known, ", "))
	}
	return "use one of: " + strings.Join(known, ", ")
}

func keyHint(got string, keys []string) string {
	if s := spec.Suggest(got, keys); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "known keys: " + strings.Join(keys, ", ")
}

func slicesContains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "this"
}
