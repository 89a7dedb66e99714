package report

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"fieldsync/records"
)

// livePeople is People from the facts Live keeps: the people a query
// selects are found in memory (the rules of Live.rows and monthRow.add,
// which TestLivePeopleAgrees holds to the SQL of peopleFrom), ordered by
// village, name (NULL first) and id as peopleFrom orders them, and only the
// page's rows are read from the tables, by id. A drill-down over the whole
// county then reads a page's rows instead of joining and sorting 200,000.
func livePeople(ctx context.Context, db *sql.DB, l *Live, q PeopleQuery, opt Options) (*PeoplePage, error) {
	p, err := parsePeriod(q.Month)
	if err != nil {
		return nil, err
	}
	if _, _, err := peopleFrom(q, opt); err != nil { // the same checks of every filter
		return nil, err
	}
	if err := l.Sync(ctx); err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	ids := l.selectPeople(p, q, opt)
	page := &PeoplePage{People: []Person{}, Total: len(ids), Limit: q.Limit, Offset: q.Offset}
	if q.Offset >= len(ids) {
		return page, nil
	}
	ids = ids[q.Offset:min(len(ids), q.Offset+q.Limit)]
	list, _ := json.Marshal(ids)
	args := append(p.args(opt), sql.Named("ids", string(list)))
	from := `FROM workers w LEFT JOIN monthly_status s ON s.worker_id = lower(hex(w.id)) AND s.month = :month
		AND ` + latestStatus("s") + ` WHERE w.id IN (SELECT unhex(value) FROM json_each(:ids))`
	byID := map[string]Person{}
	if err := scanPeople(ctx, db, from, args, q.Month, opt, false, func(x *Person) error {
		byID[x.ID] = *x
		return nil
	}); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if x, ok := byID[id]; ok {
			page.People = append(page.People, x)
		}
	}
	return page, nil
}

// selectPeople returns the hex ids of the people q selects in p, in the order of
// peopleFrom.
func (l *Live) selectPeople(p period, q PeopleQuery, opt Options) []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	curOf, prevOf := l.statusesOf(p)
	older := l.olderRule(p, opt)
	norm := l.norms()
	first, last, sixFirst := datePart(p.First), datePart(p.Last), datePart(p.SixFirst)
	list := records.NormalizeList(q.List)
	var out []int32
	for _, i32 := range l.peopleOrder() {
		i := int(i32)
		w := &l.workers[i]
		if w.flags&wExists == 0 || !strings.HasPrefix(l.strs.str[w.village], q.Area) {
			continue
		}
		poverty, monitored := w.flags&wPoverty != 0, w.flags&wMonitored != 0
		switch q.Group {
		case GroupPoverty:
			if !poverty {
				continue
			}
		case GroupMonitored:
			if !monitored {
				continue
			}
		case GroupEither:
			if !poverty && !monitored {
				continue
			}
		}
		if q.Older && !older(i) {
			continue
		}
		switch q.Gap {
		case GapMonth:
			if !(poverty || monitored) || w.countBetween(first, last, p.First, p.Last) > 0 {
				continue
			}
		case GapSixMonths:
			if !(poverty || monitored) || w.countBetween(sixFirst, last, p.SixFirst, p.Last) > 0 {
				continue
			}
		}
		var cs, ps *liveStatus
		if i < len(curOf) && curOf[i].set {
			cs = &curOf[i]
		}
		if i < len(prevOf) {
			ps = &prevOf[i]
		}
		x := l.monthOf(i, cs, ps, norm, p.First, p.Last)
		switch {
		case q.List == "":
		case q.List == NoStatus:
			if x.cur.set {
				continue
			}
		case list == records.ListWillingAway:
			if !x.cur.set || !x.cur.willing {
				continue
			}
		default:
			if !x.cur.set || x.cur.list != list {
				continue
			}
		}
		if (q.Flow != "" || q.Registration != "" || q.Quality != "") && !monthMatch(&x, q) {
			continue
		}
		switch sc := x.cur.scope; q.Scope {
		case ScopeAway:
			if !x.cur.set || !outsideCounty(sc) {
				continue
			}
		case ScopeOutsideRegion:
			if !x.cur.set || sc != records.ScopeAway {
				continue
			}
		case ScopeInCounty:
			if !x.cur.set || sc != scopeVillage && sc != scopeInCounty {
				continue
			}
		}
		out = append(out, int32(i))
	}
	ids := make([]string, len(out))
	for k, i := range out {
		ids[k] = l.names[i].id
	}
	return ids
}

// monthMatch reports whether a worker's month facts pass q's Flow,
// Registration and Quality filters (monthRow.add's rules).
func monthMatch(x *workerMonth, q PeopleQuery) bool {
	var r monthRow
	r.add(x, 1)
	var flow, reg, quality bool
	switch q.Flow {
	case "":
		flow = true
	case FlowToUnemployed:
		flow = r.flows.ToUnemployed == 1
	case FlowToEmployed:
		flow = r.flows.ToEmployed == 1
	case FlowNewWillingAway:
		flow = r.flows.NewWillingAway == 1
	case FlowReturned:
		flow = r.flows.Returned == 1
	}
	switch q.Registration {
	case "":
		reg = true
	case RegUnemploymentNew:
		reg = x.uNew
	case RegUnemploymentClosed:
		reg = x.uClosed
	case RegUnemploymentOpen:
		reg = x.uOpen
	case RegJobseekerNew:
		reg = x.jNew
	}
	switch q.Quality {
	case "":
		quality = true
	case QualityNoPhone:
		quality = x.noPhone
	case QualityUnverified:
		quality = r.quality.Unverified == 1
	}
	return flow && reg && quality
}

// peopleOrder is every worker in the drill-down's order: by village, name
// (NULL first) and id, as peopleFrom orders them. It is sorted again only
// after workers' rows changed; the caller holds l.mu for reading.
func (l *Live) peopleOrder() []int32 {
	l.orderMu.Lock()
	defer l.orderMu.Unlock()
	if l.order != nil && l.orderVersion == l.workersVersion && len(l.order) == len(l.workers) {
		return l.order
	}
	order := make([]int32, len(l.workers))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		x, y := &l.names[a], &l.names[b]
		if c := strings.Compare(l.strs.str[l.workers[a].village], l.strs.str[l.workers[b].village]); c != 0 {
			return c
		}
		if x.nameNull != y.nameNull {
			if x.nameNull {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(x.name, y.name), strings.Compare(x.id, y.id))
	})
	l.order, l.orderVersion = order, l.workersVersion
	return order
}

// olderRule is the older-worker rule of Live.rows for p and opt, by worker.
func (l *Live) olderRule(p period, opt Options) func(i int) bool {
	maleCut, femaleCut := p.cutoff(opt.Older.Male), p.cutoff(opt.Older.Female)
	maleNum, femaleNum := int32(-1), int32(-1)
	if v, ok := digits8(maleCut); ok {
		maleNum = v
	}
	if v, ok := digits8(femaleCut); ok {
		femaleNum = v
	}
	return func(i int) bool {
		w := &l.workers[i]
		male := w.flags&wMale != 0
		switch cut := femaleNum; {
		case w.birth == -2:
			ct := femaleCut
			if male {
				ct = maleCut
			}
			return l.oddBirth[int32(i)] <= ct
		case w.birth >= 0:
			if male {
				cut = maleNum
			}
			return cut >= 0 && w.birth <= cut
		}
		return false
	}
}
