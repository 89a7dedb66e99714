package station

import (
	"errors"
	"net/http"
	"syscall"

	sqlite3 "github.com/mattn/go-sqlite3"

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
	var te *textError
	if errors.As(err, &te) {
		return http.StatusBadRequest, te.Field, te.Message(lang)
	}
	switch storageProblem(err) {
	case diskFull:
		return http.StatusInsufficientStorage, "", tr(lang, "disk_full")
	case readOnly:
		return http.StatusServiceUnavailable, "", tr(lang, "read_only")
	}
	return http.StatusInternalServerError, "", tr(lang, "internal")
}

// logFailure logs a request that failed on the station's side (a 5xx),
// saying when the cause is the disk or a read-only database.
func (s *Server) logFailure(r *http.Request, msg string, status int, err error) {
	args := []any{"method", r.Method, "path", r.URL.Path, "status", status, "err", err}
	if p := storageProblem(err); p != "" {
		msg += ": " + tr("en", p)
		args = append(args, "problem", p)
	}
	s.log.ErrorContext(r.Context(), msg, args...)
}

// A storage problem is one staff can act on, unlike an internal error.
const (
	diskFull = "disk_full"
	readOnly = "read_only"
)

// storageProblem recognises SQLite's "database or disk is full" and "attempt
// to write a readonly database", and the I/O errors that mean the same (a
// write refused with ENOSPC, EDQUOT or EFBIG, or on a read-only file
// system): diskFull, readOnly or "".
func storageProblem(err error) string {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Code {
	case sqlite3.ErrFull:
		return diskFull
	case sqlite3.ErrReadonly:
		return readOnly
	case sqlite3.ErrIoErr:
		switch se.SystemErrno {
		case syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG:
			return diskFull
		case syscall.EROFS:
			return readOnly
		}
	}
	return ""
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
