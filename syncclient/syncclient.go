// Package syncclient is the station side of a sync session: it dials the
// county hub's /sync WebSocket whenever a link exists, streams the station's
// own changes up and the hub's relayed changes down, and reconnects with
// growing, jittered backoff until its context ends.
package syncclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fieldsync/replica"
	"fieldsync/syncproto"
)

// Config configures a Client. Zero durations take the defaults.
type Config struct {
	Enrollment syncproto.Enrollment
	Replica    *replica.Replica
	Logger     *slog.Logger
	// Now is the raw wall clock, the one the replica's hlc.Clock reads (nil:
	// time.Now); the clock offset is measured against it.
	Now func() time.Time

	// MinBackoff and MaxBackoff bound the wait between connection attempts
	// (defaults 1 s and 5 minutes); each failure doubles it, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// PingInterval is how often an idle session pings the hub (default 30 s).
	PingInterval time.Duration
	// Poll is how often the local log is checked for changes nobody Kicked
	// about (default 5 s).
	Poll time.Duration
	// HandshakeTimeout bounds dialing and the Hello/Welcome exchange
	// (default 30 s: a 2G link).
	HandshakeTimeout time.Duration
	// Window is how many batches may wait for the hub's ack (default 8).
	Window int
	// Limits bound the frames the station decodes.
	Limits syncproto.Limits
	// LogRetention is how long log rows the hub acknowledged stay on the
	// station (0: DefaultLogRetention; negative: for ever).
	LogRetention time.Duration
	// Restored is the site the station's database left when it was
	// restored from a backup (0: never restored), sent in every Hello: the
	// hub moves the enrollment from it to the replica's new site once.
	Restored replica.SiteID
	// BackupSite is the site the restored backup was written under, and
	// BackupAcked its last own log row the hub had acknowledged when it
	// was taken: before the session that moves the station, its changes
	// after both that and the hub's cursor of the site left are stamped
	// again under the new site and sent (resend.go). Used with Restored
	// only, and only when BackupSite is Restored.
	BackupSite  replica.SiteID
	BackupAcked uint64
	// SavePins stores the pins of the hub's keys the station holds after
	// the hub published new ones (pins.go), so that a restart keeps them
	// (nil: they are held until the client stops). `station serve`
	// writes them into station.json's enrollment.
	SavePins func(pins []string) error
}

// Status is what the station shows staff about sync.
type Status struct {
	Connected   bool
	LastSync    time.Time     // zero if never
	PendingUp   int           // own changes the hub has not acknowledged
	ClockOffset time.Duration // hub time minus local time, measured at the last connection
	LastError   string        // the hub's last refusal or the last link error, "" if none
	ErrorCode   int           // syncproto error code of LastError, 0 if none
	Warning     string        // something staff should tell the county, "" if none
	// HubRestoredAt is when this station last found the hub restored from
	// a backup (and synced again from the start of its log); zero if never.
	HubRestoredAt time.Time
	// Restamped counts the own changes stamped again since the client
	// started: the hub had refused them for being ahead of its clock, and
	// the clock was right again (Warning then says so).
	Restamped int
}

// Client runs the station's sync sessions.
type Client struct {
	cfg   Config
	codec *syncproto.Codec
	log   *slog.Logger
	kick  chan struct{}

	mu        sync.Mutex
	st        Status
	trimmedAt time.Time // when the log was last trimmed
	restamped restampNote

	acks       []ackTime // when the hub's acks advanced (see acks.go)
	acksLoaded bool

	resent atomic.Bool // the restored backup's changes were sent again (resend.go)

	pinMu sync.Mutex
	held  syncproto.Enrollment // the pins the hub's certificate is checked against (pins.go)
}

// State kept across restarts: the hub's last refusal, and the clock offset
// last measured against the hub (in milliseconds), which corrects stamps
// made offline.
const (
	lastErrorState   = "sync.last_error"
	clockOffsetState = "sync.clock_offset_ms"
)

// New checks cfg and returns a client; Run starts it.
func New(cfg Config) (*Client, error) {
	if cfg.Replica == nil {
		return nil, errors.New("syncclient: no replica")
	}
	e := cfg.Enrollment
	if _, err := e.SyncURL(); err != nil {
		return nil, fmt.Errorf("syncclient: %w", err)
	}
	if e.Site != cfg.Replica.Site() {
		return nil, fmt.Errorf("syncclient: the replica's site %s is not the enrolled site %s", cfg.Replica.Site(), e.Site)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.MinBackoff, time.Second)
	def(&cfg.MaxBackoff, 5*time.Minute)
	def(&cfg.PingInterval, 30*time.Second)
	def(&cfg.Poll, 5*time.Second)
	def(&cfg.HandshakeTimeout, 30*time.Second)
	if cfg.Window <= 0 {
		cfg.Window = 8
	}
	if cfg.LogRetention == 0 {
		cfg.LogRetention = DefaultLogRetention
	}
	c := &Client{
		cfg:   cfg,
		codec: &syncproto.Codec{Schema: cfg.Replica.Schema(), Key: e.Key, Limits: cfg.Limits},
		log:   cfg.Logger.With("subsystem", "sync", "station", e.StationID),
		kick:  make(chan struct{}, 1),
		held:  syncproto.Enrollment{Pins: slices.Clone(e.Pins), CertPin: e.CertPin},
	}
	ctx := context.Background()
	if b, err := cfg.Replica.State(ctx, lastErrorState); err == nil && b != nil {
		var saved struct {
			Code int
			Msg  string
		}
		if json.Unmarshal(b, &saved) == nil {
			c.st.ErrorCode, c.st.LastError = saved.Code, saved.Msg
		}
	}
	if b, err := cfg.Replica.State(ctx, clockOffsetState); err == nil && b != nil && cfg.Replica.Clock().Offset() == 0 {
		if ms, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			cfg.Replica.Clock().SetOffset(time.Duration(ms) * time.Millisecond)
		}
	}
	c.st.ClockOffset = cfg.Replica.Clock().Offset()
	c.st.HubRestoredAt = c.loadHubRestored(ctx)
	return c, nil
}

// Run connects and syncs until ctx ends, reconnecting after every failure.
// It returns ctx.Err().
func (c *Client) Run(ctx context.Context) error {
	c.countPending(ctx)
	backoff := c.cfg.MinBackoff
	resetJustNow := false
	for {
		welcomed, err := c.session(ctx)
		c.setConnected(false)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, errHubRestored) && !resetJustNow {
			// The download cursor is reset: sync again at once (once: a
			// hub that seems restored at every connection waits its turn).
			resetJustNow = true
			continue
		}
		resetJustNow = false
		c.noteError(ctx, err)
		if welcomed {
			backoff = c.cfg.MinBackoff
		}
		var wait time.Duration
		wait, backoff = nextBackoff(backoff, c.cfg.MaxBackoff)
		c.log.Info("sync session ended", "err", err, "retry_in", wait.Round(time.Millisecond))
		c.countPending(ctx)
		t := time.NewTimer(wait)
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-c.kick:
				// Recorded while the hub is out of reach: staff see it
				// pending at once. The next session reads the log anyway.
				c.countPending(ctx)
			case <-t.C:
				waiting = false
			}
		}
	}
}

// countPending counts the own changes the hub has not acknowledged, from
// the log: what Status reports while no session counts them.
func (c *Client) countPending(ctx context.Context) {
	rep := c.cfg.Replica
	acked, err := rep.Cursor(ctx, upCursor)
	if err != nil {
		c.log.Warn("count pending changes", "err", err)
		return
	}
	n, err := rep.CountSince(ctx, acked, rep.Site())
	if err != nil {
		c.log.Warn("count pending changes", "err", err)
		return
	}
	m, err := c.pendingOfSiteLeft(ctx)
	if err != nil {
		c.log.Warn("count pending changes", "err", err)
		return
	}
	c.setPending(n + m)
}

// nextBackoff returns how long to wait after a failure and the backoff for
// the next one: jitter over the upper half of the current backoff, so that
// stations cut off together do not all come back in the same second, and
// doubling up to max.
func nextBackoff(cur, max time.Duration) (wait, next time.Duration) {
	return cur/2 + rand.N(cur/2+1), min(cur*2, max)
}

// Status reports the current sync state.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.st
	if note := c.clockNote(); note != "" {
		st.Restamped = c.restamped.changes
		st.Warning = strings.TrimSpace(st.Warning + "\n" + note)
	}
	return st
}

// Kick tells the client that local changes were written, so it sends them now
// instead of at the next poll.
func (c *Client) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *Client) setConnected(on bool) {
	c.mu.Lock()
	c.st.Connected = on
	c.mu.Unlock()
}

// noteError records why a session ended. A refusal by the hub is kept (and
// stored) until the hub accepts a batch again; a link error, or the hub's
// "retry later", only until the next connection.
func (c *Client) noteError(ctx context.Context, err error) {
	if err == nil {
		return
	}
	code, msg := 0, err.Error()
	var pe *syncproto.Error
	if errors.As(err, &pe) {
		code, msg = int(pe.Code), pe.Error()
	}
	c.noteClockRefusal(ctx, code) // stored before Status shows it
	c.mu.Lock()
	c.st.LastError, c.st.ErrorCode = msg, code
	c.mu.Unlock()
	if code != 0 && !syncproto.ErrCode(code).Temporary() {
		c.saveError(ctx, code, msg)
	}
}

func (c *Client) saveError(ctx context.Context, code int, msg string) {
	var b []byte
	if code != 0 || msg != "" {
		b, _ = json.Marshal(struct {
			Code int
			Msg  string
		}{code, msg})
	}
	if err := c.cfg.Replica.SetState(ctx, lastErrorState, b); err != nil {
		c.log.Warn("store sync error", "err", err)
	}
}

// progress clears a stored refusal once the hub accepts the station's data.
func (c *Client) progress(ctx context.Context) {
	c.mu.Lock()
	c.st.LastSync = c.cfg.Now()
	had := c.st.ErrorCode != 0 || c.st.LastError != ""
	c.st.LastError, c.st.ErrorCode = "", 0
	c.mu.Unlock()
	if had {
		c.saveError(ctx, 0, "")
	}
}

func (c *Client) setPending(n int) {
	c.mu.Lock()
	c.st.PendingUp = n
	c.mu.Unlock()
}
