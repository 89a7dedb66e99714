// Command fieldsim runs one round of the fault simulator (internal/fieldsim):
// a real hub and real stations on 127.0.0.1 behind fault proxies, random
// edits, cuts, 2G links, kills and skewed clocks, and scenarios of ordinary
// operations (a clock fixed after running a week ahead) on stations of
// their own, then checks that nothing acknowledged was lost and that every
// replica converged.
//
//	go run ./cmd/fieldsim [-seed N] [-stations 3] [-duration 60s] [-edges all] [-keep]
//
// It exits 1 when a check failed, printing the seed that reproduces the run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"fieldsync/internal/fieldsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fieldsim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fieldsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg fieldsim.Config
	fs.Int64Var(&cfg.Seed, "seed", 0, "random seed (0: from the clock; printed)")
	fs.IntVar(&cfg.Stations, "stations", 3, "ordinary stations")
	fs.BoolVar(&cfg.NoYearAhead, "no-year-ahead", false, "leave out the station whose clock is a year ahead")
	fs.DurationVar(&cfg.Duration, "duration", 60*time.Second, "how long to inject faults")
	fs.DurationVar(&cfg.MaxDown, "max-down", 15*time.Second, "longest link outage")
	fs.DurationVar(&cfg.Quiet, "quiet", 3*time.Minute, "longest wait for the stations to catch up after healing")
	fs.StringVar(&cfg.BinDir, "bin", "", "directory with hub and station binaries (built there if missing; default: inside the work dir)")
	fs.StringVar(&cfg.WorkDir, "dir", "", "work directory (default: a temporary one, kept when a check fails)")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the work directory after a clean run")
	edges := fs.String("edges", "all", "scenarios of ordinary operations to play, each on a station of its own: all, none, or a comma-separated list of "+strings.Join(fieldsim.EdgeNames(), ", "))
	fs.StringVar(&cfg.PreviousBinDir, "previous", "", "directory with the previous release's hub and station, for the station-upgrade scenario (built there from git tag "+fieldsim.PreviousRelease+" if missing; default: not played)")
	verbose := fs.Bool("v", false, "log progress")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *edges != "all" {
		cfg.Edges = append([]string{"none"}, strings.Split(*edges, ",")...)
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	cfg.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if d := cfg.PreviousBinDir; d != "" {
		if _, err := os.Stat(filepath.Join(d, "station")); err != nil {
			if err := fieldsim.BuildPrevious(ctx, d); err != nil {
				return err
			}
		}
	}
	sum, err := fieldsim.Run(ctx, cfg)
	if sum != nil {
		sum.Write(stdout)
	}
	return err
}
