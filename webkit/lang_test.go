package webkit

import (
	"net/http/httptest"
	"testing"
)

func TestLangChoose(t *testing.T) {
	for _, c := range []struct {
		name, url, cookie, accept string
		fromAccept                bool
		want                      string
		sets                      bool
	}{
		{"default", "/", "", "", false, "zh", false},
		{"query en", "/?lang=en", "", "", false, "en", true},
		{"query beats cookie", "/?lang=zh", "en", "", false, "zh", true},
		{"cookie", "/", "en", "", false, "en", false},
		{"bad cookie", "/", "fr", "", false, "zh", false},
		{"bad query", "/?lang=fr", "en", "", false, "en", false},
		{"accept ignored unless asked", "/", "", "en-US,en;q=0.9", false, "zh", false},
		{"accept english", "/", "", "en-US,en;q=0.9", true, "en", false},
		{"accept chinese", "/", "", "zh-CN,en;q=0.5", true, "zh", false},
		{"accept neither", "/", "", "fr-FR", true, "zh", false},
		{"cookie beats accept", "/", "zh", "en", true, "zh", false},
	} {
		r := httptest.NewRequest("GET", c.url, nil)
		if c.cookie != "" {
			r.Header.Set("Cookie", "lang="+c.cookie)
		}
		if c.accept != "" {
			r.Header.Set("Accept-Language", c.accept)
		}
		rec := httptest.NewRecorder()
		got := LangOptions{AcceptLanguage: c.fromAccept}.Choose(rec, r)
		if got != c.want || (len(rec.Result().Cookies()) == 1) != c.sets {
			t.Errorf("%s: %q, cookies %v", c.name, got, rec.Result().Cookies())
		}
	}
}

func TestCatalogue(t *testing.T) {
	c := Catalogue{"a": {"甲", "A"}}.With(Catalogue{"b": {"乙", "B"}}, Catalogue{"a": {"甲2", "A2"}})
	for _, tc := range []struct{ lang, key, want string }{
		{"zh", "a", "甲2"}, {"en", "a", "A2"}, {"en", "b", "B"}, {"", "b", "乙"}, {"zh", "missing", "missing"},
	} {
		if got := c.T(tc.lang, tc.key); got != tc.want {
			t.Errorf("T(%q, %q) = %q", tc.lang, tc.key, got)
		}
	}
}

func FuzzMatchLang(f *testing.F) {
	f.Add("en-US,en;q=0.9")
	f.Add("zh;q=x")
	f.Fuzz(func(t *testing.T, s string) {
		if l := MatchLang(s); l != "zh" && l != "en" {
			t.Fatalf("MatchLang(%q) = %q", s, l)
		}
	})
}
