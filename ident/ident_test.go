package ident

import (
	"errors"
	"testing"
	"time"
)

func TestNormalizeIDNumber(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"11010519491231002X", "11010519491231002X", nil},
		{"11010519491231002x", "11010519491231002X", nil},
		{" 110105 1949 1231 002X ", "11010519491231002X", nil},
		{"１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", nil},
		{"110105491231002", "11010519491231002X", nil}, // 15-digit legacy form
		{"110105194912310021", "", ErrIDChecksum},
		{"11010519491231002", "", ErrIDLength},
		{"1101051949123100AX", "", ErrIDChars},
		{"110105194913310028", "", ErrIDDate},
		{"张三", "", ErrIDChars},
		{"", "", ErrIDLength},
	}
	for _, tc := range tests {
		got, err := NormalizeIDNumber(tc.in)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("NormalizeIDNumber(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestIDNumberFacts(t *testing.T) {
	id := "11010519491231002X"
	d, err := BirthDate(id)
	if err != nil || d.Format("2006-01-02") != "1949-12-31" {
		t.Fatalf("birth date %v %v", d, err)
	}
	if Male(id) {
		t.Fatal("17th digit 2 is a woman")
	}
}

func TestDerive(t *testing.T) {
	k1, k2 := Key("one"), Key("two")
	a, b := k1.Derive("workers", "11010519491231002X"), k1.Derive("workers", "11010519491231002X")
	if a != b || a.IsZero() {
		t.Fatal("derive is not deterministic")
	}
	if k2.Derive("workers", "11010519491231002X") == a {
		t.Fatal("the key must matter")
	}
	if k1.Derive("gigs", "11010519491231002X") == a {
		t.Fatal("the namespace must matter")
	}
	p, err := ParseID(a.String())
	if err != nil || p != a {
		t.Fatalf("parse %v %v", p, err)
	}
	if _, err := ParseID("zz"); err == nil {
		t.Fatal("bad id parsed")
	}
}

func TestTimeOrdered(t *testing.T) {
	t0 := time.UnixMilli(1_700_000_000_000)
	a, err := NewTimeOrdered(t0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewTimeOrdered(t0.Add(time.Millisecond))
	if a.String() >= b.String() {
		t.Fatalf("later id sorts first: %s %s", a, b)
	}
	if a[6]>>4 != 7 {
		t.Fatal("not a version 7 layout")
	}
}

func FuzzNormalizeIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "110105491231002", "１１０", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := NormalizeIDNumber(s)
		if err != nil {
			return
		}
		again, err := NormalizeIDNumber(id)
		if err != nil || again != id {
			t.Fatalf("normal form %q not stable: %q %v", id, again, err)
		}
		if CheckDigit(id[:17]) != id[17] {
			t.Fatalf("accepted %q with a wrong check digit", id)
		}
	})
}

func TestDeriverMatchesKey(t *testing.T) {
	for _, key := range []Key{Key("k"), make(Key, 32), Key(string(make([]byte, 100)))} {
		d := NewDeriver(key)
		for _, tc := range [][2]string{{"workers", "150421199001011234"}, {"", ""}, {"workers", "x"}, {"a\x00b", "中文"}} {
			if got, want := d.Derive(tc[0], tc[1]), key.Derive(tc[0], tc[1]); got != want {
				t.Errorf("key %x Derive(%q, %q) = %v, Key says %v", key, tc[0], tc[1], got, want)
			}
		}
	}
}

func TestIDValueScan(t *testing.T) {
	id := Key("k").Derive("t", "x")
	v, err := id.Value()
	if err != nil {
		t.Fatal(err)
	}
	var back ID
	if err := back.Scan(v); err != nil || back != id {
		t.Fatalf("scan: %v %v", back, err)
	}
	if err := back.Scan("short"); err == nil {
		t.Fatal("scanned a string")
	}
}
