package hubweb_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
	"fieldsync/syncclient"
	"fieldsync/webkit"
)

// /api/login takes only application/json: a page of another site can post
// text/plain or a form from an administrator's browser without a preflight,
// and would drive their lock-out. Such posts neither log in nor count.
func TestAPILoginOnlyJSON(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{LockAfter: 3})
	h.AddAdmin("alice", access.RoleOwner)
	c := h.Client()
	for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		for _, pw := range []string{"wrong-password-1", hubtest.Password("alice")} {
			body := hubtest.MustJSONString(map[string]string{"user": "alice", "password": pw})
			req, _ := http.NewRequest(http.MethodPost, h.URL()+"/api/login", strings.NewReader(body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(b), `"error"`) {
				t.Errorf("login as %q: %d %s, want 415 with a JSON error", ct, resp.StatusCode, b)
			}
		}
	}
	if st, tok := h.APILogin("alice", hubtest.Password("alice")); st != http.StatusOK || tok == "" {
		t.Fatalf("after refused non-JSON logins, a JSON login: %d (locked out by them?)", st)
	}
}

// A notice on a page comes from a fixed set, by key: text in the link is
// never shown as a banner on a genuine hub page.
func TestNoticeOnlyByKey(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	c := h.LoggedIn("alice", access.RoleOwner)
	forged := "账户已冻结，请致电 400-000-0000 Account frozen"
	for _, p := range []string{"/conflicts", "/stations", "/workers"} {
		st, _, body := hubtest.Page(t, c, h.URL()+p+"?notice="+url.QueryEscape(forged))
		if st != http.StatusOK {
			t.Fatalf("GET %s: %d", p, st)
		}
		if strings.Contains(body, "400-000-0000") || strings.Contains(body, `id="notice"`) {
			t.Errorf("GET %s shows the link's text as a notice", p)
		}
	}
	if _, _, body := hubtest.Page(t, c, h.URL()+"/stations?notice=revoked"); !strings.Contains(body, `id="notice"`) {
		t.Errorf("the revoked notice is not shown")
	}
	_, _, body := hubtest.Page(t, c, h.URL()+"/conflicts?notice=resolved&n=3&failed=1")
	if !strings.Contains(body, "已处理 3 个冲突") || !strings.Contains(body, "1 个未能处理") {
		t.Errorf("the resolved notice does not show its counts")
	}
}

// Every response carries the Content-Security-Policy and the other security
// headers: pages, the API, refusals, not-found, static files.
func TestSecurityHeadersEverywhere(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	for _, p := range []string{"/login", "/", "/api/stations", "/sync", "/no-such-page", "/static/hub.css", "/static/hub.js"} {
		resp, err := c.Get(h.URL() + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Security-Policy"); got != webkit.ContentSecurityPolicy {
			t.Errorf("GET %s: %d, CSP %q", p, resp.StatusCode, got)
		}
		if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: headers %v", p, resp.Header)
		}
	}
}

// A request whose body trickles in is cut off by the server's read timeout.
func TestSlowBodyCutOff(t *testing.T) {
	h := hubtest.NewServerWith(t, "http", hub.Options{}, hubtest.Adapters{HTTP: webkit.ServerOptions{ReadTimeout: 300 * time.Millisecond}})
	conn, err := net.Dial("tcp", h.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", h.Addr)
	start := time.Now()
	done := make(chan error, 1)
	go func() { // reads until the server answers or closes
		_, err := io.Copy(io.Discard, bufio.NewReader(conn))
		done <- err
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("the connection stayed open %s", d)
			}
			return
		case <-time.After(100 * time.Millisecond): // the trickle's pace
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("a body trickling a byte every 100 ms held the connection for 10 s")
		}
		if _, err := conn.Write([]byte(" ")); err != nil {
			return // closed by the server
		}
	}
}

// A sync session outlives the server's read timeout: the timeout bounds
// requests, not the stations' long-lived WebSocket sessions.
func TestSyncSessionOutlivesReadTimeout(t *testing.T) {
	const readTimeout = 300 * time.Millisecond
	h := hubtest.NewServerWith(t, "http", hub.Options{}, hubtest.Adapters{HTTP: webkit.ServerOptions{ReadTimeout: readTimeout}})
	st := hubtest.NewStation(t, h.Enroll("站A"), syncclient.Config{})
	st.Start()
	var first uint64
	session := func() (uint64, bool) {
		sts, err := h.Hub.Status(t.Context())
		if err != nil || len(sts) != 1 || sts[0].Session == nil {
			return 0, false
		}
		return sts[0].Session.ID, true
	}
	hubtest.WaitFor(t, 10*time.Second, "the station to connect", func() bool {
		first, _ = session()
		return first != 0
	})
	start := time.Now()
	hubtest.WaitFor(t, 10*time.Second, "five read timeouts to pass", func() bool {
		if id, ok := session(); !ok || id != first {
			t.Fatalf("the session ended or was replaced %s in (read timeout %s)", time.Since(start), readTimeout)
		}
		return time.Since(start) > 5*readTimeout
	})
	st.Write(hubtest.GigEdit(t, "村口修路"))
	hubtest.WaitFor(t, 10*time.Second, "the gig to reach the hub", func() bool { return hubtest.Converged(t, h.Hub, st) })
	if id, _ := session(); id != first {
		t.Fatalf("the station had to reconnect")
	}
}
