package glossary_test

import (
	"slices"
	"testing"

	"fieldsync/glossary"
	"fieldsync/records"
)

// TestDisplay pins the region's term for each stored value it replaces.
func TestDisplay(t *testing.T) {
	for _, c := range []struct{ stored, zh, en string }{
		{"农民工", "农牧民工", "Migrant farmer or herder"},
		{"残疾", "残疾人", "Person with a disability"},
		{"单位", "单位就业", "Employed by an employer"},
		{"公益性岗位", "乡村公益性岗位", "Rural public-welfare post"},
		{"帮扶车间", "就业帮扶车间", "Employment assistance workshop"},
		{"本村", "本嘎查村", "Own village"},
		{"乡外县内", "苏木乡镇外旗县内", "Outside the township, inside the banner"},
		{"县外区内", "旗县外区内", "Outside the banner, inside the region"},
		{"入户", "入户", "Home visit"},
		{"上门", "入户", "Home visit"},
		{"灵活就业", "灵活就业", "Flexible employment"},
		{"free text", "free text", "free text"},
		{"", "", ""},
	} {
		if got := glossary.Display(c.stored); got != c.zh {
			t.Errorf("Display(%q) = %q, want %q", c.stored, got, c.zh)
		}
		if got := glossary.DisplayIn("en", c.stored); got != c.en {
			t.Errorf("DisplayIn(en, %q) = %q, want %q", c.stored, got, c.en)
		}
	}
}

// TestDisplayReadsBack checks that every value of every enumeration staff
// see, shown through the glossary, is read back to the stored value by the
// records package's normalisation, so a display term typed, imported or sent
// to the API is stored as the stations of earlier releases store it.
func TestDisplayReadsBack(t *testing.T) {
	for _, c := range []struct {
		name      string
		values    []string
		normalize func(string) string
	}{
		{"tags", records.Tags, records.NormalizeTag},
		{"work_scope", records.WorkScopes, records.NormalizeWorkScope},
		{"employment_form", records.EmploymentForms, records.NormalizeEmploymentForm},
		{"verified_by_method", records.VerifyMethods, records.NormalizeVerifyMethod},
		{"method", records.FollowupMethods, records.NormalizeFollowupMethod},
		{"list_type", records.ListTypes, records.NormalizeList},
	} {
		for _, v := range c.values {
			if got := c.normalize(glossary.Display(v)); got != v {
				t.Errorf("%s: %q shown as %q reads back as %q", c.name, v, glossary.Display(v), got)
			}
			if got := c.normalize(v); got != v {
				t.Errorf("%s: stored %q normalises to %q", c.name, v, got)
			}
		}
	}
}

// TestDisplayIsOneToOne checks that no two values of one enumeration are
// shown alike, and no display term is another stored value of it.
func TestDisplayIsOneToOne(t *testing.T) {
	for _, set := range [][]string{records.Tags, records.WorkScopes, records.EmploymentForms, records.VerifyMethods,
		records.FollowupMethods, records.ListTypes} {
		seen := map[string]string{}
		for _, v := range set {
			d := glossary.Display(v)
			if o, ok := seen[d]; ok {
				t.Errorf("%q and %q are both shown as %q", o, v, d)
			}
			seen[d] = v
			if d != v && slices.Contains(set, d) {
				t.Errorf("%q is shown as another stored value %q", v, d)
			}
		}
	}
}

// TestNamedAndFuncs checks the template functions both UIs use.
func TestNamedAndFuncs(t *testing.T) {
	f := glossary.Funcs()
	term := f["term"].(func(string, string) string)
	show := f["show"].(func(string, string) string)
	showAll := f["showAll"].(func(string, []string) string)
	for _, c := range []struct{ lang, name, want string }{
		{"zh", "three_lists", "三项清单"}, {"en", "three_lists", "The three lists"},
		{"zh", "on_the_job", "已上岗"}, {"zh", "fill_rate", "零工填补率"},
		{"zh", "county", "旗县"}, {"zh", "township", "苏木乡镇"}, {"zh", "village", "嘎查村"},
		{"zh", "work_scope", "务工地域"}, {"zh", "home_visit", "入户"}, {"zh", "no_such", "no_such"},
	} {
		if got := term(c.lang, c.name); got != c.want {
			t.Errorf("term %s %s = %q, want %q", c.lang, c.name, got, c.want)
		}
	}
	if got := show("zh", "县外区内"); got != "旗县外区内" {
		t.Errorf("show = %q", got)
	}
	if got := showAll("zh", []string{"农民工", "残疾", "脱贫人口"}); got != "农牧民工、残疾人、脱贫人口" {
		t.Errorf("showAll = %q", got)
	}
}

// TestMisuses checks the finder of replaced words, legitimate uses included.
func TestMisuses(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"三项清单", nil},
		{"三个清单", []string{"三个清单"}},
		{"已安排 / 已上岗", []string{"已安排"}},
		{"满员率", []string{"满员率"}},
		{"零工填补率", nil},
		{"农民工", []string{"农民工"}},
		{"农牧民工", nil},
		{"残疾", []string{"残疾"}},
		{"残疾人", nil},
		{"上门", []string{"上门"}},
		{"就业范围", []string{"就业范围"}},
		{"务工地域", nil},
		{"公益性岗位", []string{"公益性岗位"}},
		{"乡村公益性岗位", nil},
		{"帮扶车间", []string{"帮扶车间"}},
		{"就业帮扶车间", nil},
		{"乡外县内", []string{"乡外县内", "县"}},
		{"苏木乡镇外旗县内", nil},
		{"本县", []string{"县"}},
		{"旗县、县级平台、县里下发", nil},
		{"按乡镇", []string{"乡镇"}},
		{"苏木乡镇", nil},
		{"户籍地（村）代码", []string{"村"}},
		{"嘎查村、乡村、农村", nil},
	} {
		var got []string
		for _, m := range glossary.Misuses(c.text) {
			got = append(got, m.Word)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Misuses(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
