package report

// Parts are the parts of a Result that some formats never read. Building
// them costs a tenth of a large model's report: a result for one of those
// formats can leave them out (BuildOnly).
type Parts uint8

const (
	// PartElements are the result's Components and Flows.
	PartElements Parts = 1 << iota
	// PartPaths are the result's attack Paths.
	PartPaths

	// AllParts are every part: what Build makes.
	AllParts = PartElements | PartPaths

	// PartTextIndex is no part of the result's data but the text
	// renderer's index of the questions by id, made beside Build's loop
	// over the findings (which runs alone at its end) instead of on one
	// core before the text renderer starts. Only the text format asks for
	// it; without it the renderer makes the index itself.
	PartTextIndex Parts = 1 << 7
)

// formatParts says which parts each format's renderer reads; a format not
// listed reads them all.
var formatParts = map[string]Parts{
	"text":          PartTextIndex,
	"csv":           0,
	"sarif":         0,
	"github-issues": 0,
	"jira":          0,
}

// FormatParts returns the parts of a Result that format's renderer reads.
func FormatParts(format string) Parts {
	if p, ok := formatParts[format]; ok {
		return p
	}
	return AllParts
}
