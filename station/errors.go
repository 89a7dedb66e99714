package station

import (
	"errors"
	"net/http"

	"fieldsync/ident"
	"fieldsync/records"
)

// ErrNotFound is returned for a record the station does not hold.
var ErrNotFound = errors.New("not found")

// ConflictError is a write refused because of what is already recorded: the
// same person registered here before, a second open unemployment
// registration, a full gig. ID names the existing record when there is one.
type ConflictError struct {
	ID    ident.ID
	Field string
	Key   string
}

func (e *ConflictError) Error() string {
	return (&records.FieldError{Field: e.Field, Key: e.Key}).Error()
}

// FieldError is the field error a conflict reports to the user.
func (e *ConflictError) FieldError() *records.FieldError {
	return &records.FieldError{Field: e.Field, Key: e.Key}
}

// errorStatus maps an error to its HTTP status, the field it names and its
// message in lang: the one place where error kinds meet HTTP.
func errorStatus(err error, lang string) (status int, field, msg string) {
	var ce *ConflictError
	switch {
	case errors.As(err, &ce):
		return http.StatusConflict, ce.Field, ce.FieldError().Message(lang)
	case errors.Is(err, ErrNotFound):
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
	if errors.Is(err, errTooLarge) {
		return http.StatusRequestEntityTooLarge, "file", tr(lang, "too_large")
	}
	return http.StatusInternalServerError, "", tr(lang, "internal")
}
