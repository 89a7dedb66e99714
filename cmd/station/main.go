// Command station runs a village employment service station: `station init`
// makes its directory (enrolled at a county hub, or standalone), `station
// serve` runs the web UI, JSON API and sync, `station user add` makes staff
// accounts for stations served beyond this PC.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"fieldsync/internal/debugserve"
	"fieldsync/station"
	"fieldsync/station/stationweb"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
	"fieldsync/webkit"
)

const usage = `station: the village employment service station

Usage:
  station init  --dir DIR --enroll-file FILE   set up a station enrolled at the county hub
                                               (--enroll - reads the code from standard input)
  station init  --dir DIR --standalone --name NAME
                                               set up a station with no hub yet
  station serve --dir DIR [--addr 127.0.0.1:8080] [--log-level info] [--log-format text|json] [-v]
                                               run the web UI (open http://ADDR/ in a browser;
                                               beyond loopback https://ADDR/, staff log in)
  station user add --dir DIR --user NAME [--admin] [--rights | --no-rights]
                                               add or reset a staff account (password typed
                                               without echo, or one line on standard input);
                                               --admin: it may also back the station up;
                                               --rights: it may read and write labour-rights
                                               cases (劳动权益维护), --no-rights takes that back;
                                               --keep-password: change only these (no password asked)
  station backup --dir DIR --out FILE          copy the station's database to FILE, also while
                                               it serves (备份)
  station restore --dir DIR --from FILE        put a backup back (the station must be stopped;
                                               the current database is moved aside) (恢复)
  station set-hub --dir DIR --enroll-file FILE  take a new enrollment line from a moved or renamed hub
                                               (--enroll - reads it from standard input); keeps all
                                               data (the station must be stopped) (更换县级集线器地址)
  station version                              print the release and build (also --version) (版本)
  station service install --dir DIR | start | stop | uninstall
                                               run the station as a Windows service (Windows only)

Run "station COMMAND --help" for a command's options.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "station:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "version", "-version", "--version":
		return cmdVersion(args[1:], stdout)
	case "init":
		return cmdInit(ctx, args[1:], stdin, stdout, stderr)
	case "serve":
		return cmdServe(ctx, args[1:], stderr)
	case "backup":
		return cmdBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		return cmdRestore(ctx, args[1:], stdout, stderr)
	case "set-hub":
		return cmdSetHub(ctx, args[1:], stdin, stdout, stderr)
	case "service":
		return cmdService(ctx, args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			fmt.Fprint(stderr, usage)
			if len(args) >= 2 && (args[1] == "-h" || args[1] == "--help" || args[1] == "-help") {
				return flag.ErrHelp
			}
			return errors.New(`want "station user add"`)
		}
		return cmdUserAdd(args[2:], stdin, stdout, stderr)
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\nOptions:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func cmdInit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("station init", "station init --dir DIR (--enroll-file FILE | --enroll - | --standalone --name NAME)", stderr)
	dir := fs.String("dir", "", "station directory to create (holds station.db and station.json)")
	code := fs.String("enroll", "", `"-": read the enrollment code the county hub issued from standard input`)
	codeFile := fs.String("enroll-file", "", "file holding the enrollment code the county hub issued")
	standalone := fs.Bool("standalone", false, "set up without a hub: the station makes its own deployment key")
	name := fs.String("name", "", "station name (with --standalone)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		fs.Usage()
		return errors.New("init: --dir is required")
	}
	if *code != "" && *code != "-" {
		// The code holds the sync token and the deployment key: on the
		// command line it would stay in shell history and show in ps.
		return errors.New("init: the enrollment code is secret and is not taken on the command line: " +
			"save it to a file and give --enroll-file FILE, or pipe it in with --enroll -")
	}
	enrolled := *code != "" || *codeFile != ""
	var cfg station.Config
	var err error
	switch {
	case *code != "" && *codeFile != "":
		fs.Usage()
		return errors.New("init: give either --enroll-file FILE or --enroll -, not both")
	case enrolled && !*standalone:
		var text string
		if text, err = readCode(stdin, *codeFile); err != nil {
			return err
		}
		cfg, err = station.InitEnrolled(ctx, *dir, text)
	case !enrolled && *standalone:
		cfg, err = station.InitStandalone(ctx, *dir, *name)
	default:
		fs.Usage()
		return errors.New("init: give either --enroll-file FILE (or --enroll -) or --standalone --name NAME")
	}
	if err != nil {
		return err
	}
	cert, err := station.Certificate(*dir, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "station %q set up in %s (site %s)\n", cfg.Name, *dir, cfg.Site)
	fmt.Fprintf(stdout, "certificate fingerprint (SHA-256), served when the station is reached from other PCs;\n"+
		"note it down for staff to compare / 证书指纹，请记下供工作人员核对:\n  %s\n", webkit.CertFingerprint(cert))
	return nil
}

// readCode reads an enrollment code from path, or from stdin when path is "".
func readCode(stdin io.Reader, path string) (string, error) {
	var b []byte
	var err error
	if path != "" {
		b, err = os.ReadFile(path)
	} else {
		b, err = io.ReadAll(io.LimitReader(stdin, 64<<10))
	}
	if err != nil {
		return "", fmt.Errorf("init: read the enrollment code: %w", err)
	}
	code := strings.TrimSpace(string(b))
	if code == "" {
		return "", errors.New("init: the enrollment code is empty")
	}
	return code, nil
}

// hostList collects repeated --host flags.
type hostList []string

func (h *hostList) String() string     { return strings.Join(*h, ",") }
func (h *hostList) Set(v string) error { *h = append(*h, v); return nil }

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("station serve", "station serve --dir DIR [--addr HOST:PORT]", stderr)
	dir := fs.String("dir", "", "station directory (made by station init)")
	addr := fs.String("addr", "", "listen address (default from station.json, else "+station.DefaultAddr+"); "+
		"any address other than loopback requires staff login")
	logOpts := addLogFlags(fs)
	insecure := fs.Bool("insecure-http", false, "beyond loopback, serve plain HTTP instead of HTTPS "+
		"(passwords and personal data cross the network in clear; every page warns)")
	zone := fs.String("zone", "", "time zone of the dates the station shows (default from station.json, else "+webkit.DefaultZone+")")
	var hosts hostList
	fs.Var(&hosts, "host", "a host name staff reach the station by, besides its IP address (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		fs.Usage()
		return errors.New("serve: --dir is required")
	}
	cfg, err := station.LoadConfig(*dir)
	if err != nil {
		return err
	}
	log, closeLog, err := logOpts.open(*dir, stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	if *addr == "" {
		*addr = cfg.Addr
	}
	if *addr == "" {
		*addr = station.DefaultAddr
	}
	if *zone != "" {
		cfg.TimeZone = *zone
	}
	loc, err := webkit.LoadZone(cfg.TimeZone)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	users, err := station.LoadUsers(*dir)
	if err != nil {
		return err
	}
	login := !stationweb.IsLoopback(*addr)
	if login && users.Len() == 0 {
		return fmt.Errorf("serve: %s is reachable from other PCs, so staff must log in, but there are no accounts: "+
			"run `station user add --dir %s --user NAME` first", *addr, *dir)
	}
	skew, err := clockSkew()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	now := time.Now
	if skew != 0 {
		now = func() time.Time { return time.Now().Add(skew) }
		log.Warn("station clock skewed for testing", "env", clockSkewEnv, "skew", skew)
	}
	// Held while serving: `station restore` refuses to replace the
	// database under a running station.
	unlock, err := station.LockDir(*dir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer unlock()
	r, err := station.OpenReplicaClock(ctx, *dir, cfg, log, now)
	if err != nil {
		return err
	}
	defer r.Close()

	var sc *syncclient.Client
	if cfg.Enrollment != "" {
		e, err := syncproto.ParseEnrollment(cfg.Enrollment)
		if err != nil {
			return fmt.Errorf("serve: enrollment in station.json: %w", err)
		}
		restored, err := station.RestoredNote(ctx, r)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		scfg := syncclient.Config{Enrollment: e, Replica: r, Now: now, Logger: log.With("subsystem", "sync"),
			SavePins: func(pins []string) error { return station.SaveHubPins(*dir, pins) }}
		if restored != nil {
			scfg.Restored = restored.FromSite()
			scfg.BackupSite, scfg.BackupAcked = restored.BackupSiteID(), restored.AckedThrough
		}
		if sc, err = syncclient.New(scfg); err != nil {
			return err
		}
	}
	core := station.Options{Replica: r, Config: cfg, Logger: log, Zone: loc}
	opts := stationweb.Options{Users: users, RequireLogin: login, Logger: log, InsecureHTTP: login && *insecure,
		AccessLog: log}
	if len(hosts) > 0 {
		opts.Hosts = append(append([]string(nil), cfg.Hosts...), hosts...)
	}
	var tlsCfg *tls.Config
	if login && !*insecure {
		// Beyond loopback: HTTPS with the station's own certificate.
		cert, err := station.Certificate(*dir, time.Now())
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		opts.TLSFingerprint = webkit.CertFingerprint(cert)
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if sc != nil {
		core.Sync, opts.Sync = sc, sc
	}
	if opts.Station, err = station.New(core); err != nil {
		return err
	}
	// Once after the upgrade to schema version 2: this station's statuses
	// of the old list 有意愿外出 become 失业 with the month's flag.
	if _, err := opts.Station.MigrateWillingLists(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv, err := stationweb.New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	scheme := "http"
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
		scheme = "https"
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	waitDebug, err := debugserve.FromEnv(ctx)
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	defer waitDebug() // runs after the cancel() below stops it
	var wg sync.WaitGroup
	if sc != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = sc.Run(ctx) // returns ctx.Err() when the station stops
		}()
	}
	switch {
	case login && tlsCfg != nil:
		log.Info("station listening beyond loopback over HTTPS: staff login required", "addr", ln.Addr().String(),
			"accounts", users.Len(), "certificate_sha256", opts.TLSFingerprint)
	case login:
		log.Warn("station listening beyond loopback over plain HTTP (--insecure-http): passwords and personal data cross the network in clear",
			"addr", ln.Addr().String(), "accounts", users.Len())
	default:
		log.Info("station listening on loopback only: no login", "addr", ln.Addr().String())
	}
	log.Info("open the station in a browser", "url", scheme+"://"+ln.Addr().String()+"/", "station", cfg.Name,
		"standalone", cfg.Enrollment == "")
	err = srv.Serve(ctx, ln)
	cancel()
	wg.Wait()
	return err
}

func cmdUserAdd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("station user add", "station user add --dir DIR --user NAME  (reads the password from stdin)", stderr)
	dir := fs.String("dir", "", "station directory")
	user := fs.String("user", "", "staff user name")
	admin := fs.Bool("admin", false, "the account may also back the station up (备份到U盘)")
	rights := fs.Bool("rights", false, "the account may read and write labour-rights cases (劳动权益维护)")
	noRights := fs.Bool("no-rights", false, "take the labour-rights permission back from the account")
	keep := fs.Bool("keep-password", false, "an existing account keeps its password: only --admin, --rights or --no-rights change")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *user == "" {
		fs.Usage()
		return errors.New("user add: --dir and --user are required")
	}
	if *rights && *noRights {
		return errors.New("user add: --rights and --no-rights together")
	}
	cfg, err := station.LoadConfig(*dir)
	if err != nil {
		return err
	}
	users, err := station.LoadUsers(*dir)
	if err != nil {
		return err
	}
	if *keep {
		if !users.Has(*user) {
			return fmt.Errorf("user add: --keep-password: %w: %q", station.ErrNoAccount, *user)
		}
	} else {
		pw, err := webkit.ReadNewPassword(stdin, stderr)
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		if err := users.Set(*user, pw); err != nil {
			return fmt.Errorf("user add: %w", err)
		}
	}
	if *rights || *noRights {
		if err := users.SetRights(*user, *rights); err != nil {
			return fmt.Errorf("user add: %w", err)
		}
	}
	if *admin && !cfg.IsAdmin(*user) {
		cfg.Admins = append(cfg.Admins, *user)
		if err := station.SaveConfig(*dir, cfg); err != nil {
			return fmt.Errorf("user add: %w", err)
		}
	}
	var roles []string
	if cfg.IsAdmin(*user) {
		roles = append(roles, "station administrator")
	}
	if users.HasRights(*user) {
		roles = append(roles, "labour-rights cases 劳动权益维护")
	}
	if len(roles) > 0 {
		fmt.Fprintf(stdout, "staff account %q saved (%s)\n", *user, strings.Join(roles, "; "))
		return nil
	}
	fmt.Fprintf(stdout, "staff account %q saved\n", *user)
	return nil
}

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("station backup", "station backup --dir DIR --out FILE", stderr)
	dir := fs.String("dir", "", "station directory")
	out := fs.String("out", "", "backup file to write (must not exist), e.g. on a USB stick")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *out == "" {
		fs.Usage()
		return errors.New("backup: --dir and --out are required")
	}
	if err := station.BackupDir(ctx, *dir, *out, time.Now()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "已备份到 %s / backed up to %s\n", *out, *out)
	return nil
}

func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("station restore", "station restore --dir DIR --from FILE", stderr)
	dir := fs.String("dir", "", "station directory (a new, empty one on a new PC)")
	from := fs.String("from", "", "backup file made by `station backup` or the home page's 备份到U盘")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *from == "" {
		fs.Usage()
		return errors.New("restore: --dir and --from are required")
	}
	res, err := station.Restore(ctx, *dir, *from, time.Now())
	if err != nil {
		return err
	}
	n := res.Note
	fmt.Fprintf(stdout, "服务站“%s”已从备份 %s 恢复。\nstation %q restored from %s.\n", res.Name, n.BackupFile, res.Name, n.BackupFile)
	if !n.BackupAt.IsZero() {
		fmt.Fprintf(stdout, "备份时间 / backup taken: %s\n", n.BackupAt.Local().Format("2006-01-02 15:04"))
	}
	if res.Aside != "" {
		fmt.Fprintf(stdout, "原数据库已移到 / the database it replaced is kept as: %s\n", res.Aside)
	}
	fmt.Fprintf(stdout, "新站点号 / new site id: %s (旧 / old %s)\n", n.To, n.From)
	if res.Enrolled {
		fmt.Fprint(stdout, "接下来：启动本站（station serve）并连接县级集线器。本站会把县里保存的本站全部数据重新下载，"+
			"包括备份之后录入的内容；之后的新录入照常上传。首次同步完成前，备份之后的记录可能暂时看不到。\n"+
			"Next: start the station (station serve) with the county hub in reach. The hub sends back everything it holds "+
			"for this station, what was entered after the backup included; new entries upload as usual. Until that first "+
			"sync ends, records entered after the backup may be missing.\n")
		if n.Unacked > 0 {
			fmt.Fprintf(stdout, "注意：备份时有 %d 条修改尚未被县级确认收到；备份之后已上传的会从县里回来，"+
				"县里没有收到的会在首次连接时重新上传（首页会显示条数）。\n"+
				"Note: %d changes in the backup had not been acknowledged by the hub when it was taken; those that reached "+
				"the hub afterwards come back from it, the others are uploaded again at the first connection (the home page "+
				"gives their number).\n", n.Unacked, n.Unacked)
		}
	} else {
		fmt.Fprint(stdout, "接下来：启动本站（station serve）。本站未连接县级集线器：备份之后录入的内容已丢失，请重新录入。\n"+
			"Next: start the station (station serve). This station has no hub: what was entered after the backup is lost; enter it again.\n")
	}
	return nil
}
