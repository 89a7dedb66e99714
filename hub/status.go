package hub

import (
	"context"
	"fmt"
	"sort"
	"time"

	"fieldsync/places"
	"fieldsync/records"
	"fieldsync/report"
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

// RefusedWindow is how far back a station's refused changes count on its
// health row: a refusal is final (the station's copy was put back), so an
// old one says nothing about the station today.
const RefusedWindow = 30 * 24 * time.Hour

// Reasons a station needs attention, most urgent first (Attention's order).
const (
	AttentionSilent    = "silent"    // no contact for report.DefaultSilentAfter, or never
	AttentionError     = "error"     // offline, and its last session ended in an error
	AttentionRefused   = "refused"   // changes refused within RefusedWindow
	AttentionClock     = "clock"     // clock offset beyond the hub's MaxSkew
	AttentionWaiting   = "waiting"   // requests waiting for the county
	AttentionConflicts = "conflicts" // open conflicts holding its values
)

// StationHealth is one station's health as the county's overview shows it
// (and /api/stations serves it): its status with its place's names and the
// counts that say whether someone should look at it.
type StationHealth struct {
	StationStatus
	// Village and Township are the names of its division code's 嘎查村 and
	// 苏木乡镇 ("" for a code no place has).
	Village  string `json:"village,omitempty"`
	Township string `json:"township,omitempty"`
	// Silent: not online and no contact within report.DefaultSilentAfter
	// (or never).
	Silent bool `json:"silent"`
	// ClockOff: its clock is further from the hub's than MaxSkew.
	ClockOff bool `json:"clock_off"`
	// Refused counts its changes the hub refused within RefusedWindow.
	Refused int `json:"refused"`
	// Waiting counts its joins and deletions waiting for the county.
	Waiting int `json:"requests_waiting"`
	// OpenConflicts counts the open conflicts holding a value it recorded.
	OpenConflicts int `json:"open_conflicts"`
	// Attention lists why it needs attention (the Attention* reasons, most
	// urgent first); empty when it does not, and for a revoked station.
	Attention []string `json:"attention"`
}

// StationsHealth lists every enrolled station's health, those needing
// attention first (by their most urgent reason, then how many), then by
// name; revoked stations last.
func (h *Hub) StationsHealth(ctx context.Context) ([]StationHealth, error) {
	sts, err := h.Status(ctx)
	if err != nil {
		return nil, err
	}
	now := h.now()
	refused, err := h.countByStation(ctx, `SELECT coalesce(station, ''), count(*) FROM `+records.Refusals+`
		WHERE state = ? AND refused_at >= ? AND fs_deleted = 0 GROUP BY station`,
		records.RefusalRefused, now.Add(-RefusedWindow).UTC().Format(time.RFC3339))
	if err != nil {
		return nil, fmt.Errorf("station health: refusals: %w", err)
	}
	waiting, err := h.countByStation(ctx, `SELECT station, count(*) FROM hub_requests WHERE state = ? GROUP BY station`,
		RequestWaiting)
	if err != nil {
		return nil, fmt.Errorf("station health: requests: %w", err)
	}
	conflicts, err := h.OpenConflictsByStation(ctx)
	if err != nil {
		return nil, fmt.Errorf("station health: %w", err)
	}
	out := make([]StationHealth, len(sts))
	for i, s := range sts {
		r := StationHealth{StationStatus: s, Attention: []string{}, Refused: refused[s.Name],
			Waiting: waiting[s.Name], OpenConflicts: conflicts[s.Name]}
		if p, ok := places.Lookup(s.DivisionCode); ok {
			r.Village = p.Name
		}
		if len(s.DivisionCode) >= 9 {
			if p, ok := places.Lookup(s.DivisionCode[:9]); ok {
				r.Township = p.Name
			}
		}
		r.Silent = report.Silent(s.Online, s.LastSeen, now, report.DefaultSilentAfter)
		off := s.ClockOffset
		r.ClockOff = !s.LastSeen.IsZero() && (off > h.opt.MaxSkew || -off > h.opt.MaxSkew)
		if !s.Revoked {
			for _, c := range []struct {
				on     bool
				reason string
			}{{r.Silent, AttentionSilent}, {!s.Online && s.LastError != "", AttentionError},
				{r.Refused > 0, AttentionRefused}, {r.ClockOff, AttentionClock},
				{r.Waiting > 0, AttentionWaiting}, {r.OpenConflicts > 0, AttentionConflicts}} {
				if c.on {
					r.Attention = append(r.Attention, c.reason)
				}
			}
		}
		out[i] = r
	}
	sort.SliceStable(out, func(i, j int) bool { return healthBefore(out[i], out[j]) })
	return out, nil
}

// attentionRank orders the reasons: lower is more urgent.
var attentionRank = map[string]int{AttentionSilent: 0, AttentionError: 1, AttentionRefused: 2, AttentionClock: 3,
	AttentionWaiting: 4, AttentionConflicts: 5}

// healthBefore orders the overview: stations needing attention first, by
// their most urgent reason, then by how many reasons; revoked last; then
// by name.
func healthBefore(a, b StationHealth) bool {
	if a.Revoked != b.Revoked {
		return b.Revoked
	}
	ra, rb := len(attentionRank), len(attentionRank)
	if len(a.Attention) > 0 {
		ra = attentionRank[a.Attention[0]]
	}
	if len(b.Attention) > 0 {
		rb = attentionRank[b.Attention[0]]
	}
	if ra != rb {
		return ra < rb
	}
	if len(a.Attention) != len(b.Attention) {
		return len(a.Attention) > len(b.Attention)
	}
	return a.Name < b.Name
}

// StationHealthOf is one station's health; ErrStationUnknown when no
// station has the name.
func (h *Hub) StationHealthOf(ctx context.Context, name string) (StationHealth, error) {
	all, err := h.StationsHealth(ctx)
	if err != nil {
		return StationHealth{}, err
	}
	for _, s := range all {
		if s.Name == name {
			return s, nil
		}
	}
	return StationHealth{}, fmt.Errorf("station %q: %w", name, ErrStationUnknown)
}

// countByStation runs a query of (station, count) rows into a map.
func (h *Hub) countByStation(ctx context.Context, q string, args ...any) (map[string]int, error) {
	rows, err := h.rep.DB().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
