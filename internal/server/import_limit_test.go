package server

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/wardtm/ward/internal/interop"
)

// TestImportModelBounded: the web editor's import refuses a file over its
// request bound, which sits under the importers' default (64 MiB, the
// server's bound; ward import's larger limit is the CLI's alone).
func TestImportModelBounded(t *testing.T) {
	if maxEditorBytes > interop.MaxInputBytes {
		t.Fatalf("the editor takes %d bytes, over the importers' %d", maxEditorBytes, interop.MaxInputBytes)
	}
	_, _, err := importModel(newSystemRequest{From: "import", FileName: "big.tc.json", Content: strings.Repeat(" ", maxEditorBytes+1)})
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusRequestEntityTooLarge || e.Code != "too_large" {
		t.Errorf("a file over the limit: %v", err)
	}
}
