package records

import (
	"errors"
	"fmt"
	"strings"

	"fieldsync/ident"
)

// Message keys of validation errors. The UI, the JSON API and the importer
// translate them with Message; code compares keys, never texts.
const (
	KeyRequired       = "required"
	KeyTooLong        = "too_long"
	KeyIDLength       = "id_length"
	KeyIDChars        = "id_chars"
	KeyIDDate         = "id_date"
	KeyIDChecksum     = "id_checksum"
	KeyIDFuture       = "id_future"
	KeyIDTooYoung     = "id_too_young"
	KeyPhone          = "phone"
	KeyDivision       = "division"
	KeyPlace          = "place"
	KeyEnum           = "enum"
	KeyDate           = "date"
	KeyMonth          = "month"
	KeyNumber         = "number"
	KeyInteger        = "integer"
	KeyNegative       = "negative"
	KeyPositive       = "positive"
	KeyStartAfterEnd  = "start_after_end"
	KeyBeforeStart    = "before_start"
	KeyAgeRange       = "age_range"
	KeyDuplicate      = "duplicate"
	KeyOpenRegistered = "open_registration"
	KeyNoWorker       = "no_worker"
	KeyNoGig          = "no_gig"
	KeyGigNotOpen     = "gig_not_open"
	KeyGigFull        = "gig_full"
	KeyAlreadyPlaced  = "already_placed"
	KeyUnknownField   = "unknown_field"
	KeyBadJSON        = "bad_json"
	KeyTooMany        = "too_many"
	// Rules across columns of one record.
	KeyUnemployedField = "unemployed_field"
	KeyWelfareAway     = "welfare_away"
	KeyMonitorTag      = "monitor_needs_tag"
	KeyEdgeLifted      = "edge_and_lifted"

	// Reasons the hub gives for a change it did not accept from a station
	// (DESIGN "Trust"); a refusal row carries the key and its text.
	KeyNotCanonical   = "not_canonical"
	KeyInconsistent   = "inconsistent"
	KeyOutOfScope     = "out_of_scope"
	KeyIDMismatch     = "id_mismatch"
	KeyNotPoster      = "not_poster"
	KeyStationField   = "station_field"
	KeyHubOnly        = "hub_only"
	KeyWorkerFixed    = "worker_fixed"
	KeyJoinWaiting    = "join_waiting"
	KeyJoinDeclined   = "join_declined"
	KeyDeleteWaiting  = "delete_waiting"
	KeyDeleteDeclined = "delete_declined"
	KeyBadValue       = "bad_value"
	KeyOnlyWith       = "only_with"
	KeyAlreadyVoided  = "already_voided"
	KeyNotVoided      = "not_voided"
	KeyAlreadyLeft    = "already_left"
	KeyNotLeft        = "not_left"
)

// FieldError is a validation failure of one field. Field is the JSON/column
// name; Key selects the message; Args fill the message's placeholders after
// the field's label.
type FieldError struct {
	Field string
	Key   string
	Args  []any
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s", e.Field, e.Message("en"))
}

// Message is the error text in lang ("zh", the default, or "en").
func (e *FieldError) Message(lang string) string {
	args := []any{FieldLabel(lang, e.Field)}
	for _, a := range e.Args {
		if l, ok := a.(Label); ok {
			a = FieldLabel(lang, string(l))
		}
		args = append(args, a)
	}
	return Message(lang, e.Key, args...)
}

// Label is a message argument naming another field; it is translated with the message.
type Label string

// AsFieldError unwraps a *FieldError from err.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

func fieldErr(field, key string, args ...any) *FieldError {
	return &FieldError{Field: field, Key: key, Args: args}
}

// messages holds each key's Chinese and English text; %[1]s is the field label.
var messages = map[string][2]string{
	KeyRequired:        {"%[1]s不能为空", "%[1]s is required"},
	KeyTooLong:         {"%[1]s过长（最多%[2]d个字）", "%[1]s is too long (at most %[2]d characters)"},
	KeyIDLength:        {"%[1]s应为18位（或旧式15位）", "%[1]s must have 18 characters (or 15 for the old form)"},
	KeyIDChars:         {"%[1]s只能包含数字，最后一位可以是X", "%[1]s may hold only digits and a final X"},
	KeyIDDate:          {"%[1]s中的出生日期不存在", "%[1]s holds an impossible birth date"},
	KeyIDChecksum:      {"%[1]s校验位错误，请核对", "%[1]s check digit is wrong; please check the number"},
	KeyIDFuture:        {"%[1]s中的出生日期晚于今天，请核对", "%[1]s holds a birth date after today; please check the number"},
	KeyIDTooYoung:      {"%[1]s显示登记时未满%[2]d周岁", "%[1]s shows the person is under %[2]d on the registration date"},
	KeyPhone:           {"%[1]s应为11位手机号码，或固定电话（区号-号码，如0471-1234567）", "%[1]s must be an 11-digit mobile number, or a landline as area code-number (0471-1234567)"},
	KeyDivision:        {"%[1]s应为12位行政区划代码", "%[1]s must be a 12-digit division code"},
	KeyPlace:           {"%[1]s应为6位、9位或12位行政区划代码", "%[1]s must be a 6-, 9- or 12-digit division code"},
	KeyEnum:            {"%[1]s应为以下之一：%[2]s", "%[1]s must be one of: %[2]s"},
	KeyDate:            {"%[1]s应为日期，如2026-01-31、2026/1/31、2026.1.31或20260131", "%[1]s must be a date like 2026-01-31, 2026/1/31, 2026.1.31 or 20260131"},
	KeyMonth:           {"%[1]s应为月份，格式：2026-01", "%[1]s must be a month like 2026-01"},
	KeyNumber:          {"%[1]s应为数字", "%[1]s must be a number"},
	KeyInteger:         {"%[1]s应为整数", "%[1]s must be a whole number"},
	KeyNegative:        {"%[1]s不能为负数", "%[1]s cannot be negative"},
	KeyPositive:        {"%[1]s应大于0", "%[1]s must be greater than 0"},
	KeyStartAfterEnd:   {"%[1]s不能早于开始日期", "%[1]s cannot be before the start date"},
	KeyBeforeStart:     {"%[1]s不能早于%[2]s", "%[1]s cannot be before %[2]s"},
	KeyAgeRange:        {"%[1]s应在16至75岁之间，且下限不大于上限", "%[1]s must lie between 16 and 75, lower bound first"},
	KeyDuplicate:       {"该%[1]s已在本站登记", "this %[1]s is already registered at this station"},
	KeyOpenRegistered:  {"该人员已有未注销的失业登记", "this person already has an open unemployment registration"},
	KeyNoWorker:        {"找不到该人员", "no such person"},
	KeyNoGig:           {"找不到该零工信息", "no such gig"},
	KeyGigNotOpen:      {"该零工信息已不在招", "this gig is no longer open"},
	KeyGigFull:         {"该零工信息已招满", "this gig has reached its headcount"},
	KeyAlreadyPlaced:   {"该人员已在此零工上岗", "this person is already placed in this gig"},
	KeyUnknownField:    {"无法识别的字段：%[1]s", "unknown field: %[1]s"},
	KeyBadJSON:         {"请求格式错误", "malformed request"},
	KeyTooMany:         {"%[1]s太多（最多%[2]d项）", "too many %[1]s (at most %[2]d)"},
	KeyUnemployedField: {"%[2]s为失业时不填%[1]s", "%[1]s is not recorded when %[2]s is unemployed (失业)"},
	KeyWelfareAway:     {"%[1]s为乡村公益性岗位时，%[2]s不能是区外（乡村公益性岗位在本地）", "%[1]s cannot be a village public-welfare post (乡村公益性岗位) when %[2]s is outside the region (区外): such posts are local"},
	KeyMonitorTag:      {"填写%[1]s需在%[2]s中选择“防止返贫监测对象”", "%[1]s needs 防止返贫监测对象 among the %[2]s"},
	KeyEdgeLifted:      {"%[1]s为边缘易致贫户时，%[2]s不能有“脱贫人口”", "%[1]s 边缘易致贫户 cannot go with 脱贫人口 among the %[2]s"},
	KeyNotCanonical:    {"%[1]s格式不规范", "%[1]s is not in its standard form"},
	KeyInconsistent:    {"%[1]s与%[2]s不一致", "%[1]s does not agree with %[2]s"},
	KeyOutOfScope:      {"该记录不属于本站，县级未接受", "this record is not in this station's scope; the county did not accept it"},
	KeyIDMismatch:      {"公民身份号码与记录编号不符", "the ID number does not match the record's id"},
	KeyNotPoster:       {"只有发布该零工信息的站点或县级可以修改", "only the station that posted this gig, or the county, may change it"},
	KeyStationField:    {"%[1]s只能是本站", "%[1]s must name this station"},
	KeyHubOnly:         {"该表只能由县级修改", "only the county writes this table"},
	KeyWorkerFixed:     {"不能改变记录所属的人员", "a record cannot move to another person"},
	KeyJoinWaiting:     {"今日跨站登记已达上限，等待县级批准", "today's cap on registering people of other stations is reached; waiting for the county's approval"},
	KeyJoinDeclined:    {"县级未批准该跨站登记", "the county declined this registration of another station's person"},
	KeyDeleteWaiting:   {"该人员在其他站也有登记，删除需县级确认", "other stations also hold this person; the county must confirm the deletion"},
	KeyDeleteDeclined:  {"县级未同意删除该人员", "the county refused to delete this person"},
	KeyBadValue:        {"%[1]s的值无法识别", "%[1]s holds a value that cannot be read"},
	KeyOnlyWith:        {"%[1]s只能与%[2]s一起填写", "%[1]s goes only with %[2]s"},
	KeyAlreadyVoided:   {"该记录已作废", "the record is already void"},
	KeyNotVoided:       {"该记录未作废，无需恢复", "the record is not void"},
	KeyAlreadyLeft:     {"该人员已标记离开", "the person is already marked as left"},
	KeyNotLeft:         {"该人员未标记离开", "the person has not left"},
}

// Message formats the text of key in lang with args.
func Message(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == "en" {
		s = m[1]
	}
	if !strings.Contains(s, "%") {
		// A message that names no field takes no arguments: formatting it
		// with the field's label would append "%!(EXTRA string=…)".
		return s
	}
	return fmt.Sprintf(s, args...)
}

// fieldLabels names each field in Chinese and English.
var fieldLabels = map[string][2]string{
	"id":                    {"编号", "id"},
	"id_number":             {"公民身份号码", "ID number"},
	"name":                  {"姓名", "name"},
	"phone":                 {"联系电话", "phone"},
	"ethnicity":             {"民族", "ethnicity"},
	"hukou_village":         {"户籍地（嘎查村）代码", "hukou village code"},
	"residence_village":     {"常住地（嘎查村）代码", "residence village code"},
	"education":             {"文化程度", "education"},
	"labour_ability":        {"劳动能力", "labour ability"},
	"tags":                  {"人员类别", "categories"},
	"category":              {"人员类别", "category"},
	"monitor_type":          {"监测对象类型", "monitoring type"},
	"skills":                {"技能", "skills"},
	"willing_away":          {"外出务工意愿", "willing to work away"},
	"notes":                 {"备注", "notes"},
	"worker_id":             {"人员", "person"},
	"month":                 {"月份", "month"},
	"list_type":             {"清单类型", "list"},
	"work_scope":            {"务工地域", "where they work"},
	"place":                 {"地点", "place"},
	"division_code":         {"所在嘎查村（区划代码）", "village (division code)"},
	"industry":              {"行业", "industry"},
	"employment_form":       {"就业形式", "employment form"},
	"monthly_income":        {"月收入（元）", "monthly income (yuan)"},
	"verified_by_method":    {"核实方式", "verification method"},
	"verified_by":           {"核实人", "verified by"},
	"verified_at":           {"核实日期", "verified on"},
	"place_type":            {"登记地类型", "place type"},
	"registered_on":         {"登记日期", "registered on"},
	"reason":                {"失业原因", "reason"},
	"job_intention":         {"就业意向", "job intention"},
	"training_intention":    {"培训意向", "training intention"},
	"deregistered_on":       {"注销日期", "deregistered on"},
	"deregistration_reason": {"注销原因", "deregistration reason"},
	"intended_work":         {"求职意向", "intended work"},
	"expected_wage":         {"期望工资", "expected wage"},
	"wage_unit":             {"工资单位", "wage unit"},
	"area":                  {"意向地区", "area"},
	"work_type":             {"用工类型", "work type"},
	"available_from":        {"可到岗日期", "available from"},
	"date":                  {"日期", "date"},
	"method":                {"帮扶方式", "method"},
	"service_type":          {"服务类型", "service type"},
	"content":               {"帮扶内容", "content"},
	"outcome":               {"帮扶结果", "outcome"},
	"next_due":              {"下次跟进日期", "next follow-up"},
	"staff":                 {"经办人", "staff"},
	"title":                 {"标题", "title"},
	"occupation":            {"工种", "occupation"},
	"headcount":             {"招聘人数", "headcount"},
	"wage":                  {"工资", "wage"},
	"settlement":            {"结算方式", "settlement"},
	"address":               {"详细地址", "address"},
	"start_date":            {"开始日期", "start date"},
	"end_date":              {"结束日期", "end date"},
	"age_min":               {"最低年龄", "minimum age"},
	"age_max":               {"最高年龄", "maximum age"},
	"employer":              {"用工单位", "employer"},
	"contact":               {"联系方式", "contact"},
	"status":                {"状态", "status"},
	"expires_on":            {"截止日期", "expires on"},
	"gig_id":                {"零工信息", "gig"},
	"placed_on":             {"上岗日期", "on the job from"},
	"station":               {"站点", "station"},
	"entered_by":            {"录入人", "entered by"},
	"household_id":          {"家庭户", "household"},
	"left_reason":           {"离开原因", "reason for leaving"},
	"left_on":               {"离开日期", "left on"},
	"left_to":               {"去向", "moved to"},
	"void_reason":           {"作废原因", "reason for voiding"},
	"voided_on":             {"作废日期", "voided on"},
	"ended_on":              {"结束日期", "ended on"},
	"village":               {"所在嘎查村", "village"},
	"zero_employment":       {"零就业家庭", "zero-employment household"},
	"file":                  {"文件", "file"},
	"limit":                 {"每页条数", "limit"},
	"offset":                {"起始位置", "offset"},
	"q":                     {"查询", "query"},
	"user":                  {"用户名", "user name"},
	"password":              {"密码", "password"},
}

// FieldLabel names a field in lang; unknown fields are named as given.
func FieldLabel(lang, field string) string {
	l, ok := fieldLabels[field]
	if !ok {
		return field
	}
	if lang == "en" {
		return l[1]
	}
	return l[0]
}

// idError maps ident's id-number errors to a field error.
func idError(field string, err error) *FieldError {
	switch {
	case errors.Is(err, ident.ErrIDChars):
		return fieldErr(field, KeyIDChars)
	case errors.Is(err, ident.ErrIDDate):
		return fieldErr(field, KeyIDDate)
	case errors.Is(err, ident.ErrIDChecksum):
		return fieldErr(field, KeyIDChecksum)
	default:
		return fieldErr(field, KeyIDLength)
	}
}

func enumErr(field string, allowed []string) *FieldError {
	return fieldErr(field, KeyEnum, strings.Join(allowed, "、"))
}
