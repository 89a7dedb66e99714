package hubtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/hub/hubweb"
)

// AccessServer is a test hub with a moveable clock and captured logs.
type AccessServer struct {
	*Server
	Clock *FakeClock
	Logs  *LogBuffer
}

// NewAccessServer is NewServer with a FakeClock as the hub's clock, its logs
// in a LogBuffer, and the cheapest password hashing.
func NewAccessServer(t *testing.T, scheme string, opt hub.Options) *AccessServer {
	t.Helper()
	return NewAccessServerWith(t, scheme, opt, Adapters{})
}

// NewAccessServerWith is NewAccessServer with the adapters' options.
func NewAccessServerWith(t *testing.T, scheme string, opt hub.Options, ad Adapters) *AccessServer {
	t.Helper()
	a := &AccessServer{Clock: NewFakeClock(), Logs: &LogBuffer{}}
	opt.Now = a.Clock.Now
	opt.Logger = slog.New(slog.NewTextHandler(a.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opt.PasswordCost == 0 {
		opt.PasswordCost = bcrypt.MinCost
	}
	a.Server = NewServerWith(t, scheme, opt, ad)
	return a
}

// InsecureTLS accepts the test hub's self-signed certificate.
func InsecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }

// Password is the password tests give the administrator name.
func Password(name string) string { return "pw-of-" + name + "-0123456789" }

// AddAdmin adds an administrator of the role, with Password(name).
func (h *Server) AddAdmin(name string, role access.Role) {
	h.t.Helper()
	if err := h.Hub.Access().AddAdmin(context.Background(), access.Actor{User: access.CLIUser}, name, role, Password(name)); err != nil {
		h.t.Fatal(err)
	}
}

// Client is a new HTTP client with its own cookie jar that trusts the
// test hub's certificate.
func (h *Server) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if h.TLS != nil {
		c.Transport = &http.Transport{TLSClientConfig: InsecureTLS()}
	}
	return c
}

// APILogin posts to /api/login and returns the status and the token.
func (h *Server) APILogin(user, pw string) (int, string) {
	h.t.Helper()
	body, _ := json.Marshal(map[string]string{"user": user, "password": pw})
	resp, err := h.Client().Post(h.URL()+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr hubweb.LoginResponse
	json.NewDecoder(resp.Body).Decode(&lr)
	return resp.StatusCode, lr.Token
}

// AdminToken adds an administrator and returns a bearer token for them.
func (h *Server) AdminToken(name string, role access.Role) string {
	h.t.Helper()
	h.AddAdmin(name, role)
	st, tok := h.APILogin(name, Password(name))
	if st != http.StatusOK || tok == "" {
		h.t.Fatalf("api login %s: %d", name, st)
	}
	return tok
}

// Call makes an API request with a bearer token ("" for none) and returns
// the status and the decoded JSON body.
func (h *Server) Call(method, path, token string) (int, map[string]any) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.URL()+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// The conflict queue end to end on 127.0.0.1: real hub, real stations, real
// SQLite files, real WebSockets, the administrator using the JSON API.

// CallJSON makes an API request with a JSON body and a bearer token.
func (h *Server) CallJSON(method, path, token string, body any) (int, map[string]any) {
	h.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, h.URL()+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// Get makes a GET with a bearer token and returns the response and its body.
func (h *Server) Get(path, token string) (*http.Response, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.URL()+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp, b
}

// OpenConflicts lists the open conflicts of a type through the API.
func (h *Server) OpenConflicts(token, kind string) []map[string]any {
	h.t.Helper()
	st, body := h.Call("GET", "/api/conflicts?status=open&type="+kind, token)
	if st != http.StatusOK {
		h.t.Fatalf("GET /api/conflicts: %d %v", st, body)
	}
	var out []map[string]any
	for _, c := range body["conflicts"].([]any) {
		out = append(out, c.(map[string]any))
	}
	return out
}

// CSRFPattern finds the CSRF token in a page's form.
var CSRFPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// Page GETs a page without following redirects: the status, the Location
// and the body.
func Page(t *testing.T, c *http.Client, u string) (int, string, string) {
	t.Helper()
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// Post sends a form without following redirects.
func Post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cc.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// WebLogin logs a browser-like client in through the login form and returns
// the answer to the form.
func (h *Server) WebLogin(c *http.Client, user, pw string) *http.Response {
	h.t.Helper()
	_, _, body := Page(h.t.(*testing.T), c, h.URL()+"/login")
	m := CSRFPattern.FindStringSubmatch(body)
	if m == nil {
		h.t.Fatalf("login page without a CSRF token:\n%s", body)
	}
	resp, _ := Post(h.t.(*testing.T), c, h.URL()+"/login", url.Values{"csrf": {m[1]}, "user": {user}, "password": {pw}})
	return resp
}

// LoggedIn logs a new client in as a new administrator of the role.
func (h *Server) LoggedIn(name string, role access.Role) *http.Client {
	h.t.Helper()
	h.AddAdmin(name, role)
	c := h.Client()
	if resp := h.WebLogin(c, name, Password(name)); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		h.t.Fatalf("web login %s: %s to %q", name, resp.Status, resp.Header.Get("Location"))
	}
	return c
}

// MustJSONString is v as JSON text.
func MustJSONString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Short cuts a value for a test's message.
func Short(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}
