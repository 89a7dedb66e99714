package hubtest

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// Station is a station replica with its sync client.
type Station struct {
	t      testing.TB
	Name   string
	Path   string // the station's database file
	Rep    *replica.Replica
	Enr    syncproto.Enrollment
	Cfg    syncclient.Config
	Client *syncclient.Client // nil until Start
	cancel context.CancelFunc
	done   chan error
}

// NewStation opens a station replica for enrollment e in a temporary folder;
// its sync client runs from Start to Stop with cfg.
func NewStation(t testing.TB, e syncproto.Enrollment, cfg syncclient.Config) *Station {
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
	st := &Station{t: t, Name: e.StationID, Path: path, Rep: rep, Enr: e, Cfg: cfg}
	t.Cleanup(st.Close)
	return st
}

// Close stops the client and closes the replica.
func (s *Station) Close() {
	s.Stop()
	if s.Rep != nil {
		s.Rep.Close()
		s.Rep = nil
	}
}

// Start runs the station's sync client.
func (s *Station) Start() {
	s.t.Helper()
	cfg := s.Cfg
	cfg.Enrollment, cfg.Replica = s.Enr, s.Rep
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
	s.Client, s.cancel, s.done = c, cancel, make(chan error, 1)
	go func() { s.done <- c.Run(ctx) }()
}

// Stop stops the sync client and waits for it.
func (s *Station) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	if err := <-s.done; !errors.Is(err, context.Canceled) {
		s.t.Errorf("Run: %v", err)
	}
	s.cancel = nil
}

// Write writes the edits at the station and wakes its client.
func (s *Station) Write(edits ...replica.Edit) {
	s.t.Helper()
	if _, err := s.Rep.Write(context.Background(), edits...); err != nil {
		s.t.Fatal(err)
	}
	if s.Client != nil {
		s.Client.Kick()
	}
}
