package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/syncproto"
)

func runCmd(ctx context.Context, stdin string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := run(ctx, args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"init", "--help"}, {"serve", "--help"}, {"user", "add", "--help"}} {
		out, errOut, err := runCmd(t.Context(), "", args...)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out+errOut, "station") {
			t.Errorf("%v: %v %q %q", args, err, out, errOut)
		}
	}
	if _, _, err := runCmd(t.Context(), "", "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestInitUserServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "st")
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", dir); err == nil {
		t.Fatal("init without a mode accepted")
	}
	out, _, err := runCmd(t.Context(), "", "init", "--dir", dir, "--standalone", "--name", "红旗嘎查")
	if err != nil || !strings.Contains(out, "红旗嘎查") {
		t.Fatalf("init: %v %s", err, out)
	}
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", dir, "--standalone", "--name", "again"); err == nil {
		t.Fatal("second init accepted")
	}
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", t.TempDir(), "--enroll", "garbage"); err == nil {
		t.Fatal("bad enrollment code accepted")
	}
	// Beyond loopback without accounts: refused.
	if _, _, err := runCmd(t.Context(), "", "serve", "--dir", dir, "--addr", "0.0.0.0:0"); err == nil ||
		!strings.Contains(err.Error(), "user add") {
		t.Fatalf("serve on LAN without accounts: %v", err)
	}
	if _, _, err := runCmd(t.Context(), "short\n", "user", "add", "--dir", dir, "--user", "lisi"); err == nil {
		t.Fatal("short password accepted")
	}
	if out, _, err := runCmd(t.Context(), "correct horse\n", "user", "add", "--dir", dir, "--user", "lisi"); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}

	serveAndCheck(t, dir, `"connected":false`)
}

func TestServeEnrolled(t *testing.T) {
	key, err := ident.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	e := syncproto.Enrollment{HubURL: "http://127.0.0.1:1", StationID: "白音嘎查", Site: 0x1234, Token: "secret", Key: key}
	dir := filepath.Join(t.TempDir(), "st")
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", dir, "--enroll", e.String()); err != nil {
		t.Fatal(err)
	}
	serveAndCheck(t, dir, `"enrolled":true`)
}

// serveAndCheck runs `station serve` on a free port, waits until GET
// /api/sync answers with want in its body, then stops the server and checks
// that it stopped cleanly.
func serveAndCheck(t *testing.T, dir, want string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--addr", addr}, strings.NewReader(""), io.Discard, io.Discard)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/api/sync")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
				t.Fatalf("sync status: %d %s", resp.StatusCode, body)
			}
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not come up: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}
