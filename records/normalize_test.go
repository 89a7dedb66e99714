package records

import (
	"strings"
	"testing"
	"time"

	"fieldsync/ident"
)

// idBorn is a valid id number of a person born on yyyymmdd.
func idBorn(yyyymmdd string) string {
	first := "150102" + yyyymmdd + "001"
	return first + string(ident.CheckDigit(first))
}

func TestNormalizeDate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-11-10", "2026-11-10"},
		{"2026/11/10", "2026-11-10"},
		{"2026.11.10", "2026-11-10"},
		{"20261110", "2026-11-10"},
		{"2026/1/5", "2026-01-05"},
		{"2026-1-5", "2026-01-05"},
		{"2026.1.05", "2026-01-05"},
		{" 2026/11/10 ", "2026-11-10"},
		{"2026-02-30", ""},
		{"20260230", ""},
		{"2026/13/01", ""},
		{"2026-11/10", ""},
		{"26/11/10", ""},
		{"2026111", ""},
		{"2026/011/10", ""},
		{"2026年11月10日", ""},
		{"10/11/2026", ""},
		{"2026-11-10-1", ""},
		{"", ""},
	} {
		got, ok := NormalizeDate(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("NormalizeDate(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

// A record's Validate stores the date in its one form, and a bad date is
// refused naming the field in Chinese.
func TestDateFieldsNormalised(t *testing.T) {
	f := Followup{WorkerID: checkWID, Date: "2026/3/1", Method: "电话", ServiceType: "岗位推荐", Content: "推荐岗位",
		NextDue: "20260401"}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if f.Date != "2026-03-01" || f.NextDue != "2026-04-01" {
		t.Errorf("stored %q, %q", f.Date, f.NextDue)
	}
	f.NextDue = "2026.02.30"
	fe, ok := AsFieldError(f.Validate())
	if !ok || fe.Field != "next_due" || fe.Key != KeyDate {
		t.Fatalf("bad date: %v", fe)
	}
	if msg := fe.Message("zh"); msg != FieldLabel("zh", "next_due")+"应为日期，如2026-01-31、2026/1/31、2026.1.31或20260131" {
		t.Errorf("message %q", msg)
	}
}

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"13900000003", "13900000003"},
		{"+86 139-0000-0003", "13900000003"},
		{"+8613900000003", "13900000003"},
		{"0086 139 0000 0003", "13900000003"},
		{"86 13900000003", "13900000003"},
		{"139.0000.0003", "13900000003"},
		{"(139) 0000 0003", "13900000003"},
		{"0471-1234567", "0471-1234567"},
		{"(0471) 123 4567", "0471-1234567"},
		{"（0471）1234567", "0471-1234567"},
		{"04711234567", "0471-1234567"},
		{"0471-12345678", "0471-12345678"},
		{"010-12345678", "010-12345678"},
		{"(010)1234-5678", "010-12345678"},
		{"021 1234 5678", "021-12345678"},
		{"0471-1234567-801", ""}, // an extension is refused
		{"0471-1234567转801", ""}, // so written too
		{"0471-123456", ""},      // number too short
		{"0471-123456789", ""},   // too long
		{"1234567", ""},          // no area code
		{"12900000003", ""},      // not a mobile prefix
		{"1390000000", ""},       // 10 digits
		{"139000000033", ""},     // 12 digits
		{"+86 0471 1234567", ""}, // +86 only before a mobile
		{"+1 139 0000 0003", ""},
		{"1390000000+3", ""},
		{"139O0000003", ""},
	} {
		got, ok := NormalizePhone(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestWorkerPhone(t *testing.T) {
	w := goodWorker()
	w.Phone = "+86 139-0000-0003"
	if err := w.Validate(); err != nil || w.Phone != "13900000003" {
		t.Fatalf("mobile: %v, %q", err, w.Phone)
	}
	w.Phone = "(0471) 123 4567"
	if err := w.Validate(); err != nil || w.Phone != "0471-1234567" {
		t.Fatalf("landline: %v, %q", err, w.Phone)
	}
	w.Phone = "0471-1234567-801"
	fe, ok := AsFieldError(w.Validate())
	if !ok || fe.Field != "phone" || fe.Key != KeyPhone {
		t.Fatalf("extension: %v", fe)
	}
	if msg := fe.Message("zh"); msg != FieldLabel("zh", "phone")+"应为11位手机号码，或固定电话（区号-号码，如0471-1234567）" {
		t.Errorf("message %q", msg)
	}
}

func TestWorkerValidateOn(t *testing.T) {
	today := time.Date(2026, 12, 6, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for _, c := range []struct {
		name, id, key string
	}{
		{"adult", idBorn("19800101"), ""},
		{"16 today", idBorn("20101206"), ""},
		{"16 tomorrow", idBorn("20101207"), KeyIDTooYoung},
		{"child", idBorn("20200101"), KeyIDTooYoung},
		{"born today", idBorn("20261206"), KeyIDTooYoung},
		{"born tomorrow", idBorn("20261207"), KeyIDFuture},
		{"born next year", idBorn("20270101"), KeyIDFuture},
	} {
		w := goodWorker()
		w.IDNumber = c.id
		err := w.ValidateOn(today)
		if c.key == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		fe, ok := AsFieldError(err)
		if !ok || fe.Field != "id_number" || fe.Key != c.key {
			t.Errorf("%s: got %v, want id_number/%s", c.name, err, c.key)
			continue
		}
		if msg := fe.Message("zh"); msg == "" || !strings.HasPrefix(msg, FieldLabel("zh", "id_number")) {
			t.Errorf("%s: message %q does not name the field", c.name, msg)
		}
		// Validate alone (no date) keeps today's rules.
		if err := w.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", c.name, err)
		}
	}
	w := goodWorker()
	w.IDNumber = idBorn("20101207")
	if fe, _ := AsFieldError(w.ValidateOn(today)); fe == nil || fe.Message("zh") != FieldLabel("zh", "id_number")+"显示登记时未满16周岁" {
		t.Errorf("too young message: %v", fe)
	}
}

// The hub accepts what an older station sends (stored forms unchanged),
// accepts the new landline form, refuses forms that are not stored ones,
// refuses a birth date in the future, and keeps a row for a person under 16.
func TestCheckChangeNormalisedForms(t *testing.T) {
	rows := validRows(t)
	worker := func(set map[string]any) map[string]any {
		r := map[string]any{}
		for k, v := range stored(rows[Workers]) {
			r[k] = v
		}
		for k, v := range set {
			r[k] = v
		}
		return r
	}
	follow := func(set map[string]any) map[string]any {
		r := map[string]any{}
		for k, v := range rows[Followups] {
			r[k] = v
		}
		for k, v := range set {
			r[k] = v
		}
		return r
	}
	for _, c := range []struct {
		name   string
		table  string
		fields map[string]any
		want   string
	}{
		{"old mobile", Workers, worker(map[string]any{"phone": "13900000003"}), ""},
		{"landline", Workers, worker(map[string]any{"phone": "0471-1234567"}), ""},
		{"mobile not stored form", Workers, worker(map[string]any{"phone": "+86 139-0000-0003"}), "phone/" + KeyNotCanonical},
		{"landline not stored form", Workers, worker(map[string]any{"phone": "(0471) 123 4567"}), "phone/" + KeyNotCanonical},
		{"bad phone", Workers, worker(map[string]any{"phone": "0471-1234567-801"}), "phone/" + KeyPhone},
		{"date", Followups, follow(map[string]any{"date": "2026-03-02"}), ""},
		{"date not stored form", Followups, follow(map[string]any{"date": "2026/3/2"}), "date/" + KeyNotCanonical},
		{"compact date not stored form", Followups, follow(map[string]any{"date": "20260302"}), "date/" + KeyNotCanonical},
		{"15-year-old kept", Workers, worker(map[string]any{"id_number": idBorn("20110101")}), ""},
		{"born on hub's next day (zones)", Workers, worker(map[string]any{"id_number": idBorn("20261202")}), ""},
		{"born in the future", Workers, worker(map[string]any{"id_number": idBorn("20261203")}), "id_number/" + KeyIDFuture},
		{"future and bad phone", Workers, worker(map[string]any{"id_number": idBorn("20270101"), "phone": "12"}),
			"id_number/" + KeyIDFuture + ",phone/" + KeyPhone},
	} {
		if got := errFields(CheckChange(c.table, nil, c.fields, checkNow)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	// An update setting only the id number is judged the same way.
	before := worker(nil)
	if got := errFields(CheckChange(Workers, before, map[string]any{"id_number": idBorn("20270101")}, checkNow)); got != "id_number/"+KeyIDFuture {
		t.Errorf("update: %q", got)
	}
}
