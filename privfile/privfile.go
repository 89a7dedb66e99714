// Package privfile makes the directories and files that hold personal data
// private to the account that runs the program (0700 and 0600 on Unix; on
// Windows the ACL they inherit from their folder), whether or not they
// existed before, and replaces files atomically. The hub's core uses
// it directly, and so do the station and the web kit.
package privfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Mkdir makes dir (and its parents) and sets dir's mode to 0700, also
// when it existed before: the data in it is personal.
func Mkdir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("make private directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("make %s private: %w", dir, err)
	}
	return nil
}

// Chmod sets the mode of each path that exists to 0600 (on Unix; see
// chmodPrivate).
func Chmod(paths ...string) error {
	for _, p := range paths {
		if err := chmodPrivate(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("make %s private: %w", p, err)
		}
	}
	return nil
}

// ChmodDB sets a SQLite database file and its companions (-wal, -shm,
// -journal) to 0600; call it after opening the database, which makes them.
func ChmodDB(path string) error {
	return Chmod(path, path+"-wal", path+"-shm", path+"-journal")
}

// WriteFile replaces path atomically with data, mode 0600.
func WriteFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	werr := tmp.Chmod(0o600)
	if werr == nil {
		_, werr = tmp.Write(data)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if err := tmp.Close(); werr == nil {
		werr = err
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}
