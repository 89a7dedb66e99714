package hub

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"fieldsync/records"
)

// readJSONText reads a JSON request body of at most limit bytes. Text that is
// not valid UTF-8 (or a \u escape of a lone UTF-16 surrogate) is refused:
// encoding/json would silently replace it with U+FFFD, so the hub would act
// on, and keep, a value nobody typed. On refusal it answers 400, naming the
// field when it can be told, and returns false.
func readJSONText(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	lang := apiLang(r)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		apiError(w, http.StatusBadRequest, "", records.Message(lang, records.KeyBadJSON))
		return nil, false
	}
	if !badText(body) {
		return body, true
	}
	field := badTextField(body)
	msg := msg2(lang, "请求含有无效字符（不是有效的 UTF-8 文本）", "The request holds invalid characters (not valid UTF-8 text)")
	if field != "" {
		msg = records.FieldLabel(lang, field) + msg2(lang, "含有无效字符（不是有效的 UTF-8 文本），请检查后重新输入",
			" holds invalid characters (not valid UTF-8 text); please check it and type it again")
	}
	apiError(w, http.StatusBadRequest, field, msg)
	return nil, false
}

// badText reports bytes that are not valid UTF-8, or a \u escape of a lone
// UTF-16 surrogate: what encoding/json decodes as U+FFFD.
func badText(b []byte) bool {
	return !utf8.Valid(b) || loneSurrogate(b)
}

// badTextField names the top-level field of a JSON object whose value holds
// bad text (the first in name order); "" when the body is not an object or
// the bad text is in a name.
func badTextField(body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	var bad []string
	for k, v := range m { // a RawMessage holds the bytes as sent
		if badText(v) && !strings.ContainsRune(k, utf8.RuneError) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	return slices.Min(bad)
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
