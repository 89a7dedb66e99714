package fieldsim

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

// TestShortRound is the short fixed-seed round that `make test` runs: three
// stations, one a year ahead and one for each edge scenario, 45 s of
// faults, real processes. It builds
// the binaries into a temporary directory.
func TestShortRound(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("a 2-minute round of real processes; runs without -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	bin := t.TempDir()
	if err := Build(ctx, bin); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	cfg := Config{
		Seed: 20261129, Stations: 3, Duration: 45 * time.Second, MaxDown: 8 * time.Second, Quiet: 90 * time.Second,
		BinDir: bin, WorkDir: t.TempDir(),
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	sum, err := Run(ctx, cfg)
	var out strings.Builder
	if sum != nil {
		sum.Write(&out)
	}
	if err != nil {
		// The summary (problems first) in the failure message itself, the
		// processes' log after it: CI shows the first lines of a failure.
		t.Fatalf("seed %d: %v\n%s\n%s", cfg.Seed, err, out.String(), logs.String())
	}
	t.Log("\n" + out.String())
	if sum.Writes == 0 || sum.Faults["kill-hub"]+sum.Faults["kill-station"]+sum.Faults["kill-import"] == 0 {
		t.Fatalf("the round did too little to prove anything: %+v", sum)
	}
	// Every scenario but the upgrade from the previous release, which
	// needs that release built from git history (scripts/soak plays it).
	want, _ := pickEdges(nil, false)
	if len(sum.Edges) != len(want) {
		t.Fatalf("the round played %d of the %d edge scenarios: %+v", len(sum.Edges), len(want), sum.Edges)
	}
}
