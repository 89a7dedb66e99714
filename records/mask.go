package records

import "strings"

// MaskIDNumber masks an id number for lists and reports, keeping the first
// four and last four characters: 1101**********002X. Every list of people,
// at a station or the hub, masks with this one rule.
func MaskIDNumber(s string) string {
	if len(s) < 9 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", len(s)-8) + s[len(s)-4:]
}

// MaskPhone masks a phone number for lists: 138****8000.
func MaskPhone(s string) string {
	if len(s) < 8 {
		return s
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}
