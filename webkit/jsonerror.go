package webkit

import (
	"encoding/json"
	"net/http"
)

// WriteJSON writes v as a JSON response that no cache keeps.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

// ErrorBody is the shape of every JSON error: the message in the request's
// language, the field it names, and the record it is about.
type ErrorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
	ID    string `json:"id,omitempty"`
}

// WriteError writes a JSON error.
func WriteError(w http.ResponseWriter, status int, body ErrorBody) {
	WriteJSON(w, status, body)
}
