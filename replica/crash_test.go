package replica_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fieldsync/ident"
	"fieldsync/replica"
)

// The crash test runs a writer in a child process (this test binary again),
// kills it with SIGKILL in the middle of a burst of writes, and checks the
// reopened database: every write the child saw succeed is there, no batch is
// there in part, and the change log and the rows agree.

const crashEnv = "FIELDSYNC_CRASH_WRITER"

// batchRows is the size of every write batch of the crash writer.
const batchRows = 7

func crashRow(batch, i int) ident.ID {
	var id ident.ID
	copy(id[:], fmt.Sprintf("b%07d-r%02d", batch, i))
	id[15] = 1
	return id
}

// TestCrashWriter is the child's body; it does nothing in a normal run.
func TestCrashWriter(t *testing.T) {
	spec := os.Getenv(crashEnv)
	if spec == "" {
		t.Skip("runs only as the crash test's child process")
	}
	path, first, _ := strings.Cut(spec, ",")
	start, err := strconv.Atoi(first)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := replica.Open(ctx, path, replica.Options{Schema: testSchema(t), Key: testKey, Site: 42})
	if err != nil {
		t.Fatal(err)
	}
	out := bufio.NewWriter(os.Stdout)
	for b := start; ; b++ {
		edits := make([]replica.Edit, batchRows)
		for i := range edits {
			edits[i] = replica.Edit{Table: "things", Row: crashRow(b, i), Set: []replica.ColumnValue{
				{Column: "name", Value: strings.Repeat("写", 50+i)},
				{Column: "count", Value: int64(b)},
				{Column: "tags", Value: []string{"batch", strconv.Itoa(b)}},
			}}
		}
		if b%3 == 0 {
			// Also edit an earlier batch, so that updates are cut too.
			edits = append(edits, replica.Edit{Table: "things", Row: crashRow(max(start, b-5), 0),
				Set: []replica.ColumnValue{{Column: "price", Value: float64(b)}}})
		}
		if _, err := r.Write(ctx, edits...); err != nil {
			fmt.Fprintf(out, "error %v\n", err)
			out.Flush()
			os.Exit(3)
		}
		fmt.Fprintf(out, "ok %d\n", b)
		out.Flush()
	}
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	acked := -1 // last batch the child reported committed
	next := 0
	for round := 0; round < 4; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d", crashEnv, path, next))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killAfter := 20 + rng.IntN(200)
		sc := bufio.NewScanner(stdout)
		seen := 0
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "error") {
				t.Fatalf("writer: %s", line)
			}
			var b int
			if _, err := fmt.Sscanf(line, "ok %d", &b); err == nil {
				acked = b
				seen++
				if seen == killAfter {
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
		}
		cmd.Wait()
		if seen < killAfter {
			t.Fatalf("round %d: writer stopped after %d batches, before the kill", round, seen)
		}
		next = checkCrashDB(t, path, acked)
		t.Logf("round %d: killed after %d batches; %d batches on disk", round, seen, next)
	}
}

// checkCrashDB verifies the database after a kill and returns the number of
// batches it holds (where the next writer continues).
func checkCrashDB(t *testing.T, path string, acked int) int {
	t.Helper()
	ctx := context.Background()
	r, err := replica.Open(ctx, path, replica.Options{Schema: testSchema(t), Key: testKey, Site: 42})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer r.Close()
	if err := integrity(r); err != nil {
		t.Fatal(err)
	}
	// Every batch is there whole or not at all; every acknowledged one is there.
	rows, err := r.DB().Query(`SELECT count, count(*) FROM things GROUP BY count ORDER BY count`)
	if err != nil {
		t.Fatal(err)
	}
	batches := 0
	for rows.Next() {
		var b, n int
		rows.Scan(&b, &n)
		if n != batchRows {
			t.Fatalf("batch %d has %d of %d rows: a partial write survived", b, n, batchRows)
		}
		if b != batches {
			t.Fatalf("batch %d missing before batch %d", batches, b)
		}
		batches++
	}
	rows.Close()
	if batches-1 < acked {
		t.Fatalf("batch %d was acknowledged but only %d batches are on disk", acked, batches)
	}
	// The log and the rows agree: every head of every row is a logged change
	// and every logged change's row exists.
	entries := map[string]bool{}
	for after := uint64(0); ; {
		es, scanned, err := r.ReadLog(ctx, after, replica.LogQuery{Limit: 10000, MaxBytes: 64 << 20})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			for _, f := range e.Change.Fields {
				entries[fmt.Sprintf("%s/%d/%s/%v", e.Change.Row, f.Col, f.Elem, e.Change.Version)] = true
			}
		}
		if scanned == after {
			break
		}
		after = scanned
	}
	headCount := 0
	for b := 0; b < batches; b++ {
		for i := 0; i < batchRows; i++ {
			hs, err := r.Heads(ctx, "things", crashRow(b, i))
			if err != nil {
				t.Fatalf("batch %d row %d: %v", b, i, err)
			}
			for _, h := range hs {
				for _, v := range h.Heads {
					headCount++
					if !entries[fmt.Sprintf("%s/%d/%s/%v", crashRow(b, i), h.Col, h.Elem, v.Version)] {
						t.Fatalf("row value %s/%s has no log entry", crashRow(b, i), h.Column)
					}
				}
			}
		}
	}
	if headCount == 0 && batches > 0 {
		t.Fatal("no heads read")
	}
	n, err := r.CountSince(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// One change per row of every batch, plus the price edit of every third.
	want := batches*batchRows + (batches+2)/3
	if n != want {
		t.Fatalf("log holds %d changes, rows say %d", n, want)
	}
	return batches
}

func integrity(r *replica.Replica) error {
	var res string
	if err := r.DB().QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}
