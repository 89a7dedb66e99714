package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"fieldsync/records"
)

// The placement programmes' figures of a month (ProgrammeFigures): read by
// SQL from the programme tables, which hold a few per cent of the workers
// (each read drives from the programme table through the workers' primary
// key, and the month's statuses through their (worker_id, month) index), so
// they need no Live facts of their own. docs/REPORTS.md defines each.

// ProgrammeGroups are the groups (worker tags) the programme figures break
// people down by, in order.
var ProgrammeGroups = []string{GroupPoverty, GroupMonitored, records.Tags[0], records.Tags[3]} // 农民工, 残疾

// ProgrammeFigures are the placement programmes of the month: who holds a
// 乡村公益性岗位, works in a 就业帮扶车间, is shared (共享用工), works on a
// 以工代赈 project, was sent out (有组织劳务输出). Every figure counts rows
// not deleted, of registered workers (not deleted, not left) only, each
// person once.
type ProgrammeFigures struct {
	Welfare    WelfareFigures    `json:"welfare"`
	Workshops  WorkshopFigures   `json:"workshops"`
	Shared     SharedFigures     `json:"shared"`
	WorkRelief WorkReliefFigures `json:"work_relief"`
	Export     ExportFigures     `json:"export"`
	// NotEmployed counts the people with a welfare placement or a workshop
	// job active in the month whose status of the month is missing (none,
	// or only void or deleted ones) or not 就业: a data gap, as the three
	// lists count such people only through their status.
	NotEmployed int `json:"not_employed"`
}

// WelfareCounts are the welfare-post figures of the county or of one
// 苏木乡镇 (the person's residence).
type WelfareCounts struct {
	// People counts the people with a placement active in the month: its
	// contract_start on or before the month's last day and its last day
	// (records.WelfarePlacement.Until: the day before exit_on, else
	// contract_end) on or after the first.
	People int `json:"people"`
	// ByGroup counts People by ProgrammeGroups (a person in two groups is
	// in both).
	ByGroup []Bucket `json:"by_group"`
	// ContractsEnding counts the people with an active placement whose
	// contract_end is in the month.
	ContractsEnding int `json:"contracts_ending"`
	// Exits counts the people with a placement whose exit_on is in the
	// month; ExitsByReason by exit_reason (records.WelfareExitReasons,
	// then any other, 未填 for none).
	Exits         int      `json:"exits"`
	ExitsByReason []Bucket `json:"exits_by_reason"`
	// Assessed counts the people with an assessment of the month (its
	// month column) of a placement not deleted; ByResult by result
	// (records.AssessmentResults, then any other).
	Assessed int      `json:"assessed"`
	ByResult []Bucket `json:"by_result"`
}

// WelfareArea is the welfare figures of one 苏木乡镇 ("" for people without
// a residence village).
type WelfareArea struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
	WelfareCounts
}

// WelfareFigures are the county's welfare-post figures and by 苏木乡镇, in
// code order.
type WelfareFigures struct {
	WelfareCounts
	ByTownship []WelfareArea `json:"by_township"`
}

// WorkshopFigures are the 就业帮扶车间 of the county: a job counts when
// active in the month (start_on on or before its last day, end_on empty
// or on or after its first) and its workshop is not deleted.
type WorkshopFigures struct {
	Workshops  int           `json:"workshops"`   // workshops not deleted
	WithPeople int           `json:"with_people"` // of them, employing someone in the month
	People     int           `json:"people"`      // people with an active job
	Poverty    int           `json:"poverty"`     // of them 脱贫人口
	ByWorkshop []WorkshopRow `json:"by_workshop"` // every workshop, by village code then name
}

// WorkshopRow is one workshop and whom it employs in the month.
type WorkshopRow struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Village     string `json:"village"`
	VillageName string `json:"village_name,omitempty"`
	People      int    `json:"people"`
	Poverty     int    `json:"poverty"`
}

// SharedFigures are the 共享用工 agreements active in the month (start_on on
// or before its last day, end_on empty or on or after its first).
type SharedFigures struct {
	Agreements int          `json:"agreements"`
	People     int          `json:"people"`
	ByHost     []SharedHost `json:"by_host"` // most agreements first, then by name
}

// SharedHost is one host employer's agreements active in the month and
// the people they share.
type SharedHost struct {
	Host       string `json:"host"`
	Agreements int    `json:"agreements"`
	People     int    `json:"people"`
}

// WorkReliefFigures are the 以工代赈 people and pay: People have a job
// active in the month (start_on on or before its last day, end_on empty or
// on or after its first); PayMonth sums the pay of the jobs paid (paid_on)
// in the month, PayYear of those paid from 1 January of its year through
// its last day. Jobs of deleted projects do not count.
type WorkReliefFigures struct {
	People    int             `json:"people"`
	PayMonth  float64         `json:"pay_month"`
	PayYear   float64         `json:"pay_year"`
	ByProject []WorkReliefRow `json:"by_project"` // projects with people or pay, by name
}

// WorkReliefRow is one project's people and pay.
type WorkReliefRow struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	People   int     `json:"people"`
	PayMonth float64 `json:"pay_month"`
	PayYear  float64 `json:"pay_year"`
}

// ExportFigures are the people sent out in the month: members (not
// deleted) of export batches (not deleted) whose sent_on is in the month.
type ExportFigures struct {
	Batches       int      `json:"batches"` // batches sent in the month with a member counted
	People        int      `json:"people"`
	ByDestination []Bucket `json:"by_destination"` // most first
	ByPartner     []Bucket `json:"by_partner"`     // partner region's name; 无 without one
	ByGroup       []Bucket `json:"by_group"`       // ProgrammeGroups
	ByTownship    []Bucket `json:"by_township"`    // the person's 苏木乡镇 code, by code
}

// NoPartner labels the people of batches with no partner region.
const NoPartner = "无"

// progWorker is what the programme queries read of a worker.
type progWorker struct {
	village string
	groups  [4]bool // ProgrammeGroups
}

func tagExpr(tag string) string {
	return `(coalesce(instr(w.tags, '"` + tag + `"'), 0) > 0)`
}

// progWorkerCols are a worker's columns progWorker reads.
var progWorkerCols = villageExpr + `, ` + tagExpr(ProgrammeGroups[0]) + `, ` + tagExpr(ProgrammeGroups[1]) + `, ` +
	tagExpr(ProgrammeGroups[2]) + `, ` + tagExpr(ProgrammeGroups[3])

// workerJoin joins the counted worker w of a programme row x; with Live
// there is none (progWorkerCols are then blanks, and Live.programmeWorker
// answers).
func workerJoin(opt Options, live *Live) string {
	if live != nil {
		return ""
	}
	return ` CROSS JOIN workers w ON w.id = unhex(x.worker_id) AND +w.fs_deleted = 0 AND w.left_reason IS NULL` +
		stationOnly(opt, "w")
}

// noWorkerCols stand for progWorkerCols when Live answers.
const noWorkerCols = `'', 0, 0, 0, 0`

// programmeWorker is what Live knows of the worker with hex id: their
// village and groups, and whether they count (present, not deleted, not
// left).
func (l *Live) programmeWorker(id string) (progWorker, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	i, ok := l.ids[id]
	if !ok {
		return progWorker{}, false
	}
	w := &l.workers[i]
	if w.flags&wExists == 0 {
		return progWorker{}, false
	}
	return progWorker{village: l.strs.str[w.village], groups: [4]bool{w.flags&wPoverty != 0, w.flags&wMonitored != 0,
		w.flags&wMigrant != 0, w.flags&wDisabled != 0}}, true
}

// activeExpr is a row x's period (start, end columns; an empty end is
// open) overlapping the month.
func activeExpr(start, end string) string {
	return `(x.` + start + ` <= :last AND (coalesce(x.` + end + `, '') = '' OR x.` + end + ` >= :first))`
}

// welfareUntil is records.WelfarePlacement.Until over a placement x.
const welfareUntil = `(CASE WHEN coalesce(x.exit_on, '') <> '' THEN date(x.exit_on, '-1 day') ELSE x.contract_end END)`

// placedPeople selects the ids (blobs) of the people with a welfare
// placement or a workshop job (of a workshop not deleted) active in the
// month: the data gap's people, as queryProgrammes reads them.
const placedPeople = `SELECT unhex(x.worker_id) FROM welfare_placements x WHERE x.fs_deleted = 0
	AND x.contract_start <= :last AND ` + welfareUntil + ` >= :first
	UNION SELECT unhex(x.worker_id) FROM workshop_jobs x CROSS JOIN workshops ws ON ws.id = unhex(x.workshop_id)
	AND ws.fs_deleted = 0 WHERE x.fs_deleted = 0 AND (x.start_on <= :last AND (coalesce(x.end_on, '') = '' OR x.end_on >= :first))`

// tally counts distinct people by key.
type tally map[string]map[string]bool

func (t tally) add(key, person string) {
	m := t[key]
	if m == nil {
		m = map[string]bool{}
		t[key] = m
	}
	m[person] = true
}

func (t tally) count(key string) int { return len(t[key]) }

// buckets are t's counts: the known keys in order (zeros too), then any
// other key (sorted; "" as empty).
func (t tally) buckets(known []string, empty string) []Bucket {
	out := make([]Bucket, 0, len(known))
	for _, k := range known {
		out = append(out, Bucket{Key: k, Count: t.count(k)})
	}
	for _, k := range sortedKeys(t) {
		if slices.Contains(known, k) {
			continue
		}
		label := k
		if k == "" {
			label = empty
		}
		out = append(out, Bucket{Key: label, Count: t.count(k)})
	}
	return out
}

// mostFirst orders buckets by count, most first, then by key.
func mostFirst(b []Bucket) []Bucket {
	sort.SliceStable(b, func(i, j int) bool {
		if b[i].Count != b[j].Count {
			return b[i].Count > b[j].Count
		}
		return b[i].Key < b[j].Key
	})
	return b
}

// welfareTally gathers one area's welfare people.
type welfareTally struct {
	people, ending, exits, assessed tally // keyed "" (everyone)
	groups, reasons, results        tally
}

func newWelfareTally() *welfareTally {
	return &welfareTally{tally{}, tally{}, tally{}, tally{}, tally{}, tally{}, tally{}}
}

func (t *welfareTally) counts() WelfareCounts {
	return WelfareCounts{
		People: t.people.count(""), ByGroup: t.groups.buckets(ProgrammeGroups, NotRecorded),
		ContractsEnding: t.ending.count(""),
		Exits:           t.exits.count(""), ExitsByReason: t.reasons.buckets(records.WelfareExitReasons, NotRecorded),
		Assessed: t.assessed.count(""), ByResult: t.results.buckets(records.AssessmentResults, NotRecorded),
	}
}

// queryProgrammes counts the month's programme figures.
// Names are left to name, so that the query may run beside the one that
// reads them.
// With live (usable for p), the placed people's statuses of the month come
// from its facts instead of the table.
func queryProgrammes(ctx context.Context, db queryer, p period, opt Options, live *Live) (ProgrammeFigures, error) {
	var f ProgrammeFigures
	args := stationArgs(append(p.args(opt), sql.Named("year_first", p.Month[:4]+"-01-01")), opt)
	each := func(what, q string, scan func(rows *sql.Rows) error) error {
		rows, err := db.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("count %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("count %s: %w", what, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("count %s: %w", what, err)
		}
		return nil
	}
	var w progWorker
	var id string
	wdest := func(more ...any) []any {
		return append([]any{&id, &w.village, &w.groups[0], &w.groups[1], &w.groups[2], &w.groups[3]}, more...)
	}
	cols, join := progWorkerCols, workerJoin(opt, live)
	if live != nil {
		cols = noWorkerCols
	}
	// counted scans a row into dest and reports whether its worker counts
	// (from Live when it answers; the join has kept only those otherwise).
	counted := func(rows *sql.Rows, dest []any) (bool, error) {
		if err := rows.Scan(dest...); err != nil {
			return false, err
		}
		if live == nil {
			return true, nil
		}
		var ok bool
		w, ok = live.programmeWorker(id)
		return ok, nil
	}
	// The people whose month's status the data gap asks for.
	placed := map[string]bool{}

	// 乡村公益性岗位: placements, then assessments.
	county, towns := newWelfareTally(), map[string]*welfareTally{}
	both := func(village string, fn func(t *welfareTally)) {
		fn(county)
		tc := township(village)
		t := towns[tc]
		if t == nil {
			t = newWelfareTally()
			towns[tc] = t
		}
		fn(t)
	}
	var active, ending, exited bool
	var reason string
	err := each("welfare placements", `SELECT x.worker_id, `+cols+`,
		coalesce(x.contract_start <= :last AND `+welfareUntil+` >= :first, 0),
		coalesce(x.contract_end >= :first AND x.contract_end <= :last AND x.contract_start <= :last AND `+welfareUntil+` >= :first, 0),
		coalesce(x.exit_on >= :first AND x.exit_on <= :last, 0), coalesce(x.exit_reason, '')
		FROM welfare_placements x`+join+` WHERE x.fs_deleted = 0`, func(rows *sql.Rows) error {
		if ok, err := counted(rows, wdest(&active, &ending, &exited, &reason)); err != nil || !ok {
			return err
		}
		both(w.village, func(t *welfareTally) {
			if active {
				t.people.add("", id)
				for i, in := range w.groups {
					if in {
						t.groups.add(ProgrammeGroups[i], id)
					}
				}
			}
			if ending {
				t.ending.add("", id)
			}
			if exited {
				t.exits.add("", id)
				t.reasons.add(reason, id)
			}
		})
		if active {
			placed[id] = true
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	var result string
	err = each("welfare assessments", `SELECT x.worker_id, `+cols+`, coalesce(x.result, '')
		FROM welfare_assessments x`+join+` WHERE x.fs_deleted = 0 AND x.month = :month
		AND EXISTS (SELECT 1 FROM welfare_placements pl WHERE pl.id = unhex(x.placement_id) AND pl.fs_deleted = 0)`,
		func(rows *sql.Rows) error {
			if ok, err := counted(rows, wdest(&result)); err != nil || !ok {
				return err
			}
			both(w.village, func(t *welfareTally) {
				t.assessed.add("", id)
				t.results.add(result, id)
			})
			return nil
		})
	if err != nil {
		return f, err
	}
	f.Welfare.WelfareCounts = county.counts()
	f.Welfare.ByTownship = []WelfareArea{}
	for _, tc := range sortedKeys(towns) {
		f.Welfare.ByTownship = append(f.Welfare.ByTownship, WelfareArea{Code: tc, WelfareCounts: towns[tc].counts()})
	}

	// 就业帮扶车间.
	shops := map[string]*WorkshopRow{}
	var shopOrder []string
	err = each("workshops", `SELECT lower(hex(x.id)), coalesce(x.name, ''), coalesce(x.village, '') FROM workshops x
		WHERE x.fs_deleted = 0 ORDER BY coalesce(x.village, ''), coalesce(x.name, ''), x.id`, func(rows *sql.Rows) error {
		r := &WorkshopRow{}
		if err := rows.Scan(&r.ID, &r.Name, &r.Village); err != nil {
			return err
		}
		shops[r.ID] = r
		shopOrder = append(shopOrder, r.ID)
		return nil
	})
	if err != nil {
		return f, err
	}
	shopPeople, shopPoor, allPeople, allPoor := tally{}, tally{}, tally{}, tally{}
	var shop string
	err = each("workshop jobs", `SELECT x.worker_id, `+cols+`, x.workshop_id
		FROM workshop_jobs x`+join+` WHERE x.fs_deleted = 0 AND `+activeExpr("start_on", "end_on"), func(rows *sql.Rows) error {
		if ok, err := counted(rows, wdest(&shop)); err != nil || !ok {
			return err
		}
		if shops[shop] == nil {
			return nil // a deleted (or unknown) workshop
		}
		shopPeople.add(shop, id)
		allPeople.add("", id)
		if w.groups[0] {
			shopPoor.add(shop, id)
			allPoor.add("", id)
		}
		placed[id] = true
		return nil
	})
	if err != nil {
		return f, err
	}
	wf := &f.Workshops
	wf.Workshops, wf.People, wf.Poverty = len(shops), allPeople.count(""), allPoor.count("")
	wf.ByWorkshop = []WorkshopRow{}
	for _, k := range shopOrder {
		r := shops[k]
		r.People, r.Poverty = shopPeople.count(k), shopPoor.count(k)
		if r.People > 0 {
			wf.WithPeople++
		}
		wf.ByWorkshop = append(wf.ByWorkshop, *r)
	}

	// 共享用工.
	hosts, sharedPeople, hostPeople := map[string]int{}, tally{}, tally{}
	var host string
	err = each("shared employment", `SELECT x.worker_id, `+cols+`, coalesce(x.host_employer, '')
		FROM shared_employment x`+join+` WHERE x.fs_deleted = 0 AND `+activeExpr("start_on", "end_on"), func(rows *sql.Rows) error {
		if ok, err := counted(rows, wdest(&host)); err != nil || !ok {
			return err
		}
		f.Shared.Agreements++
		hosts[host]++
		sharedPeople.add("", id)
		hostPeople.add(host, id)
		return nil
	})
	if err != nil {
		return f, err
	}
	f.Shared.People = sharedPeople.count("")
	f.Shared.ByHost = []SharedHost{}
	for _, h := range sortedKeys(hosts) {
		f.Shared.ByHost = append(f.Shared.ByHost, SharedHost{Host: h, Agreements: hosts[h], People: hostPeople.count(h)})
	}
	sort.SliceStable(f.Shared.ByHost, func(i, j int) bool {
		return f.Shared.ByHost[i].Agreements > f.Shared.ByHost[j].Agreements
	})

	// 以工代赈.
	projects := map[string]*WorkReliefRow{}
	reliefPeople, projectPeople := tally{}, tally{}
	var project, pname string
	var pay float64
	var inMonth, inYear bool
	err = each("work-relief jobs", `SELECT x.worker_id, `+cols+`, x.project_id, coalesce(pr.name, ''),
		coalesce(`+activeExpr("start_on", "end_on")+`, 0), coalesce(x.pay, 0),
		coalesce(x.paid_on >= :first AND x.paid_on <= :last, 0), coalesce(x.paid_on >= :year_first AND x.paid_on <= :last, 0)
		FROM work_relief_jobs x`+join+`
		CROSS JOIN work_relief_projects pr ON pr.id = unhex(x.project_id) AND pr.fs_deleted = 0
		WHERE x.fs_deleted = 0`, func(rows *sql.Rows) error {
		if ok, err := counted(rows, wdest(&project, &pname, &active, &pay, &inMonth, &inYear)); err != nil || !ok {
			return err
		}
		if !active && !inYear {
			return nil
		}
		r := projects[project]
		if r == nil {
			r = &WorkReliefRow{ID: project, Name: pname}
			projects[project] = r
		}
		if active {
			reliefPeople.add("", id)
			projectPeople.add(project, id)
		}
		if inMonth {
			r.PayMonth += pay
			f.WorkRelief.PayMonth += pay
		}
		if inYear {
			r.PayYear += pay
			f.WorkRelief.PayYear += pay
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	f.WorkRelief.People = reliefPeople.count("")
	f.WorkRelief.ByProject = []WorkReliefRow{}
	for _, k := range sortedKeys(projects) {
		r := projects[k]
		r.People = projectPeople.count(k)
		f.WorkRelief.ByProject = append(f.WorkRelief.ByProject, *r)
	}
	sort.SliceStable(f.WorkRelief.ByProject, func(i, j int) bool {
		a, b := f.WorkRelief.ByProject[i], f.WorkRelief.ByProject[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})

	// 有组织劳务输出.
	sent, dest, partner, group, town, batches := tally{}, tally{}, tally{}, tally{}, tally{}, map[string]bool{}
	var batch, destination, region string
	err = each("export members", `SELECT x.worker_id, `+cols+`, x.batch_id, coalesce(b.destination, ''),
		coalesce(r.name, '')
		FROM export_members x`+join+`
		CROSS JOIN export_batches b ON b.id = unhex(x.batch_id) AND b.fs_deleted = 0 AND b.sent_on >= :first AND b.sent_on <= :last
		LEFT JOIN partner_regions r ON r.id = unhex(b.partner_region_id) AND r.fs_deleted = 0
		WHERE x.fs_deleted = 0`, func(rows *sql.Rows) error {
		if ok, err := counted(rows, wdest(&batch, &destination, &region)); err != nil || !ok {
			return err
		}
		batches[batch] = true
		sent.add("", id)
		dest.add(destination, id)
		if region == "" {
			region = NoPartner
		}
		partner.add(region, id)
		for i, in := range w.groups {
			if in {
				group.add(ProgrammeGroups[i], id)
			}
		}
		town.add(township(w.village), id)
		return nil
	})
	if err != nil {
		return f, err
	}
	e := &f.Export
	e.Batches, e.People = len(batches), sent.count("")
	e.ByDestination = mostFirst(dest.buckets(nil, NotRecorded))
	e.ByPartner = mostFirst(partner.buckets(nil, NotRecorded))
	e.ByGroup = group.buckets(ProgrammeGroups, NotRecorded)
	e.ByTownship = []Bucket{}
	for _, k := range sortedKeys(town) {
		e.ByTownship = append(e.ByTownship, Bucket{Key: k, Count: town.count(k)})
	}

	// The data gap: the placed people's statuses of the month.
	if len(placed) > 0 && live != nil {
		ids := make([]string, 0, len(placed))
		for k := range placed {
			ids = append(ids, k)
		}
		f.NotEmployed = len(placed) - live.employedOf(p, ids)
	} else if len(placed) > 0 {
		ids := make([]string, 0, len(placed))
		for k := range placed {
			ids = append(ids, k)
		}
		list, _ := json.Marshal(ids)
		args = append(args, sql.Named("ids", string(list)))
		employed := 0
		var lt string
		var willing bool
		err = each("statuses of placed people", `SELECT s.worker_id, coalesce(s.list_type, ''), coalesce(s.willing_away, 0) = 1,
			max(coalesce(s.verified_at, '') || char(1) || hex(s.id))
			FROM monthly_status s WHERE s.worker_id IN (SELECT value FROM json_each(:ids)) AND s.month = :month
			AND s.fs_deleted = 0 AND s.void_reason IS NULL GROUP BY s.worker_id`, func(rows *sql.Rows) error {
			var latest string
			if err := rows.Scan(&id, &lt, &willing, &latest); err != nil {
				return err
			}
			if l, _ := records.StatusList(lt, willing); l == records.ListEmployed {
				employed++
			}
			return nil
		})
		if err != nil {
			return f, err
		}
		f.NotEmployed = len(placed) - employed
	}
	return f, nil
}

// employedOf counts the people of ids (hex worker ids) whose status of p's
// month, as statusOf picks it, is on the 就业 list.
func (l *Live) employedOf(p period, ids []string) int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	cur, _ := l.statusesOf(p)
	n := 0
	for _, id := range ids {
		i, ok := l.ids[id]
		if !ok || int(i) >= len(cur) || !cur[i].set {
			continue
		}
		if list, _ := records.StatusList(l.strs.str[cur[i].list], cur[i].willing); list == records.ListEmployed {
			n++
		}
	}
	return n
}

// name gives the areas of p their names.
func (p *ProgrammeFigures) name(names areaNameMap) {
	for i := range p.Welfare.ByTownship {
		p.Welfare.ByTownship[i].Name = names.name(p.Welfare.ByTownship[i].Code)
	}
	for i := range p.Workshops.ByWorkshop {
		p.Workshops.ByWorkshop[i].VillageName = names.name(p.Workshops.ByWorkshop[i].Village)
	}
}
