package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// station serve writes its log, access lines included, to DIR/logs/station.log
// as well as stderr, in the format asked for; /healthz and /metrics answer
// this PC without login.
func TestServeLogFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "st")
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", dir, "--standalone", "--name", "红旗嘎查"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t.Context(), "", "serve", "--dir", dir, "--log-level", "chatty"); err == nil ||
		!strings.Contains(err.Error(), "--log-level") {
		t.Fatalf("a bad --log-level: %v", err)
	}
	addr := freeAddr(t)
	var stderr lockedBuffer
	stop := startServe(t, &stderr, "serve", "--dir", dir, "--addr", addr, "--log-format", "json")
	if body := waitGet(t, http.DefaultClient, "http://"+addr+"/healthz"); body != "ok\n" {
		t.Fatalf("/healthz: %q", body)
	}
	if body := waitGet(t, http.DefaultClient, "http://"+addr+"/metrics"); !strings.Contains(body, "fieldsync_station_database_bytes ") {
		t.Fatalf("/metrics: %q", body)
	}
	stop()
	b, err := os.ReadFile(filepath.Join(dir, "logs", "station.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{string(b), stderr.String()} {
		if !strings.Contains(out, `"route":"GET /healthz"`) || !strings.Contains(out, `"msg":"station listening on loopback only: no login"`) {
			t.Errorf("log without the access line or the start-up line:\n%s", out)
		}
	}
}
