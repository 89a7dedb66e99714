package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/hubsync"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// hubStationError is the last error the hub keeps for a station (its
// station page shows it).
func hubStationError(t *testing.T, h *hubtest.Server, name string) string {
	t.Helper()
	sts, err := h.Hub.Stations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		if s.Name == name {
			return s.LastError
		}
	}
	t.Fatalf("no station %s", name)
	return ""
}

// With a station's own code, an attacker cannot move the hub's cursor of
// that station's log past changes the hub never saw: an empty batch that
// jumps ahead is refused by every hub, a batch that leaves a gap by a hub
// that requires contiguous uploads (once every station runs this release);
// each refusal is recorded and leaves the cursor and the data as they were;
// an old batch replayed is accepted and changes nothing; the station then
// syncs on, unsilenced.
func TestCursorAttacksRefused(t *testing.T) {
	for _, contiguous := range []bool{false, true} {
		t.Run(fmt.Sprintf("contiguous=%v", contiguous), func(t *testing.T) { testCursorAttacks(t, contiguous) })
	}
}

func testCursorAttacks(t *testing.T, contiguous bool) {
	ctx := context.Background()
	h := hubtest.NewServerWith(t, "http", hub.Options{}, hubtest.Adapters{Sync: hubsync.Options{ContiguousUploads: contiguous}})
	eb := h.Enroll("站B")
	b := hubtest.NewStation(t, eb, syncclient.Config{})
	b.Start()
	w := hubtest.WorkerEdit(eb.Key, hubtest.IDNumber(1), "张三", "13800000001")
	b.Write(w)
	hubtest.WaitFor(t, 10*time.Second, "B to sync", func() bool { return hubtest.Converged(t, h.Hub, b) })
	b.Stop()

	upCursor := "up:" + eb.Site.String()
	cursor := func() uint64 {
		c, err := h.Hub.Replica().Cursor(ctx, upCursor)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	resume := cursor()
	if resume == 0 {
		t.Fatal("the hub holds no cursor for B")
	}
	own, _, err := b.Rep.ReadLog(ctx, 0, replica.LogQuery{Site: eb.Site})
	if err != nil || len(own) == 0 {
		t.Fatalf("B's log: %d entries, %v", len(own), err)
	}
	var changes []replica.Change
	for _, e := range own {
		changes = append(changes, e.Change)
	}
	phone := func() any { return hubtest.StationValue(t, h.Hub.Replica(), records.Workers, w.Row, "phone") }

	for _, tc := range []struct {
		name  string
		batch *syncproto.Batch
		gap   bool // refused where uploads must be contiguous
	}{
		{"empty batch jumps the cursor", &syncproto.Batch{First: resume + 1, Last: 1_000_000}, false},
		{"empty batch from the start", &syncproto.Batch{First: 1, Last: 1_000_000}, false},
		{"batch leaves a gap", &syncproto.Batch{First: resume + 100, Last: resume + 100, Changes: changes}, true},
		{"batch far ahead", &syncproto.Batch{First: 999_999, Last: 1_000_000, Changes: changes}, true},
	} {
		if tc.gap && !contiguous {
			continue // accepted from stations of earlier releases; see hubsync.Options
		}
		t.Run(tc.name, func(t *testing.T) {
			r := hubtest.DialRaw(t, h, eb)
			r.Hello(eb)
			if got := r.Welcome().Resume; got != resume {
				t.Fatalf("welcome resume %d, want %d", got, resume)
			}
			r.Send(tc.batch)
			if got := r.Refusal(); got != syncproto.ErrCodeCursor {
				t.Fatalf("refused with %v, want %v", got, syncproto.ErrCodeCursor)
			}
			if got := cursor(); got != resume {
				t.Fatalf("the hub's cursor of B moved from %d to %d", resume, got)
			}
			hubtest.WaitFor(t, 5*time.Second, "the refusal recorded", func() bool {
				return strings.Contains(hubStationError(t, h, eb.StationID), "cursor")
			})
		})
	}

	t.Run("replayed batch", func(t *testing.T) {
		r := hubtest.DialRaw(t, h, eb)
		r.Hello(eb)
		r.Welcome()
		r.Send(&syncproto.Batch{First: 1, Last: resume, Changes: changes})
		if got := r.Ack(); got != resume {
			t.Fatalf("ack %d, want %d", got, resume)
		}
		if got := cursor(); got != resume {
			t.Fatalf("cursor %d, want %d", got, resume)
		}
	})
	if got := phone(); got != "13800000001" {
		t.Fatalf("B's worker's phone is %v", got)
	}

	// B is not silenced: its next record reaches the county.
	b.Start()
	w2 := hubtest.WorkerEdit(eb.Key, hubtest.IDNumber(2), "李四", "13800000002")
	b.Write(w2)
	hubtest.WaitFor(t, 10*time.Second, "B's new worker at the hub", func() bool {
		return hubtest.StationValue(t, h.Hub.Replica(), records.Workers, w2.Row, "name") == "李四"
	})
	hubtest.WaitFor(t, 10*time.Second, "B to converge", func() bool { return hubtest.Converged(t, h.Hub, b) })
}

// A station refuses a Welcome whose resume point lies beyond its own log
// (the hub's cursor was moved, by an attacker with the station's code or
// by a bug): it trims nothing, skips nothing, warns its staff, and tells
// the hub, which records the refusal.
func TestStationRefusesResumeBeyondItsLog(t *testing.T) {
	ctx := context.Background()
	h := hubtest.NewServer(t, "http", hub.Options{})
	eb := h.Enroll("站B")
	// A retention of a nanosecond: a trim at the resume point would delete
	// every row the hub says it has.
	b := hubtest.NewStation(t, eb, syncclient.Config{LogRetention: time.Nanosecond})
	b.Write(hubtest.WorkerEdit(eb.Key, hubtest.IDNumber(1), "张三", "13800000001"))
	rows := func() int {
		var n int
		if err := b.Rep.DB().QueryRow(`SELECT count(*) FROM fs_log`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := rows()
	if err := h.Hub.Replica().SetCursor(ctx, "up:"+eb.Site.String(), 1_000_000); err != nil {
		t.Fatal(err)
	}
	b.Start()
	hubtest.WaitFor(t, 10*time.Second, "the station's warning", func() bool {
		return strings.Contains(b.Client.Status().Warning, "1000000")
	})
	hubtest.WaitFor(t, 10*time.Second, "the hub to record the refusal", func() bool {
		return strings.Contains(hubStationError(t, h, eb.StationID), "1000000")
	})
	b.Stop()
	if got := rows(); got != before {
		t.Fatalf("the station's log went from %d rows to %d", before, got)
	}
	if st := b.Client.Status(); st.PendingUp == 0 {
		t.Fatalf("the station shows nothing pending: %+v", st)
	}
}
