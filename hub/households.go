package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"fieldsync/ident"
)

// HouseholdInfo is what the county's worker page shows of a person's
// household (家庭户): its head (户主), its designations (监测对象 type,
// 零就业家庭) and how many people name it.
type HouseholdInfo struct {
	ID             string `json:"id"`
	HeadID         string `json:"worker_id"`
	HeadName       string `json:"head_name"`
	Village        string `json:"village"`
	MonitorType    string `json:"monitor_type"`
	ZeroEmployment bool   `json:"zero_employment"`
	Members        int    `json:"members"`
	Station        string `json:"station"`
}

// HouseholdOf reads the household worker w names (workers.household_id),
// or, when w names none, the one w heads; nil when neither.
func (h *Hub) HouseholdOf(ctx context.Context, w ident.ID) (*HouseholdInfo, error) {
	var hi HouseholdInfo
	var hid []byte
	var head, name, village, mon, station sql.NullString
	var zero sql.NullInt64
	err := h.rep.DB().QueryRowContext(ctx, `SELECT hh.id, hh.worker_id, hw.name, hh.village, hh.monitor_type, hh.zero_employment, hh.station
		FROM households hh LEFT JOIN workers hw ON hw.id = unhex(hh.worker_id) AND hw.fs_deleted = 0
		WHERE hh.fs_deleted = 0 AND (hh.id = (SELECT unhex(household_id) FROM workers WHERE id = ?1) OR hh.worker_id = ?2)
		ORDER BY hh.id = (SELECT unhex(household_id) FROM workers WHERE id = ?1) DESC LIMIT 1`, w[:], w.String()).
		Scan(&hid, &head, &name, &village, &mon, &zero, &station)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read household of %s: %w", w, err)
	}
	var id ident.ID
	copy(id[:], hid)
	hi = HouseholdInfo{ID: id.String(), HeadID: head.String, HeadName: name.String, Village: village.String,
		MonitorType: mon.String, ZeroEmployment: zero.Int64 != 0, Station: station.String}
	if err := h.rep.DB().QueryRowContext(ctx, `SELECT count(*) FROM workers WHERE household_id = ? AND fs_deleted = 0`,
		hi.ID).Scan(&hi.Members); err != nil {
		return nil, fmt.Errorf("count household members: %w", err)
	}
	return &hi, nil
}
