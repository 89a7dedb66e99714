package webkit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
)

// CSRF makes and checks the token a form carries: an HMAC, under a server
// secret, of what binds the form to one browser (its session, or before
// login a random cookie). A page of another site can neither read the token
// nor compute it, and a token copied from one browser is worthless in another.
// It goes with http.CrossOriginProtection (see Guard), which refuses
// cross-site requests before any token is looked at.
type CSRF struct {
	secret []byte
	cookie string
}

// NewCSRF makes a CSRF checker with secret (at least 32 bytes; NewCSRFSecret
// makes one) and the name of the cookie that binds forms before login.
func NewCSRF(secret []byte, cookie string) (*CSRF, error) {
	if len(secret) < 32 {
		return nil, errors.New("webkit csrf: secret shorter than 32 bytes")
	}
	if cookie == "" {
		cookie = "csrf"
	}
	return &CSRF{secret: append([]byte(nil), secret...), cookie: cookie}, nil
}

// NewCSRFSecret returns a random secret for NewCSRF.
func NewCSRFSecret() []byte {
	b := make([]byte, 32)
	copy(b, TokenHash(NewToken()))
	return b
}

// Token is the form token for binding (a session's Hash, or the value
// Binding returns).
func (c *CSRF) Token(binding []byte) string {
	m := hmac.New(sha256.New, c.secret)
	m.Write([]byte("fieldsync csrf\x00"))
	m.Write(binding)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Valid reports whether token is the form token for binding, in constant time.
func (c *CSRF) Valid(binding []byte, token string) bool {
	if len(binding) == 0 || token == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return false
	}
	want, _ := base64.RawURLEncoding.DecodeString(c.Token(binding))
	return hmac.Equal(got, want)
}

// Binding is what binds forms to a browser that has no session: a random
// cookie, set on the first page it gets.
func (c *CSRF) Binding(w http.ResponseWriter, r *http.Request) []byte {
	if tok, ok := CookieToken(r, c.cookie); ok {
		return []byte(tok)
	}
	tok := NewToken()
	SetCookie(w, r, c.cookie, tok, 0)
	return []byte(tok)
}

// RequestBinding is Binding without setting a cookie: nil when the request
// carries none (a POST that never loaded a form).
func (c *CSRF) RequestBinding(r *http.Request) []byte {
	if tok, ok := CookieToken(r, c.cookie); ok {
		return []byte(tok)
	}
	return nil
}
