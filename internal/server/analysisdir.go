package server

import (
	"maps"
	"os"
	"path"
	"sync"
	"time"
)

// An analysis reads a bundle from files (spec.Load, includes confined by
// os.Root), in a private temporary directory. Making one, writing every
// file and removing it all again was about 1 ms of CPU a write (issue 13:
// a dozen system calls a file). A directory is now kept after an analysis
// and reused by the next one whose bundle has the same file names: only
// the files whose content differs are written again (a push or a decision
// usually changes one). A bundle with other names gets a fresh directory,
// so no file of another bundle can be read. A directory is retired after
// analysisDirAge, far below the age at which SweepTemp removes the
// directories of a killed process, and after any failure to write it.

const (
	// analysisDirAge is how long a directory is reused.
	analysisDirAge = time.Minute
	// analysisDirsIdle bounds the directories kept between analyses.
	analysisDirsIdle = 8
)

// analysisDir is a temporary directory holding a bundle's files.
type analysisDir struct {
	path  string
	root  *os.Root
	files map[string]string // what it holds, by name
	made  time.Time
	// open are the files update rewrote, kept open: rewriting one in
	// place (pwrite, ftruncate) saves opening and closing it and freeing
	// its pages only to allocate them again (O_TRUNC).
	open map[string]*os.File
}

// analysisDirs are the directories kept for reuse.
type analysisDirs struct {
	mu   sync.Mutex
	idle []*analysisDir
}

// take returns a directory holding exactly files.
func (ds *analysisDirs) take(files map[string]string) (*analysisDir, error) {
	ds.mu.Lock()
	var d *analysisDir
	for i := len(ds.idle) - 1; i >= 0; i-- {
		if sameNames(ds.idle[i].files, files) {
			d = ds.idle[i]
			ds.idle = append(ds.idle[:i], ds.idle[i+1:]...)
			break
		}
	}
	ds.mu.Unlock()
	if d != nil {
		if err := d.update(files); err == nil {
			return d, nil
		}
		d.remove()
	}
	return newAnalysisDir(files)
}

// put keeps d for the next analysis, or removes it.
func (ds *analysisDirs) put(d *analysisDir) {
	if d.files != nil && time.Since(d.made) < analysisDirAge {
		ds.mu.Lock()
		if len(ds.idle) < analysisDirsIdle {
			ds.idle = append(ds.idle, d)
			d = nil
		}
		ds.mu.Unlock()
	}
	if d != nil {
		d.remove()
	}
}

func sameNames(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			return false
		}
	}
	return true
}

func newAnalysisDir(files map[string]string) (*analysisDir, error) {
	dir, err := os.MkdirTemp("", TempPrefix+"*")
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	d := &analysisDir{path: dir, root: root, made: time.Now()}
	for name, content := range files {
		if p := path.Dir(name); p != "." {
			if err := root.MkdirAll(p, 0o700); err != nil {
				d.remove()
				return nil, err
			}
		}
		if err := root.WriteFile(name, []byte(content), 0o600); err != nil {
			d.remove()
			return nil, err
		}
	}
	d.files = maps.Clone(files) // the caller's map may change
	return d, nil
}

// update writes the files whose content differs from what d holds (the
// same names). A failure leaves d unusable.
func (d *analysisDir) update(files map[string]string) error {
	held := d.files
	d.files = nil
	for name, content := range files {
		if held[name] == content {
			continue
		}
		if err := d.rewrite(name, content); err != nil {
			return err
		}
	}
	d.files = maps.Clone(files)
	return nil
}

// rewrite replaces the content of the file name, which d holds, in place.
func (d *analysisDir) rewrite(name, content string) error {
	f := d.open[name]
	if f == nil {
		var err error
		if f, err = d.root.OpenFile(name, os.O_WRONLY, 0); err != nil {
			return err
		}
		if d.open == nil {
			d.open = map[string]*os.File{}
		}
		d.open[name] = f
	}
	if _, err := f.WriteAt([]byte(content), 0); err != nil {
		return err
	}
	return f.Truncate(int64(len(content)))
}

func (d *analysisDir) remove() {
	for _, f := range d.open {
		f.Close()
	}
	d.root.Close()
	os.RemoveAll(d.path)
}
