package webkit

import (
	"net"
	"net/http"
	"strconv"
	"strings"
)

// ContentSecurityPolicy allows only the server's own scripts, styles and
// images: no inline script or style, no framing, forms posting only home.
const ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'self'; " +
	"frame-ancestors 'none'; object-src 'none'"

// SetSecurityHeaders sets the headers every response carries.
func SetSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// Hosts decides which Host headers a server answers to. A name a DNS
// rebinding attack uses is the attacker's own, so a server answers only to
// the address the connection reached (an IP literal, or localhost when that
// address is loopback) on the port it listens on, and to the names it is
// configured with. 127.0.0.1:8080, localhost:8080 and [::1]:8080 reach a
// station on loopback port 8080; rebind.example:8080 does not.
type Hosts struct {
	names map[string]bool
}

// NewHosts allows names (host names, a port if given is ignored) besides the
// connection's own address.
func NewHosts(names ...string) *Hosts {
	h := &Hosts{names: map[string]bool{}}
	for _, n := range names {
		if host, _, err := net.SplitHostPort(n); err == nil {
			n = host
		}
		if n = normalHost(n); n != "" {
			h.names[n] = true
		}
	}
	return h
}

func normalHost(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}

// splitHost splits a Host header into a host name and a port (0: none).
func splitHost(hostport string) (host string, port int, ok bool) {
	if hostport == "" {
		return "", 0, false
	}
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		// No port: a bare name or a bracketed IPv6 literal.
		if strings.Contains(hostport, ":") && !strings.HasPrefix(hostport, "[") {
			return "", 0, false
		}
		host = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
		if strings.ContainsAny(host, "[]") {
			return "", 0, false
		}
		return normalHost(host), 0, host != ""
	}
	n, err := strconv.Atoi(p)
	if err != nil || n <= 0 || n > 65535 || host == "" {
		return "", 0, false
	}
	return normalHost(host), n, true
}

// Allowed reports whether r's Host names this server.
func (h *Hosts) Allowed(r *http.Request) bool {
	host, port, ok := splitHost(r.Host)
	if !ok {
		return false
	}
	if h != nil && h.names[host] {
		return true
	}
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	tcp, _ := local.(*net.TCPAddr)
	if tcp == nil {
		return false
	}
	if port == 0 {
		port = 80
		if r.TLS != nil {
			port = 443
		}
	}
	if port != tcp.Port {
		return false
	}
	if host == "localhost" {
		return tcp.IP.IsLoopback()
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	return ip.Equal(tcp.IP) || ip.IsLoopback() && tcp.IP.IsLoopback()
}

// GuardOptions configure Guard.
type GuardOptions struct {
	// Hosts are the host names allowed besides the connection's own
	// address (nil: only that).
	Hosts *Hosts
	// Refuse writes a refusal (status 421 or 403, key "host_refused" or
	// "cross_origin" in Texts); nil writes Texts' text in the request's
	// language as plain text.
	Refuse func(w http.ResponseWriter, r *http.Request, status int, key string)
	// Lang picks the language of a refusal (nil: Chinese).
	Lang func(r *http.Request) string
}

// Guard sets the security headers on every response, answers only requests
// whose Host names the server (421 otherwise) and refuses cross-origin
// requests with unsafe methods (http.CrossOriginProtection: 403).
func Guard(next http.Handler, o GuardOptions) http.Handler {
	cop := http.NewCrossOriginProtection()
	refuse := o.Refuse
	if refuse == nil {
		refuse = func(w http.ResponseWriter, r *http.Request, status int, key string) {
			lang := "zh"
			if o.Lang != nil {
				lang = o.Lang(r)
			}
			http.Error(w, Texts.T(lang, key), status)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetSecurityHeaders(w.Header())
		if !o.Hosts.Allowed(r) {
			refuse(w, r, http.StatusMisdirectedRequest, "host_refused")
			return
		}
		if err := cop.Check(r); err != nil {
			refuse(w, r, http.StatusForbidden, "cross_origin")
			return
		}
		next.ServeHTTP(w, r)
	})
}
