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
)

// formatParts says which parts each format's renderer reads; a format not
// listed reads them all.
var formatParts = map[string]Parts{
	"text":          0,
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
