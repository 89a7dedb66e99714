package stationweb

import (
	"errors"
	"net/http"

	"fieldsync/places/placename"
	"fieldsync/records"
	"fieldsync/station"
)

// errorStatus maps an error to its HTTP status, the field it names and its
// message in lang: the one place where error kinds meet HTTP.
func errorStatus(err error, lang string) (status int, field, msg string) {
	var ce *station.ConflictError
	switch {
	case errors.As(err, &ce):
		return http.StatusConflict, ce.Field, ce.FieldError().Message(lang)
	case errors.Is(err, station.ErrNotFound):
		return http.StatusNotFound, "", tr(lang, "not_found")
	}
	if fe, ok := records.AsFieldError(err); ok {
		if fe.Key == records.KeyNoWorker || fe.Key == records.KeyNoGig {
			return http.StatusUnprocessableEntity, fe.Field, fe.Message(lang)
		}
		return http.StatusBadRequest, fe.Field, fe.Message(lang)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge, "file", tr(lang, "too_large")
	}
	if errors.Is(err, station.ErrTooLarge) {
		return http.StatusRequestEntityTooLarge, "file", tr(lang, "too_large")
	}
	var te *textError
	if errors.As(err, &te) {
		return http.StatusBadRequest, te.Field, te.Message(lang)
	}
	var pe *placename.Error
	if errors.As(err, &pe) {
		return http.StatusBadRequest, pe.Field, pe.Message(lang)
	}
	switch station.StorageProblem(err) {
	case station.DiskFull:
		return http.StatusInsufficientStorage, "", tr(lang, "disk_full")
	case station.ReadOnly:
		return http.StatusServiceUnavailable, "", tr(lang, "read_only")
	}
	return http.StatusInternalServerError, "", tr(lang, "internal")
}

// logFailure logs a request that failed on the station's side (a 5xx),
// saying when the cause is the disk or a read-only database.
func (s *Server) logFailure(r *http.Request, msg string, status int, err error) {
	args := []any{"method", r.Method, "path", r.URL.Path, "status", status, "err", err}
	if p := station.StorageProblem(err); p != "" {
		msg += ": " + tr("en", p)
		args = append(args, "problem", p)
	}
	s.log.ErrorContext(r.Context(), msg, args...)
}

// textError is a request body that is not valid UTF-8 text. encoding/json
// would silently turn each bad byte (or lone surrogate escape) into U+FFFD,
// storing and syncing a value nobody typed: it is refused instead. Field
// names the offending field when it can be told, else "" (the body).
type textError struct{ Field string }

func (e *textError) Error() string { return e.Message("en") }

// Message is the error text in lang, naming the field when known.
func (e *textError) Message(lang string) string {
	if e.Field == "" {
		return tr(lang, "bad_text_body")
	}
	return records.FieldLabel(lang, e.Field) + tr(lang, "bad_text_field")
}
