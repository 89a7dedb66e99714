package report

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
)

// The people sheets (the three lists and the ledger) are written from one
// roster: every worker read once, joined in memory with the month's statuses
// read once, sorted once, and filtered per sheet. The rules are the ones
// peopleFrom and scanPeople apply in SQL (People's drill-down still uses
// those): a worker's status is the month's row with the greatest
// coalesce(verified_at, '') || char(1) || hex(id); a status belongs to the
// worker whose lower(hex(id)) is its worker_id; rows are ordered by
// coalesce(residence_village, ''), name (NULL first, then bytewise, as
// SQLite's BINARY collation) and id.

// roster is the month's workers, in sheet order, with their status.
type roster struct {
	people []rosterPerson
	status []rosterStatus
}

// rosterPerson is one worker row (not deleted).
type rosterPerson struct {
	id          string // lower-case hex
	name        string
	nameNull    bool
	idNumber    string // as stored (masked when a row is built)
	village     string
	tags        string // JSON text
	monitorType string
	older       bool
	inGroups    bool
	status      int32 // index in roster.status; -1: none this month
	villageRank int32 // order of village among the roster's villages
}

// rosterStatus is the columns of a status the sheets show.
type rosterStatus struct {
	list, scope, place, industry, form string
	income                             float64
	method, by, at                     string
}

// ledgerFacts are a ledger person's follow-ups (ledgerCols' columns).
type ledgerFacts struct {
	month, six int
	last       string // JSON array: date, method, service type, outcome; "[]" none
}

// loadRoster reads the workers and the month's statuses on one connection.
func loadRoster(ctx context.Context, db *sql.DB, p period, opt Options) (*roster, error) {
	r := &roster{}
	err := withConn(ctx, db, func(q queryer) error {
		byWorker, err := readMonthStatuses(ctx, q, r, p)
		if err != nil {
			return err
		}
		return readRosterWorkers(ctx, q, r, p, opt, byWorker)
	})
	if err != nil {
		return nil, err
	}
	r.sort()
	return r, nil
}

// readMonthStatuses reads every status row of the month (from the hub's
// index on month) and keeps, per worker id, the one statusOf picks.
func readMonthStatuses(ctx context.Context, q queryer, r *roster, p period) (map[string]int32, error) {
	rows, err := q.QueryContext(ctx, `SELECT worker_id, coalesce(list_type, ''), coalesce(work_scope, ''),
		coalesce(place, ''), coalesce(industry, ''), coalesce(employment_form, ''), coalesce(monthly_income, 0),
		coalesce(verified_by_method, ''), coalesce(verified_by, ''), coalesce(verified_at, ''),
		coalesce(verified_at, '') || char(1) || hex(id)
		FROM monthly_status WHERE month = :month AND fs_deleted = 0 AND worker_id IS NOT NULL`,
		sql.Named("month", p.Month))
	if err != nil {
		return nil, fmt.Errorf("read statuses: %w", err)
	}
	defer rows.Close()
	byWorker := map[string]int32{}
	var keys []string
	var w, key string
	var s rosterStatus
	for rows.Next() {
		if err := rows.Scan(&w, &s.list, &s.scope, &s.place, &s.industry, &s.form, &s.income, &s.method, &s.by,
			&s.at, &key); err != nil {
			return nil, fmt.Errorf("read statuses: %w", err)
		}
		if i, ok := byWorker[w]; ok {
			if key > keys[i] {
				r.status[i], keys[i] = s, key
			}
			continue
		}
		byWorker[w] = int32(len(r.status))
		r.status = append(r.status, s)
		keys = append(keys, key)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read statuses: %w", err)
	}
	return byWorker, nil
}

// readRosterWorkers reads every worker not deleted and joins their status.
func readRosterWorkers(ctx context.Context, q queryer, r *roster, p period, opt Options,
	byWorker map[string]int32) error {
	rows, err := q.QueryContext(ctx, `SELECT lower(hex(w.id)), w.name IS NULL, coalesce(w.name, ''),
		coalesce(w.id_number, ''), `+villageExpr+`, coalesce(w.tags, '[]'), coalesce(w.monitor_type, ''),
		`+olderExpr+`, `+inGroupsExpr+` FROM workers w WHERE +w.fs_deleted = 0`, p.args(opt)...)
	if err != nil {
		return fmt.Errorf("read people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x rosterPerson
		if err := rows.Scan(&x.id, &x.nameNull, &x.name, &x.idNumber, &x.village, &x.tags, &x.monitorType,
			&x.older, &x.inGroups); err != nil {
			return fmt.Errorf("read people: %w", err)
		}
		x.status = -1
		if i, ok := byWorker[x.id]; ok {
			x.status = i
		}
		r.people = append(r.people, x)
		if len(r.people)%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read people: %w", err)
	}
	return nil
}

// sort orders the people by village, name (NULL first) and id, comparing
// villages by a precomputed rank.
func (r *roster) sort() {
	rank := map[string]int32{}
	var villages []string
	for i := range r.people {
		if _, ok := rank[r.people[i].village]; !ok {
			rank[r.people[i].village] = 0
			villages = append(villages, r.people[i].village)
		}
	}
	slices.Sort(villages)
	for i, v := range villages {
		rank[v] = int32(i)
	}
	for i := range r.people {
		r.people[i].villageRank = rank[r.people[i].village]
	}
	slices.SortFunc(r.people, func(a, b rosterPerson) int {
		if c := cmp.Compare(a.villageRank, b.villageRank); c != 0 {
			return c
		}
		if a.nameNull != b.nameNull {
			if a.nameNull {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		// Hex of the id blob orders as the blob does.
		return strings.Compare(a.id, b.id)
	})
}

// loadLedgerFacts reads the follow-up columns of every person of either
// group: one pass over the workers without sorting, each an index look-up.
func loadLedgerFacts(ctx context.Context, db *sql.DB, p period, opt Options) (map[string]ledgerFacts, error) {
	out := map[string]ledgerFacts{}
	err := withConn(ctx, db, func(q queryer) error {
		// Both counts from one range of the (worker_id, date) index: the month
		// lies within the six months, which end with it.
		rows, err := q.QueryContext(ctx, `SELECT lower(hex(w.id)),
			(SELECT count(*) | (coalesce(sum(f.date >= :first), 0) << 32) FROM followups f
				WHERE f.worker_id = lower(hex(w.id)) AND f.date >= :six_first AND f.date <= :last AND f.fs_deleted = 0),
			coalesce((SELECT json_array(f.date, coalesce(f.method, ''), coalesce(f.service_type, ''),
				coalesce(f.outcome, '')) FROM followups f WHERE f.worker_id = lower(hex(w.id)) AND f.date <= :last
				AND f.fs_deleted = 0 ORDER BY f.date DESC, f.id DESC LIMIT 1), '[]')
			FROM workers w WHERE +w.fs_deleted = 0 AND `+inGroupsExpr, p.args(opt)...)
		if err != nil {
			return fmt.Errorf("read follow-ups: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var counts int64
			var l ledgerFacts
			if err := rows.Scan(&id, &counts, &l.last); err != nil {
				return fmt.Errorf("read follow-ups: %w", err)
			}
			l.six, l.month = int(counts&(1<<32-1)), int(counts>>32)
			out[id] = l
			if len(out)%8192 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read follow-ups: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// person builds the Person scanPeople would for x (ledger columns from l
// when given).
func (r *roster) person(x *rosterPerson, end time.Time, unmasked bool, l *ledgerFacts) Person {
	p := Person{ID: x.id, Name: x.name, IDNumber: x.idNumber, Village: x.village, MonitorType: x.monitorType,
		Older: x.older}
	if x.status >= 0 {
		s := &r.status[x.status]
		p.List, p.WorkScope, p.Place, p.Industry, p.EmploymentForm = s.list, s.scope, s.place, s.industry, s.form
		p.MonthlyIncome, p.VerifiedByMethod, p.VerifiedBy, p.VerifiedAt = s.income, s.method, s.by, s.at
	}
	if err := json.Unmarshal([]byte(x.tags), &p.Tags); err != nil {
		p.Tags = nil
	}
	if l != nil {
		p.FollowupsMonth, p.FollowupsSix = l.month, l.six
		var v []string
		if json.Unmarshal([]byte(l.last), &v) == nil && len(v) == 4 {
			p.LastFollowup, p.LastMethod, p.LastService, p.LastOutcome = v[0], v[1], v[2], v[3]
		}
	}
	p.Township = township(p.Village)
	p.Age = records.Age(p.IDNumber, end)
	p.Sex = "女"
	if ident.Male(p.IDNumber) {
		p.Sex = "男"
	}
	if !unmasked {
		p.IDNumber = records.MaskIDNumber(p.IDNumber)
	}
	return p
}

// peopleData loads, once per workbook, the roster and the ledger's
// follow-ups; the two load concurrently on two connections.
type peopleData struct {
	rosterOnce sync.Once
	roster     *roster
	rosterErr  error

	ledgerOnce sync.Once
	ledger     map[string]ledgerFacts
	ledgerErr  error
}

func (b *workbook) roster(ctx context.Context) (*roster, error) {
	b.people.rosterOnce.Do(func() {
		p, err := parsePeriod(b.month)
		if err != nil {
			b.people.rosterErr = err
			return
		}
		b.people.roster, b.people.rosterErr = loadRoster(ctx, b.db, p, b.opt)
	})
	return b.people.roster, b.people.rosterErr
}

func (b *workbook) ledgerFacts(ctx context.Context) (map[string]ledgerFacts, error) {
	b.people.ledgerOnce.Do(func() {
		p, err := parsePeriod(b.month)
		if err != nil {
			b.people.ledgerErr = err
			return
		}
		b.people.ledger, b.people.ledgerErr = loadLedgerFacts(ctx, b.db, p, b.opt)
	})
	return b.people.ledger, b.people.ledgerErr
}

// monthEnd is the last day of the workbook's month (ages are taken then).
func (b *workbook) monthEnd() time.Time {
	t, _ := time.Parse(records.MonthLayout, b.month)
	return t.AddDate(0, 1, -1)
}
