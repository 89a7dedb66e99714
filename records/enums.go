package records

// The enumerations staff choose from. Values are stored as written here.
var (
	Educations      = []string{"小学及以下", "初中", "高中", "中专", "大专", "本科及以上"}
	LabourAbilities = []string{"技能劳动力", "普通劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"}
	Tags            = []string{"农民工", "脱贫人口", "防止返贫监测对象", "残疾", "零就业家庭"}
	MonitorTypes    = []string{"脱贫不稳定户", "边缘易致贫户", "突发严重困难户"}
	// ListTypes are the three lists of the policy. They overlap: 就业 and
	// 失业 are a month's status (list_type), 有意愿外出 is everyone whose
	// status of the month carries willing_away, whatever the status.
	ListTypes = []string{ListEmployed, ListUnemployed, ListWillingAway}
	// StatusLists are the values a month's status stores as its list_type
	// from schema version 2 on (StatusList maps the old third one).
	StatusLists     = []string{ListEmployed, ListUnemployed}
	WorkScopes      = []string{"本村", "乡外县内", "县外区内", "区外"}
	EmploymentForms = []string{"单位", "灵活就业", "创业", "公益性岗位", "帮扶车间"}
	VerifyMethods   = []string{"电话", "入户", "数据比对"}
	PlaceTypes      = []string{"户籍地", "常住地", "就业地", "参保地"}
	WorkTypes       = []string{"全日制", "非全日制", "零工"}
	GigWageUnits    = []string{"元/天", "元/时", "元/件", MonthlyWageUnit}
	WageUnits       = []string{"元/天", "元/时", "元/件", "元/月"}
	Settlements     = []string{"日结", "周结", "完工结", MonthlySettlement}
	GigStatuses     = []string{GigOpen, GigFilled, GigClosed}
	FollowupMethods = []string{"电话", "上门", "其他"}
	PlacementStates = []string{PlacementPlaced, PlacementLeft, PlacementCancelled}
)

// Values the rules across columns name (Worker.checkGroups,
// MonthStatus.checkAcross).
const (
	TagLifted    = "脱贫人口"
	TagMonitored = "防止返贫监测对象"
	MonitorEdge  = "边缘易致贫户"
	FormWelfare  = "公益性岗位"
	ScopeAway    = "区外"
)

// IncomeNotReported is how lists, exports and the report show a monthly
// income that was not entered (NULL), which no income band counts.
const IncomeNotReported = "未填报"

// The three lists. ListWillingAway is no status of its own from schema
// version 2 on: a status of 有意愿外出, written by a station of version 1 or
// named so in an import, is 失业 with willing_away (NormalizeListFlag).
const (
	ListEmployed    = "就业"
	ListUnemployed  = "失业"
	ListWillingAway = "有意愿外出"
)

// Gig statuses.
const (
	GigOpen   = "open"
	GigFilled = "filled"
	GigClosed = "closed"
)

// Placement statuses; a cancelled placement does not count against headcount.
const (
	PlacementPlaced    = "placed"
	PlacementLeft      = "left"
	PlacementCancelled = "cancelled"
)

// listAliases lets the API and imports name a list in English.
var listAliases = map[string]string{
	"employed": ListEmployed, "unemployed": ListUnemployed, "willing_away": ListWillingAway,
	"就业人员": ListEmployed, "失业人员": ListUnemployed, "有意愿外出人员": ListWillingAway,
	"就业人员清单": ListEmployed, "失业人员清单": ListUnemployed, "有意愿外出人员清单": ListWillingAway,
	"外出意愿": ListWillingAway, "有外出意愿": ListWillingAway,
}

// NormalizeList returns the stored list type for s (Chinese or English name),
// or "" if s names no list.
func NormalizeList(s string) string {
	if in(s, ListTypes) {
		return s
	}
	return listAliases[s]
}

// NormalizeListFlag maps a list name as the API, an import or a stored row
// of schema version 1 gives it (Chinese or English, the aliases of
// NormalizeList) to what a month's status holds from version 2 on: its
// list_type (就业 or 失业) and whether the name sets willing_away. The old
// third list, 有意愿外出 and its aliases, is 失业 with willing_away; ""
// when s names no list. Every reader of stored statuses applies it too,
// since the hub and stations still hold rows a version 1 station wrote.
func NormalizeListFlag(s string) (list string, willing bool) {
	switch l := NormalizeList(s); l {
	case ListWillingAway:
		return ListUnemployed, true
	default:
		return l, false
	}
}

// StatusList is the list_type a stored status counts under (就业 or 失业,
// or "" for a value naming no list) and whether it is on 有意愿外出: its
// willing_away flag, or the old list_type 有意愿外出 of schema version 1.
func StatusList(listType string, willingAway bool) (list string, willing bool) {
	l, w := NormalizeListFlag(listType)
	return l, w || willingAway
}

// ListCondition is StatusList in SQL: the condition on the monthly status
// row aliased alias for being on list (one of ListTypes). 就业 and 失业 are
// the list_type (a version-1 有意愿外出 row is 失业); 有意愿外出 is the
// month's flag, or that old list type. Another list gives "0" (false).
func ListCondition(list, alias string) string {
	switch list {
	case ListEmployed:
		return alias + `.list_type = '` + ListEmployed + `'`
	case ListUnemployed:
		return alias + `.list_type IN ('` + ListUnemployed + `', '` + ListWillingAway + `')`
	case ListWillingAway:
		return `(` + alias + `.willing_away = 1 OR ` + alias + `.list_type = '` + ListWillingAway + `')`
	}
	return `0`
}

// ListCode is the English code of a list type (employed, unemployed, willing_away).
func ListCode(list string) string {
	switch list {
	case ListEmployed:
		return "employed"
	case ListUnemployed:
		return "unemployed"
	case ListWillingAway:
		return "willing_away"
	}
	return ""
}

// educationAliases maps what staff commonly write to the stored values.
var educationAliases = map[string]string{
	"文盲": "小学及以下", "半文盲": "小学及以下", "文盲或半文盲": "小学及以下", "小学": "小学及以下",
	"初中及以下": "初中", "高中及以上": "高中", "普通高中": "高中", "中专/中技": "中专", "中技": "中专",
	"技校": "中专", "职高": "中专", "中职": "中专", "专科": "大专", "高职": "大专",
	"本科": "本科及以上", "大学本科": "本科及以上", "研究生": "本科及以上", "硕士": "本科及以上", "博士": "本科及以上",
}

// NormalizeEducation maps a common variant to the stored value (unchanged if unknown).
func NormalizeEducation(s string) string {
	if v, ok := educationAliases[s]; ok {
		return v
	}
	return s
}

// labourAliases maps common variants of labour ability.
var labourAliases = map[string]string{
	"技能": "技能劳动力", "普通": "普通劳动力", "弱劳动力": "弱劳动力或半劳动力", "半劳动力": "弱劳动力或半劳动力",
	"丧失": "丧失劳动力", "无": "无劳动力",
}

// NormalizeLabourAbility maps a common variant to the stored value.
func NormalizeLabourAbility(s string) string {
	if v, ok := labourAliases[s]; ok {
		return v
	}
	return s
}

// Aliases of the stored values: the glossary's display terms (package
// glossary) and what the county's sheets write. The stored values stay as
// they are, since stations of earlier releases write them.
var (
	tagAliases = map[string]string{
		"农牧民工": "农民工", "残疾人": "残疾", "监测对象": "防止返贫监测对象",
	}
	scopeAliases = map[string]string{
		"本嘎查村": "本村", "村内": "本村", "嘎查村内": "本村", "本村内": "本村",
		"苏木乡镇外旗县内": "乡外县内", "县内乡外": "乡外县内", "旗县内苏木乡镇外": "乡外县内", "乡外旗县内": "乡外县内",
		"旗县外区内": "县外区内", "区内县外": "县外区内", "区内旗县外": "县外区内", "旗县外自治区内": "县外区内",
		"自治区内旗县外": "县外区内",
		"自治区外":    "区外", "区外务工": "区外",
	}
	formAliases = map[string]string{
		"单位就业": "单位", "用人单位": "单位", "企业就业": "单位",
		"自主创业": "创业", "创业就业": "创业",
		"乡村公益性岗位": "公益性岗位", "公益岗位": "公益性岗位", "公益岗": "公益性岗位",
		"就业帮扶车间": "帮扶车间", "帮扶车间就业": "帮扶车间",
		"灵活": "灵活就业",
	}
	// A home visit is stored 入户 as a way of verifying, 上门 as a way of
	// following up; either word is taken for both.
	verifyAliases = map[string]string{
		"上门": "入户", "入户核实": "入户", "上门核实": "入户", "实地核实": "入户", "入户走访": "入户", "上门走访": "入户",
		"电话核实": "电话", "电话回访": "电话",
		"比对": "数据比对", "数据核实": "数据比对", "系统比对": "数据比对",
	}
	followupAliases = map[string]string{
		"入户": "上门", "入户走访": "上门", "上门走访": "上门", "电话回访": "电话",
	}
)

// NormalizeTag maps a tag's display term or variant (农牧民工, 残疾人) to the
// stored value (unchanged if unknown).
func NormalizeTag(s string) string { return alias(tagAliases, s) }

// NormalizeWorkScope maps a work scope's display term or variant (苏木乡镇外旗县内,
// 旗县外区内) to the stored value.
func NormalizeWorkScope(s string) string { return alias(scopeAliases, s) }

// NormalizeEmploymentForm maps an employment form's display term or variant
// (单位就业, 乡村公益性岗位, 就业帮扶车间) to the stored value.
func NormalizeEmploymentForm(s string) string { return alias(formAliases, s) }

// NormalizeVerifyMethod maps a way of verifying a status (上门 for a home
// visit, 电话核实) to the stored value.
func NormalizeVerifyMethod(s string) string { return alias(verifyAliases, s) }

// NormalizeFollowupMethod maps a way of following up (入户 for a home visit)
// to the stored value.
func NormalizeFollowupMethod(s string) string { return alias(followupAliases, s) }

func alias(m map[string]string, s string) string {
	if v, ok := m[s]; ok {
		return v
	}
	return s
}

func in(s string, set []string) bool {
	for _, v := range set {
		if v == s {
			return true
		}
	}
	return false
}

// States of a refusal (table Refusals).
const (
	// RefusalRefused: the hub did not accept the value; the station's copy
	// was put back in line with the hub's.
	RefusalRefused = "refused"
	// RefusalWaiting: the change waits for a county administrator (a join
	// past the day's cap, a shared person's deletion).
	RefusalWaiting = "waiting"
	// RefusalApproved: the county approved what was waiting; it applied.
	RefusalApproved = "approved"
	// RefusalDeclined: the county declined what was waiting.
	RefusalDeclined = "declined"
)
