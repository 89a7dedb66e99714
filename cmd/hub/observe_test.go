package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer the server's goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeObservation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "http://127.0.0.1:1")
	for _, bad := range [][]string{{"--log-level", "loud"}, {"--log-format", "xml"}, {"--trusted-proxy", "the proxy"}} {
		args := append([]string{"serve", "--dir", dir, "--addr", "127.0.0.1:0"}, bad...)
		if err := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard); err == nil {
			t.Errorf("serve %v: no error", bad)
		}
	}
	addr, maddr := freeAddr(t), freeAddr(t)
	backups := t.TempDir()
	var stderr lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--addr", addr, "--metrics-addr", maddr,
			"--log-format", "json", "--trusted-proxy", "127.0.0.1/32", "--backup-dir", backups},
			strings.NewReader(""), io.Discard, &stderr)
	}()
	get := func(u string, hdr ...string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", u, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		st, body := get("http://"+maddr+"/metrics", "X-Forwarded-For", "203.0.113.9")
		if st == http.StatusOK && strings.Contains(body, "fieldsync_hub_backup_age_seconds") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics address: %d %s", st, body)
		}
		time.Sleep(20 * time.Millisecond) // polling for the server and the first backup
	}
	if st, _ := get("http://" + addr + "/metrics"); st != http.StatusNotFound {
		t.Errorf("/metrics on the main address with --metrics-addr: %d, want 404", st)
	}
	if st, body := get("http://"+addr+"/healthz", "X-Forwarded-For", "203.0.113.9"); st != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", st, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	logs := stderr.String()
	if !strings.Contains(logs, `"route":"GET /healthz"`) || !strings.Contains(logs, `"client":"203.0.113.9"`) {
		t.Errorf("no JSON access line naming the client behind the trusted proxy:\n%s", logs)
	}
}
