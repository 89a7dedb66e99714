package records

import (
	"slices"
	"testing"
)

// TestDisplayTermsAccepted checks that what the API and the imports take for
// an enumeration (a stored value, the glossary's display term or a variant
// the county's sheets write) is stored as the stored value, which stations of
// earlier releases write and the hub keeps accepting.
func TestDisplayTermsAccepted(t *testing.T) {
	status := func(scope, form, method string) MonthStatus {
		m := MonthStatus{WorkerID: wid, Month: "2026-11", ListType: ListEmployed, WorkScope: scope,
			EmploymentForm: form, MonthlyIncome: Income(3000), VerifiedByMethod: method, VerifiedBy: "李四", VerifiedAt: "2026-11-03"}
		if err := m.Validate(); err != nil {
			t.Fatalf("%s %s %s: %v", scope, form, method, err)
		}
		return m
	}
	for _, c := range []struct{ scope, form, method, wantScope, wantForm, wantMethod string }{
		{"乡外县内", "单位", "入户", "乡外县内", "单位", "入户"},
		{"苏木乡镇外旗县内", "单位就业", "上门", "乡外县内", "单位", "入户"},
		{"旗县外区内", "乡村公益性岗位", "入户走访", "县外区内", "公益性岗位", "入户"},
		{"本嘎查村", "就业帮扶车间", "电话核实", "本村", "帮扶车间", "电话"},
		{"自治区外", "灵活就业", "数据比对", "区外", "灵活就业", "数据比对"},
	} {
		m := status(c.scope, c.form, c.method)
		if m.WorkScope != c.wantScope || m.EmploymentForm != c.wantForm || m.VerifiedByMethod != c.wantMethod {
			t.Errorf("%s/%s/%s stored as %s/%s/%s, want %s/%s/%s", c.scope, c.form, c.method,
				m.WorkScope, m.EmploymentForm, m.VerifiedByMethod, c.wantScope, c.wantForm, c.wantMethod)
		}
	}
	for _, c := range []struct{ in, want string }{{"上门", "上门"}, {"入户", "上门"}, {"入户走访", "上门"}, {"电话", "电话"}} {
		f := Followup{WorkerID: wid, Date: "2026-03-01", Method: c.in, ServiceType: "岗位推荐", Content: "推荐岗位"}
		if err := f.Validate(); err != nil || f.Method != c.want {
			t.Errorf("follow-up method %q stored as %q (%v), want %q", c.in, f.Method, err, c.want)
		}
	}
	w := goodWorker()
	w.Tags = []string{"农牧民工", "残疾人", "农民工", "脱贫人口"}
	if err := w.Validate(); err != nil || !slices.Equal(w.Tags, []string{"农民工", "残疾", "脱贫人口"}) {
		t.Errorf("tags stored as %v (%v)", w.Tags, err)
	}
	// A word that is neither is still refused, naming the field.
	m := MonthStatus{WorkerID: wid, Month: "2026-11", ListType: ListEmployed, WorkScope: "外省",
		EmploymentForm: "单位", VerifiedByMethod: "电话", VerifiedBy: "李四", VerifiedAt: "2026-11-03"}
	if fe, ok := AsFieldError(m.Validate()); !ok || fe.Field != "work_scope" {
		t.Errorf("work scope 外省: %v", fe)
	}
}

// TestDisplayTermNotCanonical checks that a synced change carrying a display
// term instead of the stored value is refused as not canonical: stations
// store the stored value, so the hub's rows keep one spelling.
func TestDisplayTermNotCanonical(t *testing.T) {
	r := checkRules[MonthlyStatus]
	if fe := r.checkAlone("work_scope", "苏木乡镇外旗县内"); fe == nil || fe.Key != KeyNotCanonical {
		t.Errorf("display term in a synced change: %v, want %s", fe, KeyNotCanonical)
	}
	if fe := r.checkAlone("work_scope", "乡外县内"); fe != nil {
		t.Errorf("stored value in a synced change refused: %v", fe)
	}
}
