package webkit

import "fieldsync/privfile"

// MkdirPrivate makes dir (and its parents) and sets dir's mode to 0700, also
// when it existed before: the data in it is personal (privfile.Mkdir).
func MkdirPrivate(dir string) error { return privfile.Mkdir(dir) }

// MakePrivate sets the mode of each path that exists to 0600 (privfile.Chmod).
func MakePrivate(paths ...string) error { return privfile.Chmod(paths...) }

// MakeDBPrivate sets a SQLite database file and its companions (-wal, -shm,
// -journal) to 0600; call it after opening the database, which makes them
// (privfile.ChmodDB).
func MakeDBPrivate(path string) error { return privfile.ChmodDB(path) }

// WriteFilePrivate replaces path atomically with data, mode 0600
// (privfile.WriteFile).
func WriteFilePrivate(path string, data []byte) error { return privfile.WriteFile(path, data) }
