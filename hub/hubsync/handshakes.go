package hubsync

import (
	"net"
	"sync"
)

// Options configure the sync server: what stations that have not
// authenticated yet may take, and how strictly uploads must follow the
// station's log.
// Zero fields take the defaults.
type Options struct {
	// MaxHandshakes is how many handshakes may be in flight at once
	// (default 128); MaxHandshakesPerAddr, from one remote address (default
	// 16). The rest are answered HTTP 503 with Retry-After.
	MaxHandshakes, MaxHandshakesPerAddr int
	// ContiguousUploads refuses a station batch that does not start right
	// after what the hub holds of the station's log. Stations of this
	// release send such batches; earlier ones skip the entries of the
	// hub's batches, so turn this on once every station is upgraded
	// (`hub serve --contiguous-uploads`). Without it a gap is accepted, and
	// only an empty batch moving the cursor is refused.
	ContiguousUploads bool
}

func (l Options) withDefaults() Options {
	if l.MaxHandshakes <= 0 {
		l.MaxHandshakes = 128
	}
	if l.MaxHandshakesPerAddr <= 0 {
		l.MaxHandshakesPerAddr = 16
	}
	return l
}

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
