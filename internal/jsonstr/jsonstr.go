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

// PlainNoHTML reports whether AppendNoHTML writes s as it is between
// quotes (no byte of it escaped or replaced).
func PlainNoHTML(s string) bool { return plain(s, false) }

func appendString(dst []byte, s string, html bool) []byte {
	// Most strings (ids, names, sentences of ASCII) need no escape: they
	// are tested a word or two at a time and copied whole.
	if plain(s, html) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
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

// plain reports whether no byte of s needs escaping or decoding (plain8).
// A string of four bytes or more is read in words that may overlap (the
// last word ends at the string's end): sixteen bytes a step, one test at
// the end, as a string that needs escaping is rare and is read again by
// appendString's loop.
func plain(s string, html bool) bool {
	n := len(s)
	switch {
	case n >= 8:
		var m uint64
		i := 0
		for ; n-i >= 16; i += 16 {
			m |= mask8(word(s[i:]), html) | mask8(word(s[i+8:]), html)
		}
		if n-i >= 8 {
			m |= mask8(word(s[i:]), html)
		}
		return (m|mask8(word(s[n-8:]), html))&msb == 0
	case n >= 4:
		return mask8(uint64(half(s))|uint64(half(s[n-4:]))<<32, html)&msb == 0
	}
	// Fewer than four bytes: the missing bytes made spaces (plain).
	x := uint64(0x2020202020202020) << (8 * n)
	for j := range n {
		x |= uint64(s[j]) << (8 * j)
	}
	return plain8(x, html)
}

// word is the first eight bytes of t (at least eight long), little-endian:
// the compiler loads them as one word.
func word(t string) uint64 {
	t = t[:8]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}

// half is the first four bytes of t (at least four long), little-endian.
func half(t string) uint32 {
	t = t[:4]
	return uint32(t[0]) | uint32(t[1])<<8 | uint32(t[2])<<16 | uint32(t[3])<<24
}

const lsb, msb = 0x0101010101010101, 0x8080808080808080

// mask8 has the high bit of each byte of x set that needs escaping or
// decoding (and maybe of bytes after one that does): plain8.
func mask8(x uint64, html bool) uint64 {
	has := func(c uint64) uint64 { y := x ^ (lsb * c); return (y - lsb) &^ y }
	m := x | (x - lsb*0x20) | has('"') | has('\\')
	if html {
		m |= has('<') | has('>') | has('&')
	}
	return m
}

// plain8 reports whether none of the eight bytes in x needs escaping or
// decoding: each is at least 0x20 and below 0x80, none is '"' or '\\', and
// with html none is '<', '>' or '&'.
func plain8(x uint64, html bool) bool { return mask8(x, html)&msb == 0 }
