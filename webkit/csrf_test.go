package webkit

import (
	"net/http/httptest"
	"testing"
)

func TestCSRFToken(t *testing.T) {
	secret := NewCSRFSecret()
	c, err := NewCSRF(secret, "fs_csrf")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewCSRF(NewCSRFSecret(), "fs_csrf")
	bind := []byte(NewToken())
	tok := c.Token(bind)
	for _, tc := range []struct {
		name  string
		c     *CSRF
		bind  []byte
		token string
		ok    bool
	}{
		{"right", c, bind, tok, true},
		{"another browser", c, []byte(NewToken()), tok, false},
		{"another secret", other, bind, tok, false},
		{"empty token", c, bind, "", false},
		{"no binding", c, nil, c.Token(nil), false},
		{"not base64", c, bind, tok[:len(tok)-1] + "!", false},
		{"the binding itself", c, bind, string(bind), false},
	} {
		if got := tc.c.Valid(tc.bind, tc.token); got != tc.ok {
			t.Errorf("%s: valid %v", tc.name, got)
		}
	}
	if _, err := NewCSRF([]byte("short"), ""); err == nil {
		t.Error("short secret accepted")
	}
}

func TestCSRFBindingCookie(t *testing.T) {
	c, _ := NewCSRF(NewCSRFSecret(), "fs_csrf")
	rec := httptest.NewRecorder()
	b1 := c.Binding(rec, httptest.NewRequest("GET", "/", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != "fs_csrf" || !cookies[0].HttpOnly {
		t.Fatalf("cookies %+v", cookies)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(cookies[0])
	rec2 := httptest.NewRecorder()
	if b2 := c.Binding(rec2, r); string(b2) != string(b1) || len(rec2.Result().Cookies()) != 0 {
		t.Fatal("binding cookie not kept")
	}
	if c.RequestBinding(httptest.NewRequest("POST", "/", nil)) != nil {
		t.Fatal("binding without a cookie")
	}
	bad := httptest.NewRequest("POST", "/", nil)
	bad.Header.Set("Cookie", "fs_csrf=short")
	if c.RequestBinding(bad) != nil {
		t.Fatal("binding from a malformed cookie")
	}
}

func FuzzCSRFValid(f *testing.F) {
	c, _ := NewCSRF(NewCSRFSecret(), "")
	f.Add([]byte("binding"), "token")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, bind []byte, tok string) {
		if c.Valid(bind, tok) && tok != c.Token(bind) {
			t.Fatalf("accepted a forged token %q", tok)
		}
	})
}
