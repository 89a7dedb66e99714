//go:build windows

package station

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// systemStorageProblem reads the Windows error SQLite saw under an I/O error
// (its system errno is GetLastError's code, not a Unix errno): a full disk
// (ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL), a full quota, a file past the
// file system's size (FAT32's 4 GB on a USB stick, as EFBIG on Unix), or
// write-protected media.
func systemStorageProblem(errno syscall.Errno) string {
	switch errno {
	case windows.ERROR_DISK_FULL, windows.ERROR_HANDLE_DISK_FULL,
		windows.ERROR_DISK_QUOTA_EXCEEDED, windows.ERROR_FILE_TOO_LARGE:
		return DiskFull
	case windows.ERROR_WRITE_PROTECT:
		return ReadOnly
	}
	return ""
}
