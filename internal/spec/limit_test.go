package spec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadOptionsLimits: LoadWith bounds each file by the caller's
// MaxFileBytes, an included file too, and the files together by four times
// as much; the hint, when given, comes before "split the model with
// include", and Load keeps MaxFileBytes.
func TestLoadOptionsLimits(t *testing.T) {
	dir := t.TempDir()
	pad := "# " + strings.Repeat("x", 900) + "\n" // each included file is ~900 bytes
	main := "ward: 1\nsystem: {id: s, name: S}\ninclude: [a.yaml, b.yaml, c.yaml, d.yaml, e.yaml]\n"
	files := map[string]string{"ward.yaml": main}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		files[n+".yaml"] = "ward: 1\n" + pad // 911 bytes; with ward.yaml (83), 4,638 together
	}
	for name, s := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "ward.yaml")
	hint := func(int64) string { return "pass more" }
	for _, tt := range []struct {
		limit int64
		want  string // "" loads
	}{
		{0, ""},
		{1200, ""},
		{1000, "e.yaml: the model's files add up to more than 4000 bytes — split it into several models"},
		{900, "a.yaml: the file is 911 bytes, over the 900 bytes limit — pass more, or split the model with include"},
		{50, "ward.yaml: the file is 83 bytes, over the 50 bytes limit — pass more, or split the model with include"},
	} {
		_, err := LoadWith(context.Background(), file, LoadOptions{MaxFileBytes: tt.limit, Hint: hint})
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("limit %d: %v, want %q", tt.limit, err, tt.want)
		}
	}
}
