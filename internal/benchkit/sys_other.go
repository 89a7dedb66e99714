//go:build !unix

package benchkit

import "time"

// cpuTime is not measured here: the CPU-time ratios read 0.
func cpuTime() time.Duration { return 0 }

// RaiseFiles does nothing where there is no RLIMIT_NOFILE.
func RaiseFiles(n uint64) (restore func(), err error) { return func() {}, nil }
