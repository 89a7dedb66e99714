package fieldsim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"fieldsync/internal/faultproxy"
)

// The scenarios of restores and upgrades (DESIGN "Edges"): a station put
// back from its own backup, the hub put back from its backup while every
// station keeps working, and a station upgraded from the previous release
// in the middle of a run. Their writes are in the ledger, so the round's
// checks (nothing acknowledged lost, every replica exactly its scope) are
// what proves them; each adds the time until all was back.

// waitCaughtUp waits until the station is connected with nothing pending
// and no error, and returns how long it took, or false at the deadline.
func waitCaughtUp(ctx context.Context, st *simStation, limit time.Duration) (time.Duration, syncState, bool) {
	start := time.Now()
	var last syncState
	for time.Since(start) < limit && ctx.Err() == nil {
		if ss, err := st.api.sync(ctx); err == nil {
			last = ss
			if ss.Connected && ss.Pending == 0 && ss.LastError == "" {
				return time.Since(start), ss, true
			}
		}
		sleep(ctx, 50*time.Millisecond)
	}
	return time.Since(start), last, false
}

// recordSome registers n new people at the station (acknowledged by it).
func recordSome(ctx context.Context, w *workload, n int) (int, error) {
	for i := range n {
		if _, ok := w.register(ctx, w.sim.ledger.freshIDNumber(w.rng), w.phone()); !ok {
			return i, fmt.Errorf("registration %d of %d was not acknowledged", i+1, n)
		}
	}
	return n, nil
}

// stationRestore: the station records offline, is backed up (its unsent
// work in the backup), then either dies before its link comes back (the
// backup alone holds that work) or syncs and records more first (the hub
// holds it); it is restored from the backup and must end with everything,
// its new work reaching the county too.
func stationRestore(ctx context.Context, s *sim, st *simStation, rng *rand.Rand) []Figure {
	w := &workload{sim: s, st: st, rng: rng}
	var figs []Figure
	fail := func(format string, args ...any) []Figure {
		s.problem("station-restore at %s: "+format, append([]any{st.name}, args...)...)
		return figs
	}
	st.proxy.Set(faultproxy.Link{Down: true})
	unsent, err := recordSome(ctx, w, 2+rng.IntN(3))
	if err != nil {
		return fail("%v", err)
	}
	backup := filepath.Join(s.dir, st.name+"-backup.db")
	if _, err := runTool(ctx, "", s.stationBin, "backup", "--dir", st.dir, "--out", backup); err != nil {
		return fail("backup while serving: %v", err)
	}
	figs = append(figs, count("unsent-in-backup", unsent))
	diesOffline := rng.IntN(2) == 0
	after := 0
	if !diesOffline {
		st.proxy.Set(faultproxy.Link{})
		if after, err = recordSome(ctx, w, 2+rng.IntN(3)); err != nil {
			return fail("%v", err)
		}
		if _, ss, ok := waitCaughtUp(ctx, st, time.Minute); !ok {
			return fail("its work after the backup did not reach the hub: %+v", ss)
		}
	}
	figs = append(figs, count("after-backup", after), count("died-offline", map[bool]int{true: 1}[diesOffline]))
	// The PC dies; the station is restored from the backup.
	st.proc.kill()
	if _, err := runTool(ctx, "", s.stationBin, "restore", "--dir", st.dir, "--from", backup); err != nil {
		return fail("restore: %v", err)
	}
	st.proxy.Set(faultproxy.Link{})
	restored := time.Now()
	if err := st.proc.start(ctx); err != nil {
		return fail("start after the restore: %v", err)
	}
	if _, err := recordSome(ctx, w, 1); err != nil {
		return fail("after the restore: %v", err)
	}
	d, ss, ok := waitCaughtUp(ctx, st, 2*time.Minute)
	figs = append(figs, seconds("restore-to-synced", time.Since(restored)))
	if !ok {
		return fail("not caught up %s after the restore: %+v", d, ss)
	}
	return figs
}

// hubRestore: the hub is backed up while the stations work, they go on
// working (and their work reaches it), then it is stopped and put back
// from the backup. Every station must send again what the restored hub
// lost and receive what it holds: the round's checks over every station.
func hubRestore(ctx context.Context, s *sim, st *simStation, rng *rand.Rand) []Figure {
	w := &workload{sim: s, st: st, rng: rng}
	var figs []Figure
	fail := func(format string, args ...any) []Figure {
		s.problem("hub-restore: "+format, args...)
		return figs
	}
	hubDir := filepath.Join(s.dir, "hub")
	backup := filepath.Join(s.dir, "hub-backup.db")
	s.hubOp.Lock()
	defer s.hubOp.Unlock()
	if !s.hub.running() {
		s.restart(s.hub)
	}
	if _, err := runTool(ctx, "", s.hubBin, "backup", "--dir", hubDir, "--out", backup); err != nil {
		return fail("backup while serving: %v", err)
	}
	// Work after the backup, at this station and (by their workloads) at
	// every other.
	after, err := recordSome(ctx, w, 3+rng.IntN(3))
	if err != nil {
		return fail("%v", err)
	}
	if _, ss, ok := waitCaughtUp(ctx, st, time.Minute); !ok {
		return fail("work after the backup did not reach the hub: %+v", ss)
	}
	sleep(ctx, time.Duration(2+rng.IntN(4))*time.Second)
	figs = append(figs, count("after-backup", after))
	if err := s.hub.stop(15 * time.Second); err != nil {
		return fail("stop the hub: %v", err)
	}
	if _, err := runTool(ctx, "", s.hubBin, "restore", "--dir", hubDir, "--from", backup); err != nil {
		return fail("restore: %v", err)
	}
	os.Remove(backup)
	restored := time.Now()
	s.restart(s.hub)
	s.fault("hub-restore")
	d, ss, ok := waitCaughtUp(ctx, st, 2*time.Minute)
	figs = append(figs, seconds("restore-to-synced", time.Since(restored)))
	if !ok {
		return fail("%s not caught up %s after the restore: %+v", st.name, d, ss)
	}
	return figs
}

// stationUpgrade: the station runs the previous release (it was set up by
// it) and records; in the middle of the run it is stopped and started with
// this release on the same directory. Its work before and after must reach
// the county, and the county's reach it.
func stationUpgrade(ctx context.Context, s *sim, st *simStation, rng *rand.Rand) []Figure {
	w := &workload{sim: s, st: st, rng: rng}
	var figs []Figure
	fail := func(format string, args ...any) []Figure {
		s.problem("station-upgrade at %s: "+format, append([]any{st.name}, args...)...)
		return figs
	}
	before, err := recordSome(ctx, w, 2+rng.IntN(3))
	if err != nil {
		return fail("with the previous release: %v", err)
	}
	// Part of it unsent at the upgrade.
	st.proxy.Set(faultproxy.Link{Down: true})
	unsent, err := recordSome(ctx, w, 1+rng.IntN(2))
	if err != nil {
		return fail("with the previous release, offline: %v", err)
	}
	if err := st.proc.stop(15 * time.Second); err != nil {
		return fail("stop the previous release: %v", err)
	}
	st.proc.setBin(s.stationBin)
	if err := st.proc.start(ctx); err != nil {
		return fail("start this release on its directory: %v", err)
	}
	upgraded := time.Now()
	st.proxy.Set(faultproxy.Link{})
	after, err := recordSome(ctx, w, 1+rng.IntN(2))
	if err != nil {
		return fail("after the upgrade: %v", err)
	}
	d, ss, ok := waitCaughtUp(ctx, st, 2*time.Minute)
	figs = append(figs, count("before", before), count("unsent-at-upgrade", unsent), count("after", after),
		seconds("upgrade-to-synced", time.Since(upgraded)))
	if !ok {
		return fail("not caught up %s after the upgrade: %+v", d, ss)
	}
	return figs
}
