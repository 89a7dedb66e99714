package records

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fieldsync/replica"
)

var checkNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

const (
	checkWID = "0123456789abcdef0123456789abcdef"
	gid      = "fedcba9876543210fedcba9876543210"
)

// rowOf turns a record's Columns into a change's fields.
func rowOf(cols []replica.ColumnValue) map[string]any {
	m := map[string]any{}
	for _, cv := range cols {
		m[cv.Column] = cv.Value
	}
	return m
}

// validRows holds one valid, normalised row of each checked table.
func validRows(t testing.TB) map[string]map[string]any {
	w := goodWorker()
	m := MonthStatus{WorkerID: checkWID, Month: "2026-11", ListType: ListEmployed, WorkScope: "本村",
		EmploymentForm: "单位", MonthlyIncome: Income(3000), VerifiedByMethod: "电话", VerifiedBy: "李四", VerifiedAt: "2026-11-20"}
	u := UnemploymentRegistration{WorkerID: checkWID, PlaceType: "户籍地", RegisteredOn: "2026-03-01", Reason: "工厂关闭",
		DeregisteredOn: "2026-06-01", DeregistrationReason: "就业"}
	j := JobseekerRegistration{WorkerID: checkWID, IntendedWork: "电焊", ExpectedWage: 200, WageUnit: "元/天",
		WorkType: "零工", RegisteredOn: "2026-03-01"}
	f := Followup{WorkerID: checkWID, Date: "2026-03-01", Method: "电话", ServiceType: "岗位推荐", Content: "推荐岗位",
		NextDue: "2026-04-01"}
	g := Gig{Title: "收玉米", Occupation: "农工", Headcount: 5, Wage: 150, WageUnit: "元/天", Settlement: "日结",
		Place: "150102", StartDate: "2026-09-01", EndDate: "2026-09-10", AgeMin: 18, AgeMax: 60, Employer: "张家",
		Contact: "13800138000", Skills: []string{"驾驶"}}
	p := Placement{GigID: gid, WorkerID: checkWID, PlacedOn: "2026-09-01"}
	h := Household{WorkerID: checkWID, Village: "150421100207", MonitorType: "脱贫不稳定户"}
	recs := map[string]checkedRecord{Workers: &w, MonthlyStatus: &m, Unemployment: &u, Jobseeker: &j,
		Followups: &f, Gigs: &g, Placements: &p, Households: &h}
	out := map[string]map[string]any{}
	for table, r := range recs {
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: sample is not valid: %v", table, err)
		}
		out[table] = rowOf(r.Columns())
	}
	return out
}

// stored turns a Columns row into the hub's stored shapes (bool as int64).
func stored(row map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range row {
		if b, ok := v.(bool); ok {
			n := int64(0)
			if b {
				n = 1
			}
			v = n
		}
		out[k] = v
	}
	return out
}

func errFields(errs []*FieldError) string {
	var s []string
	for _, e := range errs {
		s = append(s, e.Field+"/"+e.Key)
	}
	return strings.Join(s, ",")
}

func TestCheckChange(t *testing.T) {
	rows := validRows(t)
	long := strings.Repeat("长", 51)
	cases := []struct {
		name   string
		table  string
		before map[string]any // nil: a new row; "valid": the valid row
		edit   func(before map[string]any) map[string]any
		want   string // field/key,... in column order; "" accepted
	}{
		// A whole valid row is accepted as a new row and as a change.
		{"worker new", Workers, nil, func(map[string]any) map[string]any { return rows[Workers] }, ""},
		{"gig new", Gigs, nil, func(map[string]any) map[string]any { return rows[Gigs] }, ""},
		{"worker name", Workers, rows[Workers], setting("name", "王五", EnteredBy, "clerk", "station", "any"), ""},
		{"worker willing as int", Workers, rows[Workers], setting("willing_away", int64(1)), ""},
		{"status income as int", MonthlyStatus, rows[MonthlyStatus], setting("monthly_income", int64(2000)), ""},

		// Bad values, each refused naming its column.
		{"worker bad id", Workers, rows[Workers], setting("id_number", "110105194912310021"), "id_number/" + KeyIDChecksum},
		{"worker bad phone", Workers, rows[Workers], setting("phone", "12800138000"), "phone/" + KeyPhone},
		{"worker empty name", Workers, rows[Workers], setting("name", nil), "name/" + KeyRequired},
		{"worker long name", Workers, rows[Workers], setting("name", long), "name/" + KeyTooLong},
		{"worker bad tag", Workers, rows[Workers], setting("tags", []string{"富人"}), "tags/" + KeyEnum},
		{"worker willing 2", Workers, rows[Workers], setting("willing_away", int64(2)), "willing_away/" + KeyBadValue},
		{"worker name int", Workers, rows[Workers], setting("name", int64(3)), "name/" + KeyBadValue},
		{"worker unknown col", Workers, rows[Workers], setting("salary", "1"), "salary/" + KeyUnknownField},
		{"entered_by long", Workers, rows[Workers], setting(EnteredBy, long), "entered_by/" + KeyTooLong},
		{"entered_by int", Workers, rows[Workers], setting(EnteredBy, int64(1)), "entered_by/" + KeyBadValue},
		{"status bad list", MonthlyStatus, rows[MonthlyStatus], setting("list_type", "x"), "list_type/" + KeyEnum},
		{"status bad month", MonthlyStatus, rows[MonthlyStatus], setting("month", "2026-13"), "month/" + KeyMonth},
		{"status negative", MonthlyStatus, rows[MonthlyStatus], setting("monthly_income", -1.0), "monthly_income/" + KeyNegative},
		{"status employed needs scope", MonthlyStatus, rows[MonthlyStatus], setting("work_scope", nil), "work_scope/" + KeyRequired},
		{"unemp dereg before", Unemployment, rows[Unemployment], setting("deregistered_on", "2026-01-01"), "deregistered_on/" + KeyBeforeStart},
		{"unemp bad worker", Unemployment, rows[Unemployment], setting("worker_id", "nope"), "worker_id/" + KeyNoWorker},
		{"jobseeker bad type", Jobseeker, rows[Jobseeker], setting("work_type", "x"), "work_type/" + KeyEnum},
		{"followup bad date", Followups, rows[Followups], setting("date", "2026/02/30"), "date/" + KeyDate},
		{"gig headcount", Gigs, rows[Gigs], setting("headcount", int64(0)), "headcount/" + KeyPositive},
		{"gig headcount float", Gigs, rows[Gigs], setting("headcount", 2.0), "headcount/" + KeyBadValue},
		{"gig place", Gigs, rows[Gigs], setting("place", "1501"), "place/" + KeyPlace},
		{"gig end before start", Gigs, rows[Gigs], setting("end_date", "2026-08-01"), "end_date/" + KeyStartAfterEnd},
		{"gig age", Gigs, rows[Gigs], setting("age_min", int64(80)), "age_min/" + KeyAgeRange},
		{"placement status", Placements, rows[Placements], setting("status", "x"), "status/" + KeyEnum},

		// Values Validate would accept but store differently.
		{"worker untrimmed", Workers, rows[Workers], setting("name", " 王五 "), "name/" + KeyNotCanonical},
		{"worker lower x", Workers, rows[Workers], setting("id_number", strings.ToLower(goodID)), "id_number/" + KeyNotCanonical},
		{"worker unsorted", Workers, rows[Workers], setting("tags", []string{"脱贫人口", "农民工"}), "tags/" + KeyNotCanonical},
		{"worker education alias", Workers, rows[Workers], setting("education", "技校"), "education/" + KeyNotCanonical},
		{"worker empty phone", Workers, rows[Workers], setting("phone", ""), "phone/" + KeyNotCanonical},
		{"status list alias", MonthlyStatus, rows[MonthlyStatus], setting("list_type", "employed"), "list_type/" + KeyNotCanonical},
		{"status old willing alias", MonthlyStatus, rows[MonthlyStatus], setting("list_type", "willing_away"),
			"list_type/" + KeyNotCanonical},

		// A station of schema version 1 stores the third list as a status
		// (list_type 有意愿外出) and has no willing_away: accepted, as 失业.
		{"status v1 willing list", MonthlyStatus, rows[MonthlyStatus], setting("list_type", ListWillingAway), ""},
		{"status v1 new willing row", MonthlyStatus, nil, func(map[string]any) map[string]any {
			r := drop(rows[MonthlyStatus], "willing_away", "void_reason", "voided_on", "work_scope", "employment_form")(nil)
			r["list_type"] = ListWillingAway
			return r
		}, ""},
		{"status v2 flag on v1 row", MonthlyStatus, with(rows[MonthlyStatus], "list_type", ListWillingAway),
			setting("willing_away", int64(1)), ""},
		{"status v1 willing needs month", MonthlyStatus, nil, func(map[string]any) map[string]any {
			r := drop(rows[MonthlyStatus], "willing_away", "month")(nil)
			r["list_type"] = ListWillingAway
			return r
		}, "month/" + KeyRequired},
		{"gig zero age", Gigs, rows[Gigs], setting("age_min", int64(0)), "age_min/" + KeyNotCanonical},
		{"gig duplicate skill", Gigs, rows[Gigs], setting("skills", []string{"驾驶", "驾驶"}), "skills/" + KeyNotCanonical},

		// A new row missing required columns names each of them.
		{"worker new no name", Workers, nil, drop(rows[Workers], "name"), "name/" + KeyRequired},
		{"worker new no name no hukou", Workers, nil, drop(rows[Workers], "name", "hukou_village"),
			"name/" + KeyRequired + ",hukou_village/" + KeyRequired},
		{"gig new no employer", Gigs, nil, drop(rows[Gigs], "employer"), "employer/" + KeyRequired},
		{"status new employed no form", MonthlyStatus, nil, drop(rows[MonthlyStatus], "employment_form"),
			"employment_form/" + KeyRequired},
		{"placement new only gig", Placements, nil, func(map[string]any) map[string]any {
			return map[string]any{"gig_id": gid}
		}, "worker_id/" + KeyRequired + ",placed_on/" + KeyRequired},

		// An existing row's old bad column is not the change's fault.
		{"worker old bad phone", Workers, with(rows[Workers], "phone", "123"), setting("name", "王五"), ""},
		{"worker old missing name", Workers, with(rows[Workers], "name", nil), setting("notes", "备注"), ""},
		{"gig old bad start", Gigs, with(rows[Gigs], "start_date", "x"), setting("end_date", "2026-09-20"), ""},
		{"unemp old bad reg date", Unemployment, with(rows[Unemployment], "registered_on", "x"),
			setting("deregistered_on", "2026-05-01"), ""},
		{"gig old bad age max", Gigs, with(rows[Gigs], "age_max", int64(10)), setting("age_min", int64(20)), ""},

		// A column the change sets that breaks a rule reported on another.
		{"unemp reg after dereg", Unemployment, rows[Unemployment], setting("registered_on", "2026-07-01"),
			"registered_on/" + KeyInconsistent},
		{"status to employed without scope", MonthlyStatus,
			with(with(with(rows[MonthlyStatus], "list_type", ListUnemployed), "work_scope", nil), "employment_form", nil),
			setting("list_type", ListEmployed), "list_type/" + KeyInconsistent},
		{"gig min above max", Gigs, rows[Gigs], setting("age_min", int64(70)), "age_min/" + KeyInconsistent},
		{"jobseeker wage without unit", Jobseeker, with(with(rows[Jobseeker], "expected_wage", 0.0), "wage_unit", nil),
			setting("expected_wage", 100.0), "expected_wage/" + KeyInconsistent},

		// The rules across columns, judged on the row the change leaves:
		// a change may carry only one of the columns.
		{"status income unknown", MonthlyStatus, rows[MonthlyStatus], setting("monthly_income", nil), ""},
		{"status new income unknown", MonthlyStatus, nil, drop(rows[MonthlyStatus], "monthly_income"), ""},
		{"status to unemployed keeping form", MonthlyStatus, rows[MonthlyStatus], setting("list_type", ListUnemployed),
			"list_type/" + KeyInconsistent},
		{"status to unemployed clearing all", MonthlyStatus, rows[MonthlyStatus],
			setting("list_type", ListUnemployed, "work_scope", nil, "employment_form", nil, "monthly_income", nil), ""},
		{"status unemployed gets form", MonthlyStatus, unemployedRow(rows), setting("employment_form", "单位"),
			"employment_form/" + KeyUnemployedField},
		{"status unemployed gets income", MonthlyStatus, unemployedRow(rows), setting("monthly_income", 800.0),
			"monthly_income/" + KeyUnemployedField},
		{"status unemployed gets industry", MonthlyStatus, unemployedRow(rows), setting("industry", "建筑业"),
			"industry/" + KeyUnemployedField},
		{"status unemployed gets place", MonthlyStatus, unemployedRow(rows), setting("place", "包头"),
			"place/" + KeyUnemployedField},
		{"status unemployed income 0", MonthlyStatus, unemployedRow(rows), setting("monthly_income", 0.0), ""},
		{"status new unemployed with form", MonthlyStatus, nil,
			func(map[string]any) map[string]any { return with(rows[MonthlyStatus], "list_type", ListUnemployed) },
			"employment_form/" + KeyUnemployedField + ",monthly_income/" + KeyUnemployedField},
		{"status welfare then away", MonthlyStatus, with(rows[MonthlyStatus], "employment_form", FormWelfare),
			setting("work_scope", ScopeAway), "work_scope/" + KeyInconsistent},
		{"status away then welfare", MonthlyStatus, with(rows[MonthlyStatus], "work_scope", ScopeAway),
			setting("employment_form", FormWelfare), "employment_form/" + KeyWelfareAway},
		{"status new welfare away", MonthlyStatus, nil, func(map[string]any) map[string]any {
			return with(with(rows[MonthlyStatus], "employment_form", FormWelfare), "work_scope", ScopeAway)
		}, "employment_form/" + KeyWelfareAway},
		{"worker monitor type without tag", Workers, rows[Workers], setting("monitor_type", "突发严重困难户"),
			"monitor_type/" + KeyMonitorTag},
		{"worker tag dropped under monitor type", Workers, monitoredRow(rows), setting("tags", []string{"农民工"}),
			"tags/" + KeyInconsistent},
		{"worker tag dropped, tags stored as JSON", Workers,
			with(monitoredRow(rows), "tags", `["农民工","防止返贫监测对象"]`), setting("tags", []string{"农民工"}),
			"tags/" + KeyInconsistent},
		{"worker lifted added to edge", Workers, monitoredRow(rows),
			setting("tags", []string{"农民工", "脱贫人口", "防止返贫监测对象"}), "tags/" + KeyInconsistent},
		{"worker edge on lifted", Workers, with(rows[Workers], "tags", []string{"脱贫人口", "防止返贫监测对象"}),
			setting("monitor_type", MonitorEdge), "monitor_type/" + KeyEdgeLifted},
		{"worker new monitor type without tag", Workers, nil, func(map[string]any) map[string]any {
			return with(rows[Workers], "monitor_type", MonitorEdge)
		}, "monitor_type/" + KeyMonitorTag},

		// A row stored before a rule, which breaks it, still takes changes
		// to its other columns, and every change that makes it good.
		{"old unemployed form, verifier changes", MonthlyStatus, with(unemployedRow(rows), "employment_form", "单位"),
			setting("verified_by", "王五"), ""},
		{"old unemployed form and income, income cleared", MonthlyStatus,
			with(with(unemployedRow(rows), "employment_form", "单位"), "monthly_income", 900.0),
			setting("monthly_income", nil), ""},
		{"old unemployed form, form cleared", MonthlyStatus, with(unemployedRow(rows), "employment_form", "单位"),
			setting("employment_form", nil), ""},
		{"old unemployed form, back to employed", MonthlyStatus,
			with(with(unemployedRow(rows), "employment_form", "单位"), "work_scope", "本村"),
			setting("list_type", ListEmployed), ""},
		{"old welfare away, scope fixed", MonthlyStatus,
			with(with(rows[MonthlyStatus], "employment_form", FormWelfare), "work_scope", ScopeAway),
			setting("work_scope", "本村"), ""},
		{"old welfare away, income changes", MonthlyStatus,
			with(with(rows[MonthlyStatus], "employment_form", FormWelfare), "work_scope", ScopeAway),
			setting("monthly_income", 1500.0), ""},
		{"old monitor type without tag, name changes", Workers, with(rows[Workers], "monitor_type", MonitorEdge),
			setting("name", "王五"), ""},
		{"old monitor type without tag, tag added", Workers, with(rows[Workers], "monitor_type", "突发严重困难户"),
			setting("tags", []string{"农民工", "脱贫人口", "防止返贫监测对象"}), ""},
		{"old edge and lifted, type cleared", Workers,
			with(with(rows[Workers], "monitor_type", MonitorEdge), "tags", []string{"脱贫人口", "防止返贫监测对象"}),
			setting("monitor_type", nil), ""},
		{"old edge and lifted, lifted dropped", Workers,
			with(with(rows[Workers], "monitor_type", MonitorEdge), "tags", []string{"脱贫人口", "防止返贫监测对象"}),
			setting("tags", []string{"防止返贫监测对象"}), ""},
		{"old employed without form, income changes", MonthlyStatus, with(rows[MonthlyStatus], "employment_form", nil),
			setting("monthly_income", 1000.0), ""},

		// Two bad columns are both refused; a good one beside them is not.
		{"worker two bad", Workers, rows[Workers], setting("phone", "1", "name", nil, "notes", "好"),
			"name/" + KeyRequired + ",phone/" + KeyPhone},
		{"gig two bad", Gigs, rows[Gigs], setting("headcount", int64(-1), "wage_unit", "元/年", "title", "新标题"),
			"headcount/" + KeyPositive + ",wage_unit/" + KeyEnum},
		{"new gig bad and missing", Gigs, nil, func(map[string]any) map[string]any {
			r := drop(rows[Gigs], "contact")(nil)
			r["place"] = "x"
			return r
		}, "place/" + KeyPlace + ",contact/" + KeyRequired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before map[string]any
			if c.before != nil {
				before = stored(c.before)
			}
			got := errFields(CheckChange(c.table, before, c.edit(before), checkNow))
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestCheckChangeTables(t *testing.T) {
	for _, table := range []string{Stations, Refusals, GigFill, "nope"} {
		errs := CheckChange(table, nil, map[string]any{"name": "x"}, checkNow)
		if len(errs) != 1 || errs[0].Field != "" || errs[0].Key != KeyHubOnly {
			t.Errorf("%s: %q", table, errFields(errs))
		}
	}
	// The rules bind exactly the schema's columns, less the bookkeeping ones.
	s, err := NewSchema()
	if err != nil {
		t.Fatal(err)
	}
	for table, r := range checkRules {
		tb, ok := s.Table(table)
		if !ok {
			t.Fatalf("%s: not in the schema", table)
		}
		var want []string
		for _, c := range tb.Columns {
			if !Bookkeeping(c.Name) {
				want = append(want, c.Name)
			}
		}
		_, ptrs := r.bind()
		var got []string
		for c := range ptrs {
			got = append(got, c)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: binds %v, schema has %v", table, got, want)
		}
		for c := range r.template {
			if ptrs[c] == nil {
				t.Errorf("%s: template column %s not bound", table, c)
			}
		}
		for c, ps := range r.partners {
			for _, p := range append([]string{c}, ps...) {
				if ptrs[p] == nil {
					t.Errorf("%s: partner %s not bound", table, p)
				}
			}
		}
		// The template is a valid row in canonical form.
		if errs := CheckChange(table, nil, r.template, checkNow); len(errs) != 0 {
			t.Errorf("%s: template refused: %s", table, errFields(errs))
		}
	}
	if errs := CheckChange(Workers, nil, map[string]any{}, checkNow); len(errs) == 0 {
		t.Error("an empty new worker was accepted")
	}
}

// unemployedRow is the valid status row turned into a valid 失业 one.
func unemployedRow(rows map[string]map[string]any) map[string]any {
	return with(with(with(with(rows[MonthlyStatus], "list_type", ListUnemployed), "work_scope", nil),
		"employment_form", nil), "monthly_income", nil)
}

// monitoredRow is the valid worker row as a 边缘易致贫户 监测对象 (no 脱贫人口).
func monitoredRow(rows map[string]map[string]any) map[string]any {
	return with(with(rows[Workers], "tags", []string{"农民工", "防止返贫监测对象"}), "monitor_type", MonitorEdge)
}

// setting returns an edit that sets the given column/value pairs.
func setting(kv ...any) func(map[string]any) map[string]any {
	return func(map[string]any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
}

// drop returns an edit giving row without cols.
func drop(row map[string]any, cols ...string) func(map[string]any) map[string]any {
	return func(map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range row {
			if !slices.Contains(cols, k) {
				m[k] = v
			}
		}
		return m
	}
}

// with returns a copy of row with col set to v.
func with(row map[string]any, col string, v any) map[string]any {
	m := map[string]any{}
	for k, x := range row {
		m[k] = x
	}
	m[col] = v
	return m
}

// FuzzCheckChange feeds random tables, columns and values: CheckChange never
// panics, names only columns of the table, columns the change set, or ""
// (a table it does not check), and accepts every valid row, new or as a
// change to another valid row.
func FuzzCheckChange(f *testing.F) {
	f.Add(uint8(0), []byte("name\x00 王五 \x01phone\x001\x02tags\x00"), uint8(1))
	f.Add(uint8(5), []byte("headcount\x00\x02age_min\x00\x03"), uint8(0))
	f.Add(uint8(2), []byte("registered_on\x002027-01-01"), uint8(1))
	tables := []string{Workers, MonthlyStatus, Unemployment, Jobseeker, Followups, Gigs, Placements, Stations, "x"}
	f.Fuzz(func(t *testing.T, tableN uint8, spec []byte, mode uint8) {
		table := tables[int(tableN)%len(tables)]
		rows := validRows(t)
		var colNames []string
		if r, ok := checkRules[table]; ok {
			_, ptrs := r.bind()
			for c := range ptrs {
				colNames = append(colNames, c)
			}
			slices.Sort(colNames)
		}
		colNames = append(colNames, "station", EnteredBy, "unknown")
		// spec holds records "column\x00value" separated by bytes < 0x08;
		// the separator picks the value's type.
		fields := map[string]any{}
		for part := range strings.SplitSeq(string(spec), "\x00\x00") {
			col, val, _ := strings.Cut(part, "\x00")
			c := colNames[len(col)%len(colNames)]
			if slices.Contains(colNames, col) {
				c = col
			}
			switch len(val) % 6 {
			case 0:
				fields[c] = val
			case 1:
				fields[c] = nil
			case 2:
				fields[c] = int64(len(val)) - 3
			case 3:
				fields[c] = float64(len(val)) / 3
			case 4:
				fields[c] = strings.Split(val, ",")
			case 5:
				fields[c] = len(val)%2 == 0
			}
		}
		var before map[string]any
		if mode%2 == 1 && rows[table] != nil {
			before = stored(rows[table])
		}
		errs := CheckChange(table, before, fields, checkNow)
		_, known := checkRules[table]
		for _, e := range errs {
			_, set := fields[e.Field]
			if e.Field == "" && known || e.Field != "" && !slices.Contains(colNames, e.Field) && !set {
				t.Fatalf("%s: error names %q: %v (fields %v)", table, e.Field, e, fields)
			}
			if e.Message("zh") == "" || strings.Contains(e.Message("en"), "%!") {
				t.Fatalf("%s: bad message %q", table, e.Message("en"))
			}
		}
		if !known {
			return
		}
		// A valid row's columns are accepted as a new row and as a change
		// to a row holding whatever this change left.
		if errs := CheckChange(table, nil, rows[table], checkNow); len(errs) != 0 {
			t.Fatalf("%s: valid row refused: %s", table, errFields(errs))
		}
		merged := stored(rows[table])
		for k, v := range fields {
			merged[k] = v
		}
		if errs := CheckChange(table, merged, rows[table], checkNow); len(errs) != 0 {
			t.Fatalf("%s: valid row over %v refused: %s", table, fields, errFields(errs))
		}
	})
}
