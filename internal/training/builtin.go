package training

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"
)

//go:embed exercises/*.yaml
var builtinFS embed.FS

// builtin parses the shipped exercises once.
var builtin = sync.OnceValues(func() ([]*Exercise, error) {
	names, err := fs.Glob(builtinFS, "exercises/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Exercise
	for _, n := range names {
		data, err := builtinFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		x, err := Parse(path.Base(n), data)
		if err != nil {
			return nil, fmt.Errorf("built-in exercise %s: %w", n, err)
		}
		out = append(out, x)
	}
	return out, nil
})

// Builtin returns the exercises shipped with Ward, sorted by file name. An
// error is a broken built-in exercise: a bug the package's tests catch.
func Builtin() ([]*Exercise, error) { return builtin() }

// Lookup returns the built-in exercise with the id, or nil.
func Lookup(id string) *Exercise {
	xs, _ := builtin()
	for _, x := range xs {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// Source returns the YAML of a built-in exercise, for `ward training show --yaml`.
func Source(id string) ([]byte, error) {
	return builtinFS.ReadFile("exercises/" + id + ".yaml")
}
