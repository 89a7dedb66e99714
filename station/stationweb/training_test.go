package stationweb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"fieldsync/ident"
	"fieldsync/records"
)

// The training API: courses and enrolments created, listed, read,
// patched and deleted on the programme CRUD, each rule refused naming its
// field and writing nothing: a course's kind and dates, a course that does
// not exist, a certificate without completion, a certificate number
// another enrolment holds for the same kind (certificate_taken), a course
// others are enrolled on deleted.
func TestTrainingAPI(t *testing.T) {
	f := newFixture(t, nil)
	a := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	bBody := workerBody(idNumber("19850101", 12))
	bBody["name"] = "其其格"
	b := f.mustCreate("/api/workers", bBody)
	course := map[string]any{"course": "低压电工作业", "kind": "技能", "skill": "电工", "provider": "县职业技能培训中心",
		"start_on": "2026-10-01", "end_on": "2026-10-20", "place": "县城", "subsidy": 800}
	for _, bad := range []struct {
		field string
		set   map[string]any
	}{
		{"course", map[string]any{"course": ""}},
		{"kind", map[string]any{"kind": "烹饪"}},
		{"end_on", map[string]any{"end_on": "2026-09-30"}},
		{"subsidy", map[string]any{"subsidy": -1}},
		{"bogus", map[string]any{"bogus": 1}},
	} {
		body := map[string]any{}
		for k, v := range course {
			body[k] = v
		}
		for k, v := range bad.set {
			body[k] = v
		}
		programmeRefused(t, "course with bad "+bad.field, f.api("POST", "/api/trainings", body), http.StatusBadRequest, bad.field)
	}
	if rows := listItems(t, f.api("GET", "/api/trainings", nil)); len(rows) != 0 {
		t.Fatalf("refused courses were written: %v", rows)
	}
	tid := f.mustCreate("/api/trainings", course)

	cert := func(worker, kind, no string) map[string]any {
		m := map[string]any{"worker_id": worker, "training_id": tid, "completed": true, "completed_on": "2026-10-20",
			"certificate_kind": kind, "certificate_no": no}
		if kind == records.CertificateSkillLevel {
			m["certificate_level"] = "四级/中级工"
		}
		return m
	}
	ea := f.mustCreate("/api/training-enrolments", cert(a, records.CertificateSkillLevel, "S-0001"))
	taken := f.api("POST", "/api/training-enrolments", cert(b, records.CertificateSkillLevel, "S-0001"))
	programmeRefused(t, "a certificate number taken for the kind", taken, http.StatusBadRequest, "certificate_no")
	if want := records.Message("zh", records.KeyCertificateTaken, "证书编号"); taken.body["error"] != want {
		t.Errorf("certificate taken: %q, want %q", taken.body["error"], want)
	}
	noCourse := cert(b, "培训合格证书", "H-1")
	noCourse["training_id"] = ident.ID{1, 2, 3}.String()
	programmeRefused(t, "a course that does not exist", f.api("POST", "/api/training-enrolments", noCourse),
		http.StatusBadRequest, "training_id")
	notDone := cert(b, "培训合格证书", "H-1")
	notDone["completed"] = false
	delete(notDone, "completed_on")
	programmeRefused(t, "a certificate of a course not completed", f.api("POST", "/api/training-enrolments", notDone),
		http.StatusBadRequest, "certificate_kind")
	noLevel := cert(b, records.CertificateSkillLevel, "S-0002")
	delete(noLevel, "certificate_level")
	programmeRefused(t, "a skill-level certificate without its level", f.api("POST", "/api/training-enrolments", noLevel),
		http.StatusBadRequest, "certificate_level")
	// The same number for another kind of certificate is not the same certificate.
	eb := f.mustCreate("/api/training-enrolments", cert(b, "培训合格证书", "S-0001"))

	rows := listItems(t, f.api("GET", "/api/training-enrolments?training_id="+tid, nil))
	if len(rows) != 2 {
		t.Fatalf("enrolments of the course: %v", rows)
	}
	rows = listItems(t, f.api("GET", "/api/training-enrolments?worker_id="+idNumber("19800101", 11), nil))
	if len(rows) != 1 || rows[0]["id"] != ea || rows[0]["course"] != "低压电工作业" || rows[0]["skill"] != "电工" ||
		rows[0]["worker_name"] != "巴图" {
		t.Fatalf("enrolments of a person by id number: %v", rows)
	}
	programmeRefused(t, "completed=maybe", f.api("GET", "/api/training-enrolments?completed=maybe", nil),
		http.StatusBadRequest, "completed")
	programmeRefused(t, "kind=烹饪", f.api("GET", "/api/trainings?kind=烹饪", nil), http.StatusBadRequest, "kind")
	r := f.api("GET", "/api/trainings/"+tid, nil)
	if r.status != http.StatusOK || r.body["enrolled"] != float64(2) || r.body["completed_count"] != float64(2) ||
		r.body["certified"] != float64(2) || r.body["subsidy"] != float64(800) || r.body["station"] != "红旗嘎查" {
		t.Fatalf("GET course: %d %s", r.status, r.raw)
	}

	// A patch taking another's certificate is refused and changes nothing.
	programmeRefused(t, "patch to a taken certificate", f.api("PATCH", "/api/training-enrolments/"+eb,
		map[string]any{"certificate_kind": records.CertificateSkillLevel, "certificate_level": "五级/初级工"}),
		http.StatusBadRequest, "certificate_no")
	if r := f.api("GET", "/api/training-enrolments/"+eb, nil); r.body["certificate_kind"] != "培训合格证书" {
		t.Fatalf("enrolment after a refused patch: %s", r.raw)
	}
	programmeRefused(t, "patch moving an enrolment to another person", f.api("PATCH", "/api/training-enrolments/"+eb,
		map[string]any{"worker_id": a}), http.StatusBadRequest, "worker_id")
	if r := f.api("PATCH", "/api/training-enrolments/"+eb, map[string]any{"certificate_no": "H-0009",
		"subsidy_paid": 800, "paid_on": "2026-11-01"}); r.status != http.StatusOK {
		t.Fatalf("patch enrolment: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/training-enrolments/"+eb, nil); r.body["certificate_no"] != "H-0009" ||
		r.body["subsidy_paid"] != float64(800) || r.body["worker_id"] != b {
		t.Fatalf("enrolment after the patch: %s", r.raw)
	}
	if r := f.api("PATCH", "/api/trainings/"+tid, map[string]any{"end_on": "2026-10-25"}); r.status != http.StatusOK {
		t.Fatalf("patch course: %d %s", r.status, r.raw)
	}
	programmeRefused(t, "patch course end before start", f.api("PATCH", "/api/trainings/"+tid,
		map[string]any{"end_on": "2026-09-01"}), http.StatusBadRequest, "end_on")

	// A course people are enrolled on stays while they are.
	programmeRefused(t, "delete a course in use", f.api("DELETE", "/api/trainings/"+tid, nil), http.StatusConflict, "id")
	for _, e := range []string{ea, eb} {
		if r := f.api("DELETE", "/api/training-enrolments/"+e, nil); r.status != http.StatusOK {
			t.Fatalf("delete enrolment: %d %s", r.status, r.raw)
		}
	}
	if r := f.api("GET", "/api/training-enrolments/"+ea, nil); r.status != http.StatusNotFound {
		t.Fatalf("deleted enrolment: %d %s", r.status, r.raw)
	}
	// The number a deleted enrolment held is free again.
	f.mustCreate("/api/training-enrolments", cert(b, records.CertificateSkillLevel, "S-0001"))
}

// The gig API takes and returns a posting's kind, suits_older and job
// fair: a 全职 job paid and settled by the month, a 零工 gig not (kind_pay,
// naming the field); a job fair the station does not hold refused naming
// job_fair_id; the list filters by kind and suits_older.
func TestGigKindAPI(t *testing.T) {
	f := newFixture(t, nil)
	fair, err := f.st.SaveProgramme(context.Background(), records.JobFairs, ident.Zero, &records.JobFair{
		Title: "春风行动专场", Kind: "春风行动", HeldOn: "2026-11-10", Place: "县人力资源市场"})
	if err != nil {
		t.Fatal(err)
	}
	job := gigBody()
	job["title"], job["kind"], job["wage"], job["wage_unit"], job["settlement"] = "仓库管理员", "全职", 4200, "元/月", "月结"
	job["suits_older"], job["job_fair_id"] = true, fair.String()
	for _, bad := range []struct {
		field string
		set   map[string]any
	}{
		{"wage_unit", map[string]any{"wage_unit": "元/天"}},
		{"settlement", map[string]any{"settlement": "日结"}},
		{"kind", map[string]any{"kind": "兼职"}},
		{"job_fair_id", map[string]any{"job_fair_id": ident.ID{9, 9}.String()}},
		{"job_fair_id", map[string]any{"job_fair_id": "not-an-id"}},
	} {
		body := map[string]any{}
		for k, v := range job {
			body[k] = v
		}
		for k, v := range bad.set {
			body[k] = v
		}
		programmeRefused(t, "job with bad "+bad.field, f.api("POST", "/api/gigs", body), http.StatusBadRequest, bad.field)
	}
	gigMonthly := gigBody()
	gigMonthly["wage_unit"] = "元/月"
	programmeRefused(t, "a 零工 paid by the month", f.api("POST", "/api/gigs", gigMonthly), http.StatusBadRequest, "wage_unit")
	if r := f.api("GET", "/api/gigs", nil); r.body["total"] != float64(0) {
		t.Fatalf("refused postings were written: %s", r.raw)
	}
	jid := f.mustCreate("/api/gigs", job)
	gid := f.mustCreate("/api/gigs", gigBody())
	r := f.api("GET", "/api/gigs/"+jid, nil)
	if r.body["kind"] != "全职" || r.body["suits_older"] != true || r.body["job_fair_id"] != fair.String() ||
		r.body["wage_unit"] != "元/月" {
		t.Fatalf("GET job: %s", r.raw)
	}
	if r := f.api("GET", "/api/gigs/"+gid, nil); r.body["kind"] != "零工" || r.body["suits_older"] != false {
		t.Fatalf("GET gig: %s", r.raw)
	}
	for _, q := range []struct {
		query string
		want  string
	}{
		{"?kind=全职", jid}, {"?kind=零工", gid}, {"?suits_older=1", jid}, {"?job_fair_id=" + fair.String(), jid},
	} {
		r := f.api("GET", "/api/gigs"+q.query, nil)
		gigs, _ := r.body["gigs"].([]any)
		if len(gigs) != 1 || gigs[0].(map[string]any)["id"] != q.want {
			t.Errorf("GET /api/gigs%s: %s", q.query, r.raw)
		}
	}
	programmeRefused(t, "list kind=兼职", f.api("GET", "/api/gigs?kind=兼职", nil), http.StatusBadRequest, "kind")
	programmeRefused(t, "list suits_older=x", f.api("GET", "/api/gigs?suits_older=x", nil), http.StatusBadRequest,
		"suits_older")
	// A patch of the kind alone leaves the day's pay: refused (kind_pay).
	programmeRefused(t, "patch gig to 全职 alone", f.api("PATCH", "/api/gigs/"+gid, map[string]any{"kind": "全职"}),
		http.StatusBadRequest, "wage_unit")
	programmeRefused(t, "patch to a job fair not held", f.api("PATCH", "/api/gigs/"+gid,
		map[string]any{"job_fair_id": ident.ID{7}.String()}), http.StatusBadRequest, "job_fair_id")
	// A job patched in one field keeps its kind and pay (read back whole).
	if r := f.api("PATCH", "/api/gigs/"+jid, map[string]any{"headcount": 3}); r.status != http.StatusOK {
		t.Fatalf("patch job headcount: %d %s", r.status, r.raw)
	}
	if r := f.api("PATCH", "/api/gigs/"+gid, map[string]any{"kind": "全职", "wage": 3800, "wage_unit": "元/月",
		"settlement": "月结", "suits_older": true, "job_fair_id": fair.String()}); r.status != http.StatusOK {
		t.Fatalf("patch gig to a job: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/gigs?kind=全职&suits_older=1", nil); r.body["total"] != float64(2) {
		t.Fatalf("jobs suiting older workers after the patch: %s", r.raw)
	}
	// A job fair postings name stays while they do.
	if err := f.st.DeleteProgramme(context.Background(), records.JobFairs, fair); err == nil {
		t.Fatal("deleted a job fair postings name")
	}
}

// FuzzTrainingAPI drives the training API and the gig API's new fields
// with any body, and the lists with any filter: the answers keep
// fuzzStation.do's shape (no 5xx, an error naming a field or none, an id on
// every 2xx), and a record acknowledged is there to read. Besides
// fuzzStation's placeholders (@G its gig), @T is a course, @E an
// enrolment of @W in it, @J a job fair. A list's filters answer a page or
// an error naming one, never a 5xx.
func FuzzTrainingAPI(f *testing.F) {
	z := newFuzzStation(f)
	tid := z.fx.mustCreate("/api/trainings", map[string]any{"course": "电工", "kind": "技能", "skill": "电工",
		"start_on": "2026-10-01"})
	eid := z.fx.mustCreate("/api/training-enrolments", map[string]any{"worker_id": z.wid, "training_id": tid,
		"completed": true, "certificate_kind": "培训合格证书", "certificate_no": "C-1"})
	jid, err := z.fx.st.SaveProgramme(context.Background(), records.JobFairs, ident.Zero, &records.JobFair{Title: "招聘会",
		Kind: "线上", HeldOn: "2026-11-01", Place: "线上"})
	if err != nil {
		f.Fatal(err)
	}
	paths := []struct{ method, path, table string }{
		{"POST", "/api/trainings", records.Trainings},
		{"POST", "/api/training-enrolments", records.TrainingEnrolments},
		{"PATCH", "/api/trainings/@T", records.Trainings},
		{"PATCH", "/api/training-enrolments/@E", records.TrainingEnrolments},
		{"POST", "/api/gigs", records.Gigs},
		{"PATCH", "/api/gigs/@G", records.Gigs},
		{"GET", "/api/training-enrolments?", ""},
		{"GET", "/api/gigs?", ""},
	}
	f.Add(uint8(0), `{"course":"x","kind":"安全","start_on":"2026-01-01","end_on":"2025-12-31","subsidy":1e309}`)
	f.Add(uint8(1), `{"worker_id":"@W","training_id":"@T","completed":true,"certificate_kind":"培训合格证书","certificate_no":"C-1"}`)
	f.Add(uint8(1), `{"worker_id":"@F","training_id":"@T","completed":false,"certificate_level":"四级/中级工"}`)
	f.Add(uint8(2), `{"kind":"乡村工匠","end_on":"2026-10-31"}`)
	f.Add(uint8(3), `{"certificate_no":"","certificate_kind":""}`)
	f.Add(uint8(3), `{"TRAINING_ID":"@J"}`)
	f.Add(uint8(4), `{"title":"x","occupation":"x","headcount":1,"wage":1,"wage_unit":"元/月","settlement":"月结","place":"150421100","start_date":"2026-11-20","employer":"x","contact":"x","kind":"全职","suits_older":true,"job_fair_id":"@J"}`)
	f.Add(uint8(5), `{"kind":"全职","wage_unit":"元/天"}`)
	f.Add(uint8(5), `{"job_fair_id":"@T"}`)
	f.Add(uint8(6), `training_id=@T&worker_id=@W&completed=1`)
	f.Add(uint8(7), `kind=%E5%85%A8%E8%81%8C&suits_older=true&job_fair_id=@J`)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		p := paths[int(which)%len(paths)]
		swap := strings.NewReplacer("@T", tid, "@E", eid, "@J", jid.String())
		body = swap.Replace(z.expand(t, body))
		path := swap.Replace(p.path)
		if p.method == "GET" {
			q, err := url.ParseQuery(body)
			if err != nil {
				return
			}
			u := &url.URL{Path: strings.TrimSuffix(path, "?"), RawQuery: q.Encode()}
			rec := httptest.NewRecorder()
			z.fx.h.ServeHTTP(rec, httptest.NewRequest("GET", u.RequestURI(), nil))
			var out map[string]any
			if rec.Code >= 500 || json.Unmarshal(rec.Body.Bytes(), &out) != nil ||
				rec.Code >= 400 && out["error"] == "" || rec.Code == http.StatusOK && out["total"] == nil {
				t.Fatalf("GET %s: %d %s", u.RequestURI(), rec.Code, rec.Body.String())
			}
			return
		}
		st, out := z.do(t, p.method, path, body)
		if st >= 300 {
			return
		}
		id := out["id"].(string)
		z.rowExists(t, p.table, id)
		z.get(t, strings.TrimSuffix(path, "/"+id)+"/"+id)
	})
}

// The training pages refuse a bad course on the field, in Chinese, writing
// nothing; the edit form of a 全职 job saves a change of one field (the job
// read back whole, its kind and monthly pay kept) and refuses a 零工 paid by
// the month on wage_unit; the gig list filters by kind.
func TestTrainingAndJobPages(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	if r := b.get("/services/trainings/new"); r.status != 200 || !strings.Contains(r.raw, "培训类型") {
		t.Fatalf("course form: %d", r.status)
	}
	form := url.Values{"course": {"焊工"}, "kind": {"技能"}, "skill": {"电焊"}, "start_on": {"2026-10-10"},
		"end_on": {"2026-10-01"}}
	r := b.post("/services/trainings/new", form)
	if r.status != 400 || !strings.Contains(r.raw, `id="err-end_on"`) || !strings.Contains(r.raw, `value="焊工"`) {
		t.Fatalf("course ending before it starts: %d\n%s", r.status, r.raw)
	}
	if rows := listItems(t, f.api("GET", "/api/trainings", nil)); len(rows) != 0 {
		t.Fatalf("a refused course was written: %v", rows)
	}
	form.Set("end_on", "2026-10-20")
	if r := b.post("/services/trainings/new", form); r.status != http.StatusSeeOther {
		t.Fatalf("course: %d\n%s", r.status, r.raw)
	}
	if r := b.get("/services/trainings?kind=技能"); r.status != 200 || !strings.Contains(r.raw, "焊工") {
		t.Fatalf("course list: %d", r.status)
	}

	job := gigBody()
	job["title"], job["kind"], job["wage"], job["wage_unit"], job["settlement"] = "保安", "全职", 3500, "元/月", "月结"
	jid := f.mustCreate("/api/gigs", job)
	f.mustCreate("/api/gigs", gigBody())
	edit := b.get("/gigs/" + jid + "/edit")
	if edit.status != 200 || !strings.Contains(edit.raw, `value="全职" selected`) || !strings.Contains(edit.raw, "/static/gigform.js") {
		t.Fatalf("job edit form: %d\n%s", edit.status, edit.raw)
	}
	vals := url.Values{}
	for _, fs := range gigFields {
		if v, ok := job[fs.Name]; ok {
			vals.Set(fs.Name, fmt.Sprint(v))
		}
	}
	vals.Set("skills", "采摘")
	vals.Set("status", "open")
	vals.Set("headcount", "4")
	if r := b.post("/gigs/"+jid+"/edit", vals); r.status != http.StatusSeeOther {
		t.Fatalf("job edit: %d\n%s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/gigs/"+jid, nil); r.body["headcount"] != float64(4) || r.body["kind"] != "全职" {
		t.Fatalf("job after the edit: %s", r.raw)
	}
	vals.Set("kind", "零工")
	if r := b.post("/gigs/"+jid+"/edit", vals); r.status != 400 || !strings.Contains(r.raw, `id="err-wage_unit"`) ||
		!strings.Contains(r.raw, "全职岗位按月计薪") {
		t.Fatalf("a 零工 paid by the month: %d\n%s", r.status, r.raw)
	}
	if r := b.get("/gigs?kind=全职"); !strings.Contains(r.raw, "保安") || strings.Contains(r.raw, "摘枸杞") {
		t.Fatalf("gig list of jobs:\n%s", r.raw)
	}
}
