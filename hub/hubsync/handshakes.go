package hubsync

import (
	"net"
	"sync"
)

// handshakes counts the handshakes in flight, overall and per address.
type handshakes struct {
	lim    Options
	mu     sync.Mutex
	total  int
	byAddr map[string]int
}

// enter takes a handshake slot for remote, or says there is none.
func (h *handshakes) enter(remote string) (leave func(), ok bool) {
	addr, _, err := net.SplitHostPort(remote)
	if err != nil {
		addr = remote
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.total >= h.lim.MaxHandshakes || h.byAddr[addr] >= h.lim.MaxHandshakesPerAddr {
		return nil, false
	}
	h.total++
	h.byAddr[addr]++
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.total--
			if h.byAddr[addr]--; h.byAddr[addr] == 0 {
				delete(h.byAddr, addr)
			}
		})
	}, true
}
