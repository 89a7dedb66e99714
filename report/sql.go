package report

import (
	"database/sql"
	"fmt"
	"strings"
)

// The SQL the figures and the report share. Every domain row counts only when
// fs_deleted = 0; a status or follow-up only when not void (void_reason IS
// NULL), a worker only when they have not left the lists (left_reason IS
// NULL): both stay in the history, out of every figure and roster. Rows of other tables name a worker or gig by its id as
// lower-case hex (ident.ID.String), so joins compare lower(hex(id)) with the
// text column (which uses its index) or unhex(text) with id.

// statusOf selects each worker's status for the month in parameter param:
// the row for that month, or when there are several (two stations recorded the
// same month under different ids), the one with the latest verified_at, then
// the greatest id.
func statusOf(param string) string {
	// With one aggregate, max(), SQLite takes the other columns from the row
	// holding the maximum. verified_at is a date (fixed width); char(1) sorts
	// below every character, so the key orders as (verified_at, id).
	return `SELECT worker_id, list_type, work_scope, place, industry, employment_form,
	monthly_income, verified_by_method, verified_by, verified_at, willing_away,
	max(coalesce(verified_at, '') || char(1) || hex(id)) AS latest
	FROM monthly_status WHERE month = :` + param + ` AND fs_deleted = 0 AND void_reason IS NULL GROUP BY worker_id`
}

// statusCounted is statusOf with only the columns the figures count, which
// an index on (month, fs_deleted, worker_id, verified_at, id, list_type,
// work_scope, employment_form, monthly_income) covers.
func statusCounted(param string) string {
	return `SELECT worker_id, list_type, work_scope, employment_form, monthly_income, willing_away,
	` + unverifiedExpr + ` AS unverified, max(coalesce(verified_at, '') || char(1) || hex(id)) AS latest
	FROM monthly_status WHERE month = :` + param + ` AND fs_deleted = 0 AND void_reason IS NULL GROUP BY worker_id`
}

// statusOfMonth is statusOf the month of the figures.
var statusOfMonth = statusOf("month")

// Expressions over a worker row w.
const (
	villageExpr   = `coalesce(w.residence_village, '')`
	povertyExpr   = `(coalesce(instr(w.tags, '"脱贫人口"'), 0) > 0)`
	monitoredExpr = `(coalesce(instr(w.tags, '"防止返贫监测对象"'), 0) > 0)`
	inGroupsExpr  = `(` + povertyExpr + ` OR ` + monitoredExpr + `)`
	maleExpr      = `(coalesce(substr(w.id_number, 17, 1), '') IN ('1', '3', '5', '7', '9'))`
	// olderExpr applies the configured thresholds as
	// records.OlderThresholds.Older does, on the month's last day: a person is
	// at least T years old then exactly when the birth date in the id number
	// (YYYYMMDD) is not after the cutoff (that year − T, same month and day).
	// :older_male_cut and :older_female_cut are the cutoffs; '' (threshold 0)
	// matches no one.
	olderExpr = `(coalesce(length(w.id_number), 0) = 18 AND substr(w.id_number, 7, 8) <= CASE WHEN ` + maleExpr +
		` THEN :older_male_cut ELSE :older_female_cut END)`
)

// bandExpr returns the income band index (0 … len(bounds)) of column col,
// or len(bounds)+1 (noIncomeBand) when it is NULL: not entered, in no band.
func bandExpr(col string, bounds []float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "(CASE WHEN %s IS NULL THEN %d", col, noIncomeBand(bounds))
	for i, x := range bounds {
		fmt.Fprintf(&b, " WHEN coalesce(%s, 0) < %g THEN %d", col, x, i)
	}
	fmt.Fprintf(&b, " ELSE %d END)", len(bounds))
	return b.String()
}

// postedDayExpr is the day (YYYY-MM-DD, in the zone :tz_offset seconds east
// of UTC) of the millisecond stamp held in the first 48 bits of a
// time-ordered id (ident.NewTimeOrdered).
func postedDayExpr(idCol string) string {
	var b strings.Builder
	b.WriteString("date((0")
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, " + (instr('0123456789ABCDEF', substr(hex(%s), %d, 1)) - 1) * %d", idCol, i, int64(1)<<(4*(12-i)))
	}
	b.WriteString(") / 1000 + :tz_offset, 'unixepoch')")
	return b.String()
}

// args are the named parameters of a period and options.
func (p period) args(o Options) []any {
	_, off := p.FirstTime.In(o.Location).Zone()
	return []any{
		sql.Named("month", p.Month), sql.Named("prev", p.Prev),
		sql.Named("first", p.First), sql.Named("last", p.Last), sql.Named("six_first", p.SixFirst),
		sql.Named("older_male_cut", p.cutoff(o.Older.Male)), sql.Named("older_female_cut", p.cutoff(o.Older.Female)),
		sql.Named("tz_offset", off),
	}
}

// township is the township code of a village code: its first 9 digits.
func township(village string) string {
	if len(village) >= 9 {
		return village[:9]
	}
	return village
}

// cutoff is the latest birth date (YYYYMMDD) of a person at least age years
// old on the month's last day; "" when age is 0 (the rule is off).
func (p period) cutoff(age int) string {
	if age <= 0 {
		return ""
	}
	return fmt.Sprintf("%04d%s", p.EndYear-age, p.EndMMDD)
}
