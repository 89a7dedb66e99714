package hubweb

import (
	"strings"

	"fieldsync/places"
	"fieldsync/places/placename"
)

// placeColumns are the record columns that hold division codes: the pages
// show their values as the places' names (a monthly status's place may be
// free text, shown as written when no place has it as its code; a
// household's village is a code, the station directory's village and
// township are the same when a code was written).
var placeColumns = map[string]bool{"hukou_village": true, "residence_village": true, "place": true, "division_code": true,
	"village": true, "township": true}

// placeLabel is the template function place: the label of v (its name, with
// path and code for the tooltip) when column holds division codes and some
// place has v as its code; nil otherwise, and the page shows v as it is.
func placeLabel(column string, v any) *places.Label {
	code, ok := v.(string)
	if !ok || !placeColumns[column] {
		return nil
	}
	if l := places.LabelOf(code); l.Known {
		return &l
	}
	return nil
}

// placeLevels are the levels a place column of table takes
// (placename.ColumnLevels), comma-separated as the picker's data-levels; ""
// for a column that holds no division code.
func placeLevels(table, column string) string {
	var names []string
	for _, l := range placename.ColumnLevels(table, column) {
		names = append(names, string(l))
	}
	return strings.Join(names, ",")
}

// typedPlace reads a value typed for column of table as the station's forms
// do: for a place column, a name or a path is looked up (a code passes as
// written, for the hub's validation to judge); a name no place has, or
// several, is a *placename.Error naming the column. Other columns' values
// pass unchanged.
func typedPlace(table, column, value string) (string, error) {
	levels := placename.ColumnLevels(table, column)
	if len(levels) == 0 {
		return value, nil
	}
	return placename.PlaceCode(column, value, levels...)
}
