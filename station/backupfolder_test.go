//go:build unix

package station

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"fieldsync/dbbackup"
	"fieldsync/records/sample"
)

// folderKey is the problem BackupToFolder reports, "" for none.
func folderKey(err error) string {
	var fe *FolderError
	if errors.As(err, &fe) {
		return fe.Key
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

// Backing up into a folder: a folder that is missing, a file, or cannot be
// written is refused with the problem named, and nothing is left behind;
// a good folder gets a backup that passes the check.
func TestBackupToFolder(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	base := t.TempDir()
	file := filepath.Join(base, "a-file")
	os.WriteFile(file, nil, 0o600)
	locked := filepath.Join(base, "write-protected")
	os.Mkdir(locked, 0o500)
	if os.Geteuid() == 0 {
		// Root ignores permission bits: make the folder immutable instead.
		if out, err := exec.Command("chattr", "+i", locked).CombinedOutput(); err != nil {
			t.Logf("chattr +i unavailable (%v: %s): the write-protected case is not checked", err, out)
			locked = ""
		} else {
			t.Cleanup(func() { _ = exec.Command("chattr", "-i", locked).Run() })
		}
	}
	for _, c := range []struct{ name, folder, want string }{
		{"empty", " ", FolderRequired},
		{"missing", filepath.Join(base, "E盘"), FolderMissing},
		{"a file", file, FolderNotDir},
		{"write-protected", locked, FolderNotWritable},
	} {
		if c.folder == "" {
			continue
		}
		if _, err := f.st.BackupToFolder(ctx, c.folder, "站长"); folderKey(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	usb := filepath.Join(base, "U盘")
	os.Mkdir(usb, 0o700)
	out, err := f.st.BackupToFolder(ctx, usb, "站长")
	if err != nil || filepath.Dir(out) != usb || !strings.HasPrefix(filepath.Base(out), "fieldsync-红旗嘎查-") {
		t.Fatalf("backup into a folder: %q %v", out, err)
	}
	if err := dbbackup.Check(ctx, out, StationTables...); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(usb, "*")); len(m) != 1 {
		t.Fatalf("left in the folder: %v", m)
	}
}

// A USB stick that fills up during the backup (a file-size limit on a child
// process, as a full disk answers EFBIG or ENOSPC) is reported as full, and
// no partial file is left on it.
func TestBackupToFolderFull(t *testing.T) {
	if dir := os.Getenv("FIELDSYNC_FULL_FOLDER_CHILD"); dir != "" {
		fullFolderChild(t, dir)
		return
	}
	f := newFixture(t)
	key, _ := f.cfg.DeploymentKey()
	edits := sample.Workers(3000, 1, key, "x")
	for i := 0; i < len(edits); i += 1000 {
		if _, err := f.r.Write(t.Context(), edits[i:i+1000]...); err != nil {
			t.Fatal(err)
		}
	}
	f.r.Close()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestBackupToFolderFull$", "-test.v")
	cmd.Env = append(os.Environ(), "FIELDSYNC_FULL_FOLDER_CHILD="+f.dir)
	out, _ := cmd.CombinedOutput()
	s := string(out)
	if strings.Contains(s, "SKIP") {
		t.Skipf("child: %s", s)
	}
	if !strings.Contains(s, "RESULT="+FolderFull) || !strings.Contains(s, "LEFT=0") {
		t.Fatalf("child: %s", s)
	}
}

func fullFolderChild(t *testing.T, dir string) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := openFixture(t, dir, cfg)
	fi, err := os.Stat(filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	// Files may grow to half the database: the WAL takes the backup's
	// note, the copy does not fit.
	signal.Ignore(syscall.SIGXFSZ)
	lim := uint64(fi.Size() / 2)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: lim, Max: lim}); err != nil {
		t.Skipf("setrlimit: %v", err)
	}
	usb := t.TempDir()
	_, err = f.st.BackupToFolder(t.Context(), usb, "站长")
	m, _ := filepath.Glob(filepath.Join(usb, "*"))
	fmt.Printf("RESULT=%s\nLEFT=%d\n", folderKey(err), len(m))
}
