package webkit

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Routes finds the pattern a request matches: an *http.ServeMux.
type Routes interface {
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// AccessLogOptions configure AccessLog.
type AccessLogOptions struct {
	Log *slog.Logger
	// Routes name a request by the pattern it matched, never by its path
	// or query: those hold names and id numbers.
	Routes Routes
	// Level is the level of the lines (default info).
	Level slog.Level
	Now   func() time.Time
}

// AccessLog logs one line per request after it is answered: method, route
// pattern, status, duration, bytes written, the logged-in user ("-" if none
// or unknown: handlers tell it with NoteUser) and the client address
// (ClientHost). The path and the query string are never logged: a search
// for a name, a worker's id in the path, would otherwise be in the logs.
func AccessLog(next http.Handler, o AccessLogOptions) http.Handler {
	if o.Log == nil {
		return next
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := o.Now()
		note := &accessNote{}
		r = r.WithContext(context.WithValue(r.Context(), accessKey{}, note))
		rw := &statusWriter{ResponseWriter: w}
		defer func() {
			route := "-"
			if o.Routes != nil {
				if _, p := o.Routes.Handler(r); p != "" {
					route = p
				}
			}
			user := note.user
			if user == "" {
				user = "-"
			}
			status := rw.status
			if status == 0 {
				status = http.StatusOK
			}
			o.Log.LogAttrs(r.Context(), o.Level, "http request",
				slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
				slog.Duration("took", o.Now().Sub(start)), slog.Int64("bytes", rw.bytes),
				slog.String("user", user), slog.String("client", ClientHost(r)))
		}()
		next.ServeHTTP(rw, r)
	})
}

type accessKey struct{}

type accessNote struct{ user string }

// NoteUser names the logged-in user of the request ctx belongs to in its
// access log line.
func NoteUser(ctx context.Context, user string) {
	if n, ok := ctx.Value(accessKey{}).(*accessNote); ok {
		n.user = user
	}
}

// statusWriter records the status and the bytes of a response. It keeps
// what the writer below can do: flushing, hijacking (a sync session's
// WebSocket), deadlines (through Unwrap, for http.ResponseController).
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("access log: the response cannot be hijacked")
	}
	c, rw, err := h.Hijack()
	if err == nil && w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return c, rw, err
}
