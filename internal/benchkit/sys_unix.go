//go:build unix

package benchkit

import (
	"fmt"
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system, all threads, GC included) this
// process has used: on a shared machine a steadier measure of work than
// wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// RaiseFiles raises this process's soft limit on open files to at least n
// (up to the hard limit) and returns a function that puts the old limit
// back, so that the raise lasts only as long as the measurement that needs
// it. It fails when the hard limit is below n.
func RaiseFiles(n uint64) (restore func(), err error) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		return nil, fmt.Errorf("read the open-file limit: %w", err)
	}
	if old.Cur >= n {
		return func() {}, nil
	}
	if old.Max < n {
		return nil, fmt.Errorf("the open-file hard limit is %d, %d needed (raise it with ulimit -Hn as root)", old.Max, n)
	}
	raised := syscall.Rlimit{Cur: n, Max: old.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
		return nil, fmt.Errorf("raise the open-file limit to %d: %w", n, err)
	}
	return func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) }, nil
}
