package station

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
)

// Due follow-ups (到期待跟进): the station's own people whose latest
// follow-up set a next date that has come, most overdue first.

// MaxDueWithin bounds how many days ahead DueFollowups looks.
const MaxDueWithin = 90

// DuePerson is one person due for a follow-up.
type DuePerson struct {
	WorkerID string `json:"worker_id"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	// Due is the next date the person's latest follow-up set.
	Due string `json:"due"`
	// DaysOverdue is how many days Due lies before the day asked about:
	// 0 due that day, negative not yet due.
	DaysOverdue int `json:"days_overdue"`
	// LastAt and LastMethod are the latest follow-up's date and method.
	LastAt     string `json:"last_at"`
	LastMethod string `json:"last_method"`
}

// latestFollowups is, for each person of station ?2, the latest follow-up
// (by its date; of two on the same day, the one SQLite's max() picks) when it
// set a next date on or before ?1. The home page's count and the list read
// the same rows. One pass over the follow-ups grouped on their index
// (worker_id, date), its other columns from the row max() picks: a window
// over every follow-up took SQLite 36 s at 100,000 people, a probe per
// person 1 s. HAVING keeps only the due groups (the bare columns are
// those of max()'s row there too), so that only they are joined to their
// workers; the follow-ups index (records.StationIndexes) covers the pass.
const latestFollowups = `SELECT w.id, w.name, w.phone, f.date, f.method, f.next_due
FROM (SELECT worker_id, max(date) AS date, method, next_due FROM followups WHERE fs_deleted = 0 AND void_reason IS NULL GROUP BY worker_id
      HAVING coalesce(next_due, '') != '' AND next_due <= ?1) f
JOIN workers w ON w.id = unhex(f.worker_id)
WHERE w.fs_deleted = 0 AND w.station = ?2 AND w.left_reason IS NULL`

// DueFollowups lists the station's own people (not deleted, registered
// here) whose latest follow-up's next date is at most within days
// (0..MaxDueWithin) after asOf (YYYY-MM-DD): most overdue first, then by name.
// A later follow-up without a next date, or with one further off, takes the
// person off the list whatever earlier ones said.
func (s *Station) DueFollowups(ctx context.Context, asOf string, within int) ([]DuePerson, error) {
	day, err := time.Parse(records.DateLayout, asOf)
	if err != nil {
		return nil, &records.FieldError{Field: "as_of", Key: records.KeyDate}
	}
	if within < 0 || within > MaxDueWithin {
		return nil, &records.FieldError{Field: "within", Key: records.KeyBadValue}
	}
	until := day.AddDate(0, 0, within).Format(records.DateLayout)
	rows, err := s.r.DB().QueryContext(ctx, latestFollowups+` ORDER BY f.next_due, w.name, w.id`, until, s.cfg.Name)
	if err != nil {
		return nil, fmt.Errorf("read due follow-ups: %w", err)
	}
	defer rows.Close()
	out := []DuePerson{}
	for rows.Next() {
		var id []byte
		var name, phone, at, method, due sql.NullString
		if err := rows.Scan(&id, &name, &phone, &at, &method, &due); err != nil {
			return nil, fmt.Errorf("read due follow-ups: %w", err)
		}
		var wid ident.ID
		copy(wid[:], id)
		p := DuePerson{WorkerID: wid.String(), Name: name.String, Phone: phone.String, Due: due.String,
			LastAt: at.String, LastMethod: method.String}
		if d, err := time.Parse(records.DateLayout, due.String); err == nil {
			p.DaysOverdue = int(day.Sub(d).Hours() / 24)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read due follow-ups: %w", err)
	}
	return out, nil
}

// countDueFollowups counts DueFollowups(asOf, 0) without reading it.
func (s *Station) countDueFollowups(ctx context.Context, asOf string) (int, error) {
	var n int
	err := s.r.DB().QueryRowContext(ctx, `SELECT count(*) FROM (`+latestFollowups+`)`, asOf, s.cfg.Name).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count due follow-ups: %w", err)
	}
	return n, nil
}
