package benchkit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"fieldsync/hlc"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// measureDBSize: a station's database after a year of work (its workers
// registered, a status for every worker every month imported as one batch,
// follow-ups saved one at a time through the month), per worker, against
// the same rows in plain tables with the same indexes (no merge state, no
// log), after a WAL checkpoint. The year runs on a simulated clock, twice:
// once as a syncing station keeps it (the sync client trims the log rows the
// hub acknowledged once they are syncclient.DefaultLogRetention old, here at
// each month's end, everything taken as acknowledged), and once as a station
// that never trims (standalone, or never synced).
func measureDBSize(ctx context.Context, e *env) ([]Row, error) {
	n := e.sz.SizeWorkers
	schema, err := records.NewSchema()
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var simNow time.Time
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return simNow }
	setNow := func(t time.Time) { mu.Lock(); simNow = t; mu.Unlock() }
	now := time.Now()
	year := time.Date(now.Year()-1, now.Month(), 1, 9, 0, 0, 0, time.Local)
	setNow(year)
	type station struct {
		path string
		rep  *replica.Replica
	}
	var sts [2]station // 0 trims as the sync client does, 1 never
	for i := range sts {
		sts[i].path = e.path("size-station.db")
		sts[i].rep, err = replica.Open(ctx, sts[i].path, replica.Options{Schema: schema, Key: e.key, Synchronous: "NORMAL",
			Indexes: records.StationIndexes(), Clock: hlc.NewClock(clock)})
		if err != nil {
			return nil, fmt.Errorf("open station replica: %w", err)
		}
		defer sts[i].rep.Close()
	}
	plainPath := e.path("size-plain.db")
	plain, err := openPlain(ctx, plainPath, schema, "NORMAL", true, records.StationIndexes())
	if err != nil {
		return nil, err
	}
	defer plain.Close()
	write := func(edits []replica.Edit, batch int) error {
		for _, st := range sts {
			if err := writeBatches(ctx, st.rep, edits, batch); err != nil {
				return err
			}
		}
		for i := 0; i < len(edits); i += txRows {
			if err := plain.insert(ctx, edits[i:min(i+txRows, len(edits))]); err != nil {
				return err
			}
		}
		return nil
	}
	workers := sample.Workers(n, 6, e.key, "s1")
	if err := write(workers, txRows); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(6, 6))
	rows, trimmedChanges := len(workers), 0
	for m := range 12 {
		first := year.AddDate(0, m, 0)
		month := first.Format("2006-01")
		// Follow-ups through the month, one transaction each.
		fus := followupEdits(rng, workers, n*e.sz.SizeFollowups/12, first, 27)
		for k, f := range fus {
			setNow(first.Add(time.Duration(k) * 27 * 24 * time.Hour / time.Duration(len(fus))))
			if err := write([]replica.Edit{f}, 1); err != nil {
				return nil, err
			}
		}
		rows += len(fus)
		// The month's statuses, imported at its end.
		setNow(first.AddDate(0, 0, 27))
		var stEdits []replica.Edit
		for i, wk := range workers {
			st := records.MonthStatus{WorkerID: wk.Row.String(), Month: month, ListType: records.ListTypes[rng.IntN(3)],
				VerifiedByMethod: records.VerifyMethods[rng.IntN(3)], VerifiedBy: "张三", VerifiedAt: month + fmt.Sprintf("-%02d", 1+i%27)}
			if st.ListType == records.ListEmployed {
				st.WorkScope, st.EmploymentForm, st.MonthlyIncome = records.WorkScopes[rng.IntN(4)], records.EmploymentForms[rng.IntN(5)], records.Income(float64(rng.IntN(80))*100)
				st.Place, st.Industry = sample.Village(rng.IntN(50)), "建筑业"
			}
			stEdits = append(stEdits, replica.Edit{Table: records.MonthlyStatus, Row: st.ID(e.key), Set: st.Columns()})
		}
		if err := write(stEdits, txRows); err != nil {
			return nil, err
		}
		rows += len(stEdits)
		// The sync client's trim, everything being acknowledged.
		last, err := sts[0].rep.MaxSeq(ctx)
		if err != nil {
			return nil, err
		}
		k, err := sts[0].rep.TrimLog(ctx, last, clock().Add(-syncclient.DefaultLogRetention))
		if err != nil {
			return nil, err
		}
		trimmedChanges += k
	}
	var sizes [2]int64
	for i, st := range sts {
		if sizes[i], err = fileSize(ctx, st.rep, st.path); err != nil {
			return nil, err
		}
	}
	if _, err := plain.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return nil, fmt.Errorf("checkpoint plain: %w", err)
	}
	fi, err := os.Stat(plainPath)
	if err != nil {
		return nil, err
	}
	plainSize := fi.Size()
	inUse, free, autoVacuum, err := pagesInUse(ctx, sts[0].rep)
	if err != nil {
		return nil, err
	}
	per := func(b int64) float64 { return float64(b) / float64(n) }
	note := fmt.Sprintf("%d workers, 12 statuses and %d follow-ups each, %d rows; station page indexes on both sides; ", n, e.sz.SizeFollowups, rows)
	return []Row{
		{ID: "dbsize", What: "station database per worker after a year (log trimmed after 90 days, as the sync client does)", Figure: per(sizes[0]), Unit: "B/worker",
			Limit: per(plainSize), LimitUnit: "B/worker plain tables", Ratio: float64(sizes[0]) / float64(plainSize), Target: atMost(2),
			Note: note + fmt.Sprintf("%d changes trimmed over the year; pages in use %.0f B/worker (%d pages free in the file: auto_vacuum=%d, so trimming never shrinks it); ",
				trimmedChanges, per(inUse), free, autoVacuum) + tableSizes(ctx, sts[0].rep, n)},
		{ID: "dbsize-untrimmed", What: "the same, a station that never trims (standalone or never synced)", Figure: per(sizes[1]), Unit: "B/worker",
			Limit: per(plainSize), LimitUnit: "B/worker plain tables", Ratio: float64(sizes[1]) / float64(plainSize), Target: atMost(2),
			Note: tableSizes(ctx, sts[1].rep, n)},
	}, nil
}

// pagesInUse is the bytes of a database's pages that hold data, its free
// pages and its auto_vacuum mode.
func pagesInUse(ctx context.Context, r *replica.Replica) (inUse, free, autoVacuum int64, err error) {
	var pageSize, pages int64
	for q, v := range map[string]*int64{"auto_vacuum": &autoVacuum, "page_size": &pageSize, "page_count": &pages, "freelist_count": &free} {
		if err := r.DB().QueryRowContext(ctx, "PRAGMA "+q).Scan(v); err != nil {
			return 0, 0, 0, fmt.Errorf("pragma %s: %w", q, err)
		}
	}
	return (pages - free) * pageSize, free, autoVacuum, nil
}

// tableSizes says what the merge state and the log hold, in bytes per
// worker: the payload of fs_meta in each table and of the log's bodies
// (SQLite's dbstat, which would give pages, is not compiled in).
func tableSizes(ctx context.Context, r *replica.Replica, workers int) string {
	out := "payload per worker:"
	for _, t := range []string{records.Workers, records.MonthlyStatus, records.Followups} {
		var meta, rows int64
		if err := r.DB().QueryRowContext(ctx, `SELECT coalesce(sum(length(`+replica.MetaColumn+`)), 0), count(*) FROM `+t).Scan(&meta, &rows); err != nil {
			return out + " " + err.Error()
		}
		out += fmt.Sprintf(" %s fs_meta %.0f B;", t, float64(meta)/float64(workers))
	}
	var body, n int64
	if err := r.DB().QueryRowContext(ctx, `SELECT coalesce(sum(length(body)), 0), count(*) FROM fs_log`).Scan(&body, &n); err != nil {
		return out + " " + err.Error()
	}
	return out + fmt.Sprintf(" fs_log bodies %.0f B (%d log rows)", float64(body)/float64(workers), n)
}
