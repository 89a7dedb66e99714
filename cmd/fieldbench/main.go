// Command fieldbench measures fieldsync against the physical limits of this
// machine (issue 8) and prints a table: every figure beside its limit,
// measured in the same run, and the ratio checked against its target. It
// writes the same rows as JSON. scripts/bench runs it (and the report
// package's benchmarks, whose output it reads with -report).
//
//	fieldbench [-quick] [-json FILE] [-only REGEXP] [-report FILE | -skip-report WHY]
//	           [-cpuprofile FILE] [-memprofile FILE] [-v]
//
// "fieldbench idle-clients ADDR" is the child process the idle-stations
// measurement starts; it is not for people.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"time"

	"fieldsync/internal/benchkit"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "idle-clients" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		if err := benchkit.RunIdleClients(ctx, os.Args[2], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "fieldbench idle-clients:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fieldbench:", err)
		os.Exit(1)
	}
}

func run() error {
	quick := flag.Bool("quick", false, "smaller sizes, for a sanity run of a few minutes")
	tiny := flag.Bool("tiny", false, "the smallest sizes (the harness's own test)")
	jsonOut := flag.String("json", "bench-results.json", "write the rows as JSON to this file")
	only := flag.String("only", "", "run only the steps whose id matches (import, apply, sync, dbsize, catchup, idle)")
	report := flag.String("report", "", "read the report package's `go test -bench` output from this file")
	skipReport := flag.String("skip-report", "", "say in the table why the report rows were not run")
	dir := flag.String("dir", "", "folder for the run's databases (a temporary one by default)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run here")
	memprofile := flag.String("memprofile", "", "write an allocation profile of the run here")
	linkRate := flag.Int("link-rate", -1, "override the throttled link's bytes/s each way (0: unthrottled, for profiling the catch-up)")
	linkRTT := flag.Duration("link-rtt", -1, "override the throttled link's round trip")
	stations := flag.Int("stations", 0, "override the number of idle stations")
	verbose := flag.Bool("v", false, "log progress to stderr")
	nodeLogs := flag.Bool("node-logs", false, "show the hubs' and stations' own logs on stderr")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find myself for the stations' process: %w", err)
	}
	cfg := benchkit.Config{Sizes: benchkit.Full(), Dir: *dir, Child: []string{exe, "idle-clients"}}
	mode := "full"
	switch {
	case *tiny:
		cfg.Sizes, mode = benchkit.Tiny(), "tiny"
	case *quick:
		cfg.Sizes, mode = benchkit.Quick(), "quick"
	}
	if *linkRate >= 0 {
		cfg.Sizes.LinkRate = *linkRate
	}
	if *linkRTT >= 0 {
		cfg.Sizes.LinkRTT = *linkRTT
	}
	if *stations > 0 {
		cfg.Sizes.IdleStations = *stations
	}
	if *only != "" {
		if cfg.Only, err = regexp.Compile(*only); err != nil {
			return fmt.Errorf("-only: %w", err)
		}
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if *nodeLogs {
		cfg.NodeLogger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if *memprofile != "" {
		runtime.MemProfileRate = 64 << 10
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	started := time.Now()
	rows, err := benchkit.Run(ctx, cfg)
	if err != nil {
		return err
	}
	switch {
	case *report != "":
		f, err := os.Open(*report)
		if err != nil {
			return fmt.Errorf("report benchmarks: %w", err)
		}
		rows = append(rows, benchkit.ParseGoBench(f)...)
		f.Close()
	case *skipReport != "":
		rows = append(rows, benchkit.Skipped(*skipReport)...)
	}
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			return fmt.Errorf("allocation profile: %w", err)
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return fmt.Errorf("allocation profile: %w", err)
		}
	}
	fmt.Println()
	if err := benchkit.WriteTable(os.Stdout, rows); err != nil {
		return err
	}
	host, _ := os.Hostname()
	res := benchkit.Results{Started: started, Seconds: time.Since(started).Seconds(), Mode: mode, Host: host,
		CPUs: runtime.NumCPU(), GoVer: runtime.Version(), Sizes: cfg.Sizes, Rows: rows}
	f, err := os.Create(*jsonOut)
	if err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	if err := benchkit.WriteJSON(f, res); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	fmt.Printf("\nresults: %s\n", *jsonOut)
	return nil
}
