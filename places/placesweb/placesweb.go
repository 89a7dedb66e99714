// Package placesweb serves place search as JSON (GET /api/places?q=), one
// handler that the station's and the hub's APIs mount behind their own
// sign-in; its errors are the shared JSON error shape, naming the field q.
package placesweb

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/webkit"
)

// Limit is how many places one answer holds at most: enough for a picker's
// list while typing, best first.
const Limit = 20

// MaxQueryRunes bounds q; no place's name or code is longer than a query
// worth searching for.
const MaxQueryRunes = 50

// Handler answers GET ?q= with at most Limit places, [{"code", "name",
// "level", "path"}], whose name holds q or whose code starts with q (see
// places.Search), best first; [] when none does. A q that is empty (after
// trimming), longer than MaxQueryRunes or not UTF-8 is a 400 naming q, in
// the language lang gives for the request ("en", else Chinese).
func Handler(lang func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		var fe *records.FieldError
		switch {
		case !utf8.ValidString(q):
			fe = &records.FieldError{Field: "q", Key: records.KeyBadValue}
		case q == "":
			fe = &records.FieldError{Field: "q", Key: records.KeyRequired}
		case utf8.RuneCountInString(q) > MaxQueryRunes:
			fe = &records.FieldError{Field: "q", Key: records.KeyTooLong, Args: []any{MaxQueryRunes}}
		}
		if fe != nil {
			webkit.WriteError(w, http.StatusBadRequest, webkit.ErrorBody{Error: fe.Message(lang(r)), Field: fe.Field})
			return
		}
		if err := places.Check(); err != nil {
			// Only a damaged binary gets here: the tests decode the embedded table.
			msg := "地名表无法读取"
			if lang(r) == "en" {
				msg = "the table of places cannot be read"
			}
			webkit.WriteError(w, http.StatusInternalServerError, webkit.ErrorBody{Error: msg})
			return
		}
		found := places.Search(q, Limit)
		if found == nil {
			found = []places.Place{}
		}
		webkit.WriteJSON(w, http.StatusOK, found)
	}
}
