package station

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// Backing up to a folder the staff name on the station PC: a USB stick,
// usually. What can go wrong with the folder is told apart, so that the page
// says which (the folder does not exist, cannot be written, is full).

// Problems with a backup folder; the values are also the text keys of
// their messages.
const (
	FolderMissing     = "backup_folder_missing"
	FolderNotDir      = "backup_folder_not_dir"
	FolderNotWritable = "backup_folder_not_writable"
	FolderFull        = "backup_folder_full"
	FolderRequired    = "backup_folder_required"
)

// FolderError is a backup folder staff must fix; Key is one of the
// Folder* problems.
type FolderError struct {
	Folder string
	Key    string
	Err    error
}

func (e *FolderError) Error() string {
	return fmt.Sprintf("backup folder %s: %s: %v", e.Folder, e.Key, e.Err)
}

func (e *FolderError) Unwrap() error { return e.Err }

// BackupToFolder writes a backup named BackupFileName into folder (which
// must exist) and returns its path.
func (s *Station) BackupToFolder(ctx context.Context, folder, user string) (string, error) {
	folder = strings.TrimSpace(folder)
	if folder == "" {
		return "", &FolderError{Key: FolderRequired, Err: errors.New("no folder given")}
	}
	fi, err := os.Stat(folder)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", &FolderError{Folder: folder, Key: FolderMissing, Err: err}
	case err != nil:
		return "", &FolderError{Folder: folder, Key: FolderNotWritable, Err: err}
	case !fi.IsDir():
		return "", &FolderError{Folder: folder, Key: FolderNotDir, Err: errors.New("not a folder")}
	}
	// A probe says "cannot be written" before SQLite's "unable to open".
	probe, err := os.CreateTemp(folder, ".fieldsync-probe-*")
	if err != nil {
		return "", folderWriteError(folder, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	out := filepath.Join(folder, BackupFileName(s.cfg.Name, s.now()))
	if err := s.Backup(ctx, out, user); err != nil {
		return "", folderWriteError(folder, err)
	}
	return out, nil
}

func folderWriteError(folder string, err error) error {
	if StorageProblem(err) == DiskFull || isDiskFull(err) {
		return &FolderError{Folder: folder, Key: FolderFull, Err: err}
	}
	if errors.Is(err, os.ErrPermission) || StorageProblem(err) == ReadOnly || systemErrorProblem(err) == ReadOnly {
		return &FolderError{Folder: folder, Key: FolderNotWritable, Err: err}
	}
	return err
}

func isDiskFull(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	if runtime.GOOS == "windows" {
		return errno == 112 || errno == 39 // ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL
	}
	return errno == syscall.ENOSPC || errno == syscall.EDQUOT
}

// RemovableFolders lists the folders a USB stick likely shows as on this
// PC: on Windows every drive letter but C: that is present, on Linux the
// mounts under /media/USER/ and /run/media/USER/.
func RemovableFolders() []string {
	var out []string
	if runtime.GOOS == "windows" {
		for d := 'D'; d <= 'Z'; d++ {
			root := string(d) + `:\`
			if fi, err := os.Stat(root); err == nil && fi.IsDir() {
				out = append(out, root)
			}
		}
		return out
	}
	for _, pattern := range []string{"/media/*/*", "/run/media/*/*"} {
		m, _ := filepath.Glob(pattern) // the patterns are well formed
		for _, p := range m {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				out = append(out, p)
			}
		}
	}
	return out
}
