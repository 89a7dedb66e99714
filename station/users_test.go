package station

import (
	"errors"
	"os"
	"path/filepath"
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

// TestUsersOldFormat: a users.json written before permissions (each name
// mapped to its hash alone) is read with every account and password intact
// and no permission; granting one rewrites the file in the new form, which
// reads back the same, and a password reset keeps the grant.
func TestUsersOldFormat(t *testing.T) {
	dir := t.TempDir()
	h, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	old := `{"lisi": "` + string(h) + `", "王五": "` + string(h) + `"}`
	if err := os.WriteFile(filepath.Join(dir, UsersFile), []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	users, err := LoadUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if users.Len() != 2 || !users.Check("lisi", "correct horse") || !users.Check("王五", "correct horse") {
		t.Fatalf("old users.json lost accounts: %d", users.Len())
	}
	if users.HasRights("lisi") || users.HasRights("王五") {
		t.Fatal("an old account holds the rights permission")
	}
	if err := users.SetRights("nobody", true); !errors.Is(err, ErrNoAccount) {
		t.Fatalf("grant to an unknown account: %v", err)
	}
	if err := users.SetRights("lisi", true); err != nil {
		t.Fatal(err)
	}
	if err := users.Set("lisi", "battery staple"); err != nil {
		t.Fatal(err)
	}
	again, err := LoadUsers(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !again.HasRights("lisi") || again.HasRights("王五") || !again.Check("王五", "correct horse") ||
		!again.Check("lisi", "battery staple") {
		t.Fatal("new users.json read back wrong")
	}
	if err := again.SetRights("lisi", false); err != nil {
		t.Fatal(err)
	}
	if again.HasRights("lisi") {
		t.Fatal("revoked permission still held")
	}
	if err := os.WriteFile(filepath.Join(dir, UsersFile), []byte(`{"x": {"rights": true}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadUsers(dir); err == nil {
		t.Fatal("an account without a hash was read")
	}
}
