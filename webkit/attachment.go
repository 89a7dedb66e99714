package webkit

import (
	"fmt"
	"strings"
)

// Attachment is the Content-Disposition of a download named name, which may
// be Chinese (2026年12月就业监测月报.xlsx): RFC 6266's filename* in UTF-8,
// which every browser the stations use reads, and fallback, ASCII, for a
// client that takes only filename.
func Attachment(fallback, name string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiName(fallback), escapeName(name))
}

// asciiName keeps what a quoted filename may hold as is.
func asciiName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, s)
}

// escapeName is RFC 5987's value-chars: unreserved ASCII as is, every other
// byte as %XX.
func escapeName(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
