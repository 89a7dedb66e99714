package e2e

import (
	"fmt"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/syncclient"
)

// TestSharedTailKeepsScopes: idle sessions woken by one change share one
// read of the log's tail (hub/tail.go), each applying its own scope and
// own-echo skip. A worker registered at one station reaches no other; gigs
// reach every station; the writer gets nothing of its own back; everything
// converges, round after round.
func TestSharedTailKeepsScopes(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	var st []*hubtest.Station
	for _, name := range []string{"站A", "站B", "站C", "站D"} {
		s := hubtest.NewStation(t, h.Enroll(name), syncclient.Config{})
		s.Start()
		st = append(st, s)
	}
	for round := range 5 {
		w := st[round%len(st)]
		w.Write(hubtest.WorkerEdit(w.Enr.Key, hubtest.IDNumber(100+round), "乌日娜", "13800000000"))
		w.Write(hubtest.GigEdit(t, fmt.Sprintf("剪羊毛 %d", round)))
		hubtest.WaitFor(t, 20*time.Second, "the gig to reach every station", func() bool {
			for _, s := range st {
				if hubtest.RowCount(t, s.Rep, records.Gigs) != round+1 {
					return false
				}
			}
			return true
		})
	}
	for i, s := range st {
		// Rounds i and i+4 were this station's: one or two own workers.
		want := 1
		if i == 0 {
			want = 2
		}
		if got := hubtest.RowCount(t, s.Rep, records.Workers); got != want {
			t.Errorf("%s holds %d workers, want its own %d", s.Name, got, want)
		}
		hubtest.WaitFor(t, 20*time.Second, s.Name+" to converge with the hub", func() bool { return hubtest.Converged(t, h.Hub, s) })
	}
}
