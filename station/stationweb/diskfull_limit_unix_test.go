//go:build unix

package stationweb

import (
	"os/signal"
	"syscall"
)

// The disk-full test fills a disk by a file-size limit, which only Unix has.
const fileSizeLimitWorks = true

func signalIgnoreXFSZ() { signal.Ignore(syscall.SIGXFSZ) }

// limitFileSize caps the size of any file this process writes.
func limitFileSize(bytes uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: bytes, Max: bytes})
}
