// Package debugserve serves the Go runtime's profiles (net/http/pprof) of a
// hub or station process on the loopback address given in
// FIELDSYNC_DEBUG_ADDR: for the fault simulator, which checks that no
// process leaks goroutines. Testing only; unset, nothing is served.
package debugserve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"
)

// Env names the variable holding the address ("127.0.0.1:PORT").
const Env = "FIELDSYNC_DEBUG_ADDR"

// FromEnv starts serving when Env is set, until ctx ends; the returned wait
// blocks until the server has stopped. Only loopback addresses are taken.
func FromEnv(ctx context.Context) (wait func(), err error) {
	addr := os.Getenv(Env)
	if addr == "" {
		return func() {}, nil
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%s=%q: want a loopback address and port", Env, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Env, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "%s: %v\n", Env, err)
		}
	}()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return func() { <-done }, nil
}
