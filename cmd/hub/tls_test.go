package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fieldsync/internal/hubtest"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// insecure accepts the hub's self-signed certificate in tests that only read
// its pages.
func insecure() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }

// serveHub runs `hub serve --tls-self-signed` on addr until the returned
// stop is called, and waits for it to answer TLS.
func serveHub(t *testing.T, dir, addr string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--addr", addr, "--tls-self-signed"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	}()
	hubtest.WaitFor(t, 10*time.Second, "the hub to listen", func() bool {
		c, err := tls.Dial("tcp", addr, insecure())
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}

// servedPin is the public-key pin of the certificate served on addr.
func servedPin(t *testing.T, addr string) string {
	t.Helper()
	c, err := tls.Dial("tcp", addr, insecure())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return syncproto.PublicKeyPin(c.ConnectionState().PeerCertificates[0])
}

// The key rotation as an administrator runs it, over real WebSockets and
// TLS on 127.0.0.1: `hub tls rotate` while the hub serves; a station that
// syncs gets the next pin (`hub tls status` shows it); `hub tls switch`
// refuses while a station lacks it, then with --force moves the pair; the
// hub restarted serves the new key and the station still syncs; the station
// that was away refuses it and says to run set-hub; `hub station code`
// gives it a line with the new pins.
func TestTLSRotateCommands(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "https://"+addr)
	plain := filepath.Join(t.TempDir(), "plain")
	runOK(t, "init", "--dir", plain, "--name", "明文县", "--url", "http://127.0.0.1:1")
	if _, err := tlsRun("tls", "rotate", "--dir", plain); err == nil {
		t.Fatal("rotated the key of a hub without TLS")
	}
	stop := serveHub(t, dir, addr)
	first := servedPin(t, addr)
	station := func(name string) *hubtest.Station {
		e, err := syncproto.ParseEnrollment(runOK(t, "station", "add", "--dir", dir, "--name", name))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(e.Pins, []string{first}) {
			t.Fatalf("enrollment pins %q, want the served key's %s", e.Pins, first)
		}
		return hubtest.NewStation(t, e, syncclient.Config{})
	}
	a, b := station("站A"), station("站B")
	var mu sync.Mutex
	var saved []string
	a.Cfg.SavePins = func(p []string) error { mu.Lock(); saved = p; mu.Unlock(); return nil }
	upload := func(s *hubtest.Station, title string) {
		t.Helper()
		s.Write(hubtest.GigEdit(t, title))
		hubtest.WaitFor(t, 10*time.Second, title+" to reach the hub", func() bool {
			return hubGigs(t, dir, title) == 1
		})
	}
	a.Start()
	b.Start()
	upload(a, "A 轮换前")
	upload(b, "B 轮换前")
	b.Stop()

	out := runOK(t, "tls", "rotate", "--dir", dir)
	st := tlsStatusOf(t, dir)
	if st.current != first || st.next == "" || st.next == first || !strings.Contains(out, st.next) {
		t.Fatalf("rotate said:\n%s\nstatus %+v", out, st)
	}
	if servedPin(t, addr) != first {
		t.Fatal("the next key is served before the switch")
	}
	a.Stop()
	a.Start()
	upload(a, "A 轮换后")
	hubtest.WaitFor(t, 10*time.Second, "A to hold the next pin", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(saved, st.next)
	})
	st = tlsStatusOf(t, dir)
	if !st.sent["站A"] || st.sent["站B"] {
		t.Fatalf("status: %+v", st)
	}
	if _, err := tlsRun("tls", "switch", "--dir", dir); err == nil || !strings.Contains(err.Error(), "站B") {
		t.Fatalf("switch with 站B lacking the pin: %v", err)
	}
	out = runOK(t, "tls", "rotate", "--dir", dir, "--switch", "--force") // as `hub tls switch --force`
	if !strings.Contains(out, "restart") {
		t.Errorf("switch does not say to restart the hub:\n%s", out)
	}
	stop()
	stop = serveHub(t, dir, addr)
	defer stop()
	if got := servedPin(t, addr); got != st.next {
		t.Fatalf("after the switch the hub serves %s, want %s", got, st.next)
	}
	a.Stop()
	mu.Lock()
	a.Enr.Pins = slices.Clone(saved)
	mu.Unlock()
	a.Start()
	upload(a, "A 切换后")

	b.Start()
	hubtest.WaitFor(t, 10*time.Second, "B to refuse the new key", func() bool {
		return strings.Contains(b.Client.Status().LastError, "station set-hub")
	})
	b.Stop()
	e, err := syncproto.ParseEnrollment(runOK(t, "station", "code", "--dir", dir, "--name", "站B"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Site != b.Enr.Site || !slices.Equal(e.Pins, []string{st.next}) || e.Token == b.Enr.Token {
		t.Fatalf("new line %+v", e)
	}
	b.Enr = e
	b.Start()
	upload(b, "B 新接入码")
}

// hubGigs counts, in the hub's database, the gigs titled title.
func hubGigs(t *testing.T, dir, title string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "hub.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM gigs WHERE title = ?`, title).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type tlsStatusLines struct {
	current, next string
	sent          map[string]bool
}

// tlsStatusOf reads `hub tls status --json`.
func tlsStatusOf(t *testing.T, dir string) tlsStatusLines {
	t.Helper()
	var st struct {
		Current, Next string
		Stations      []struct {
			Name string
			Sent time.Time
		}
	}
	if err := json.Unmarshal([]byte(runOK(t, "tls", "status", "--dir", dir, "--json")), &st); err != nil {
		t.Fatal(err)
	}
	out := tlsStatusLines{current: st.Current, next: st.Next, sent: map[string]bool{}}
	for _, s := range st.Stations {
		out.sent[s.Name] = !s.Sent.IsZero()
	}
	text := runOK(t, "tls", "status", "--dir", dir)
	if !strings.Contains(text, st.Current) || (st.Next != "" && !strings.Contains(text, st.Next)) {
		t.Errorf("tls status:\n%s", text)
	}
	return out
}

func tlsRun(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &bytes.Buffer{})
	return out.String(), err
}
