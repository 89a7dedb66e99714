package hubweb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/ident"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

const fuzzAdmin = "fuzzowner"

// Fuzz targets for the hub's JSON handlers (POST /api/login, POST
// /api/conflicts/{id}/resolve and the bulk POST /api/conflicts/resolve),
// driven in process through the hub's real handler over a real hub
// (SQLite in a temp directory). Whatever the body: never a 5xx nor a panic;
// every 4xx a JSON {"error": "..."} with a message (a named field is not
// empty); a 2xx answers what was done and the database stays consistent
// (integrity_check, the conflict reads back as answered).

// fuzzHub is a hub with an owner's token and, for the resolve targets, a
// conflict of every kind made by two real stations syncing.
type fuzzHub struct {
	h     *hubtest.Server
	hd    http.Handler
	token string
	// templates are conflicts of each kind, as the hub recorded them; each
	// input resolves an open one of the template's record (a copy of the
	// template when the last was resolved).
	templates []int64
	repl      *strings.Replacer
	ok        int
}

func newFuzzHub(f *testing.F, conflicts bool) *fuzzHub {
	h := hubtest.NewServer(f, "http", hub.Options{PasswordCost: bcrypt.MinCost, LockAfter: 1 << 30, RemoteLockAfter: 1 << 30})
	z := &fuzzHub{h: h, hd: h.Handler, repl: strings.NewReplacer()}
	h.AddAdmin(fuzzAdmin, access.RoleOwner)
	st, out := z.send(f, "POST", "/api/login", "", hubtest.MustJSONString(map[string]string{"user": fuzzAdmin, "password": hubtest.Password(fuzzAdmin)}))
	if st != http.StatusOK {
		f.Fatalf("login: %d %v", st, out)
	}
	z.token = out["token"].(string)
	if conflicts {
		z.makeConflicts(f)
	}
	return z
}

// makeConflicts has two stations, offline, record what together raises a
// field conflict on a worker's phone, two open unemployment registrations,
// an overfilled gig, 公益性岗位 with 区外 and one person under two id
// numbers, and the station that posted a gig change its headcount while
// the county changes it at the hub (a field conflict on the gig); then they
// sync.
func (z *fuzzHub) makeConflicts(f *testing.F) {
	h := z.h
	ea, eb := h.Enroll("站A"), h.Enroll("站B")
	a := hubtest.NewStation(f, ea, syncclient.Config{})
	b := hubtest.NewStation(f, eb, syncclient.Config{})
	key := ea.Key
	shared := hubtest.IDNumber(11)
	wid := key.Derive(records.Workers, shared)
	gig, _ := ident.NewTimeOrdered(time.Now())
	gig2, _ := ident.NewTimeOrdered(time.Now())
	other1, other2 := hubtest.IDNumber(12), hubtest.IDNumber(13)
	// Both register the shared person (the second a join); A posts the gigs.
	a.Write(hubtest.WorkerEdit(key, shared, "乌力吉", "13700000001"), hubtest.WithStation(hubtest.FullGig(gig, 1), "站A"),
		hubtest.WithStation(hubtest.FullGig(gig2, 4), "站A"), hubtest.WorkerEdit(key, other1, "其其格", ""))
	b.Write(hubtest.WorkerEdit(key, other2, "萨仁", ""), hubtest.WorkerEdit(key, shared, "乌力吉", "13700000001"))
	a.Start()
	b.Start()
	hubtest.WaitFor(f, 20*time.Second, "the gigs to reach B", func() bool {
		return hubtest.RowCount(f, b.Rep, records.Gigs) == 2 && hubtest.Converged(f, h.Hub, a) && hubtest.Converged(f, h.Hub, b)
	})
	a.Stop()
	b.Stop()

	scene := hubtest.RuleEdits{T: f, Key: key, WID: wid, Gig: gig}
	reg, place, month := scene.Reg, scene.Place, scene.Month
	idA, idB := hubtest.CheckedIDNumber("15042119850315123"), hubtest.CheckedIDNumber("15042119850316123")
	both := hubtest.IDNumber(14)
	regA, placeB := reg("站A"), place(other2, "站B")
	a.Write(regA, place(other1, "站A"), month("公益性岗位", "本村"), hubtest.WithStation(hubtest.WorkerEdit(key, idA, "图雅", "13600000001"), "站A"),
		hubtest.WithStation(hubtest.WorkerEdit(key, both, "巴特尔", "13900000001"), "站A"),
		replica.Edit{Table: records.Gigs, Row: gig2, Set: []replica.ColumnValue{{Column: "headcount", Value: 5}}})
	b.Write(reg("站B"), placeB, month("单位", "区外"), hubtest.WithStation(hubtest.WorkerEdit(key, idB, "图雅", "13600000002"), "站B"),
		hubtest.WithStation(hubtest.WorkerEdit(key, both, "巴特尔", "13900000002"), "站B"))
	if _, err := h.Hub.Write(context.Background(), replica.Edit{Table: records.Gigs, Row: gig2,
		Set: []replica.ColumnValue{{Column: "headcount", Value: 8}}}); err != nil {
		f.Fatal(err)
	}
	a.Start()
	b.Start()
	hubtest.WaitFor(f, 30*time.Second, "both stations to converge", func() bool {
		return hubtest.Converged(f, h.Hub, a) && hubtest.Converged(f, h.Hub, b)
	})
	a.Stop()
	b.Stop()
	rows, err := h.Hub.Replica().DB().Query(`SELECT id, kind, tbl, col FROM hub_conflicts WHERE status = 'open' ORDER BY id`)
	if err != nil {
		f.Fatal(err)
	}
	kinds := map[string]bool{}
	for rows.Next() {
		var id int64
		var kind, tbl, col string
		if err := rows.Scan(&id, &kind, &tbl, &col); err != nil {
			f.Fatal(err)
		}
		z.templates = append(z.templates, id)
		kinds[kind] = true
		kinds[kind+" "+tbl+"."+col] = true
	}
	rows.Close()
	for _, k := range []string{hub.KindField, hub.KindTwoOpen, hub.KindOverfilled, hub.KindWelfareAway, hub.KindIdentity,
		hub.KindField + " " + records.Gigs + ".headcount", hub.KindField + " " + records.Workers + ".phone"} {
		if !kinds[k] {
			f.Fatalf("setup raised no %s conflict: %v", k, kinds)
		}
	}
	z.repl = strings.NewReplacer("@R", regA.Row.String(), "@P", placeB.Row.String(), "@W", wid.String())
}

// openConflict returns an open conflict on template i's record: the
// template or its last copy if still open, else a new copy of it.
func (z *fuzzHub) openConflict(t *testing.T, i int) int64 {
	t.Helper()
	db := z.h.Hub.Replica().DB()
	tmpl := z.templates[i%len(z.templates)]
	var id int64
	err := db.QueryRow(`SELECT o.id FROM hub_conflicts t JOIN hub_conflicts o ON o.row = t.row AND o.col = t.col
		AND o.kind = t.kind AND o.tbl = t.tbl AND o.status = 'open' WHERE t.id = ?`, tmpl).Scan(&id)
	if err == nil {
		return id
	}
	res, err := db.Exec(`INSERT INTO hub_conflicts(kind, tbl, row, col, worker, worker_name, id_masked, label, stations,
		vals, created_ms, updated_ms) SELECT kind, tbl, row, col, worker, worker_name, id_masked, label, stations, vals,
		created_ms, updated_ms FROM hub_conflicts WHERE id = ?`, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	id, _ = res.LastInsertId()
	return id
}

// send makes one request in process and checks the answer's shape.
func (z *fuzzHub) send(t testing.TB, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	z.hd.ServeHTTP(rec, req)
	st := rec.Code
	if st >= 500 {
		t.Fatalf("%s %s %q: %d %s", method, path, body, st, rec.Body.String())
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s %q: %d, not a JSON object: %q", method, path, body, st, rec.Body.String())
	}
	if st >= 400 {
		if msg, _ := out["error"].(string); strings.TrimSpace(msg) == "" {
			t.Fatalf("%s %s %q: %d without an error message: %s", method, path, body, st, rec.Body.String())
		}
		if f, ok := out["field"]; ok {
			if s, _ := f.(string); s == "" {
				t.Fatalf("%s %s %q: %d names an empty field: %s", method, path, body, st, rec.Body.String())
			}
		}
	} else if st/100 == 2 {
		if z.ok%1000 == 0 {
			var check string
			if err := z.h.Hub.Replica().DB().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
				t.Fatalf("integrity_check: %q %v", check, err)
			}
		}
		z.ok++
	} else {
		t.Fatalf("%s %s %q: unexpected %d", method, path, body, st)
	}
	return st, out
}

func FuzzHubLogin(f *testing.F) {
	z := newFuzzHub(f, false)
	f.Add(false, hubtest.MustJSONString(map[string]string{"user": fuzzAdmin, "password": hubtest.Password(fuzzAdmin)}))
	f.Add(false, `{"user":"fuzzowner","password":"wrong"}`)
	f.Add(true, `{"user":"nobody","password":"pw-of-nobody-0123456789"}`)
	f.Add(false, `{"user":"","password":""}`)
	f.Add(false, `{"user":"fuzzowner"}`)
	f.Add(false, `{"user":"fuzzowner","password":"x","extra":1}`)
	f.Add(false, `{"user":1,"password":true}`)
	f.Add(true, `{"user":"fuzzowner\u0000","password":"'; DROP TABLE hub_admins;--"}`)
	f.Add(false, `{"USER":"fuzzowner","Password":"pw-of-fuzzowner-0123456789"}`)
	f.Add(false, `{"user":"fuzzowner","password":"pw-of-fuzzowner-0123456789"} trailing`)
	f.Add(false, `null`)
	f.Add(false, `["user"]`)
	f.Fuzz(func(t *testing.T, en bool, body string) {
		path := "/api/login"
		if en {
			path += "?lang=en"
		}
		st, out := z.send(t, "POST", path, "", body)
		if st != http.StatusOK {
			return
		}
		tok, _ := out["token"].(string)
		if len(tok) != 43 || out["user"] == "" {
			t.Fatalf("login %q answered %v", body, out)
		}
		// The token works.
		if st, out := z.send(t, "GET", "/api/stations", tok, ""); st != http.StatusOK {
			t.Fatalf("the token of %q: %d %v", body, st, out)
		}
	})
}

func FuzzHubResolve(f *testing.F) {
	z := newFuzzHub(f, true)
	// Bodies may say @R (an open registration), @P (a placement), @W (a
	// worker), @I (the conflict's id, for bulk).
	for i, s := range []string{
		`{"choose":0}`, `{"choose":1}`, `{"choose":"站B"}`, `{"choose":"latest"}`, `{"choose":"1"}`,
		`{"choose":-1}`, `{"choose":1.5}`, `{"choose":"站C"}`, `{"choose":null}`, `{"choose":[0]}`,
		`{"value":"13900000009"}`, `{"value":6}`, `{"value":-3}`, `{"value":"many"}`, `{"value":"1e400"}`,
		`{"value":"<script>alert(1)</script>"}`, `{"value":null}`, `{"value":{"a":1}}`,
		`{"choose":0,"value":1}`, `{}`, `{"note":"只写备注"}`,
		`{"action":"close_registration","registration":"@R","on":"2026-11-20","reason":"在B站登记"}`,
		`{"action":"close_registration","registration":"@R","on":"2026-10-01"}`,
		`{"action":"close_registration","registration":"x"}`,
		`{"action":"remove_placement","placement":"@P"}`, `{"action":"remove_placement","placement":"@R"}`,
		`{"action":"set","column":"headcount","value":3}`, `{"action":"set","column":"work_scope","value":"本村"}`,
		`{"action":"set","column":"employment_form","value":"单位"}`, `{"action":"set","column":"fs_meta","value":"x"}`,
		`{"action":"set","column":"work_scope","value":"月球"}`, `{"action":"set","column":"id","value":"@W"}`,
		`{"action":"dismiss","note":"已核实为两人"}`, `{"action":"explode"}`, `{"unknown":1}`, `[]`, `"x"`,
	} {
		f.Add(uint8(i), false, s) // which: the conflict kind, in turn
	}
	f.Add(uint8(0), true, `{"ids":[@I],"choose":"latest"}`)
	f.Add(uint8(1), true, `{"ids":[@I,@I,999999,-1,0],"choose":"站B"}`)
	f.Add(uint8(2), true, `{"ids":[],"choose":0}`)
	f.Add(uint8(3), true, `{"ids":[@I],"action":"dismiss"}`)
	f.Add(uint8(4), true, `{"ids":"1","value":1}`)
	f.Fuzz(func(t *testing.T, which uint8, bulk bool, body string) {
		id := z.openConflict(t, int(which))
		body = z.repl.Replace(strings.ReplaceAll(body, "@I", strconv.FormatInt(id, 10)))
		path := fmt.Sprintf("/api/conflicts/%d/resolve", id)
		if bulk {
			path = "/api/conflicts/resolve"
		}
		if which&0x80 != 0 {
			path += "?lang=en"
		}
		st, out := z.send(t, "POST", path, z.token, body)
		if st != http.StatusOK {
			return
		}
		if bulk {
			res, ok := out["results"].([]any)
			n, _ := out["resolved"].(float64)
			if !ok {
				t.Fatalf("bulk %q: %v", body, out)
			}
			good := 0
			for _, r := range res {
				m, _ := r.(map[string]any)
				if e, _ := m["error"].(string); e == "" {
					good++
				} else if m["id"] == nil {
					t.Fatalf("bulk %q: a refusal without its id: %v", body, m)
				}
			}
			if float64(good) != n {
				t.Fatalf("bulk %q: resolved %v, %d results without an error", body, n, good)
			}
			return
		}
		// The conflict reads back as answered.
		if out["id"] != float64(id) {
			t.Fatalf("resolve %d %q answered conflict %v", id, body, out["id"])
		}
		c, err := z.h.Hub.Conflict(context.Background(), id)
		if err != nil || c.Status != out["status"] {
			t.Fatalf("resolve %d %q: answered %v, reads back %+v (%v)", id, body, out["status"], c, err)
		}
	})
}

// FuzzHubPeople feeds the drill-down's query (GET /api/people) any month,
// figure, area and page: it answers 200 with at most a page of people, id
// numbers masked, or 400 naming the field, never 5xx.
func FuzzHubPeople(f *testing.F) {
	z := newFuzzHub(f, true)
	month := time.Now().Format(records.MonthLayout)
	for _, s := range [][6]string{
		{month, "workers", "", "", "", ""}, {month, "gap_month", "150421100", "", "10", "5"},
		{month, "unemployed", "", "150421100200", "1", "0"}, {"2026-13", "workers", "", "", "", ""},
		{month, "salaries", "", "", "", ""}, {month, "", "", "", "", ""}, {month, "returned", "15042110", "", "", ""},
		{month, "no_phone", "150421100", "150421200200", "", ""}, {month, "workers", "", "", "0", "-1"},
		{month, "workers", "", "", "1001", "99999999999999999999"}, {"12", "older", "abcdefghi", "", "1e3", "x"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5])
	}
	f.Fuzz(func(t *testing.T, m, figure, township, village, limit, offset string) {
		q := url.Values{"month": {m}, "figure": {figure}}
		for k, v := range map[string]string{"township": township, "village": village, "limit": limit, "offset": offset} {
			if v != "" {
				q.Set(k, v)
			}
		}
		st, out := z.send(t, "GET", "/api/people?"+q.Encode(), z.token, "")
		if st != http.StatusOK {
			if st != http.StatusBadRequest {
				t.Fatalf("people %s: %d %v", q.Encode(), st, out)
			}
			return
		}
		people, _ := out["people"].([]any)
		total, _ := out["total"].(float64)
		lim, _ := out["limit"].(float64)
		if float64(len(people)) > lim || float64(len(people)) > total {
			t.Fatalf("people %s: %d people, limit %v, total %v", q.Encode(), len(people), lim, total)
		}
		for _, p := range people {
			id, _ := p.(map[string]any)["id_number"].(string)
			if id != "" && !strings.Contains(id, "*") {
				t.Fatalf("people %s: an id number unmasked: %q", q.Encode(), id)
			}
		}
	})
}
