package station

import (
	"context"
	"fmt"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// Start-up support at a station (返乡入乡创业): the county's expert roster
// (创业服务专家队伍, county-wide), a person's start-ups and the support each
// got. They are written through SaveProgramme like every programme row and
// read through LabourRows / LabourRow (their lists are added here); the rule
// needing other rows (a support's start-up is the same person's) runs in the
// write's transaction.

func init() {
	programmeChecks[records.StartupSupport] = append(programmeChecks[records.StartupSupport], checkSupportStartupOwner)
	for table, sel := range map[string]struct{ sel, order string }{
		records.Experts: {`SELECT t.*,
			(SELECT count(*) FROM startup_support g WHERE g.expert_id = lower(hex(t.id)) AND g.fs_deleted = 0) AS guidance
			FROM experts t`, `t.name, t.id`},
		records.Startups: {`SELECT t.*, w.name AS worker_name, w.id_number AS worker_id_number,
			(SELECT count(*) FROM startup_support g WHERE g.startup_id = lower(hex(t.id)) AND g.fs_deleted = 0) AS support_count
			FROM startups t JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0`, `t.started_on DESC, t.id`},
		records.StartupSupport: {`SELECT t.*, w.name AS worker_name, w.id_number AS worker_id_number,
			b.business AS business, x.name AS expert_name
			FROM startup_support t JOIN workers w ON w.id = unhex(t.worker_id) AND w.fs_deleted = 0
			LEFT JOIN startups b ON b.id = unhex(t.startup_id) AND b.fs_deleted = 0
			LEFT JOIN experts x ON x.id = unhex(t.expert_id) AND x.fs_deleted = 0`, `t.start_on DESC, t.id`},
	} {
		labourSelect[table] = sel
	}
	labourFilters[records.Startups] = []string{"worker_id"}
	labourFilters[records.StartupSupport] = []string{"worker_id"}
}

// checkSupportStartupOwner refuses (startup_id) support naming a start-up of
// another person: the support a person got serves that person's business.
func checkSupportStartupOwner(ctx context.Context, _ *Station, tx *replica.Tx, _ ident.ID, rec ProgrammeRecord) error {
	sp, ok := rec.(*records.Support)
	if !ok {
		return fmt.Errorf("start-up support: unexpected record %T", rec)
	}
	if sp.StartupID == "" {
		return nil
	}
	sid, err := ident.ParseID(sp.StartupID)
	if err != nil {
		return &records.FieldError{Field: "startup_id", Key: records.KeyNoProgrammeRow}
	}
	row, err := tx.Row(ctx, records.Startups, sid)
	if err != nil {
		return fmt.Errorf("start-up support: read the start-up: %w", err)
	}
	if row == nil || row[replica.DeletedColumn] == int64(1) {
		return &records.FieldError{Field: "startup_id", Key: records.KeyNoProgrammeRow}
	}
	owner, err := ident.ParseID(str(row["worker_id"]))
	if err != nil || owner.String() != sp.WorkerID {
		return &records.FieldError{Field: "startup_id", Key: records.KeyOtherPerson}
	}
	return nil
}
