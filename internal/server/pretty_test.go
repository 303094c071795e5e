package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// TestPrettyJSON checks that JSON responses are compact unless a GET asks
// for ?pretty, and that both carry the same document.
func TestPrettyJSON(t *testing.T) {
	e := newEnv(t)
	body := func(path string) []byte {
		t.Helper()
		resp := e.do(http.MethodGet, path, "", nil)
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	compact, pretty := body("/api/v1/version"), body("/api/v1/version?pretty")
	if bytes.Contains(bytes.TrimSpace(compact), []byte("\n")) {
		t.Errorf("default response is not compact:\n%s", compact)
	}
	if !bytes.Contains(pretty, []byte("{\n  \"")) {
		t.Errorf("?pretty response is not indented:\n%s", pretty)
	}
	var want bytes.Buffer
	if err := json.Indent(&want, bytes.TrimSpace(compact), "", "  "); err != nil {
		t.Fatal(err)
	}
	if got := bytes.TrimSpace(pretty); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("?pretty is not the indented default:\n%s\nwant\n%s", got, want.Bytes())
	}
}
