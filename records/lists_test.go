package records

import "testing"

func TestNormalizeListFlag(t *testing.T) {
	cases := []struct {
		in      string
		list    string
		willing bool
	}{
		{"就业", ListEmployed, false},
		{"employed", ListEmployed, false},
		{"就业人员清单", ListEmployed, false},
		{"失业", ListUnemployed, false},
		{"unemployed", ListUnemployed, false},
		// The old third list, and each of its names, is 失业 with the flag.
		{"有意愿外出", ListUnemployed, true},
		{"willing_away", ListUnemployed, true},
		{"有意愿外出人员", ListUnemployed, true},
		{"有意愿外出人员清单", ListUnemployed, true},
		{"外出意愿", ListUnemployed, true},
		{"有外出意愿", ListUnemployed, true},
		{"", "", false},
		{"退休", "", false},
	}
	for _, c := range cases {
		l, w := NormalizeListFlag(c.in)
		if l != c.list || w != c.willing {
			t.Errorf("NormalizeListFlag(%q) = %q, %v; want %q, %v", c.in, l, w, c.list, c.willing)
		}
	}
}

func TestStatusList(t *testing.T) {
	cases := []struct {
		list    string
		flag    bool
		want    string
		willing bool
	}{
		{ListEmployed, false, ListEmployed, false},
		{ListEmployed, true, ListEmployed, true}, // employed and willing: on both lists
		{ListUnemployed, false, ListUnemployed, false},
		{ListUnemployed, true, ListUnemployed, true},
		{ListWillingAway, false, ListUnemployed, true}, // a row a version 1 station wrote
		{ListWillingAway, true, ListUnemployed, true},
		{"", true, "", true},
	}
	for _, c := range cases {
		l, w := StatusList(c.list, c.flag)
		if l != c.want || w != c.willing {
			t.Errorf("StatusList(%q, %v) = %q, %v; want %q, %v", c.list, c.flag, l, w, c.want, c.willing)
		}
	}
}

func TestMonthStatusOldListBecomesFlag(t *testing.T) {
	for _, name := range []string{ListWillingAway, "willing_away", "有意愿外出人员清单"} {
		m := MonthStatus{WorkerID: checkWID, Month: "2026-11", ListType: name, VerifiedByMethod: "电话",
			VerifiedBy: "李四", VerifiedAt: "2026-11-20"}
		if err := m.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m.ListType != ListUnemployed || !m.WillingAway {
			t.Errorf("%s: stored as %q willing=%v, want 失业 willing=true", name, m.ListType, m.WillingAway)
		}
	}
	// The flag set on an employed status stays; the list stays 就业.
	m := MonthStatus{WorkerID: checkWID, Month: "2026-11", ListType: "employed", WorkScope: "区外", EmploymentForm: "单位",
		VerifiedByMethod: "电话", VerifiedBy: "李四", VerifiedAt: "2026-11-20", WillingAway: true}
	if err := m.Validate(); err != nil || m.ListType != ListEmployed || !m.WillingAway {
		t.Errorf("employed and willing: %q willing=%v err=%v", m.ListType, m.WillingAway, err)
	}
	bad := MonthStatus{WorkerID: checkWID, Month: "2026-11", ListType: "退休", VerifiedByMethod: "电话",
		VerifiedBy: "李四", VerifiedAt: "2026-11-20"}
	fe, ok := AsFieldError(bad.Validate())
	if !ok || fe.Field != "list_type" || fe.Key != KeyEnum {
		t.Fatalf("unknown list: %v", bad.Validate())
	}
}
