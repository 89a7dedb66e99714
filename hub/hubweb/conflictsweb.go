package hubweb

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"fieldsync/glossary"
	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/places/placename"
	"fieldsync/records"
	"fieldsync/webkit"
)

// The administrators' pages for the conflict queue, workers and stations:
// server-rendered, Chinese first (?lang=en switches, remembered in a cookie),
// every form with the session's CSRF token (pageFor checks it).

// webText holds the pages' texts: Chinese, English.
var webText = webkit.Catalogue{
	"nav_status": {"服务站", "Station health"}, "nav_dashboard": {"看板", "Dashboard"},
	"nav_conflicts": {"冲突处理", "Conflicts"}, "nav_workers": {"人员查询", "Workers"},
	"nav_stations": {"服务站管理", "Manage stations"}, "nav_people": {"人员名单", "People"},
	"nav_joins": {"加入请求", "Join requests"}, "hub_app": {"就业服务县级平台", "County employment hub"},
	"role_viewer": {"查看员", "Viewer"}, "role_resolver": {"处理员", "Resolver"},
	"role_station_manager": {"服务站管理员", "Station manager"}, "role_owner": {"管理员", "Administrator"},
	"role_rights_officer": {"劳动维权专员", "Rights officer"},
	"conflicts":           {"冲突队列", "Conflict queue"}, "conflict": {"冲突", "Conflict"},
	"type": {"类型", "Type"}, "station": {"服务站", "Station"}, "table": {"表", "Table"},
	"age": {"至少几天前", "At least days old"}, "status": {"状态", "Status"}, "filter": {"筛选", "Filter"},
	"open": {"待处理", "Open"}, "resolved": {"已处理", "Resolved"}, "all": {"全部", "All"},
	"record": {"记录", "Record"}, "column": {"字段", "Field"}, "values": {"各方的值", "Values"},
	"created": {"发现时间", "Found"}, "none": {"没有记录", "Nothing here"}, "total": {"共", "Total"},
	"value": {"值", "Value"}, "at": {"时间", "Time"}, "by": {"录入人", "Entered by"}, "wins": {"当前显示", "Shows now"},
	"choose": {"采用此值", "Choose this value"}, "type_value": {"填写新值", "Type a new value"},
	"save": {"提交", "Save"}, "history": {"修改历史", "History"}, "resolution": {"处理结果", "Resolution"},
	"resolved_by": {"处理人", "Resolved by"}, "resolved_at": {"处理时间", "Resolved at"},
	"bulk":               {"批量处理所选冲突", "Resolve the selected conflicts"},
	"bulk_latest":        {"均采用最新的值", "Choose the latest value for all"},
	"bulk_station":       {"均采用该服务站的值：", "Choose this station's value for all: "},
	"close_registration": {"注销此登记", "Close this registration"}, "remove_placement": {"删除此安排", "Remove this placement"},
	"dismiss": {"核实无误，关闭", "Checked: dismiss"}, "note": {"备注", "Note"},
	"set": {"修改字段", "Set a field"}, "reason": {"注销原因", "Reason"}, "on": {"注销日期", "Date"},
	"search": {"查询", "Search"}, "search_hint": {"姓名、身份证号前几位或手机尾号", "Name, start of the id number or end of the phone"},
	"name": {"姓名", "Name"}, "id_number": {"公民身份号码", "ID number"}, "phone": {"联系电话", "Phone"},
	"worker": {"人员信息", "Worker"}, "children": {"相关记录", "Related records"}, "in_conflict": {"存在冲突", "In conflict"},
	"replaced": {"被取代", "replaced"}, "current": {"当前", "current"}, "place_hint": {"名称或区划代码", "name or division code"},
	"stations": {"服务站", "Stations"}, "enrol": {"登记服务站", "Enrol a station"}, "division": {"所在嘎查村", "Village"},
	"revoke": {"注销", "Revoke"}, "revoked": {"已注销", "Revoked"}, "online": {"在线", "Online"}, "offline": {"离线", "Offline"},
	"last_seen": {"最后联系", "Last seen"},
	"software":  {"软件版本：", "Software:"}, "software_old": {"0.6.0 之前的版本（未报告）或尚未联系", "a release before 0.6.0 (not reported), or not yet connected"}, "last_error": {"最近错误", "Last error"},
	"enrol_code": {"服务站登记码", "Station enrolment code"},
	"enrol_help": {"在服务站电脑上运行：station init --dir 数据目录，然后粘贴下面的登记码。登记码只显示这一次，请打印后妥善保管。",
		"On the station PC run: station init --dir DIR and paste the code below. It is shown only once: print it and keep it safe."},
	"print": {"打印", "Print"}, "reenroll": {"重新登记（数据丢失的服务站）", "Re-enrol (a station that lost its data)"},
	"confirm_revoke": {"确定注销该服务站？其令牌将立即失效。", "Revoke this station? Its token stops working at once."},
	"k_field":        {"字段冲突", "Field conflict"}, "k_two_open_registrations": {"重复失业登记", "Two open registrations"},
	"k_gig_overfilled": {"零工超员", "Gig over headcount"}, "k_welfare_and_away": {"乡村公益性岗位与区外务工", "Rural public-welfare post and work away"},
	"k_identity_mismatch":      {"疑似同一人不同身份证号", "Same person, two id numbers"},
	"k_two_welfare_posts":      {"同时在两个乡村公益性岗位", "Two welfare posts at once"},
	"k_welfare_post_and_away":  {"乡村公益性岗位在岗期间区外务工", "Working away while in a welfare post"},
	"k_export_in_welfare_post": {"乡村公益性岗位在岗期间随批次输出", "Sent out while in a welfare post"},
	"h_choose":                 {"选择了", "chose"}, "h_value": {"填写了新值", "typed a value"}, "h_station_edit": {"服务站修改后自动解决", "settled by a station's edit"},
	"h_cleared": {"规则已恢复", "rule holds again"}, "h_dismiss": {"核实后关闭", "dismissed"}, "h_set": {"修改了字段", "set a field"},
	"h_close_registration": {"注销了登记", "closed a registration"}, "h_remove_placement": {"删除了安排", "removed a placement"},
	"h_settled": {"县级修改后解决", "settled by a county edit"},
}

// tw is a page text of the hub's catalogue (the pages' templates call it
// tw, the login page tr: one catalogue).
func tw(lang, key string) string { return hubText.T(lang, key) }

// webFuncs are the pages' template functions.
var webFuncs = template.FuncMap{
	"tw":    tw,
	"label": func(lang, field string) string { return records.FieldLabel(lang, field) },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return inZone(t).Format("2006-01-02 15:04")
	},
	"val": func(v any) string {
		switch x := v.(type) {
		case nil:
			return "（空）"
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case string:
			return glossary.Display(x)
		case []any:
			out := make([]string, len(x))
			for i, e := range x {
				out[i] = glossary.Display(fmt.Sprint(e))
			}
			return "[" + strings.Join(out, " ") + "]"
		}
		return fmt.Sprint(v)
	},
	"join":  func(s []string) string { return strings.Join(s, "、") },
	"arr":   func(xs ...any) []any { return xs },
	"place": placeLabel,
}

var queueTmpl = mustTemplate("queue", namedFuncs, true)

// queueData is the queue page's data.
type queueData struct {
	F                       hub.ConflictFilter
	Age                     string
	List                    []hub.Conflict
	Total                   int
	Kinds, Stations, Tables []string
	Statuses                []string
}

// routesConflictPages adds the queue and conflict pages.
func (h *server) routesConflictPages(mux *http.ServeMux) {
	mux.Handle("GET /conflicts", h.pageFor(access.PermView, h.pageQueue))
	mux.Handle("POST /conflicts/resolve", h.pageFor(access.PermResolve, h.postBulk))
	mux.Handle("GET /conflicts/{id}", h.pageFor(access.PermView, h.pageConflict))
	mux.Handle("POST /conflicts/{id}/resolve", h.pageFor(access.PermResolve, h.postResolve))
}

func (h *server) pageQueue(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	p := h.newPage(r, lang, "conflicts")
	q := r.URL.Query()
	f, ferr := conflictFilter(q)
	if f.Status == "" {
		f.Status = hub.StatusOpen
	}
	d := queueData{F: f, Age: q.Get("age"), Kinds: hub.ConflictKinds, Statuses: []string{hub.StatusOpen, hub.StatusResolved, "all"},
		Tables: []string{records.Workers, records.MonthlyStatus, records.Unemployment, records.Jobseeker, records.Followups,
			records.Gigs, records.Placements, records.Households}}
	status := http.StatusOK
	if ferr != nil {
		p.Error, status = ferr.Message(lang), http.StatusBadRequest
	} else {
		f.HideTables = hiddenTables(r)
		var err error
		if d.List, d.Total, err = h.Conflicts(r.Context(), f); err == nil {
			err = h.NameConflicts(r.Context(), d.List)
		}
		if err != nil {
			h.log.ErrorContext(r.Context(), "conflict queue", "err", err)
			p.Error, status = tr(lang, "internal"), http.StatusInternalServerError
		}
		hub.MaskForList(d.List)
	}
	if sts, err := h.Stations(r.Context()); err == nil {
		for _, s := range sts {
			d.Stations = append(d.Stations, s.Name)
		}
	}
	p.Data = d
	h.render(w, r, queueTmpl, status, p)
}

// adminActor is the administrator of a protected request.
func adminActor(r *http.Request) access.Actor {
	a, _ := access.AdminFrom(r.Context())
	return a.Actor()
}

func (h *server) postBulk(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	var ids []int64
	for _, s := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || len(ids) > maxBulk {
		http.Error(w, msg2(lang, "请先勾选要处理的冲突（最多1000个）", "select 1 to 1000 conflicts first"), http.StatusBadRequest)
		return
	}
	choose, _ := json.Marshal(r.PostFormValue("choose"))
	ids, res := h.visibleConflicts(r, ids, lang)
	if len(ids) > 0 {
		res = append(res, h.resolveMany(r.Context(), adminActor(r), ids, hub.ResolveRequest{Choose: choose}, lang)...)
	}
	ok, failed := 0, 0
	for _, x := range res {
		if x.Error == "" {
			ok++
		} else {
			failed++
			h.log.InfoContext(r.Context(), "bulk resolution: a conflict not resolved", "conflict", x.ID)
		}
	}
	http.Redirect(w, r, fmt.Sprintf("/conflicts?notice=resolved&n=%d&failed=%d", ok, failed), http.StatusSeeOther)
}

var conflictTmpl = mustTemplate("conflict", namedFuncs, true)

// conflictPageData is the conflict page's data.
type conflictPageData struct {
	hub.ConflictDetail
	SetColumns []string
	// PlaceLevels are the levels the typed value's picker offers, for a
	// field conflict on a place column ("" for any other).
	PlaceLevels string
}

func (h *server) pageConflict(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	h.showConflict(w, r, lang, http.StatusOK, "")
}

// showConflict renders a conflict's page, with an error when a resolution
// was refused.
func (h *server) showConflict(w http.ResponseWriter, r *http.Request, lang string, status int, errMsg string) {
	p := h.newPage(r, lang, "conflict")
	p.Error = errMsg
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var d hub.ConflictDetail
	if err == nil && h.conflictHidden(r.Context(), r, id) {
		http.Error(w, rightsHiddenText(lang), http.StatusForbidden)
		return
	}
	if err == nil {
		d, err = h.ConflictWithHistory(r.Context(), id)
	}
	if err != nil {
		if err2 := (*strconv.NumError)(nil); errors.As(err, &err2) || errors.Is(err, hub.ErrConflictNotFound) {
			http.Error(w, msg2(lang, "找不到该冲突", "no such conflict"), http.StatusNotFound)
			return
		}
		h.log.ErrorContext(r.Context(), "conflict page", "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	p.Title += " #" + strconv.FormatInt(id, 10)
	data := conflictPageData{ConflictDetail: d, SetColumns: map[string][]string{
		hub.KindOverfilled: {"headcount"}, hub.KindWelfareAway: {"work_scope", "employment_form"}}[d.Kind]}
	if d.Kind == hub.KindField {
		data.PlaceLevels = placeLevels(d.Table, d.Column)
	}
	p.Data = data
	h.render(w, r, conflictTmpl, status, p)
}

// formRequest turns a posted resolve form into a ResolveRequest; a typed
// value travels as a JSON string and is converted to the column's type.
func formRequest(r *http.Request) hub.ResolveRequest {
	req := hub.ResolveRequest{Action: r.PostFormValue("action"), Registration: r.PostFormValue("registration"),
		Placement: r.PostFormValue("placement"), Column: r.PostFormValue("column"), On: r.PostFormValue("on"),
		Reason: r.PostFormValue("reason"), Note: r.PostFormValue("note"), Updated: r.PostFormValue("updated")}
	if _, ok := r.PostForm["value"]; ok {
		req.Value, _ = json.Marshal(r.PostFormValue("value"))
	}
	if c := r.PostFormValue("choose"); c != "" {
		req.Choose, _ = json.Marshal(c)
	}
	return req
}

func (h *server) postResolve(w http.ResponseWriter, r *http.Request) {
	lang := langOf(w, r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		http.Error(w, msg2(lang, "找不到该冲突", "no such conflict"), http.StatusNotFound)
		return
	}
	if h.conflictHidden(r.Context(), r, id) {
		http.Error(w, rightsHiddenText(lang), http.StatusForbidden)
		return
	}
	req := formRequest(r)
	if req.Value != nil {
		// A place typed by its name or path, as the station's forms take one.
		var pe *placename.Error
		if c, err := h.Conflict(r.Context(), id); err == nil && c.Kind == hub.KindField {
			code, err := typedPlace(c.Table, c.Column, r.PostFormValue("value"))
			if errors.As(err, &pe) {
				h.showConflict(w, r, lang, http.StatusBadRequest, pe.Message(lang))
				return
			}
			req.Value, _ = json.Marshal(code)
		}
	}
	_, err = h.ResolveConflict(r.Context(), adminActor(r), id, req)
	var re *hub.ResolveError
	switch {
	case errors.As(err, &re):
		h.showConflict(w, r, lang, re.Status, re.Message(lang))
		return
	case err != nil:
		h.log.ErrorContext(r.Context(), "resolve from the web", "conflict", id, "err", err)
		http.Error(w, tr(lang, "internal"), http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/conflicts/%d", id), http.StatusSeeOther)
}
