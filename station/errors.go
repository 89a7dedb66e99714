package station

import (
	"errors"
	"syscall"

	sqlite3 "github.com/mattn/go-sqlite3"

	"fieldsync/ident"
	"fieldsync/records"
)

// The station's errors are kinds, apart from any transport: the validation
// errors of records (*records.FieldError), a refused write (*ConflictError),
// a record not held (ErrNotFound), an import too large (ErrTooLarge) or
// unreadable (ErrBadFile), and the storage problems staff can act on
// (StorageProblem). The web adapter maps each to a status and a message.

// ErrNotFound is returned for a record the station does not hold.
var ErrNotFound = errors.New("not found")

// ErrTooLarge is an import beyond the station's limits (bytes, rows, or a
// workbook that inflates too far).
var ErrTooLarge = errors.New("file too large")

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

// A storage problem is one staff can act on, unlike an internal error. The
// values are also the text keys of their messages.
const (
	DiskFull = "disk_full"
	ReadOnly = "read_only"
)

// StorageProblem recognises SQLite's "database or disk is full" and "attempt
// to write a readonly database", and the I/O errors that mean the same (the
// operating system's error SQLite reports with an I/O error: on Unix a write
// refused with ENOSPC, EDQUOT or EFBIG, or on a read-only file system; on
// Windows a full disk or quota, or write-protected media): DiskFull,
// ReadOnly or "".
func StorageProblem(err error) string {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Code {
	case sqlite3.ErrFull:
		return DiskFull
	case sqlite3.ErrReadonly:
		return ReadOnly
	case sqlite3.ErrIoErr:
		return systemStorageProblem(se.SystemErrno)
	}
	return ""
}

// systemErrorProblem is the storage problem of the system error in err (a
// file written outside SQLite): on Unix EROFS is ReadOnly, on Windows
// ERROR_WRITE_PROTECT (write-protected media).
func systemErrorProblem(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return ""
	}
	return systemStorageProblem(errno)
}
