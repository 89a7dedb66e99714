// Package cputime reads the CPU time this process has used, for benchmarks
// on shared machines: unlike wall time, it does not count the time other
// processes held the cores, so a ratio of two CPU times measured in one run
// is steadier than a ratio of two wall times.
package cputime

import "time"

// Process is the CPU time (user + system, all threads, GC included) this
// process has used so far, and false where the platform cannot tell.
func Process() (time.Duration, bool) {
	ns, ok := process()
	return time.Duration(ns), ok
}
