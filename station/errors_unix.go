//go:build unix

package station

import "syscall"

// systemStorageProblem reads the errno SQLite saw under an I/O error: a
// write refused for space (ENOSPC), quota (EDQUOT) or file size (EFBIG), or
// on a file system mounted read-only (EROFS).
func systemStorageProblem(errno syscall.Errno) string {
	switch errno {
	case syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG:
		return DiskFull
	case syscall.EROFS:
		return ReadOnly
	}
	return ""
}
