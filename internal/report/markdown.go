package report

import "io"

// Markdown writes the result as a design-doc section.
func Markdown(w io.Writer, r *Result) error {
	_, err := io.WriteString(w, "# Threat model\n")
	return err
}
