package stationweb

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"fieldsync/records"
)

// wantRefused checks that r refused the field named, with a Chinese message
// that begins with the field's label.
func wantRefused(t *testing.T, what string, r resp, field string) {
	t.Helper()
	msg, _ := r.body["error"].(string)
	if r.status != 400 || r.body["field"] != field || !strings.HasPrefix(msg, records.FieldLabel("zh", field)) {
		t.Errorf("%s: %d %s; want 400 naming %s", what, r.status, r.raw, field)
	}
}

// Dates written with slashes, dots or no separator are stored as
// 2026-11-10 through the API; a day that does not exist is refused naming
// the field.
func TestAPIDatesNormalised(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	for _, c := range []struct{ date, next, want, wantNext string }{
		{"2026/11/10", "20261210", "2026-11-10", "2026-12-10"},
		{"2026.11.9", "2026/12/1", "2026-11-09", "2026-12-01"},
		{"20261108", "", "2026-11-08", ""},
	} {
		id := f.mustCreate("/api/followups", map[string]any{"worker_id": wid, "date": c.date, "method": "上门",
			"service_type": "岗位推荐", "content": "推荐", "next_due": c.next})
		r := f.api("GET", "/api/workers/"+wid, nil)
		found := false
		for _, x := range r.body["followups"].([]any) {
			fu := x.(map[string]any)
			if fu["id"] != id {
				continue
			}
			found = true
			next, _ := fu["next_due"].(string)
			if fu["date"] != c.want || next != c.wantNext {
				t.Errorf("%s / %s stored as %v / %v", c.date, c.next, fu["date"], fu["next_due"])
			}
		}
		if !found {
			t.Errorf("%s: follow-up %s not listed", c.date, id)
		}
	}
	for _, bad := range []string{"2026/11/31", "2026-13-01", "10/11/2026", "2026年11月10日"} {
		r := f.api("POST", "/api/followups", map[string]any{"worker_id": wid, "date": bad, "method": "上门",
			"service_type": "岗位推荐", "content": "推荐"})
		wantRefused(t, "date "+bad, r, "date")
	}
}

// The forms render date fields as date inputs and store a typed date in
// its one form.
func TestFormDatesNormalised(t *testing.T) {
	f := newFixture(t, nil)
	b := f.browser()
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	r := b.get("/workers/" + wid + "/followups")
	if r.status != 200 || !strings.Contains(r.raw, `id="f-date" type="date" name="date"`) {
		t.Fatalf("follow-up form: %d\n%s", r.status, r.raw)
	}
	form := url.Values{"date": {"2026/11/5"}, "method": {"上门"}, "service_type": {"岗位推荐"}, "content": {"推荐"}}
	if r := b.post("/workers/"+wid+"/followups", form); r.status != 303 {
		t.Fatalf("follow-up: %d\n%s", r.status, r.raw)
	}
	got := f.api("GET", "/api/workers/"+wid, nil).body["followups"].([]any)
	if len(got) != 1 || got[0].(map[string]any)["date"] != "2026-11-05" {
		t.Errorf("stored %v", got)
	}
	form.Set("date", "2026/11/31")
	if r := b.post("/workers/"+wid+"/followups", form); r.status != 400 || !strings.Contains(r.raw, records.FieldLabel("zh", "date")+"应为日期") {
		t.Errorf("bad date: %d\n%s", r.status, r.raw)
	}
}

// Phones are stored in their one form (a mobile's 11 digits, a landline as
// 区号-号码) through the API, the forms and the importer; a bad one is
// refused naming the field.
func TestPhonesNormalised(t *testing.T) {
	f := newFixture(t, nil)
	for i, c := range []struct{ in, want string }{
		{"+86 139-0000-0003", "13900000003"},
		{"13900000004", "13900000004"},
		{"(0471) 123 4567", "0471-1234567"},
		{"010-1234 5678", "010-12345678"},
	} {
		body := workerBody(idNumber("19800101", 20+i))
		body["phone"] = c.in
		wid := f.mustCreate("/api/workers", body)
		if r := f.api("GET", "/api/workers/"+wid, nil); r.body["phone"] != c.want {
			t.Errorf("%q stored as %v", c.in, r.body["phone"])
		}
	}
	for i, bad := range []string{"0471-1234567-801", "1390000000", "+1 139 0000 0003", "电话"} {
		body := workerBody(idNumber("19800101", 40+i))
		body["phone"] = bad
		wantRefused(t, "phone "+bad, f.api("POST", "/api/workers", body), "phone")
	}
	// An edit through the API is normalised too.
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 50)))
	if r := f.api("PATCH", "/api/workers/"+wid, map[string]any{"phone": "0471 765 4321"}); r.status/100 != 2 {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	if r := f.api("GET", "/api/workers/"+wid, nil); r.body["phone"] != "0471-7654321" {
		t.Errorf("patched phone %v", r.body["phone"])
	}
	wantRefused(t, "patch bad phone", f.api("PATCH", "/api/workers/"+wid, map[string]any{"phone": "0471-12"}), "phone")

	// The form.
	b := f.browser()
	form := workerForm(idNumber("19850505", 60))
	form.Set("phone", "0086 139 0000 0005")
	r := b.post("/workers/new", form)
	if r.status != 303 {
		t.Fatalf("form: %d\n%s", r.status, r.raw)
	}
	if got := f.api("GET", strings.Replace(r.header.Get("Location"), "/workers/", "/api/workers/", 1), nil); got.body["phone"] != "13900000005" {
		t.Errorf("form phone stored as %v", got.body["phone"])
	}

	// The importer.
	csv := "公民身份号码,姓名,联系电话,民族,户籍村,文化程度,劳动能力\n" +
		idNumber("19800101", 70) + ",甲,(0471) 123 4567,蒙古族,150421100201,初中,普通劳动力\n" +
		idNumber("19800101", 71) + ",乙,0471-1234567转8,蒙古族,150421100201,初中,普通劳动力\n"
	res, err := f.st.ImportWorkers(context.Background(), "名单.csv", []byte(csv), "zh")
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 1 || len(res.Errors) != 1 || res.Errors[0].Field != "phone" || res.Errors[0].Row != 3 {
		t.Fatalf("import: %+v", res)
	}
	r = f.api("GET", "/api/workers?q=甲", nil)
	list, _ := r.body["workers"].([]any)
	if len(list) != 1 {
		t.Fatalf("imported: %s", r.raw)
	}
	if got := f.api("GET", "/api/workers/"+list[0].(map[string]any)["id"].(string), nil); got.body["phone"] != "0471-1234567" {
		t.Errorf("imported phone %v", got.body["phone"])
	}
}

// A person registered must have been born by today and be at least 16 on
// the registration date (the station's today, 2026-11-15 here): through the
// API, the forms and the importer.
func TestIDNumberBirthDateRules(t *testing.T) {
	f := newFixture(t, nil)
	for i, c := range []struct {
		birth string
		ok    bool
		msg   string
	}{
		{"19800101", true, ""},
		{"20101115", true, ""}, // 16 today
		{"20101116", false, "显示登记时未满16周岁"},
		{"20200601", false, "显示登记时未满16周岁"},
		{"20261116", false, "中的出生日期晚于今天"},
		{"20300101", false, "中的出生日期晚于今天"},
	} {
		r := f.api("POST", "/api/workers", workerBody(idNumber(c.birth, 80+i)))
		if c.ok {
			if r.status != 201 {
				t.Errorf("%s: %d %s", c.birth, r.status, r.raw)
			}
			continue
		}
		wantRefused(t, "born "+c.birth, r, "id_number")
		if msg, _ := r.body["error"].(string); !strings.Contains(msg, c.msg) {
			t.Errorf("%s: message %q, want %q", c.birth, msg, c.msg)
		}
	}
	b := f.browser()
	if r := b.post("/workers/new", workerForm(idNumber("20150101", 90))); r.status != 400 ||
		!strings.Contains(r.raw, "公民身份号码显示登记时未满16周岁") {
		t.Errorf("form: %d\n%s", r.status, r.raw)
	}
	csv := "公民身份号码,姓名,民族,户籍村,文化程度,劳动能力\n" +
		idNumber("20150101", 91) + ",甲,蒙古族,150421100201,初中,普通劳动力\n" +
		idNumber("20290101", 92) + ",乙,蒙古族,150421100201,初中,普通劳动力\n" +
		idNumber("19900101", 93) + ",丙,蒙古族,150421100201,初中,普通劳动力\n"
	res, err := f.st.ImportWorkers(context.Background(), "名单.csv", []byte(csv), "zh")
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 1 || len(res.Errors) != 2 || res.Errors[0].Field != "id_number" || res.Errors[1].Field != "id_number" ||
		!strings.Contains(res.Errors[0].Message, "未满16周岁") || !strings.Contains(res.Errors[1].Message, "晚于今天") {
		t.Errorf("import: %+v", res)
	}
}

// An edit form that sends a date or phone in another form than the stored
// one does not count it as changed; a real change does.
func TestChangedFieldsStoredForms(t *testing.T) {
	spec := []fieldSpec{f("phone", "text", false), f("date", "date", true), f("name", "text", true)}
	before := url.Values{"phone": {"13900000003"}, "date": {"2026-03-01"}, "name": {"甲"}}
	for _, c := range []struct {
		after url.Values
		want  string
	}{
		{url.Values{"phone": {"+86 139-0000-0003"}, "date": {"2026/3/1"}, "name": {"甲"}}, ""},
		{url.Values{"phone": {"0471-1234567"}, "date": {"20260301"}, "name": {"甲"}}, "phone"},
		{url.Values{"phone": {"13900000003"}, "date": {"2026/3/2"}, "name": {"乙"}}, "date,name"},
		{url.Values{"phone": {"bad"}, "date": {"2026/2/30"}, "name": {"甲"}}, "phone,date"},
	} {
		if got := strings.Join(changedFields(spec, before, c.after), ","); got != c.want {
			t.Errorf("%v: changed %q, want %q", c.after, got, c.want)
		}
	}
}

// A spreadsheet's phone cells, as numbers or text in any accepted form, are
// stored in their one form.
func TestImportXLSXPhones(t *testing.T) {
	f := newFixture(t, nil)
	rows := [][]any{staffHeader}
	want := map[string]string{}
	for i, phone := range []any{int64(13900000006), "+86 139 0000 0007", "(0471)1234567"} {
		idn := idNumber("19800101", 100+i)
		r := staffRow(i+1, idn, "人"+string(rune('甲'+i)))
		r[3] = phone
		rows = append(rows, r)
		want[idn] = []string{"13900000006", "13900000007", "0471-1234567"}[i]
	}
	res, err := f.st.ImportWorkers(context.Background(), "名单.xlsx", makeXLSX(t, rows), "zh")
	if err != nil || res.Imported != 3 {
		t.Fatalf("import: %+v %v", res, err)
	}
	list, _ := f.api("GET", "/api/workers", nil).body["workers"].([]any)
	if len(list) != 3 {
		t.Fatalf("listed %d", len(list))
	}
	for _, x := range list {
		w := f.api("GET", "/api/workers/"+x.(map[string]any)["id"].(string), nil).body
		if w["phone"] != want[w["id_number"].(string)] {
			t.Errorf("%v: phone %v", w["id_number"], w["phone"])
		}
	}
}
