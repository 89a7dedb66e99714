package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/station"
	"fieldsync/syncproto"
	"fieldsync/webkit"
)

func runCmd(ctx context.Context, stdin string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := run(ctx, args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"init", "--help"}, {"serve", "--help"}, {"user", "add", "--help"},
		{"backup", "--help"}, {"restore", "--help"}} {
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
	// The code is secret (it holds the sync token and the deployment key):
	// never on the command line, where shell history and ps show it.
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", dir, "--enroll", e.String()); err == nil ||
		!strings.Contains(err.Error(), "--enroll-file") || !strings.Contains(err.Error(), "--enroll -") {
		t.Fatalf("code on the command line: %v", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("refused init left a directory")
	}
	out, _, err := runCmd(t.Context(), e.String()+"\n", "init", "--dir", dir, "--enroll", "-")
	if err != nil {
		t.Fatal(err)
	}
	if !fingerprintRE.MatchString(out) {
		t.Fatalf("init does not print the certificate fingerprint: %s", out)
	}
	serveAndCheck(t, dir, `"enrolled":true`)
	codeFile := filepath.Join(t.TempDir(), "code.txt")
	if err := os.WriteFile(codeFile, []byte(e.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir2 := filepath.Join(t.TempDir(), "st")
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", dir2, "--enroll-file", codeFile); err != nil {
		t.Fatal(err)
	}
	serveAndCheck(t, dir2, `"enrolled":true`)
	for _, args := range [][]string{
		{"--enroll-file", filepath.Join(t.TempDir(), "missing")},
		{"--enroll-file", codeFile, "--enroll", "-"},
		{"--enroll", "-"}, // empty standard input
	} {
		if _, _, err := runCmd(t.Context(), "", append([]string{"init", "--dir", filepath.Join(t.TempDir(), "x")}, args...)...); err == nil {
			t.Errorf("init %v accepted", args)
		}
	}
}

var fingerprintRE = regexp.MustCompile(`([0-9A-F]{2}:){31}[0-9A-F]{2}`)

// TestServeLANOverTLS: a station bound beyond loopback serves HTTPS with
// the certificate init made (its fingerprint printed by init and serve and
// shown on its pages); --insecure-http serves plain HTTP with a warning.
func TestServeLANOverTLS(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "st")
	out, _, err := runCmd(t.Context(), "", "init", "--dir", dir, "--standalone", "--name", "红旗嘎查")
	if err != nil {
		t.Fatal(err)
	}
	fp := fingerprintRE.FindString(out)
	if fp == "" {
		t.Fatalf("init printed no fingerprint: %s", out)
	}
	if _, _, err := runCmd(t.Context(), "correct horse\n", "user", "add", "--dir", dir, "--user", "lisi"); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	port := addr[strings.LastIndex(addr, ":"):]
	var logs lockedBuffer
	stop := startServe(t, &logs, "serve", "--dir", dir, "--addr", "0.0.0.0"+port)
	var seen string
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // self-signed: the test compares the fingerprint instead, as staff do
		VerifyConnection: func(cs tls.ConnectionState) error {
			seen = webkit.Fingerprint(cs.PeerCertificates[0].Raw)
			return nil
		}}}}
	body := waitGet(t, client, "https://127.0.0.1"+port+"/login")
	if seen != fp || !strings.Contains(body, fp) {
		t.Fatalf("served certificate %s, page %q, init printed %s", seen, body, fp)
	}
	if res, err := http.Get("http://127.0.0.1" + port + "/login"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Fatal("plain HTTP answered on a LAN address")
		}
	}
	stop()
	if !strings.Contains(logs.String(), fp) {
		t.Fatalf("serve did not log the fingerprint:\n%s", logs.String())
	}
	addr = freeAddr(t)
	port = addr[strings.LastIndex(addr, ":"):]
	stop = startServe(t, io.Discard, "serve", "--dir", dir, "--addr", "0.0.0.0"+port, "--insecure-http")
	defer stop()
	if body := waitGet(t, http.DefaultClient, "http://127.0.0.1"+port+"/login"); !strings.Contains(body, `id="insecure-warning"`) {
		t.Fatalf("no insecure-HTTP warning:\n%s", body)
	}
}

// TestUserAddFromPipe: the password is read from standard input (a pipe
// here; a terminal would not echo it).
func TestUserAddFromPipe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "st")
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", dir, "--standalone", "--name", "红旗嘎查"); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { io.WriteString(w, "correct horse\n"); w.Close() }()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"user", "add", "--dir", dir, "--user", "lisi"}, r, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if strings.Contains(out.String()+errOut.String(), "correct horse") {
		t.Fatal("password echoed")
	}
	users, err := station.LoadUsers(dir)
	if err != nil || !users.Check("lisi", "correct horse") {
		t.Fatalf("account not saved: %v", err)
	}
}

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

// startServe runs the station command until the returned stop is called.
func startServe(t *testing.T, stderr io.Writer, args ...string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, strings.NewReader(""), io.Discard, stderr) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("serve did not stop")
			}
		})
	}
}

// waitGet polls url until it answers 200 and returns the body.
func waitGet(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := c.Get(url)
		if err == nil {
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
			}
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
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

// TestUserAddAdmin: --admin makes the account a station administrator (it
// may back the station up); a later reset without --admin keeps it one.
func TestUserAddAdmin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "st")
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", dir, "--standalone", "--name", "红旗嘎查"); err != nil {
		t.Fatal(err)
	}
	if out, _, err := runCmd(t.Context(), "correct horse\n", "user", "add", "--dir", dir, "--user", "站长", "--admin"); err != nil ||
		!strings.Contains(out, "administrator") {
		t.Fatalf("user add --admin: %v %s", err, out)
	}
	if _, _, err := runCmd(t.Context(), "correct horse\n", "user", "add", "--dir", dir, "--user", "wang5"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t.Context(), "battery staple\n", "user", "add", "--dir", dir, "--user", "站长"); err != nil {
		t.Fatal(err)
	}
	cfg, err := station.LoadConfig(dir)
	if err != nil || !cfg.IsAdmin("站长") || cfg.IsAdmin("wang5") || len(cfg.Admins) != 1 {
		t.Fatalf("admins %v (%v)", cfg.Admins, err)
	}
}

// TestUserAddRights: --rights grants an account the labour-rights
// permission, a password reset keeps it, --no-rights with --keep-password
// takes it back without touching the password; --keep-password needs an
// existing account, and the two flags together are refused.
func TestUserAddRights(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "st")
	if _, _, err := runCmd(t.Context(), "", "init", "--dir", dir, "--standalone", "--name", "红旗嘎查"); err != nil {
		t.Fatal(err)
	}
	if out, _, err := runCmd(t.Context(), "correct horse\n", "user", "add", "--dir", dir, "--user", "维权员", "--rights"); err != nil ||
		!strings.Contains(out, "劳动权益维护") {
		t.Fatalf("user add --rights: %v %s", err, out)
	}
	if _, _, err := runCmd(t.Context(), "correct horse\n", "user", "add", "--dir", dir, "--user", "wang5"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t.Context(), "battery staple\n", "user", "add", "--dir", dir, "--user", "维权员"); err != nil {
		t.Fatal(err)
	}
	users, err := station.LoadUsers(dir)
	if err != nil || !users.HasRights("维权员") || users.HasRights("wang5") || !users.Check("维权员", "battery staple") {
		t.Fatalf("after grant and reset: %v", err)
	}
	if _, _, err := runCmd(t.Context(), "", "user", "add", "--dir", dir, "--user", "维权员", "--no-rights", "--keep-password"); err != nil {
		t.Fatal(err)
	}
	users, err = station.LoadUsers(dir)
	if err != nil || users.HasRights("维权员") || !users.Check("维权员", "battery staple") {
		t.Fatalf("after revoke: %v", err)
	}
	if _, _, err := runCmd(t.Context(), "", "user", "add", "--dir", dir, "--user", "nobody", "--rights", "--keep-password"); err == nil {
		t.Fatal("--keep-password made an account without a password")
	}
	if _, _, err := runCmd(t.Context(), "correct horse\n", "user", "add", "--dir", dir, "--user", "wang5", "--rights", "--no-rights"); err == nil {
		t.Fatal("--rights with --no-rights accepted")
	}
}
