// Package jsontest holds the check the importers' tests and fuzz targets
// share: a reader written on interop.JSONR must decode what it accepts
// exactly as encoding/json does.
package jsontest

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/wardtm/ward/internal/interop"
)

// Check compares read with encoding/json on data: whenever read accepts
// the document, json.Unmarshal must decode it without error to the same
// value of T. It reports whether read accepted it.
func Check[T any](t testing.TB, data []byte, read func(*interop.JSONR, *T)) bool {
	t.Helper()
	var got T
	if !interop.FastJSON(data, func(r *interop.JSONR) { read(r, &got) }) {
		return false
	}
	var want T
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("reader accepted what encoding/json rejects (%v):\n%q", err, data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodes differ on %q:\nreader %#v\njson   %#v", data, got, want)
	}
	return true
}
