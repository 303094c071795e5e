// Reading a Threagile model's YAML safely: includes resolved inside the
// model's directory, node count and depth bounded before decoding, and
// YAML errors pointing at file and line.

package threagile

import (
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wardtm/ward/internal/interop"
	"github.com/wardtm/ward/internal/spec"
)

// maxIncludes bounds how many files a model may include, in all.
const maxIncludes = 256

// resolveIncludes merges the files named by includes: (recursively,
// relative to the including file, inside dir) into root, as Threagile
// does: entries of the sections that are mappings are added (an id defined
// twice is an error), lists are appended, other values kept from the first
// file that sets them. It returns the files read.
func resolveIncludes(opt interop.Options, name string, root *yaml.Node) ([]string, error) {
	top := root
	if top.Kind == yaml.DocumentNode && len(top.Content) > 0 {
		top = top.Content[0]
	}
	if top.Kind != yaml.MappingNode || lookupKey(top, "includes") == nil {
		return nil, nil
	}
	if opt.Root == nil {
		return nil, interop.Inputf(name, "import the file from disk (ward import PATH) so its included files can be read",
			"this Threagile model includes other files")
	}
	origin := map[string]string{} // section/key → file that defined it
	for _, p := range pairs(top) {
		if sub := pairs(p.val); p.val.Kind == yaml.MappingNode {
			for _, e := range sub {
				origin[p.key+"/"+e.key] = name
			}
		}
	}
	var read []string
	seen := map[string]bool{path.Clean(filepath.ToSlash(filepath.Base(name))): true}
	var walk func(from string, n *yaml.Node) error
	walk = func(from string, n *yaml.Node) error {
		inc := lookupKey(n, "includes")
		removeKey(n, "includes")
		if inc == nil {
			return nil
		}
		if inc.Kind != yaml.SequenceNode {
			return &interop.InputError{File: from, Line: inc.Line, Col: inc.Column, Msg: "includes must be a list of file names"}
		}
		for _, f := range inc.Content {
			rel := path.Join(path.Dir(from), filepath.ToSlash(f.Value))
			if f.Kind != yaml.ScalarNode || f.Value == "" || path.IsAbs(filepath.ToSlash(f.Value)) || !filepath.IsLocal(rel) {
				return &interop.InputError{File: from, Line: f.Line, Col: f.Column, Msg: fmt.Sprintf("include %q is outside the model's directory", f.Value),
					Hint: "included files must sit in the model's directory or below it"}
			}
			if seen[rel] {
				continue
			}
			seen[rel] = true
			if len(read) >= maxIncludes {
				return &interop.InputError{File: from, Line: f.Line, Col: f.Column, Msg: fmt.Sprintf("more than %d included files", maxIncludes)}
			}
			data, err := readInside(opt, rel)
			if errors.Is(err, interop.ErrTooLarge) {
				return err
			}
			if err != nil {
				return &interop.InputError{File: from, Line: f.Line, Col: f.Column, Msg: fmt.Sprintf("include %q: %v", f.Value, err),
					Hint: "included files must sit in the model's directory or below it"}
			}
			read = append(read, rel)
			doc, err := spec.ParseYAML(data)
			if err != nil {
				return yamlError(rel, err)
			}
			if doc.Kind == 0 {
				continue
			}
			sub := doc.Content[0]
			if sub.Kind != yaml.MappingNode {
				return &interop.InputError{File: rel, Line: sub.Line, Col: sub.Column, Msg: "an included Threagile file is a YAML mapping"}
			}
			if err := walk(rel, sub); err != nil {
				return err
			}
			for _, p := range pairs(sub) {
				have := lookupKey(top, p.key)
				switch {
				case have == nil || have.Kind == yaml.ScalarNode && have.Tag == "!!null":
					removeKey(top, p.key)
					top.Content = append(top.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: p.key}, p.val)
					for _, e := range pairs(p.val) {
						origin[p.key+"/"+e.key] = rel
					}
				case have.Kind == yaml.MappingNode && p.val.Kind == yaml.MappingNode:
					for i := 0; i+1 < len(p.val.Content); i += 2 {
						k := p.val.Content[i].Value
						if o, dup := origin[p.key+"/"+k]; dup {
							return &interop.InputError{File: rel, Line: p.val.Content[i].Line, Col: p.val.Content[i].Column,
								Msg: fmt.Sprintf("%s %q is also defined in %s", p.key, k, o)}
						}
						origin[p.key+"/"+k] = rel
						have.Content = append(have.Content, p.val.Content[i], p.val.Content[i+1])
					}
				case have.Kind == yaml.SequenceNode && p.val.Kind == yaml.SequenceNode:
					have.Content = append(have.Content, p.val.Content...)
				}
			}
		}
		return nil
	}
	if err := walk(path.Clean(filepath.ToSlash(filepath.Base(name))), top); err != nil {
		return nil, err
	}
	return read, nil
}

// readInside reads a file of opt.Root, bounded by opt.Limit; os.Root
// refuses paths and symbolic links that leave it.
func readInside(opt interop.Options, rel string) ([]byte, error) {
	f, err := opt.Root.Open(filepath.FromSlash(rel))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, opt.Limit()+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > opt.Limit() {
		size := int64(-1)
		if fi, err := f.Stat(); err == nil && fi.Size() > opt.Limit() {
			size = fi.Size()
		}
		return nil, opt.TooLarge(rel, size)
	}
	return data, nil
}

func lookupKey(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func removeKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// bounded walks n, expanding aliases, and reports whether it stays within
// the depth and node budget; when not, it returns the node where it stopped.
func bounded(n *yaml.Node, depth int, budget *int) (*yaml.Node, bool) {
	*budget--
	if *budget < 0 || depth > MaxDepth {
		return n, false
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return n, true
		}
		return bounded(n.Alias, depth+1, budget)
	}
	for _, c := range n.Content {
		if at, ok := bounded(c, depth+1, budget); !ok {
			return at, false
		}
	}
	return n, true
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlError(name string, err error) error {
	e := &interop.InputError{File: name, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: "), Hint: "is this a Threagile model (threagile.yaml)?"}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscan(m[1], &e.Line)
	}
	return e
}

func decodeError(name string, at *yaml.Node, err error) error {
	e := &interop.InputError{File: name, Line: at.Line, Col: at.Column, Msg: "unexpected shape: " + strings.TrimPrefix(err.Error(), "yaml: "),
		Hint: "check the value against the Threagile model format"}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscan(m[1], &e.Line)
		e.Col = 0
	}
	return e
}
