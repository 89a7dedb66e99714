package webkit

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func reqAt(host string, local net.Addr, tls bool) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	if tls {
		r = httptest.NewRequest("GET", "https://x/", nil)
	}
	r.Host = host
	if local != nil {
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, local))
	}
	return r
}

func TestHostsAllowed(t *testing.T) {
	lo := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	lo6 := &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}
	lan := &net.TCPAddr{IP: net.ParseIP("192.168.1.20"), Port: 8443}
	lan443 := &net.TCPAddr{IP: net.ParseIP("192.168.1.20"), Port: 443}
	named := NewHosts("station.lan", "Office-PC.:8443")
	for _, c := range []struct {
		name  string
		hosts *Hosts
		host  string
		local net.Addr
		tls   bool
		ok    bool
	}{
		{"loopback ip", nil, "127.0.0.1:8080", lo, false, true},
		{"localhost", nil, "localhost:8080", lo, false, true},
		{"LOCALHOST", nil, "LOCALHOST:8080", lo, false, true},
		{"ipv6 loopback", nil, "[::1]:8080", lo6, false, true},
		{"ipv6 literal reaching v4 loopback", nil, "[::1]:8080", lo, false, true},
		{"rebinding name", nil, "rebind.example:8080", lo, false, false},
		{"rebinding name, no port", nil, "rebind.example", lo, false, false},
		{"other port", nil, "127.0.0.1:9090", lo, false, false},
		{"no port means 80", nil, "127.0.0.1", lo, false, false},
		{"empty", nil, "", lo, false, false},
		{"garbage", nil, "[::1", lo, false, false},
		{"two colons", nil, "a:b:c", lo, false, false},
		{"lan ip", nil, "192.168.1.20:8443", lan, true, true},
		{"localhost at a lan address", nil, "localhost:8443", lan, true, false},
		{"another lan ip", nil, "192.168.1.21:8443", lan, true, false},
		{"lan ip, default https port", nil, "192.168.1.20", lan443, true, true},
		{"configured name", named, "station.lan:8443", lan, true, true},
		{"configured name, case and port", named, "office-pc:1234", lan, true, true},
		{"unconfigured name", named, "evil.lan:8443", lan, true, false},
		{"no connection address: only configured names", named, "127.0.0.1:8080", nil, false, false},
		{"no connection address, configured", named, "station.lan", nil, false, true},
	} {
		if got := c.hosts.Allowed(reqAt(c.host, c.local, c.tls)); got != c.ok {
			t.Errorf("%s: Host %q allowed %v, want %v", c.name, c.host, got, c.ok)
		}
	}
}

func FuzzHostsAllowed(f *testing.F) {
	for _, s := range []string{"127.0.0.1:8080", "localhost:8080", "[::1]:8080", "rebind.example:8080", "[", "a:b", ":80"} {
		f.Add(s)
	}
	lo := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	h := NewHosts("station.lan")
	f.Fuzz(func(t *testing.T, host string) {
		if !h.Allowed(reqAt(host, lo, false)) {
			return
		}
		name, port, ok := splitHost(host)
		if !ok {
			t.Fatalf("allowed unparsable %q", host)
		}
		if name != "station.lan" && port != 8080 {
			t.Fatalf("allowed %q on another port", host)
		}
		if name != "station.lan" && name != "localhost" && !net.ParseIP(name).IsLoopback() {
			t.Fatalf("allowed %q", host)
		}
	})
}

func TestGuard(t *testing.T) {
	h := Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		GuardOptions{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, c := range []struct {
		name   string
		method string
		host   string
		header map[string]string
		status int
		body   string
	}{
		{"own address", "GET", "", nil, 200, "ok"},
		{"localhost", "GET", "localhost:" + itoa(port), nil, 200, "ok"},
		{"rebinding", "GET", "rebind.example:" + itoa(port), nil, 421, "拒绝访问"},
		{"same-origin post", "POST", "", map[string]string{"Sec-Fetch-Site": "same-origin"}, 200, "ok"},
		{"cross-site post", "POST", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "其他网站"},
		{"cross-origin post by Origin", "POST", "", map[string]string{"Origin": "http://evil.example"}, 403, "其他网站"},
		{"cross-site get is a read", "GET", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200, "ok"},
		{"post without browser headers", "POST", "", nil, 200, "ok"},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+"/", nil)
		if c.host != "" {
			req.Host = c.host
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || !strings.Contains(string(b), c.body) {
			t.Errorf("%s: %d %q", c.name, res.StatusCode, b)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", c.name, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s: %s %q", c.name, k, got)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
