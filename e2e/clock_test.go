package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// A station whose calendar is a year ahead records three workers and edits
// one's phone twice, offline; the hub refuses the changes. At the next
// connection, whether staff fixed the calendar or the offset measured
// against the hub corrects it, the station stamps its changes again and
// they all reach the hub with today's stamps, the edit chain intact (one
// head, no conflict invented); new edits go through (DESIGN "Edges").
func TestClockAheadRecovers(t *testing.T) {
	const year = 365 * 24 * time.Hour
	for _, fix := range []struct {
		name     string
		calendar bool // staff set the PC's calendar right before reconnecting
	}{{"calendar fixed", true}, {"calendar still wrong, offset corrects it", false}} {
		t.Run(fix.name, func(t *testing.T) {
			ctx := context.Background()
			h := hubtest.NewServer(t, "http", hub.Options{MaxSkew: time.Minute})
			var skew atomic.Int64
			skew.Store(int64(year))
			now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
			e := h.Enroll("站A")
			// Backoff of an hour: the refused station stays off until the
			// test starts it again.
			a := hubtest.NewStation(t, e, syncclient.Config{Now: now, MinBackoff: time.Hour, MaxBackoff: time.Hour})
			var ids []string
			for i := range 3 {
				ids = append(ids, hubtest.IDNumber(700+i))
				a.Write(hubtest.WorkerEdit(e.Key, ids[i], fmt.Sprintf("工人%d", i), fmt.Sprintf("1380000000%d", i)))
			}
			row := e.Key.Derive(records.Workers, ids[0])
			phone := func(p string) replica.Edit {
				return replica.Edit{Table: records.Workers, Row: row, Set: []replica.ColumnValue{{Column: "phone", Value: p}}}
			}
			a.Write(phone("13911111111"))
			a.Write(phone("13922222222"))

			a.Start()
			hubtest.WaitFor(t, 10*time.Second, "the clock-ahead refusal", func() bool {
				return a.Client.Status().ErrorCode == int(syncproto.ErrCodeClockAhead)
			})
			a.Stop()
			if n := hubtest.RowCount(t, h.Hub.Replica(), records.Workers); n != 0 {
				t.Fatalf("the hub took %d workers stamped a year ahead", n)
			}
			if fix.calendar {
				skew.Store(0)
			}
			a.Start()
			hubtest.WaitFor(t, 10*time.Second, "the station's work at the hub", func() bool {
				return hubtest.Converged(t, h.Hub, a) && hubtest.RowCount(t, h.Hub.Replica(), records.Workers) == 3
			})
			// Every version at the hub is stamped today, the edit chain
			// intact: one head, each edit replacing the one before.
			soon := time.Now().Add(time.Minute)
			hist, err := h.Hub.Replica().History(ctx, records.Workers, row)
			if err != nil {
				t.Fatal(err)
			}
			var phones []replica.Version
			for _, le := range hist {
				c := le.Change
				if c.Version.HLC.Time().After(soon) {
					t.Fatalf("the hub holds %v, stamped ahead", c.Version)
				}
				for _, f := range c.Fields {
					if f.Col != phoneCol(t, h) {
						continue
					}
					if len(phones) == 0 && len(f.Replaces) != 0 || len(phones) > 0 && (len(f.Replaces) != 1 || f.Replaces[0] != phones[len(phones)-1]) {
						t.Fatalf("phone version %d replaces %v, want the one before (%v)", len(phones), f.Replaces, phones)
					}
					phones = append(phones, c.Version)
				}
			}
			if len(phones) != 3 {
				t.Fatalf("the hub's history holds %d phone versions, want 3", len(phones))
			}
			checkPhone(t, h.Hub.Replica(), row, "13922222222")
			checkPhone(t, a.Rep, row, "13922222222")
			hubtest.WaitFor(t, 10*time.Second, "the hub's acknowledgement", func() bool { return a.Client.Status().PendingUp == 0 })
			st := a.Client.Status()
			if st.ErrorCode != 0 || st.Restamped != 5 || !strings.Contains(st.Warning, "本机时间已改正，5 条修改已重新盖时间戳并上传") {
				t.Fatalf("status after recovering: %+v", st)
			}
			// New edits go through, stamped today.
			a.Write(phone("13933333333"))
			hubtest.WaitFor(t, 10*time.Second, "a new edit at the hub", func() bool {
				hs, err := h.Hub.Replica().Heads(ctx, records.Workers, row)
				return err == nil && hubtest.Converged(t, h.Hub, a) && len(phoneHeads(hs)) == 1 && phoneHeads(hs)[0].Value == "13933333333"
			})
			hs, _ := h.Hub.Replica().Heads(ctx, records.Workers, row)
			if v := phoneHeads(hs)[0].Version; v.HLC.Time().After(time.Now().Add(time.Minute)) {
				t.Fatalf("the new edit is stamped %v", v)
			}
		})
	}
}

func phoneCol(t *testing.T, h *hubtest.Server) int {
	tb, _ := h.Hub.Replica().Schema().Table(records.Workers)
	c, ok := tb.Column("phone")
	if !ok {
		t.Fatal("no phone column")
	}
	return c
}

func phoneHeads(hs []replica.ColumnHeads) []replica.Head {
	for _, c := range hs {
		if c.Column == "phone" {
			return c.Heads
		}
	}
	return nil
}

// checkPhone wants one head for the worker's phone, with the value.
func checkPhone(t *testing.T, r *replica.Replica, row [16]byte, want string) {
	t.Helper()
	hs, err := r.Heads(context.Background(), records.Workers, row)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range hs {
		if c.Column == "phone" {
			if c.Conflict || len(c.Heads) != 1 || c.Heads[0].Value != want {
				t.Fatalf("phone heads %+v, want the one head %s", c, want)
			}
			return
		}
	}
	t.Fatal("no phone")
}
