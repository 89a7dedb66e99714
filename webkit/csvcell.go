package webkit

import "strings"

// CSVCell neutralises a text cell for a CSV file a spreadsheet will open: a
// value starting with = + - @ TAB or CR would run as a formula (=cmd|' /C
// calc'!A0), so it gets a leading apostrophe, which the spreadsheet shows as
// text (OWASP's CSV injection advice).
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
