package webkit

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// tokenBytes is the entropy of a session token or CSRF binding: 256 bits.
const tokenBytes = 32

// NewToken returns a random token (256 bits, URL-safe base64 without padding).
func NewToken() string {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidToken reports whether s has the shape NewToken makes; anything else
// from a cookie or a header is refused before it reaches a store.
func ValidToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == tokenBytes
}

// TokenHash is what a store keeps of a token: its SHA-256, so that a copy of
// the store does not let anyone in.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
