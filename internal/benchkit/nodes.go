package benchkit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/hub/hubsync"
	"fieldsync/hub/hubweb"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// hubNode is a real hub serving on 127.0.0.1, with the TCP payload of every
// connection it accepts counted.
type hubNode struct {
	dir  string
	hub  *hub.Hub
	addr string
	ln   *countingListener
	done chan error
}

// startHub initialises a hub in a new folder and serves it on a free port
// of 127.0.0.1. opt.Dir is set here.
func startHub(ctx context.Context, e *env, opt hub.Options) (*hubNode, error) {
	dir := e.path("hub")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("hub folder: %w", err)
	}
	if err := hub.Init(dir, "基准县", "http://127.0.0.1:1"); err != nil {
		return nil, fmt.Errorf("init hub: %w", err)
	}
	opt.Dir = dir
	return serveHub(ctx, e, opt)
}

// serveHub opens the hub in opt.Dir and serves it on a free port of
// 127.0.0.1.
func serveHub(ctx context.Context, e *env, opt hub.Options) (*hubNode, error) {
	if opt.Logger == nil {
		opt.Logger = e.nodeLog.With("node", "hub")
	}
	h, err := hub.Open(ctx, opt)
	if err != nil {
		return nil, fmt.Errorf("open hub: %w", err)
	}
	stations, err := hubsync.New(h)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("open hub: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("hub listener: %w", err)
	}
	n := &hubNode{dir: opt.Dir, hub: h, addr: ln.Addr().String(), ln: &countingListener{Listener: ln}, done: make(chan error, 1)}
	// Serve runs until Close, which waits for it.
	go func() { n.done <- hubweb.Serve(h, hubweb.Handler(h, stations), n.ln, nil) }()
	return n, nil
}

// enroll adds a station and returns its enrollment, pointed at the hub.
func (n *hubNode) enroll(ctx context.Context, name string) (syncproto.Enrollment, error) {
	en, err := n.hub.AddStation(ctx, name, "150421001001", false)
	if err != nil {
		return en, fmt.Errorf("enroll %s: %w", name, err)
	}
	en.HubURL = "http://" + n.addr
	return en, nil
}

// upCursor is how far the hub has committed a station's log.
func (n *hubNode) upCursor(ctx context.Context, site replica.SiteID) (uint64, error) {
	return n.hub.Replica().Cursor(ctx, "up:"+site.String())
}

// Close stops the hub and waits for Serve to return.
func (n *hubNode) Close() error {
	err := n.hub.Close()
	if serr := <-n.done; !errors.Is(serr, hub.ErrClosed) && err == nil {
		err = fmt.Errorf("hub serve: %w", serr)
	}
	return err
}

// countingListener counts the bytes read and written on the connections it
// accepts: the TCP payload of the sessions, both ways.
type countingListener struct {
	net.Listener
	in, out atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

// bytes is the payload both ways so far.
func (l *countingListener) bytes() int64 { return l.in.Load() + l.out.Load() }

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.l.in.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.l.out.Add(int64(n))
	return n, err
}

// stationNode is a station's replica, opened as the station program opens it
// (its page indexes included), and its sync client when started.
type stationNode struct {
	rep    *replica.Replica
	enr    syncproto.Enrollment
	log    *slog.Logger
	client *syncclient.Client
	cancel context.CancelFunc
	done   chan error
}

// openStation opens a new station replica at path for an enrollment.
// synchronous is SQLite's setting ("" is the station's default, FULL).
func openStation(ctx context.Context, e *env, path string, en syncproto.Enrollment, synchronous string) (*stationNode, error) {
	schema, err := records.NewSchema()
	if err != nil {
		return nil, err
	}
	rep, err := replica.Open(ctx, path, replica.Options{Schema: schema, Site: en.Site, Key: en.Key,
		Clock: hlc.NewClock(nil), Indexes: records.StationIndexes(), Synchronous: synchronous})
	if err != nil {
		return nil, fmt.Errorf("open station %s: %w", en.StationID, err)
	}
	return &stationNode{rep: rep, enr: en, log: e.nodeLog.With("node", en.StationID)}, nil
}

// start runs the station's sync client (the station program's defaults
// unless cfg says otherwise) on a goroutine the station owns until stop.
func (s *stationNode) start(cfg syncclient.Config) error {
	cfg.Enrollment, cfg.Replica = s.enr, s.rep
	if cfg.Logger == nil {
		cfg.Logger = s.log
	}
	c, err := syncclient.New(cfg)
	if err != nil {
		return fmt.Errorf("sync client of %s: %w", s.enr.StationID, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.client, s.cancel, s.done = c, cancel, make(chan error, 1)
	go func() { s.done <- c.Run(ctx) }()
	return nil
}

// stop ends the sync client and waits for it.
func (s *stationNode) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
	s.cancel = nil
}

// Close stops the client and closes the replica.
func (s *stationNode) Close() error {
	s.stop()
	return s.rep.Close()
}

// write writes edits in transactions of batch edits.
func (s *stationNode) write(ctx context.Context, edits []replica.Edit, batch int) error {
	return writeBatches(ctx, s.rep, edits, batch)
}

func writeBatches(ctx context.Context, r *replica.Replica, edits []replica.Edit, batch int) error {
	for i := 0; i < len(edits); i += batch {
		if _, err := r.Write(ctx, edits[i:min(i+batch, len(edits))]...); err != nil {
			return fmt.Errorf("write %d edits: %w", len(edits[i:min(i+batch, len(edits))]), err)
		}
	}
	return nil
}

// waitUntil polls cond every few milliseconds until it holds, it fails, ctx
// ends or within passes.
func waitUntil(ctx context.Context, within time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(within)
	for {
		ok, err := cond()
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s waiting for %s", within, what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond): // polling interval
		}
	}
}

// rowCount counts a table's rows.
func rowCount(ctx context.Context, r *replica.Replica, table string) (int, error) {
	var n int
	if err := r.DB().QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// readBatches reads a replica's log (only site's changes when site is not
// zero) as the batches a sync session would cut, with the sequence each
// batch ends at.
func readBatches(ctx context.Context, r *replica.Replica, site replica.SiteID, limit, maxBytes int) ([][]replica.Change, []uint64, error) {
	var batches [][]replica.Change
	var lasts []uint64
	for after := uint64(0); ; {
		entries, scanned, err := r.ReadLog(ctx, after, replica.LogQuery{Site: site, Limit: limit, MaxBytes: maxBytes})
		if err != nil {
			return nil, nil, fmt.Errorf("read log: %w", err)
		}
		if len(entries) == 0 {
			return batches, lasts, nil
		}
		chs := make([]replica.Change, len(entries))
		for i := range entries {
			chs[i] = entries[i].Change
		}
		batches, lasts = append(batches, chs), append(lasts, scanned)
		after = scanned
	}
}

// hubReplica opens a fresh hub (its real database, with whatever indexes and
// options the hub gives it) without serving it: the target of "Apply alone".
// With like set, the new hub takes the configuration (deployment key, site)
// of the hub in that folder, so that it accepts the same changes.
func hubReplica(ctx context.Context, e *env, like string) (*hub.Hub, error) {
	dir := e.path("apply-hub")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("hub folder: %w", err)
	}
	if err := hub.Init(dir, "基准县", "http://127.0.0.1:1"); err != nil {
		return nil, fmt.Errorf("init hub: %w", err)
	}
	if like != "" {
		b, err := os.ReadFile(filepath.Join(like, "hub.json"))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "hub.json"), b, 0o600)
		}
		if err != nil {
			return nil, fmt.Errorf("copy hub configuration: %w", err)
		}
	}
	h, err := hub.Open(ctx, hub.Options{Dir: dir, Synchronous: "NORMAL", Logger: e.nodeLog})
	if err != nil {
		return nil, fmt.Errorf("open hub: %w", err)
	}
	return h, nil
}

// fileSize is the size of a database file after a checkpoint (its WAL
// folded in and truncated).
func fileSize(ctx context.Context, r *replica.Replica, path string) (int64, error) {
	if _, err := r.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// copyDir copies the regular files of one folder into a new one (a closed
// hub's folder, a closed station's database and its WAL).
func copyDir(from, to string) error {
	if err := os.MkdirAll(to, 0o700); err != nil {
		return fmt.Errorf("copy to %s: %w", to, err)
	}
	des, err := os.ReadDir(from)
	if err != nil {
		return fmt.Errorf("copy from %s: %w", from, err)
	}
	for _, de := range des {
		if !de.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, de.Name()))
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		if err := os.WriteFile(filepath.Join(to, de.Name()), b, 0o600); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	return nil
}
