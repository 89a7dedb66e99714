package report

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
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
	village     string // interned
	tags        *rosterTags
	monitorType string // interned
	older       bool
	inGroups    bool
	status      int32 // index in roster.status; -1: none this month
	villageRank int32 // order of village among the roster's villages
}

// rosterTags is what the sheets need of one distinct tags value (JSON
// text): the tags as scanPeople parses them, joined as the sheets show them,
// and whether they put the person in either group (inGroupsExpr).
type rosterTags struct {
	tags               []string // shared: never modified
	text               string
	poverty, monitored bool // povertyExpr, monitoredExpr
	inGroups           bool
}

// rosterStatus is the columns of a status the sheets show (the text ones
// interned).
type rosterStatus struct {
	list, scope, place, industry, form string  // list as it counts (records.StatusList)
	willing                            bool    // on 有意愿外出
	income                             float64 // NaN: not entered (incomeOf)
	method, by, at                     string
}

// ledgerFacts are a ledger person's follow-ups (ledgerCols' columns).
type ledgerFacts struct {
	month, six                     int
	date, method, service, outcome string // the latest follow-up; "" none
}

// interner keeps one copy of each distinct value of a low-cardinality text
// column, so that the roster holds a few strings instead of one per row.
// Past maxInterned values it stops adding (a column that turns out to be
// free text): the rest are kept as they are.
type interner map[string]string

const maxInterned = 1 << 12

func (in interner) of(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	if len(in) < maxInterned {
		in[s] = s
	}
	return s
}

// loadRoster reads the workers and the month's statuses, each on a
// connection of its own, and joins them.
func loadRoster(ctx context.Context, db *sql.DB, p period, opt Options) (*roster, error) {
	r := &roster{}
	var statusOf []string // worker id of each r.status, ascending
	var byID []int32      // r.people's indexes in the order of their ids
	err := parallel(ctx,
		func(ctx context.Context) error {
			return withConn(ctx, db, func(q queryer) (err error) {
				statusOf, err = readMonthStatuses(ctx, q, r, p)
				return err
			})
		},
		func(ctx context.Context) error {
			err := withConn(ctx, db, func(q queryer) error { return readRosterWorkers(ctx, q, r, p, opt) })
			if err != nil {
				return err
			}
			// While the statuses are read: the sheets' order, and the
			// order of the ids to join the statuses in.
			r.sort()
			byID = make([]int32, len(r.people))
			for i := range byID {
				byID[i] = int32(i)
			}
			slices.SortFunc(byID, func(a, b int32) int { return strings.Compare(r.people[a].id, r.people[b].id) })
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Both sides in the order of the ids: one merge.
	k := 0
	for _, i := range byID {
		x := &r.people[i]
		for k < len(statusOf) && statusOf[k] < x.id {
			k++
		}
		x.status = -1
		if k < len(statusOf) && statusOf[k] == x.id {
			x.status = int32(k)
		}
	}
	return r, nil
}

// readMonthStatuses reads every status row of the month (from the hub's
// index on month, in the order of worker_id) and keeps, per worker id, the
// one statusOf picks. It returns the worker ids of r.status, in order.
func readMonthStatuses(ctx context.Context, q queryer, r *roster, p period) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT worker_id, list_type, work_scope, place, industry, employment_form,
		monthly_income, verified_by_method, verified_by, verified_at, id, willing_away
		FROM monthly_status WHERE month = :month AND fs_deleted = 0 AND void_reason IS NULL AND worker_id IS NOT NULL
		ORDER BY worker_id`,
		sql.Named("month", p.Month))
	if err != nil {
		return nil, fmt.Errorf("read statuses: %w", err)
	}
	defer rows.Close()
	var (
		workers                                            []string
		w                                                  string
		list, scope, place, industry, form, method, by, at sql.NullString
		id                                                 sql.RawBytes
		income                                             sql.NullFloat64
		willing                                            sql.NullInt64
		keptID                                             []byte
		s                                                  rosterStatus
	)
	in := interner{}
	for rows.Next() {
		if err := rows.Scan(&w, &list, &scope, &place, &industry, &form, &income, &method, &by, &at,
			&id, &willing); err != nil {
			return nil, fmt.Errorf("read statuses: %w", err)
		}
		s.income = incomeOf(income)
		// As it counts: a version 1 row's 有意愿外出 is 失业 and flagged.
		l, flagged := records.StatusList(list.String, willing.Int64 == 1)
		if l == "" {
			l = list.String
		}
		s.willing = flagged
		s.list, s.scope, s.place, s.industry = in.of(l), in.of(scope.String), in.of(place.String),
			in.of(industry.String)
		s.form, s.method, s.by, s.at = in.of(form.String), in.of(method.String), in.of(by.String), in.of(at.String)
		// A worker's statuses are adjacent: the latest one is kept, with
		// its id (keptID), compared with any further one.
		if n := len(workers); n > 0 && workers[n-1] == w {
			if latestKey(s.at, id) > latestKey(r.status[n-1].at, keptID) {
				r.status[n-1] = s
				keptID = append(keptID[:0], id...)
			}
			continue
		}
		workers = append(workers, w)
		r.status = append(r.status, s)
		keptID = append(keptID[:0], id...)
		if len(workers)%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read statuses: %w", err)
	}
	return workers, nil
}

// latestKey is statusOf's ordering key of a status verified at at (empty
// for NULL) with row id id: at, char(1), then hex(id) in upper case.
func latestKey(at string, id []byte) string {
	return at + "\x01" + strings.ToUpper(hex.EncodeToString(id))
}

// readRosterWorkers reads every worker not deleted. The expressions the
// queries apply to a worker row (lower(hex(id)), villageExpr, olderExpr,
// inGroupsExpr) are applied here in Go, to the bare columns: in SQL they
// cost SQLite more than reading the rows.
func readRosterWorkers(ctx context.Context, q queryer, r *roster, p period, opt Options) error {
	rows, err := q.QueryContext(ctx, `SELECT w.id, w.name, w.id_number, w.residence_village, w.tags, w.monitor_type
		FROM workers w WHERE +w.fs_deleted = 0 AND w.left_reason IS NULL`+stationOnly(opt, "w"), stationArgs(nil, opt)...)
	if err != nil {
		return fmt.Errorf("read people: %w", err)
	}
	defer rows.Close()
	maleCut, femaleCut := p.cutoff(opt.Older.Male), p.cutoff(opt.Older.Female)
	in := interner{}
	tagsOf := map[string]*rosterTags{}
	var (
		id                                 sql.RawBytes
		tags                               sql.RawBytes
		name, idNumber, village, monitored sql.NullString
	)
	for rows.Next() {
		if err := rows.Scan(&id, &name, &idNumber, &village, &tags, &monitored); err != nil {
			return fmt.Errorf("read people: %w", err)
		}
		x := rosterPerson{id: hex.EncodeToString(id), name: name.String, nameNull: !name.Valid,
			idNumber: idNumber.String, village: in.of(village.String), monitorType: in.of(monitored.String)}
		t, ok := tagsOf[string(tags)]
		if !ok {
			t = parseTags(tags)
			if len(tagsOf) < maxInterned {
				tagsOf[string(tags)] = t
			}
		}
		x.tags, x.inGroups = t, t.inGroups
		x.older = olderID(x.idNumber, maleCut, femaleCut)
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

// parseTags reads a worker's tags column (nil: NULL) as scanPeople does
// (coalesce(w.tags, '[]'), then JSON; nil when that fails) and tests it as
// inGroupsExpr does.
func parseTags(raw []byte) *rosterTags {
	t := &rosterTags{poverty: bytes.Contains(raw, []byte(`"`+GroupPoverty+`"`)),
		monitored: bytes.Contains(raw, []byte(`"`+GroupMonitored+`"`))}
	t.inGroups = t.poverty || t.monitored
	if raw == nil {
		raw = []byte("[]")
	}
	if err := json.Unmarshal(raw, &t.tags); err != nil {
		t.tags = nil
	}
	t.text = tagList(t.tags)
	return t
}

// olderID is olderExpr in Go, for an id number (text; "" for NULL) and the
// male and female cutoffs (period.cutoff): SQLite's length() and substr()
// count characters, a character being a byte that is not a UTF-8
// continuation byte (0x80–0xBF) with the continuation bytes after it.
func olderID(id, maleCut, femaleCut string) bool {
	plain := true // ASCII without NUL: a character is a byte
	for i := 0; i < len(id); i++ {
		if id[i] >= 0x80 || id[i] == 0 {
			plain = false
			break
		}
	}
	if !plain {
		return olderChars(sqlChars(id), maleCut, femaleCut)
	}
	if len(id) != 18 {
		return false
	}
	cut := femaleCut
	if strings.IndexByte("13579", id[16]) >= 0 {
		cut = maleCut
	}
	return id[6:14] <= cut
}

// olderChars is olderID over an id number split into SQLite's characters
// (length() counts those before the first NUL).
func olderChars(c []string, maleCut, femaleCut string) bool {
	if n := slices.Index(c, "\x00"); n >= 0 && n != 18 || n < 0 && len(c) != 18 {
		return false
	}
	cut := femaleCut
	switch c[16] {
	case "1", "3", "5", "7", "9":
		cut = maleCut
	}
	return strings.Join(c[6:14], "") <= cut
}

// sqlChars splits s into characters as SQLite's text functions do.
func sqlChars(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		j := i + 1
		if s[i] >= 0xc0 {
			for j < len(s) && s[j]&0xc0 == 0x80 {
				j++
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
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
// group. The people are looked up in the order of their ids, which is the
// order of the (worker_id, date, …) index: neighbouring look-ups read
// neighbouring pages, several times faster than in the workers' row order.
// With Options.Live usable, the people and their counts come from its facts
// (the follow-up dates of every worker, in memory) and only the latest
// follow-up is read; otherwise the people are read from the workers and
// both from the follow-ups.
func loadLedgerFacts(ctx context.Context, db *sql.DB, p period, opt Options) (map[string]ledgerFacts, error) {
	if l := opt.Live; l != nil && l.usable(p, opt) {
		if err := l.Sync(ctx); err != nil {
			return nil, fmt.Errorf("read follow-ups: %w", err)
		}
		out, ids := l.ledgerFacts(p)
		err := withConn(ctx, db, func(q queryer) error { return readLatestFollowups(ctx, q, p, ids, out, false) })
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	out := map[string]ledgerFacts{}
	err := withConn(ctx, db, func(q queryer) error {
		ids, err := readGroupIDs(ctx, q, opt)
		if err != nil {
			return err
		}
		return readLatestFollowups(ctx, q, p, ids, out, true)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readGroupIDs reads the ids (lower-case hex) of the workers of either
// group, sorted.
func readGroupIDs(ctx context.Context, q queryer, opt Options) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT lower(hex(w.id)) FROM workers w WHERE +w.fs_deleted = 0 AND w.left_reason IS NULL AND `+inGroupsExpr+
		stationOnly(opt, "w"), stationArgs(nil, opt)...)
	if err != nil {
		return nil, fmt.Errorf("read ledger people: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read ledger people: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ledger people: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// readLatestFollowups reads, for each worker of ids (sorted), their latest
// follow-up up to the month's end (ledgerCols' rule) and, with counts, the
// month's and the six months' follow-ups, into out. The latest follow-up is
// found in the index and read by rowid: followups is a rowid table.
func readLatestFollowups(ctx context.Context, q queryer, p period, ids []string, out map[string]ledgerFacts,
	counts bool) error {
	if len(ids) == 0 {
		return nil
	}
	js, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("read follow-ups: %w", err)
	}
	countCol := `0`
	if counts {
		// Both counts from one range of the (worker_id, date) index: the
		// month lies within the six months, which end with it.
		countCol = `(SELECT count(*) | (coalesce(sum(c.date >= :first), 0) << 32) FROM followups c
			WHERE c.worker_id = j.value AND c.date >= :six_first AND c.date <= :last AND c.fs_deleted = 0
				AND c.void_reason IS NULL)`
	}
	// ORDER BY names fs_deleted (constant here) so that the index's order
	// serves it, without a sort per person.
	rows, err := q.QueryContext(ctx, `SELECT j.value, `+countCol+`, f.date, f.method, f.service_type, f.outcome
		FROM json_each(:ids) j LEFT JOIN followups f ON f.rowid = (SELECT g.rowid FROM followups g
			WHERE g.worker_id = j.value AND g.date <= :last AND +g.fs_deleted = 0 AND g.void_reason IS NULL
			ORDER BY g.date DESC, g.fs_deleted DESC, g.id DESC LIMIT 1)`,
		sql.Named("ids", string(js)), sql.Named("first", p.First), sql.Named("six_first", p.SixFirst),
		sql.Named("last", p.Last))
	if err != nil {
		return fmt.Errorf("read follow-ups: %w", err)
	}
	defer rows.Close()
	in := interner{}
	var (
		id                            string
		n                             int64
		date, method, service, result sql.NullString
	)
	for rows.Next() {
		if err := rows.Scan(&id, &n, &date, &method, &service, &result); err != nil {
			return fmt.Errorf("read follow-ups: %w", err)
		}
		l := out[id]
		if counts {
			l.six, l.month = int(n&(1<<32-1)), int(n>>32)
		}
		if date.Valid {
			l.date, l.method, l.service, l.outcome = in.of(date.String), in.of(method.String),
				in.of(service.String), result.String
		}
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
}

// person builds the Person scanPeople would for x (ledger columns from l
// when given), with c's month end and masking. Its Tags are shared with the
// roster: not to be modified.
func (r *roster) person(x *rosterPerson, c *personCache, l *ledgerFacts) Person {
	p := Person{ID: x.id, Name: x.name, IDNumber: x.idNumber, Village: x.village, MonitorType: x.monitorType,
		Older: x.older, Tags: x.tags.tags}
	if x.status >= 0 {
		s := &r.status[x.status]
		p.List, p.WorkScope, p.Place, p.Industry, p.EmploymentForm = s.list, s.scope, s.place, s.industry, s.form
		p.WillingAway = s.willing
		p.MonthlyIncome, p.VerifiedByMethod, p.VerifiedBy, p.VerifiedAt = incomeRef(s.income), s.method, s.by, s.at
	}
	if l != nil {
		p.FollowupsMonth, p.FollowupsSix = l.month, l.six
		p.LastFollowup, p.LastMethod, p.LastService, p.LastOutcome = l.date, l.method, l.service, l.outcome
	}
	p.Township = township(p.Village)
	p.Age = c.age(p.IDNumber)
	p.Sex = "女"
	if ident.Male(p.IDNumber) {
		p.Sex = "男"
	}
	if !c.unmasked {
		p.IDNumber = records.MaskIDNumber(p.IDNumber)
	}
	return p
}

// personCache is what the rows of one sheet share: the month's end, the
// masking, and the names of each village and its township (by the village's
// rank in the roster), worked out once.
type personCache struct {
	b        *workbook
	end      time.Time
	unmasked bool
	areas    []*[2]string
}

func (b *workbook) personCache() *personCache {
	return &personCache{b: b, end: b.monthEnd(), unmasked: b.opt.Unmasked}
}

// age is records.Age at the month's end.
func (c *personCache) age(id string) int { return ageAt(id, c.end) }

// ageAt is records.Age(id, end) without time.Parse, which is most of its
// cost: ident.BirthDate's rule is an id number of 18 bytes whose bytes 7–14
// are a date YYYYMMDD (as time.Parse's layout 20060102 reads it: eight
// digits, a real day) from 1900 on; else the age is -1.
func ageAt(id string, end time.Time) int {
	if len(id) != 18 {
		return -1
	}
	n := 0
	for i := 6; i < 14; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	y, m, d := n/10000, time.Month(n/100%100), n%100
	if y < 1900 || m < time.January || m > time.December || d < 1 ||
		d > 28 && d > time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return -1
	}
	a := end.Year() - y
	if end.Month() < m || end.Month() == m && end.Day() < d {
		a--
	}
	return a
}

// areaNames are the names of x's township and village, as areaName gives
// them.
func (c *personCache) areaNames(x *rosterPerson) (town, village string) {
	k := int(x.villageRank)
	if k >= len(c.areas) {
		c.areas = append(c.areas, make([]*[2]string, k+1-len(c.areas))...)
	}
	a := c.areas[k]
	if a == nil {
		a = &[2]string{c.b.areaName(township(x.village)), c.b.areaName(x.village)}
		c.areas[k] = a
	}
	return a[0], a[1]
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
