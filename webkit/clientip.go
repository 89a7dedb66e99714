package webkit

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the reverse proxies (hub serve --trusted-proxy) whose
// X-Forwarded-For header names the client. A request's client address is
// the direct peer's, unless that peer is one of them: then it is the
// rightmost address of X-Forwarded-For that is not a trusted proxy (the
// entries to its left were written by the client and prove nothing). A
// client that sends the header itself, straight to the hub, changes
// nothing. The zero value trusts no one.
type TrustedProxies struct{ nets []netip.Prefix }

// ParseTrustedProxies reads CIDRs (10.0.0.0/8, fd00::/8) or single
// addresses (a /32 or /128).
func ParseTrustedProxies(cidrs ...string) (TrustedProxies, error) {
	var t TrustedProxies
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		p, err := netip.ParsePrefix(c)
		if err != nil {
			a, aerr := netip.ParseAddr(c)
			if aerr != nil {
				return TrustedProxies{}, fmt.Errorf("--trusted-proxy %q: a CIDR such as 10.0.0.0/8 or an address", c)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		t.nets = append(t.nets, p.Masked())
	}
	return t, nil
}

// Empty reports whether no proxy is trusted.
func (t TrustedProxies) Empty() bool { return len(t.nets) == 0 }

// String lists the trusted CIDRs.
func (t TrustedProxies) String() string {
	s := make([]string, len(t.nets))
	for i, p := range t.nets {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	for _, p := range t.nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr is the address of the client that made r: the peer, or, from
// a trusted proxy, what X-Forwarded-For says (see TrustedProxies). An entry
// that is not an address (garbage, "unknown") ends the walk: the client is
// then the last trusted hop read.
func (t TrustedProxies) ClientAddr(r *http.Request) netip.Addr {
	peer, ok := parseAddr(hostOf(r.RemoteAddr))
	if !ok || !t.trusts(peer) {
		return peer
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		entries := strings.Split(hops[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			a, ok := parseAddr(strings.TrimSpace(entries[j]))
			if !ok {
				return client
			}
			client = a
			if !t.trusts(a) {
				return client
			}
		}
	}
	return client
}

// Handler passes requests on with RemoteAddr set to their client address
// (ClientAddr, port 0 when it came from X-Forwarded-For), so that
// everything reading RemoteAddr after it (lock-out, audit, access log,
// handshake limits) counts the client, not the proxy. The peer's own
// address stays known to PeerAddr.
func (t TrustedProxies) Handler(next http.Handler) http.Handler {
	if t.Empty() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer := r.RemoteAddr
		c := t.ClientAddr(r)
		if c.IsValid() && (hostOf(peer) != c.String()) {
			r2 := r.WithContext(context.WithValue(r.Context(), peerKey{}, peer))
			r2.RemoteAddr = netip.AddrPortFrom(c, 0).String()
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

type peerKey struct{}

// PeerAddr is the address of the connection a request came on: a trusted
// proxy's when Handler took the client from X-Forwarded-For, else
// RemoteAddr.
func PeerAddr(r *http.Request) string {
	if p, ok := r.Context().Value(peerKey{}).(string); ok {
		return p
	}
	return r.RemoteAddr
}

// ClientHost is the host part of r's RemoteAddr (the client's address once
// TrustedProxies.Handler ran), without the port.
func ClientHost(r *http.Request) string { return hostOf(r.RemoteAddr) }

// hostOf is the host of host:port (an address without a port as it is).
func hostOf(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return hostport
}

// parseAddr reads an address as X-Forwarded-For or RemoteAddr hold it:
// bare (1.2.3.4, 2001:db8::1), with a port (1.2.3.4:5, [2001:db8::1]:5),
// IPv4 inside IPv6 unmapped, without a zone.
func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
				return parseAddr(s[1 : len(s)-1])
			}
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone(""), true
}
