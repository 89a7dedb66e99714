package hubsync

import "context"

// HoldDecodeBudget takes n bytes of the decode budget, as a session would,
// until release is called.
func (h *Server) HoldDecodeBudget(n int64) (release func()) {
	s := h.decoded.share()
	s.acquire(context.Background(), n)
	return s.close
}
