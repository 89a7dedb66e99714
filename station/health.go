package station

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Occupational health checks (职业健康体检) and the older workers (大龄劳动力)
// they matter most for: a person's latest check is written to the worker's
// own row (health_check_on, health_check_result) by SaveHealthCheck alone,
// never by the person's form (records.Worker.Columns leaves them out); the
// older workers' list shows when each one's check is due.

// SaveHealthCheck records worker's latest health check: both the date (not
// after the station's today) and the result, or neither (clearing it). It
// refuses, naming the field, a check that breaks records.HealthCheck's rules
// and a person the station does not hold.
func (s *Station) SaveHealthCheck(ctx context.Context, worker ident.ID, hc records.HealthCheck) error {
	if err := hc.ValidateOn(s.now()); err != nil {
		return err
	}
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		if _, err := workerInTx(ctx, tx, worker); err != nil {
			return err
		}
		if _, err := s.edit(ctx, tx, replica.Edit{Table: records.Workers, Row: worker, Set: hc.Columns()}); err != nil {
			return fmt.Errorf("save health check: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.written()
	return nil
}

// HealthCheckOf reads worker's latest health check (empty when none).
func (s *Station) HealthCheckOf(ctx context.Context, worker ident.ID) (records.HealthCheck, error) {
	var on, result sql.NullString
	err := s.r.DB().QueryRowContext(ctx, `SELECT health_check_on, health_check_result FROM workers
		WHERE id = ? AND fs_deleted = 0`, worker[:]).Scan(&on, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return records.HealthCheck{}, fmt.Errorf("worker %s: %w", worker, ErrNotFound)
	}
	if err != nil {
		return records.HealthCheck{}, fmt.Errorf("read health check: %w", err)
	}
	return records.HealthCheck{On: on.String, Result: result.String}, nil
}

// OlderWorker is one older worker of the station, with their latest health
// check and whether a new one is due (records.HealthCheckDue).
type OlderWorker struct {
	WorkerID string `json:"worker_id"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"` // full: mask before showing
	Sex      string `json:"sex"`
	Age      int    `json:"age"`
	Phone    string `json:"-"`
	records.HealthCheck
	Due bool `json:"health_check_due"`
}

// OlderWorkers lists the station's own people (not left) who are older
// workers today by the station's thresholds (Config.Older), by name; dueOnly
// keeps those whose health check is due. all counts the older workers, due
// those of them whose check is due.
func (s *Station) OlderWorkers(ctx context.Context, dueOnly bool) (list []OlderWorker, all, due int, err error) {
	now := s.now()
	// Born on or before these days (YYYYMMDD, a day of slack: Older below
	// decides) for each sex: the id number's birth date and sex digit let
	// SQLite skip the young without reading them into Go. A threshold of
	// 0 (the rule off for that sex) keeps nobody.
	born := func(years int) string {
		if years <= 0 {
			return ""
		}
		return now.AddDate(-years, 0, 1).Format("20060102")
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT id, name, id_number, phone, health_check_on, health_check_result
		FROM workers WHERE fs_deleted = 0 AND station = ? AND rowid NOT IN `+leftWorker+`
		AND (substr(id_number, 17, 1) IN ('1', '3', '5', '7', '9') AND substr(id_number, 7, 8) <= ?
			OR substr(id_number, 17, 1) IN ('0', '2', '4', '6', '8') AND substr(id_number, 7, 8) <= ?)
		ORDER BY name, id_number`, s.cfg.Name, born(s.cfg.Older.Male), born(s.cfg.Older.Female))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("list older workers: %w", err)
	}
	defer rows.Close()
	list = []OlderWorker{}
	for rows.Next() {
		var id []byte
		var name, idn, phone, on, result sql.NullString
		if err := rows.Scan(&id, &name, &idn, &phone, &on, &result); err != nil {
			return nil, 0, 0, fmt.Errorf("list older workers: %w", err)
		}
		if !s.cfg.Older.Older(idn.String, now) {
			continue
		}
		var wid ident.ID
		copy(wid[:], id)
		o := OlderWorker{WorkerID: wid.String(), Name: name.String, IDNumber: idn.String, Phone: phone.String,
			Age: records.Age(idn.String, now), Sex: "女",
			HealthCheck: records.HealthCheck{On: on.String, Result: result.String},
			Due:         records.HealthCheckDue(on.String, now)}
		if ident.Male(idn.String) {
			o.Sex = "男"
		}
		all++
		if o.Due {
			due++
		}
		if !dueOnly || o.Due {
			list = append(list, o)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, fmt.Errorf("list older workers: %w", err)
	}
	return list, all, due, nil
}
