// Package hubsync is the hub's adapter for stations: the WebSocket /sync
// handler, each station's sync session (its handshake, then the protocol's
// send/ack window, syncproto.Window, over a syncproto.Conn), and the
// registry of live sessions and their wake-ups. It follows the core/adapter
// split: the session hands the station's batches to the core's upload
// pipeline (hub.Authorize, hub.ApplyUpload) and relays what the core's log
// holds; the core tells it what changed through hub.Sessions.
package hubsync

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hub"
	"fieldsync/hub/hubmetrics"
	"fieldsync/syncproto"
)

// Options configure the sync server: what stations that have not
// authenticated yet may take, and how strictly uploads must follow the
// station's log.
// Zero fields take the defaults.
type Options struct {
	// MaxHandshakes is how many handshakes may be in flight at once
	// (default 128); MaxHandshakesPerAddr, from one remote address (default
	// 16). The rest are answered HTTP 503 with Retry-After.
	MaxHandshakes, MaxHandshakesPerAddr int
	// ContiguousUploads refuses a station batch that does not start right
	// after what the hub holds of the station's log. Stations of this
	// release send such batches; earlier ones skip the entries of the
	// hub's batches, so turn this on once every station is upgraded
	// (`hub serve --contiguous-uploads`). Without it a gap is accepted, and
	// only an empty batch moving the cursor is refused.
	ContiguousUploads bool
	// MaxDecodedBytes bounds the memory that the station batches of all
	// sessions hold together, from decoding to commit (default 256 MiB).
	// Before a session decodes a batch frame it charges the frame's
	// syncproto DecodeCost, an upper bound of what decoding may allocate
	// known from the frame's header (a few times the declared body, at most
	// about 60 MiB with the default limits), and waits while the budget is
	// spent; once decoded, the charge shrinks to what the batch keeps
	// (syncproto.HeldBytes), and it is given back when the batch is
	// committed or the session ends. A waiting session does not read its
	// socket, so TCP holds the station back. The frame being read (at most
	// the codec's MaxFrame per session) is not charged.
	MaxDecodedBytes int64
	// MaxDecodedPerSession is the most one session may hold of that budget
	// (default a quarter of it): past it, a session waits for its own
	// batches to commit, whatever is free. A session holding nothing may
	// always take one frame, even one larger than its share or the whole
	// budget (that frame then waits to be alone).
	MaxDecodedPerSession int64
	// Metrics are counted into as sessions work (default: the server's own,
	// see Server.Metrics).
	Metrics *hubmetrics.Metrics
}

func (o Options) withDefaults() Options {
	if o.MaxHandshakes <= 0 {
		o.MaxHandshakes = 128
	}
	if o.MaxHandshakesPerAddr <= 0 {
		o.MaxHandshakesPerAddr = 16
	}
	if o.MaxDecodedBytes <= 0 {
		o.MaxDecodedBytes = DefaultMaxDecodedBytes
	}
	if o.MaxDecodedPerSession <= 0 {
		o.MaxDecodedPerSession = max(o.MaxDecodedBytes/defaultSessionShares, 1)
	}
	return o
}

// Server serves the sync sessions of a hub's stations. The hub owns its
// sessions' goroutines (hub.Enter): the hub's Close ends and waits for them.
type Server struct {
	*hub.Hub
	opt       hub.Options
	sopt      Options
	codec     *syncproto.Codec
	log       *slog.Logger
	now       func() time.Time
	reg       *registry
	shakes    handshakes
	decoded   *budget // the memory of decoded station batches
	upgrader  websocket.Upgrader
	sessionID atomic.Uint64
	metrics   *hubmetrics.Metrics

	mu   sync.Mutex
	live map[string]liveSession // the current session of each station
}

type liveSession struct {
	id     uint64
	cancel context.CancelFunc
}

// New returns the sync server of h with the default Options and connects it
// to h (hub.SetSessions).
func New(h *hub.Hub) (*Server, error) { return NewWith(h, Options{}) }

// NewWith is New with options.
func NewWith(h *hub.Hub, o Options) (*Server, error) {
	o = o.withDefaults()
	reg, err := newRegistry()
	if err != nil {
		return nil, err
	}
	opt := h.Options()
	s := &Server{Hub: h, opt: opt, codec: h.Codec(), log: h.Logger(), now: h.Now, reg: reg,
		live: map[string]liveSession{}, sopt: o,
		shakes:  handshakes{lim: o, byAddr: map[string]int{}},
		decoded: newBudget(o.MaxDecodedBytes, o.MaxDecodedPerSession), metrics: o.Metrics}
	if s.metrics == nil {
		s.metrics = hubmetrics.New(h, hubmetrics.Options{})
	}
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: opt.HandshakeTimeout,
		// An idle station should cost little memory: the read buffer is the
		// HTTP server's (size 0 reuses it), the small write buffer is held
		// only while writing. Frames still reach MaxFrame.
		WriteBufferSize: 4 << 10,
		WriteBufferPool: &sync.Pool{},
		// Stations are not browsers: no Origin to check.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	h.SetSessions(s)
	return s, nil
}

// Metrics are the metrics the sessions count into (Options.Metrics, or
// the server's own): the hub's web adapter serves them at /metrics.
func (h *Server) Metrics() *hubmetrics.Metrics { return h.metrics }

// Wake wakes the sessions of the given stations (all connected ones when all
// is set).
func (h *Server) Wake(stations []string, all bool) { h.reg.wake(stations, all) }

// DecodeBudget is the state of the memory budget of decoded station
// batches (Options.MaxDecodedBytes).
func (h *Server) DecodeBudget() DecodeBudget { return h.decoded.state() }

// Session is the live state of a station's session, if it has one.
func (h *Server) Session(station string) (hub.SessionInfo, bool) { return h.reg.get(station) }

// Sessions lists the live sessions, by station.
func (h *Server) Sessions() []hub.SessionInfo { return h.reg.all() }

// claim makes a session the current one of its station, ending the previous
// one (a dead link the station has already given up on).
func (h *Server) claim(station string, id uint64, cancel context.CancelFunc) {
	h.mu.Lock()
	old, ok := h.live[station]
	h.live[station] = liveSession{id: id, cancel: cancel}
	h.mu.Unlock()
	if ok {
		old.cancel()
	}
}

func (h *Server) release(station string, id uint64) {
	h.mu.Lock()
	if h.live[station].id == id {
		delete(h.live, station)
	}
	h.mu.Unlock()
}

// End ends the session of a station, if it has one.
func (h *Server) End(station string) {
	h.mu.Lock()
	s, ok := h.live[station]
	h.mu.Unlock()
	if ok {
		s.cancel()
	}
}
