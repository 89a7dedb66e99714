package replica_test

import (
	"time"

	"fieldsync/internal/cputime"
)

// cpuTime is the process's CPU time; 0 where the platform cannot tell, and
// benchmarks then report wall time only.
func cpuTime() time.Duration {
	d, _ := cputime.Process()
	return d
}
