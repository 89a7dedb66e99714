// Package glossary provides the one set of words both web interfaces and the
// county report use, in Inner Mongolia's terms (旗县, 苏木乡镇, 嘎查村): the
// display term of every stored enumeration value whose stored spelling is not
// the region's, and the fixed terms of the interfaces, one name for each thing.
//
// Stored values never change here (stations of earlier releases write them and
// the hub keeps accepting them); a value is shown through Display and read back
// through the records package's Normalize functions, which take either form.
package glossary

import "strings"

// A Term is a word of the interface: Chinese first, English second. Its type
// is a catalogue entry's, so a Term goes straight into a webkit.Catalogue.
type Term [2]string

// In is t in lang ("en", else Chinese).
func (t Term) In(lang string) string {
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

// The fixed terms of the interfaces and the report.
var (
	// ThreeLists is the three lists' collective name (就业人员清单、失业人员清单、有意愿外出人员清单).
	ThreeLists = Term{"三项清单", "The three lists"}
	// OnTheJob is a placement's state "placed" and the count of such placements.
	OnTheJob = Term{"已上岗", "On the job"}
	// LeftTheJob is a placement's state "left".
	LeftTheJob = Term{"已离岗", "Left"}
	// FillRate is the gigs' filled share of their headcount.
	FillRate = Term{"零工填补率", "Gig fill rate"}
	// League, County, Township and Village are the levels of the statistical
	// divisions below the region.
	League   = Term{"盟市", "League or city"}
	County   = Term{"旗县", "Banner or county"}
	Township = Term{"苏木乡镇", "Sumu or township"}
	Village  = Term{"嘎查村", "Gachaa or village"}
	// WorkScope is where an employed person works, by division (a status's work_scope).
	WorkScope = Term{"务工地域", "Where they work"}
	// HomeVisit is a visit at the person's home, as a way of verifying a
	// status (stored 入户) and of a follow-up (stored 上门).
	HomeVisit = Term{"入户", "Home visit"}
	// SameVillage, SameTownship and SameCounty are how near a gig is to a person.
	SameVillage  = Term{"本嘎查村", "same village"}
	SameTownship = Term{"本苏木乡镇", "same township"}
	SameCounty   = Term{"本旗县", "same banner"}
)

// named are the terms by the name the template function term takes.
var named = map[string]Term{
	"three_lists": ThreeLists, "on_the_job": OnTheJob, "left_the_job": LeftTheJob, "fill_rate": FillRate,
	"league": League, "county": County, "township": Township, "village": Village,
	"work_scope": WorkScope, "home_visit": HomeVisit,
	"same_village": SameVillage, "same_township": SameTownship, "same_county": SameCounty,
}

// Named is the term of the given name (three_lists, on_the_job, fill_rate,
// county, township, village, work_scope, home_visit, …) and whether there is one.
func Named(name string) (Term, bool) {
	t, ok := named[name]
	return t, ok
}

// values are the display terms of stored enumeration values, keyed by the
// stored value. A stored value missing here is shown as it is stored in
// Chinese; English is given for every value of the enumerations below.
var values = map[string]Term{
	// Tags (人员类别).
	"农民工":      {"农牧民工", "Migrant farmer or herder"},
	"脱贫人口":     {"脱贫人口", "Lifted out of poverty"},
	"防止返贫监测对象": {"防止返贫监测对象", "Monitored against relapse into poverty"},
	"残疾":       {"残疾人", "Person with a disability"},
	"零就业家庭":    {"零就业家庭", "Zero-employment household"},
	// Work scopes (务工地域).
	"本村":   {"本嘎查村", "Own village"},
	"乡外县内": {"苏木乡镇外旗县内", "Outside the township, inside the banner"},
	"县外区内": {"旗县外区内", "Outside the banner, inside the region"},
	"区外":   {"区外", "Outside the region"},
	// Employment forms (就业形式).
	"单位":    {"单位就业", "Employed by an employer"},
	"灵活就业":  {"灵活就业", "Flexible employment"},
	"创业":    {"创业", "Self-employed"},
	"公益性岗位": {"乡村公益性岗位", "Rural public-welfare post"},
	"帮扶车间":  {"就业帮扶车间", "Employment assistance workshop"},
	// Verification and follow-up methods: one term for a home visit.
	"电话":   {"电话", "Phone"},
	"入户":   HomeVisit,
	"上门":   HomeVisit,
	"数据比对": {"数据比对", "Data matching"},
	"其他":   {"其他", "Other"},
	// Lists.
	"就业":    {"就业", "Employed"},
	"失业":    {"失业", "Unemployed"},
	"有意愿外出": {"有意愿外出", "Willing to work away"},
}

// Display is the Chinese display term of the stored value v; v itself when it
// has none (a free text, a value shown as stored).
func Display(v string) string { return DisplayIn("zh", v) }

// DisplayIn is the display term of the stored value v in lang ("en", else
// Chinese); v itself when it has none.
func DisplayIn(lang, v string) string {
	if t, ok := values[v]; ok {
		return t.In(lang)
	}
	return v
}

// DisplayAll is Display of each of vs, in a new slice.
func DisplayAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = Display(v)
	}
	return out
}

// Funcs are the template functions that show the glossary's words, for both
// web interfaces: term lang name is a fixed term by name (Named; the name
// itself when unknown), show lang value a stored value's display term
// (DisplayIn), showAll lang values the display terms of a set, joined by 、.
func Funcs() map[string]any {
	return map[string]any{
		"term": func(lang, name string) string {
			if t, ok := named[name]; ok {
				return t.In(lang)
			}
			return name
		},
		"show": DisplayIn,
		"showAll": func(lang string, vs []string) string {
			out := make([]string, len(vs))
			for i, v := range vs {
				out[i] = DisplayIn(lang, v)
			}
			return strings.Join(out, "、")
		},
	}
}
