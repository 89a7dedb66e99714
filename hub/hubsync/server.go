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
	"fieldsync/syncproto"
)

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
	upgrader  websocket.Upgrader
	sessionID atomic.Uint64

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
	reg, err := newRegistry()
	if err != nil {
		return nil, err
	}
	opt := h.Options()
	s := &Server{Hub: h, opt: opt, codec: h.Codec(), log: h.Logger(), now: h.Now, reg: reg,
		live: map[string]liveSession{}, sopt: o.withDefaults(),
		shakes: handshakes{lim: o.withDefaults(), byAddr: map[string]int{}}}
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

// Wake wakes the sessions of the given stations (all connected ones when all
// is set).
func (h *Server) Wake(stations []string, all bool) { h.reg.wake(stations, all) }

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
