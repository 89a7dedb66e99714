package main

import (
	"fmt"
	"os"
	"time"
)

// clockSkewEnv moves the station's wall clock by a Go duration ("-3h",
// "8760h"): for the fault simulator (cmd/fieldsim) and tests only, to play a
// station PC whose calendar is wrong. It is deliberately not a flag: staff
// have no use for it.
const clockSkewEnv = "FIELDSYNC_CLOCK_SKEW"

// clockSkew reads clockSkewEnv; 0 when unset.
func clockSkew() (time.Duration, error) {
	v := os.Getenv(clockSkewEnv)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: %w", clockSkewEnv, v, err)
	}
	return d, nil
}
