package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"text/template"

	"github.com/wardtm/ward/internal/spec"
)

//go:embed templates/*.yaml
var templateFS embed.FS

// Template is a common shape of system to start a model from.
type Template struct {
	// Name is the template's key (its file name without .yaml).
	Name string
	// Title and Description are shown to people choosing one.
	Title, Description string
}

// Templates lists the templates, in the order to offer them.
var Templates = []Template{
	{"web-app", "Web app + API + database", "A browser front end, an API service and its database, reachable from the internet."},
	{"event-pipeline", "Event pipeline", "Producers publish events to a queue; a worker consumes them into a data store."},
	{"llm-feature", "LLM feature", "An assistant that answers users with a hosted LLM and documents retrieved from your store."},
}

// FromTemplate writes a model from the named template for the system id,
// name and team.
func FromTemplate(name, id, sysName, team string) ([]byte, error) {
	known := false
	for _, t := range Templates {
		known = known || t.Name == name
	}
	if !known {
		return nil, fmt.Errorf("no template %q", name)
	}
	if !IDPattern.MatchString(id) {
		return nil, fmt.Errorf("%q is not a valid system id: use letters, digits, '-', '_' and '.', starting with a letter or digit", id)
	}
	if team != "" && !IDPattern.MatchString(team) {
		return nil, fmt.Errorf("%q is not a valid team id", team)
	}
	if sysName == "" {
		sysName = Title(id)
	}
	src, err := templateFS.ReadFile("templates/" + name + ".yaml")
	if err != nil {
		return nil, err
	}
	t, err := template.New(name).Parse(string(src))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// Name goes in comments unquoted (one line) and in the model quoted.
	data := struct{ ID, Name, Quoted, Team string }{id, oneLine(sysName), Quote(oneLine(sysName)), team}
	if err := t.Execute(&buf, data); err != nil {
		return nil, err
	}
	if _, _, err := spec.Parse(name+".yaml", buf.Bytes()); err != nil {
		return nil, fmt.Errorf("template %s does not load: %w", name, err)
	}
	return buf.Bytes(), nil
}

func oneLine(s string) string {
	return string(bytes.Join(bytes.Fields([]byte(s)), []byte(" ")))
}
