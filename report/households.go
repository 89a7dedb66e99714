package report

import (
	"context"
	"database/sql"
	"fmt"

	"fieldsync/records"
)

// HouseholdFigures count households (家庭户), not people: 零就业家庭 and
// 监测对象 are designations of a household. They are the households as
// recorded now (a household carries no month), whose head (户主) is
// registered and not deleted.
type HouseholdFigures struct {
	Households     int `json:"households"`
	ZeroEmployment int `json:"zero_employment"` // 零就业家庭
	Monitored      int `json:"monitored"`       // with a 监测对象 type
	// ByMonitorType counts the monitored households by type, in
	// records.MonitorTypes order (Key is the type).
	ByMonitorType []Bucket `json:"by_monitor_type"`
}

// queryHouseholds counts the households of the replica's database.
func queryHouseholds(ctx context.Context, db queryer) (HouseholdFigures, error) {
	f := HouseholdFigures{ByMonitorType: []Bucket{}}
	rows, err := db.QueryContext(ctx, `SELECT coalesce(h.monitor_type, ''), count(*), coalesce(sum(h.zero_employment != 0), 0)
		FROM households h JOIN workers w ON w.id = unhex(h.worker_id) AND w.fs_deleted = 0
		WHERE h.fs_deleted = 0 GROUP BY 1`)
	if err != nil {
		return f, fmt.Errorf("count households: %w", err)
	}
	defer rows.Close()
	byType := map[string]int{}
	for rows.Next() {
		var t string
		var n, z int
		if err := rows.Scan(&t, &n, &z); err != nil {
			return f, fmt.Errorf("count households: %w", err)
		}
		f.Households += n
		f.ZeroEmployment += z
		if t != "" {
			f.Monitored += n
			byType[t] += n
		}
	}
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("count households: %w", err)
	}
	for _, t := range records.MonitorTypes {
		f.ByMonitorType = append(f.ByMonitorType, Bucket{Key: t, Count: byType[t]})
	}
	return f, nil
}

// withHouseholds adds the household figures to f.
func withHouseholds(ctx context.Context, db *sql.DB, f *Figures) (*Figures, error) {
	err := withConn(ctx, db, func(q queryer) (err error) { f.Households, err = queryHouseholds(ctx, q); return })
	if err != nil {
		return nil, fmt.Errorf("figures %s: %w", f.Month, err)
	}
	return f, nil
}

// householdRows are the summary sheet's rows of the household figures.
func householdRows(f HouseholdFigures) [][]any {
	rows := [][]any{
		{"家庭户", "家庭户数", f.Households},
		{"家庭户", "零就业家庭户数", f.ZeroEmployment},
		{"家庭户", "监测对象户数", f.Monitored},
	}
	for _, b := range f.ByMonitorType {
		rows = append(rows, []any{"家庭户", "监测对象户·" + b.Key, b.Count})
	}
	return rows
}
