package webkit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

func newTestSessions(t *testing.T) (*Sessions, *testClock) {
	t.Helper()
	clk := &testClock{t: time.Date(2026, 11, 15, 9, 0, 0, 0, time.UTC)}
	m, err := NewSessions(SessionOptions{Store: &MemoryStore{Now: clk.now}, Cookie: "sess", Idle: time.Hour, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return m, clk
}

// withCookies copies the cookies a response set onto a new request.
func withCookies(rec *httptest.ResponseRecorder, r *http.Request) *http.Request {
	for _, c := range rec.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	m, clk := newTestSessions(t)
	rec := httptest.NewRecorder()
	if _, err := m.Start(ctx, rec, httptest.NewRequest("POST", "/login", nil), "anna"); err != nil {
		t.Fatal(err)
	}
	c := rec.Result().Cookies()[0]
	if c.Name != "sess" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure {
		t.Fatalf("cookie %+v", c)
	}
	req := func() *http.Request { return withCookies(rec, httptest.NewRequest("GET", "/", nil)) }
	steps := []struct {
		name    string
		advance time.Duration
		want    error
	}{
		{"fresh", 0, nil},
		{"used within the idle time", 50 * time.Minute, nil},
		{"the use restarted the idle time", 50 * time.Minute, nil},
		{"idle too long", 61 * time.Minute, ErrNoSession},
		{"gone for good", 0, ErrNoSession},
	}
	for _, st := range steps {
		clk.t = clk.t.Add(st.advance)
		s, err := m.Lookup(ctx, req())
		if !errors.Is(err, st.want) {
			t.Fatalf("%s: err %v, want %v", st.name, err, st.want)
		}
		if err == nil && s.User != "anna" {
			t.Fatalf("%s: user %q", st.name, s.User)
		}
	}
}

func TestSessionSecureCookieOverTLS(t *testing.T) {
	m, _ := newTestSessions(t)
	rec := httptest.NewRecorder()
	if _, err := m.Start(context.Background(), rec, httptest.NewRequest("POST", "https://x/login", nil), "anna"); err != nil {
		t.Fatal(err)
	}
	if c := rec.Result().Cookies()[0]; !c.Secure {
		t.Fatalf("cookie over TLS not Secure: %+v", c)
	}
}

func TestSessionEndRevokeAndFixation(t *testing.T) {
	ctx := context.Background()
	m, _ := newTestSessions(t)
	start := func(r *http.Request, user string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		if _, err := m.Start(ctx, rec, r, user); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	a := start(httptest.NewRequest("POST", "/login", nil), "anna")
	// Logging in again from a browser that holds a session ends that session.
	b := start(withCookies(a, httptest.NewRequest("POST", "/login", nil)), "anna")
	if _, err := m.Lookup(ctx, withCookies(a, httptest.NewRequest("GET", "/", nil))); !errors.Is(err, ErrNoSession) {
		t.Fatalf("old session after a new login: %v", err)
	}
	if err := m.End(ctx, httptest.NewRecorder(), withCookies(b, httptest.NewRequest("POST", "/logout", nil))); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lookup(ctx, withCookies(b, httptest.NewRequest("GET", "/", nil))); !errors.Is(err, ErrNoSession) {
		t.Fatalf("session after logout: %v", err)
	}
	c := start(httptest.NewRequest("POST", "/login", nil), "anna")
	tok, _, err := m.Issue(ctx, "anna", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other := start(httptest.NewRequest("POST", "/login", nil), "bela")
	if err := m.Revoke(ctx, "anna"); err != nil {
		t.Fatal(err)
	}
	bearer := httptest.NewRequest("GET", "/api/x", nil)
	bearer.Header.Set("Authorization", "Bearer "+tok)
	for name, r := range map[string]*http.Request{"cookie": withCookies(c, httptest.NewRequest("GET", "/", nil)), "bearer": bearer} {
		if _, err := m.Lookup(ctx, r); !errors.Is(err, ErrNoSession) {
			t.Fatalf("%s session after revoke: %v", name, err)
		}
	}
	if s, err := m.Lookup(ctx, withCookies(other, httptest.NewRequest("GET", "/", nil))); err != nil || s.User != "bela" {
		t.Fatalf("another user's session after revoke: %v %v", s, err)
	}
}

func TestBearerFixedExpiry(t *testing.T) {
	ctx := context.Background()
	m, clk := newTestSessions(t)
	tok, _, err := m.Issue(ctx, "anna", 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		advance time.Duration
		ok      bool
	}{{0, true}, {time.Hour, true}, {59 * time.Minute, true}, {time.Minute, false}} {
		clk.t = clk.t.Add(c.advance)
		_, err := m.LookupToken(ctx, tok)
		if (err == nil) != c.ok {
			t.Fatalf("at +%v: err %v", c.advance, err)
		}
	}
}

func TestBearerTokenParsing(t *testing.T) {
	good := NewToken()
	for _, c := range []struct {
		header string
		ok     bool
	}{
		{"Bearer " + good, true},
		{"bearer " + good, true},
		{"Bearer", false},
		{"Bearer ", false},
		{"Basic " + good, false},
		{"Bearer " + good + "x", false},
		{"Bearer " + strings.Repeat("!", len(good)), false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", c.header)
		if _, ok := BearerToken(r); ok != c.ok {
			t.Errorf("%q: ok %v", c.header, ok)
		}
	}
}

func FuzzToken(f *testing.F) {
	f.Add(NewToken())
	f.Add("")
	f.Add(strings.Repeat("A", 43))
	f.Add(strings.Repeat("=", 43))
	f.Fuzz(func(t *testing.T, s string) {
		if ValidToken(s) {
			if len(s) != 43 {
				t.Fatalf("valid token of length %d", len(s))
			}
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", "sess="+s)
		r.Header.Set("Authorization", "Bearer "+s)
		m, _ := newTestSessions(t)
		if _, err := m.Lookup(context.Background(), r); !errors.Is(err, ErrNoSession) {
			t.Fatalf("lookup of %q: %v", s, err)
		}
	})
}
