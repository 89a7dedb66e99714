package stationweb

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"fieldsync/places"
	"fieldsync/places/placename"
	"fieldsync/records"
	"fieldsync/station"
)

// A form is declared once as a list of fields; the same declaration renders
// it, reads it back and compares it with the stored record.
type fieldSpec struct {
	Name     string
	Kind     string // text, date, month, number, int, select, checks, bool, textarea, list, hidden, place
	Options  []string
	Required bool
	// Levels, for a place, are the levels its picker offers (places.Level
	// names, comma-separated, as GET /api/places?level= takes them).
	Levels string
	// Text, when set, is the interface text (uiText) labelling the field
	// instead of the column's label: a column two forms label differently.
	Text string
	// OptionLabels, for a select whose options are row ids (a gig's job
	// fair), shows each option by its label instead of its value.
	OptionLabels map[string]string
	// Script, when set, names a script of the station's own the field
	// needs (form.html loads it): "gigform" (/static/gigform.js), a gig's
	// kind switching the pay units offered.
	Script string
}

// villageLevels are a village field's; placeLevels a gig's place's.
const (
	villageLevels = "嘎查村"
	placeLevels   = "旗县,苏木乡镇,嘎查村"
)

// placeField is a division code entered through the place picker.
func placeField(name, levels string, req bool) fieldSpec {
	return fieldSpec{Name: name, Kind: "place", Required: req, Levels: levels}
}

func f(name, kind string, req bool, opts ...string) fieldSpec {
	return fieldSpec{Name: name, Kind: kind, Required: req, Options: opts}
}

var (
	workerFields = []fieldSpec{
		f("id_number", "text", true), f("name", "text", true), f("phone", "text", false),
		f("ethnicity", "text", true), placeField("hukou_village", villageLevels, true),
		placeField("residence_village", villageLevels, false),
		{Name: "education", Kind: "select", Required: true, Options: records.Educations},
		{Name: "labour_ability", Kind: "select", Required: true, Options: records.LabourAbilities},
		{Name: "tags", Kind: "checks", Options: records.Tags},
		{Name: "monitor_type", Kind: "select", Options: records.MonitorTypes},
		f("skills", "list", false), f("labour_brand", "text", false), f("willing_away", "bool", false),
		f("notes", "textarea", false),
	}
	monthFields = []fieldSpec{
		f("worker_id", "hidden", true), f("month", "month", true),
		{Name: "list_type", Kind: "select", Required: true, Options: records.StatusLists},
		{Name: "work_scope", Kind: "select", Options: records.WorkScopes},
		f("place", "text", false), f("industry", "text", false),
		{Name: "employment_form", Kind: "select", Options: records.EmploymentForms},
		f("monthly_income", "number", false),
		{Name: "verified_by_method", Kind: "select", Required: true, Options: records.VerifyMethods},
		f("verified_by", "text", true), f("verified_at", "date", true),
		// The month's 有意愿外出 list: whatever the status (就业 or 失业).
		{Name: "willing_away", Kind: "bool", Text: "month_willing"},
	}
	unempFields = []fieldSpec{
		f("worker_id", "hidden", true),
		{Name: "place_type", Kind: "select", Required: true, Options: records.PlaceTypes},
		f("registered_on", "date", true), f("reason", "text", true),
		f("job_intention", "text", false), f("training_intention", "text", false),
	}
	jobseekerFields = []fieldSpec{
		f("worker_id", "hidden", true), f("intended_work", "text", true), f("expected_wage", "number", false),
		{Name: "wage_unit", Kind: "select", Options: records.WageUnits},
		f("area", "text", false),
		{Name: "work_type", Kind: "select", Required: true, Options: records.WorkTypes},
		f("available_from", "date", false), f("registered_on", "date", true),
	}
	followupFields = []fieldSpec{
		f("worker_id", "hidden", true), f("date", "date", true),
		{Name: "method", Kind: "select", Required: true, Options: records.FollowupMethods},
		f("service_type", "text", true), f("content", "textarea", true), f("outcome", "textarea", false),
		f("next_due", "date", false), f("staff", "text", false),
	}
	gigFields = []fieldSpec{
		f("title", "text", true),
		// 零工 or 全职: a 全职 job is paid 元/月 and settled 月结
		// (records.KeyKindPay); gigform.js offers the units that fit.
		{Name: "kind", Kind: "select", Required: true, Options: records.GigKinds, Text: "gig_kind",
			Script: "gigform"},
		f("occupation", "text", true), f("headcount", "int", true),
		f("wage", "number", true),
		{Name: "wage_unit", Kind: "select", Required: true, Options: records.GigWageUnits},
		{Name: "settlement", Kind: "select", Required: true, Options: records.Settlements},
		placeField("place", placeLevels, true), f("address", "text", false), f("start_date", "date", true),
		f("end_date", "date", false), f("age_min", "int", false), f("age_max", "int", false),
		f("employer", "text", true), f("contact", "text", true), f("skills", "list", false),
		{Name: "status", Kind: "select", Required: true, Options: records.GigStatuses},
		f("expires_on", "date", false), f("suits_older", "bool", false),
		// The job fairs the station holds: gigSpec fills in the options.
		{Name: "job_fair_id", Kind: "select"},
	}
	deregFields = []fieldSpec{f("deregistered_on", "date", true), f("deregistration_reason", "text", true)}
)

// decodeForm reads the declared fields from a form into v (a records type),
// through the same JSON names the API uses. An optional number the form
// carries empty is cleared (an edit form decodes over the stored record); a
// field the form does not carry is left as it is.
func decodeForm(spec []fieldSpec, form url.Values, v any) error {
	m := map[string]any{}
	for _, fs := range spec {
		for _, v := range form[fs.Name] {
			if !utf8.ValidString(v) {
				// json.Marshal below would turn the bad bytes into U+FFFD.
				return &textError{Field: fs.Name}
			}
		}
		raw := strings.TrimSpace(form.Get(fs.Name))
		switch fs.Kind {
		case "number":
			if raw == "" {
				if form.Has(fs.Name) && !fs.Required {
					m[fs.Name] = nil // emptied: none (the form decodes over the stored record)
				}
				continue
			}
			n, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return &records.FieldError{Field: fs.Name, Key: records.KeyNumber}
			}
			m[fs.Name] = n
		case "int":
			if raw == "" {
				if form.Has(fs.Name) && !fs.Required {
					m[fs.Name] = 0 // emptied: none (an optional count or bound of 0 is none)
				}
				continue
			}
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return &records.FieldError{Field: fs.Name, Key: records.KeyInteger}
			}
			m[fs.Name] = n
		case "checks":
			m[fs.Name] = form[fs.Name]
		case "list":
			m[fs.Name] = station.SplitList(raw)
		case "bool":
			m[fs.Name] = raw == "1" || raw == "on"
		case "place":
			code, err := placeCode(fs, raw)
			if err != nil {
				return err
			}
			m[fs.Name] = code
		default:
			m[fs.Name] = raw
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("decode form: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode form: %w", err)
	}
	return nil
}

// placeCode reads a place field: a code as typed, or a name (typed without
// the picker's script) as the place's code; a name that names no place, or
// several, is a *placename.Error naming the field.
func placeCode(fs fieldSpec, raw string) (string, error) {
	if fs.Levels == villageLevels {
		return placename.VillageCode(fs.Name, raw)
	}
	var only []places.Level
	for l := range strings.SplitSeq(fs.Levels, ",") {
		only = append(only, places.Level(l))
	}
	return placename.PlaceCode(fs.Name, raw, only...)
}

// encodeForm renders a record as form values.
func encodeForm(spec []fieldSpec, v any) url.Values {
	b, _ := json.Marshal(v) // records types always marshal
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	out := url.Values{}
	for _, fs := range spec {
		switch x := m[fs.Name].(type) {
		case nil:
		case string:
			out.Set(fs.Name, x)
		case float64:
			if x != 0 || fs.Kind == "number" && fs.Required {
				out.Set(fs.Name, strconv.FormatFloat(x, 'f', -1, 64))
			}
		case bool:
			if x {
				out.Set(fs.Name, "1")
			}
		case []any:
			var ss []string
			for _, e := range x {
				ss = append(ss, fmt.Sprint(e))
			}
			if fs.Kind == "list" {
				out.Set(fs.Name, strings.Join(ss, "、"))
			} else {
				out[fs.Name] = ss
			}
		}
	}
	return out
}

// changedFields names the fields whose submitted value differs from the stored one.
func changedFields(spec []fieldSpec, before, after url.Values) []string {
	var out []string
	for _, fs := range spec {
		a, b := before[fs.Name], after[fs.Name]
		switch {
		case fs.Kind == "list":
			a, b = station.SplitList(before.Get(fs.Name)), station.SplitList(after.Get(fs.Name))
		case fs.Kind == "date" || fs.Name == "phone":
			// 2026/3/1 typed over a stored 2026-03-01 is no change.
			a, b = []string{storedForm(fs, before.Get(fs.Name))}, []string{storedForm(fs, after.Get(fs.Name))}
		}
		if strings.Join(a, "\x00") != strings.Join(b, "\x00") {
			out = append(out, fs.Name)
		}
	}
	return out
}

// storedForm is v as the records rules store a date or phone field, or v
// itself when it is not valid (Validate then refuses it).
func storedForm(fs fieldSpec, v string) string {
	norm := records.NormalizeDate
	if fs.Kind != "date" {
		norm = records.NormalizePhone
	}
	if n, ok := norm(v); ok {
		return n
	}
	return v
}

// fieldView is one field as the form template shows it.
type fieldView struct {
	Name, Label, Kind string
	Levels            string // a place's, for its picker
	Value             string
	Checked           map[string]bool
	Options           []string
	OptionLabels      map[string]string
	Script            string
	Required          bool
	Error             string
	Conflict          []string
}

// formView is a form as the template shows it.
type formView struct {
	Title    string
	Action   string
	Back     string
	Fields   []fieldView
	Error    string
	Existing string // link to an existing record a conflict names
}

func buildForm(lang string, spec []fieldSpec, vals url.Values, err error, conflicts map[string][]any) []fieldView {
	fe, _ := records.AsFieldError(err)
	if ce, ok := err.(*station.ConflictError); ok {
		fe = ce.FieldError()
	}
	var pe *placename.Error
	errors.As(err, &pe)
	out := make([]fieldView, 0, len(spec))
	for _, fs := range spec {
		fv := fieldView{Name: fs.Name, Label: records.FieldLabel(lang, fs.Name), Kind: fs.Kind, Levels: fs.Levels,
			Value: vals.Get(fs.Name), Options: fs.Options, OptionLabels: fs.OptionLabels, Script: fs.Script,
			Required: fs.Required, Checked: map[string]bool{}}
		if fs.Text != "" {
			fv.Label = tr(lang, fs.Text)
		}
		for _, v := range vals[fs.Name] {
			fv.Checked[v] = true
		}
		if fe != nil && fe.Field == fs.Name {
			fv.Error = fe.Message(lang)
		}
		if pe != nil && pe.Field == fs.Name {
			fv.Error = pe.Message(lang)
		}
		for _, c := range conflicts[fs.Name] {
			v := displayValue(c)
			if p := placeOf(v); fs.Kind == "place" && p.Known {
				v = p.Name + "（" + p.Code + "）"
			}
			fv.Conflict = append(fv.Conflict, v)
		}
		out = append(out, fv)
	}
	return out
}

func displayValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "（空）"
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}
