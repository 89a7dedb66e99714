package webkit

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestServerCutsTricklingBody: a client that sends its body a byte at a
// time is disconnected once ReadTimeout has passed.
func TestServerCutsTricklingBody(t *testing.T) {
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		done <- err
	})
	srv := NewServer(h, ServerOptions{ReadTimeout: 300 * time.Millisecond})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err == nil {
				t.Fatal("trickled body read to the end")
			}
			return
		case <-tick.C:
			c.Write([]byte("x")) // fails once the server has cut us; keep waiting for the handler
		case <-ctx.Done():
			t.Fatal("a trickling body was not cut")
		}
	}
}

func TestServerDefaults(t *testing.T) {
	s := NewServer(http.NotFoundHandler(), ServerOptions{})
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 {
		t.Fatalf("unset limits: %+v", s)
	}
	if s.ReadTimeout < time.Minute {
		t.Fatalf("read timeout %v too short for a workbook upload", s.ReadTimeout)
	}
}
