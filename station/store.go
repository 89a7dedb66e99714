package station

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/replica"
)

// WorkerView is a worker as read back, with what derives from the id number.
type WorkerView struct {
	ID ident.ID `json:"id"`
	records.Worker
	Station string `json:"station"`
	// EnteredBy names the staff member who last changed the record here
	// (records.EnteredBy); only the record (Worker) reads it, not lists.
	EnteredBy string `json:"entered_by,omitempty"`
	BirthDate string `json:"birth_date"`
	Sex       string `json:"sex"` // 男 or 女
	Age       int    `json:"age"`
	Older     bool   `json:"older"`
}

func (w *WorkerView) derive(now time.Time, o records.OlderThresholds) {
	if b, err := ident.BirthDate(w.IDNumber); err == nil {
		w.BirthDate = b.Format(records.DateLayout)
	}
	w.Sex = "女"
	if ident.Male(w.IDNumber) {
		w.Sex = "男"
	}
	w.Age = records.Age(w.IDNumber, now)
	w.Older = o.Older(w.IDNumber, now)
}

// MaskedID shows the first and last four characters of the id number.
func (w *WorkerView) MaskedID() string { return records.MaskIDNumber(w.IDNumber) }

// MaskedPhone shows the first three and last four digits of the phone.
func (w *WorkerView) MaskedPhone() string { return records.MaskPhone(w.Phone) }

const workerCols = `w.id, w.id_number, w.name, w.phone, w.ethnicity, w.hukou_village, w.residence_village,
	w.education, w.labour_ability, w.tags, w.monitor_type, w.skills, w.willing_away, w.notes, w.station`

func scanWorker(sc interface{ Scan(...any) error }, extra ...any) (*WorkerView, error) {
	var (
		id                                                     []byte
		idn, name, phone, eth, hukou, res, edu, lab, tags, mon sql.NullString
		skills, notes, station                                 sql.NullString
		away                                                   sql.NullInt64
	)
	dest := append([]any{&id, &idn, &name, &phone, &eth, &hukou, &res, &edu, &lab, &tags, &mon, &skills, &away, &notes, &station}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	w := &WorkerView{Worker: records.Worker{IDNumber: idn.String, Name: name.String, Phone: phone.String,
		Ethnicity: eth.String, HukouVillage: hukou.String, ResidenceVillage: res.String, Education: edu.String,
		LabourAbility: lab.String, Tags: jsonSet(tags.String), MonitorType: mon.String, Skills: jsonSet(skills.String),
		WillingAway: away.Int64 != 0, Notes: notes.String}, Station: station.String}
	copy(w.ID[:], id)
	return w, nil
}

func workerFromMap(id ident.ID, m map[string]any) *WorkerView {
	away, _ := m["willing_away"].(int64)
	return &WorkerView{ID: id, Worker: records.Worker{IDNumber: str(m["id_number"]), Name: str(m["name"]),
		Phone: str(m["phone"]), Ethnicity: str(m["ethnicity"]), HukouVillage: str(m["hukou_village"]),
		ResidenceVillage: str(m["residence_village"]), Education: str(m["education"]),
		LabourAbility: str(m["labour_ability"]), Tags: jsonSet(str(m["tags"])), MonitorType: str(m["monitor_type"]),
		Skills: jsonSet(str(m["skills"])), WillingAway: away != 0, Notes: str(m["notes"]),
		LabourBrand: str(m["labour_brand"])}, Station: str(m["station"])}
}

func jsonSet(s string) []string {
	out := []string{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &out) // the engine writes these arrays; a bad one reads as empty
	}
	return out
}

// Worker reads one worker.
func (s *Station) Worker(ctx context.Context, id ident.ID) (*WorkerView, error) {
	row := s.r.DB().QueryRowContext(ctx, `SELECT `+workerCols+`, w.entered_by, w.left_reason, w.left_on, w.left_to,
		w.labour_brand FROM workers w WHERE w.id = ? AND w.fs_deleted = 0`, id[:])
	var by, leftReason, leftOn, leftTo, brand sql.NullString
	w, err := scanWorker(row, &by, &leftReason, &leftOn, &leftTo, &brand)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("worker %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read worker: %w", err)
	}
	w.EnteredBy = by.String
	w.LabourBrand = brand.String
	w.Leave = records.Leave{LeftReason: leftReason.String, LeftOn: leftOn.String, LeftTo: leftTo.String}
	w.derive(s.now(), s.cfg.Older)
	return w, nil
}

// WorkerQuery selects workers: q matches a name (substring), an id number or a
// phone (prefix or the last digits); List and Month restrict to one of the
// three lists of a month; Category to one 人员类别 (WorkerCategories).
type WorkerQuery struct {
	Q        string
	List     string // a list type (records.ListTypes) or ""
	Month    string
	Category string // one of WorkerCategories, or "" for everyone
	Limit    int
	Offset   int
	// After is a cursor (a page's Next): the page starts after that worker
	// (and then skips Offset more). Deep pages cost as little as the first.
	After string
}

// WorkerPage is one page of workers and the total matching.
type WorkerPage struct {
	Workers []*WorkerView `json:"workers"`
	Total   int           `json:"total"`
	Limit   int           `json:"limit"`
	Offset  int           `json:"offset"`
	// Next is the cursor of the following page, "" on the last one.
	Next string `json:"next,omitempty"`
}

// cursor encodes a worker's place in name order.
func cursor(w *WorkerView) string {
	return base64.RawURLEncoding.EncodeToString([]byte(w.Name + "\x00" + w.IDNumber))
}

// afterCursor adds the condition "after this cursor" to a query in name order.
func afterCursor(c string, where *string, args *[]any) error {
	if c == "" {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	name, idn, ok := strings.Cut(string(b), "\x00")
	if err != nil || !ok {
		return &records.FieldError{Field: "after", Key: records.KeyBadJSON}
	}
	*where += ` AND (w.name, w.id_number) > (?, ?)`
	*args = append(*args, name, idn)
	return nil
}

// MaxLimit bounds one page of any list.
const MaxLimit = 1000

// Workers lists workers by name.
func (s *Station) Workers(ctx context.Context, q WorkerQuery) (*WorkerPage, error) {
	if q.Limit <= 0 || q.Limit > MaxLimit {
		q.Limit = min(max(q.Limit, 50), MaxLimit)
	}
	from := ` FROM workers w`
	where := ` WHERE w.fs_deleted = 0`
	var args []any
	if q.List != "" {
		// Walk workers in name order and probe each one's status: a page
		// costs its own rows, not a sort of the whole list.
		from = ` FROM workers w CROSS JOIN monthly_status m ON m.worker_id = lower(hex(w.id))
			AND m.month = ? AND ` + listCond(q.List) + ` AND m.fs_deleted = 0 AND m.rowid NOT IN ` + voidStatus + `
			AND w.rowid NOT IN ` + leftWorker
		args = append(args, q.Month)
	}
	if q.Category != "" {
		cond, arg, err := categoryCond(q.Category)
		if err != nil {
			return nil, err
		}
		where += cond
		args = append(args, arg)
	}
	if t := strings.TrimSpace(q.Q); t != "" {
		if norm, err := ident.NormalizeIDNumber(t); err == nil {
			// A whole id number names one row: look it up by its derived id.
			id := s.key.Derive(records.Workers, norm)
			where += ` AND w.id = ?`
			args = append(args, id[:])
		} else {
			like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(t)
			if isIDChars(t) {
				// Digits: the start or the end of an id number or a phone.
				where += ` AND (w.id_number LIKE ? ESCAPE '\' OR w.phone LIKE ? ESCAPE '\'
					OR w.id_number LIKE ? ESCAPE '\' OR w.phone LIKE ? ESCAPE '\')`
				args = append(args, like+"%", like+"%", "%"+like, "%"+like)
			} else {
				where += ` AND w.name LIKE ? ESCAPE '\'`
				args = append(args, "%"+like+"%")
			}
		}
	}
	page := &WorkerPage{Workers: []*WorkerView{}, Limit: q.Limit, Offset: q.Offset}
	var err error
	countArgs := args
	pageWhere := where
	if err := afterCursor(q.After, &pageWhere, &args); err != nil {
		return nil, err
	}
	search := strings.TrimSpace(q.Q) != "" && q.List == "" && q.After == ""
	if search {
		// One pass over the covering index finds every match's key in order:
		// the total is their number, and the page is fetched by its keys.
		var keys []any
		if keys, err = s.matchKeys(ctx, from+where, countArgs, q.Offset, q.Limit+1, &page.Total); err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return page, nil
		}
		pageWhere = ` WHERE w.fs_deleted = 0 AND (w.name, w.id_number) IN (VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(keys)/2), ", ") + `)`
		args = keys
		q.Offset = 0
	} else if q.List != "" && strings.TrimSpace(q.Q) == "" && q.Category == "" {
		page.Total, err = s.listTotal(ctx, q.Month, q.List)
	} else {
		err = s.r.DB().QueryRowContext(ctx, `SELECT count(*)`+from+where, countArgs...).Scan(&page.Total)
	}
	if err != nil {
		return nil, fmt.Errorf("count workers: %w", err)
	}
	// Name, then id number: the order of the covering index, so no sort.
	rows, err := s.r.DB().QueryContext(ctx, `SELECT `+workerCols+from+pageWhere+` ORDER BY w.name, w.id_number LIMIT ? OFFSET ?`,
		append(args, q.Limit+1, q.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	defer rows.Close()
	now := s.now()
	for rows.Next() {
		w, err := scanWorker(rows)
		if err != nil {
			return nil, fmt.Errorf("list workers: %w", err)
		}
		w.derive(now, s.cfg.Older)
		page.Workers = append(page.Workers, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	if len(page.Workers) > q.Limit { // one more than asked: there is a next page
		page.Workers = page.Workers[:q.Limit]
		page.Next = cursor(page.Workers[q.Limit-1])
	}
	return page, nil
}

// matchKeys reads the (name, id number) of every worker a search matches, in
// name order, counting them in total and returning those of the page
// [offset, offset+n) as query arguments.
func (s *Station) matchKeys(ctx context.Context, fromWhere string, args []any, offset, n int, total *int) ([]any, error) {
	rows, err := s.r.DB().QueryContext(ctx, `SELECT w.name, w.id_number`+fromWhere+` ORDER BY w.name, w.id_number`, args...)
	if err != nil {
		return nil, fmt.Errorf("search workers: %w", err)
	}
	defer rows.Close()
	var keys []any
	i := 0
	for ; rows.Next(); i++ {
		if i < offset || i >= offset+n {
			continue
		}
		var name, idn sql.NullString
		if err := rows.Scan(&name, &idn); err != nil {
			return nil, fmt.Errorf("search workers: %w", err)
		}
		keys = append(keys, name.String, idn.String)
	}
	*total = i
	return keys, rows.Err()
}

// WorkerCategories are the 人员类别 the worker list filters by: the worker
// tags (records.Tags), then the monitoring types (records.MonitorTypes).
func WorkerCategories() []string {
	return append(slices.Clip(records.Tags), records.MonitorTypes...)
}

// categoryCond is the condition keeping the workers of category c (a tag
// the tags set holds, or the monitoring type), with its argument; an
// unknown category is a field error naming category.
func categoryCond(c string) (string, any, error) {
	switch {
	case slices.Contains(records.Tags, c):
		// A set column holds a JSON array of quoted text: the report's
		// povertyExpr tests it the same way.
		return ` AND instr(w.tags, ?) > 0`, `"` + c + `"`, nil
	case slices.Contains(records.MonitorTypes, c):
		return ` AND w.monitor_type = ?`, c, nil
	}
	return "", nil, &records.FieldError{Field: "category", Key: records.KeyEnum,
		Args: []any{strings.Join(WorkerCategories(), "、")}}
}

func isIDChars(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r == 'X' || r == 'x') {
			return false
		}
	}
	return true
}

// ListEntry is one line of the three lists: the worker and the month's status.
type ListEntry struct {
	*WorkerView
	Status records.MonthStatus `json:"status"`
}

// ListPage is one page of a list of a month.
type ListPage struct {
	Month   string      `json:"month"`
	List    string      `json:"list"`
	Entries []ListEntry `json:"entries"`
	Total   int         `json:"total"`
	Limit   int         `json:"limit"`
	Offset  int         `json:"offset"`
	Next    string      `json:"next,omitempty"`
}

// ListEntries reads one of the three lists of a month, ordered by name,
// starting after the cursor after (when not "") and offset more.
func (s *Station) ListEntries(ctx context.Context, month, list string, limit, offset int, after string) (*ListPage, error) {
	return s.ListEntriesCounted(ctx, month, list, limit, offset, after, -1)
}

// ListEntriesCounted is ListEntries with the list's total when the caller
// counted it already (ListCounts; -1 when not), which saves counting again.
func (s *Station) ListEntriesCounted(ctx context.Context, month, list string, limit, offset int, after string, total int) (*ListPage, error) {
	if limit <= 0 || limit > MaxLimit {
		limit = min(max(limit, 50), MaxLimit)
	}
	page := &ListPage{Month: month, List: list, Entries: []ListEntry{}, Limit: limit, Offset: offset, Total: total}
	if total < 0 {
		var err error
		if page.Total, err = s.listTotal(ctx, month, list); err != nil {
			return nil, fmt.Errorf("count list: %w", err)
		}
	}
	where := ` WHERE w.fs_deleted = 0`
	args := []any{month}
	if err := afterCursor(after, &where, &args); err != nil {
		return nil, err
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT `+workerCols+`, m.list_type, m.willing_away, m.work_scope,
		m.place, m.industry, m.employment_form, m.monthly_income, m.verified_by_method, m.verified_by, m.verified_at
		FROM workers w CROSS JOIN monthly_status m ON m.worker_id = lower(hex(w.id))
			AND m.month = ? AND `+listCond(list)+` AND m.fs_deleted = 0 AND m.rowid NOT IN `+voidStatus+`
			AND w.rowid NOT IN `+leftWorker+where+`
		ORDER BY w.name, w.id_number LIMIT ? OFFSET ?`, append(args, limit+1, offset)...)
	if err != nil {
		return nil, fmt.Errorf("read list: %w", err)
	}
	defer rows.Close()
	now := s.now()
	for rows.Next() {
		var lt, scope, place, industry, form, method, by, at sql.NullString
		var willing sql.NullInt64
		var income sql.NullFloat64
		w, err := scanWorker(rows, &lt, &willing, &scope, &place, &industry, &form, &income, &method, &by, &at)
		if err != nil {
			return nil, fmt.Errorf("read list: %w", err)
		}
		w.derive(now, s.cfg.Older)
		// The status as it counts today (records.StatusList): on the
		// 有意愿外出 list a person is 就业 or 失业 too.
		status, flagged := records.StatusList(lt.String, willing.Int64 == 1)
		page.Entries = append(page.Entries, ListEntry{WorkerView: w, Status: records.MonthStatus{
			WorkerID: w.ID.String(), Month: month, ListType: status, WorkScope: scope.String, Place: place.String,
			Industry: industry.String, EmploymentForm: form.String, MonthlyIncome: nullIncome(income),
			VerifiedByMethod: method.String, VerifiedBy: by.String, VerifiedAt: at.String, WillingAway: flagged}})
	}
	if len(page.Entries) > limit {
		page.Entries = page.Entries[:limit]
		page.Next = cursor(page.Entries[limit-1].WorkerView)
	}
	return page, rows.Err()
}

// notDeletedWorker excludes the statuses of deleted workers and of people
// who left (Station.Leave); few are, so the subquery is small and the counts
// read only an index of statuses.
const notDeletedWorker = ` AND m.worker_id NOT IN (SELECT lower(hex(id)) FROM workers WHERE fs_deleted = 1
	UNION ALL SELECT lower(hex(id)) FROM workers WHERE rowid IN ` + leftWorker + `)`

// listCond is the condition on the month's status m for being on list:
// records.ListCondition (the lists overlap as the policy defines them).
func listCond(list string) string { return records.ListCondition(list, "m") }

// A count of statuses is the count over the month's statuses less that of
// the void ones, which are read by rowid from the void index (voidStatus; +
// keeps the planner off the month's index there): testing every status
// against the void ones would cost a look-up each.
func (s *Station) listTotal(ctx context.Context, month, list string) (int, error) {
	var n int
	err := s.r.DB().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM monthly_status m WHERE m.month = ?1 AND `+listCond(list)+` AND m.fs_deleted = 0`+notDeletedWorker+`) -
		(SELECT count(*) FROM monthly_status m WHERE m.rowid IN `+voidStatus+` AND +m.month = ?1 AND `+listCond(list)+`
			AND +m.fs_deleted = 0`+notDeletedWorker+`)`, month).Scan(&n)
	return n, err
}

// ListCounts counts each of the three lists of a month (records.ListTypes;
// they overlap: listCond).
func (s *Station) ListCounts(ctx context.Context, month string) (map[string]int, error) {
	var sums []string
	for _, l := range records.ListTypes {
		sums = append(sums, `coalesce(sum(`+listCond(l)+`), 0)`)
	}
	n := make([]int, len(records.ListTypes))
	void := make([]int, len(n))
	dest, voidDest := make([]any, len(n)), make([]any, len(n))
	for i := range n {
		dest[i], voidDest[i] = &n[i], &void[i]
	}
	cols := strings.Join(sums, ", ")
	err := s.r.DB().QueryRowContext(ctx, `SELECT `+cols+` FROM monthly_status m
		WHERE m.month = ? AND m.fs_deleted = 0`+notDeletedWorker, month).Scan(dest...)
	if err == nil {
		// The void statuses' counts are taken off (listTotal).
		err = s.r.DB().QueryRowContext(ctx, `SELECT `+cols+` FROM monthly_status m
			WHERE m.rowid IN `+voidStatus+` AND +m.month = ? AND +m.fs_deleted = 0`+notDeletedWorker, month).Scan(voidDest...)
	}
	if err != nil {
		return nil, fmt.Errorf("count lists: %w", err)
	}
	out := map[string]int{}
	for i, l := range records.ListTypes {
		out[l] = n[i] - void[i]
	}
	return out, nil
}

// Counts are the station's own figures for the home page.
type Counts struct {
	Workers      int // registered at this station
	AllWorkers   int // held by this replica
	OpenUnemp    int
	OpenGigs     int
	FollowupsDue int // people due today or overdue (DueFollowups)
}

// StationCounts counts the station's own records.
func (s *Station) StationCounts(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.r.DB().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM workers WHERE fs_deleted = 0 AND station = ?1) -
			-- the few who left, read by rowid from their index (leftWorker)
			(SELECT count(*) FROM workers WHERE rowid IN `+leftWorker+` AND +fs_deleted = 0 AND +station = ?1),
		(SELECT count(*) FROM workers WHERE fs_deleted = 0),
		(SELECT count(*) FROM unemployment_registrations WHERE station = ?1 AND `+OpenRegistration+`),
		(SELECT count(*) FROM gigs WHERE fs_deleted = 0 AND status = 'open')`,
		s.cfg.Name).Scan(&c.Workers, &c.AllWorkers, &c.OpenUnemp, &c.OpenGigs)
	if err != nil {
		return c, fmt.Errorf("count records: %w", err)
	}
	// The people DueFollowups lists today: each one's latest follow-up only.
	c.FollowupsDue, err = s.countDueFollowups(ctx, s.Today())
	return c, err
}

// GigView is a gig as read back.
type GigView struct {
	ID ident.ID `json:"id"`
	records.Gig
	Station string `json:"station"`
	// Placed is how many people the county has placed in the gig: the
	// hub's count (records.GigFill), or this station's own placements when
	// more, since those may not have reached the hub yet. Placements are
	// sent only to the stations whose people they name, so the station's
	// own count alone misses other stations' people.
	Placed int `json:"placed"`
}

func gigFromMap(id ident.ID, m map[string]any) *GigView {
	num := func(v any) float64 {
		switch x := v.(type) {
		case float64:
			return x
		case int64:
			return float64(x)
		}
		return 0
	}
	return &GigView{ID: id, Gig: records.Gig{Title: str(m["title"]), Occupation: str(m["occupation"]),
		Headcount: int64(num(m["headcount"])), Wage: num(m["wage"]), WageUnit: str(m["wage_unit"]),
		Settlement: str(m["settlement"]), Place: str(m["place"]), Address: str(m["address"]),
		StartDate: str(m["start_date"]), EndDate: str(m["end_date"]), AgeMin: int64(num(m["age_min"])),
		AgeMax: int64(num(m["age_max"])), Employer: str(m["employer"]), Contact: str(m["contact"]),
		Skills: jsonSet(str(m["skills"])), Status: str(m["status"]), ExpiresOn: str(m["expires_on"]),
		Kind: str(m["kind"]), SuitsOlder: num(m["suits_older"]) != 0, JobFairID: str(m["job_fair_id"])},
		Station: str(m["station"])}
}

// gigCols reads a gig; its placed count is the county's (GigView.Placed).
const gigCols = `g.id, g.title, g.occupation, g.headcount, g.wage, g.wage_unit, g.settlement, g.place, g.address,
	g.start_date, g.end_date, g.age_min, g.age_max, g.employer, g.contact, g.skills, g.status, g.expires_on, g.station,
	coalesce(nullif(g.kind, ''), '` + records.GigKindCasual + `'), coalesce(g.suits_older, 0), coalesce(g.job_fair_id, ''),
	max(coalesce((SELECT f.placed FROM gig_fill f WHERE f.id = g.id AND f.fs_deleted = 0), 0),
		(SELECT count(*) FROM placements p WHERE p.gig_id = lower(hex(g.id)) AND p.fs_deleted = 0 AND p.status = 'placed'))`

func scanGig(sc interface{ Scan(...any) error }) (*GigView, error) {
	var id []byte
	var title, occ, unit, settle, place, addr, start, end, emp, contact, skills, status, exp, station sql.NullString
	var head, amin, amax sql.NullInt64
	var wage sql.NullFloat64
	var placed int
	var kind, fair string
	var older bool
	if err := sc.Scan(&id, &title, &occ, &head, &wage, &unit, &settle, &place, &addr, &start, &end, &amin, &amax,
		&emp, &contact, &skills, &status, &exp, &station, &kind, &older, &fair, &placed); err != nil {
		return nil, err
	}
	g := &GigView{Gig: records.Gig{Title: title.String, Occupation: occ.String, Headcount: head.Int64,
		Wage: wage.Float64, WageUnit: unit.String, Settlement: settle.String, Place: place.String,
		Address: addr.String, StartDate: start.String, EndDate: end.String, AgeMin: amin.Int64, AgeMax: amax.Int64,
		Employer: emp.String, Contact: contact.String, Skills: jsonSet(skills.String), Status: status.String,
		ExpiresOn: exp.String, Kind: kind, SuitsOlder: older, JobFairID: fair}, Station: station.String, Placed: placed}
	copy(g.ID[:], id)
	return g, nil
}

// Gig reads one gig.
func (s *Station) Gig(ctx context.Context, id ident.ID) (*GigView, error) {
	g, err := scanGig(s.r.DB().QueryRowContext(ctx, `SELECT `+gigCols+` FROM gigs g WHERE g.id = ? AND g.fs_deleted = 0`, id[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("gig %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read gig: %w", err)
	}
	return g, nil
}

// GigPage is one page of the gig board.
type GigPage struct {
	Gigs   []*GigView `json:"gigs"`
	Total  int        `json:"total"`
	Limit  int        `json:"limit"`
	Offset int        `json:"offset"`
}

// Gigs lists gigs, newest first; status "" lists all.
func (s *Station) Gigs(ctx context.Context, status string, limit, offset int) (*GigPage, error) {
	return s.FindGigs(ctx, GigQuery{Status: status, Limit: limit, Offset: offset})
}

// GigQuery selects postings; empty fields select all.
type GigQuery struct {
	Status string
	// Kind is records.GigKindCasual (零工, also a posting without a kind)
	// or records.GigKindJob (全职).
	Kind string
	// SuitsOlder keeps the postings that suit older workers.
	SuitsOlder bool
	// JobFairID keeps the postings published at a job fair.
	JobFairID     string
	Limit, Offset int
}

// FindGigs lists the postings q selects, newest first.
func (s *Station) FindGigs(ctx context.Context, q GigQuery) (*GigPage, error) {
	limit, offset := q.Limit, q.Offset
	if limit <= 0 || limit > MaxLimit {
		limit = min(max(limit, 50), MaxLimit)
	}
	where := ` WHERE g.fs_deleted = 0`
	var args []any
	if q.Status != "" {
		where += ` AND g.status = ?`
		args = append(args, q.Status)
	}
	switch q.Kind {
	case "":
	case records.GigKindCasual:
		where += ` AND coalesce(g.kind, '') IN ('', ?)`
		args = append(args, q.Kind)
	case records.GigKindJob:
		where += ` AND g.kind = ?`
		args = append(args, q.Kind)
	default:
		return nil, &records.FieldError{Field: "kind", Key: records.KeyEnum, Args: []any{strings.Join(records.GigKinds, "、")}}
	}
	if q.SuitsOlder {
		where += ` AND g.suits_older = 1`
	}
	if q.JobFairID != "" {
		where += ` AND g.job_fair_id = ?`
		args = append(args, strings.ToLower(q.JobFairID))
	}
	page := &GigPage{Gigs: []*GigView{}, Limit: limit, Offset: offset}
	if err := s.r.DB().QueryRowContext(ctx, `SELECT count(*) FROM gigs g`+where, args...).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count gigs: %w", err)
	}
	rows, err := s.r.DB().QueryContext(ctx, `SELECT `+gigCols+` FROM gigs g`+where+` ORDER BY g.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("list gigs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		g, err := scanGig(rows)
		if err != nil {
			return nil, fmt.Errorf("list gigs: %w", err)
		}
		page.Gigs = append(page.Gigs, g)
	}
	return page, rows.Err()
}

// WorkerRecords are the records hanging off one worker, for the worker page.
type WorkerRecords struct {
	Statuses     []map[string]any
	Unemployment []map[string]any
	Jobseeker    []map[string]any
	Followups    []map[string]any
	Placements   []map[string]any
}

// Records reads the records hanging off one worker, for the worker page.
func (s *Station) Records(ctx context.Context, id ident.ID) (*WorkerRecords, error) {
	wid := id.String()
	var out WorkerRecords
	q := []struct {
		dst *[]map[string]any
		sql string
	}{
		{&out.Statuses, `SELECT * FROM monthly_status WHERE worker_id = ? AND fs_deleted = 0 ORDER BY month DESC`},
		{&out.Unemployment, `SELECT * FROM unemployment_registrations WHERE worker_id = ? AND fs_deleted = 0 ORDER BY registered_on DESC`},
		{&out.Jobseeker, `SELECT * FROM jobseeker_registrations WHERE worker_id = ? AND fs_deleted = 0 ORDER BY registered_on DESC`},
		{&out.Followups, `SELECT * FROM followups WHERE worker_id = ? AND fs_deleted = 0 ORDER BY date DESC`},
		{&out.Placements, `SELECT p.*, g.title AS gig_title FROM placements p LEFT JOIN gigs g ON g.id = unhex(p.gig_id)
			WHERE p.worker_id = ? AND p.fs_deleted = 0 ORDER BY p.placed_on DESC`},
	}
	for _, x := range q {
		rows, err := s.r.DB().QueryContext(ctx, x.sql, wid)
		if err != nil {
			return nil, fmt.Errorf("read worker records: %w", err)
		}
		m, err := rowMaps(rows)
		if err != nil {
			return nil, fmt.Errorf("read worker records: %w", err)
		}
		*x.dst = m
	}
	return &out, nil
}

// rowMaps reads rows as maps keyed by column name; ids become hex and the
// merge metadata is left out.
func rowMaps(rows *sql.Rows) ([]map[string]any, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := make(map[string]any, len(cols))
		for i, c := range cols {
			switch {
			case c == replica.MetaColumn || c == replica.DeletedColumn:
				continue
			case c == "id":
				var id ident.ID
				b, _ := vals[i].([]byte)
				copy(id[:], b)
				m[c] = id.String()
			default:
				if b, ok := vals[i].([]byte); ok {
					m[c] = string(b)
				} else {
					m[c] = vals[i]
				}
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Conflicts returns a row's columns in conflict and the values of their heads.
func (s *Station) Conflicts(ctx context.Context, table string, id ident.ID) (map[string][]any, error) {
	heads, err := s.r.Heads(ctx, table, id)
	if errors.Is(err, replica.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read heads: %w", err)
	}
	out := map[string][]any{}
	for _, h := range heads {
		// Which station registered a record, and who entered it, are
		// bookkeeping: two stations that both registered a person offline are
		// not a conflict staff can settle.
		if !h.Conflict || records.Bookkeeping(h.Column) {
			continue
		}
		for _, v := range h.Heads {
			out[h.Column] = append(out[h.Column], v.Value)
		}
	}
	return out, nil
}

// JobFairOption is a job fair as a posting's form offers it.
type JobFairOption struct {
	ID     ident.ID `json:"id"`
	Title  string   `json:"title"`
	HeldOn string   `json:"held_on"`
}

// JobFairOptions lists the job fairs the station holds, the latest first:
// the fairs a gig or job may name (job_fair_id).
func (s *Station) JobFairOptions(ctx context.Context) ([]JobFairOption, error) {
	rows, err := s.r.DB().QueryContext(ctx, `SELECT id, title, held_on FROM job_fairs WHERE fs_deleted = 0
		ORDER BY held_on DESC, title, id`)
	if err != nil {
		return nil, fmt.Errorf("list job fairs: %w", err)
	}
	defer rows.Close()
	var out []JobFairOption
	for rows.Next() {
		var raw []byte
		var o JobFairOption
		if err := rows.Scan(&raw, &o.Title, &o.HeldOn); err != nil {
			return nil, fmt.Errorf("list job fairs: %w", err)
		}
		copy(o.ID[:], raw)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list job fairs: %w", err)
	}
	return out, nil
}
