package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"fieldsync/hub"
	"fieldsync/hub/hubmetrics"
	"fieldsync/internal/logsetup"
	"fieldsync/webkit"
)

// serveObservation are hub serve's flags for logs, metrics and the client
// address behind a reverse proxy.
type serveObservation struct {
	logLevel, logFormat *string
	metricsAddr         *string
	proxies             proxyList
}

func addObservationFlags(fs *flag.FlagSet) *serveObservation {
	o := &serveObservation{}
	o.logLevel = fs.String("log-level", "info", "least important log messages written: "+logsetup.LevelHelp)
	o.logFormat = fs.String("log-format", "text", "log line format: "+logsetup.FormatHelp)
	o.metricsAddr = fs.String("metrics-addr", "", "serve /metrics (Prometheus) without login on this HOST:PORT only, "+
		"e.g. 127.0.0.1:9400 (default: on the main address, to administrators who are logged in)")
	fs.Var(&o.proxies, "trusted-proxy", "a reverse proxy's `CIDR` or address (repeatable): only from it is "+
		"X-Forwarded-For read for the client's address (default: none, the peer's address counts)")
	return o
}

func (o *serveObservation) logger(w io.Writer) (*slog.Logger, error) {
	return logsetup.New(w, logsetup.Options{Level: *o.logLevel, Format: *o.logFormat})
}

// serveMetrics serves m at /metrics on addr, without login, until ctx ends
// or h closes; wait waits for the server to stop.
func serveMetrics(ctx context.Context, h *hub.Hub, m *hubmetrics.Metrics, addr string, log *slog.Logger, stdout io.Writer) (wait func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler(log))
	srv := webkit.NewServer(mux, webkit.ServerOptions{Log: log})
	fmt.Fprintf(stdout, "hub metrics on http://%s/metrics\n", ln.Addr())
	detach, ok := h.Attach(func() { srv.Close() })
	if !ok {
		ln.Close()
		return nil, hub.ErrClosed
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer detach()
		defer stop()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	return func() { srv.Close(); <-done }, nil
}

// proxyList collects repeated --trusted-proxy flags.
type proxyList struct {
	cidrs []string
	tp    webkit.TrustedProxies
}

func (p *proxyList) String() string { return strings.Join(p.cidrs, ",") }

func (p *proxyList) Set(v string) error {
	tp, err := webkit.ParseTrustedProxies(append(append([]string(nil), p.cidrs...), v)...)
	if err != nil {
		return err
	}
	p.cidrs, p.tp = append(p.cidrs, strings.TrimSpace(v)), tp
	return nil
}
