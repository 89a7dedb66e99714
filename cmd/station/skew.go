package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"fieldsync/hlc"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
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

// openSkewedReplica opens the station's replica as station.OpenReplica does,
// but with an hlc clock reading now (the skewed wall clock).
func openSkewedReplica(ctx context.Context, dir string, c station.Config, log *slog.Logger, now func() time.Time) (*replica.Replica, error) {
	schema, err := records.NewSchema()
	if err != nil {
		return nil, err
	}
	key, err := c.DeploymentKey()
	if err != nil {
		return nil, err
	}
	site, err := c.SiteID()
	if err != nil {
		return nil, err
	}
	return replica.Open(ctx, filepath.Join(dir, station.DBFile), replica.Options{
		Schema: schema, Site: site, Key: key, Clock: hlc.NewClock(now), Logger: log,
		Indexes: records.StationIndexes(),
	})
}
