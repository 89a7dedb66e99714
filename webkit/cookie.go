package webkit

import "net/http"

// SetCookie sets a cookie the page's scripts cannot read (HttpOnly), that no
// other site's request carries (SameSite=Strict), and that travels only over
// TLS when the request came over TLS. maxAge < 0 deletes it; 0 makes it last
// as long as the browser runs.
func SetCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

// ClearCookie deletes a cookie set by SetCookie.
func ClearCookie(w http.ResponseWriter, r *http.Request, name string) {
	SetCookie(w, r, name, "", -1)
}

// CookieToken reads a cookie holding a token made by NewToken; any other
// value counts as absent.
func CookieToken(r *http.Request, name string) (string, bool) {
	c, err := r.Cookie(name)
	if err != nil || !ValidToken(c.Value) {
		return "", false
	}
	return c.Value, true
}
