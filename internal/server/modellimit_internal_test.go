package server

import (
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/spec"
	"github.com/wardtm/ward/internal/store/sqlstore"
)

// TestServerModelFileLimit: the server loads a model with spec's default
// bound (64 MiB a file), not the CLI's 1 GiB: a bundle file just over it
// is refused as an invalid model, with no --max-input hint (the flag is
// the CLI's). Bundles that large are refused earlier still by the request
// bound (Config.MaxBodyBytes); this is the loader's own bound behind it.
func TestServerModelFileLimit(t *testing.T) {
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := New(Config{}, st, slog.New(slog.DiscardHandler))
	big := "ward: 1\nsystem: {id: s, name: S}\ndescription: |\n  " + strings.Repeat("x", spec.MaxFileBytes) + "\n"
	_, _, err = s.analyseFiles(t.Context(), Bundle{Main: "ward.yaml", Files: map[string]string{"ward.yaml": big}})
	var ds spec.Diagnostics
	if !errors.As(err, &ds) || !strings.Contains(err.Error(), "over the 64 MiB limit — split the model with include") ||
		strings.Contains(err.Error(), "--max-input") {
		t.Fatalf("a model file over 64 MiB: %v", err)
	}
}
