package webkit

import (
	"net/http"

	"golang.org/x/text/language"
)

// Catalogue holds a server's interface texts by key: Chinese first, English second.
type Catalogue map[string][2]string

// T is the text of key in lang ("en", else Chinese); the key itself when unknown.
func (c Catalogue) T(lang, key string) string {
	t, ok := c[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

// With returns a catalogue holding c's texts and others' (later ones win).
func (c Catalogue) With(others ...Catalogue) Catalogue {
	out := Catalogue{}
	for _, m := range append([]Catalogue{c}, others...) {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// Texts are webkit's own texts: its refusals and login messages.
var Texts = Catalogue{
	"host_refused": {"拒绝访问：请求的地址不属于本服务器（请使用本服务器的地址打开页面）",
		"Refused: the address asked for is not this server's (open the page at this server's address)"},
	"cross_origin": {"拒绝访问：来自其他网站的请求不被接受", "Refused: requests from other sites are not accepted"},
	"locked":       {"登录失败次数过多，请稍后再试", "Too many failed logins; try again later"},
}

// Languages the servers speak, Chinese first.
var langTags = []language.Tag{language.Chinese, language.English}

var langMatcher = language.NewMatcher(langTags)

// LangOptions say how a request's language is chosen.
type LangOptions struct {
	// Cookie remembers a choice made with ?lang= (default "lang").
	Cookie string
	// AcceptLanguage lets a browser's Accept-Language decide when neither
	// ?lang= nor the cookie does; otherwise Chinese is the default.
	AcceptLanguage bool
}

// Choose returns "zh" or "en" for r: ?lang= (remembered in the cookie), else
// the cookie, else Accept-Language if allowed, else Chinese.
func (o LangOptions) Choose(w http.ResponseWriter, r *http.Request) string {
	name := o.Cookie
	if name == "" {
		name = "lang"
	}
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
		SetCookie(w, r, name, l, 365*86400)
		return l
	}
	if c, err := r.Cookie(name); err == nil && (c.Value == "en" || c.Value == "zh") {
		return c.Value
	}
	if o.AcceptLanguage {
		return MatchLang(r.Header.Get("Accept-Language"))
	}
	return "zh"
}

// MatchLang picks "zh" or "en" for an Accept-Language header (Chinese when
// it names neither).
func MatchLang(accept string) string {
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return "zh"
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No || i != 1 {
		return "zh"
	}
	return "en"
}
