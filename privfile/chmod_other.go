//go:build !windows

package privfile

import "os"

func chmodPrivate(path string) error { return os.Chmod(path, 0o600) }
