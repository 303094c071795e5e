package server

import (
	"os"
	"path/filepath"
	"testing"
)

// TestAnalysisDirsReuse: a kept directory holds exactly the next bundle's
// files — changed contents rewritten, and a bundle with other names gets
// a directory of its own.
func TestAnalysisDirsReuse(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var ds analysisDirs
	read := func(d *analysisDir, name string) string {
		data, err := os.ReadFile(filepath.Join(d.path, filepath.FromSlash(name)))
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(data)
	}
	a := map[string]string{"ward.yaml": "one\n", "inc/x.yaml": "x\n"}
	d, err := ds.take(a)
	if err != nil {
		t.Fatal(err)
	}
	first := d.path
	ds.put(d)
	a["ward.yaml"] = "changed after the analysis\n" // the caller's map is not the record
	b := map[string]string{"ward.yaml": "two\n", "inc/x.yaml": "x\n"}
	d, err = ds.take(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.path != first || read(d, "ward.yaml") != "two\n" || read(d, "inc/x.yaml") != "x\n" {
		t.Fatalf("reused %v: %q %q", d.path == first, read(d, "ward.yaml"), read(d, "inc/x.yaml"))
	}
	ds.put(d)
	c := map[string]string{"ward.yaml": "three\n"}
	d, err = ds.take(c)
	if err != nil {
		t.Fatal(err)
	}
	if d.path == first {
		t.Fatal("a bundle with other file names reused a directory")
	}
	if _, err := os.Stat(filepath.Join(d.path, "inc")); !os.IsNotExist(err) {
		t.Fatalf("another bundle's files are visible: %v", err)
	}
	ds.put(d)
	d, _ = ds.take(b) // still the first, with b's contents
	if d.path != first || read(d, "ward.yaml") != "two\n" {
		t.Fatalf("second reuse: %v %q", d.path == first, read(d, "ward.yaml"))
	}
	d.made = d.made.Add(-2 * analysisDirAge)
	ds.put(d) // too old: removed
	if _, err := os.Stat(first); !os.IsNotExist(err) || len(ds.idle) != 1 {
		t.Fatalf("an old directory was kept: %v, %d idle", err, len(ds.idle))
	}
}
