package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"fieldsync/dbmigrate"
	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/hub/hubsync"
	"fieldsync/hub/hubweb"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// release050 is the fixture of databases release 0.5.0 wrote
// (testdata/release-0.5.0/README.txt says how).
const release050 = "testdata/release-0.5.0"

// unpackFixture copies a fixture directory into a temporary one,
// unzipping the gzipped databases.
func unpackFixture(t *testing.T, from string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(rel, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return err
			}
			if b, err = io.ReadAll(zr); err != nil {
				return err
			}
			rel = strings.TrimSuffix(rel, ".gz")
		}
		out := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// upgradedHub is a hub opened with today's code on a directory an earlier
// release wrote, serving on 127.0.0.1.
type upgradedHub struct {
	hub  *hub.Hub
	addr string
	done chan error
}

func openUpgradedHub(t *testing.T, dir string) *upgradedHub {
	t.Helper()
	hb, err := hub.Open(context.Background(), hub.Options{Dir: dir, Synchronous: "NORMAL"})
	if err != nil {
		t.Fatalf("open the 0.5.0 hub: %v", err)
	}
	sessions, err := hubsync.NewWith(hb, hubsync.Options{})
	if err != nil {
		hb.Close()
		t.Fatal(err)
	}
	hd := hubweb.HandlerWith(hb, sessions, hubweb.HandlerOptions{Hosts: []string{"example.com"}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		hb.Close()
		t.Fatal(err)
	}
	h := &upgradedHub{hub: hb, addr: ln.Addr().String(), done: make(chan error, 1)}
	go func() { h.done <- hubweb.ServeWith(hb, hd, ln, hubweb.ServeOptions{}) }()
	t.Cleanup(func() {
		if err := hb.Close(); err != nil {
			t.Error(err)
		}
		if err := <-h.done; !errors.Is(err, hub.ErrClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return h
}

// upgradedStation is a station directory an earlier release wrote, opened
// with today's code, with its sync client pointed at hubAddr.
type upgradedStation struct {
	name   string
	rep    *replica.Replica
	core   *station.Station
	client *syncclient.Client
	cancel context.CancelFunc
	done   chan error
}

func openUpgradedStation(t *testing.T, dir, hubAddr string) *upgradedStation {
	t.Helper()
	ctx := context.Background()
	cfg, err := station.LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := station.OpenReplica(ctx, dir, cfg, nil)
	if err != nil {
		t.Fatalf("open the 0.5.0 station %s: %v", dir, err)
	}
	t.Cleanup(func() { rep.Close() })
	core, err := station.New(station.Options{Replica: rep, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	e, err := syncproto.ParseEnrollment(cfg.Enrollment)
	if err != nil {
		t.Fatal(err)
	}
	e.HubURL = "http://" + hubAddr
	c, err := syncclient.New(syncclient.Config{Enrollment: e, Replica: rep,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &upgradedStation{name: cfg.Name, rep: rep, core: core, client: c, done: make(chan error, 1)}
}

// start runs the station's sync client until the test ends.
func (s *upgradedStation) start(t *testing.T) {
	c := s.client
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	t.Cleanup(func() {
		cancel()
		if err := <-s.done; !errors.Is(err, context.Canceled) {
			t.Errorf("%s sync: %v", s.name, err)
		}
	})
	go func() { s.done <- c.Run(ctx) }()
}

// rowsOf reads every row of every table, as the fixture's maker did.
func rowsOf(t *testing.T, r *replica.Replica) map[string]map[string]map[string]any {
	t.Helper()
	ctx := context.Background()
	out := map[string]map[string]map[string]any{}
	for _, tb := range r.Schema().Tables() {
		rows, err := r.DB().QueryContext(ctx, "SELECT id FROM "+tb.Name)
		if err != nil {
			t.Fatal(err)
		}
		var ids []ident.ID
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			var id ident.ID
			copy(id[:], b)
			ids = append(ids, id)
		}
		rows.Close()
		m := map[string]map[string]any{}
		_, err = r.Update(ctx, func(tx *replica.Tx) error {
			for _, id := range ids {
				row, err := tx.Row(ctx, tb.Name, id)
				if err != nil {
					return err
				}
				delete(row, replica.MetaColumn)
				m[id.String()] = row
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out[tb.Name] = m
	}
	return out
}

// asJSON turns v into generic JSON values, numbers kept exact.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// within reports where want is not found in got: every key of a JSON
// object in want must hold the same in got (got may have more keys: a
// later release may add columns and fields); arrays and values are equal.
func within(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path + ": not an object"}
		}
		var diffs []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				diffs = append(diffs, path+"."+k+": missing")
				continue
			}
			diffs = append(diffs, within(path+"."+k, wv, gv)...)
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{path + ": arrays differ"}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, within(path+"["+strconv.Itoa(i)+"]", w[i], g[i])...)
		}
		return diffs
	}
	if !reflect.DeepEqual(want, got) {
		b1, _ := json.Marshal(want)
		b2, _ := json.Marshal(got)
		return []string{path + ": want " + string(b1) + ", got " + string(b2)}
	}
	return nil
}

func requireWithin(t *testing.T, what string, want, got any) {
	t.Helper()
	if diffs := within(what, want, got); len(diffs) > 0 {
		if len(diffs) > 20 {
			diffs = diffs[:20]
		}
		t.Fatalf("the current release reads the 0.5.0 databases differently:\n%s", strings.Join(diffs, "\n"))
	}
}

// sameScope reports whether a station holds exactly the hub's rows and
// merge state of its scope.
func sameScope(t *testing.T, h *hub.Hub, s *upgradedStation) bool {
	t.Helper()
	ctx := context.Background()
	hh, hn, err := h.Replica().ContentHash(ctx, h.ScopeFilter(s.name))
	if err != nil {
		t.Fatal(err)
	}
	sh, sn, err := s.rep.ContentHash(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return hh == sh && hn == sn
}

func value(t *testing.T, r *replica.Replica, table, id, col string) any {
	t.Helper()
	row, err := ident.ParseID(id)
	if err != nil {
		t.Fatal(err)
	}
	return hubtest.StationValue(t, r, table, row, col)
}

// TestUpgradeFrom050 opens databases release 0.5.0 wrote with today's hub
// and stations: they show the same records, the changes 甲站 had not sent
// reach the hub, new edits and deletes travel both ways over a real
// WebSocket, and what 0.5.0 deleted stays deleted.
func TestUpgradeFrom050(t *testing.T) {
	ctx := context.Background()
	dir := unpackFixture(t, release050)
	raw, err := os.ReadFile(filepath.Join(release050, "expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var want map[string]any
	if err := d.Decode(&want); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for k, v := range want["ids"].(map[string]any) {
		ids[k] = v.(string)
	}

	h := openUpgradedHub(t, filepath.Join(dir, "hub"))
	// Read before any sync: the records as 0.5.0 showed them.
	requireWithin(t, "hub", want["hub"], asJSON(t, rowsOf(t, h.hub.Replica())))
	w1, _ := ident.ParseID(ids["w1"])
	heads, err := h.hub.Replica().Heads(ctx, records.Workers, w1)
	if err != nil {
		t.Fatal(err)
	}
	requireWithin(t, "hub_heads_w1", want["hub_heads_w1"], asJSON(t, heads))
	conflicts, _, err := h.hub.Conflicts(ctx, hub.ConflictFilter{})
	if err != nil {
		t.Fatal(err)
	}
	requireWithin(t, "hub_conflicts", want["hub_conflicts"], asJSON(t, conflicts))
	// The hub can still encode its whole log, as it relays it to a station
	// re-enrolled from nothing.
	for after := uint64(0); ; {
		entries, next, err := h.hub.ReadRelay(ctx, after, replica.LogQuery{MarkReplaced: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			break
		}
		b := &syncproto.Batch{First: entries[0].Seq, Last: entries[len(entries)-1].Seq}
		for _, e := range entries {
			b.Changes = append(b.Changes, e.Change)
		}
		if _, err := h.hub.Codec().Encode(nil, b); err != nil {
			t.Fatalf("the hub cannot encode its 0.5.0 log after %d: %v", after, err)
		}
		after = next
	}

	a := openUpgradedStation(t, filepath.Join(dir, "station-a"), h.addr)
	b := openUpgradedStation(t, filepath.Join(dir, "station-b"), h.addr)
	// The layout ladders ran: each file counts its steps.
	for _, c := range []struct {
		db   *sql.DB
		want int
	}{{h.hub.Replica().DB(), len(hub.Ladder())}, {a.rep.DB(), len(station.Ladder())}, {b.rep.DB(), len(station.Ladder())}} {
		if v, err := dbmigrate.Version(ctx, c.db); err != nil || v != c.want {
			t.Fatalf("layout version after opening a 0.5.0 database: %d %v, want %d", v, err, c.want)
		}
	}
	requireWithin(t, "station_a", want["station_a"], asJSON(t, rowsOf(t, a.rep)))
	requireWithin(t, "station_b", want["station_b"], asJSON(t, rowsOf(t, b.rep)))
	wv, err := a.core.Worker(ctx, w1)
	if err != nil {
		t.Fatal(err)
	}
	requireWithin(t, "a_worker_w1", want["a_worker_w1"], asJSON(t, wv))
	g2, _ := ident.ParseID(ids["g2"])
	aHeads, err := a.rep.Heads(ctx, records.Gigs, g2)
	if err != nil {
		t.Fatal(err)
	}
	requireWithin(t, "a_heads_g2", want["a_heads_g2"], asJSON(t, aHeads))

	a.start(t)
	b.start(t)
	// 甲站's two unsent changes (an edit, a delete) reach the hub.
	hubtest.WaitFor(t, 20*time.Second, "甲站's unsent changes at the hub", func() bool {
		return value(t, h.hub.Replica(), records.Workers, ids["w1"], "notes") == "离线修改" &&
			value(t, h.hub.Replica(), records.Gigs, ids["g4"], replica.DeletedColumn) == int64(1)
	})
	// A new edit and a new delete at 甲站 reach the hub and 乙站.
	w2, _ := ident.ParseID(ids["w2"])
	if err := a.core.UpdateWorker(ctx, w2, func(w *records.Worker) ([]string, error) {
		w.Phone = "13700137002"
		return []string{"phone"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	g1, _ := ident.ParseID(ids["g1"])
	if _, err := a.rep.Write(ctx, hubtest.EnteredBy(replica.Edit{Table: records.Gigs, Row: g1, Delete: true}, "管理员")); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 20*time.Second, "甲站's new edit and delete at the hub and 乙站", func() bool {
		return value(t, h.hub.Replica(), records.Workers, ids["w2"], "phone") == "13700137002" &&
			value(t, h.hub.Replica(), records.Gigs, ids["g1"], replica.DeletedColumn) == int64(1) &&
			value(t, b.rep, records.Gigs, ids["g1"], replica.DeletedColumn) == int64(1)
	})
	// An administrator settles the phone conflict 0.5.0 recorded: the
	// hub's change reaches both stations.
	var phone int64
	for _, c := range conflicts {
		if c.Column == "phone" {
			phone = c.ID
		}
	}
	if phone == 0 {
		t.Fatal("the fixture has no phone conflict")
	}
	if _, err := h.hub.ResolveConflict(ctx, access.Actor{User: "admin"}, phone,
		hub.ResolveRequest{Value: json.RawMessage(`"13600136000"`)}); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 20*time.Second, "the hub's resolution at both stations", func() bool {
		return value(t, a.rep, records.Workers, ids["w1"], "phone") == "13600136000" &&
			value(t, b.rep, records.Workers, ids["w1"], "phone") == "13600136000" &&
			sameScope(t, h.hub, a) && sameScope(t, h.hub, b)
	})
	// What 0.5.0 deleted is still deleted everywhere that holds it.
	for _, del := range []struct{ table, id string }{
		{records.Workers, ids["w3"]}, {records.Gigs, ids["g2"]}, {records.MonthlyStatus, ids["m2"]},
	} {
		for name, r := range map[string]*replica.Replica{"hub": h.hub.Replica(), "甲站": a.rep} {
			if got := value(t, r, del.table, del.id, replica.DeletedColumn); got != int64(1) {
				t.Errorf("%s: %s %s deleted by 0.5.0 reads fs_deleted=%v", name, del.table, del.id, got)
			}
		}
	}
	if got := value(t, b.rep, records.Gigs, ids["g2"], replica.DeletedColumn); got != int64(1) {
		t.Errorf("乙站: gig deleted by 0.5.0 reads fs_deleted=%v", got)
	}
}

// TestNewerDatabaseRefused: a hub or station database a newer release
// wrote (its layout version beyond this release's ladder) is refused
// through the programs' own open paths, with the message staff read, and
// left untouched.
func TestNewerDatabaseRefused(t *testing.T) {
	ctx := context.Background()
	dir := unpackFixture(t, release050)
	bump := func(path string) [32]byte {
		db, err := sql.Open("sqlite3", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	check := func(what, path string, sum [32]byte, err error) {
		t.Helper()
		if !errors.Is(err, dbmigrate.ErrNewer) || !strings.Contains(err.Error(), "数据库由更新版本的软件写入（结构版本 99") {
			t.Fatalf("%s written by a newer release: %v", what, err)
		}
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			t.Fatal(rerr)
		}
		if sha256.Sum256(b) != sum {
			t.Fatalf("%s: the refused database was changed", what)
		}
	}
	hubDB := filepath.Join(dir, "hub", "hub.db")
	sum := bump(hubDB)
	hb, err := hub.Open(ctx, hub.Options{Dir: filepath.Join(dir, "hub")})
	if err == nil {
		hb.Close()
	}
	check("hub", hubDB, sum, err)

	stDir := filepath.Join(dir, "station-a")
	stDB := filepath.Join(stDir, station.DBFile)
	sum = bump(stDB)
	cfg, err := station.LoadConfig(stDir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := station.OpenReplica(ctx, stDir, cfg, nil)
	if err == nil {
		rep.Close()
	}
	check("station", stDB, sum, err)

	// Nor is such a database restored from a backup: restoring writes
	// into it (a new incarnation, a new site).
	fresh := unpackFixture(t, release050)
	_, err = hub.Restore(ctx, filepath.Join(fresh, "hub"), hubDB, time.Now())
	check("hub backup", hubDB, sum2(t, hubDB), err)
	_, err = station.Restore(ctx, filepath.Join(fresh, "station-a"), stDB, time.Now())
	check("station backup", stDB, sum2(t, stDB), err)
}

func sum2(t *testing.T, path string) [32]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestAddedColumnKeeps050Deletes: 0.5.0's hub and station databases, opened
// by a release whose tables each gained a column, read the same records;
// what 0.5.0 deleted (sent or not) still reads, snapshots and logs as a
// delete; the hub encodes its whole 0.5.0 log and, filtered for a 0.5.0
// station (Schema.ChangeAt), that station's codec decodes it.
func TestAddedColumnKeeps050Deletes(t *testing.T) {
	ctx := context.Background()
	dir := unpackFixture(t, release050)
	raw, err := os.ReadFile(filepath.Join(release050, "expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var want map[string]any
	if err := d.Decode(&want); err != nil {
		t.Fatal(err)
	}
	var hubCfg struct{ Key string }
	b, err := os.ReadFile(filepath.Join(dir, "hub", "hub.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &hubCfg); err != nil {
		t.Fatal(err)
	}
	key, err := hex.DecodeString(hubCfg.Key)
	if err != nil {
		t.Fatal(err)
	}
	_, v2 := hubtest.SchemaAhead(t)
	v1 := hubtest.SchemaAt(t, 1) // 0.5.0's
	if v2.FingerprintAt(1) != v1.Fingerprint() {
		t.Fatal("the added columns change what a 0.5.0 station must match")
	}
	newer, err := syncproto.NewCodec(v2, ident.Key(key), syncproto.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	older, err := syncproto.NewCodec(v1, ident.Key(key), syncproto.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	isDelete := func(tb *replica.Table, f replica.Field) bool {
		return f.Col == tb.DeletedCol() && tb.ColumnName(f.Col) == replica.DeletedColumn && !f.Dead && f.Value == int64(1)
	}
	for _, node := range []struct{ name, path, expect string }{
		{"hub", filepath.Join(dir, "hub", "hub.db"), "hub"},
		{"甲站", filepath.Join(dir, "station-a", station.DBFile), "station_a"},
		{"乙站", filepath.Join(dir, "station-b", station.DBFile), "station_b"},
	} {
		ladder := station.Ladder()
		if node.name == "hub" {
			ladder = hub.Ladder()
		}
		rep, err := replica.Open(ctx, node.path, replica.Options{Schema: v2, Key: ident.Key(key), History: node.name == "hub", Ladder: ladder})
		if err != nil {
			t.Fatalf("%s: open with an added column: %v", node.name, err)
		}
		t.Cleanup(func() { rep.Close() })
		rows := rowsOf(t, rep)
		requireWithin(t, node.name, want[node.expect], asJSON(t, rows))
		deleted := 0
		for table, byID := range rows {
			tb, _ := v2.Table(table)
			for id, row := range byID {
				if row[replica.DeletedColumn] != int64(1) {
					continue
				}
				deleted++
				rid, _ := ident.ParseID(id)
				snap, err := rep.Snapshot(ctx, table, rid)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, c := range snap {
					for _, f := range c.Fields {
						found = found || isDelete(tb, f)
					}
				}
				if !found {
					t.Errorf("%s: the snapshot of deleted %s %s carries no delete", node.name, table, id)
				}
			}
		}
		if deleted == 0 {
			t.Fatalf("%s: the fixture holds no deleted row", node.name)
		}
		// The whole log encodes with the new schema, and filtered for a
		// 0.5.0 peer decodes with 0.5.0's; its deletes stay deletes.
		logDeletes := 0
		for after := uint64(0); ; {
			entries, next, err := rep.ReadLog(ctx, after, replica.LogQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) == 0 {
				break
			}
			var all, old []replica.Change
			for _, e := range entries {
				all = append(all, e.Change)
				if c, ok := v2.ChangeAt(1, e.Change); ok {
					old = append(old, c)
				}
				tb, _ := v2.Table(e.Change.Table)
				for _, f := range e.Change.Fields {
					if isDelete(tb, f) {
						logDeletes++
					}
					if tb.ColumnName(f.Col) == "added_later" {
						t.Fatalf("%s: a 0.5.0 change writes the added column: %+v", node.name, e.Change)
					}
				}
			}
			if _, err := newer.Encode(nil, &syncproto.Batch{First: 1, Last: 1, Changes: all}); err != nil {
				t.Fatalf("%s: encode the 0.5.0 log after %d: %v", node.name, after, err)
			}
			frame, err := newer.Encode(nil, &syncproto.Batch{First: 1, Last: 1, Changes: old})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := older.Decode(frame); err != nil {
				t.Fatalf("%s: a 0.5.0 peer cannot decode the filtered log: %v", node.name, err)
			}
			after = next
		}
		// 甲站's log was trimmed, but its unsent delete is there.
		if logDeletes == 0 {
			t.Errorf("%s: no delete in the log read with an added column", node.name)
		}
	}
}
