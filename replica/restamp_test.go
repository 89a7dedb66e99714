package replica_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/replica"
)

const year = 365 * 24 * time.Hour

// wholeLog reads every change of r's log, in order (site 0: every site).
func wholeLog(t testing.TB, r *replica.Replica, site replica.SiteID) []replica.LogEntry {
	t.Helper()
	var out []replica.LogEntry
	for after := uint64(0); ; {
		es, scanned, err := r.ReadLog(context.Background(), after, replica.LogQuery{Site: site, Limit: 100000, MaxBytes: 64 << 20})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, es...)
		if scanned == after {
			return out
		}
		after = scanned
	}
}

// replay applies r's whole log to a new replica and reports whether it then
// holds exactly what r holds.
func replay(t testing.TB, s *replica.Schema, r *replica.Replica) bool {
	t.Helper()
	ctx := context.Background()
	x := openReplica(t, s, 77, nil)
	var cs []replica.Change
	for _, e := range wholeLog(t, r, 0) {
		cs = append(cs, e.Change)
	}
	if _, err := x.Apply(ctx, cs, "", 0); err != nil {
		t.Fatal(err)
	}
	want, _, _ := r.ContentHash(ctx, nil)
	got, _, _ := x.ContentHash(ctx, nil)
	return want == got
}

func column(t testing.TB, r *replica.Replica, table string, id ident.ID, col string) replica.ColumnHeads {
	t.Helper()
	hs, err := r.Heads(context.Background(), table, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if h.Column == col && h.Elem == "" {
			return h
		}
	}
	t.Fatalf("%s %s has no column %s", table, id, col)
	return replica.ColumnHeads{}
}

func mustWrite(t testing.TB, r *replica.Replica, edits ...replica.Edit) []replica.Change {
	t.Helper()
	cs, err := r.Write(context.Background(), edits...)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func setName(id ident.ID, name string) replica.Edit {
	return replica.Edit{Table: "things", Row: id, Set: []replica.ColumnValue{{Column: "name", Value: name}}}
}

// A station a year ahead edits a row three times (each edit replacing the
// last), writes others, and takes in another station's changes, one of them
// concurrent with its own. Its clock is fixed; Restamp gives its changes
// stamps of today, in the same order with the same links, and the replica
// holds exactly what one receiving the rewritten log holds: no conflict
// invented, none lost, the same winners.
func TestRestampClockAhead(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	clk := &fakeClock{t: t0.Add(year)}
	path := filepath.Join(t.TempDir(), "a.db")
	open := func() *replica.Replica {
		r, err := replica.Open(ctx, path, replica.Options{Schema: s, Site: 1, Key: testKey, Clock: hlc.NewClock(clk.now), Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := open()
	defer func() { a.Close() }()
	b := openReplica(t, s, 2, func() time.Time { return t0 })

	x, y, one, two := rowID(1), rowID(2), rowID(3), rowID(4)
	bx := mustWrite(t, b, setName(x, "b-x"))
	if _, err := a.Apply(ctx, bx, "hub", 1); err != nil {
		t.Fatal(err)
	}
	c1 := mustWrite(t, a, replica.Edit{Table: "things", Row: one, Set: []replica.ColumnValue{
		{Column: "name", Value: "一"}, {Column: "count", Value: int64(1)}}})
	c2 := mustWrite(t, a, setName(one, "二"))
	c3 := mustWrite(t, a, setName(one, "三"), replica.Edit{Table: "things", Row: two, Add: []replica.SetElem{{Column: "tags", Elem: "t"}}})
	ax := mustWrite(t, a, setName(x, "a-x")) // saw b's value: replaces it
	ay := mustWrite(t, a, setName(y, "a-y"))
	// b's concurrent write of y, stamped today, arrives after a's.
	by := mustWrite(t, b, setName(y, "b-y"))
	if _, err := a.Apply(ctx, by, "hub", 2); err != nil {
		t.Fatal(err)
	}
	if !column(t, a, "things", y, "name").Conflict {
		t.Fatal("y: want a conflict before restamping")
	}
	own := []replica.Change{c1[0], c2[0], c3[0], c3[1], ax[0], ay[0]}
	for _, c := range own {
		if c.Version.HLC.Time().Before(t0.Add(year - time.Hour)) {
			t.Fatalf("setup: %v is not a year ahead", c.Version)
		}
	}

	// The calendar is fixed.
	clk.t = t0.Add(time.Hour)
	res, err := a.Restamp(ctx, replica.RestampOptions{AheadOf: clk.t})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changes != len(own) || len(res.Versions) != len(own) {
		t.Fatalf("restamped %d changes (%d versions), want %d", res.Changes, len(res.Versions), len(own))
	}
	log := wholeLog(t, a, 1)
	if len(log) != len(own) {
		t.Fatalf("own log holds %d changes, want %d", len(log), len(own))
	}
	prev := by[0].Version.HLC // above every version kept
	for i, e := range log {
		v := e.Change.Version
		if v.Site != 1 || v.HLC <= prev || v.HLC.Time().After(clk.t) {
			t.Fatalf("change %d stamped %v after %v: want site 1, in order, by %s", i, v, prev, clk.t)
		}
		if res.Versions[own[i].Version] != v {
			t.Fatalf("change %d: Versions says %v, the log %v", i, res.Versions[own[i].Version], v)
		}
		prev = v.HLC
	}
	// The links follow: each edit of one replaces the one before; a's
	// write of x replaces b's version, which is b's to stamp.
	if r := log[1].Change.Fields[0].Replaces; len(r) != 1 || r[0] != log[0].Change.Version {
		t.Fatalf("second edit replaces %v, want %v", r, log[0].Change.Version)
	}
	if r := log[2].Change.Fields[0].Replaces; len(r) != 1 || r[0] != log[1].Change.Version {
		t.Fatalf("third edit replaces %v, want %v", r, log[1].Change.Version)
	}
	if r := log[4].Change.Fields[0].Replaces; len(r) != 1 || r[0] != bx[0].Version {
		t.Fatalf("a's write of x replaces %v, want b's %v", r, bx[0].Version)
	}
	// The merge state follows.
	if h := column(t, a, "things", one, "name"); h.Conflict || len(h.Heads) != 1 || h.Heads[0].Value != "三" ||
		h.Heads[0].Version != log[2].Change.Version || h.Replaced != 2 {
		t.Fatalf("one.name = %+v", h)
	}
	if h := column(t, a, "things", x, "name"); h.Conflict || len(h.Heads) != 1 || h.Heads[0].Value != "a-x" {
		t.Fatalf("x.name = %+v", h)
	}
	if h := column(t, a, "things", y, "name"); !h.Conflict || len(h.Heads) != 2 || h.Heads[1].Value != "a-y" ||
		h.Heads[0].Version != by[0].Version {
		t.Fatalf("y.name = %+v: want the same conflict, a's value still the greater", h)
	}
	if !replay(t, s, a) {
		t.Fatal("the replica differs from one that received its rewritten log")
	}
	// New stamps follow the fixed clock, before and after a restart.
	if last := a.Clock().Last(); last != res.Clock || last.Time().After(clk.t) {
		t.Fatalf("clock %v (result %v), want at most %s", last, res.Clock, clk.t)
	}
	c4 := mustWrite(t, a, setName(one, "四"))
	if got := c4[0].Version.HLC; got <= res.Clock || got.Time().After(clk.t) {
		t.Fatalf("new edit stamped %v, want just after %v", got, res.Clock)
	}
	a.Close()
	clk.t = clk.t.Add(time.Minute)
	a = open()
	c5 := mustWrite(t, a, setName(one, "五"))
	if got := c5[0].Version.HLC.Time(); !got.Equal(clk.t) {
		t.Fatalf("after reopening, a new edit is stamped %s, want %s", got, clk.t)
	}
	if r := c5[0].Fields[0].Replaces; len(r) != 1 || r[0] != c4[0].Version {
		t.Fatalf("the edit after reopening replaces %v, want %v", r, c4[0].Version)
	}
	// Nothing is left to stamp again.
	if res, err := a.Restamp(ctx, replica.RestampOptions{AheadOf: clk.t}); err != nil || res.Changes != 0 {
		t.Fatalf("second Restamp: %+v %v", res, err)
	}
}

// What the peer acknowledged stays as it is, and so does a version received
// from elsewhere however far ahead: the changes stamped again come after
// both, in the order they were made.
func TestRestampKeepsAcknowledgedAndReceived(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	clk := &fakeClock{t: t0.Add(year)}
	a := openReplica(t, s, 1, clk.now)
	acked := mustWrite(t, a, setName(rowID(1), "sent"))
	ackSeq, _ := a.MaxSeq(ctx)
	far := replica.Change{Table: "things", Row: rowID(2), Version: replica.Version{HLC: hlc.New(t0.Add(year+24*time.Hour).UnixMilli(), 0), Site: 2},
		Fields: []replica.Field{{Col: 0, Value: "far"}}}
	if _, err := a.Apply(ctx, []replica.Change{far}, "", 0); err != nil {
		t.Fatal(err)
	}
	unsent := mustWrite(t, a, setName(rowID(2), "unsent"))
	later := mustWrite(t, a, setName(rowID(3), "later"))

	clk.t = t0
	res, err := a.Restamp(ctx, replica.RestampOptions{After: ackSeq, AheadOf: t0})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changes != 2 || res.First <= ackSeq {
		t.Fatalf("restamped %+v, want the 2 changes after %d", res, ackSeq)
	}
	log := wholeLog(t, a, 0)
	var got []replica.Version
	for _, e := range log {
		got = append(got, e.Change.Version)
	}
	if got[0] != acked[0].Version || got[1] != far.Version {
		t.Fatalf("the acknowledged change or the received one moved: %v", got)
	}
	if got[2] != res.Versions[unsent[0].Version] || got[3] != res.Versions[later[0].Version] ||
		got[2].HLC <= far.Version.HLC || got[3].HLC <= got[2].HLC {
		t.Fatalf("log versions %v: want the unsent changes after the received one, in order", got)
	}
	if h := column(t, a, "things", rowID(2), "name"); len(h.Heads) != 1 || h.Heads[0].Value != "unsent" || h.Heads[0].Version != got[2] {
		t.Fatalf("row 2 name = %+v", h)
	}
	if !replay(t, s, a) {
		t.Fatal("the replica differs from one that received its rewritten log")
	}
}

// A station restored from a backup sends the backup's unacknowledged
// changes again under a new site: every version, link and log row moves.
func TestRestampNewSite(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	a := openReplica(t, s, 1, nil)
	c1 := mustWrite(t, a, setName(rowID(1), "v1"), setName(rowID(2), "w1"))
	c2 := mustWrite(t, a, setName(rowID(1), "v2"))
	res, err := a.Restamp(ctx, replica.RestampOptions{Site: 1, NewSite: 9})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changes != 3 || res.Rows != 2 {
		t.Fatalf("restamped %+v", res)
	}
	if n, _ := a.CountSince(ctx, 0, 1); n != 0 {
		t.Fatalf("%d changes still counted as site 1's", n)
	}
	if n, _ := a.CountSince(ctx, 0, 9); n != 3 {
		t.Fatalf("%d changes counted as site 9's, want 3", n)
	}
	log := wholeLog(t, a, 9)
	if len(log) != 3 || log[2].Change.Fields[0].Replaces[0] != log[0].Change.Version || log[0].Change.Version != res.Versions[c1[0].Version] ||
		log[2].Change.Version != res.Versions[c2[0].Version] {
		t.Fatalf("site 9's log: %+v", log)
	}
	if h := column(t, a, "things", rowID(1), "name"); len(h.Heads) != 1 || h.Heads[0].Version.Site != 9 || h.Heads[0].Value != "v2" {
		t.Fatalf("row 1 name = %+v", h)
	}
	if !replay(t, s, a) {
		t.Fatal("the replica differs from one that received its rewritten log")
	}
}

// The crash test for Restamp: a child process (this test binary again)
// stamps again a log written a year ahead, and is killed with SIGKILL at a
// random moment; the reopened database holds the old state or the new one,
// whole, and what a replica receiving its log would hold.

const restampCrashEnv = "FIELDSYNC_RESTAMP_CRASH"

// TestRestampCrashChild is the child's body; it does nothing in a normal run.
func TestRestampCrashChild(t *testing.T) {
	path := os.Getenv(restampCrashEnv)
	if path == "" {
		t.Skip("runs only as the restamp crash test's child process")
	}
	ctx := context.Background()
	r, err := replica.Open(ctx, path, replica.Options{Schema: testSchema(t), Key: testKey, Site: 42})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("start")
	res, err := r.Restamp(ctx, replica.RestampOptions{AheadOf: time.Now()})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("done", res.Changes)
	os.Exit(0)
}

// restampCrashDB writes a log a year ahead: rows edited again and again,
// so that every change but the first of a row replaces another.
func restampCrashDB(t *testing.T, path string) int {
	ctx := context.Background()
	ahead := func() time.Time { return time.Now().Add(year) }
	r, err := replica.Open(ctx, path, replica.Options{Schema: testSchema(t), Key: testKey, Site: 42, Clock: hlc.NewClock(ahead), Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	for b := range 30 {
		edits := make([]replica.Edit, 200)
		for i := range edits {
			edits[i] = replica.Edit{Table: "things", Row: crashRow(i, 0), Set: []replica.ColumnValue{
				{Column: "name", Value: fmt.Sprintf("第%d次", b)}, {Column: "count", Value: int64(b)}},
				Add: []replica.SetElem{{Column: "tags", Elem: fmt.Sprint(b % 3)}}}
		}
		n += len(mustWrite(t, r, edits...))
	}
	return n
}

func TestRestampCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	var took time.Duration
	states := map[string]int{}
	for round := range 6 {
		path := filepath.Join(t.TempDir(), "restamp.db")
		n := restampCrashDB(t, path)
		cmd := exec.Command(os.Args[0], "-test.run=^TestRestampCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), restampCrashEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() && sc.Text() != "start" {
		}
		start := time.Now()
		if round == 0 {
			// The first round runs to the end, to learn how long it takes.
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "error") {
					t.Fatalf("child: %s", sc.Text())
				}
			}
			took = time.Since(start)
		} else {
			time.Sleep(time.Duration(rng.Int64N(int64(took) + 1)))
			cmd.Process.Signal(syscall.SIGKILL)
		}
		cmd.Wait()
		state := checkRestampCrashDB(t, ctx, path, n)
		states[state]++
		t.Logf("round %d: %s (restamping takes about %s)", round, state, took.Round(time.Millisecond))
	}
	if states["new"] == 0 {
		t.Fatal("no round restamped")
	}
}

// checkRestampCrashDB reopens a database after the child ended and says
// whether it holds the old state or the new one; anything in between fails.
func checkRestampCrashDB(t *testing.T, ctx context.Context, path string, n int) string {
	t.Helper()
	s := testSchema(t)
	r, err := replica.Open(ctx, path, replica.Options{Schema: s, Key: testKey, Site: 42})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer r.Close()
	if err := integrity(r); err != nil {
		t.Fatal(err)
	}
	log := wholeLog(t, r, 42)
	if len(log) != n {
		t.Fatalf("the log holds %d changes, want %d", len(log), n)
	}
	soon := time.Now().Add(time.Hour)
	ahead := 0
	inLog := map[replica.Version]bool{}
	for _, e := range log {
		inLog[e.Change.Version] = true
		if e.Change.Version.HLC.Time().After(soon) {
			ahead++
		}
	}
	state := "old"
	switch ahead {
	case n:
	case 0:
		state = "new"
	default:
		t.Fatalf("%d of %d changes are still a year ahead: a partial restamp survived", ahead, n)
	}
	if (r.Clock().Last().Time().After(soon)) != (state == "old") {
		t.Fatalf("state %s with the clock at %v", state, r.Clock().Last())
	}
	for i := range 200 {
		hs, err := r.Heads(ctx, "things", crashRow(i, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			for _, v := range h.Heads {
				if !inLog[v.Version] {
					t.Fatalf("state %s: row %d %s holds %v, which the log does not", state, i, h.Column, v.Version)
				}
			}
		}
	}
	if !replay(t, s, r) {
		t.Fatalf("state %s: the replica differs from one that received its log", state)
	}
	return state
}

// Random histories: a station a year ahead edits rows while it takes in
// some of two other stations' changes. Its changes stamped again come
// after every version it saw, in their order, and merge as the originals
// did: a hub receiving every station's changes, with the station's old
// versions or its new ones, whatever order they arrive in, holds the same
// heads (by value) and the same conflicts; and the station, once it has
// everything, holds exactly what that hub holds.
func TestRestampMergesAsBefore(t *testing.T) {
	ctx := context.Background()
	s := testSchema(t)
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 7))
		t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		ca := &fakeClock{t: t0.Add(year)}
		cb := &fakeClock{t: t0}
		a := openReplica(t, s, 1, ca.now)
		b := openReplica(t, s, 2, cb.now)
		c := openReplica(t, s, 3, cb.now)
		var fromB, fromC []replica.Change
		gotB, gotC := 0, 0 // how many of each a has taken in
		edit := func(r *replica.Replica, i int) []replica.Change {
			id := rowID(byte(1 + rng.IntN(3)))
			e := replica.Edit{Table: "things", Row: id}
			switch rng.IntN(4) {
			case 0:
				e.Set = []replica.ColumnValue{{Column: "name", Value: fmt.Sprintf("n%d", rng.IntN(3))}}
			case 1:
				e.Set = []replica.ColumnValue{{Column: "count", Value: int64(rng.IntN(3))}}
			case 2:
				e.Add = []replica.SetElem{{Column: "tags", Elem: fmt.Sprint(rng.IntN(3))}}
			default:
				e.Remove = []replica.SetElem{{Column: "tags", Elem: fmt.Sprint(rng.IntN(3))}}
			}
			cs, err := r.Write(ctx, e)
			if err != nil {
				t.Fatal(err)
			}
			return cs
		}
		var ownOld []replica.Change
		for i := range 40 {
			cb.t = cb.t.Add(time.Second)
			ca.t = ca.t.Add(time.Second)
			switch k := rng.IntN(5); {
			case k == 0:
				ownOld = append(ownOld, edit(a, i)...)
			case k == 1:
				fromB = append(fromB, edit(b, i)...)
			case k == 2:
				fromC = append(fromC, edit(c, i)...)
			case k == 3 && gotB < len(fromB):
				n := gotB + 1 + rng.IntN(len(fromB)-gotB)
				if _, err := a.Apply(ctx, fromB[gotB:n], "", 0); err != nil {
					t.Fatal(err)
				}
				gotB = n
			case k == 4 && gotC < len(fromC):
				n := gotC + 1 + rng.IntN(len(fromC)-gotC)
				if _, err := a.Apply(ctx, fromC[gotC:n], "", 0); err != nil {
					t.Fatal(err)
				}
				gotC = n
			}
		}
		var seen hlc.Timestamp // the greatest version the station took in
		for _, c := range append(append([]replica.Change{}, fromB[:gotB]...), fromC[:gotC]...) {
			seen = max(seen, c.Version.HLC)
		}
		// The fixed clock may even be behind what the others stamped.
		ca.t = t0.Add(time.Duration(rng.IntN(40)) * time.Second)
		if _, err := a.Restamp(ctx, replica.RestampOptions{AheadOf: ca.t}); err != nil {
			t.Fatal(err)
		}
		var ownNew []replica.Change
		prev := seen
		for _, e := range wholeLog(t, a, 1) {
			ownNew = append(ownNew, e.Change)
			if v := e.Change.Version.HLC; v <= prev {
				t.Fatalf("seed %d: stamped again %v after %v: want above every version the station saw, in order", seed, v, prev)
			}
			prev = e.Change.Version.HLC
		}
		if len(ownNew) != len(ownOld) {
			t.Fatalf("seed %d: %d own changes after restamping, %d before", seed, len(ownNew), len(ownOld))
		}
		hub := func(own []replica.Change) *replica.Replica {
			h := openReplica(t, s, 9, cb.now)
			all := append(append(append([]replica.Change{}, own...), fromB...), fromC...)
			rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
			for len(all) > 0 {
				n := 1 + rng.IntN(len(all))
				if _, err := h.Apply(ctx, all[:n], "", 0); err != nil {
					t.Fatal(err)
				}
				all = all[n:]
			}
			return h
		}
		hOld, hNew := hub(ownOld), hub(ownNew)
		if _, err := a.Apply(ctx, append(append([]replica.Change{}, fromB...), fromC...), "", 0); err != nil {
			t.Fatal(err)
		}
		ha, _, _ := a.ContentHash(ctx, nil)
		hn, _, _ := hNew.ContentHash(ctx, nil)
		if ha != hn {
			t.Fatalf("seed %d: the station differs from the hub that received its changes stamped again", seed)
		}
		for n := range 3 {
			id := rowID(byte(1 + n))
			ho, errO := hOld.Heads(ctx, "things", id)
			hw, errN := hNew.Heads(ctx, "things", id)
			if (errO != nil) != (errN != nil) {
				t.Fatalf("seed %d row %d: %v / %v", seed, n, errO, errN)
			}
			if len(ho) != len(hw) {
				t.Fatalf("seed %d row %d: %d columns before, %d after", seed, n, len(ho), len(hw))
			}
			for i := range ho {
				o, w := ho[i], hw[i]
				if o.Column != w.Column || o.Elem != w.Elem || o.Conflict != w.Conflict || len(o.Heads) != len(w.Heads) || o.Replaced != w.Replaced {
					t.Fatalf("seed %d row %d: %+v with the old versions, %+v with the new", seed, n, o, w)
				}
				// The same heads, by value. Which one wins a conflict may
				// change: a concurrent version the station never saw may
				// be later than the station's change at its new time.
				if headValues(o.Heads) != headValues(w.Heads) {
					t.Fatalf("seed %d row %d %s: heads %+v with the old versions, %+v with the new", seed, n, o.Column, o.Heads, w.Heads)
				}
			}
		}
	}
}

func headValues(hs []replica.Head) string {
	var vs []string
	for _, h := range hs {
		vs = append(vs, fmt.Sprint(h.Value))
	}
	slices.Sort(vs)
	return strings.Join(vs, "|")
}
