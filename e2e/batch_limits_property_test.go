package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// Small limits, the same on both sides, so that a few records exercise the
// cuts. Only the frame size is negotiated (the Hello's max batch; a station
// keeps its uploads under the hub's MaxFrame by bounding them with its own),
// so the other limits are those the senders cut at: 1,000 changes a batch,
// and half the default fields a snapshot batch. A batch one change or one
// byte over is refused. A station may take smaller frames than the hub
// (half, drawn per station): the hub keeps what it sends, snapshots
// included, under the Hello's max batch.
var propLimits = syncproto.Limits{
	MaxFrame:       32 << 10,
	MaxBatchRaw:    128 << 10, // the default ratio to MaxFrame
	MaxChanges:     1000,
	MaxFields:      syncproto.DefaultMaxFields,
	MaxTotalFields: syncproto.DefaultMaxTotalFields / 2,
}

// Random workloads of a county whose hub and stations decode with small
// limits: workers with random numbers of child records (statuses,
// registrations, follow-ups, placements), text values as long as the forms
// allow, one row edited many times in one transaction, transactions of more
// changes than a batch holds, gigs, deletes, and workers added to other
// stations' scopes (their snapshots). Every frame either side sends is
// decoded, on its way, with the receiver's limits: each Batch must be within
// them (frame, body, changes, fields, replaced versions), nobody may answer
// "too large", and every station converges with the hub.
func TestBatchLimitsProperty(t *testing.T) {
	boundRapid(t, 5, "20s")
	rapid.Check(t, func(rt *rapid.T) {
		h := hubtest.NewServer(t, "http", hub.Options{Limits: propLimits})
		defer h.Stop()
		schema, err := records.NewSchema()
		if err != nil {
			t.Fatal(err)
		}
		nst := rapid.IntRange(2, 3).Draw(rt, "stations")
		var (
			sts   []*hubtest.Station
			taps  []*frameTap
			key   ident.Key
			names []string
		)
		for i := range nst {
			name := fmt.Sprintf("站%c", 'A'+i)
			e := h.Enroll(name)
			key = e.Key
			stLimits := propLimits
			if rapid.Bool().Draw(rt, "station takes half the hub's frames") {
				// Only the frame is negotiated (the Hello's max batch); the
				// body's bound after decompression is not, and a station
				// keeps the default one, far above any frame.
				stLimits.MaxFrame = propLimits.MaxFrame / 2
			}
			tap := newFrameTap(t, h.Addr, name, schema, e.Key, stLimits)
			e.HubURL = "http://" + tap.Addr()
			st := hubtest.NewStation(t, e, syncclient.Config{Limits: stLimits})
			sts, taps, names = append(sts, st), append(taps, tap), append(names, name)
		}
		defer func() {
			for i := range sts {
				sts[i].Close()
				taps[i].Close()
			}
		}()
		rnd := rand.New(rand.NewPCG(rapid.Uint64().Draw(rt, "text seed"), 1))
		w := &limitsWorkload{t: t, rt: rt, key: key, rnd: rnd, names: names, byStation: make([][]ident.ID, nst),
			children: map[ident.ID]string{}, childOf: map[ident.ID]int{}, shared: map[ident.ID]bool{}}

		// Gigs every station may place people into.
		for i, st := range sts {
			for range rapid.IntRange(0, 2).Draw(rt, "gigs of "+names[i]) {
				g := hubtest.WithStation(hubtest.FullGig(hubtest.NewRowID(t), 100000), names[i])
				w.gigs = append(w.gigs, g.Row)
				st.Write(g)
			}
		}
		online := rapid.Bool().Draw(rt, "online from the start")
		if online {
			for _, st := range sts {
				st.Start()
			}
		}
		for i, st := range sts {
			for range rapid.IntRange(1, 4).Draw(rt, "workers of "+names[i]) {
				w.write(st, w.worker(i))
			}
			if rapid.IntRange(0, 4).Draw(rt, "bulk of "+names[i]) == 0 {
				st.Write(w.bulk(i)...)
			}
			if n := rapid.IntRange(0, 30).Draw(rt, "edits of one row of "+names[i]); n > 0 {
				st.Write(w.reedits(i, n)...)
			}
		}
		if !online {
			for _, st := range sts {
				st.Start()
			}
		}
		converge := func(what string) {
			deadline := time.Now().Add(30 * time.Second)
			for i := range sts {
				for !hubtest.Converged(t, h.Hub, sts[i]) {
					if taps[i].Failed() || time.Now().After(deadline) {
						for _, tp := range taps {
							t.Log(tp.Summary())
						}
						rt.Fatalf("%s: %s did not converge with the hub (last error %q); what crossed its link: %s",
							what, names[i], sts[i].Client.Status().LastError, strings.Join(taps[i].Violations(), "; "))
					}
					time.Sleep(20 * time.Millisecond) // polling, with the deadline above
				}
			}
		}
		converge("first uploads")
		// Workers entering other stations' scopes: their snapshots.
		for j := range sts {
			var add []ident.ID
			for i := range sts {
				if i == j {
					continue
				}
				for _, id := range w.byStation[i] {
					if rapid.IntRange(0, 2).Draw(rt, "add to "+names[j]) == 0 {
						add = append(add, id)
						w.shared[id] = true
					}
				}
			}
			if len(add) > 0 {
				if err := h.Hub.AddToScope(context.Background(), names[j], add); err != nil {
					t.Fatal(err)
				}
			}
		}
		// More work after the snapshots: new records, edits, deletes.
		for i, st := range sts {
			if rapid.Bool().Draw(rt, "more workers at "+names[i]) {
				w.write(st, w.worker(i))
			}
			if n := rapid.IntRange(0, 10).Draw(rt, "more edits of one row of "+names[i]); n > 0 {
				st.Write(w.reedits(i, n)...)
			}
			if d := w.deletes(i); len(d) > 0 {
				st.Write(d...)
			}
		}

		converge("snapshots and later work")
		for i, tp := range taps {
			if v := tp.Violations(); len(v) > 0 {
				rt.Fatalf("%s's link: %s", names[i], strings.Join(v, "; "))
			}
		}
		for _, tp := range taps {
			t.Log(tp.Summary())
		}
	})
}

// limitsWorkload makes the records of a case, valid as the forms make them.
type limitsWorkload struct {
	t         *testing.T
	rt        *rapid.T
	key       ident.Key
	rnd       *rand.Rand
	names     []string
	gigs      []ident.ID
	byStation [][]ident.ID        // workers each station registered
	children  map[ident.ID]string // child rows (and their table) each station wrote
	childOf   map[ident.ID]int    // the station that wrote a child row
	shared    map[ident.ID]bool   // workers added to another station's scope
	nextID    int
}

// text is a string of n random CJK characters (3 bytes each in UTF-8),
// which compresses poorly: long ones come near the frame limit.
func (w *limitsWorkload) text(n int) string {
	var b strings.Builder
	for range n {
		b.WriteRune(rune(0x4E00 + w.rnd.IntN(0x9FA5-0x4E00)))
	}
	return b.String()
}

// long draws the length of a free-text value: short, or up to max.
func (w *limitsWorkload) long(label string, max int) int {
	if rapid.IntRange(0, 2).Draw(w.rt, label+" long") == 0 {
		return rapid.IntRange(max/2, max).Draw(w.rt, label+" length")
	}
	return rapid.IntRange(1, 20).Draw(w.rt, label+" length")
}

func (w *limitsWorkload) child(station int, table string, id ident.ID) {
	if table == records.Unemployment || table == records.Followups {
		return // append-only: never deleted
	}
	w.children[id], w.childOf[id] = table, station
}

// worker is one transaction: a new worker of the station with random
// numbers of child records.
func (w *limitsWorkload) worker(station int) []replica.Edit {
	t, rt, name := w.t, w.rt, w.names[station]
	w.nextID++
	rec := records.Worker{IDNumber: hubtest.IDNumber(7000 + w.nextID), Name: "大文本" + fmt.Sprint(w.nextID), Phone: "13800000000",
		Ethnicity: "汉族", HukouVillage: "150421100001", Education: records.Educations[0], LabourAbility: records.LabourAbilities[0],
		Notes: w.text(w.long("notes", 2000))}
	if err := rec.Validate(); err != nil {
		t.Fatal(err)
	}
	wid := w.key.Derive(records.Workers, rec.IDNumber)
	w.byStation[station] = append(w.byStation[station], wid)
	edits := []replica.Edit{hubtest.WithStation(replica.Edit{Table: records.Workers, Row: wid, Set: rec.Columns()}, name)}
	add := func(table string, id ident.ID, cols []replica.ColumnValue) {
		w.child(station, table, id)
		edits = append(edits, hubtest.WithStation(replica.Edit{Table: table, Row: id, Set: cols}, name))
	}
	for m := range rapid.IntRange(0, 3).Draw(rt, "statuses") {
		st := records.MonthStatus{WorkerID: wid.String(), Month: fmt.Sprintf("2026-%02d", 1+m), ListType: records.ListTypes[m%len(records.ListTypes)],
			VerifiedByMethod: "电话", VerifiedBy: "张三", VerifiedAt: fmt.Sprintf("2026-%02d-05", 1+m)}
		if st.ListType == records.ListEmployed {
			st.WorkScope, st.EmploymentForm, st.MonthlyIncome = records.WorkScopes[0], records.EmploymentForms[0], records.Income(2500)
		}
		if st.ListType == records.ListEmployed { // 失业 (and 有意愿外出, a 失业) names no place of work
			st.Place = w.text(w.long("place", 200))
		}
		if err := st.Validate(); err != nil {
			t.Fatal(err)
		}
		add(records.MonthlyStatus, st.ID(w.key), st.Columns())
	}
	if rapid.Bool().Draw(rt, "registration") {
		u := records.UnemploymentRegistration{WorkerID: wid.String(), PlaceType: "户籍地", RegisteredOn: "2026-11-02", Reason: "合同到期",
			JobIntention: w.text(w.long("job intention", 200))}
		if err := u.Validate(); err != nil {
			t.Fatal(err)
		}
		add(records.Unemployment, hubtest.NewRowID(t), u.Columns())
	}
	for range rapid.IntRange(0, 40).Draw(rt, "follow-ups") {
		f := records.Followup{WorkerID: wid.String(), Date: "2026-11-01", Method: "电话", ServiceType: "职业指导",
			Content: w.text(w.long("content", 2000)), Outcome: w.text(w.long("outcome", 2000))}
		if err := f.Validate(); err != nil {
			t.Fatal(err)
		}
		add(records.Followups, hubtest.NewRowID(t), f.Columns())
	}
	if len(w.gigs) > 0 {
		for range rapid.IntRange(0, 2).Draw(rt, "placements") {
			p := records.Placement{GigID: rapid.SampledFrom(w.gigs).Draw(rt, "gig").String(), WorkerID: wid.String(), PlacedOn: "2026-11-03"}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			add(records.Placements, hubtest.NewRowID(t), p.Columns())
		}
	}
	return edits
}

// write writes a worker's records at the station in one transaction, or
// one transaction each.
func (w *limitsWorkload) write(st *hubtest.Station, edits []replica.Edit) {
	if rapid.Bool().Draw(w.rt, "in one transaction") {
		st.Write(edits...)
		return
	}
	for _, e := range edits {
		st.Write(e)
	}
}

// bulk is one transaction of more follow-ups than a batch may carry.
func (w *limitsWorkload) bulk(station int) []replica.Edit {
	wid := w.byStation[station][0]
	var edits []replica.Edit
	for range propLimits.MaxChanges + rapid.IntRange(1, 100).Draw(w.rt, "bulk over a batch") {
		f := records.Followup{WorkerID: wid.String(), Date: "2026-11-01", Method: "电话", ServiceType: "职业指导", Content: "回访"}
		if err := f.Validate(); err != nil {
			w.t.Fatal(err)
		}
		id := hubtest.NewRowID(w.t)
		w.child(station, records.Followups, id)
		edits = append(edits, hubtest.WithStation(replica.Edit{Table: records.Followups, Row: id, Set: f.Columns()}, w.names[station]))
	}
	return edits
}

// reedits edits one of the station's workers n times in one transaction.
func (w *limitsWorkload) reedits(station, n int) []replica.Edit {
	wid := rapid.SampledFrom(w.byStation[station]).Draw(w.rt, "worker edited")
	var edits []replica.Edit
	for k := range n {
		edits = append(edits, replica.Edit{Table: records.Workers, Row: wid, Set: []replica.ColumnValue{
			{Column: "name", Value: fmt.Sprintf("第%d次改名", k)},
			{Column: "notes", Value: w.text(w.long("edited notes", 2000))}}})
	}
	return edits
}

// deletes removes some of the station's statuses and placements, and some of its workers
// no other station holds.
func (w *limitsWorkload) deletes(station int) []replica.Edit {
	var edits []replica.Edit
	for id, table := range w.children {
		if w.childOf[id] == station && rapid.IntRange(0, 9).Draw(w.rt, "delete a record") == 0 {
			edits = append(edits, replica.Edit{Table: table, Row: id, Delete: true})
			delete(w.children, id)
		}
	}
	for _, id := range w.byStation[station] {
		if !w.shared[id] && rapid.IntRange(0, 9).Draw(w.rt, "delete a worker") == 0 {
			edits = append(edits, replica.Edit{Table: records.Workers, Row: id, Delete: true})
		}
	}
	return edits
}

// frameTap forwards one station's sync connections to the hub on
// 127.0.0.1 and reads every WebSocket message crossing it: each is decoded
// with the receiver's limits (the hub's codec for what goes up, the
// station's for what comes down).
type frameTap struct {
	name   string
	target string
	ln     net.Listener
	up     *syncproto.Codec // the hub's limits
	down   *syncproto.Codec // the station's limits
	wg     sync.WaitGroup

	mu         sync.Mutex
	conns      []net.Conn
	violations []string
	stats      [2]tapStats // up, down
}

type tapStats struct {
	frames, batches, maxFrame, maxChanges, maxFields, splitSnapshots int
}

func newFrameTap(t *testing.T, target, name string, schema *replica.Schema, key ident.Key, station syncproto.Limits) *frameTap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up, err := syncproto.NewCodec(schema, key, propLimits)
	if err != nil {
		t.Fatal(err)
	}
	down, err := syncproto.NewCodec(schema, key, station)
	if err != nil {
		t.Fatal(err)
	}
	p := &frameTap{name: name, target: target, ln: ln, up: up, down: down}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

func (p *frameTap) Addr() string { return p.ln.Addr().String() }

// Close stops forwarding and waits for the pipes.
func (p *frameTap) Close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *frameTap) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(u, c, 0)
		go p.pipe(c, u, 1)
	}
}

// pipe copies src to dst, reading the messages on the way.
func (p *frameTap) pipe(dst, src net.Conn, dir int) {
	defer p.wg.Done()
	defer dst.Close()
	defer src.Close()
	r := &wsReader{message: func(m []byte) { p.observe(dir, m) }}
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			r.feed(buf[:n])
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// observe checks one message against the receiver's limits.
func (p *frameTap) observe(dir int, frame []byte) {
	codec, who := p.up, p.name+" → hub"
	if dir == 1 {
		codec, who = p.down, "hub → "+p.name
	}
	m, err := codec.Decode(frame)
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &p.stats[dir]
	s.frames++
	if err != nil {
		p.violations = append(p.violations, fmt.Sprintf("%s: a frame of %d bytes the receiver refuses: %v", who, len(frame), err))
		return
	}
	switch m := m.(type) {
	case *syncproto.Batch:
		fields := 0
		for _, c := range m.Changes {
			fields += len(c.Fields)
		}
		s.batches++
		s.maxFrame, s.maxChanges, s.maxFields = max(s.maxFrame, len(frame)), max(s.maxChanges, len(m.Changes)), max(s.maxFields, fields)
		if m.First == m.Last && len(m.Changes) > 0 {
			s.splitSnapshots++
		}
	case *syncproto.Error:
		if m.Code == syncproto.ErrCodeTooLarge {
			p.violations = append(p.violations, fmt.Sprintf("%s: refusal: %s", who, m.Message))
		}
	}
}

// Failed reports whether a frame broke the receiver's limits.
func (p *frameTap) Failed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.violations) > 0
}

func (p *frameTap) Violations() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.violations...)
}

func (p *frameTap) Summary() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for dir, s := range p.stats {
		who := p.name + " → hub"
		if dir == 1 {
			who = "hub → " + p.name
		}
		fmt.Fprintf(&b, "%s: %d frames, %d batches (%d with changes and no cursor move), largest %d bytes, %d changes, %d fields; ",
			who, s.frames, s.batches, s.splitSnapshots, s.maxFrame, s.maxChanges, s.maxFields)
	}
	return b.String()
}

// wsReader reassembles the messages of one direction of a WebSocket
// connection (RFC 6455) from the bytes crossing it, after the HTTP
// upgrade: data frames and their continuations make a message, control
// frames are skipped, client frames are unmasked.
type wsReader struct {
	buf      []byte
	upgraded bool
	msg      []byte
	message  func([]byte)
}

func (r *wsReader) feed(p []byte) {
	r.buf = append(r.buf, p...)
	if !r.upgraded {
		i := bytes.Index(r.buf, []byte("\r\n\r\n"))
		if i < 0 {
			return
		}
		r.buf, r.upgraded = r.buf[i+4:], true
	}
	for {
		b := r.buf
		if len(b) < 2 {
			break
		}
		fin, op, masked := b[0]&0x80 != 0, b[0]&0x0f, b[1]&0x80 != 0
		n, off := uint64(b[1]&0x7f), 2
		switch n {
		case 126:
			if len(b) < 4 {
				return
			}
			n, off = uint64(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			if len(b) < 10 {
				return
			}
			n, off = binary.BigEndian.Uint64(b[2:]), 10
		}
		var mask []byte
		if masked {
			if len(b) < off+4 {
				return
			}
			mask, off = b[off:off+4], off+4
		}
		if uint64(len(b)-off) < n {
			return
		}
		payload := b[off : off+int(n)]
		r.buf = b[off+int(n):]
		if op >= 8 {
			continue
		}
		start := len(r.msg)
		r.msg = append(r.msg, payload...)
		if masked {
			for i := start; i < len(r.msg); i++ {
				r.msg[i] ^= mask[(i-start)%4]
			}
		}
		if fin {
			r.message(r.msg)
			r.msg = nil
		}
	}
	r.buf = append([]byte(nil), r.buf...)
}

// One transaction whose changes make a frame larger than the limit (a
// worker with long follow-ups) goes up in batches within the limits.
// Before, the station's own encoder refused it on every reconnect, and
// nothing the station wrote after it reached the hub.
func TestOversizedTransaction(t *testing.T) { oversizedRecords(t, true) }

// The snapshot of workers with long follow-ups goes to another station in
// batches within the limits, though each record went up alone. Before, the
// hub's encoder refused the snapshot batch (only its changes and fields
// were bounded) on every reconnect, and the station received nothing more.
func TestOversizedSnapshot(t *testing.T) { oversizedRecords(t, false) }

func oversizedRecords(t *testing.T, together bool) {
	h := hubtest.NewServer(t, "http", hub.Options{Limits: propLimits})
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(t, ea, syncclient.Config{Limits: propLimits})
	b := hubtest.NewStation(t, eb, syncclient.Config{Limits: propLimits})
	rnd := rand.New(rand.NewPCG(1, 2))
	long := func() string {
		var s strings.Builder
		for range 2000 {
			s.WriteRune(rune(0x4E00 + rnd.IntN(0x9FA5-0x4E00)))
		}
		return s.String()
	}
	const workers, followups = 3, 12
	var ids []ident.ID
	for i := range workers {
		w := hubtest.WithStation(hubtest.WorkerEdit(ea.Key, hubtest.IDNumber(8000+i), "长记录的人", "13800000000"), "站A")
		ids = append(ids, w.Row)
		edits := []replica.Edit{w}
		for range followups {
			f := records.Followup{WorkerID: w.Row.String(), Date: "2026-11-01", Method: "电话", ServiceType: "职业指导",
				Content: long(), Outcome: long()}
			if err := f.Validate(); err != nil {
				t.Fatal(err)
			}
			edits = append(edits, hubtest.WithStation(replica.Edit{Table: records.Followups, Row: hubtest.NewRowID(t), Set: f.Columns()}, "站A"))
		}
		if together {
			a.Write(edits...) // one transaction, far over one frame
			continue
		}
		for _, e := range edits {
			a.Write(e)
		}
	}
	a.Start()
	hubtest.WaitFor(t, 30*time.Second, "A's records to reach the hub", func() bool { return hubtest.Converged(t, h.Hub, a) })
	b.Start()
	if err := h.Hub.AddToScope(context.Background(), "站B", ids); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 30*time.Second, "the snapshots to reach B", func() bool {
		return hubtest.RowCount(t, b.Rep, records.Followups) == workers*followups && hubtest.Converged(t, h.Hub, b)
	})
}
