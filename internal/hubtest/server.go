package hubtest

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/hubsync"
	"fieldsync/hub/hubweb"
	"fieldsync/syncproto"
	"fieldsync/webkit"
)

// Server is a real hub serving on 127.0.0.1.
type Server struct {
	t testing.TB
	// Dir is the hub's data directory.
	Dir string
	// Hub is the hub's core, open while the server runs.
	Hub *hub.Hub
	// Sync is the hub's sync server (hubsync), mounted at each Open.
	Sync *hubsync.Server
	// Handler serves the hub's pages, API and /sync (hubweb, hubsync).
	Handler http.Handler
	// Addr is where the hub listens, 127.0.0.1:port.
	Addr string
	// TLS is the server's configuration when started with "https", else nil.
	TLS *tls.Config
	Opt hub.Options
	// SyncOpt configures the sync server (hubsync) at each Open.
	SyncOpt hubsync.Options
	// Limits are the HTTP server's limits (webkit's defaults when zero).
	Limits webkit.ServerOptions
	// Web configures the hub's web adapter (hubweb) at each Open; its
	// Hosts get example.com.
	Web  hubweb.HandlerOptions
	done chan error
}

// NewServer initialises a hub in a temporary folder, opens it with opt and
// serves it (http or https, by scheme) on 127.0.0.1; the test's cleanup
// stops it.
func NewServer(t testing.TB, scheme string, opt hub.Options) *Server {
	t.Helper()
	return NewServerWith(t, scheme, opt, Adapters{})
}

// Adapters configure the sync server and the HTTP server of a test hub
// (zero values take their defaults).
type Adapters struct {
	Sync hubsync.Options
	HTTP webkit.ServerOptions
	Web  hubweb.HandlerOptions
}

// NewServerWith is NewServer with the adapters' options.
func NewServerWith(t testing.TB, scheme string, opt hub.Options, a Adapters) *Server {
	t.Helper()
	return newServer(t, scheme, opt, a)
}

func newServer(t testing.TB, scheme string, opt hub.Options, a Adapters) *Server {
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
	h := &Server{t: t, Dir: dir, Opt: opt, SyncOpt: a.Sync, Limits: a.HTTP, Web: a.Web}
	if scheme == "https" {
		cert, err := hub.SelfSignedCert(dir, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		h.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	h.Open()
	h.Serve("127.0.0.1:0")
	t.Cleanup(h.Stop)
	return h
}

// Open opens the hub core with Opt and mounts hubsync and hubweb on it.
func (h *Server) Open() {
	h.t.Helper()
	hb, err := hub.Open(context.Background(), h.Opt)
	if err != nil {
		h.t.Fatal(err)
	}
	stations, err := hubsync.NewWith(hb, h.SyncOpt)
	if err != nil {
		hb.Close()
		h.t.Fatal(err)
	}
	h.Hub, h.Sync = hb, stations
	// Requests made with httptest.NewRequest name example.com.
	web := h.Web
	web.Hosts = append(append([]string(nil), web.Hosts...), "example.com")
	h.Handler = hubweb.HandlerWith(hb, stations, web)
}

// Serve listens on addr (waiting while an old socket there closes) and
// serves the hub.
func (h *Server) Serve(addr string) {
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
	h.Addr = ln.Addr().String()
	h.done = make(chan error, 1)
	hb, hd, o := h.Hub, h.Handler, hubweb.ServeOptions{TLS: h.TLS, Server: h.Limits}
	go func() { h.done <- hubweb.ServeWith(hb, hd, ln, o) }()
}

// Stop closes the hub and waits for Serve to return.
func (h *Server) Stop() {
	if h.Hub == nil {
		return
	}
	if err := h.Hub.Close(); err != nil {
		h.t.Error(err)
	}
	if err := <-h.done; !errors.Is(err, hub.ErrClosed) {
		h.t.Errorf("Serve: %v", err)
	}
	h.Hub = nil
}

// URL is the hub's base URL, http or https.
func (h *Server) URL() string {
	if h.TLS != nil {
		return "https://" + h.Addr
	}
	return "http://" + h.Addr
}

// Enroll adds a station and returns its enrollment, pointed at addr (the hub,
// or a proxy in front of it).
func (h *Server) Enroll(name string) syncproto.Enrollment {
	h.t.Helper()
	e, err := h.Hub.AddStation(context.Background(), name, "150421001001", false)
	if err != nil {
		h.t.Fatal(err)
	}
	e.HubURL = h.URL()
	return e
}
