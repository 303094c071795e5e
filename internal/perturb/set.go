package perturb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ModelFile is the name of the files Set rewrites; every other file is
// copied unchanged (reference.yaml, README.md, imported models).
const ModelFile = "ward.yaml"

// Set copies the tree src to dst, rewriting every ward.yaml under ps, and
// returns how many models it rewrote. dst must not exist yet or be empty,
// and must not lie inside src.
func Set(src, dst string, ps []Perturbation) (int, error) {
	if fi, err := os.Stat(src); err != nil {
		return 0, err
	} else if !fi.IsDir() {
		return 0, fmt.Errorf("%s is not a directory (give a set directory holding case directories)", src)
	}
	absSrc, err := filepath.Abs(src)
	if err != nil {
		return 0, err
	}
	absDst, err := filepath.Abs(dst)
	if err != nil {
		return 0, err
	}
	if rel, err := filepath.Rel(absSrc, absDst); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
		return 0, fmt.Errorf("output %s lies inside the set %s: choose a directory outside it", dst, src)
	}
	if ents, err := os.ReadDir(dst); err == nil && len(ents) > 0 {
		return 0, fmt.Errorf("output %s is not empty: remove it or choose another", dst)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	n := 0
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if d.Name() == ModelFile {
			if data, err = Apply(data, ps); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			n++
		}
		return os.WriteFile(out, data, 0o644)
	})
	return n, err
}
