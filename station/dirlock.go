package station

import (
	"errors"
	"fmt"
	"path/filepath"
)

// LockFile is the file in a station directory that `station serve` holds
// locked while it runs, so that a restore (or a second serve) cannot change
// the database under it.
const LockFile = "station.lock"

// ErrServing is returned when a station directory is locked by a running
// `station serve`.
var ErrServing = errors.New("the station is running on this directory: stop `station serve` first / 本站正在运行，请先关闭站点程序")

// LockDir takes the station directory's lock, held until unlock is called
// or the process ends; ErrServing if another process, or another LockDir
// of this one, holds it.
func LockDir(dir string) (unlock func(), err error) {
	unlock, err = lockFile(filepath.Join(dir, LockFile))
	if err != nil {
		return nil, fmt.Errorf("lock station %s: %w", dir, err)
	}
	return unlock, nil
}
