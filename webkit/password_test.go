package webkit

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestPasswordsUnknownUserComparesDummy(t *testing.T) {
	p := &Passwords{Cost: bcrypt.MinCost + 1}
	real, err := p.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	var compared [][]byte
	p.Compare = func(h, pw []byte) error {
		compared = append(compared, h)
		return bcrypt.CompareHashAndPassword(h, pw)
	}
	for _, c := range []struct {
		hash  string
		known bool
		pw    string
		ok    bool
	}{
		{real, true, "correct horse", true},
		{real, true, "wrong", false},
		{"", false, "correct horse", false},
	} {
		if got := p.Check(c.hash, c.known, c.pw); got != c.ok {
			t.Errorf("check known=%v %q: %v", c.known, c.pw, got)
		}
	}
	if len(compared) != 3 {
		t.Fatalf("%d compares for 3 checks: an unknown user skipped bcrypt", len(compared))
	}
	if cost, err := bcrypt.Cost(compared[2]); err != nil || cost != p.Cost {
		t.Fatalf("dummy hash cost %d (%v), real cost %d: unknown users answer faster", cost, err, p.Cost)
	}
	if _, err := p.Hash(strings.Repeat("x", 73)); err == nil {
		t.Error("73-byte password hashed")
	}
}

func TestLogLogin(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	r := httptest.NewRequest("GET", "/", nil)
	LogLogin(context.Background(), log, r, "api", "Secret-Typed-As-Name", false, Failed)
	LogLogin(context.Background(), log, r, "web", "anna", true, Failed)
	out := buf.String()
	for _, want := range []string{"remote=192.0.2.1", "outcome=failed", "user=(unknown)", "user=anna", "via=api"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Secret-Typed-As-Name") {
		t.Errorf("unknown user name logged:\n%s", out)
	}
}
