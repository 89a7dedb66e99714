//go:build windows

package station

import (
	"fmt"
	"syscall"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// On Windows SQLite's system errno under an I/O error is a Windows error
// code: the full-disk and write-protect codes are told apart, the Unix
// numbers mean nothing there.
func TestStorageProblemWindowsCodes(t *testing.T) {
	cases := []struct {
		errno syscall.Errno
		want  string
	}{
		{112, DiskFull},  // ERROR_DISK_FULL
		{39, DiskFull},   // ERROR_HANDLE_DISK_FULL
		{1295, DiskFull}, // ERROR_DISK_QUOTA_EXCEEDED
		{223, DiskFull},  // ERROR_FILE_TOO_LARGE
		{19, ReadOnly},   // ERROR_WRITE_PROTECT
		{5, ""},          // ERROR_ACCESS_DENIED: not a storage problem staff can fix by freeing space
		{28, ""},         // ENOSPC's Unix number, ERROR_OUT_OF_PAPER here
		{30, ""},         // EROFS's Unix number, ERROR_READ_FAULT here
	}
	for _, c := range cases {
		err := fmt.Errorf("commit: %w", sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrWrite, SystemErrno: c.errno})
		if got := StorageProblem(err); got != c.want {
			t.Errorf("errno %d: %q, want %q", c.errno, got, c.want)
		}
	}
}
