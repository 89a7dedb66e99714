package stationweb

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fieldsync/hlc"
	"fieldsync/records"
	"fieldsync/replica"
	"fieldsync/station"
)

// Fuzz targets for the station's JSON handlers, driven in process through
// the real handler, against a real station (SQLite file in a temp directory).
// Whatever the body, the answer is never a 5xx nor a panic; every 4xx is a
// JSON {"error": "..."} with a message (and, when it names a field, a
// non-empty one); every 2xx answers the record's id, the record reads back
// with what was sent, and the database stays consistent (integrity_check).
//
// Bodies may hold placeholders, replaced before the request so that the
// corpus stays meaningful across fuzz processes (each has its own station,
// deployment key and ids):
//
//	@W  a worker registered at the start    @G  a gig (headcount 1000)
//	@U  an open unemployment registration   @N  a fresh valid id number
//	@F  a freshly registered worker's id (registered only when used)

type fuzzStation struct {
	fx            *fixture
	wid, gid, uid string
	n             int // fresh id numbers handed out
	ok            int // 2xx answers seen
}

func newFuzzStation(f *testing.F) *fuzzStation {
	fx := newFuzzFixture(f)
	z := &fuzzStation{fx: fx}
	z.wid = fx.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	g := gigBody()
	g["headcount"] = 1000
	z.gid = fx.mustCreate("/api/gigs", g)
	z.uid = fx.mustCreate("/api/unemployment-registrations", map[string]any{
		"worker_id": z.wid, "place_type": "户籍地", "registered_on": "2026-10-01", "reason": "合同到期"})
	return z
}

// newFuzzFixture is newFixture's station with synchronous=NORMAL: the same
// SQLite file in WAL mode, without an fsync per commit, so that the fuzzer
// (and its minimisation of inputs, which writes too) runs fast.
func newFuzzFixture(f *testing.F) *fixture {
	ctx := context.Background()
	dir := f.TempDir()
	cfg, err := station.InitStandalone(ctx, dir, "模糊嘎查")
	if err != nil {
		f.Fatal(err)
	}
	schema, err := records.NewSchema()
	if err != nil {
		f.Fatal(err)
	}
	key, _ := cfg.DeploymentKey()
	site, _ := cfg.SiteID()
	r, err := replica.Open(ctx, filepath.Join(dir, station.DBFile), replica.Options{Schema: schema, Site: site, Key: key,
		Clock: hlc.NewClock(nil), Indexes: records.StationIndexes(), Synchronous: "NORMAL"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { r.Close() })
	s, err := serverFor(r, cfg, func() time.Time { return testNow }, Options{Hosts: []string{"example.com"}})
	if err != nil {
		f.Fatal(err)
	}
	return &fixture{t: f, dir: dir, cfg: cfg, r: r, st: s.Station(), s: s, h: s.Handler()}
}

// freshIDNumber is a valid id number not handed out before in this process.
func (z *fuzzStation) freshIDNumber() string {
	z.n++
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, z.n/1000).Format("20060102")
	return idNumber(birth, z.n%1000)
}

func (z *fuzzStation) expand(t *testing.T, body string) string {
	if strings.Contains(body, "@F") {
		b := workerBody(z.freshIDNumber())
		st, out := z.do(t, "POST", "/api/workers", mustJSON(b))
		if st != http.StatusCreated {
			t.Fatalf("register a fresh worker: %d %v", st, out)
		}
		body = strings.ReplaceAll(body, "@F", out["id"].(string))
	}
	for strings.Contains(body, "@N") {
		body = strings.Replace(body, "@N", z.freshIDNumber(), 1)
	}
	return strings.NewReplacer("@W", z.wid, "@G", z.gid, "@U", z.uid).Replace(body)
}

var hexID32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// do sends one JSON request and checks the answer's shape: no 5xx, a JSON
// object, an error message on every 4xx, an id on every 2xx; every so often
// (and on the first 2xx) the database's integrity.
func (z *fuzzStation) do(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	z.fx.h.ServeHTTP(rec, req)
	st := rec.Code
	if st >= 500 {
		t.Fatalf("%s %s %q: %d %s", method, path, body, st, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s %q: %d with Content-Type %q: %s", method, path, body, st, ct, rec.Body.String())
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s %q: %d, not a JSON object: %q", method, path, body, st, rec.Body.String())
	}
	switch {
	case st >= 400:
		if msg, _ := out["error"].(string); strings.TrimSpace(msg) == "" {
			t.Fatalf("%s %s %q: %d without an error message: %s", method, path, body, st, rec.Body.String())
		}
		if f, ok := out["field"]; ok {
			if s, _ := f.(string); s == "" {
				t.Fatalf("%s %s %q: %d names an empty field: %s", method, path, body, st, rec.Body.String())
			}
		}
	case st >= 200 && st < 300:
		if id, _ := out["id"].(string); !hexID32.MatchString(id) {
			t.Fatalf("%s %s %q: %d without an id: %s", method, path, body, st, rec.Body.String())
		}
		if z.ok%1000 == 0 {
			z.integrity(t)
		}
		z.ok++
	default:
		t.Fatalf("%s %s %q: unexpected %d %s", method, path, body, st, rec.Body.String())
	}
	return st, out
}

func (z *fuzzStation) integrity(t *testing.T) {
	t.Helper()
	var check string
	if err := z.fx.r.DB().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
}

// get reads a record through the API; it must be there.
func (z *fuzzStation) get(t *testing.T, path string) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	z.fx.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	var out map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
		t.Fatalf("GET %s after a 2xx: %d %s", path, rec.Code, rec.Body.String())
	}
	return out
}

// rowExists checks that the record a 2xx named is in its table.
func (z *fuzzStation) rowExists(t *testing.T, table, id string) {
	t.Helper()
	var n int
	if err := z.fx.r.DB().QueryRow(`SELECT count(*) FROM `+table+` WHERE id = ? AND fs_deleted = 0`,
		mustID(t, id)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%s %s acknowledged but %d rows (%v)", table, id, n, err)
	}
}

// sameText checks that a stored text reads back as sent (trimmed, by design).
func sameText(t *testing.T, what string, sent *string, got any) {
	t.Helper()
	if sent == nil {
		return
	}
	want := strings.TrimSpace(*sent)
	g, _ := got.(string)
	if g != want {
		t.Fatalf("%s: sent %q, reads back %q", what, want, got)
	}
}

// samePhone is sameText for a phone, which is stored in its one written
// form (records.NormalizePhone: 13900000003, 0471-1234567).
func samePhone(t *testing.T, sent *string, got any) {
	t.Helper()
	if sent == nil {
		return
	}
	want := strings.TrimSpace(*sent)
	if p, ok := records.NormalizePhone(want); ok {
		want = p
	}
	sameText(t, "phone", &want, got)
}

// textFields decodes the free-text fields a body sets, with encoding/json's
// own rules (case-insensitive names, the last one wins), as the handlers do.
type textFields struct {
	Name     *string `json:"name"`
	Notes    *string `json:"notes"`
	Phone    *string `json:"phone"`
	Title    *string `json:"title"`
	Employer *string `json:"employer"`
	Address  *string `json:"address"`
}

func decodeText(body string) textFields {
	var tf textFields
	_ = json.Unmarshal([]byte(body), &tf) // a 2xx body decodes; a field of another type stays nil
	return tf
}

func urlLang(en bool) string {
	if en {
		return "?lang=en"
	}
	return ""
}

func FuzzStationWorkers(f *testing.F) {
	z := newFuzzStation(f)
	good := workerBody("@N")
	good["notes"] = "备注"
	f.Add(false, false, mustJSON(good))
	f.Add(true, false, `{"id_number":"@N","name":" 巴图 ","ethnicity":"蒙古族","hukou_village":"150421100201","education":"本科","labour_ability":"普通劳动力","residence_village":"150421100202","monitor_type":"脱贫不稳定户","tags":["脱贫人口","残疾","防止返贫监测对象"],"skills":["电焊"," 开车 "],"willing_away":false,"notes":"<script>alert(1)</script>'); DROP TABLE workers;--"}`)
	f.Add(false, false, `{"id_number":"11010519491231002X","name":"x","ethnicity":"汉","hukou_village":"150421100201","education":"初中","labour_ability":"无劳动力"}`)
	f.Add(false, true, `{"id_number":"@N","name":"","phone":"12345"}`)
	f.Add(false, false, `{"id_number":"@N","name":"a","unknown":1}`)
	f.Add(false, false, `{"id_number":"@N","name":"a","willing_away":"yes","tags":"农民工"}`)
	f.Add(false, false, `[1,2,3]`)
	f.Add(false, false, `{"name":"\u0000\u001f\u202e"}`)
	f.Add(false, false, `{"id_number":"@N"} {"x":1}`)
	f.Add(true, false, `{"name":"新名字","phone":"13911112222","notes":"改"}`)
	f.Add(true, false, `{"NAME":"大写","Notes":"大小写"}`)
	f.Add(true, true, `{"id_number":"150421198001010011"}`)
	f.Add(true, false, `{"tags":["不存在"],"skills":[""]}`)
	f.Add(true, false, `{"notes":null,"phone":null}`)
	f.Add(false, false, `{"id_number":"@N","name":"a","phone":"01000000000"}`)
	f.Add(true, false, `{"phone":"+86 139-0000-0003"}`)
	f.Add(true, false, `{}`)
	f.Fuzz(func(t *testing.T, patch, en bool, body string) {
		body = z.expand(t, body)
		if patch {
			st, _ := z.do(t, "PATCH", "/api/workers/"+z.wid+urlLang(en), body)
			if st == http.StatusOK {
				tf := decodeText(body)
				w := z.get(t, "/api/workers/"+z.wid)
				sameText(t, "name", tf.Name, w["name"])
				sameText(t, "notes", tf.Notes, w["notes"])
				samePhone(t, tf.Phone, w["phone"])
			}
			return
		}
		st, out := z.do(t, "POST", "/api/workers"+urlLang(en), body)
		if st == http.StatusCreated {
			tf := decodeText(body)
			w := z.get(t, "/api/workers/"+out["id"].(string))
			sameText(t, "name", tf.Name, w["name"])
			sameText(t, "notes", tf.Notes, w["notes"])
			samePhone(t, tf.Phone, w["phone"])
		}
	})
}

func FuzzStationMonthlyStatus(f *testing.F) {
	z := newFuzzStation(f)
	f.Add(false, `{"worker_id":"@W","month":"2026-11","list_type":"就业","work_scope":"县外区内","place":"呼和浩特","industry":"建筑","employment_form":"单位","monthly_income":4200,"verified_by_method":"电话","verified_by":"李四","verified_at":"2026-11-10"}`)
	f.Add(false, `{"worker_id":"@F","month":"2026-10","list_type":"unemployed","verified_by_method":"入户","verified_by":"王五","verified_at":"2026-10-02"}`)
	f.Add(true, `{"worker_id":"@W","month":"2026-13","list_type":"退休","monthly_income":-1}`)
	f.Add(false, `{"worker_id":"@W","month":"2026-11","list_type":"willing_away","monthly_income":1e309}`)
	f.Add(false, `{"worker_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","month":"2026-11","list_type":"就业"}`)
	f.Add(false, `{"worker_id":"@W","month":"2026-11","list_type":"就业","work_scope":"区外","employment_form":"公益性岗位","monthly_income":"many"}`)
	f.Fuzz(func(t *testing.T, en bool, body string) {
		body = z.expand(t, body)
		st, out := z.do(t, "POST", "/api/monthly-status"+urlLang(en), body)
		if st/100 == 2 {
			z.rowExists(t, records.MonthlyStatus, out["id"].(string))
		}
	})
}

func FuzzStationRegistrations(f *testing.F) {
	z := newFuzzStation(f)
	// kind: 0 unemployment, 1 deregistration (PATCH), 2 job-seeking.
	f.Add(uint8(0), false, `{"worker_id":"@F","place_type":"户籍地","registered_on":"2026-10-01","reason":"合同到期","job_intention":"保洁","training_intention":"电焊"}`)
	f.Add(uint8(0), false, `{"worker_id":"@W","place_type":"常住地","registered_on":"2025-01-01","reason":"x","deregistered_on":"2025-03-01","deregistration_reason":"已就业"}`)
	f.Add(uint8(0), true, `{"worker_id":"@W","place_type":"户籍地","registered_on":"2026-10-01","reason":"合同到期"}`)
	f.Add(uint8(0), false, `{"worker_id":"@W","place_type":"外地","registered_on":"2026-02-30","reason":"","deregistered_on":"x"}`)
	f.Add(uint8(1), false, `{"deregistered_on":"2026-11-01","deregistration_reason":"已就业"}`)
	f.Add(uint8(1), true, `{"deregistered_on":"2026-09-01","deregistration_reason":"就业"}`)
	f.Add(uint8(1), false, `{"deregistered_on":"2026-11-01"}`)
	f.Add(uint8(2), false, `{"worker_id":"@W","intended_work":"保洁","expected_wage":150,"wage_unit":"元/天","area":"县城","work_type":"零工","available_from":"2026-12-01"}`)
	f.Add(uint8(2), false, `{"worker_id":"@W","intended_work":"保洁","expected_wage":-1,"wage_unit":"元/年","work_type":"兼职","registered_on":"2026/1/1"}`)
	f.Add(uint8(2), true, `{"worker_id":"x","intended_work":""}`)
	f.Fuzz(func(t *testing.T, kind uint8, en bool, body string) {
		body = z.expand(t, body)
		switch kind % 3 {
		case 0:
			st, out := z.do(t, "POST", "/api/unemployment-registrations"+urlLang(en), body)
			if st/100 == 2 {
				z.rowExists(t, records.Unemployment, out["id"].(string))
			}
		case 1:
			st, _ := z.do(t, "PATCH", "/api/unemployment-registrations/"+z.uid+urlLang(en), body)
			if st/100 == 2 {
				z.rowExists(t, records.Unemployment, z.uid)
			}
		case 2:
			st, out := z.do(t, "POST", "/api/jobseeker-registrations"+urlLang(en), body)
			if st/100 == 2 {
				z.rowExists(t, records.Jobseeker, out["id"].(string))
			}
		}
	})
}

func FuzzStationFollowups(f *testing.F) {
	z := newFuzzStation(f)
	f.Add(false, `{"worker_id":"@W","date":"2026-11-10","method":"上门","service_type":"岗位推荐","content":"推荐保洁岗位","outcome":"有意向","next_due":"2026-12-10","staff":"李四"}`)
	f.Add(true, `{"worker_id":"@W","date":"2026-11-10","method":"微信","service_type":"","content":"","next_due":"2026-01-01"}`)
	f.Add(false, `{"worker_id":"","date":""}`)
	f.Add(false, `{"worker_id":"@W","date":"2026-11-10","method":"电话","service_type":"政策宣传","content":"<b>x</b>\u0000\u202e"}`)
	f.Fuzz(func(t *testing.T, en bool, body string) {
		body = z.expand(t, body)
		st, out := z.do(t, "POST", "/api/followups"+urlLang(en), body)
		if st/100 == 2 {
			z.rowExists(t, records.Followups, out["id"].(string))
		}
	})
}

func FuzzStationGigs(f *testing.F) {
	z := newFuzzStation(f)
	f.Add(false, false, mustJSON(gigBody()))
	f.Add(false, false, `{"title":"剪羊毛","occupation":"剪毛工","headcount":3,"wage":300,"wage_unit":"元/天","settlement":"日结","place":"150421","start_date":"2026-12-01","employer":"合作社","contact":"13800000000","status":"closed"}`)
	f.Add(false, true, `{"title":"x","headcount":0,"wage":-1,"wage_unit":"元/年","settlement":"月结","place":"1504","start_date":"2026-12-01","end_date":"2026-11-01","age_min":10,"age_max":80}`)
	f.Add(false, false, `{"title":"x","headcount":1.5,"age_min":"x"}`)
	f.Add(true, false, `{"title":"新标题","headcount":4,"status":"filled"}`)
	f.Add(true, false, `{"TITLE":"大写标题","Employer":"大写雇主"}`)
	f.Add(true, true, `{"age_min":60,"age_max":20}`)
	f.Add(true, false, `{"status":"deleted"}`)
	f.Add(true, false, `{"skills":null,"end_date":null}`)
	f.Fuzz(func(t *testing.T, patch, en bool, body string) {
		body = z.expand(t, body)
		if patch {
			st, _ := z.do(t, "PATCH", "/api/gigs/"+z.gid+urlLang(en), body)
			if st == http.StatusOK {
				tf := decodeText(body)
				g := z.get(t, "/api/gigs/"+z.gid)
				sameText(t, "title", tf.Title, g["title"])
				sameText(t, "employer", tf.Employer, g["employer"])
			}
			return
		}
		st, out := z.do(t, "POST", "/api/gigs"+urlLang(en), body)
		if st == http.StatusCreated {
			tf := decodeText(body)
			g := z.get(t, "/api/gigs/"+out["id"].(string))
			sameText(t, "title", tf.Title, g["title"])
			sameText(t, "employer", tf.Employer, g["employer"])
			sameText(t, "address", tf.Address, g["address"])
		}
	})
}

func FuzzStationPlacements(f *testing.F) {
	z := newFuzzStation(f)
	f.Add(false, `{"gig_id":"@G","worker_id":"@F","status":"placed","placed_on":"2026-11-20"}`)
	f.Add(false, `{"gig_id":"@G","worker_id":"@W"}`)
	f.Add(true, `{"gig_id":"@G","worker_id":"@W","status":"left"}`)
	f.Add(false, `{"gig_id":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","worker_id":"@W"}`)
	f.Add(false, `{"gig_id":"@G","worker_id":"@F","status":"fired","placed_on":"yesterday"}`)
	f.Fuzz(func(t *testing.T, en bool, body string) {
		body = z.expand(t, body)
		st, out := z.do(t, "POST", "/api/placements"+urlLang(en), body)
		if st/100 == 2 {
			z.rowExists(t, records.Placements, out["id"].(string))
		}
	})
}
