package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/wardtm/ward/internal/store"
)

var randRead = rand.Read

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// decodeJSON reads a JSON request body strictly: the right content type,
// no unknown fields, one value.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json")
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return errorf(http.StatusBadRequest, "invalid_json", "the request body is empty; send a JSON object")
		case errors.As(err, &se):
			return errorf(http.StatusBadRequest, "invalid_json", "malformed JSON at byte %d", se.Offset)
		case errors.As(err, &te):
			return errorf(http.StatusBadRequest, "invalid_json", "field %q must be %s", te.Field, te.Type)
		}
		return errorf(http.StatusBadRequest, "invalid_json", "%v", err)
	}
	if dec.More() {
		return errorf(http.StatusBadRequest, "invalid_json", "send one JSON object")
	}
	return nil
}

// page reads limit and offset query parameters.
func page(r *http.Request) (store.Page, error) {
	var p store.Page
	q := r.URL.Query()
	for _, f := range []struct {
		name string
		dst  *int
	}{{"limit", &p.Limit}, {"offset", &p.Offset}} {
		if v := q.Get(f.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return p, errorf(http.StatusBadRequest, "invalid_query", "%s must be a non-negative number", f.name)
			}
			*f.dst = n
		}
	}
	if p.Limit > 500 {
		return p, errorf(http.StatusBadRequest, "invalid_query", "limit must be at most 500")
	}
	return p.Normal(), nil
}

// list is the JSON shape of every paginated list.
type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

func writeList[T any](w http.ResponseWriter, items []T, total int, p store.Page) {
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, list[T]{Items: items, Total: total, Limit: p.Limit, Offset: p.Offset})
}

func userJSON(u store.User) map[string]any {
	return map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role, "team": u.TeamID, "disabled": u.Disabled,
		"created_at": u.CreatedAt}
}

var _ = fmt.Sprintf
