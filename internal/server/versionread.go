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
//
// It runs on every version read from the database (a result of hundreds
// of kilobytes), so it jumps from quote to quote with bytes.IndexByte
// instead of looking at every byte: whitespace matters only between
// strings, where JSON has only punctuation, numbers and literals.
func canonicalJSON(b []byte) bool {
	if len(b) == 0 || bytes.IndexByte(b, '<') >= 0 || bytes.IndexByte(b, '>') >= 0 || bytes.IndexByte(b, '&') >= 0 {
		return false
	}
scan:
	for i := 0; ; {
		// b[i:] starts outside a string: up to the next quote is
		// structure, which must hold no whitespace.
		q := bytes.IndexByte(b[i:], '"')
		end := len(b)
		if q >= 0 {
			end = i + q
		}
		for _, c := range b[i:end] {
			if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
				return false
			}
		}
		if q < 0 {
			break
		}
		// Skip the string: its closing quote is the first one preceded
		// by an even run of backslashes.
		i = end + 1
		for {
			q := bytes.IndexByte(b[i:], '"')
			if q < 0 {
				break scan // an unterminated string: nothing outside it
			}
			j := i + q
			n := 0
			for k := j - 1; k >= i && b[k] == '\\'; k-- {
				n++
			}
			i = j + 1
			if n%2 == 0 {
				break
			}
		}
	}
	return !bytes.Contains(b, lineSep) && !bytes.Contains(b, paraSep)
}

var lineSep, paraSep = []byte("\u2028"), []byte("\u2029")

// versionFrame is what writeVersion writes before and after the result,
// compact: the keys in encoding/json's (sorted) order, "result" between
// "message" and "sha256".
func versionFrame(v store.Version) (head, tail []byte, err error) {
	before, err := json.Marshal(map[string]any{"author": v.Author, "created_at": v.CreatedAt, "message": v.Message})
	if err != nil {
		return nil, nil, err
	}
	after, err := json.Marshal(map[string]any{"sha256": v.SHA256, "system": v.SystemID, "version": v.Number})
	if err != nil {
		return nil, nil, err
	}
	head = append(before[:len(before)-1], `,"result":`...) // {"author":…,"message":…,"result":
	tail = append([]byte{','}, after[1:]...)               // ,"sha256":…}
	return head, append(tail, '\n'), nil
}

// writeVersion writes a version with its stored result, compact, around
// the metadata of e (versionFrame) when it has them.
func writeVersion(w http.ResponseWriter, e *cachedVersion) error {
	v, head, tail := e.v, e.head, e.tail
	if head == nil {
		var err error
		if head, tail, err = versionFrame(v); err != nil {
			return err
		}
	}
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
