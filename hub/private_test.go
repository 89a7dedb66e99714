package hub_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"fieldsync/hub"
)

// A hub's directory and files are private (0700, 0600) whether or not the
// directory existed before `hub init`, and opening the hub makes them so
// again when someone loosened them.
func TestHubFilesPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix modes")
	}
	check := func(stage, dir string) {
		t.Helper()
		err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			want := os.FileMode(0o600)
			if fi.IsDir() {
				want = 0o700
			}
			if fi.Mode().Perm() != want {
				t.Errorf("%s: %s has mode %v, want %v", stage, p, fi.Mode().Perm(), want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, existed := range []bool{true, false} {
		dir := filepath.Join(t.TempDir(), "hub")
		if existed {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := hub.Init(dir, "测试县", "https://127.0.0.1:8443"); err != nil {
			t.Fatal(err)
		}
		check("after init", dir)
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		h, err := hub.Open(context.Background(), hub.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		check("open", dir)
		if err := h.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
