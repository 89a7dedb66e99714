// Package jsontext finds, in a JSON request body, text that encoding/json
// would silently replace with U+FFFD: bytes that are not valid UTF-8, and
// \u escapes of lone UTF-16 surrogates. The station and the hub refuse such
// bodies rather than act on, and keep, a value nobody typed.
package jsontext

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bad reports whether body holds text encoding/json would replace, and names
// the top-level field of a JSON object whose value holds it (the first in
// name order); the field is "" when the body is not an object or the bad
// text is in a name.
func Bad(body []byte) (bad bool, field string) {
	if !badText(body) {
		return false, ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return true, ""
	}
	var fields []string
	for k, v := range m { // a RawMessage holds the bytes as sent
		if badText(v) && !strings.ContainsRune(k, utf8.RuneError) {
			fields = append(fields, k)
		}
	}
	if len(fields) == 0 {
		return true, ""
	}
	return true, slices.Min(fields)
}

// badText reports bytes that are not valid UTF-8, or a \u escape of a lone
// UTF-16 surrogate: what encoding/json decodes as U+FFFD.
func badText(b []byte) bool {
	return !utf8.Valid(b) || loneSurrogate(b)
}

// loneSurrogate reports a \uD800–\uDFFF escape that is not half of a
// surrogate pair. A backslash is only valid JSON inside a string, where it
// always starts an escape, so the bytes need no further parsing.
func loneSurrogate(b []byte) bool {
	hex4 := func(i int) (rune, bool) {
		if i+4 > len(b) {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[i:i+4]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		i++ // the escaped character: a quote or a backslash is skipped with it
		if i >= len(b) || b[i] != 'u' {
			continue
		}
		r, ok := hex4(i + 1)
		if !ok {
			continue
		}
		i += 4
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		case r >= 0xD800 && r <= 0xDBFF:
			if i+2 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
				if r2, ok := hex4(i + 3); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
					i += 6
					continue
				}
			}
			return true
		}
	}
	return false
}
