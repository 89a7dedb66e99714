// Package placesweb serves place search as JSON (GET /api/places?q=), one
// handler that the station's and the hub's APIs mount behind their own
// sign-in, and the place picker's script both serve to their forms; its
// errors are the shared JSON error shape, naming the field q.
package placesweb

import (
	_ "embed"
	"net/http"
	"slices"
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

// Handler answers GET ?q=&level= with at most Limit places, [{"code",
// "name", "level", "path"}], whose name holds q or whose code starts with q
// (see places.Search), best first; [] when none does. level, optional, names
// the levels wanted, comma-separated (盟市, 旗县, 苏木乡镇, 嘎查村): a village
// field's picker asks for 嘎查村. A q that is empty (after trimming), longer
// than MaxQueryRunes or not UTF-8 is a 400 naming q, an unknown level a 400
// naming level, in the language lang gives for the request ("en", else
// Chinese).
func Handler(lang func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		query := r.URL.Query()
		q := strings.TrimSpace(query.Get("q"))
		var fe *records.FieldError
		switch {
		case !utf8.ValidString(q):
			fe = &records.FieldError{Field: "q", Key: records.KeyBadValue}
		case q == "":
			fe = &records.FieldError{Field: "q", Key: records.KeyRequired}
		case utf8.RuneCountInString(q) > MaxQueryRunes:
			fe = &records.FieldError{Field: "q", Key: records.KeyTooLong, Args: []any{MaxQueryRunes}}
		}
		var only []places.Level
		if fe == nil {
			only, fe = levels(query.Get("level"))
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
		found := places.Search(q, Limit, only...)
		if found == nil {
			found = []places.Place{}
		}
		webkit.WriteJSON(w, http.StatusOK, found)
	}
}

// levels reads the level parameter: none, or levels named by their Chinese
// names, comma-separated.
func levels(param string) ([]places.Level, *records.FieldError) {
	if strings.TrimSpace(param) == "" {
		return nil, nil
	}
	var out []places.Level
	for name := range strings.SplitSeq(param, ",") {
		l := places.Level(strings.TrimSpace(name))
		if !slices.Contains(places.Levels(), l) {
			names := make([]string, 0, len(places.Levels()))
			for _, l := range places.Levels() {
				names = append(names, string(l))
			}
			return nil, &records.FieldError{Field: "level", Key: records.KeyEnum, Args: []any{strings.Join(names, "、")}}
		}
		out = append(out, l)
	}
	return out, nil
}

//go:embed placepicker.js
var pickerJS []byte

// PickerPath is where the station and the hub serve Picker.
const PickerPath = "/static/placepicker.js"

// Picker serves the place picker's script: it turns every form field in a
// box of class place-picker (data-levels: the levels to offer, data-src:
// the search URL, /api/places by default) into a search that suggests
// places by name; without it the field stays a text input that takes a
// code or a name.
func Picker() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(pickerJS)
	})
}
