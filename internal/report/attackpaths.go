package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/wardtm/ward/internal/analysis"
	"github.com/wardtm/ward/internal/model"
	"github.com/wardtm/ward/internal/paths"
)

// ResultPaths is how many attack paths the canonical result lists.
const ResultPaths = 20

// AttackPath is an attack path: from an entry point, hop by hop along flows,
// to a component that stores or processes an asset. Score is the sum of the
// hops' protection points: the lower, the weaker (docs/paths.md).
type AttackPath struct {
	Entry  string    `json:"entry"`
	Asset  string    `json:"asset"`
	Target string    `json:"target"`
	Score  int       `json:"score"`
	Hops   []PathHop `json:"hops"`
	// Inferred is true when Target holds Asset only by Ward's reading of
	// its flows: its stores or processes were inferred (ward help
	// inference). Reports mark the asset (inferred).
	Inferred bool `json:"inferred,omitempty"`
}

// PathHop is one hop of an attack path.
type PathHop struct {
	From       string   `json:"from"`
	To         string   `json:"to"`
	Flow       string   `json:"flow"`
	Score      int      `json:"score"`
	Weaknesses []string `json:"weaknesses"`
	Findings   []string `json:"findings"`
}

// attackPaths lists the weakest attack paths of the analysis, at most max.
func attackPaths(a *analysis.Analysis, max int) []AttackPath {
	res := paths.Find(a.Model, paths.Options{Findings: a.Findings, MaxPaths: max})
	return convertPaths(res.Paths)
}

func convertPaths(ps []paths.Path) []AttackPath {
	out := make([]AttackPath, 0, len(ps))
	for _, p := range ps {
		x := AttackPath{Entry: p.Entry.ID, Asset: p.Asset.ID, Target: p.Target.ID, Score: p.Score, Hops: make([]PathHop, 0, len(p.Hops)),
			Inferred: p.Target.Inferred&(model.InferredStores|model.InferredProcesses) != 0}
		for _, h := range p.Hops {
			x.Hops = append(x.Hops, PathHop{From: h.From.ID, To: h.To.ID, Flow: h.Flow.ID, Score: h.Score,
				Weaknesses: orEmpty(h.Weaknesses), Findings: orEmpty(h.Findings)})
		}
		out = append(out, x)
	}
	return out
}

// mark is InferredMark when the target holds the asset by Ward's reading
// of its flows (Inferred), else "".
func (p AttackPath) mark() string {
	if p.Inferred {
		return InferredMark
	}
	return ""
}

// Route formats the path as "entry → a → b".
func (p AttackPath) Route() string {
	ids := []string{p.Entry}
	for _, h := range p.Hops {
		ids = append(ids, h.To)
	}
	return strings.Join(ids, " → ")
}

// Weaknesses lists the path's distinct weaknesses, in order of first hop.
func (p AttackPath) Weaknesses() []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range p.Hops {
		for _, w := range h.Weaknesses {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// PathsReport is the output of `ward paths`: the entry points, the target
// assets and the weakest paths between them.
type PathsReport struct {
	Schema  string       `json:"schema"`
	System  string       `json:"system"`
	Entries []string     `json:"entries"`
	Assets  []string     `json:"assets"`
	Paths   []AttackPath `json:"paths"`
	// Truncated says the list was cut at the --max bound.
	Truncated bool `json:"truncated"`
}

// PathsSchema identifies the JSON of `ward paths`.
const PathsSchema = "ward.paths/v1"

// NewPathsReport converts a paths.Result.
func NewPathsReport(system string, r *paths.Result) *PathsReport {
	out := &PathsReport{Schema: PathsSchema, System: system, Entries: []string{}, Assets: []string{}, Paths: convertPaths(r.Paths), Truncated: r.Truncated}
	for _, e := range r.Entries {
		out.Entries = append(out.Entries, e.ID)
	}
	for _, a := range r.Assets {
		out.Assets = append(out.Assets, a.ID)
	}
	return out
}

// WritePaths renders a PathsReport as text, json or markdown.
func WritePaths(w io.Writer, format string, r *PathsReport) error {
	ew := &errWriter{w: w}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "markdown":
		ew.printf("## Attack paths: %s\n\n", mdText(r.System))
		mdPaths(ew, r.Paths, len(r.Paths))
		if r.Truncated {
			ew.printf("The list stops at the --max bound; pass a larger --max, --asset or --from to see more.\n")
		}
		return ew.err
	case "text":
	default:
		return fmt.Errorf("unknown format %q: use text, json or markdown", format)
	}
	ew.printf("%d entry point(s), %d target asset(s), %d path(s), weakest first (score: protection points, lower is weaker)\n",
		len(r.Entries), len(r.Assets), len(r.Paths))
	for i, p := range r.Paths {
		ew.printf("\n%d. %s ⇒ %s  score %d\n", i+1, p.Route(), p.Asset+p.mark(), p.Score)
		for _, h := range p.Hops {
			ew.printf("   %s → %s via %s (%d)", h.From, h.To, h.Flow, h.Score)
			if len(h.Weaknesses) > 0 {
				ew.printf(": %s", weaknessList(h.Weaknesses))
			}
			if len(h.Findings) > 0 {
				ew.printf(" [findings: %s]", strings.Join(h.Findings, ", "))
			}
			ew.printf("\n")
		}
	}
	if r.Truncated {
		ew.printf("\n(truncated at --max; narrow with --asset or --from)\n")
	}
	return ew.err
}

// mdPaths writes a table of the first n attack paths.
func mdPaths(ew *errWriter, ps []AttackPath, n int) {
	if len(ps) == 0 {
		ew.printf("No attack path leads from an entry point to a critical asset.\n\n")
		return
	}
	t := newMDTable(ew, "#", "Entry", "Asset", "Path", "Score", "Weaknesses")
	for i, p := range ps {
		if i >= n {
			break
		}
		var route []string
		route = append(route, code(p.Entry))
		for _, h := range p.Hops {
			route = append(route, "("+code(h.Flow)+") "+code(h.To))
		}
		t.row(fmt.Sprint(i+1), code(p.Entry), code(p.Asset)+p.mark(), mdCell(strings.Join(route, " → ")), fmt.Sprint(p.Score), orDash(mdCell(weaknessList(p.Weaknesses()))))
	}
	t.end()
}

// BlastReport is the output of `ward blast`.
type BlastReport struct {
	Schema      string       `json:"schema"`
	Compromised string       `json:"compromised"`
	Components  []BlastReach `json:"components"`
	Assets      []BlastAsset `json:"assets"`
	Summary     BlastSummary `json:"summary"`
}

// BlastSchema identifies the JSON of `ward blast`.
const BlastSchema = "ward.blast/v1"

// BlastReach is a component in the blast radius.
type BlastReach struct {
	ID   string `json:"id"`
	Hops int    `json:"hops"`
	Via  string `json:"via"`
	From string `json:"from"`
	// Response is true when only a forged response reaches it.
	Response bool `json:"response"`
}

// BlastAsset is an asset in the blast radius.
type BlastAsset struct {
	ID    string `json:"id"`
	Hops  int    `json:"hops"`
	Where string `json:"where"`
	How   string `json:"how"`
	// Inferred is true when Where's stores or processes were read from
	// its flows, not stated (ward help inference).
	Inferred bool `json:"inferred,omitempty"`
}

// BlastSummary counts the radius.
type BlastSummary struct {
	Components int `json:"components"`
	Assets     int `json:"assets"`
	// Critical counts the critical assets reached (docs/paths.md).
	Critical int `json:"critical_assets"`
}

// NewBlastReport converts a paths.Radius.
func NewBlastReport(r *paths.Radius) *BlastReport {
	out := &BlastReport{Schema: BlastSchema, Compromised: r.Compromised.ID, Components: []BlastReach{}, Assets: []BlastAsset{}}
	for _, c := range r.Components {
		out.Components = append(out.Components, BlastReach{ID: c.Component.ID, Hops: c.Hops, Via: c.Via.ID, From: c.From.ID, Response: c.Response})
	}
	for _, a := range r.Assets {
		out.Assets = append(out.Assets, BlastAsset{ID: a.Asset.ID, Hops: a.Hops, Where: a.Where, How: a.How, Inferred: a.Inferred})
		if paths.Critical(a.Asset) {
			out.Summary.Critical++
		}
	}
	out.Summary.Components, out.Summary.Assets = len(out.Components), len(out.Assets)
	return out
}

// WriteBlast renders a BlastReport as text or json.
func WriteBlast(w io.Writer, format string, r *BlastReport) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "text":
	default:
		return fmt.Errorf("unknown format %q: use text or json", format)
	}
	ew := &errWriter{w: w}
	ew.printf("If %s is compromised: %d component(s) and %d asset(s) (%d critical) within reach.\n",
		r.Compromised, r.Summary.Components, r.Summary.Assets, r.Summary.Critical)
	ew.printf("\nAssets (hops: 0 = held by or flowing through %s itself)\n", r.Compromised)
	by := map[string]string{"stores": "stored by", "processes": "processed by", "carries": "carried by"}
	for _, a := range r.Assets {
		mark := ""
		if a.Inferred {
			mark = InferredMark
		}
		ew.printf("  %d  %-24s %s %s%s\n", a.Hops, a.ID, by[a.How], a.Where, mark)
	}
	ew.printf("\nComponents\n")
	for _, c := range r.Components {
		if c.Response {
			ew.printf("  %d  %-24s takes %s's responses on %s\n", c.Hops, c.ID, c.From, c.Via)
		} else {
			ew.printf("  %d  %-24s sent to by %s on %s\n", c.Hops, c.ID, c.From, c.Via)
		}
	}
	return ew.err
}
