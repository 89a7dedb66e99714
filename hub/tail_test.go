package hub_test

import (
	"fmt"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/records"
	"fieldsync/syncclient"
)

// TestSharedTailKeepsScopes: idle sessions woken by one change share one
// read of the log's tail (hub/tail.go), each applying its own scope and
// own-echo skip. A worker registered at one station reaches no other; gigs
// reach every station; the writer gets nothing of its own back; everything
// converges, round after round.
func TestSharedTailKeepsScopes(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	var st []*testStation
	for _, name := range []string{"站A", "站B", "站C", "站D"} {
		s := newTestStation(t, h.enroll(name), syncclient.Config{})
		s.start()
		st = append(st, s)
	}
	for round := range 5 {
		w := st[round%len(st)]
		w.write(workerEdit(w.enr.Key, idNumber(100+round), "乌日娜", "13800000000"))
		w.write(gigEdit(t, fmt.Sprintf("剪羊毛 %d", round)))
		waitFor(t, 20*time.Second, "the gig to reach every station", func() bool {
			for _, s := range st {
				if rowCount(t, s.rep, records.Gigs) != round+1 {
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
		if got := rowCount(t, s.rep, records.Workers); got != want {
			t.Errorf("%s holds %d workers, want its own %d", s.name, got, want)
		}
		waitFor(t, 20*time.Second, s.name+" to converge with the hub", func() bool { return converged(t, h.hub, s) })
	}
}
