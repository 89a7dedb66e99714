package hub

import (
	"context"
)

// StationStatus is one row of /api/stations and of the status page.
type StationStatus struct {
	StationInfo
	Online  bool         `json:"online"`
	Session *SessionInfo `json:"session,omitempty"`
}

// Status lists every enrolled station with its live session, if any.
func (h *Hub) Status(ctx context.Context) ([]StationStatus, error) {
	sts, err := h.Stations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StationStatus, len(sts))
	for i, st := range sts {
		out[i].StationInfo = st
		if s, ok := h.sessions.Session(st.Name); ok {
			out[i].Online, out[i].Session = true, &s
			out[i].LastSeen, out[i].ClockOffset = s.LastSeen, s.ClockOffset
		}
	}
	return out, nil
}
