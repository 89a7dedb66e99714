// Command fieldscreens saves a screenshot (PNG, 1366×768, headless
// Chromium) of every page of a running hub and its stations into a folder,
// for review, and prints the index of the files (internal/screens).
// scripts/screens runs it against a demo of its own.
//
//	fieldscreens -out DIR -hub URL -hub-user USER -hub-password-file FILE \
//	             -station NAME=URL [-station NAME=URL ...]
//
// It exits 1 when a page answers an error, cannot be reached, or a nav link
// leads to a page missing from internal/screens/pages.go; the pages it
// could shoot are saved all the same.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"fieldsync/internal/screens"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fieldscreens:", err)
		os.Exit(1)
	}
}

// stationFlags are the repeated -station NAME=URL.
type stationFlags []screens.Site

func (s *stationFlags) String() string { return "" }

func (s *stationFlags) Set(v string) error {
	name, u, ok := strings.Cut(v, "=")
	if !ok || name == "" || u == "" {
		return fmt.Errorf("-station %q: want NAME=URL", v)
	}
	*s = append(*s, screens.Station(name, u))
	return nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fieldscreens", flag.ContinueOnError)
	out := fs.String("out", "", "folder for the PNG files (made if missing)")
	hubURL := fs.String("hub", "", "the hub's URL, e.g. http://127.0.0.1:8400")
	user := fs.String("hub-user", "admin", "the hub administrator to log in as")
	pwFile := fs.String("hub-password-file", "", "file holding that administrator's password")
	timeout := fs.Duration("timeout", 5*time.Minute, "bound on the whole run")
	var stations stationFlags
	fs.Var(&stations, "station", "a station, NAME=URL (repeat for each)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || (*hubURL == "" && len(stations) == 0) {
		return errors.New("need -out and a -hub or -station")
	}
	var sites []screens.Site
	if *hubURL != "" {
		if *pwFile == "" {
			return errors.New("-hub needs -hub-password-file")
		}
		pw, err := os.ReadFile(*pwFile)
		if err != nil {
			return fmt.Errorf("hub password: %w", err)
		}
		sites = append(sites, screens.Hub(*hubURL, *user, strings.TrimSpace(string(pw))))
	}
	sites = append(sites, stations...)
	shots, err := screens.Run(ctx, screens.Options{Dir: *out, Timeout: *timeout}, sites...)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, s := range shots {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Site, s.Page, filepath.Base(s.File))
	}
	if ferr := tw.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	fmt.Fprintf(stdout, "%d screenshots in %s\n", len(shots), *out)
	return err
}
