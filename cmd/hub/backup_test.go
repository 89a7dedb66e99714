package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/dbbackup"
	"fieldsync/hub"
	"fieldsync/internal/hubtest"
)

// runErr runs the hub command and returns its error and output.
func runErr(args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), err
}

// incarnationOf opens the hub in dir and returns its incarnation and last
// restore.
func incarnationOf(t *testing.T, dir string) (hub.Incarnation, hub.Incarnation, bool) {
	t.Helper()
	h, err := hub.Open(context.Background(), hub.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	r, ok := h.LastRestore()
	return h.Incarnation(), r, ok
}

// The backup commands as a county's IT person uses them: `hub serve` keeps
// dated backups by itself and prunes them; `hub backup` copies the database
// while the hub serves; `hub restore` refuses while it serves, and once it
// is stopped puts the backup back with a new incarnation, the replaced
// database moved aside, and says what happens next.
func TestBackupAndRestoreCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "http://127.0.0.1:8443")
	runOK(t, "station", "add", "--dir", dir, "--name", "乌兰花镇站")
	first, _, restored := incarnationOf(t, dir)
	if first.ID == 0 || restored {
		t.Fatalf("a new hub's incarnation %+v, restored %v", first, restored)
	}
	if again, _, _ := incarnationOf(t, dir); again.ID != first.ID {
		t.Fatalf("the incarnation changed on reopening: %x then %x", first.ID, again.ID)
	}

	backups := filepath.Join(t.TempDir(), "backups")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &hubtest.LogBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--addr", "127.0.0.1:0",
			"--backup-dir", backups, "--backup-every", "1s", "--backup-keep", "1"}, strings.NewReader(""), &bytes.Buffer{}, logs)
	}()
	dated := func() []string {
		m, _ := filepath.Glob(filepath.Join(backups, "hub-*.db"))
		return m
	}
	hubtest.WaitFor(t, 20*time.Second, "serve's first dated backup", func() bool { return len(dated()) == 1 })
	firstBackup := dated()[0]
	hubtest.WaitFor(t, 20*time.Second, "the next backup, and the first pruned", func() bool {
		d := dated()
		// The log line follows the removal.
		return len(d) == 1 && d[0] != firstBackup && strings.Contains(logs.String(), "old backup removed")
	})
	if !strings.Contains(logs.String(), "backup taken") || !strings.Contains(logs.String(), "old backup removed") {
		t.Fatalf("serve's logs do not show the backups:\n%s", logs.String())
	}
	if err := dbbackup.Check(context.Background(), dated()[0], hub.BackupTables...); err != nil {
		t.Fatal(err)
	}

	// While serving: a backup, and no restore.
	out := filepath.Join(t.TempDir(), "hub-manual.db")
	if msg := runOK(t, "backup", "--dir", dir, "--out", out); !strings.Contains(msg, out) {
		t.Fatalf("backup says %q", msg)
	}
	if err := dbbackup.Check(context.Background(), out, hub.BackupTables...); err != nil {
		t.Fatal(err)
	}
	if _, err := runErr("backup", "--dir", dir, "--out", out); err == nil {
		t.Fatal("a backup over an existing file succeeded")
	}
	if msg, err := runErr("restore", "--dir", dir, "--from", out); !errors.Is(err, hub.ErrServing) {
		t.Fatalf("restore while the hub serves: %v\n%s", err, msg)
	}
	if _, err := runErr("serve", "--dir", dir, "--addr", "127.0.0.1:0"); !errors.Is(err, hub.ErrServing) {
		t.Fatalf("a second serve of the same directory: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}

	// A station added after the backup is gone once it is restored.
	runOK(t, "station", "add", "--dir", dir, "--name", "红格尔站")
	garbage := filepath.Join(t.TempDir(), "not-a-backup.db")
	os.WriteFile(garbage, []byte("not a database"), 0o600)
	if _, err := runErr("restore", "--dir", dir, "--from", garbage); err == nil {
		t.Fatal("restoring a file that is no database succeeded")
	}
	if list := runOK(t, "station", "list", "--dir", dir); !strings.Contains(list, "红格尔站") {
		t.Fatalf("a refused restore changed the database:\n%s", list)
	}
	other := filepath.Join(t.TempDir(), "other")
	runOK(t, "init", "--dir", other, "--name", "另一县", "--url", "http://127.0.0.1:8444")
	runOK(t, "station", "add", "--dir", other, "--name", "某站")
	otherBackup := filepath.Join(t.TempDir(), "other.db")
	runOK(t, "backup", "--dir", other, "--out", otherBackup)
	if _, err := runErr("restore", "--dir", dir, "--from", otherBackup); err == nil || !strings.Contains(err.Error(), "another hub") {
		t.Fatalf("restoring another hub's backup: %v", err)
	}
	if list := runOK(t, "station", "list", "--dir", dir); !strings.Contains(list, "红格尔站") {
		t.Fatalf("a refused restore changed the database:\n%s", list)
	}
	msg := runOK(t, "restore", "--dir", dir, "--from", out)
	for _, want := range []string{"自动重新同步", "syncs again by itself", "零工岗位", "gig postings", "before-restore"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("restore's message lacks %q:\n%s", want, msg)
		}
	}
	aside, _ := filepath.Glob(filepath.Join(dir, "hub.db.before-restore-*"))
	if len(aside) == 0 {
		t.Fatal("the replaced database was not kept")
	}
	if list := runOK(t, "station", "list", "--dir", dir); strings.Contains(list, "红格尔站") || !strings.Contains(list, "乌兰花镇站") {
		t.Fatalf("stations after the restore:\n%s", list)
	}
	cur, last, restored := incarnationOf(t, dir)
	if cur.ID == 0 || cur.ID == first.ID || !restored || last.ID != cur.ID || last.RestoredFrom != filepath.Base(out) {
		t.Fatalf("after the restore: incarnation %+v (was %x), last restore %+v %v", cur, first.ID, last, restored)
	}
}

// A scheduled backup that fails is logged, and the next period tries again
// (and serve goes on serving).
func TestServeBackupRetriesAfterFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "http://127.0.0.1:8443")
	backups := filepath.Join(t.TempDir(), "backups")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &hubtest.LogBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--addr", "127.0.0.1:0",
			"--backup-dir", backups, "--backup-every", "1s", "--backup-keep", "3"}, strings.NewReader(""), &bytes.Buffer{}, logs)
	}()
	taken := func() int { return strings.Count(logs.String(), "backup taken") }
	hubtest.WaitFor(t, 20*time.Second, "the first backup", func() bool { return taken() == 1 })
	// The backup folder goes away (a USB disk pulled out): a file in its
	// place makes the next backups fail.
	moved := backups + ".away"
	if err := os.Rename(backups, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(backups, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 20*time.Second, "a failed backup to be logged", func() bool {
		return strings.Contains(logs.String(), "backup failed")
	})
	os.Remove(backups)
	if err := os.Rename(moved, backups); err != nil {
		t.Fatal(err)
	}
	hubtest.WaitFor(t, 20*time.Second, "the next period's backup", func() bool { return taken() >= 2 })
	select {
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
