package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wardtm/ward/internal/model"
)

// Level says whether a diagnostic stops the model from loading.
type Level uint8

// Diagnostic levels.
const (
	Error Level = iota
	Warning
)

// Diagnostic is one problem found in a model file: where it is, what is wrong
// and what to do about it.
type Diagnostic struct {
	Pos   model.Pos
	Level Level
	// Msg says what is wrong.
	Msg string
	// Hint says what to do.
	Hint string
	// ref marks an unresolved reference, which a misspelt section key
	// explains (see collapse).
	ref bool
}

// String formats the diagnostic as "file:line:col: what is wrong — what to do".
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Pos.String())
	b.WriteString(": ")
	if d.Level == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Msg)
	if d.Hint != "" {
		b.WriteString(" — ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// Diagnostics is a list of problems. As an error it stands for an invalid
// model; it holds at least one Error-level diagnostic.
type Diagnostics []Diagnostic

// Error joins the diagnostics, one per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Level == Error {
			return true
		}
	}
	return false
}

// Sort orders the diagnostics by file, line and column.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Warnings returns the warning-level diagnostics.
func (ds Diagnostics) Warnings() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Level == Warning {
			out = append(out, d)
		}
	}
	return out
}

// MaxDiagnostics bounds the problems reported for one model (per stage), so
// that a broken or hostile file cannot produce unbounded output.
const MaxDiagnostics = 200

func (ds *Diagnostics) add(pos model.Pos, msg, hint string, args ...any) {
	ds.put(Diagnostic{Pos: pos, Msg: fmt.Sprintf(msg, args...), Hint: hint})
}

// addRef adds an unresolved-reference error.
func (ds *Diagnostics) addRef(pos model.Pos, msg, hint string, args ...any) {
	ds.put(Diagnostic{Pos: pos, Msg: fmt.Sprintf(msg, args...), Hint: hint, ref: true})
}

// definingSections are the top-level keys that define the ids references
// name.
var definingSections = []string{"assets", "boundaries", "components", "flows", "threats", "mitigations", "assumptions"}

// collapse keeps one error for a misspelt top-level section key: when a
// key of the model is unknown and most like a section that defines ids
// ("componets" for "components"), the references left unresolved because
// that section is missing are a cascade of the same mistake, so they are
// dropped and the key's error says so.
func collapse(ds Diagnostics) Diagnostics {
	at := -1
	for i, d := range ds {
		if d.Level == Error && strings.HasPrefix(d.Msg, "unknown key ") && strings.HasSuffix(d.Msg, " in the model") {
			for _, s := range definingSections {
				if strings.Contains(d.Hint, `"`+s+`"`) {
					at = i
				}
			}
		}
	}
	if at < 0 {
		return ds
	}
	out := make(Diagnostics, 0, len(ds))
	dropped := 0
	for _, d := range ds {
		if d.ref {
			dropped++
			continue
		}
		out = append(out, d)
	}
	if dropped > 0 {
		for i := range out {
			if out[i].Pos == ds[at].Pos && out[i].Msg == ds[at].Msg {
				out[i].Hint += fmt.Sprintf(" (%d reference%s to what it defines not checked until it is fixed)", dropped, map[bool]string{true: "s"}[dropped != 1])
			}
		}
	}
	return out
}

func (ds *Diagnostics) warn(pos model.Pos, msg, hint string, args ...any) {
	ds.put(Diagnostic{Pos: pos, Level: Warning, Msg: fmt.Sprintf(msg, args...), Hint: hint})
}

func (ds *Diagnostics) put(d Diagnostic) {
	switch n := len(*ds); {
	case n < MaxDiagnostics:
		*ds = append(*ds, d)
	case n == MaxDiagnostics:
		*ds = append(*ds, Diagnostic{Pos: d.Pos, Msg: fmt.Sprintf("too many problems; stopped after %d", MaxDiagnostics), Hint: "fix these first"})
	}
}

// Suggest returns the candidate closest to s, if it is close enough to be a
// likely typo.
func Suggest(s string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := distance(s, c)
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := len(s) / 3
	if limit < 2 {
		limit = 2
	}
	if bestD <= limit {
		return best
	}
	for _, c := range candidates { // prefix or containment
		if len(s) >= 3 && (strings.HasPrefix(c, s) || strings.Contains(c, s)) {
			return c
		}
	}
	return ""
}

// Distance is the Levenshtein distance between a and b (ids longer than
// 64 bytes are only equal or far apart).
func Distance(a, b string) int { return distance(a, b) }

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// listHint says "did you mean X?" or lists what exists.
func listHint(got string, known []string, what string) string {
	if s := Suggest(got, known); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	if len(known) == 0 {
		return fmt.Sprintf("the model defines no %s yet", what)
	}
	if len(known) > 12 {
		return fmt.Sprintf("use one of the %d %s defined, e.g. %s", len(known), what, strings.Join(quoteAll(known[:12]), ", "))
	}
	return fmt.Sprintf("use one of: %s", strings.Join(quoteAll(known), ", "))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
