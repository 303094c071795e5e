// Package jsonstr appends JSON string literals exactly as encoding/json
// writes them, without reflection: the renderers and exporters that write
// long lists of simple objects use it instead of json.Marshal per value.
// Append escapes as json.Marshal does (HTML characters included);
// AppendNoHTML as an Encoder with SetEscapeHTML(false). Both are checked
// against encoding/json by FuzzAppend.
package jsonstr

import (
	"unicode/utf8"
	"unsafe"
)

const hexDigits = "0123456789abcdef"

// Append appends s as a JSON string, escaped as encoding/json escapes by
// default: quotes, backslashes and control characters, '<', '>' and '&',
// invalid UTF-8 as \ufffd, and U+2028 and U+2029.
func Append(dst []byte, s string) []byte { return appendString(dst, s, true) }

// AppendNoHTML appends s as a JSON string, escaped as encoding/json escapes
// with SetEscapeHTML(false): as Append, but '<', '>' and '&' stay as they are.
func AppendNoHTML(dst []byte, s string) []byte { return appendString(dst, s, false) }

// AppendNoHTMLBytes is AppendNoHTML of string(b), without copying b into
// a string: for text put together in a scratch buffer before it is
// escaped. b must not change during the call, nor share memory with dst's
// spare capacity.
func AppendNoHTMLBytes(dst, b []byte) []byte {
	return appendString(dst, unsafe.String(unsafe.SliceData(b), len(b)), false)
}

func appendString(dst []byte, s string, html bool) []byte {
	// A string shorter than a word (most ids) is tested in one word, its
	// missing bytes made spaces (plain), rather than a byte at a time.
	if n := len(s); n < 8 {
		x := uint64(0x2020202020202020) << (8 * n)
		for j := range n {
			x |= uint64(s[j]) << (8 * j)
		}
		if plain8(x, html) {
			dst = append(dst, '"')
			dst = append(dst, s...)
			return append(dst, '"')
		}
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip eight plain bytes at a time (most text is plain ASCII).
		// The eight bytes are cut first, so that one bounds check covers
		// them and the compiler loads them as one word.
		for len(s)-i >= 8 {
			t := s[i : i+8]
			if !plain8(uint64(t[0])|uint64(t[1])<<8|uint64(t[2])<<16|uint64(t[3])<<24|
				uint64(t[4])<<32|uint64(t[5])<<40|uint64(t[6])<<48|uint64(t[7])<<56, html) {
				break
			}
			i += 8
		}
		// Fewer than eight bytes left (or a word not plain): when the
		// string's last eight bytes are plain, so is all from i on.
		if n := len(s); n-i < 8 && n >= 8 {
			t := s[n-8 : n]
			if plain8(uint64(t[0])|uint64(t[1])<<8|uint64(t[2])<<16|uint64(t[3])<<24|
				uint64(t[4])<<32|uint64(t[5])<<40|uint64(t[6])<<48|uint64(t[7])<<56, html) {
				break
			}
		}
		if i >= len(s) {
			break
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && (!html || b != '<' && b != '>' && b != '&') {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plain8 reports whether none of the eight bytes in x needs escaping or
// decoding: each is at least 0x20 and below 0x80, none is '"' or '\\', and
// with html none is '<', '>' or '&'.
func plain8(x uint64, html bool) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	has := func(c uint64) uint64 { y := x ^ (lsb * c); return (y - lsb) &^ y }
	m := x | (x - lsb*0x20) | has('"') | has('\\')
	if html {
		m |= has('<') | has('>') | has('&')
	}
	return m&msb == 0
}
