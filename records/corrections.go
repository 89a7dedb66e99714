package records

import (
	"fieldsync/ident"
	"fieldsync/replica"
)

// LeaveReasons are why a person leaves a station's lists (Worker.Leave).
var LeaveReasons = []string{"迁出", "死亡", "其他"}

// Void takes a record (a monthly status, a registration, a follow-up) out
// of every list and count while keeping it in history (作废): a record is
// void when it has a reason, and then has the date it was voided too.
// Writing the record again without one brings it back.
type Void struct {
	VoidReason string `json:"void_reason,omitempty"`
	VoidedOn   string `json:"voided_on,omitempty"`
}

// Voided reports whether the record is void.
func (v *Void) Voided() bool { return v.VoidReason != "" }

func (v *Void) validate() error {
	trim(&v.VoidReason, &v.VoidedOn)
	if err := maxLen("void_reason", v.VoidReason, maxText); err != nil {
		return err
	}
	if v.VoidReason == "" {
		if v.VoidedOn != "" {
			return fieldErr("voided_on", KeyOnlyWith, Label("void_reason"))
		}
		return nil
	}
	return date("voided_on", &v.VoidedOn, true)
}

// Leave records that a person left the station's lists (moved away,
// died): they leave every list and the worklist, their history stays, and
// clearing the reason brings them back. A person has left when the reason
// is set; the date is then required and where to is optional.
type Leave struct {
	LeftReason string `json:"left_reason,omitempty"`
	LeftOn     string `json:"left_on,omitempty"`
	LeftTo     string `json:"left_to,omitempty"`
}

// Left reports whether the person has left.
func (l *Leave) Left() bool { return l.LeftReason != "" }

func (l *Leave) validate() error {
	trim(&l.LeftReason, &l.LeftOn, &l.LeftTo)
	if err := enum("left_reason", l.LeftReason, LeaveReasons, false); err != nil {
		return err
	}
	if err := maxLen("left_to", l.LeftTo, maxText); err != nil {
		return err
	}
	if l.LeftReason == "" {
		switch {
		case l.LeftOn != "":
			return fieldErr("left_on", KeyOnlyWith, Label("left_reason"))
		case l.LeftTo != "":
			return fieldErr("left_to", KeyOnlyWith, Label("left_reason"))
		}
		return nil
	}
	return date("left_on", &l.LeftOn, true)
}

// optionalRowID checks an optional reference to another row: empty, or a
// row id in its canonical (lower-case hex) form.
func optionalRowID(field string, s *string) error {
	trim(s)
	if *s == "" {
		return nil
	}
	id, err := ident.ParseID(*s)
	if err != nil {
		return fieldErr(field, KeyBadValue)
	}
	*s = id.String()
	return nil
}

// Household is a household (家庭户): 监测对象 (its monitoring type) and
// 零就业家庭 are designations of a household, shown on its members
// (Worker.HouseholdID).
type Household struct {
	// WorkerID is the head of the household (户主).
	WorkerID       string `json:"worker_id"`
	Village        string `json:"village"`
	MonitorType    string `json:"monitor_type"`
	ZeroEmployment bool   `json:"zero_employment"`
	Notes          string `json:"notes"`
}

// Validate normalises h and checks its rules.
func (h *Household) Validate() error {
	trim(&h.WorkerID, &h.Village, &h.MonitorType, &h.Notes)
	if err := rowID("worker_id", &h.WorkerID); err != nil {
		return err
	}
	if err := division("village", h.Village, false); err != nil {
		return err
	}
	if err := enum("monitor_type", h.MonitorType, MonitorTypes, false); err != nil {
		return err
	}
	return maxLen("notes", h.Notes, maxLong)
}

// Columns lists the column values of h.
func (h *Household) Columns() []replica.ColumnValue {
	return []replica.ColumnValue{
		{Column: "worker_id", Value: h.WorkerID},
		{Column: "village", Value: opt(h.Village)},
		{Column: "monitor_type", Value: opt(h.MonitorType)},
		{Column: "zero_employment", Value: h.ZeroEmployment},
		{Column: "notes", Value: opt(h.Notes)},
	}
}
