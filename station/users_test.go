package station

import (
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestUnknownUserTakesAsLong: a login with an unknown user name still runs
// a bcrypt compare, against a hash of the cost real ones have, so it takes
// as long as a known name with a wrong password.
func TestUnknownUserTakesAsLong(t *testing.T) {
	dir := t.TempDir()
	users, err := LoadUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := users.Set("lisi", "correct horse"); err != nil {
		t.Fatal(err)
	}
	var hashes [][]byte
	users.pw.Compare = func(h, pw []byte) error {
		hashes = append(hashes, h)
		return bcrypt.CompareHashAndPassword(h, pw)
	}
	if users.Check("nobody", "correct horse") || users.Check("lisi", "wrong") {
		t.Fatal("bad login accepted")
	}
	if len(hashes) != 2 {
		t.Fatalf("%d compares for two logins: the unknown user skipped bcrypt", len(hashes))
	}
	unknown, _ := bcrypt.Cost(hashes[0])
	known, _ := bcrypt.Cost(hashes[1])
	if unknown != known {
		t.Fatalf("unknown user compared at cost %d, known at %d", unknown, known)
	}
}
