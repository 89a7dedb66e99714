package webkit

import "testing"

func TestAttachment(t *testing.T) {
	for _, c := range []struct{ fallback, name, want string }{
		{"report-2026-12.xlsx", "2026年12月就业监测月报.xlsx",
			`attachment; filename="report-2026-12.xlsx"; filename*=UTF-8''2026%E5%B9%B412%E6%9C%88%E5%B0%B1%E4%B8%9A%E7%9B%91%E6%B5%8B%E6%9C%88%E6%8A%A5.xlsx`},
		{`a"b\c.csv`, "a b;c.csv", `attachment; filename="a_b_c.csv"; filename*=UTF-8''a%20b%3Bc.csv`},
		{"导出.csv", "x", `attachment; filename="__.csv"; filename*=UTF-8''x`},
	} {
		if got := Attachment(c.fallback, c.name); got != c.want {
			t.Errorf("Attachment(%q, %q) = %s, want %s", c.fallback, c.name, got, c.want)
		}
	}
}
