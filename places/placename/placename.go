// Package placename reads a place as the county's spreadsheets and people
// write it (a village's name, a path 旗县/苏木乡镇/嘎查村, or a division code)
// into its division code, and shows a code as its name, over the table of
// package places. It stands apart from places because its errors name the
// records field they are about (records.FieldLabel), and records may one day
// check codes against places.
package placename

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"fieldsync/places"
	"fieldsync/records"
)

// The county's spreadsheets write a village as its name (西双山村, 巴彦嘎查)
// where the station stores its 12-digit code; the statistical table names it
// as a committee (西双山村民委员会, 巴彦嘎查委员会). A name is looked up in
// three tiers, the first that finds any village winning: the name as the
// table writes it; the name with the committee suffix shortened to 村, 嘎查
// or 社区 (villageKey); the name without even that (villageBase).

// committeeSuffixes shorten a committee's name to what people call the place,
// longest first within each group.
var committeeSuffixes = []struct{ long, short string }{
	{"嘎查村民委员会", "嘎查"}, {"嘎查村委会", "嘎查"}, {"嘎查委员会", "嘎查"}, {"嘎查委会", "嘎查"},
	{"社区居民委员会", "社区"}, {"社区居委会", "社区"},
	{"村民委员会", "村"}, {"村委会", "村"}, {"村委", "村"},
	{"居民委员会", ""}, {"居委会", ""},
}

// villageKey shortens a committee's name: 西双山村民委员会 → 西双山村.
func villageKey(name string) string {
	for _, s := range committeeSuffixes {
		if strings.HasSuffix(name, s.long) && len(name) > len(s.long) {
			return strings.TrimSuffix(name, s.long) + s.short
		}
	}
	return name
}

// villageBase drops what a village is called after: 西双山村 → 西双山.
func villageBase(name string) string {
	k := villageKey(name)
	for _, s := range []string{"嘎查", "社区", "村"} {
		if strings.HasSuffix(k, s) && utf8.RuneCountInString(k) > utf8.RuneCountInString(s)+1 {
			return strings.TrimSuffix(k, s)
		}
	}
	return k
}

// villageIndex finds villages by name, in the three tiers.
type villageIndex struct {
	byName, byKey, byBase map[string][]places.Place
}

var villages = sync.OnceValue(func() *villageIndex {
	ix := &villageIndex{byName: map[string][]places.Place{}, byKey: map[string][]places.Place{}, byBase: map[string][]places.Place{}}
	// Every code starts with 15 (内蒙古): this lists every village, in code order.
	for _, p := range places.Search("15", 1<<20, places.Village) {
		ix.byName[p.Name] = append(ix.byName[p.Name], p)
		ix.byKey[villageKey(p.Name)] = append(ix.byKey[villageKey(p.Name)], p)
		ix.byBase[villageBase(p.Name)] = append(ix.byBase[villageBase(p.Name)], p)
	}
	return ix
})

// find returns the villages named name in the first tier that has any
// whose path holds every part of above.
func (ix *villageIndex) find(name string, above []string) []places.Place {
	for _, tier := range [][]places.Place{ix.byName[name], ix.byKey[villageKey(name)], ix.byBase[villageBase(name)]} {
		var kept []places.Place
		for _, p := range tier {
			if under(p, above) {
				kept = append(kept, p)
			}
		}
		if len(kept) > 0 {
			return kept
		}
	}
	return nil
}

// under reports whether every name of above (blanks aside) is a place above p.
func under(p places.Place, above []string) bool {
	for _, a := range above {
		if a = strings.TrimSpace(a); a != "" && !inPath(p, a) {
			return false
		}
	}
	return true
}

// inPath reports whether a parent's name, as a sheet writes it, is one of the
// places above p: the name itself or its beginning (天山 for 天山镇).
func inPath(p places.Place, parent string) bool {
	names := strings.Split(p.Path, places.PathSep)
	for _, n := range names[:len(names)-1] {
		if n == parent || utf8.RuneCountInString(parent) >= 2 && strings.HasPrefix(n, parent) {
			return true
		}
	}
	return false
}

// maxCandidates is how many villages an ambiguous name's error lists.
const maxCandidates = 3

// Error is a village written by a name that names no village, or
// several with nothing in the row to tell which.
type Error struct {
	Field      string         // the records field, e.g. hukou_village
	Name       string         // as written
	Candidates []places.Place // the places of that name nothing in the row chose among; none when unknown
	// AnyLevel says the field takes a 旗县 or 苏木乡镇 as well as a 嘎查村
	// (a gig's place): the message then speaks of a place, not a village.
	AnyLevel bool
}

func (e *Error) Error() string { return e.Field + ": " + e.Message("en") }

// Message is the error in lang ("en", else Chinese), naming the field and,
// for an ambiguous name, up to three of the villages with their paths.
func (e *Error) Message(lang string) string {
	label := records.FieldLabel(lang, e.Field)
	what, whatEN, digits := "嘎查村", "village", "12"
	if e.AnyLevel {
		what, whatEN, digits = "地方", "place", "6、9或12"
	}
	if len(e.Candidates) == 0 {
		if lang == "en" {
			return fmt.Sprintf("%s: no %s is named “%s” (write its name as the division table has it, or its division code)", label, whatEN, e.Name)
		}
		return fmt.Sprintf("%s：没有名为“%s”的%s（请填写正确的名称或%s位区划代码）", label, e.Name, what, digits)
	}
	var list []string
	for _, p := range e.Candidates[:min(len(e.Candidates), maxCandidates)] {
		list = append(list, p.Path+"（"+p.Code+"）")
	}
	more := ""
	if len(e.Candidates) > maxCandidates {
		if lang == "en" {
			more = "; …"
		} else {
			more = "；……"
		}
	}
	if lang == "en" {
		return fmt.Sprintf("%s: %d %ss are named “%s”; write the 旗县 and 苏木乡镇 (as 旗县/苏木乡镇/嘎查村) or the 12-digit code: %s%s",
			label, len(e.Candidates), whatEN, e.Name, strings.Join(list, "; "), more)
	}
	return fmt.Sprintf("%s：有%d个%s名为“%s”，请写明旗县、苏木乡镇（如“旗县/苏木乡镇/嘎查村”）或填写区划代码：%s%s",
		label, len(e.Candidates), what, e.Name, strings.Join(list, "；"), more)
}

// isDigits reports whether s is ASCII digits only.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// VillageCode reads a village as a sheet or a form writes it into field: a
// code (any digits, returned as written for the record's validation to
// judge), "" (returned as is), a village's name, or a path ending in one,
// "旗县/苏木乡镇/嘎查村" (any of / ／ \ as the separator). parents are the
// names of the places above, from other columns of the same row (旗县,
// 苏木乡镇); they only choose among villages of the same name. A name no
// village has, or several with nothing to choose between them, is a
// *Error.
func VillageCode(field, value string, parents ...string) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" || isDigits(value) {
		return value, nil
	}
	parts := strings.FieldsFunc(value, func(r rune) bool { return r == '/' || r == '／' || r == '\\' })
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) == 0 || parts[len(parts)-1] == "" {
		return "", &Error{Field: field, Name: value}
	}
	name, above := parts[len(parts)-1], parts[:len(parts)-1]
	// A path written in the cell must hold: every part names a place above.
	found := villages().find(name, above)
	if len(found) > 1 {
		var kept []places.Place
		for _, p := range found {
			if under(p, parents) {
				kept = append(kept, p)
			}
		}
		if len(kept) > 0 {
			found = kept // one, or fewer to list
		}
	}
	switch len(found) {
	case 0:
		return "", &Error{Field: field, Name: value}
	case 1:
		return found[0].Code, nil
	}
	return "", &Error{Field: field, Name: value, Candidates: found}
}

// PlaceCode reads a place of one of the levels only names (a gig's place:
// 旗县, 苏木乡镇 or 嘎查村) as a form writes it: a code (returned as
// written), "", the exact name of a 旗县 or 苏木乡镇 of those levels, or a
// village as VillageCode reads it. A name no place has, or several, is a
// *Error.
func PlaceCode(field, value string, only ...places.Level) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" || isDigits(value) {
		return value, nil
	}
	var above []places.Level
	village := false
	for _, l := range only {
		if l == places.Village {
			village = true
		} else {
			above = append(above, l)
		}
	}
	if len(above) > 0 {
		var exact []places.Place
		for _, p := range places.Search(value, 100, above...) {
			if p.Name == value {
				exact = append(exact, p)
			}
		}
		switch {
		case len(exact) == 1:
			return exact[0].Code, nil
		case len(exact) > 1:
			return "", &Error{Field: field, Name: value, Candidates: exact, AnyLevel: true}
		}
	}
	if !village {
		return "", &Error{Field: field, Name: value, AnyLevel: true}
	}
	code, err := VillageCode(field, value)
	var pe *Error
	if errors.As(err, &pe) {
		pe.AnyLevel = len(above) > 0
	}
	return code, err
}

// ColumnLevels are the levels of place a records column holds: a worker's
// villages take a 嘎查村, a gig's place a 旗县, 苏木乡镇 or 嘎查村; any other
// column none (a monthly status's place is free text).
func ColumnLevels(table, column string) []places.Level {
	switch {
	case table == records.Workers && (column == "hukou_village" || column == "residence_village"):
		return []places.Level{places.Village}
	case table == records.Gigs && column == "place":
		return []places.Level{places.County, places.Township, places.Village}
	}
	return nil
}
