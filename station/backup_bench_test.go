package station

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fieldsync/records/sample"
)

// BenchmarkBackupRestore50k backs up a station of 50,000 workers while it is
// open (Backup, VACUUM INTO) and restores the copy into a new directory
// (Restore: check, copy, new site). Reported: seconds and MB/s of each.
func BenchmarkBackupRestore50k(b *testing.B) {
	const n = 50_000
	ctx := context.Background()
	f := newFixture(b)
	key, _ := f.cfg.DeploymentKey()
	edits := sample.Workers(n, 1, key, "x")
	for i := 0; i < n; i += 1000 {
		if _, err := f.r.Write(ctx, edits[i:min(i+1000, n)]...); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var backup, restore time.Duration
	var size int64
	for i := 0; i < b.N; i++ {
		out := filepath.Join(b.TempDir(), "bk.db")
		start := time.Now()
		if err := f.st.Backup(ctx, out, "bench"); err != nil {
			b.Fatal(err)
		}
		backup += time.Since(start)
		fi, err := os.Stat(out)
		if err != nil {
			b.Fatal(err)
		}
		size = fi.Size()
		start = time.Now()
		if _, err := Restore(ctx, filepath.Join(b.TempDir(), "new-pc"), out, time.Now()); err != nil {
			b.Fatal(err)
		}
		restore += time.Since(start)
	}
	mb := float64(size) / 1e6
	b.ReportMetric(mb, "MB")
	b.ReportMetric(backup.Seconds()/float64(b.N), "s/backup")
	b.ReportMetric(restore.Seconds()/float64(b.N), "s/restore")
	b.ReportMetric(mb*float64(b.N)/backup.Seconds(), "MB/s-backup")
}
