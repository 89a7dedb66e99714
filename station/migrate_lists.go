package station

import (
	"context"
	"fmt"
	"strconv"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// The lists as the policy defines them (schema version 2): a month's status
// is 就业 or 失业 with willing_away, and 有意愿外出 is everyone flagged.
// Schema version 1 stored the third list as a status (list_type 有意愿外出).
// MigrateWillingLists rewrites this station's own rows of that shape, once,
// at startup after the upgrade: ordinary changes through the engine, so they
// sync and the county's report follows.
//
// Only the rows this station recorded (station = its name) are rewritten.
// A row another station recorded is that station's to rewrite when it is
// upgraded in turn; a station still on version 1 keeps writing the old
// shape, and rewriting its rows here or at the hub would fight it (each
// status it saves again would be turned back and forth). Every reader maps
// the old shape instead (records.StatusList), so both count the same. The
// hub rewrites nothing for the same reason.

// listsMigratedState records, in the replica's state, that the migration
// finished and how many rows it rewrote.
const listsMigratedState = "migrated:willing-lists"

// UpgradeUser is the entered_by of the changes an upgrade step writes.
const UpgradeUser = "系统升级"

// migrateBatch is how many rows one transaction of the migration rewrites:
// each batch commits rows, versions and log together, so a process killed
// in the middle leaves every row either old or new, and the next start
// rewrites what is left.
const migrateBatch = 500

// MigrateWillingLists rewrites this station's monthly statuses of the old
// third list (list_type 有意愿外出) as 失业 with willing_away = 1, in batches
// written like any edit, and records that it finished. It returns how many
// rows it rewrote: 0 once it has finished (it does not look again). It logs
// the count only.
func (s *Station) MigrateWillingLists(ctx context.Context) (int, error) {
	return s.migrateWillingLists(ctx, nil)
}

// migrateWillingLists is MigrateWillingLists; afterBatch, when set, is
// called after each committed batch and may stop the migration (tests).
func (s *Station) migrateWillingLists(ctx context.Context, afterBatch func(done int) error) (int, error) {
	if v, err := s.r.State(ctx, listsMigratedState); err != nil {
		return 0, fmt.Errorf("lists migration: %w", err)
	} else if v != nil {
		return 0, nil
	}
	ctx = WithUser(ctx, UpgradeUser)
	done := 0
	for {
		n, err := s.migrateWillingBatch(ctx)
		if err != nil {
			return done, fmt.Errorf("lists migration: %w", err)
		}
		done += n
		if n > 0 {
			s.written()
		}
		if n < migrateBatch {
			break
		}
		if afterBatch != nil {
			if err := afterBatch(done); err != nil {
				return done, err
			}
		}
	}
	if err := s.r.SetState(ctx, listsMigratedState, []byte(strconv.Itoa(done))); err != nil {
		return done, fmt.Errorf("lists migration: %w", err)
	}
	s.log.InfoContext(ctx, "monthly statuses of the old list 有意愿外出 rewritten as 失业 with willing_away",
		"rows", done)
	return done, nil
}

// migrateWillingBatch rewrites up to migrateBatch rows in one transaction.
func (s *Station) migrateWillingBatch(ctx context.Context) (int, error) {
	n := 0
	_, err := s.r.Update(ctx, func(tx *replica.Tx) error {
		n = 0
		rows, err := tx.Query(ctx, `SELECT id FROM monthly_status WHERE list_type = ? AND station = ? AND fs_deleted = 0
			LIMIT ?`, records.ListWillingAway, s.cfg.Name, migrateBatch)
		if err != nil {
			return err
		}
		var ids []ident.ID
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return err
			}
			var id ident.ID
			copy(id[:], b)
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := s.edit(ctx, tx, replica.Edit{Table: records.MonthlyStatus, Row: id, Set: []replica.ColumnValue{
				{Column: "list_type", Value: records.ListUnemployed}, {Column: "willing_away", Value: true}}}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}
