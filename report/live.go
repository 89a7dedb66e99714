package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// LogSource is what Live follows: a replica's tables and change log
// (*replica.Replica has these methods).
type LogSource interface {
	DB() *sql.DB
	MaxSeq(ctx context.Context) (uint64, error)
	ReadLog(ctx context.Context, after uint64, q replica.LogQuery) ([]replica.LogEntry, uint64, error)
}

// Live keeps in memory the facts the dashboard counts, one small record per
// worker (their residence, groups, birth date and sex, their status of each
// month, the days of their follow-ups) and one per gig (its figures), and
// keeps them up to date with the replica by reading its change log: every
// row a change touched is read again from its table with the same rules as
// Dashboard's queries (the latest status of a month, the headcount-th
// placement, …). Dashboard, given Options.Live, then counts these records
// instead of aggregating millions of rows, and its figures are the same.
//
// A Live is made with NewLive and loaded by Sync or Run; until then (a load
// takes seconds at county scale) Dashboard queries the tables.
type Live struct {
	src LogSource

	syncMu sync.Mutex // one Sync at a time

	// orderMu guards order, the workers in the drill-down's order, as of
	// orderVersion of workersVersion (peopleOrder).
	orderMu      sync.Mutex
	order        []int32
	orderVersion uint64

	mu     sync.RWMutex // guards what follows
	loaded bool
	seq    uint64 // the log is applied through seq
	facts
}

// facts are what Live holds, laid out for a fast count: workers in one slice
// (no pointers but their follow-ups), statuses in one slice per month indexed
// like the workers, text values interned.
type facts struct {
	ids     map[string]int32 // worker hex id → index in workers
	workers []liveWorker
	// names, indexed like workers, are for the drill-down (livePeople):
	// apart, so that the counts walk small records.
	names    []liveName
	months   map[uint16][]liveStatus // month (interned) → status of each worker
	oddBirth map[int32]string        // birth dates that are not 8 digits, by worker
	gigs     map[string]*liveGig
	gigOf    map[string]string // placement → its gig, as last read
	// The registrations not deleted or voided of the workers who have
	// some: unemployment (registered_on, deregistered_on) and
	// job-seeking (registered_on), "" for NULL.
	uregs map[int32][]liveReg
	jregs map[int32][]string
	strs  liveStrings
	// workersVersion counts the changes to workers' rows read; the
	// drill-down's order (peopleOrder) is kept for one version.
	workersVersion uint64
}

// liveStrings interns the few distinct values of text columns.
type liveStrings struct {
	code map[string]uint16
	str  []string
}

func (s *liveStrings) of(v string) uint16 {
	if s.code == nil {
		// Code 0 is "": what an overflow below falls back to.
		s.code, s.str = map[string]uint16{"": 0}, []string{""}
	}
	if c, ok := s.code[v]; ok {
		return c
	}
	if len(s.str) == 1<<16-1 {
		return 0 // never at county scale; "" rather than a wrong value
	}
	c := uint16(len(s.str))
	s.code[v] = c
	s.str = append(s.str, v)
	return c
}

// liveWilling marks a status flagged willing_away in the flags byte of
// Live.rows' status key, beside the worker's flags it keeps (never wMale).
const liveWilling = 1 << 7

// Flags of a liveWorker.
const (
	wExists    = 1 << iota // the worker row is present and not deleted
	wPoverty               // tag 脱贫人口
	wMonitored             // tag 防止返贫监测对象
	wMale                  // by the id number
	wNoPhone               // phone NULL or empty
	wMigrant               // tag 农民工 (the programme figures' groups)
	wDisabled              // tag 残疾
)

// liveName is a worker's hex id and name.
type liveName struct {
	id, name string
	nameNull bool
}

// liveReg is an unemployment registration's dates ("" for NULL).
type liveReg struct{ on, off string }

// liveWorker is one worker id that a row names: the worker row itself and
// their follow-ups.
type liveWorker struct {
	hasRegs   bool   // has registrations in uregs or jregs
	village   uint16 // interned
	flags     uint8
	birth     int32    // YYYYMMDD from an 18-character id number; -1 none; -2 see oddBirth
	followups []int32  // well-formed dates as YYYYMMDD, sorted
	oddDates  []string // other non-NULL dates, compared as text
}

// liveStatus is a worker's status of a month (the one statusOf picks).
type liveStatus struct {
	set               bool
	willing           bool    // willing_away
	unverified        bool    // unverifiedExpr
	list, scope, form uint16  // interned; list as stored
	income            float64 // NaN: not entered (incomeOf)
}

func newFacts() facts {
	return facts{ids: map[string]int32{}, months: map[uint16][]liveStatus{}, oddBirth: map[int32]string{},
		gigs: map[string]*liveGig{}, gigOf: map[string]string{}, uregs: map[int32][]liveReg{}, jregs: map[int32][]string{}}
}

// NewLive makes a Live following src; it holds nothing until Sync or Run.
func NewLive(src LogSource) *Live {
	return &Live{src: src}
}

// Ready reports whether the facts are loaded.
func (l *Live) Ready() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.loaded
}

// Seq is the log sequence the facts reflect.
func (l *Live) Seq() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.seq
}

// Run loads the facts, then brings them up to date every interval (when the
// log has grown) until ctx ends. Errors are retried at the next tick; the
// last one is returned when ctx ends.
func (l *Live) Run(ctx context.Context, every time.Duration) error {
	var last error
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := l.Sync(ctx); err != nil && ctx.Err() == nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return last
		case <-t.C:
		}
	}
}

// Sync brings the facts up to the end of the change log: a full load the
// first time (or when the log was trimmed past what was applied), then only
// the rows changed since.
func (l *Live) Sync(ctx context.Context) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	end, err := l.src.MaxSeq(ctx)
	if err != nil {
		return fmt.Errorf("live figures: %w", err)
	}
	l.mu.RLock()
	loaded, seq := l.loaded, l.seq
	l.mu.RUnlock()
	if loaded && end <= seq {
		return nil
	}
	if loaded {
		var first sql.NullInt64
		if err := l.src.DB().QueryRowContext(ctx, `SELECT min(seq) FROM fs_log`).Scan(&first); err != nil {
			return fmt.Errorf("live figures: read log start: %w", err)
		}
		if first.Valid && uint64(first.Int64) > seq+1 {
			loaded = false // trimmed past us: load again
		}
	}
	if !loaded {
		if err := l.load(ctx, end); err != nil {
			return fmt.Errorf("live figures: load: %w", err)
		}
		return nil
	}
	if err := l.follow(ctx, seq, end); err != nil {
		return fmt.Errorf("live figures: follow the log after %d: %w", seq, err)
	}
	return nil
}

// touched is the rows a stretch of the log changed, by table.
type touched map[string]map[ident.ID]bool

// follow reads the log from after seq through end and reads again every row
// it touched.
func (l *Live) follow(ctx context.Context, seq, end uint64) error {
	tc := touched{}
	q := replica.LogQuery{Filter: func(t *replica.Table, row ident.ID) bool {
		switch t.Name {
		case records.Workers, records.MonthlyStatus, records.Followups, records.Gigs, records.Placements,
			records.Unemployment, records.Jobseeker:
			if tc[t.Name] == nil {
				tc[t.Name] = map[ident.ID]bool{}
			}
			tc[t.Name][row] = true
		}
		return false // only the row ids: nothing to decode further or return
	}}
	for at := seq; at < end; {
		_, next, err := l.src.ReadLog(ctx, at, q)
		if err != nil {
			return err
		}
		if next <= at {
			break
		}
		at = next
	}
	n := 0
	for _, rows := range tc {
		n += len(rows)
	}
	if n > liveReloadAbove {
		// refresh reads under the write lock; this many rows (a county's
		// first upload) would keep the dashboard waiting for seconds, where
		// load builds aside and swaps.
		return l.load(ctx, end)
	}
	return l.refresh(ctx, tc, end)
}

// liveReloadAbove is how many touched rows make follow load everything
// afresh instead of refreshing them one by one under the lock.
const liveReloadAbove = 20000

// load reads every fact afresh, as of at least log sequence seq.
func (l *Live) load(ctx context.Context, seq uint64) error {
	n := &Live{facts: newFacts()}
	err := withConn(ctx, l.src.DB(), func(q queryer) error {
		if err := n.readWorkers(ctx, q, `FROM workers w`, nil); err != nil {
			return err
		}
		if err := n.readAllStatuses(ctx, q); err != nil {
			return err
		}
		if err := n.readFollowups(ctx, q, `FROM followups f WHERE f.fs_deleted = 0 AND f.void_reason IS NULL
			ORDER BY f.worker_id, f.date`, nil); err != nil {
			return err
		}
		if err := n.readGigs(ctx, q, ""); err != nil {
			return err
		}
		if err := n.readRegistrations(ctx, q, ""); err != nil {
			return err
		}
		return n.readGigOf(ctx, q)
	})
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.facts = n.facts
	l.order = nil // of the former facts (no reader holds orderMu under this lock)
	l.loaded, l.seq = true, seq
	return nil
}

// refresh reads again the rows of tc and what depends on them, and marks the
// facts as of seq.
func (l *Live) refresh(ctx context.Context, tc touched, seq uint64) error {
	// Reading happens under the write lock: the rows of one batch are few
	// (a log row holds at most 1,000 changes) and each read is an index
	// look-up, so readers wait milliseconds.
	l.mu.Lock()
	defer l.mu.Unlock()
	err := withConn(ctx, l.src.DB(), func(q queryer) error {
		for id := range tc[records.Workers] {
			if err := l.readWorkers(ctx, q, `FROM workers w WHERE w.id = ?`, []any{id[:]}); err != nil {
				return err
			}
		}
		months := map[[2]string]bool{}
		for id := range tc[records.MonthlyStatus] {
			var w, m sql.NullString
			err := q.QueryRowContext(ctx, `SELECT worker_id, month FROM monthly_status WHERE id = ?`, id[:]).Scan(&w, &m)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read status: %w", err)
			}
			if w.Valid && m.Valid {
				months[[2]string{w.String, m.String}] = true
			}
		}
		for wm := range months {
			if err := l.readStatus(ctx, q, wm[0], wm[1]); err != nil {
				return err
			}
		}
		people := map[string]bool{}
		for id := range tc[records.Followups] {
			var w sql.NullString
			err := q.QueryRowContext(ctx, `SELECT worker_id FROM followups WHERE id = ?`, id[:]).Scan(&w)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read follow-up: %w", err)
			}
			if w.Valid {
				people[w.String] = true
			}
		}
		for w := range people {
			i := l.worker(w)
			l.workers[i].followups, l.workers[i].oddDates = nil, nil
			if err := l.readFollowups(ctx, q, `FROM followups f WHERE f.worker_id = ? AND f.fs_deleted = 0
				AND f.void_reason IS NULL ORDER BY f.date`,
				[]any{w}); err != nil {
				return err
			}
		}
		registered := map[string]bool{}
		for _, t := range []string{records.Unemployment, records.Jobseeker} {
			for id := range tc[t] {
				var w sql.NullString
				err := q.QueryRowContext(ctx, `SELECT worker_id FROM `+t+` WHERE id = ?`, id[:]).Scan(&w)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("read registration: %w", err)
				}
				if w.Valid {
					registered[w.String] = true
				}
			}
		}
		for w := range registered {
			if err := l.readRegistrations(ctx, q, w); err != nil {
				return err
			}
		}
		gigs := map[string]bool{}
		for id := range tc[records.Gigs] {
			gigs[id.String()] = true
		}
		for id := range tc[records.Placements] {
			pid := id.String()
			if g, ok := l.gigOf[pid]; ok {
				gigs[g] = true
			}
			var g sql.NullString
			err := q.QueryRowContext(ctx, `SELECT gig_id FROM placements WHERE id = ?`, id[:]).Scan(&g)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("read placement: %w", err)
			}
			if g.Valid {
				l.gigOf[pid] = g.String
				gigs[g.String] = true
			}
		}
		for g := range gigs {
			delete(l.gigs, g)
			if err := l.readGigs(ctx, q, g); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	l.seq = seq
	return nil
}

// worker returns the index of worker id, made when first named.
func (l *Live) worker(id string) int32 {
	if i, ok := l.ids[id]; ok {
		return i
	}
	i := int32(len(l.workers))
	l.ids[id] = i
	l.workersVersion++
	l.workers = append(l.workers, liveWorker{birth: -1})
	l.names = append(l.names, liveName{id: id})
	return i
}

// status is the status slot of worker i in month (interned).
func (l *Live) status(month uint16, i int32) *liveStatus {
	s := l.months[month]
	if int(i) >= len(s) {
		s = append(s, make([]liveStatus, len(l.workers)-len(s))...)
		l.months[month] = s
	}
	return &s[i]
}

// readWorkers reads the worker rows of from (a FROM clause over workers w).
func (l *Live) readWorkers(ctx context.Context, q queryer, from string, args []any) error {
	rows, err := q.QueryContext(ctx, `SELECT lower(hex(w.id)), (w.fs_deleted != 0 OR w.left_reason IS NOT NULL), `+villageExpr+`, `+povertyExpr+`, `+
		monitoredExpr+`, `+maleExpr+`, coalesce(w.phone, '') = '', w.name, CASE WHEN coalesce(length(w.id_number), 0) = 18 THEN substr(w.id_number, 7, 8)
		ELSE '' END, `+tagExpr(ProgrammeGroups[2])+`, `+tagExpr(ProgrammeGroups[3])+` `+from, args...)
	if err != nil {
		return fmt.Errorf("read workers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, village, birth string
		var deleted, poverty, monitored, male, noPhone, migrant, disabled bool
		var name sql.NullString
		if err := rows.Scan(&id, &deleted, &village, &poverty, &monitored, &male, &noPhone, &name, &birth, &migrant,
			&disabled); err != nil {
			return fmt.Errorf("read workers: %w", err)
		}
		i := l.worker(id)
		w := &l.workers[i]
		l.workersVersion++
		w.village, w.flags = l.strs.of(village), 0
		l.names[i].name, l.names[i].nameNull = name.String, !name.Valid
		for _, f := range []struct {
			on   bool
			flag uint8
		}{{!deleted, wExists}, {poverty, wPoverty}, {monitored, wMonitored}, {male, wMale}, {noPhone, wNoPhone},
			{migrant, wMigrant}, {disabled, wDisabled}} {
			if f.on {
				w.flags |= f.flag
			}
		}
		delete(l.oddBirth, i)
		switch v, ok := digits8(birth); {
		case birth == "":
			w.birth = -1
		case ok:
			w.birth = v
		default:
			w.birth = -2
			l.oddBirth[i] = birth
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read workers: %w", err)
	}
	return nil
}

// readAllStatuses reads the status statusOf picks of every worker and month.
func (l *Live) readAllStatuses(ctx context.Context, q queryer) error {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT month FROM monthly_status WHERE month IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("read months: %w", err)
	}
	var months []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return fmt.Errorf("read months: %w", err)
		}
		months = append(months, m)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("read months: %w", err)
	}
	for _, m := range months {
		if err := l.scanStatuses(ctx, q, `WITH s AS (`+statusCounted("month")+`) SELECT worker_id, :month, list_type,
			work_scope, employment_form, monthly_income, willing_away, unverified FROM s`, sql.Named("month", m)); err != nil {
			return err
		}
	}
	return nil
}

// readStatus reads again the status of worker w for month m.
func (l *Live) readStatus(ctx context.Context, q queryer, w, m string) error {
	*l.status(l.strs.of(m), l.worker(w)) = liveStatus{}
	return l.scanStatuses(ctx, q, `SELECT worker_id, month, list_type, work_scope, employment_form, monthly_income,
		willing_away, `+unverifiedExpr+`, max(coalesce(verified_at, '') || char(1) || hex(id)) FROM monthly_status
		WHERE worker_id = :w AND month = :month AND fs_deleted = 0 AND void_reason IS NULL GROUP BY worker_id`,
		sql.Named("w", w), sql.Named("month", m))
}

// scanStatuses stores the statuses a query yields: worker id, month, list,
// scope, form, income, willing_away, unverified (and any further column,
// ignored).
func (l *Live) scanStatuses(ctx context.Context, q queryer, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("read statuses: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("read statuses: %w", err)
	}
	var w, m, list, scope, form sql.NullString
	var income sql.NullFloat64
	var willing, unverified sql.NullInt64
	var ignore any
	dest := []any{&w, &m, &list, &scope, &form, &income, &willing, &unverified}
	for len(dest) < len(cols) {
		dest = append(dest, &ignore)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read statuses: %w", err)
		}
		if !w.Valid || !m.Valid {
			continue
		}
		*l.status(l.strs.of(m.String), l.worker(w.String)) = liveStatus{set: true, willing: willing.Int64 == 1,
			unverified: unverified.Int64 == 1,
			list:       l.strs.of(list.String),
			scope:      l.strs.of(scope.String), form: l.strs.of(form.String), income: incomeOf(income)}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read statuses: %w", err)
	}
	return nil
}

// readRegistrations reads the registrations (not deleted or voided) of
// every worker, or again those of the worker with hex id w.
func (l *Live) readRegistrations(ctx context.Context, q queryer, w string) error {
	where, args := ``, []any(nil)
	if w != "" {
		i := l.worker(w)
		delete(l.uregs, i)
		delete(l.jregs, i)
		l.workers[i].hasRegs = false
		where, args = ` AND worker_id = ?`, []any{w}
	}
	for _, t := range []string{records.Unemployment, records.Jobseeker} {
		off := `''`
		if t == records.Unemployment {
			off = `coalesce(deregistered_on, '')`
		}
		rows, err := q.QueryContext(ctx, `SELECT worker_id, coalesce(registered_on, ''), `+off+` FROM `+t+`
			WHERE fs_deleted = 0 AND void_reason IS NULL AND worker_id IS NOT NULL`+where, args...)
		if err != nil {
			return fmt.Errorf("read registrations: %w", err)
		}
		for rows.Next() {
			var wid, on, dereg string
			if err := rows.Scan(&wid, &on, &dereg); err != nil {
				rows.Close()
				return fmt.Errorf("read registrations: %w", err)
			}
			i := l.worker(wid)
			l.workers[i].hasRegs = true
			if t == records.Unemployment {
				l.uregs[i] = append(l.uregs[i], liveReg{on, dereg})
			} else {
				l.jregs[i] = append(l.jregs[i], on)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("read registrations: %w", err)
		}
	}
	return nil
}

// monthOf is the month facts of worker i (its statuses cur and prev, nil
// when the month has none) as monthSQL reads them, with the registration
// rules of regNewExpr, regClosedExpr and regOpenExpr over first and last.
func (l *Live) monthOf(i int, cur, prev *liveStatus, norm []normList, first, last string) workerMonth {
	w := &l.workers[i]
	x := workerMonth{noPhone: w.flags&wNoPhone != 0}
	for _, s := range []struct {
		from *liveStatus
		to   *monthStatus
	}{{cur, &x.cur}, {prev, &x.prev}} {
		if s.from == nil || !s.from.set {
			continue
		}
		n := norm[s.from.list]
		*s.to = monthStatus{set: true, list: n.list, willing: n.willing || s.from.willing,
			scope: l.strs.str[s.from.scope], unverified: s.from.unverified}
	}
	if !w.hasRegs {
		return x
	}
	if regs, ok := l.uregs[int32(i)]; ok {
		for _, r := range regs {
			x.uNew = x.uNew || r.on >= first && r.on <= last
			x.uClosed = x.uClosed || r.off >= first && r.off <= last
			x.uOpen = x.uOpen || r.on != "" && r.on <= last && (r.off == "" || r.off > last)
		}
	}
	if regs, ok := l.jregs[int32(i)]; ok {
		for _, on := range regs {
			x.jNew = x.jNew || on >= first && on <= last
		}
	}
	return x
}

// codeInfo is what the month's flows need of an interned text as a
// list_type (records.StatusList without the flag: 1 就业, 2 失业, 0 none)
// and as a work scope (outsideCounty).
type codeInfo struct {
	list             uint8
	willing, outside bool
}

func (l *Live) codeInfos() []codeInfo {
	out := make([]codeInfo, len(l.strs.str))
	for c, s := range l.strs.str {
		lt, willing := records.StatusList(s, false)
		switch lt {
		case records.ListEmployed:
			out[c].list = 1
		case records.ListUnemployed:
			out[c].list = 2
		}
		out[c].willing = willing
		out[c].outside = outsideCounty(s)
	}
	return out
}

// countMonth counts worker i (w) into m as monthRow.add counts
// workerMonth, on integer codes: the dashboard's hot loop. Registrations
// go through monthOf.
func (l *Live) countMonth(m *monthRow, w *liveWorker, i int, curOf, prevOf []liveStatus, info []codeInfo, p period) {
	var c, pr *liveStatus
	if i < len(curOf) && curOf[i].set {
		c = &curOf[i]
	}
	if i < len(prevOf) && prevOf[i].set {
		pr = &prevOf[i]
	}
	if c != nil {
		ci := info[c.list]
		cw := ci.willing || c.willing
		pw := false
		if pr != nil {
			pi := info[pr.list]
			pw = pi.willing || pr.willing
			switch {
			case pi.list == 1 && ci.list == 2:
				m.flows.ToUnemployed++
			case pi.list == 2 && ci.list == 1:
				m.flows.ToEmployed++
			}
			if pi.list == 1 && info[pr.scope].outside && !(ci.list == 1 && info[c.scope].outside) {
				m.flows.Returned++
			}
		}
		if cw && !pw {
			m.flows.NewWillingAway++
		}
		if c.unverified {
			m.quality.Unverified++
		}
	}
	if w.flags&wNoPhone != 0 {
		m.quality.NoPhone++
	}
	if w.hasRegs {
		x := l.monthOf(i, nil, nil, nil, p.First, p.Last)
		m.regs.add(RegistrationFigures{UnemploymentNew: b2i(x.uNew), UnemploymentClosed: b2i(x.uClosed),
			UnemploymentOpen: b2i(x.uOpen), JobseekerNew: b2i(x.jNew)})
	}
}

// normList is records.StatusList of an interned list_type, without the
// month's flag.
type normList struct {
	list    string
	willing bool
}

// norms is normList of every interned text.
func (l *Live) norms() []normList {
	out := make([]normList, len(l.strs.str))
	for c, s := range l.strs.str {
		out[c].list, out[c].willing = records.StatusList(s, false)
	}
	return out
}

// readFollowups adds the follow-up dates of from (over followups f) to their
// workers.
func (l *Live) readFollowups(ctx context.Context, q queryer, from string, args []any) error {
	rows, err := q.QueryContext(ctx, `SELECT f.worker_id, f.date `+from, args...)
	if err != nil {
		return fmt.Errorf("read follow-ups: %w", err)
	}
	defer rows.Close()
	var last string
	var wk *liveWorker // l.workers does not grow while wk is in use: a new worker is a new wk
	var w, d sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&w, &d); err != nil {
			return fmt.Errorf("read follow-ups: %w", err)
		}
		if w == nil || d == nil {
			continue
		}
		if wk == nil || string(w) != last {
			last = string(w)
			i := l.worker(last)
			wk = &l.workers[i]
		}
		if v, ok := dateNum(d); ok {
			wk.followups = append(wk.followups, v)
		} else {
			wk.oddDates = append(wk.oddDates, string(d))
		}
	}
	// from orders by date: as numbers, the well-formed dates are sorted too.
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read follow-ups: %w", err)
	}
	return nil
}

// dateNum reads YYYY-MM-DD as the number YYYYMMDD, which orders as the text
// does among such dates.
func dateNum(d []byte) (int32, bool) {
	if len(d) != 10 || d[4] != '-' || d[7] != '-' {
		return 0, false
	}
	var v int32
	for i, c := range d {
		if i == 4 || i == 7 {
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int32(c-'0')
	}
	return v, true
}

// digits8 reads an 8-digit text as its number, which orders as the text
// does among such texts.
func digits8(s string) (int32, bool) {
	if len(s) != 8 {
		return 0, false
	}
	var v int32
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int32(s[i]-'0')
	}
	return v, true
}

// liveTZOffset is the zone offset the gig facts are computed in: Options'
// default (UTC+8). Dashboard uses Live only for options with this offset.
const liveTZOffset = 8 * 3600

// rows counts the facts as Dashboard's queries count the tables: the same
// rows, so the same figures.
func (l *Live) rows(p period, opt Options) (people []peopleRow, cur []statusRow, prev []prevRow, gaps []gapRow,
	gigRows []gigRow, months []monthRow) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	curOf, prevOf := l.statusesOf(p)
	maleCut, femaleCut := p.cutoff(opt.Older.Male), p.cutoff(opt.Older.Female)
	maleNum, femaleNum := int32(-1), int32(-1)
	if v, ok := digits8(maleCut); ok {
		maleNum = v
	}
	if v, ok := digits8(femaleCut); ok {
		femaleNum = v
	}
	first, last, sixFirst := datePart(p.First), datePart(p.Last), datePart(p.SixFirst)
	// Counts by village go to slices indexed by the interned code; the
	// statuses to a map keyed by two integers.
	type curKey struct {
		codes uint64 // village, list, scope, form
		rest  uint32 // band, flags (wPoverty, wMonitored, and wExists for older)
	}
	nstr := len(l.strs.str)
	peopleBy := make([]peopleRow, nstr)
	gapBy := make([]gapRow, nstr)
	type prevKey struct {
		village, list uint16
		willing       bool
	}
	prevBy := map[prevKey]int{}
	curBy := map[curKey]int{}
	monthBy := make([]monthRow, nstr)
	info := l.codeInfos()
	for i := range l.workers {
		w := &l.workers[i]
		if w.flags&wExists == 0 {
			continue
		}
		male := w.flags&wMale != 0
		var older bool
		switch cut := femaleNum; {
		case w.birth == -2:
			ct := femaleCut
			if male {
				ct = maleCut
			}
			older = l.oddBirth[int32(i)] <= ct
		case w.birth >= 0:
			if male {
				cut = maleNum
			}
			older = cut >= 0 && w.birth <= cut
		}
		pr := &peopleBy[w.village]
		poverty, monitored := w.flags&wPoverty != 0, w.flags&wMonitored != 0
		pr.n++
		pr.poverty += b2i(poverty)
		pr.monitored += b2i(monitored)
		pr.older += b2i(older)
		pr.olderMen += b2i(older && male)
		if i < len(curOf) && curOf[i].set {
			s := &curOf[i]
			k := curKey{codes: uint64(w.village)<<48 | uint64(s.list)<<32 | uint64(s.scope)<<16 | uint64(s.form),
				rest: uint32(incomeBand(s.income, opt.IncomeBands))<<8 | uint32(w.flags&(wPoverty|wMonitored))}
			if older {
				k.rest |= wExists
			}
			if s.willing {
				k.rest |= liveWilling
			}
			curBy[k]++
		}
		if i < len(prevOf) && prevOf[i].set {
			prevBy[prevKey{w.village, prevOf[i].list, prevOf[i].willing}]++
		}
		l.countMonth(&monthBy[w.village], w, i, curOf, prevOf, info, p)
		if poverty || monitored {
			g := &gapBy[w.village]
			n := w.countBetween(first, last, p.First, p.Last)
			g.people++
			g.followups += n
			if n == 0 {
				g.none++
				if w.countBetween(sixFirst, last, p.SixFirst, p.Last) == 0 {
					g.six++
				}
			}
		}
	}
	for v := range nstr {
		name := l.strs.str[v]
		if r := peopleBy[v]; r.n > 0 {
			r.village = name
			people = append(people, r)
		}
		if g := gapBy[v]; g.people > 0 {
			g.village = name
			gaps = append(gaps, g)
		}
		if m := monthBy[v]; m != (monthRow{}) {
			m.village = name
			months = append(months, m)
		}
	}
	for k, n := range prevBy {
		prev = append(prev, prevRow{village: l.strs.str[k.village], list: l.strs.str[k.list], willing: k.willing, n: n})
	}
	for k, n := range curBy {
		flags := uint8(k.rest)
		cur = append(cur, statusRow{village: l.strs.str[k.codes>>48], poverty: flags&wPoverty != 0,
			monitored: flags&wMonitored != 0, older: flags&wExists != 0, willing: flags&liveWilling != 0,
			list:  l.strs.str[k.codes>>32&0xffff],
			scope: l.strs.str[k.codes>>16&0xffff], form: l.strs.str[k.codes&0xffff], band: int(k.rest >> 8), n: n})
	}
	gigRows = l.gigRows(p)
	return people, cur, prev, gaps, gigRows, months
}

// countBetween counts the follow-ups dated from a through b (as numbers,
// and as text for the dates that are not YYYY-MM-DD).
func (w *liveWorker) countBetween(a, b int32, at, bt string) int {
	// A person has a few follow-ups a month: a scan beats a binary search.
	n := 0
	for _, d := range w.followups {
		if d > b {
			break
		}
		if d >= a {
			n++
		}
	}
	for _, d := range w.oddDates {
		if d >= at && d <= bt {
			n++
		}
	}
	return n
}

// datePart is the number of a YYYY-MM-DD date (period dates always are).
func datePart(d string) int32 {
	v, _ := dateNum([]byte(d))
	return v
}

// incomeBand is bandExpr in Go: the index of the first bound income is
// below, else len(bounds); noIncomeBand for an income not entered (NaN,
// see incomeOf).
func incomeBand(income float64, bounds []float64) int {
	if math.IsNaN(income) {
		return noIncomeBand(bounds)
	}
	for i, b := range bounds {
		if income < b {
			return i
		}
	}
	return len(bounds)
}

// noIncomeBand is the band of an income not entered: after the bands of
// bounds, and counted as records.IncomeNotReported, never in a band.
func noIncomeBand(bounds []float64) int { return len(bounds) + 1 }

// incomeOf is a monthly income as the figures hold it: NaN when NULL (not
// entered), which no band takes.
func incomeOf(n sql.NullFloat64) float64 {
	if !n.Valid {
		return math.NaN()
	}
	return n.Float64
}

// incomeRef is a monthly income held by incomeOf as Person gives it: nil
// when not entered.
func incomeRef(income float64) *float64 {
	if math.IsNaN(income) {
		return nil
	}
	return &income
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// usable reports whether Dashboard can count the facts for p and opt: they
// are loaded, the options' gig day is the facts' (UTC+8), and the figures
// are the county's (the facts hold no station's report apart).
func (l *Live) usable(p period, opt Options) bool {
	_, off := p.FirstTime.In(opt.Location).Zone()
	return off == liveTZOffset && opt.Station == "" && l.Ready()
}

// ledgerFacts counts, for each worker of either group, their follow-ups of
// p's month and of the six months ending with it, as loadLedgerFacts' SQL
// does; it returns them by id with the ids, sorted.
func (l *Live) ledgerFacts(p period) (map[string]ledgerFacts, []string) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	first, last, sixFirst := datePart(p.First), datePart(p.Last), datePart(p.SixFirst)
	out := map[string]ledgerFacts{}
	var ids []string
	for id, i := range l.ids {
		w := &l.workers[i]
		if w.flags&wExists == 0 || w.flags&(wPoverty|wMonitored) == 0 {
			continue
		}
		out[id] = ledgerFacts{month: w.countBetween(first, last, p.First, p.Last),
			six: w.countBetween(sixFirst, last, p.SixFirst, p.Last)}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return out, ids
}

// statusesOf returns the statuses of p's month and of the month before it,
// indexed like the workers (nil for a month without any). The caller holds
// l.mu.
func (l *Live) statusesOf(p period) (cur, prev []liveStatus) {
	if c, ok := l.strs.code[p.Month]; ok {
		cur = l.months[c]
	}
	if c, ok := l.strs.code[p.Prev]; ok {
		prev = l.months[c]
	}
	return cur, prev
}
