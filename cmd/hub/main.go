// Command hub runs a fieldsync county hub: it initialises the hub's
// directory, enrols and revokes stations, and serves their sync sessions and
// the status page.
//
//	hub init --dir DIR --name NAME --url URL
//	hub station add --dir DIR --name NAME [--code DIVISION_CODE] [--out FILE] [--reenroll]
//	hub station list --dir DIR
//	hub station revoke --dir DIR NAME
//	hub admin add --dir DIR --user NAME --role ROLE   (password on stdin)
//	hub admin list --dir DIR
//	hub admin disable --dir DIR --user NAME
//	hub serve --dir DIR --addr HOST:PORT [--tls-cert F --tls-key F | --tls-self-signed] [--backup-dir D --backup-every 24h --backup-keep 14] [--check]
//	          (every flag of serve may be set in hub.json's "serve" section instead: {"serve": {"addr": ":8443", "max-skew": "5m"}})
//	hub backup --dir DIR --out FILE
//	hub restore --dir DIR --from FILE
//	hub sample --dir DIR [--station NAME --workers N [--months 12]] [--gigs N] [--seed S]
//	hub sample --dir DIR --conflicts prepare|offline --station A --other B
//	hub report --dir DIR --month YYYY-MM --out FILE.xlsx|FILE.csv [--sheet NAME] [--unmasked]
//	hub config --dir DIR [serve flags]   (the settings hub serve would use, and where each comes from)
//	hub version
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/access"
	"fieldsync/hub/hubmetrics"
	"fieldsync/hub/hubsync"
	"fieldsync/hub/hubweb"
	"fieldsync/internal/debugserve"
)

const usage = `usage:
  hub init --dir DIR --name NAME --url URL
  hub station add --dir DIR --name NAME [--code DIVISION_CODE] [--out FILE] [--reenroll] [--tls-cert F]
  hub station list --dir DIR
  hub station revoke --dir DIR NAME
  hub station code --dir DIR --name NAME [--out FILE] [--tls-cert F]   (new line for a station keeping its data: station set-hub)
  hub tls rotate --dir DIR [--next-cert FILE] [--switch [--force]]      (make the next key, publish its pin to stations)
  hub tls switch --dir DIR [--force]         (serve the next key once stations have its pin; restart the hub)
  hub tls status --dir DIR [--json]          (current and next pin, stations sent the next pin)
  hub admin add --dir DIR --user NAME --role viewer|resolver|station_manager|rights_officer|owner   (password on stdin)
  hub admin list --dir DIR
  hub admin disable --dir DIR --user NAME
  hub serve --dir DIR --addr HOST:PORT [--tls-cert F --tls-key F | --tls-self-signed] [--host NAME]… [--zone ZONE] [--contiguous-uploads]
            [--backup-dir D [--backup-every 24h] [--backup-keep 14]] [--check] [tuning: hub serve --help]
            [--log-level info] [--log-format text|json] [--metrics-addr HOST:PORT] [--trusted-proxy CIDR]…
            (any serve flag may be set in hub.json's "serve" section by its name; the command line wins)
  hub backup --dir DIR --out FILE            (while the hub serves, too)
  hub restore --dir DIR --from FILE          (the hub stopped)
  hub sample --dir DIR [--station NAME --workers N [--months 12]] [--gigs N] [--seed S]   (demo data)
  hub sample --dir DIR --conflicts prepare|offline --station A --other B   (the demo's conflicts: make run)
  hub report --dir DIR --month YYYY-MM --out FILE.xlsx|FILE.csv [--sheet summary|employed|…] [--unmasked]
  hub config --dir DIR [serve flags]        (the settings hub serve would use: flag, value, source)
  hub version                               (also --version)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hub:", err)
		stop()
		os.Exit(1)
	}
}

// errUsage is returned for a command line that names no known command.
var errUsage = errors.New("bad command line")

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version", "-version", "--version":
		return cmdVersion(rest, stdout)
	case "init":
		return cmdInit(rest, stdout, stderr)
	case "station":
		if len(rest) == 0 {
			fmt.Fprint(stderr, usage)
			return errUsage
		}
		switch rest[0] {
		case "add":
			return cmdStationAdd(ctx, rest[1:], stdout, stderr)
		case "list":
			return cmdStationList(ctx, rest[1:], stdout, stderr)
		case "revoke":
			return cmdStationRevoke(ctx, rest[1:], stdout, stderr)
		case "code":
			return cmdStationCode(ctx, rest[1:], stdout, stderr)
		}
	case "admin":
		if len(rest) == 0 {
			fmt.Fprint(stderr, usage)
			return errUsage
		}
		switch rest[0] {
		case "add":
			return cmdAdminAdd(ctx, rest[1:], stdin, stdout, stderr)
		case "list":
			return cmdAdminList(ctx, rest[1:], stdout, stderr)
		case "disable":
			return cmdAdminDisable(ctx, rest[1:], stdout, stderr)
		}
	case "tls":
		return cmdTLS(ctx, rest, stdout, stderr)
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "config":
		// The settings `hub serve` would use with these flags, and where
		// each comes from.
		return cmdServe(ctx, append([]string{"--" + checkFlag}, rest...), stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, stdout, stderr)
	case "sample":
		return cmdSample(ctx, rest, stdout, stderr)
	case "report":
		return cmdReport(ctx, rest, stdout, stderr)
	}
	fmt.Fprint(stderr, usage)
	return errUsage
}

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "hub directory")
	return fs, dir
}

func needDir(dir string) error {
	if dir == "" {
		return errors.New("--dir is required")
	}
	return nil
}

func cmdInit(args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("init", stderr)
	name := fs.String("name", "", "hub name (the county)")
	hubURL := fs.String("url", "", "address stations dial: http(s)://host:port")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	if err := hub.Init(*dir, *name, *hubURL); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "hub %q initialised in %s\n", *name, *dir)
	return nil
}

func openHub(ctx context.Context, dir, certFile string) (*hub.Hub, error) {
	if err := needDir(dir); err != nil {
		return nil, err
	}
	return hub.Open(ctx, hub.Options{Dir: dir, CertFile: certFile, Logger: logger(os.Stderr)})
}

func logger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func cmdStationAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("station add", stderr)
	name := fs.String("name", "", "station name")
	code := fs.String("code", "", "administrative division code of the station's village")
	out := fs.String("out", "", "also write the enrollment code to this file (for a USB stick)")
	reenroll := fs.Bool("reenroll", false, "enrol again a station that lost its data: new code, same scope")
	cert := fs.String("tls-cert", "", "the certificate `hub serve --tls-cert` uses, to pin it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, err := openHub(ctx, *dir, *cert)
	if err != nil {
		return err
	}
	defer h.Close()
	e, err := h.AddStation(ctx, *name, *code, *reenroll)
	if err != nil {
		return err
	}
	detail := *name
	if *reenroll {
		detail += " (re-enrolled)"
	}
	if err := h.Access().Audit(ctx, access.AuditEntry{User: access.CLIUser, Action: access.AuditStationAdd, Detail: detail, Remote: cliRemote}); err != nil {
		return err
	}
	return printEnrollment(e.String(), *out, stdout)
}

// printEnrollment prints a station's enrollment line and, with out, also
// writes it to that file (for a USB stick), readable by its owner only: it
// holds the station's sync token and the deployment key.
func printEnrollment(line, out string, stdout io.Writer) error {
	if out != "" {
		if err := os.WriteFile(out, []byte(line+"\n"), 0o600); err != nil {
			return fmt.Errorf("write enrollment code: %w", err)
		}
	}
	fmt.Fprintln(stdout, line)
	return nil
}

func cmdStationList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("station list", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	h, err := openHub(ctx, *dir, "")
	if err != nil {
		return err
	}
	defer h.Close()
	sts, err := h.Stations(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCODE\tSITE\tSTATE\tLAST SEEN\tLAST ERROR")
	for _, s := range sts {
		state, seen := "active", "never"
		if s.Revoked {
			state = "revoked"
		}
		if !s.LastSeen.IsZero() {
			seen = s.LastSeen.In(h.Zone()).Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.DivisionCode, s.SiteHex, state, seen, s.LastError)
	}
	return tw.Flush()
}

func cmdStationRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("station revoke", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("station revoke: name the station")
	}
	h, err := openHub(ctx, *dir, "")
	if err != nil {
		return err
	}
	defer h.Close()
	if err := h.RevokeStation(ctx, fs.Arg(0)); err != nil {
		return err
	}
	if err := h.Access().Audit(ctx, access.AuditEntry{User: access.CLIUser, Action: access.AuditStationRevoke, Detail: fs.Arg(0), Remote: cliRemote}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "station %s revoked\n", fs.Arg(0))
	return nil
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dir := newFlags("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8400", "address to listen on")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM)")
	keyFile := fs.String("tls-key", "", "TLS key (PEM)")
	selfSigned := fs.Bool("tls-self-signed", false, "use (and make, the first time) the hub's own certificate; stations pin it")
	zone := fs.String("zone", "", "IANA time zone of the dates pages and reports show (default: hub.json's \"zone\", else "+hub.DefaultZone+")")
	contiguous := fs.Bool("contiguous-uploads", false, "refuse a station batch that does not start right after what the hub holds of that station (no gaps)")
	backupDir := fs.String("backup-dir", "", "take dated backups of the database into this folder while serving")
	backupEvery := fs.Duration("backup-every", 24*time.Hour, "how often to back up (with --backup-dir)")
	backupKeep := fs.Int("backup-keep", 14, "how many of the newest backups to keep (with --backup-dir)")
	var hosts hostNames
	fs.Var(&hosts, "host", "a host `name` the hub also answers to (repeatable; the host of hub.json's url and the address dialled always work)")
	// The hub's and its sync server's settings (serveconfig.go), and the
	// logs, metrics and proxies (observe.go). Every flag may also be set in
	// hub.json's "serve" section; the command line wins.
	tuning := addTuningFlags(fs)
	obs := addObservationFlags(fs)
	check := fs.Bool(checkFlag, false, "check the settings (these flags and hub.json's \"serve\" section), print them and exit without serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := needDir(*dir); err != nil {
		return err
	}
	// hub.json's "serve" section fills the flags the command line left
	// unset: read no flag's value before this line.
	sources, err := applyServeConfig(fs, *dir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log, err := obs.logger(stderr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if (*certFile == "") != (*keyFile == "") {
		return errors.New("serve: give both --tls-cert and --tls-key")
	}
	if *certFile != "" && *selfSigned {
		return errors.New("serve: --tls-self-signed and --tls-cert exclude each other")
	}
	if *backupDir != "" && (*backupEvery < time.Second || *backupKeep < 1) {
		return errors.New("serve: --backup-every must be at least 1s and --backup-keep at least 1")
	}
	if *check {
		return printServeSettings(stdout, fs, sources)
	}
	// Held while serving: `hub restore` refuses to replace the database
	// under a serving hub.
	unlock, err := hub.LockServe(ctx, *dir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer unlock()
	h, err := hub.Open(ctx, tuning.hubOptions(hub.Options{Dir: *dir, CertFile: *certFile, Logger: log, Zone: *zone}))
	if err != nil {
		return err
	}
	if *backupDir != "" {
		// Owned by serve's context; the hub's Close waits for it.
		if err := h.StartBackups(ctx, hub.BackupSchedule{Dir: *backupDir, Every: *backupEvery, Keep: *backupKeep}); err != nil {
			h.Close()
			return fmt.Errorf("serve: %w", err)
		}
	}
	var tlsCfg *tls.Config
	switch {
	case *certFile != "":
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			h.Close()
			return fmt.Errorf("serve: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	case *selfSigned:
		host := ""
		if u, err := url.Parse(h.URL()); err == nil {
			host = u.Hostname()
		}
		cert, err := hub.SelfSignedCert(*dir, host)
		if err != nil {
			h.Close()
			return fmt.Errorf("serve: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		h.Close()
		return fmt.Errorf("serve: %w", err)
	}
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "hub %q serving on %s://%s (status page /, login /login, stations dial %s)\n", h.Name(), scheme, ln.Addr(), h.URL())
	dctx, stopDebug := context.WithCancel(ctx)
	waitDebug, err := debugserve.FromEnv(dctx)
	if err != nil {
		stopDebug()
		ln.Close()
		h.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer waitDebug()
	defer stopDebug()
	metrics := hubmetrics.New(h, hubmetrics.Options{BackupDir: *backupDir})
	stations, err := hubsync.NewWith(h, tuning.syncOptions(hubsync.Options{ContiguousUploads: *contiguous, Metrics: metrics}))
	if err != nil {
		ln.Close()
		h.Close()
		return fmt.Errorf("serve: %w", err)
	}
	if *obs.metricsAddr != "" {
		waitMetrics, err := serveMetrics(ctx, h, metrics, *obs.metricsAddr, log, stdout)
		if err != nil {
			ln.Close()
			h.Close()
			return fmt.Errorf("serve: %w", err)
		}
		defer waitMetrics()
	}
	web := hubweb.HandlerOptions{Hosts: hosts, TrustedProxies: obs.proxies.tp, Metrics: metrics,
		MetricsElsewhere: *obs.metricsAddr != "", AccessLog: log}
	done := make(chan error, 1)
	go func() {
		done <- hubweb.Serve(h, hubweb.HandlerWith(h, stations, web), ln, tlsCfg)
	}()
	select {
	case <-ctx.Done():
	case err := <-done:
		h.Close()
		return err
	}
	if err := h.Close(); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, hub.ErrClosed) {
		return err
	}
	return nil
}

// hostNames collects repeated --host flags.
type hostNames []string

func (n *hostNames) String() string { return strings.Join(*n, ",") }

func (n *hostNames) Set(v string) error {
	v = strings.TrimSpace(v)
	if v == "" || strings.ContainsAny(v, "/ ") {
		return fmt.Errorf("--host %q: a host name such as hub.example.gov.cn", v)
	}
	*n = append(*n, v)
	return nil
}
