package report

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Options tune rendering for the formats that take options.
type Options struct {
	Text    TextOptions
	Tracker TrackerOptions
}

// renderers maps every report format to its renderer. Each is a handler over
// the same canonical Result.
var renderers = map[string]func(w io.Writer, r *Result, opt Options) error{
	"text":          func(w io.Writer, r *Result, opt Options) error { return Text(w, r, opt.Text) },
	"markdown":      func(w io.Writer, r *Result, _ Options) error { return Markdown(w, r) },
	"json":          func(w io.Writer, r *Result, _ Options) error { return JSON(w, r) },
	"sarif":         func(w io.Writer, r *Result, _ Options) error { return SARIF(w, r) },
	"csv":           func(w io.Writer, r *Result, _ Options) error { return CSV(w, r) },
	"github-issues": func(w io.Writer, r *Result, opt Options) error { return GitHubIssues(w, r, opt.Tracker) },
	"jira":          func(w io.Writer, r *Result, opt Options) error { return Jira(w, r, opt.Tracker) },
	"html":          func(w io.Writer, r *Result, _ Options) error { return HTML(context.Background(), w, r) },
}

// Formats lists the report formats, sorted.
func Formats() []string {
	out := make([]string, 0, len(renderers))
	for k := range renderers {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// UnknownFormatError names a format that does not exist.
type UnknownFormatError struct{ Format string }

func (e UnknownFormatError) Error() string {
	return fmt.Sprintf("unknown format %q: use %s", e.Format, strings.Join(Formats(), ", "))
}

// Render writes r in the named format.
func Render(w io.Writer, format string, r *Result, opt Options) error {
	fn := renderers[format]
	if fn == nil {
		return UnknownFormatError{format}
	}
	return fn(w, r, opt)
}
