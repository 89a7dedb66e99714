package hubweb

import (
	"fmt"
	"html/template"
	"maps"
	"strings"
	"time"

	"fieldsync/hub"
	"fieldsync/records"
	"fieldsync/webkit"
)

// The county's station health overview ("/") and each station's page: one
// row per station with its place's names, its status, last contact, what
// waits in each direction, its clock, software, refused changes, requests
// waiting, last error and open conflicts, those needing attention first.

// healthText holds the health pages' texts (and the tables' names the
// conflict pages show): Chinese, English.
var healthText = webkit.Catalogue{
	"health":             {"服务站运行状况", "Station health"},
	"silent":             {"沉默", "Silent"},
	"township":           {"苏木乡镇", "Township"},
	"pending":            {"待上传 / 待下发", "To upload / to send"},
	"pending_up":         {"待上传", "To upload"},
	"pending_down":       {"待下发", "To send"},
	"clock":              {"时钟偏差", "Clock offset"},
	"clock_tolerance":    {"容许", "tolerance"},
	"software_col":       {"软件版本", "Software"},
	"refused_30d":        {"近30天被拒修改", "Refused (30 days)"},
	"waiting_county":     {"待县级决定", "Waiting for the county"},
	"open_conflicts":     {"待处理冲突", "Open conflicts"},
	"never":              {"从未联系", "never"},
	"just_now":           {"刚刚", "just now"},
	"unknown_offline":    {"离线时未知", "unknown while offline"},
	"health_total":       {"服务站", "Stations"},
	"health_attention":   {"需关注", "Need attention"},
	"health_refresh":     {"每30秒自动刷新", "Refreshes every 30 s"},
	"enrolled":           {"登记时间", "Enrolled"},
	"station_site":       {"站点号", "Site"},
	"its_conflicts":      {"查看该站的冲突", "Its conflicts"},
	"refusal_reason":     {"原因", "Reason"},
	"whole_change":       {"整条修改", "the whole change"},
	"deletion":           {"删除", "deletion"},
	"entered_by":         {"录入人", "entered by"},
	"a_silent":           {"沉默", "silent"},
	"a_error":            {"连接出错", "connection error"},
	"a_refused":          {"有被拒修改", "changes refused"},
	"a_clock":            {"时钟偏差过大", "clock off"},
	"a_waiting":          {"有待县级决定的请求", "requests waiting"},
	"a_conflicts":        {"有待处理冲突", "open conflicts"},
	"nav_dashboard_link": {"看板与月报", "Dashboard and report"},
	// The tables, as the conflict and station pages name them.
	"tbl_" + records.Workers:       {"人员信息", "People"},
	"tbl_" + records.MonthlyStatus: {"月度就业状态", "Monthly status"},
	"tbl_" + records.Unemployment:  {"失业登记", "Unemployment registrations"},
	"tbl_" + records.Jobseeker:     {"求职登记", "Job-seeking registrations"},
	"tbl_" + records.Followups:     {"就业帮扶台账", "Follow-ups"},
	"tbl_" + records.Gigs:          {"零工信息", "Gigs"},
	"tbl_" + records.Placements:    {"零工安排", "Placements"},
	"tbl_" + records.Households:    {"家庭户", "Households"},
	"tbl_" + records.Stations:      {"服务站目录", "Station directory"},
}

// healthRefresh is how often the overview reloads itself.
const healthRefresh = 30 * time.Second

// tableLabel names a table in lang; an unknown one is named as given.
func tableLabel(lang, table string) string {
	if _, ok := hubText["tbl_"+table]; ok {
		return tw(lang, "tbl_"+table)
	}
	return table
}

// columnLabel names a refused column in lang: a record's field by its
// label, the bookkeeping columns and a deletion by the pages' words, ""
// (the whole change) as such.
func columnLabel(lang, column string) string {
	switch column {
	case "":
		return tw(lang, "whole_change")
	case "station":
		return tw(lang, "station")
	case records.EnteredBy:
		return tw(lang, "entered_by")
	case "fs_deleted":
		return tw(lang, "deletion")
	}
	return records.FieldLabel(lang, column)
}

// healthRow is a station's health as the pages show it: with its last
// contact said as an age ("3 天前") against the hub's clock.
type healthRow struct {
	hub.StationHealth
	Ago string
}

// healthRows adds the ages, in lang, at now.
func healthRows(lang string, now time.Time, sts []hub.StationHealth) []healthRow {
	out := make([]healthRow, len(sts))
	for i, s := range sts {
		out[i] = healthRow{StationHealth: s, Ago: ago(lang, now, s.LastSeen)}
	}
	return out
}

// ago says how long before now t was: 刚刚, N 分钟前, N 小时前, N 天前
// ("" for a zero t).
func ago(lang string, now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return tw(lang, "just_now")
	case d < time.Hour:
		return msg2(lang, fmt.Sprintf("%d 分钟前", int(d.Minutes())), fmt.Sprintf("%d min ago", int(d.Minutes())))
	case d < 24*time.Hour:
		return msg2(lang, fmt.Sprintf("%d 小时前", int(d.Hours())), fmt.Sprintf("%d h ago", int(d.Hours())))
	}
	days := int(d.Hours() / 24)
	return msg2(lang, fmt.Sprintf("%d 天前", days), fmt.Sprintf("%d days ago", days))
}

// offset shows a clock offset to the second (to the millisecond under a
// second), signed: +3m0s, -1.2s, 0s.
func offset(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d > -time.Second && d < time.Second:
		d = d.Round(time.Millisecond)
	default:
		d = d.Round(time.Second)
	}
	if d > 0 {
		return "+" + d.String()
	}
	return d.String()
}

// attentionText lists the reasons a station needs attention, in lang.
func attentionText(lang string, reasons []string) string {
	out := make([]string, len(reasons))
	for i, r := range reasons {
		out[i] = tw(lang, "a_"+r)
	}
	return strings.Join(out, msg2(lang, "、", ", "))
}

// namedFuncs are the pages' template functions (webFuncs) with those of
// the health and conflict pages: a clock offset, the reasons for
// attention, a table's and a refused column's names.
var namedFuncs = func() template.FuncMap {
	m := maps.Clone(webFuncs)
	m["offset"], m["attention"], m["tbl"], m["col"] = offset, attentionText, tableLabel, columnLabel
	return m
}()
