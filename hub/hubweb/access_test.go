package hubweb_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/internal/hubtest"
)

// Every protected endpoint refuses a request without a session or token, with
// a bad or wrong kind of credential, and with a role that lacks the
// permission; it answers the right role.
func TestAccessRefusals(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	h.Enroll("乌兰花镇站")
	viewer := h.AdminToken("viewer1", access.RoleViewer)
	resolver := h.AdminToken("resolver1", access.RoleResolver)
	manager := h.AdminToken("manager1", access.RoleStationManager)
	owner := h.AdminToken("owner1", access.RoleOwner)

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
			st, body := h.Call(ep.method, ep.path, tok)
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
			st, body := h.Call(ep.method, ep.path, tok)
			if st != want {
				t.Errorf("%s %s: %d, want %d (%v)", ep.method, ep.path, st, want, body)
			}
			if want == http.StatusForbidden && body["error"] == nil {
				t.Errorf("%s %s: 403 without an error message", ep.method, ep.path)
			}
		}
	}
	if st, body := h.Call("GET", "/api/stations", viewer); st != 200 || len(body["stations"].([]any)) != 1 {
		t.Errorf("stations: %d %v", st, body)
	}
	if st, _ := h.Call("POST", "/api/logout", ""); st != http.StatusUnauthorized {
		t.Errorf("logout without a token: %d", st)
	}

	// Pages: no session → the login page; any role reads the status page.
	anon := h.Client()
	if st, loc, _ := hubtest.Page(t, anon, h.URL()+"/"); st != http.StatusSeeOther || loc != "/login" {
		t.Errorf("status page without a session: %d to %q", st, loc)
	}
	c := h.LoggedIn("viewer2", access.RoleViewer)
	st, _, body := hubtest.Page(t, c, h.URL()+"/")
	if st != http.StatusOK || !strings.Contains(body, "乌兰花镇站") || !strings.Contains(body, `action="/logout"`) ||
		!hubtest.CSRFPattern.MatchString(body) {
		t.Errorf("status page for a viewer: %d\n%s", st, body)
	}
	// A web session is no API credential, and a token is no web session.
	u, _ := url.Parse(h.URL())
	var sess string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "hub_session" {
			sess = ck.Value
		}
	}
	if sess == "" {
		t.Fatal("no session cookie")
	}
	req, _ := http.NewRequest("GET", h.URL()+"/api/stations", nil)
	req.AddCookie(&http.Cookie{Name: "hub_session", Value: sess})
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("api with a session cookie: %v %v", resp.Status, err)
	} else {
		resp.Body.Close()
	}
	if st, _ := h.Call("GET", "/api/stations", sess); st != http.StatusUnauthorized {
		t.Errorf("a web session used as a bearer token: %d", st)
	}
	tokClient := h.Client()
	tokClient.Jar.SetCookies(u, []*http.Cookie{{Name: "hub_session", Value: viewer}})
	if st, loc, _ := hubtest.Page(t, tokClient, h.URL()+"/"); st != http.StatusSeeOther || loc != "/login" {
		t.Errorf("an API token used as a session cookie: %d to %q", st, loc)
	}
	// The sync path still wants a station token, not an administrator's.
	req, _ = http.NewRequest("GET", h.URL()+"/sync", nil)
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
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	h.AddAdmin("alice", access.RoleOwner)
	c := h.Client()
	hubtest.Page(t, c, h.URL()+"/login") // the login CSRF cookie
	resp, _ := hubtest.Post(t, c, h.URL()+"/login", url.Values{"user": {"alice"}, "password": {hubtest.Password("alice")}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without a CSRF token: %s", resp.Status)
	}
	resp, _ = hubtest.Post(t, c, h.URL()+"/login", url.Values{"csrf": {"forged"}, "user": {"alice"}, "password": {hubtest.Password("alice")}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with a forged CSRF token: %s", resp.Status)
	}
	// A token from the page of another browser does not pass either.
	_, _, other := hubtest.Page(t, h.Client(), h.URL()+"/login")
	resp, _ = hubtest.Post(t, c, h.URL()+"/login", url.Values{"csrf": {hubtest.CSRFPattern.FindStringSubmatch(other)[1]},
		"user": {"alice"}, "password": {hubtest.Password("alice")}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with another browser's CSRF token: %s", resp.Status)
	}

	resp = h.WebLogin(c, "alice", hubtest.Password("alice"))
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
	_, _, body := hubtest.Page(t, c, h.URL()+"/")
	tok := hubtest.CSRFPattern.FindStringSubmatch(body)
	if tok == nil {
		t.Fatalf("status page without a logout form:\n%s", body)
	}
	for _, form := range []url.Values{{}, {"csrf": {"forged"}}} {
		if resp, _ := hubtest.Post(t, c, h.URL()+"/logout", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("logout with csrf %q: %s", form.Get("csrf"), resp.Status)
		}
	}
	if st, _, _ := hubtest.Page(t, c, h.URL()+"/"); st != http.StatusOK {
		t.Fatalf("session ended by a refused logout: %d", st)
	}
	if resp, _ := hubtest.Post(t, c, h.URL()+"/logout", url.Values{"csrf": {tok[1]}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %s", resp.Status)
	}
	// The old cookie, replayed, no longer works.
	replay := h.Client()
	u, _ := url.Parse(h.URL())
	replay.Jar.SetCookies(u, []*http.Cookie{{Name: "hub_session", Value: sess.Value}})
	if st, loc, _ := hubtest.Page(t, replay, h.URL()+"/"); st != http.StatusSeeOther || loc != "/login" {
		t.Errorf("after logout: %d to %q", st, loc)
	}
}

// Over TLS the session cookie is Secure.
func TestSecureCookieUnderTLS(t *testing.T) {
	h := hubtest.NewAccessServer(t, "https", hub.Options{})
	h.AddAdmin("alice", access.RoleViewer)
	resp := h.WebLogin(h.Client(), "alice", hubtest.Password("alice"))
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
	h := hubtest.NewAccessServer(t, "http", hub.Options{RemoteLockAfter: 12})
	h.AddAdmin("alice", access.RoleOwner)
	for i := range 5 {
		if st, _ := h.APILogin("alice", "wrong password "+string(rune('a'+i))); st != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, st)
		}
	}
	if st, _ := h.APILogin("alice", hubtest.Password("alice")); st != http.StatusTooManyRequests {
		t.Fatalf("right password while locked out: %d", st)
	}
	// The web form says so too.
	if resp := h.WebLogin(h.Client(), "alice", hubtest.Password("alice")); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("web login while locked out: %s", resp.Status)
	}
	// The first lock lasts a minute (back-off: further failures double it).
	h.Clock.Advance(59 * time.Second)
	if st, _ := h.APILogin("alice", hubtest.Password("alice")); st != http.StatusTooManyRequests {
		t.Fatalf("after 59 seconds: %d", st)
	}
	h.Clock.Advance(time.Second)
	if st, tok := h.APILogin("alice", hubtest.Password("alice")); st != http.StatusOK || tok == "" {
		t.Fatalf("after the lock: %d", st)
	}
	entries, err := h.Hub.Access().AuditLog(context.Background(), 100)
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

	// The address: 12 failures (the first 5 are older than an hour, so
	// forgotten), across names, lock it out for every name.
	h.Clock.Advance(time.Hour)
	for i := range 12 {
		if st, _ := h.APILogin("guess"+string(rune('a'+i)), "wrong password"); st != http.StatusUnauthorized {
			t.Fatalf("address failure %d: %d", i, st)
		}
	}
	h.AddAdmin("bob", access.RoleViewer)
	if st, _ := h.APILogin("bob", hubtest.Password("bob")); st != http.StatusTooManyRequests {
		t.Fatalf("login from a locked-out address: %d", st)
	}
	h.Clock.Advance(15 * time.Minute)
	if st, _ := h.APILogin("bob", hubtest.Password("bob")); st != http.StatusOK {
		t.Fatalf("login after the address lock: %d", st)
	}
}

// API tokens expire after TokenTTL; web sessions after AdminIdle without use
// (a page refreshing itself is no use).
func TestExpiry(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{TokenTTL: time.Hour, AdminIdle: 30 * time.Minute})
	tok := h.AdminToken("alice", access.RoleViewer)
	c := h.LoggedIn("bob", access.RoleViewer)
	for range 3 { // used every 20 minutes: the web session lives on, the token dies
		h.Clock.Advance(20 * time.Minute)
		if st, _, _ := hubtest.Page(t, c, h.URL()+"/"); st != http.StatusOK {
			t.Fatalf("web session in use: %d", st)
		}
	}
	if st, _ := h.Call("GET", "/api/stations", tok); st != http.StatusUnauthorized {
		t.Errorf("token after its TTL: %d", st)
	}
	h.Clock.Advance(20 * time.Minute)
	if st, _, _ := hubtest.Page(t, c, h.URL()+"/?auto=1"); st != http.StatusOK {
		t.Fatalf("auto refresh: %d", st)
	}
	h.Clock.Advance(11 * time.Minute)
	if st, loc, _ := hubtest.Page(t, c, h.URL()+"/"); st != http.StatusSeeOther || loc != "/login" {
		t.Errorf("web session idle for 31 minutes: %d to %q", st, loc)
	}
}

// Disabling an administrator ends their web sessions and API tokens and
// stops new logins; logging out of the API revokes the token.
func TestDisableAndLogout(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	tok := h.AdminToken("alice", access.RoleOwner)
	c := h.LoggedIn("bob", access.RoleViewer)
	_, tokBob := h.APILogin("bob", hubtest.Password("bob"))
	ctx := context.Background()
	if err := h.Hub.Access().DisableAdmin(ctx, access.Actor{User: "alice", Remote: "127.0.0.1"}, "bob"); err != nil {
		t.Fatal(err)
	}
	if st, _ := h.Call("GET", "/api/stations", tokBob); st != http.StatusUnauthorized {
		t.Errorf("disabled user's token: %d", st)
	}
	if st, _, _ := hubtest.Page(t, c, h.URL()+"/"); st != http.StatusSeeOther {
		t.Errorf("disabled user's web session: %d", st)
	}
	if st, _ := h.APILogin("bob", hubtest.Password("bob")); st != http.StatusUnauthorized {
		t.Errorf("disabled user's login: %d", st)
	}
	if err := h.Hub.Access().DisableAdmin(ctx, access.Actor{User: "alice"}, "nobody"); err == nil {
		t.Error("disabling an unknown user succeeded")
	}

	if st, _ := h.Call("POST", "/api/logout", tok); st != http.StatusNoContent {
		t.Errorf("api logout: %d", st)
	}
	if st, _ := h.Call("GET", "/api/stations", tok); st != http.StatusUnauthorized {
		t.Errorf("token after logout: %d", st)
	}
	tok = h.AdminToken("carol", access.RoleOwner)
	_, body := h.Call("GET", "/api/audit?limit=50", tok)
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
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	h.AddAdmin("alice", access.RoleOwner)
	secrets := []string{hubtest.Password("alice"), "wrong-guess-987654", "typed-into-name-field-42"}
	h.APILogin("alice", secrets[1])
	h.WebLogin(h.Client(), "alice", secrets[1])
	h.APILogin(secrets[2], secrets[1])
	_, tok := h.APILogin("alice", secrets[0])
	c := h.Client()
	h.WebLogin(c, "alice", secrets[0])
	u, _ := url.Parse(h.URL())
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "hub_session" {
			secrets = append(secrets, ck.Value)
		}
	}
	h.Call("POST", "/api/logout", tok)
	secrets = append(secrets, tok)
	if len(secrets) != 5 {
		t.Fatalf("no session cookie: %v", secrets)
	}

	var dump strings.Builder
	for _, q := range []string{`SELECT at, user, action, detail, remote FROM hub_audit`,
		`SELECT hex(token_hash), user, kind FROM hub_sessions`, `SELECT name, password_hash FROM hub_admins`} {
		rows, err := h.Hub.Replica().DB().Query(q)
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
	logs := h.Logs.String()
	if !strings.Contains(logs, "login failed") || !strings.Contains(dump.String(), access.AuditLoginFailed) {
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
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	c := h.Client()
	if _, _, body := hubtest.Page(t, c, h.URL()+"/login"); !strings.Contains(body, "密码") {
		t.Errorf("login page:\n%s", body)
	}
	if _, _, body := hubtest.Page(t, c, h.URL()+"/login?lang=en"); !strings.Contains(body, "Password") {
		t.Errorf("English login page:\n%s", body)
	}
	if _, _, body := hubtest.Page(t, c, h.URL()+"/login"); !strings.Contains(body, "Password") {
		t.Errorf("the language choice is not remembered:\n%s", body)
	}
	h.AddAdmin("alice", access.RoleViewer)
	resp := h.WebLogin(c, "alice", "wrong password!")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %s", resp.Status)
	}
}

// Past the free failures the lock backs off: each further failure doubles
// it, up to LockFor; the API says how long to wait (Retry-After).
func TestLockoutBacksOff(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{LockAfter: 2, LockFor: 3 * time.Minute})
	h.AddAdmin("alice", access.RoleOwner)
	fail := func() {
		t.Helper()
		if st, _ := h.APILogin("alice", "wrong password"); st != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d, want 401", st)
		}
	}
	lockedFor := func() int {
		t.Helper()
		body := hubtest.MustJSONString(map[string]string{"user": "alice", "password": hubtest.Password("alice")})
		resp, err := h.Client().Post(h.URL()+"/api/login", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("right password while locked: %d, want 429", resp.StatusCode)
		}
		n, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return n
	}
	fail()
	fail() // the second: locked for a minute
	if n := lockedFor(); n != 60 {
		t.Errorf("first lock: Retry-After %d, want 60", n)
	}
	for _, want := range []int{120, 180, 180} { // doubled, then at most LockFor
		h.Clock.Advance(time.Duration(lockedFor()) * time.Second)
		fail()
		if n := lockedFor(); n != want {
			t.Errorf("next lock: Retry-After %d, want %d", n, want)
		}
	}
	if !strings.Contains(h.Logs.String(), "login refused: locked out") {
		t.Errorf("refusals while locked out are not logged:\n%s", h.Logs.String())
	}
}

// Parallel guesses do not overrun the lock-out: of 20 at once, at most 5 are
// checked.
func TestLockoutParallel(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	h.AddAdmin("alice", access.RoleOwner)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 20 {
		wg.Go(func() {
			st, _ := h.APILogin("alice", "wrong password "+string(rune('a'+i)))
			mu.Lock()
			statuses[st]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[http.StatusUnauthorized] > 5 || statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests] != 20 {
		t.Errorf("answers to 20 parallel guesses: %v", statuses)
	}
	if st, _ := h.APILogin("alice", hubtest.Password("alice")); st != http.StatusTooManyRequests {
		t.Errorf("right password after the guesses: %d", st)
	}
}

// Open forms outlive a restart of the hub: the CSRF secret and the sessions
// are kept in its database. A form posted with a token made under another
// secret (or for another session) is refused.
func TestFormsSurviveRestart(t *testing.T) {
	h := hubtest.NewAccessServer(t, "http", hub.Options{})
	c := h.LoggedIn("alice", access.RoleOwner)
	_, _, page := hubtest.Page(t, c, h.URL()+"/")
	logout := hubtest.CSRFPattern.FindStringSubmatch(page)
	login := h.Client()
	_, _, form := hubtest.Page(t, login, h.URL()+"/login")
	loginTok := hubtest.CSRFPattern.FindStringSubmatch(form)
	if logout == nil || loginTok == nil {
		t.Fatal("pages without CSRF tokens")
	}
	addr := h.Addr
	h.Stop()
	h.Open()
	h.Serve(addr)
	resp, _ := hubtest.Post(t, login, h.URL()+"/login", url.Values{"csrf": {loginTok[1]}, "user": {"alice"},
		"password": {hubtest.Password("alice")}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login form opened before the restart: %s", resp.Status)
	}
	// Another session's token does not log this one out.
	_, _, other := hubtest.Page(t, login, h.URL()+"/")
	if m := hubtest.CSRFPattern.FindStringSubmatch(other); m == nil || m[1] == logout[1] {
		t.Fatalf("two sessions, one CSRF token: %v", m)
	} else if resp, _ := hubtest.Post(t, c, h.URL()+"/logout", url.Values{"csrf": {m[1]}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout with another session's token: %s", resp.Status)
	}
	if resp, _ := hubtest.Post(t, c, h.URL()+"/logout", url.Values{"csrf": {logout[1]}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout form opened before the restart: %s", resp.Status)
	}
}
