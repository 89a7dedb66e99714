package hub_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fieldsync/hub/hubsync"
	"fieldsync/hub/hubweb"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// Tests run real hubs and stations on 127.0.0.1 with SQLite files in
// temporary folders. HUB_TEST_LOG=1 shows their logs, and a goroutine dump
// when a wait times out.

// testHub is a real hub serving on 127.0.0.1.
type testHub struct {
	t   testing.TB
	dir string
	hub *hub.Hub
	// handler serves the hub's pages, API and /sync (hubweb, hubsync).
	handler http.Handler
	addr    string
	tls     *tls.Config
	opt     hub.Options
	done    chan error
}

func newTestHub(t testing.TB, scheme string, opt hub.Options) *testHub {
	t.Helper()
	dir := t.TempDir()
	if err := hub.Init(dir, "测试县", scheme+"://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	opt.Dir = dir
	if os.Getenv("HUB_TEST_LOG") != "" {
		opt.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opt.Synchronous == "" {
		opt.Synchronous = "NORMAL"
	}
	h := &testHub{t: t, dir: dir, opt: opt}
	if scheme == "https" {
		cert, err := hub.SelfSignedCert(dir, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		h.tls = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	h.open()
	h.serve("127.0.0.1:0")
	t.Cleanup(h.stop)
	return h
}

func (h *testHub) open() {
	h.t.Helper()
	hb, err := hub.Open(context.Background(), h.opt)
	if err != nil {
		h.t.Fatal(err)
	}
	stations, err := hubsync.New(hb)
	if err != nil {
		hb.Close()
		h.t.Fatal(err)
	}
	h.hub = hb
	h.handler = hubweb.Handler(hb, stations)
}

func (h *testHub) serve(addr string) {
	h.t.Helper()
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; {
		if ln, err = net.Listen("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // the old socket is still closing
	}
	if err != nil {
		h.t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	h.done = make(chan error, 1)
	hb, hd := h.hub, h.handler
	go func() { h.done <- hubweb.Serve(hb, hd, ln, h.tls) }()
}

// stop closes the hub and waits for Serve to return.
func (h *testHub) stop() {
	if h.hub == nil {
		return
	}
	if err := h.hub.Close(); err != nil {
		h.t.Error(err)
	}
	if err := <-h.done; !errors.Is(err, hub.ErrClosed) {
		h.t.Errorf("Serve: %v", err)
	}
	h.hub = nil
}

func (h *testHub) url() string {
	if h.tls != nil {
		return "https://" + h.addr
	}
	return "http://" + h.addr
}

// enroll adds a station and returns its enrollment, pointed at addr (the hub,
// or a proxy in front of it).
func (h *testHub) enroll(name string) syncproto.Enrollment {
	h.t.Helper()
	e, err := h.hub.AddStation(context.Background(), name, "150421001001", false)
	if err != nil {
		h.t.Fatal(err)
	}
	e.HubURL = h.url()
	return e
}

// testStation is a station replica with its sync client.
type testStation struct {
	t      testing.TB
	name   string
	path   string // the station's database file
	rep    *replica.Replica
	enr    syncproto.Enrollment
	cfg    syncclient.Config
	client *syncclient.Client
	cancel context.CancelFunc
	done   chan error
}

func newTestStation(t testing.TB, e syncproto.Enrollment, cfg syncclient.Config) *testStation {
	t.Helper()
	s, err := records.NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "station.db")
	rep, err := replica.Open(context.Background(), path, replica.Options{
		Schema: s, Site: e.Site, Key: e.Key, Synchronous: "NORMAL", Clock: hlc.NewClock(cfg.Now),
	})
	if err != nil {
		t.Fatal(err)
	}
	st := &testStation{t: t, name: e.StationID, path: path, rep: rep, enr: e, cfg: cfg}
	t.Cleanup(st.close)
	return st
}

// close stops the client and closes the replica.
func (s *testStation) close() {
	s.stop()
	if s.rep != nil {
		s.rep.Close()
		s.rep = nil
	}
}

func (s *testStation) start() {
	s.t.Helper()
	cfg := s.cfg
	cfg.Enrollment, cfg.Replica = s.enr, s.rep
	if os.Getenv("HUB_TEST_LOG") != "" {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff, cfg.MaxBackoff = 10*time.Millisecond, 200*time.Millisecond
	}
	c, err := syncclient.New(cfg)
	if err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.client, s.cancel, s.done = c, cancel, make(chan error, 1)
	go func() { s.done <- c.Run(ctx) }()
}

func (s *testStation) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	if err := <-s.done; !errors.Is(err, context.Canceled) {
		s.t.Errorf("Run: %v", err)
	}
	s.cancel = nil
}

func (s *testStation) write(edits ...replica.Edit) {
	s.t.Helper()
	if _, err := s.rep.Write(context.Background(), edits...); err != nil {
		s.t.Fatal(err)
	}
	if s.client != nil {
		s.client.Kick()
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			if os.Getenv("HUB_TEST_LOG") != "" {
				buf := make([]byte, 1<<20)
				t.Logf("%s", buf[:runtime.Stack(buf, true)])
			}
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}

// converged reports whether the station holds exactly the hub's rows and
// merge state for its scope, and whether the hub holds all the station wrote.
func converged(t testing.TB, h *hub.Hub, s *testStation) bool {
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
	if hh != sh || hn != sn {
		if testing.Verbose() {
			t.Logf("%s: hub scope %d rows, station %d rows", s.name, hn, sn)
		}
		return false
	}
	// Every own change is at the hub, once. (A station may log its own
	// version again when the hub relays it marked replaced; the hub never.)
	mine, _ := ownChanges(t, s.rep, s.rep.Site())
	atHub, dup := ownChanges(t, h.Replica(), s.rep.Site())
	if dup > 0 {
		t.Fatalf("the hub logged %d of %s's changes twice", dup, s.name)
	}
	return mine == atHub
}

// ownChanges counts the distinct changes (row, version) site made in r's log,
// and how many were logged more than once.
func ownChanges(t testing.TB, r *replica.Replica, site replica.SiteID) (n, dup int) {
	t.Helper()
	type key struct {
		row ident.ID
		v   replica.Version
	}
	seen := map[key]bool{}
	var after uint64
	for {
		entries, scanned, err := r.ReadLog(context.Background(), after, replica.LogQuery{Site: site, Limit: 100000, MaxBytes: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		if scanned == after {
			return len(seen), dup
		}
		for _, e := range entries {
			k := key{e.Change.Row, e.Change.Version}
			if seen[k] {
				dup++
			}
			seen[k] = true
		}
		after = scanned
	}
}

func rowCount(t testing.TB, r *replica.Replica, table string) int {
	t.Helper()
	var n int
	if err := r.DB().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// workerEdit registers (or edits) the worker with the given id number.
func workerEdit(key ident.Key, idNumber, name, phone string) replica.Edit {
	return replica.Edit{Table: records.Workers, Row: key.Derive(records.Workers, idNumber),
		Set: []replica.ColumnValue{{Column: "id_number", Value: idNumber}, {Column: "name", Value: name},
			{Column: "phone", Value: phone}}}
}

// idNumber makes a valid GB 11643 id number from 17 digits.
func idNumber(i int) string {
	first := fmt.Sprintf("150421199001%05d", i%100000)
	return first + string(ident.CheckDigit(first))
}

// proxy forwards TCP connections to target; the first connection is cut
// after cutAfter bytes (both directions together), the later ones pass.
type proxy struct {
	ln       net.Listener
	target   string
	cutAfter int64
	bytes    atomic.Int64 // payload bytes, both directions, all connections
	conns    atomic.Int32
	wg       sync.WaitGroup
	mu       sync.Mutex
	open     []net.Conn
}

func newProxy(t testing.TB, target string, cutAfter int64) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, cutAfter: cutAfter}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
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
		p.open = append(p.open, c, u)
		p.mu.Unlock()
		limit := int64(-1)
		if p.conns.Add(1) == 1 {
			limit = p.cutAfter
		}
		var used atomic.Int64
		pipe := func(dst, src net.Conn) {
			defer p.wg.Done()
			defer dst.Close()
			defer src.Close()
			buf := make([]byte, 4096)
			for {
				n, err := src.Read(buf)
				if n > 0 {
					if limit >= 0 {
						left := limit - used.Add(int64(n)) + int64(n)
						if left <= 0 {
							return
						}
						if int64(n) > left {
							dst.Write(buf[:left])
							p.bytes.Add(left)
							return
						}
					}
					if _, err := dst.Write(buf[:n]); err != nil {
						return
					}
					p.bytes.Add(int64(n))
				}
				if err != nil {
					return
				}
			}
		}
		p.wg.Add(2)
		go pipe(u, c)
		go pipe(c, u)
	}
}

func (p *proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// goroutinesBack waits until the goroutine count is back to base.
func goroutinesBack(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
