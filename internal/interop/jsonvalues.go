package interop

import "strconv"

// The JSON reader's values as encoding/json stores them in interfaces,
// maps and pointers (JSONR's structure is in jsonread.go).

// Any reads a value as encoding/json stores it in an interface: nil, bool,
// float64, string, []any or map[string]any.
func (r *JSONR) Any() any {
	switch c := r.peek(); {
	case c == 'n':
		r.literal("null")
		return nil
	case c == 't':
		r.literal("true")
		return true
	case c == 'f':
		r.literal("false")
		return false
	case c == '"':
		return r.Str()
	case c == '-' || c >= '0' && c <= '9':
		f, err := strconv.ParseFloat(string(r.number()), 64)
		if err != nil {
			r.Refuse()
		}
		return f
	case c == '[':
		out := []any{}
		r.Array(func() { out = append(out, r.Any()) })
		return out
	case c == '{':
		r.i++
		r.enter()
		defer r.leave()
		m := map[string]any{}
		if r.peek() == '}' {
			r.i++
			return m
		}
		for {
			if r.peek() != '"' {
				r.Refuse()
			}
			k := r.Str()
			if r.peek() != ':' {
				r.Refuse()
			}
			r.i++
			m[k] = r.Any()
			switch r.peek() {
			case ',':
				r.i++
			case '}':
				r.i++
				return m
			default:
				r.Refuse()
			}
		}
	}
	r.Refuse()
	return nil
}

// MapInto reads an object into a map[string]any as encoding/json does:
// null makes it nil, an object a new map (empty for {}).
func (r *JSONR) MapInto(dst *map[string]any) {
	if r.Null() {
		*dst = nil
		return
	}
	if r.peek() != '{' {
		r.Refuse()
	}
	m, _ := r.Any().(map[string]any)
	*dst = m
}

// AnysInto reads an array into a []any: null makes it nil, [] empty.
func (r *JSONR) AnysInto(dst *[]any) {
	if r.Null() {
		*dst = nil
		return
	}
	if r.peek() != '[' {
		r.Refuse()
	}
	l, _ := r.Any().([]any)
	*dst = l
}

// StrPtrs reads an array of strings into a []*string: null makes it nil, a
// null item a nil pointer.
func (r *JSONR) StrPtrs(dst *[]*string) {
	var out []*string
	if !r.Array(func() {
		if r.Null() {
			out = append(out, nil)
			return
		}
		s := r.Str()
		out = append(out, &s)
	}) {
		*dst = nil
		return
	}
	if out == nil {
		out = []*string{}
	}
	*dst = out
}

// FloatPtr reads a number into *dst, a new float64; null makes it nil.
func (r *JSONR) FloatPtr(dst **float64) {
	if r.Null() {
		*dst = nil
		return
	}
	var f float64
	r.FloatInto(&f)
	*dst = &f
}

// BoolPtr reads true or false into *dst, a new bool; null makes it nil.
func (r *JSONR) BoolPtr(dst **bool) {
	if r.Null() {
		*dst = nil
		return
	}
	var b bool
	switch r.peek() {
	case 't':
		r.literal("true")
		b = true
	case 'f':
		r.literal("false")
	default:
		r.Refuse()
	}
	*dst = &b
}

// BoolInto reads true or false into *dst; null leaves it as it was.
func (r *JSONR) BoolInto(dst *bool) {
	switch r.peek() {
	case 'n':
		r.literal("null")
	case 't':
		r.literal("true")
		*dst = true
	case 'f':
		r.literal("false")
		*dst = false
	default:
		r.Refuse()
	}
}
