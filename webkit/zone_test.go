package webkit

import (
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	at := time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC) // 2027-01-01 01:30 in Shanghai
	sh, err := NewDates("")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := NewDates("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"date", sh.Date(at), "2027-01-01"},
		{"month", sh.Month(at), "2027-01"},
		{"datetime", sh.DateTime(at), "2027-01-01 01:30"},
		{"same in any input zone", sh.DateTime(at.In(time.FixedZone("X", -5*3600))), "2027-01-01 01:30"},
		{"configured zone", ny.DateTime(at), "2026-12-31 12:30"},
		{"zero Dates is Shanghai", Dates{}.Date(at), "2027-01-01"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if _, err := LoadZone("Mars/Olympus"); err == nil {
		t.Error("bad zone accepted")
	}
}
