package hub_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/syncclient"
)

// TestStationTrimsAcknowledgedLog: a station deletes the log rows the hub
// acknowledged once their retention passed, keeps syncing, and warns its
// staff when a hub restored from an older backup resumes below what it
// trimmed.
func TestStationTrimsAcknowledgedLog(t *testing.T) {
	h := newTestHub(t, "http", hub.Options{})
	e := h.enroll("站A")
	h.stop()
	backup := t.TempDir()
	copyFiles(t, h.dir, backup, "hub.db")
	h.open()
	h.serve(h.addr)

	s := newTestStation(t, e, syncclient.Config{LogRetention: time.Nanosecond})
	for i := range 20 {
		s.write(workerEdit(e.Key, idNumber(i), "张三", "13800000000"))
	}
	ownRows := func() int {
		var n int
		if err := s.rep.DB().QueryRow(`SELECT count(*) FROM fs_log WHERE origin = ?`, int64(s.rep.Site())).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if ownRows() == 0 {
		t.Fatal("no own log rows before the sync")
	}
	s.start()
	waitFor(t, 30*time.Second, "the acknowledged log rows to be trimmed", func() bool { return ownRows() == 0 })
	if got := rowCount(t, h.hub.Replica(), "workers"); got != 20 {
		t.Fatalf("hub holds %d workers, want 20", got)
	}
	if got := rowCount(t, s.rep, "workers"); got != 20 {
		t.Fatalf("trimming changed the station's rows: %d workers, want 20", got)
	}
	// Still syncing after the trim.
	s.write(workerEdit(e.Key, idNumber(20), "李四", "13900000000"))
	waitFor(t, 30*time.Second, "an edit after the trim to reach the hub", func() bool {
		return rowCount(t, h.hub.Replica(), "workers") == 21
	})
	if w := s.client.Status().Warning; w != "" {
		t.Fatalf("warning before any restore: %s", w)
	}

	// The hub comes back from the backup made before the station's sync.
	h.stop()
	for _, f := range []string{"hub.db", "hub.db-wal", "hub.db-shm"} {
		os.Remove(filepath.Join(h.dir, f))
	}
	copyFiles(t, backup, h.dir, "hub.db")
	h.open()
	h.serve(h.addr)
	waitFor(t, 30*time.Second, "the station to warn about the restored hub", func() bool {
		return strings.Contains(s.client.Status().Warning, "备份")
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
