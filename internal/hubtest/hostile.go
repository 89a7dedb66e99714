package hubtest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

// Hostile is a station's enrollment code in an attacker's hands: a scratch
// replica with the station's site id (so that the changes it makes carry
// real versions and log sequences; it has no deployment key, so it checks
// no row id and writes whatever the attacker likes) and raw syncproto
// sessions with the hub to send them. Unlike a station it sends any change
// it is told to, its own site's or not.
type Hostile struct {
	t   *testing.T
	h   *Server
	Enr syncproto.Enrollment
	// Rep is the attacker's replica: its own edits, and what the hub sent.
	Rep *replica.Replica
	// Raw is the current session (nil before Connect).
	Raw *RawStation
	// Received holds every change the hub sent, over all sessions.
	Received []replica.Change
	sent     uint64          // the last own log sequence sent (or the hub's resume)
	schema   *replica.Schema // as the station's release declares it
}

// hostileDown names the hostile replica's cursor of the hub's log.
const hostileDown = "hub"

// NewHostile opens the attacker's scratch replica for enrollment e.
func NewHostile(t *testing.T, h *Server, e syncproto.Enrollment) *Hostile {
	t.Helper()
	return NewHostileAt(t, h, e, records.SchemaVersion)
}

// NewHostileAt is NewHostile for a station whose release declares schema
// version v (SchemaAt): an older station, one version behind the hub.
func NewHostileAt(t *testing.T, h *Server, e syncproto.Enrollment, v int) *Hostile {
	t.Helper()
	s := SchemaAt(t, v)
	rep, err := replica.Open(context.Background(), filepath.Join(t.TempDir(), "hostile.db"),
		replica.Options{Schema: s, Site: e.Site, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	return &Hostile{t: t, h: h, Enr: e, Rep: rep, schema: s}
}

// HelloAt sends the handshake of enrollment e, resuming the hub's log
// after cursor.
func (r *RawStation) HelloAt(e syncproto.Enrollment, cursor uint64) {
	s, _ := records.NewSchema()
	r.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: s.Fingerprint(), Site: e.Site,
		Station: e.StationID, Token: e.Token, Cursor: cursor, Now: hlc.New(time.Now().UnixMilli(), 0),
		MaxBatchLen: 1 << 20})
}

// Connect opens a new session (the hub ends the previous one): a Hello
// with the station's credentials, resuming where the replica's copy of the
// hub's log ends, and the Welcome, whose resume point the next batch
// follows.
func (a *Hostile) Connect() *syncproto.Welcome {
	a.t.Helper()
	cur, err := a.Rep.Cursor(context.Background(), hostileDown)
	if err != nil {
		a.t.Fatal(err)
	}
	a.Raw = DialRaw(a.t, a.h, a.Enr)
	a.Raw.Codec = &syncproto.Codec{Schema: a.schema, Key: a.Enr.Key}
	a.Raw.Send(&syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: a.schema.Fingerprint(), Site: a.Enr.Site,
		Station: a.Enr.StationID, Token: a.Enr.Token, Cursor: cur, Now: hlc.New(time.Now().UnixMilli(), 0),
		MaxBatchLen: 1 << 20})
	w := a.Raw.Welcome()
	a.sent = w.Resume
	return w
}

// Make stamps the edits in the attacker's replica and returns the changes
// (not sent).
func (a *Hostile) Make(edits ...replica.Edit) []replica.Change {
	a.t.Helper()
	chs, err := a.Rep.Write(context.Background(), edits...)
	if err != nil {
		a.t.Fatal(err)
	}
	return chs
}

// Send sends changes as the batch of the attacker's log after what it
// sent last (the hub's resume point after Connect), and returns it.
func (a *Hostile) Send(changes []replica.Change) *syncproto.Batch {
	a.t.Helper()
	last, err := a.Rep.MaxSeq(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	b := &syncproto.Batch{First: a.sent + 1, Last: max(last, a.sent+1), Changes: changes}
	a.Raw.Send(b)
	a.sent = b.Last
	return b
}

// Await reads the hub's messages until an Ack (its sequence) or an Error
// (returned); the hub's batches on the way are applied to the attacker's
// replica, kept in Received, and acknowledged.
func (a *Hostile) Await() (uint64, *syncproto.Error) {
	a.t.Helper()
	a.Raw.WS.SetReadDeadline(time.Now().Add(15 * time.Second))
	for {
		switch m := ReadMessage(a.t, a.Raw).(type) {
		case *syncproto.Batch:
			a.take(m)
		case *syncproto.Ack:
			return m.Seq, nil
		case *syncproto.Error:
			return 0, m
		}
	}
}

// Do makes the edits, sends them in one batch, and fails the test unless
// the hub acknowledges the whole batch; it returns the changes sent.
func (a *Hostile) Do(edits ...replica.Edit) []replica.Change {
	a.t.Helper()
	chs := a.Make(edits...)
	if len(chs) == 0 {
		return nil // nothing changed (the value was already so): nothing to send
	}
	b := a.Send(chs)
	seq, perr := a.Await()
	if perr != nil {
		a.t.Fatalf("the hub refused the whole batch: %v", perr)
	}
	if seq != b.Last {
		a.t.Fatalf("the hub acknowledged %d, want the batch's last %d", seq, b.Last)
	}
	return chs
}

func (a *Hostile) take(m *syncproto.Batch) {
	a.t.Helper()
	a.Received = append(a.Received, m.Changes...)
	if _, err := a.Rep.Apply(context.Background(), m.Changes, hostileDown, m.Last); err != nil {
		a.t.Fatalf("apply the hub's batch %d..%d: %v", m.First, m.Last, err)
	}
	a.Raw.Send(&syncproto.Ack{Seq: m.Last})
}

// Catchup opens a new session and takes the hub's batches until the
// attacker holds everything the hub would send it now: the hub writes a
// gig (county-wide, so relayed to every station) and the session reads
// until the batch holding it.
func (a *Hostile) Catchup() {
	a.t.Helper()
	ctx := context.Background()
	if _, err := a.h.Hub.Write(ctx, GigEdit(a.t, "县里的标记")); err != nil {
		a.t.Fatal(err)
	}
	end, err := a.h.Hub.Replica().MaxSeq(ctx)
	if err != nil {
		a.t.Fatal(err)
	}
	a.Connect()
	a.Raw.WS.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		switch m := ReadMessage(a.t, a.Raw).(type) {
		case *syncproto.Batch:
			a.take(m)
			if m.Last >= end {
				return
			}
		case *syncproto.Error:
			a.t.Fatalf("the hub refused the session: %v", m)
		}
	}
}

// Refusal is a row of table refusals: a column of a change the hub did not
// accept from a station.
type Refusal struct {
	Station, Table, Row, Column, Value, ReasonKey, Reason, State string
}

// Refusals reads the live rows of table refusals at r.
func Refusals(t testing.TB, r *replica.Replica) []Refusal {
	t.Helper()
	rows, err := r.DB().Query(`SELECT coalesce(station, ''), coalesce(table_name, ''), coalesce(row_id, ''),
		coalesce(column_name, ''), coalesce(value, ''), coalesce(reason_key, ''), coalesce(reason, ''),
		coalesce(state, '') FROM ` + records.Refusals + ` WHERE ` + replica.DeletedColumn + ` = 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []Refusal
	for rows.Next() {
		var f Refusal
		if err := rows.Scan(&f.Station, &f.Table, &f.Row, &f.Column, &f.Value, &f.ReasonKey, &f.Reason, &f.State); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
