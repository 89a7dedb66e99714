package webkit

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"time"
)

// ServerOptions bound what a client may hold open; zero values take the defaults.
type ServerOptions struct {
	// ReadHeaderTimeout bounds reading a request's headers (default 10 s).
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included (default 3
	// min: a workbook of tens of MB crosses village Wi-Fi well within it,
	// a body trickling a byte a second does not stay open).
	ReadTimeout time.Duration
	// IdleTimeout closes a kept-alive connection left unused (default 2 min).
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request headers (default 64 KiB).
	MaxHeaderBytes int
	TLS            *tls.Config
	Log            *slog.Logger
}

// NewServer makes an http.Server for h with o's limits.
func NewServer(h http.Handler, o ServerOptions) *http.Server {
	if o.ReadHeaderTimeout <= 0 {
		o.ReadHeaderTimeout = 10 * time.Second
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 3 * time.Minute
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 2 * time.Minute
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = 64 << 10
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: o.ReadHeaderTimeout, ReadTimeout: o.ReadTimeout,
		IdleTimeout: o.IdleTimeout, MaxHeaderBytes: o.MaxHeaderBytes, TLSConfig: o.TLS}
	if o.Log != nil {
		srv.ErrorLog = slog.NewLogLogger(o.Log.Handler(), slog.LevelWarn)
	}
	return srv
}
