package e2e

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
)

// boundRapid makes rapid run checks cases, shrink for at most shrink and
// write no fail file into the source tree (the seed it prints reproduces a
// failure), unless the command line or the environment says otherwise:
// each case here is a whole county on loopback.
func boundRapid(t *testing.T, checks int, shrink string) {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, v := range map[string]string{"rapid.checks": fmt.Sprint(checks), "rapid.shrinktime": shrink,
		"rapid.nofailfile": "true"} {
		env := "RAPID_" + strings.ToUpper(strings.TrimPrefix(name, "rapid."))
		f := flag.Lookup(name)
		if f == nil || set[name] || os.Getenv(env) != "" {
			continue
		}
		old := f.Value.String()
		if err := flag.Set(name, v); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { flag.Set(name, old) })
	}
}

// trustModel is what the hub must hold after a sequence of actions of
// hostile stations: a row changes only by a station allowed to change it
// (a worker and its records by the station that registered it, a gig by
// the station that posted it).
type trustModel struct {
	workers  []*modelWorker
	byID     map[ident.ID]*modelWorker
	statuses map[ident.ID]*modelStatus
	gigs     []*modelGig
	refused  []refusalAt
}

type modelWorker struct {
	id      ident.ID
	owner   int
	name    string
	deleted bool
}

type modelStatus struct {
	worker *modelWorker
	list   any // nil while no allowed station wrote it
}

type modelGig struct {
	id     ident.ID
	poster int
	title  string
}

// refusalAt is a change the hub must have refused: station, table, row.
type refusalAt struct {
	station int
	table   string
	row     ident.ID
}

// Random changes from random stations of a county, each sent by a hostile
// client holding that station's code: after each batch the hub holds
// exactly what the allowed changes made (the refused ones changed nothing,
// and pulled nothing into a scope); at the end every station holds the
// hub's values of every row it may see, and nothing of another station's
// workers.
func TestTrustProperty(t *testing.T) {
	boundRapid(t, 6, "5s")
	names := []string{"站A", "站B", "站C"}
	rapid.Check(t, func(rt *rapid.T) {
		h := hubtest.NewServer(t, "http", hub.Options{})
		defer h.Stop()
		hr := h.Hub.Replica()
		workersTbl, _ := hr.Schema().Table(records.Workers)
		sts := make([]*hubtest.Hostile, len(names))
		m := &trustModel{byID: map[ident.ID]*modelWorker{}, statuses: map[ident.ID]*modelStatus{}}
		for i, n := range names {
			sts[i] = hubtest.NewHostile(t, h, h.Enroll(n))
			sts[i].Connect()
			g := hubtest.WithStation(hubtest.FullGig(hubtest.NewRowID(t), 5), n)
			sts[i].Do(g)
			m.gigs = append(m.gigs, &modelGig{id: g.Row, poster: i, title: "剪羊毛"})
		}
		key := sts[0].Enr.Key

		check := func(after string) {
			for _, w := range m.workers {
				if got := hubtest.StationValue(t, hr, records.Workers, w.id, "name"); got != w.name {
					rt.Fatalf("%s: the hub holds name %v of %s's worker %s, want %v", after, got, names[w.owner], hubtest.Short(w.id.String()), w.name)
				}
				want := int64(0)
				if w.deleted {
					want = 1
				}
				if got := hubtest.StationValue(t, hr, records.Workers, w.id, replica.DeletedColumn); got != want {
					rt.Fatalf("%s: %s's worker %s: %s %v, want %v", after, names[w.owner], hubtest.Short(w.id.String()), replica.DeletedColumn, got, want)
				}
				for i, n := range names {
					if in := h.Hub.ScopeFilter(n)(workersTbl, w.id); in != (i == w.owner) {
						rt.Fatalf("%s: %s's worker %s in %s's scope: %v", after, names[w.owner], hubtest.Short(w.id.String()), n, in)
					}
				}
			}
			for id, st := range m.statuses {
				if got := hubtest.StationValue(t, hr, records.MonthlyStatus, id, "list_type"); got != st.list {
					rt.Fatalf("%s: the hub holds list type %v of %s's worker, want %v", after, got, names[st.worker.owner], st.list)
				}
			}
			for _, g := range m.gigs {
				if got := hubtest.StationValue(t, hr, records.Gigs, g.id, "title"); got != g.title {
					rt.Fatalf("%s: the hub holds title %v of %s's gig, want %v", after, got, names[g.poster], g.title)
				}
			}
		}
		check("at the start")

		live := func() []*modelWorker {
			var out []*modelWorker
			for _, w := range m.workers {
				if !w.deleted {
					out = append(out, w)
				}
			}
			return out
		}
		steps := rapid.IntRange(1, 10).Draw(rt, "steps")
		for step := range steps {
			s := rapid.IntRange(0, len(names)-1).Draw(rt, "station")
			refusedBefore := len(m.refused)
			action := rapid.SampledFrom([]string{"create", "edit", "delete", "status", "gig"}).Draw(rt, "action")
			if action != "create" && action != "gig" && len(live()) == 0 {
				action = "create"
			}
			var edit replica.Edit
			var desc string
			switch action {
			case "create":
				name := fmt.Sprintf("%s的第%d人", names[s], step)
				edit = hostileWorker(t, key, hubtest.IDNumber(1000+len(m.workers)), name, names[s])
				w := &modelWorker{id: edit.Row, owner: s, name: name}
				m.workers = append(m.workers, w)
				m.byID[w.id] = w
				desc = fmt.Sprintf("%s registers %s", names[s], hubtest.Short(w.id.String()))
			case "edit", "delete", "status":
				w := rapid.SampledFrom(live()).Draw(rt, "worker")
				allowed := w.owner == s
				desc = fmt.Sprintf("%s: %s of %s's worker %s", names[s], action, names[w.owner], hubtest.Short(w.id.String()))
				switch action {
				case "edit":
					name := fmt.Sprintf("第%d步改的名", step)
					edit = replica.Edit{Table: records.Workers, Row: w.id, Set: []replica.ColumnValue{{Column: "name", Value: name}}}
					if allowed {
						w.name = name
					}
				case "delete":
					edit = replica.Edit{Table: records.Workers, Row: w.id, Delete: true}
					if allowed {
						w.deleted = true
					}
				case "status":
					list := rapid.SampledFrom(records.ListTypes).Draw(rt, "list")
					edit = hubtest.WithStation(hubtest.StatusEdit(key, w.id, "2026-11", list), names[s])
					st := m.statuses[edit.Row]
					if st == nil {
						st = &modelStatus{worker: w}
						m.statuses[edit.Row] = st
					}
					if allowed {
						st.list = list
					}
				}
				if !allowed {
					m.refused = append(m.refused, refusalAt{s, edit.Table, edit.Row})
				}
			case "gig":
				g := rapid.SampledFrom(m.gigs).Draw(rt, "gig")
				title := fmt.Sprintf("第%d步的零工", step)
				edit = replica.Edit{Table: records.Gigs, Row: g.id, Set: []replica.ColumnValue{{Column: "title", Value: title}}}
				if g.poster == s {
					g.title = title
				} else {
					m.refused = append(m.refused, refusalAt{s, records.Gigs, g.id})
				}
				desc = fmt.Sprintf("%s edits %s's gig", names[s], names[g.poster])
			}
			a := sts[s]
			chs := a.Make(edit)
			if len(chs) == 0 {
				// Already so in the station's replica (a second delete, a
				// value written again): nothing is sent, nothing refused.
				m.refused = m.refused[:refusedBefore]
				continue
			}
			b := a.Send(chs)
			seq, perr := a.Await()
			if perr != nil {
				rt.Fatalf("step %d (%s): the hub refused the whole batch: %v", step, desc, perr)
			}
			if seq != b.Last {
				rt.Fatalf("step %d (%s): ack %d, want %d", step, desc, seq, b.Last)
			}
			check(fmt.Sprintf("after step %d (%s)", step, desc))
		}

		refusals := hubtest.Refusals(t, hr)
		for _, r := range m.refused {
			found := false
			for _, f := range refusals {
				found = found || f.Station == names[r.station] && f.Table == r.table && strings.EqualFold(f.Row, r.row.String())
			}
			if !found {
				rt.Errorf("the hub holds no refusal of %s's change to %s %s", names[r.station], r.table, hubtest.Short(r.row.String()))
			}
		}

		// Every station converges with the hub on what it may see, and
		// receives nothing of the others' workers.
		for i, a := range sts {
			a.Catchup()
			for _, w := range m.workers {
				if w.owner != i {
					continue
				}
				for _, col := range []string{"name", replica.DeletedColumn} {
					if got, want := hubtest.StationValue(t, a.Rep, records.Workers, w.id, col), hubtest.StationValue(t, hr, records.Workers, w.id, col); got != want {
						rt.Errorf("%s's %s of its worker: %v, the hub's %v", names[i], col, got, want)
					}
				}
			}
			for id, st := range m.statuses {
				if st.worker.owner != i {
					continue
				}
				if got, want := hubtest.StationValue(t, a.Rep, records.MonthlyStatus, id, "list_type"), hubtest.StationValue(t, hr, records.MonthlyStatus, id, "list_type"); got != want {
					rt.Errorf("%s's status list type %v, the hub's %v", names[i], got, want)
				}
			}
			for _, g := range m.gigs {
				// The value, not one settled head: the hub's answer to a
				// refused edit is a version of its own, concurrent with an
				// edit the poster made before receiving it; such a pair is
				// a conflict of two heads for the county (RELIABILITY.md
				// "Trust"), but every replica shows the same value.
				if got := hubtest.StationValue(t, a.Rep, records.Gigs, g.id, "title"); got != g.title ||
					hubtest.StationValue(t, hr, records.Gigs, g.id, "title") != g.title {
					rt.Errorf("%s holds title %v of %s's gig, the hub's %v", names[i], hubtest.StationValue(t, a.Rep, records.Gigs, g.id, "title"), names[g.poster], g.title)
				}
			}
			for _, ch := range a.Received {
				if w := m.byID[ch.Row]; w != nil && ch.Table == records.Workers && w.owner != i {
					rt.Errorf("the hub sent %s a change of %s's worker", names[i], names[w.owner])
				}
				if ch.Table == records.Refusals {
					continue
				}
				for _, f := range ch.Fields {
					if s, ok := f.Value.(string); ok {
						if id, err := ident.ParseID(s); err == nil {
							if w := m.byID[id]; w != nil && w.owner != i {
								rt.Errorf("the hub sent %s a %s change naming %s's worker", names[i], ch.Table, names[w.owner])
							}
						}
					}
				}
			}
		}
	})
}
