package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/syncclient"
)

// TestStationTrimsAcknowledgedLog: a station deletes the log rows the hub
// acknowledged once their retention passed, keeps syncing, and warns its
// staff when a hub restored from an older backup resumes below what it
// trimmed.
func TestStationTrimsAcknowledgedLog(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("站A")
	h.Stop()
	backup := t.TempDir()
	copyFiles(t, h.Dir, backup, "hub.db")
	h.Open()
	h.Serve(h.Addr)

	s := hubtest.NewStation(t, e, syncclient.Config{LogRetention: time.Nanosecond})
	for i := range 20 {
		s.Write(hubtest.WorkerEdit(e.Key, hubtest.IDNumber(i), "张三", "13800000000"))
	}
	ownRows := func() int {
		var n int
		if err := s.Rep.DB().QueryRow(`SELECT count(*) FROM fs_log WHERE origin = ?`, int64(s.Rep.Site())).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if ownRows() == 0 {
		t.Fatal("no own log rows before the sync")
	}
	s.Start()
	hubtest.WaitFor(t, 30*time.Second, "the acknowledged log rows to be trimmed", func() bool { return ownRows() == 0 })
	if got := hubtest.RowCount(t, h.Hub.Replica(), "workers"); got != 20 {
		t.Fatalf("hub holds %d workers, want 20", got)
	}
	if got := hubtest.RowCount(t, s.Rep, "workers"); got != 20 {
		t.Fatalf("trimming changed the station's rows: %d workers, want 20", got)
	}
	// Still syncing after the trim.
	s.Write(hubtest.WorkerEdit(e.Key, hubtest.IDNumber(20), "李四", "13900000000"))
	hubtest.WaitFor(t, 30*time.Second, "an edit after the trim to reach the hub", func() bool {
		return hubtest.RowCount(t, h.Hub.Replica(), "workers") == 21
	})
	if w := s.Client.Status().Warning; w != "" {
		t.Fatalf("warning before any restore: %s", w)
	}

	// The hub comes back from the backup made before the station's sync.
	h.Stop()
	for _, f := range []string{"hub.db", "hub.db-wal", "hub.db-shm"} {
		os.Remove(filepath.Join(h.Dir, f))
	}
	copyFiles(t, backup, h.Dir, "hub.db")
	h.Open()
	h.Serve(h.Addr)
	hubtest.WaitFor(t, 30*time.Second, "the station to warn about the restored hub", func() bool {
		return strings.Contains(s.Client.Status().Warning, "备份")
	})
}

// copyFiles copies the files of a SQLite database (name, and its -wal and
// -shm if present) from one folder to another.
func copyFiles(t *testing.T, from, to, name string) {
	t.Helper()
	for _, f := range []string{name, name + "-wal", name + "-shm"} {
		b, err := os.ReadFile(filepath.Join(from, f))
		if os.IsNotExist(err) && f != name {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
