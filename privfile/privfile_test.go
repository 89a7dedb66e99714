package privfile

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestPrivateFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix modes")
	}
	base := t.TempDir()
	existing := filepath.Join(base, "old")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(existing, "x.db")
	for _, p := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fresh := filepath.Join(base, "new", "deeper")
	for _, d := range []string{existing, fresh} {
		if err := Mkdir(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := ChmodDB(db); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(fresh, "f")
	if err := WriteFile(f, []byte("x")); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{existing: 0o700, fresh: 0o700, db: 0o600, db + "-wal": 0o600, db + "-shm": 0o600, f: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
}
