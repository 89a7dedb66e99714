//go:build windows

package station

import (
	"errors"
	"syscall"
)

func lockFile(path string) (func(), error) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	// Opened with no sharing: while it is open no other open succeeds;
	// Windows closes it when the process ends.
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		if errors.Is(err, errSharingViolation) {
			return nil, ErrServing
		}
		return nil, err
	}
	return func() { syscall.CloseHandle(h) }, nil
}

// errSharingViolation is ERROR_SHARING_VIOLATION: the file is open elsewhere.
const errSharingViolation = syscall.Errno(32)
