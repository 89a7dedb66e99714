package station

import (
	"context"
	"fmt"

	"fieldsync/ident"
	"fieldsync/records"
)

// Recruitment events (招聘会, 76号 (九)(十二)) at a station: county-wide rows
// written through SaveProgramme and read through LabourRows / LabourRow
// (with the count of postings naming them); a fair's postings are the gigs
// and regular jobs naming it (job_fair_id).

func init() {
	labourSelect[records.JobFairs] = struct{ sel, order string }{`SELECT t.*,
		(SELECT count(*) FROM gigs g WHERE g.job_fair_id IN (lower(hex(t.id)), upper(hex(t.id))) AND g.fs_deleted = 0)
			AS posted
		FROM job_fairs t`, `t.held_on DESC, t.id`}
}

// JobFairPostings lists the postings (gigs and regular jobs) naming the job
// fair id, by title, as column maps: each with its kind (零工 when not
// given), whether it suits older workers, pay, headcount and status.
func (s *Station) JobFairPostings(ctx context.Context, fair ident.ID) ([]map[string]any, error) {
	rows, err := s.r.DB().QueryContext(ctx, `SELECT lower(hex(g.id)) AS id, g.title, g.occupation,
		coalesce(nullif(g.kind, ''), ?) AS kind, coalesce(g.suits_older, 0) AS suits_older, g.wage, g.wage_unit,
		g.settlement, g.headcount, g.employer, g.status, g.station
		FROM gigs g WHERE g.job_fair_id IN (?, ?) AND g.fs_deleted = 0 ORDER BY g.title, g.id`,
		append([]any{records.GigKindCasual}, hexIDForms(fair.String())...)...)
	if err != nil {
		return nil, fmt.Errorf("list the fair's postings: %w", err)
	}
	out, err := rowMaps(rows)
	if err != nil {
		return nil, fmt.Errorf("list the fair's postings: %w", err)
	}
	return out, nil
}
