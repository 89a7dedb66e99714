package hub_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fieldsync/hub/access"
	"fieldsync/hub/hubweb"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fieldsync/hub"
)

// Administrator access, tested against a real hub on 127.0.0.1 with a real
// SQLite database, a clock the test moves, and logs captured in a buffer.

// fakeClock is a wall clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer collects a hub's logs for assertions; it is written from the
// hub's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// accessHub is a test hub with a moveable clock and captured logs.
type accessHub struct {
	*testHub
	clock *fakeClock
	logs  *logBuffer
}

func newAccessHub(t *testing.T, scheme string, opt hub.Options) *accessHub {
	t.Helper()
	a := &accessHub{clock: newFakeClock(), logs: &logBuffer{}}
	opt.Now = a.clock.Now
	opt.Logger = slog.New(slog.NewTextHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opt.PasswordCost == 0 {
		opt.PasswordCost = bcrypt.MinCost
	}
	a.testHub = newTestHub(t, scheme, opt)
	return a
}

// insecureTLS accepts the test hub's self-signed certificate.
func insecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }

// password is the password tests give the administrator name.
func password(name string) string { return "pw-of-" + name + "-0123456789" }

func (h *testHub) addAdmin(name string, role access.Role) {
	h.t.Helper()
	if err := h.hub.Access().AddAdmin(context.Background(), access.Actor{User: access.CLIUser}, name, role, password(name)); err != nil {
		h.t.Fatal(err)
	}
}

func (h *testHub) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if h.tls != nil {
		c.Transport = &http.Transport{TLSClientConfig: insecureTLS()}
	}
	return c
}

// apiLogin posts to /api/login and returns the status and the token.
func (h *testHub) apiLogin(user, pw string) (int, string) {
	h.t.Helper()
	body, _ := json.Marshal(map[string]string{"user": user, "password": pw})
	resp, err := h.client().Post(h.url()+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr hubweb.LoginResponse
	json.NewDecoder(resp.Body).Decode(&lr)
	return resp.StatusCode, lr.Token
}

// adminToken adds an administrator and returns a bearer token for them.
func (h *testHub) adminToken(name string, role access.Role) string {
	h.t.Helper()
	h.addAdmin(name, role)
	st, tok := h.apiLogin(name, password(name))
	if st != http.StatusOK || tok == "" {
		h.t.Fatalf("api login %s: %d", name, st)
	}
	return tok
}

// call makes an API request with a bearer token ("" for none) and returns
// the status and the decoded JSON body.
func (h *testHub) call(method, path, token string) (int, map[string]any) {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.url()+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// page GETs a page without following redirects: the status, the Location
// and the body.
func page(t *testing.T, c *http.Client, u string) (int, string, string) {
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

// post sends a form without following redirects.
func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
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

// webLogin logs a browser-like client in through the login form and returns
// the answer to the form.
func (h *testHub) webLogin(c *http.Client, user, pw string) *http.Response {
	h.t.Helper()
	_, _, body := page(h.t.(*testing.T), c, h.url()+"/login")
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		h.t.Fatalf("login page without a CSRF token:\n%s", body)
	}
	resp, _ := post(h.t.(*testing.T), c, h.url()+"/login", url.Values{"csrf": {m[1]}, "user": {user}, "password": {pw}})
	return resp
}

// loggedIn logs a new client in as a new administrator of the role.
func (h *testHub) loggedIn(name string, role access.Role) *http.Client {
	h.t.Helper()
	h.addAdmin(name, role)
	c := h.client()
	if resp := h.webLogin(c, name, password(name)); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		h.t.Fatalf("web login %s: %s to %q", name, resp.Status, resp.Header.Get("Location"))
	}
	return c
}

// Every protected endpoint refuses a request without a session or token, with
// a bad or wrong kind of credential, and with a role that lacks the
// permission; it answers the right role.
func TestAccessRefusals(t *testing.T) {
	h := newAccessHub(t, "http", hub.Options{})
	h.enroll("乌兰花镇站")
	viewer := h.adminToken("viewer1", access.RoleViewer)
	resolver := h.adminToken("resolver1", access.RoleResolver)
	manager := h.adminToken("manager1", access.RoleStationManager)
	owner := h.adminToken("owner1", access.RoleOwner)

	type endpoint struct {
		method, path string
		allowed      []string // tokens that may
	}
	endpoints := []endpoint{
		{"GET", "/api/stations", []string{viewer, resolver, manager, owner}},
		{"GET", "/api/audit", []string{owner}},
	}
	for _, ep := range endpoints {
		for _, tok := range []string{"", "not-a-token", "Bearer"} {
			st, body := h.call(ep.method, ep.path, tok)
			if st != http.StatusUnauthorized || body["error"] == nil {
				t.Errorf("%s %s with token %q: %d %v", ep.method, ep.path, tok, st, body)
			}
		}
		for _, tok := range []string{viewer, resolver, manager, owner} {
			want := http.StatusForbidden
			for _, ok := range ep.allowed {
				if ok == tok {
					want = http.StatusOK
				}
			}
			st, body := h.call(ep.method, ep.path, tok)
			if st != want {
				t.Errorf("%s %s: %d, want %d (%v)", ep.method, ep.path, st, want, body)
			}
			if want == http.StatusForbidden && body["error"] == nil {
				t.Errorf("%s %s: 403 without an error message", ep.method, ep.path)
			}
		}
	}
	if st, body := h.call("GET", "/api/stations", viewer); st != 200 || len(body["stations"].([]any)) != 1 {
		t.Errorf("stations: %d %v", st, body)
	}
	if st, _ := h.call("POST", "/api/logout", ""); st != http.StatusUnauthorized {
		t.Errorf("logout without a token: %d", st)
	}

	// Pages: no session → the login page; any role reads the status page.
	anon := h.client()
	if st, loc, _ := page(t, anon, h.url()+"/"); st != http.StatusSeeOther || loc != "/login" {
		t.Errorf("status page without a session: %d to %q", st, loc)
	}
	c := h.loggedIn("viewer2", access.RoleViewer)
	st, _, body := page(t, c, h.url()+"/")
	if st != http.StatusOK || !strings.Contains(body, "乌兰花镇站") || !strings.Contains(body, `action="/logout"`) ||
		!csrfRE.MatchString(body) {
		t.Errorf("status page for a viewer: %d\n%s", st, body)
	}
	// A web session is no API credential, and a token is no web session.
	u, _ := url.Parse(h.url())
	var sess string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "hub_session" {
			sess = ck.Value
		}
	}
	if sess == "" {
		t.Fatal("no session cookie")
	}
	req, _ := http.NewRequest("GET", h.url()+"/api/stations", nil)
	req.AddCookie(&http.Cookie{Name: "hub_session", Value: sess})
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("api with a session cookie: %v %v", resp.Status, err)
	} else {
		resp.Body.Close()
	}
	if st, _ := h.call("GET", "/api/stations", sess); st != http.StatusUnauthorized {
		t.Errorf("a web session used as a bearer token: %d", st)
	}
	tokClient := h.client()
	tokClient.Jar.SetCookies(u, []*http.Cookie{{Name: "hub_session", Value: viewer}})
	if st, loc, _ := page(t, tokClient, h.url()+"/"); st != http.StatusSeeOther || loc != "/login" {
		t.Errorf("an API token used as a session cookie: %d to %q", st, loc)
	}
	// The sync path still wants a station token, not an administrator's.
	req, _ = http.NewRequest("GET", h.url()+"/sync", nil)
	req.Header.Set("Authorization", "Bearer "+owner)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode == http.StatusOK {
		t.Errorf("sync with an administrator's token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

// Forms without the right CSRF token are refused: the login form and the
// logout form. With it, logout ends the session.
func TestCSRF(t *testing.T) {
	h := newAccessHub(t, "http", hub.Options{})
	h.addAdmin("alice", access.RoleOwner)
	c := h.client()
	page(t, c, h.url()+"/login") // the login CSRF cookie
	resp, _ := post(t, c, h.url()+"/login", url.Values{"user": {"alice"}, "password": {password("alice")}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without a CSRF token: %s", resp.Status)
	}
	resp, _ = post(t, c, h.url()+"/login", url.Values{"csrf": {"forged"}, "user": {"alice"}, "password": {password("alice")}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with a forged CSRF token: %s", resp.Status)
	}
	// A token from the page of another browser does not pass either.
	_, _, other := page(t, h.client(), h.url()+"/login")
	resp, _ = post(t, c, h.url()+"/login", url.Values{"csrf": {csrfRE.FindStringSubmatch(other)[1]},
		"user": {"alice"}, "password": {password("alice")}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with another browser's CSRF token: %s", resp.Status)
	}

	resp = h.webLogin(c, "alice", password("alice"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %s", resp.Status)
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "hub_session" {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Secure {
		t.Errorf("session cookie over http: %+v", sess)
	}
	_, _, body := page(t, c, h.url()+"/")
	tok := csrfRE.FindStringSubmatch(body)
	if tok == nil {
		t.Fatalf("status page without a logout form:\n%s", body)
	}
	for _, form := range []url.Values{{}, {"csrf": {"forged"}}} {
		if resp, _ := post(t, c, h.url()+"/logout", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("logout with csrf %q: %s", form.Get("csrf"), resp.Status)
		}
	}
	if st, _, _ := page(t, c, h.url()+"/"); st != http.StatusOK {
		t.Fatalf("session ended by a refused logout: %d", st)
	}
	if resp, _ := post(t, c, h.url()+"/logout", url.Values{"csrf": {tok[1]}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %s", resp.Status)
	}
	// The old cookie, replayed, no longer works.
	replay := h.client()
	u, _ := url.Parse(h.url())
	replay.Jar.SetCookies(u, []*http.Cookie{{Name: "hub_session", Value: sess.Value}})
	if st, loc, _ := page(t, replay, h.url()+"/"); st != http.StatusSeeOther || loc != "/login" {
		t.Errorf("after logout: %d to %q", st, loc)
	}
}

// Over TLS the session cookie is Secure.
func TestSecureCookieUnderTLS(t *testing.T) {
	h := newAccessHub(t, "https", hub.Options{})
	h.addAdmin("alice", access.RoleViewer)
	resp := h.webLogin(h.client(), "alice", password("alice"))
	for _, ck := range resp.Cookies() {
		if ck.Name == "hub_session" && (!ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode) {
			t.Errorf("session cookie under TLS: %+v", ck)
		}
	}
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login: %s", resp.Status)
	}
}

// Five failures lock a user out, even with the right password; the lock ends
// after LockFor. Too many failures from one address lock the address out.
func TestLockout(t *testing.T) {
	h := newAccessHub(t, "http", hub.Options{RemoteLockAfter: 12})
	h.addAdmin("alice", access.RoleOwner)
	for i := range 5 {
		if st, _ := h.apiLogin("alice", "wrong password "+string(rune('a'+i))); st != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, st)
		}
	}
	if st, _ := h.apiLogin("alice", password("alice")); st != http.StatusTooManyRequests {
		t.Fatalf("right password while locked out: %d", st)
	}
	// The web form says so too.
	if resp := h.webLogin(h.client(), "alice", password("alice")); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("web login while locked out: %s", resp.Status)
	}
	h.clock.Advance(14 * time.Minute)
	if st, _ := h.apiLogin("alice", password("alice")); st != http.StatusTooManyRequests {
		t.Fatalf("after 14 minutes: %d", st)
	}
	h.clock.Advance(time.Minute)
	if st, tok := h.apiLogin("alice", password("alice")); st != http.StatusOK || tok == "" {
		t.Fatalf("after the lock: %d", st)
	}
	entries, err := h.hub.Access().AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.Action]++
	}
	if counts[access.AuditLoginFailed] != 5 || counts[access.AuditLockout] != 1 || counts[access.AuditLogin] != 1 {
		t.Errorf("audit counts %v", counts)
	}

	// The address: 12 failures within LockFor (the first 5 are older),
	// across names, lock it out for every name.
	for i := range 12 {
		if st, _ := h.apiLogin("guess"+string(rune('a'+i)), "wrong password"); st != http.StatusUnauthorized {
			t.Fatalf("address failure %d: %d", i, st)
		}
	}
	h.addAdmin("bob", access.RoleViewer)
	if st, _ := h.apiLogin("bob", password("bob")); st != http.StatusTooManyRequests {
		t.Fatalf("login from a locked-out address: %d", st)
	}
	h.clock.Advance(15 * time.Minute)
	if st, _ := h.apiLogin("bob", password("bob")); st != http.StatusOK {
		t.Fatalf("login after the address lock: %d", st)
	}
}

// API tokens expire after TokenTTL; web sessions after AdminIdle without use
// (a page refreshing itself is no use).
func TestExpiry(t *testing.T) {
	h := newAccessHub(t, "http", hub.Options{TokenTTL: time.Hour, AdminIdle: 30 * time.Minute})
	tok := h.adminToken("alice", access.RoleViewer)
	c := h.loggedIn("bob", access.RoleViewer)
	for range 3 { // used every 20 minutes: the web session lives on, the token dies
		h.clock.Advance(20 * time.Minute)
		if st, _, _ := page(t, c, h.url()+"/"); st != http.StatusOK {
			t.Fatalf("web session in use: %d", st)
		}
	}
	if st, _ := h.call("GET", "/api/stations", tok); st != http.StatusUnauthorized {
		t.Errorf("token after its TTL: %d", st)
	}
	h.clock.Advance(20 * time.Minute)
	if st, _, _ := page(t, c, h.url()+"/?auto=1"); st != http.StatusOK {
		t.Fatalf("auto refresh: %d", st)
	}
	h.clock.Advance(11 * time.Minute)
	if st, loc, _ := page(t, c, h.url()+"/"); st != http.StatusSeeOther || loc != "/login" {
		t.Errorf("web session idle for 31 minutes: %d to %q", st, loc)
	}
}

// Disabling an administrator ends their web sessions and API tokens and
// stops new logins; logging out of the API revokes the token.
func TestDisableAndLogout(t *testing.T) {
	h := newAccessHub(t, "http", hub.Options{})
	tok := h.adminToken("alice", access.RoleOwner)
	c := h.loggedIn("bob", access.RoleViewer)
	_, tokBob := h.apiLogin("bob", password("bob"))
	ctx := context.Background()
	if err := h.hub.Access().DisableAdmin(ctx, access.Actor{User: "alice", Remote: "127.0.0.1"}, "bob"); err != nil {
		t.Fatal(err)
	}
	if st, _ := h.call("GET", "/api/stations", tokBob); st != http.StatusUnauthorized {
		t.Errorf("disabled user's token: %d", st)
	}
	if st, _, _ := page(t, c, h.url()+"/"); st != http.StatusSeeOther {
		t.Errorf("disabled user's web session: %d", st)
	}
	if st, _ := h.apiLogin("bob", password("bob")); st != http.StatusUnauthorized {
		t.Errorf("disabled user's login: %d", st)
	}
	if err := h.hub.Access().DisableAdmin(ctx, access.Actor{User: "alice"}, "nobody"); err == nil {
		t.Error("disabling an unknown user succeeded")
	}

	if st, _ := h.call("POST", "/api/logout", tok); st != http.StatusNoContent {
		t.Errorf("api logout: %d", st)
	}
	if st, _ := h.call("GET", "/api/stations", tok); st != http.StatusUnauthorized {
		t.Errorf("token after logout: %d", st)
	}
	tok = h.adminToken("carol", access.RoleOwner)
	_, body := h.call("GET", "/api/audit?limit=50", tok)
	var actions []string
	for _, e := range body["entries"].([]any) {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	all := strings.Join(actions, " ")
	for _, want := range []string{access.AuditAdminDisable, access.AuditLogout, access.AuditLoginFailed, access.AuditLogin, access.AuditAdminAdd} {
		if !strings.Contains(all, want) {
			t.Errorf("audit lacks %s: %s", want, all)
		}
	}
}

// Passwords and tokens appear in neither the logs, the audit log nor the
// sessions table — not even a password typed into the user name field.
func TestNoSecretsInLogs(t *testing.T) {
	h := newAccessHub(t, "http", hub.Options{})
	h.addAdmin("alice", access.RoleOwner)
	secrets := []string{password("alice"), "wrong-guess-987654", "typed-into-name-field-42"}
	h.apiLogin("alice", secrets[1])
	h.webLogin(h.client(), "alice", secrets[1])
	h.apiLogin(secrets[2], secrets[1])
	_, tok := h.apiLogin("alice", secrets[0])
	c := h.client()
	h.webLogin(c, "alice", secrets[0])
	u, _ := url.Parse(h.url())
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "hub_session" {
			secrets = append(secrets, ck.Value)
		}
	}
	h.call("POST", "/api/logout", tok)
	secrets = append(secrets, tok)
	if len(secrets) != 5 {
		t.Fatalf("no session cookie: %v", secrets)
	}

	var dump strings.Builder
	for _, q := range []string{`SELECT at, user, action, detail, remote FROM hub_audit`,
		`SELECT hex(token_hash), user, kind FROM hub_sessions`, `SELECT name, password_hash FROM hub_admins`} {
		rows, err := h.hub.Replica().DB().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c, d, e any
			dst := []any{&a, &b, &c, &d, &e}
			cols, _ := rows.Columns()
			if err := rows.Scan(dst[:len(cols)]...); err != nil {
				t.Fatal(err)
			}
			for _, v := range dst[:len(cols)] {
				dump.WriteString(toString(*(v.(*any))) + "\n")
			}
		}
		rows.Close()
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "failed administrator login") || !strings.Contains(dump.String(), access.AuditLoginFailed) {
		t.Fatalf("nothing logged?\n%s\n%s", logs, dump.String())
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the logs hold a secret %q", s)
		}
		if strings.Contains(dump.String(), s) {
			t.Errorf("the database tables hold a secret %q", s)
		}
	}
}

func toString(v any) string {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// The login page speaks Chinese, and English after ?lang=en.
func TestLoginPageLanguage(t *testing.T) {
	h := newAccessHub(t, "http", hub.Options{})
	c := h.client()
	if _, _, body := page(t, c, h.url()+"/login"); !strings.Contains(body, "密码") {
		t.Errorf("login page:\n%s", body)
	}
	if _, _, body := page(t, c, h.url()+"/login?lang=en"); !strings.Contains(body, "Password") {
		t.Errorf("English login page:\n%s", body)
	}
	if _, _, body := page(t, c, h.url()+"/login"); !strings.Contains(body, "Password") {
		t.Errorf("the language choice is not remembered:\n%s", body)
	}
	h.addAdmin("alice", access.RoleViewer)
	resp := h.webLogin(c, "alice", "wrong password!")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %s", resp.Status)
	}
}

// Parallel guesses do not overrun the lock-out: of 20 at once, at most 5 are
// checked.
func TestLockoutParallel(t *testing.T) {
	h := newAccessHub(t, "http", hub.Options{})
	h.addAdmin("alice", access.RoleOwner)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 20 {
		wg.Go(func() {
			st, _ := h.apiLogin("alice", "wrong password "+string(rune('a'+i)))
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != 20 {
		t.Errorf("answers to 20 parallel guesses: %v", statuses)
	}
	if st, _ := h.apiLogin("alice", password("alice")); st != http.StatusTooManyRequests {
		t.Errorf("right password after the guesses: %d", st)
	}
}

// The role table: every role reads; only resolvers and owners resolve, only
// station managers and owners manage stations, only owners manage
// administrators and read the audit log.
func TestRolePermissions(t *testing.T) {
	want := map[access.Role]string{
		access.RoleViewer:         "view",
		access.RoleResolver:       "view resolve",
		access.RoleStationManager: "view manage_stations",
		access.RoleOwner:          "view resolve manage_stations manage_admins read_audit",
	}
	perms := []access.Permission{access.PermView, access.PermResolve, access.PermStations, access.PermAdmins, access.PermAudit}
	for _, r := range access.Roles() {
		var got []string
		for _, p := range perms {
			if r.Can(p) {
				got = append(got, string(p))
			}
		}
		if strings.Join(got, " ") != want[r] {
			t.Errorf("%s can %v, want %s", r, got, want[r])
		}
	}
	if access.Role("king").Can(access.PermView) {
		t.Error("an unknown role can read")
	}
	for _, s := range []string{"station manager", "station-manager", "station_manager"} {
		if r, err := access.ParseRole(s); err != nil || r != access.RoleStationManager {
			t.Errorf("ParseRole(%q) = %q, %v", s, r, err)
		}
	}
	if _, err := access.ParseRole("admin"); err == nil {
		t.Error("ParseRole accepted admin")
	}
}
