package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/wardtm/ward/internal/store"
)

// A version's analysis is stored once, when the version is pushed, in its
// canonical form: the compact JSON json.Marshal writes (HTML characters
// escaped). A version read serves those bytes as they are, inside the
// version's metadata, instead of decoding and re-encoding the whole
// analysis (hundreds of kilobytes for a large model) on every request. The
// response is byte for byte what encoding/json writes for the metadata map
// with the result as a json.RawMessage (TestVersionReadIsEncodingJSON).

// canonicalJSON reports whether a stored result can be served as it is:
// encoding/json, compacting a RawMessage with HTML escaping, would write
// it unchanged, because it has no whitespace outside strings (none at all
// when it was stored by json.Marshal) and no raw <, >, &, U+2028 or U+2029.
// Anything else takes the re-encoding path.
func canonicalJSON(b []byte) bool {
	if len(b) == 0 || bytes.ContainsAny(b, "<>&") ||
		bytes.Contains(b, []byte("\u2028")) || bytes.Contains(b, []byte("\u2029")) {
		return false
	}
	in := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\n' || c == '\r' || c == '\t'):
			return false
		}
	}
	return true
}

// writeVersion writes a version with its stored result, compact: the keys
// in encoding/json's (sorted) order, "result" between "message" and
// "sha256".
func writeVersion(w http.ResponseWriter, v store.Version) error {
	before, err := json.Marshal(map[string]any{"author": v.Author, "created_at": v.CreatedAt, "message": v.Message})
	if err != nil {
		return err
	}
	after, err := json.Marshal(map[string]any{"sha256": v.SHA256, "system": v.SystemID, "version": v.Number})
	if err != nil {
		return err
	}
	head := append(before[:len(before)-1], `,"result":`...) // {"author":…,"message":…,"result":
	tail := append([]byte{','}, after[1:]...)               // ,"sha256":…}
	tail = append(tail, '\n')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(head)+len(v.Result)+len(tail)))
	w.WriteHeader(http.StatusOK)
	// Write errors mean the client went away; there is no one to tell.
	if _, err := w.Write(head); err == nil {
		if _, err := w.Write(v.Result); err == nil {
			_, _ = w.Write(tail)
		}
	}
	return nil
}
