package webkit

import (
	"fmt"
	"time"
	_ "time/tzdata" // a Windows PC has no zone database of its own
)

// DefaultZone is the zone every date a page or report shows is in.
const DefaultZone = "Asia/Shanghai"

// LoadZone loads a zone by IANA name ("" is DefaultZone).
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}

// Dates formats times in one zone, whatever zone the PC is set to.
type Dates struct{ Loc *time.Location }

// NewDates loads zone name ("" is DefaultZone).
func NewDates(name string) (Dates, error) {
	loc, err := LoadZone(name)
	return Dates{Loc: loc}, err
}

func (d Dates) loc() *time.Location {
	if d.Loc == nil {
		loc, _ := LoadZone(DefaultZone) // embedded by time/tzdata
		return loc
	}
	return d.Loc
}

// In is t in the zone.
func (d Dates) In(t time.Time) time.Time { return t.In(d.loc()) }

// Date is t's day: 2006-01-02.
func (d Dates) Date(t time.Time) string { return d.In(t).Format(time.DateOnly) }

// Month is t's month: 2006-01.
func (d Dates) Month(t time.Time) string { return d.In(t).Format("2006-01") }

// DateTime is t to the minute: 2006-01-02 15:04.
func (d Dates) DateTime(t time.Time) string { return d.In(t).Format("2006-01-02 15:04") }
