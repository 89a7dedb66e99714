package hub

import (
	"context"
	"errors"
	"fieldsync/hub/access"
	"fieldsync/privfile"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // a server without a zone database still knows Asia/Shanghai

	"fieldsync/hlc"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/report"
	"fieldsync/syncproto"
)

// Options configure Open. Zero values take the defaults.
type Options struct {
	Dir string
	// Schema is the replicated schema (default records.NewSchema()); tests
	// give a later version of it, to play a hub a version ahead of its
	// stations.
	Schema *replica.Schema
	Logger *slog.Logger
	// Now is the wall clock (time.Now when nil).
	Now func() time.Time
	// MaxSkew is how far ahead of the hub's clock a station's stamp may be
	// (default 5 minutes).
	MaxSkew time.Duration
	// CertFile is the hub's certificate when it is not the self-signed one in
	// Dir; enrollment codes carry its pin.
	CertFile string
	// HandshakeTimeout bounds the HTTP request and the Hello (default 10 s).
	HandshakeTimeout time.Duration
	// IdleTimeout ends a session that sent nothing, not even a ping, for so
	// long (default 2 minutes; stations ping every 30 s).
	IdleTimeout time.Duration
	// WriteTimeout bounds one frame's write (default 2 minutes: a 2G link).
	WriteTimeout time.Duration
	// Window is how many batches a session keeps in flight (default 4).
	Window int
	// Poll is how often a session looks for work nobody woke it for, and
	// checks that its station was not revoked by another process (default
	// 10 s).
	Poll time.Duration
	// Limits bound the frames the hub decodes.
	Limits syncproto.Limits
	// Synchronous is the hub database's SQLite synchronous setting.
	Synchronous string

	// AdminIdle ends an administrator's web session unused for so long
	// (default 30 minutes).
	AdminIdle time.Duration
	// TokenTTL is how long an API bearer token lasts (default 12 hours).
	TokenTTL time.Duration
	// After LockAfter failed logins for one user name (default 5), or
	// RemoteLockAfter from one address (default 20), the name or address
	// is locked out: a minute at first (LockFor if shorter), doubling with
	// each further failure up to LockFor (default 15 minutes); failures are
	// forgotten an hour after the last (LockFor if longer). The web adapter
	// applies it with webkit.Limiter.
	LockAfter       int
	RemoteLockAfter int
	LockFor         time.Duration
	// PasswordCost is the bcrypt cost of new administrator passwords
	// (default bcrypt.DefaultCost; tests lower it).
	PasswordCost int
	// JoinsPerDay is how many people other stations hold a station may
	// register a day (default DefaultJoinsPerDay); each further one waits
	// for a county administrator's approval.
	JoinsPerDay int
	// Zone is the IANA time zone every date a page or report shows is in:
	// the days and months the hub counts by ("" takes hub.json's "zone",
	// else DefaultZone), whatever zone the server is set to.
	Zone string
}

// DefaultZone is the zone of the dates the hub shows and counts by.
const DefaultZone = "Asia/Shanghai"

// ErrClosed is returned by the adapters' Serve after Close.
var ErrClosed = errors.New("hub closed")

// Hub is a county hub. Its methods are safe for concurrent use.
type Hub struct {
	opt       Options
	cfg       *config
	zone      *time.Location // of every date shown and every day and month counted
	rep       *replica.Replica
	codec     *syncproto.Codec
	log       *slog.Logger
	now       func() time.Time
	sessions  Sessions // the adapter serving stations (see SetSessions)
	scope     *scopeSet
	requests  *requestSet   // joins waiting for the county
	refusalTo refusalRoutes // the station of each refusal row
	names     *namesakes    // workers by name, for the identity rule and the search

	acc *access.Store // administrators, their sessions, the audit log

	deriver    *ident.Deriver // worker ids from id numbers, under applyMu
	workerCol  map[string]int
	childMu    sync.Mutex
	childOwner map[ident.ID]ident.ID // child row -> worker (a cache)

	applyMu  sync.Mutex    // one write of workers at a time: station batches, the hub's own edits
	relaySem chan struct{} // bounds concurrent relay reads
	tails    tailReads     // reads of the log's tail shared by woken sessions
	lastSeq  atomic.Uint64 // last sequence of the hub's log
	uploadAt atomic.Int64  // when a station's batch was last applied (wall clock, unix ns; see followLive)
	inc      incarnations  // the database's life (see incarnation.go)

	ctx    context.Context // ends when the hub closes
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // sessions and servers
	stops  []func()       // the adapters' servers (see Attach)

	figOnce sync.Once
	figures *report.Cache // the dashboard's figures; see figuresCache
}

// Open opens the hub in opt.Dir, made by Init.
func Open(ctx context.Context, opt Options) (*Hub, error) {
	cfg, err := readConfig(opt.Dir)
	if err != nil {
		return nil, err
	}
	zone, err := loadZone(opt.Zone, cfg.Zone)
	if err != nil {
		return nil, fmt.Errorf("open hub: %w", err)
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxSkew <= 0 {
		opt.MaxSkew = 5 * time.Minute
	}
	if opt.HandshakeTimeout <= 0 {
		opt.HandshakeTimeout = 10 * time.Second
	}
	if opt.IdleTimeout <= 0 {
		opt.IdleTimeout = 2 * time.Minute
	}
	if opt.WriteTimeout <= 0 {
		opt.WriteTimeout = 2 * time.Minute
	}
	if opt.Window <= 0 {
		opt.Window = 4
	}
	if opt.Poll <= 0 {
		opt.Poll = 10 * time.Second
	}
	schema := opt.Schema
	if schema == nil {
		schema, err = records.NewSchema()
	}
	if err != nil {
		return nil, err
	}
	// The directory and its files are private, also when someone loosened
	// them since init (the database is made 0600 once it exists, below).
	if err := privfile.Mkdir(opt.Dir); err != nil {
		return nil, fmt.Errorf("open hub: %w", err)
	}
	if err := privfile.Chmod(filepath.Join(opt.Dir, configFile), filepath.Join(opt.Dir, keyFile),
		filepath.Join(opt.Dir, certFile)); err != nil {
		return nil, fmt.Errorf("open hub: %w", err)
	}
	rep, err := replica.Open(ctx, filepath.Join(opt.Dir, dbFile), replica.Options{
		Schema: schema, Clock: hlc.NewClock(opt.Now), Site: cfg.site, Key: cfg.key,
		History: true, Synchronous: opt.Synchronous, Logger: opt.Logger, Indexes: records.HubIndexes(),
		Ladder: Ladder(),
	})
	if err != nil {
		return nil, err
	}
	if err := privfile.ChmodDB(filepath.Join(opt.Dir, dbFile)); err != nil {
		rep.Close()
		return nil, fmt.Errorf("open hub: %w", err)
	}
	h := &Hub{
		opt: opt, cfg: cfg, rep: rep, zone: zone, log: opt.Logger.With("subsystem", "hub"), now: opt.Now,
		sessions: noSessions{}, scope: newScopeSet(), requests: newRequestSet(), names: newNamesakes(), workerCol: map[string]int{},
		childOwner: map[ident.ID]ident.ID{}, deriver: ident.NewDeriver(cfg.key),
		codec:    &syncproto.Codec{Schema: schema, Key: cfg.key, Limits: opt.Limits, Concurrency: 4},
		relaySem: make(chan struct{}, relayReaders),
	}
	h.acc = access.New(rep.DB(), opt.Now, h.log, access.Options{AdminIdle: opt.AdminIdle, TokenTTL: opt.TokenTTL,
		LockAfter: opt.LockAfter, RemoteLockAfter: opt.RemoteLockAfter, LockFor: opt.LockFor, PasswordCost: opt.PasswordCost})
	for _, name := range childTables {
		t, _ := schema.Table(name)
		col, ok := t.Column("worker_id")
		if !ok {
			rep.Close()
			return nil, fmt.Errorf("open hub: table %s has no worker_id", name)
		}
		h.workerCol[name] = col
	}
	if err := h.init(ctx); err != nil {
		rep.Close()
		return nil, fmt.Errorf("open hub %s: %w", opt.Dir, err)
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	return h, nil
}

func (h *Hub) init(ctx context.Context) error {
	if err := h.acc.Init(ctx); err != nil {
		return err
	}
	if err := migrateScope(ctx, h.rep.DB()); err != nil {
		return err
	}
	if err := h.initConflicts(ctx); err != nil {
		return err
	}
	if err := h.initRequests(ctx); err != nil {
		return err
	}
	// Hubs made before the name index moved to memory drop the SQL one.
	if _, err := h.rep.DB().ExecContext(ctx, `DROP INDEX IF EXISTS workers_name_station`); err != nil {
		return fmt.Errorf("drop the old name index: %w", err)
	}
	if err := h.names.load(ctx, h.rep.DB()); err != nil {
		return err
	}
	inc, err := loadIncarnations(ctx, h.rep.DB(), h.now())
	if err != nil {
		return err
	}
	h.inc = inc
	seq, err := h.rep.MaxSeq(ctx)
	if err != nil {
		return err
	}
	h.lastSeq.Store(seq)
	return h.loadScope(ctx)
}

// relayReaders bounds the sessions reading the hub's log at once, so that a
// crowd of catching-up stations leaves database connections (the pool has 4)
// for the applier and the handshakes.
const relayReaders = 2

// readLog is ReadLog for a relay, within relayReaders.
func (h *Hub) readLog(ctx context.Context, after uint64, q replica.LogQuery) ([]replica.LogEntry, uint64, error) {
	select {
	case h.relaySem <- struct{}{}:
	case <-ctx.Done():
		return nil, after, ctx.Err()
	}
	defer func() { <-h.relaySem }()
	return h.rep.ReadLog(ctx, after, q)
}

// Name is the hub's name; URL the address stations dial.
func (h *Hub) Name() string { return h.cfg.Name }

// Zone is the time zone of every date the hub shows and of the days and
// months it counts by.
func (h *Hub) Zone() *time.Location { return h.zone }

// loadZone loads the zone named by the option, else by hub.json, else
// DefaultZone.
func loadZone(names ...string) (*time.Location, error) {
	name := DefaultZone
	for _, n := range names {
		if n != "" {
			name = n
			break
		}
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}

// URL is the address stations dial.
func (h *Hub) URL() string { return h.cfg.URL }

// Access is the hub's access control: administrators, their sessions and
// tokens, lock-out and the audit log.
func (h *Hub) Access() *access.Store { return h.acc }

// Replica is the hub's database.
func (h *Hub) Replica() *replica.Replica { return h.rep }

// Write makes local edits at the hub (an administrator's) and wakes the
// sessions whose scope they touch.
func (h *Hub) Write(ctx context.Context, edits ...replica.Edit) ([]replica.Change, error) {
	// Under applyMu, as every write of workers (see namesakes).
	h.applyMu.Lock()
	chs, err := h.rep.Write(ctx, edits...)
	if err == nil {
		h.refreshNames(ctx, chs)
	}
	h.applyMu.Unlock()
	if err != nil {
		return nil, err
	}
	h.settleWritten(ctx, chs)
	h.afterHubWrite(ctx, chs)
	return chs, nil
}

func (h *Hub) noteSeq(seq uint64) {
	for {
		old := h.lastSeq.Load()
		if seq <= old || h.lastSeq.CompareAndSwap(old, seq) {
			return
		}
	}
}

// wakeFor wakes the sessions of the stations whose scope holds the rows of
// the new changes, except the station that sent them.
func (h *Hub) wakeFor(ctx context.Context, changes []replica.Change, isNew []bool, from string) {
	stations := map[string]bool{}
	for i := range changes {
		if !isNew[i] {
			continue
		}
		c := &changes[i]
		if countyWide[c.Table] {
			h.sessions.Wake(nil, true)
			return
		}
		t, ok := h.rep.Schema().Table(c.Table)
		if !ok {
			continue
		}
		if w, ok, err := h.workerOf(ctx, t, c.Row, c.Fields); err == nil && ok {
			for _, st := range h.scope.stationsOf(w) {
				stations[st] = true
			}
		}
	}
	delete(stations, from)
	if len(stations) > 0 {
		list := make([]string, 0, len(stations))
		for st := range stations {
			list = append(list, st)
		}
		h.sessions.Wake(list, false)
	}
}

// Attach registers a server of the hub's adapters: Close calls stop first,
// and then waits until detach is called (when the server has returned).
// It returns false after Close.
func (h *Hub) Attach(stop func()) (detach func(), ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	h.stops = append(h.stops, stop)
	h.wg.Add(1)
	return h.wg.Done, true
}

// Context ends when the hub closes.
func (h *Hub) Context() context.Context { return h.ctx }

// Logger is the hub's logger.
func (h *Hub) Logger() *slog.Logger { return h.log }

// Options are the hub's options, with the defaults filled in.
func (h *Hub) Options() Options { return h.opt }

// Now is the hub's wall clock.
func (h *Hub) Now() time.Time { return h.now() }

// enter registers a session with the hub's WaitGroup unless the hub is
// closing.
func (h *Hub) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(1)
	return true
}

// Close stops the servers, ends every session (telling each station the hub
// is shutting down), waits for them, and closes the database.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	stops := h.stops
	h.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	h.cancel()
	h.wg.Wait()
	return h.rep.Close()
}
