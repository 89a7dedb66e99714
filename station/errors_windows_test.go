//go:build windows

package station

import (
	"errors"
	"fmt"
	"os"
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

// A backup to write-protected media (a USB stick or SD card with its lock
// switch on) is the folder not writable, as EROFS is on Unix; a full one is
// the folder full.
func TestFolderWriteErrorWindowsCodes(t *testing.T) {
	cases := []struct {
		errno syscall.Errno
		want  string
	}{
		{19, FolderNotWritable}, // ERROR_WRITE_PROTECT
		{5, FolderNotWritable},  // ERROR_ACCESS_DENIED
		{112, FolderFull},       // ERROR_DISK_FULL
		{39, FolderFull},        // ERROR_HANDLE_DISK_FULL
	}
	for _, c := range cases {
		err := folderWriteError(`E:\`, &os.PathError{Op: "open", Path: `E:\.probe`, Err: c.errno})
		var fe *FolderError
		if !errors.As(err, &fe) || fe.Key != c.want {
			t.Errorf("errno %d: %v, want %s", c.errno, err, c.want)
		}
	}
}
