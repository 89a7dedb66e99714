package webkit

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	tp, err := ParseTrustedProxies("10.0.0.0/8", "192.168.1.5", "fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		peer string
		xff  []string
		want string
	}{
		{"direct client, no header", "203.0.113.7:5000", nil, "203.0.113.7"},
		{"direct client spoofing the header", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"direct client spoofing a trusted address", "203.0.113.7:5000", []string{"10.0.0.9"}, "203.0.113.7"},
		{"proxy without a header", "10.1.2.3:443", nil, "10.1.2.3"},
		{"proxy naming the client", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"client's own entry left of the proxy's", "10.1.2.3:443", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted hops", "10.1.2.3:443", []string{"198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"header repeated", "10.1.2.3:443", []string{"6.6.6.6", "198.51.100.1"}, "198.51.100.1"},
		{"single trusted address", "192.168.1.5:80", []string{"198.51.100.2"}, "198.51.100.2"},
		{"neighbour of the single trusted address", "192.168.1.6:80", []string{"198.51.100.2"}, "192.168.1.6"},
		{"garbage rightmost", "10.1.2.3:443", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"garbage behind a trusted hop", "10.1.2.3:443", []string{"junk, 10.4.4.4"}, "10.4.4.4"},
		{"empty entry", "10.1.2.3:443", []string{"198.51.100.1,"}, "10.1.2.3"},
		{"entry with a port", "10.1.2.3:443", []string{"198.51.100.1:6000"}, "198.51.100.1"},
		{"ipv6 proxy and client", "[fd00::1]:443", []string{"2001:db8::5"}, "2001:db8::5"},
		{"ipv6 client bracketed with port", "[fd00::1]:443", []string{"[2001:db8::5]:7000"}, "2001:db8::5"},
		{"ipv6 client bracketed", "10.1.2.3:443", []string{"[2001:db8::5]"}, "2001:db8::5"},
		{"ipv6 direct client spoofing", "[2001:db8::9]:443", []string{"2001:db8::5"}, "2001:db8::9"},
		{"ipv4-mapped peer in a trusted v4 net", "[::ffff:10.1.2.3]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"ipv4-mapped client", "10.1.2.3:443", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"all hops trusted", "10.1.2.3:443", []string{"10.7.7.7, 10.8.8.8"}, "10.7.7.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tp.ClientAddr(r).String(); got != tc.want {
				t.Errorf("client %s, want %s", got, tc.want)
			}
			var seen, peer string
			tp.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				seen, peer = ClientHost(r), PeerAddr(r)
			})).ServeHTTP(httptest.NewRecorder(), r)
			if seen != tc.want {
				t.Errorf("handler saw client %s, want %s", seen, tc.want)
			}
			if peer != tc.peer {
				t.Errorf("peer %s, want %s", peer, tc.peer)
			}
		})
	}
}

func TestClientAddrTrustsNoOneByDefault(t *testing.T) {
	var tp TrustedProxies
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:9"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	if got := tp.ClientAddr(r).String(); got != "127.0.0.1" {
		t.Errorf("client %s: without --trusted-proxy the header must be ignored", got)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		bad  bool
	}{
		{in: "10.0.0.0/8", want: "10.0.0.0/8"},
		{in: "10.1.2.3/8", want: "10.0.0.0/8"},
		{in: " 127.0.0.1 ", want: "127.0.0.1/32"},
		{in: "::1", want: "::1/128"},
		{in: "::ffff:10.0.0.0/104", want: "10.0.0.0/8"},
		{in: "fd00::/8", want: "fd00::/8"},
		{in: "proxy.example", bad: true},
		{in: "10.0.0.0/40", bad: true},
		{in: "", bad: true},
	} {
		tp, err := ParseTrustedProxies(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: accepted as %s", tc.in, tp)
			}
			continue
		}
		if err != nil || tp.String() != tc.want {
			t.Errorf("%q: %s, %v; want %s", tc.in, tp, err, tc.want)
		}
	}
}
