//go:build windows

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"

	"fieldsync/station"
	"fieldsync/station/stationweb"
)

// The station as a Windows service, after golang.org/x/sys/windows/svc's
// example: `service install` registers `station.exe service run --dir DIR`
// with the service control manager (automatic start, LocalSystem, restart
// on failure); the manager starts that command, which runs the same serve
// code as `station serve` with a context cancelled on Stop or Shutdown.

// serviceLogFile, in the station directory, takes why serve failed to
// start or stopped on its own while it runs as a service (a service has no
// console; serve's own log is DIR\logs\station.log), appended across starts
// so that a restart after a failure keeps why;
// past serviceLogMax at a start it moves to service.log.1 (replacing the
// one before).
const (
	serviceLogFile = "service.log"
	serviceLogMax  = 4 << 20
)

// serviceWait bounds every wait for the service manager's state changes.
const serviceWait = 30 * time.Second

// startGrace is how long the service stays starting while serve may still
// fail on its configuration.
const startGrace = 2 * time.Second

func cmdService(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, serviceUsage)
		return errors.New("service: want install, uninstall, start or stop")
	}
	switch args[0] {
	case "install":
		return serviceInstall(args[1:], stdout, stderr)
	case "uninstall":
		return serviceUninstall(ctx, stdout)
	case "start":
		return serviceStart(ctx, stdout)
	case "stop":
		return serviceStop(ctx, stdout)
	case "run":
		return serviceRun(ctx, args[1:], stderr)
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, serviceUsage)
		return flag.ErrHelp
	}
	fmt.Fprint(stderr, serviceUsage)
	return fmt.Errorf("service: unknown command %q", args[0])
}

// serveFlags are the flags of `service install` and `service run`: the
// station directory and the listen address, as `station serve` takes them.
func serveFlags(fs *flag.FlagSet) (dir, addr *string) {
	dir = fs.String("dir", "", "station directory (made by station init); the service runs as LocalSystem: "+
		"keep it where only administrators can write, e.g. C:\\ProgramData\\fieldsync\\station")
	addr = fs.String("addr", "", "listen address (default from station.json, else "+station.DefaultAddr+")")
	return dir, addr
}

func serviceInstall(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("station service install", "station service install --dir DIR [--addr HOST:PORT]", stderr)
	dir, addr := serveFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		fs.Usage()
		return errors.New("service install: --dir is required")
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("service install: %w", err)
	}
	// Refuse what the service would fail on at every start.
	cfg, err := station.LoadConfig(abs)
	if err != nil {
		return fmt.Errorf("service install: %w (run station init first / 请先运行 station init)", err)
	}
	listen := *addr
	if listen == "" {
		listen = cfg.Addr
	}
	if listen != "" && !stationweb.IsLoopback(listen) {
		users, err := station.LoadUsers(abs)
		if err != nil {
			return fmt.Errorf("service install: %w", err)
		}
		if users.Len() == 0 {
			return fmt.Errorf("service install: %s is reachable from other PCs, so staff must log in, but there are no accounts: "+
				"run `station user add --dir %s --user NAME` first", listen, abs)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("service install: %w", err)
	}
	m, err := connectManager("service install")
	if err != nil {
		return err
	}
	defer m.Disconnect()
	if s, err := m.OpenService(serviceName); err == nil {
		s.Close()
		return fmt.Errorf("service install: %s is already installed: run `station service uninstall` first / 服务已安装，请先卸载", serviceName)
	}
	runArgs := []string{"service", "run", "--dir", abs}
	if *addr != "" {
		runArgs = append(runArgs, "--addr", *addr)
	}
	s, err := m.CreateService(serviceName, exe, mgr.Config{
		DisplayName:  serviceDisplayName,
		Description:  serviceDescription,
		StartType:    mgr.StartAutomatic,
		ErrorControl: mgr.ErrorNormal,
		// ServiceStartName "": LocalSystem, the account the data folder's ACL names.
	}, runArgs...)
	if err != nil {
		return fmt.Errorf("service install: %w", err)
	}
	defer s.Close()
	// Restart after a failure: a crash, or serve ending with an error (a
	// non-zero exit code counts only with the non-crash flag set). The
	// failure count starts again after a day without one.
	restart := []mgr.RecoveryAction{
		{Type: mgr.ServiceRestart, Delay: 5 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 2 * time.Minute},
	}
	err = s.SetRecoveryActions(restart, uint32((24 * time.Hour).Seconds()))
	if err == nil {
		err = s.SetRecoveryActionsOnNonCrashFailures(true)
	}
	switch {
	case errors.Is(err, windows.ERROR_INVALID_LEVEL):
		// A service manager without recovery actions (wine's): the service
		// runs, it is not restarted after a failure.
		fmt.Fprintf(stderr, "station: this service manager has no recovery actions (%v): %s is not restarted after a failure\n", err, serviceName)
	case err != nil:
		s.Delete()
		return fmt.Errorf("service install: recovery actions: %w", err)
	}
	// The service reports its starts, stops and failures to the Application
	// event log; it runs without one too.
	if err := eventlog.InstallAsEventCreate(serviceName, eventlog.Error|eventlog.Warning|eventlog.Info); err != nil {
		fmt.Fprintf(stderr, "station: event log source %s not registered (%v); the service logs to %s only\n",
			serviceName, err, filepath.Join(abs, serviceLogFile))
	}
	fmt.Fprintf(stdout, "已安装服务 %s（%s），随 Windows 自动启动；用 station service start 启动。\n"+
		"service %s installed for %s (starts with Windows); start it with `station service start`.\n",
		serviceName, serviceDisplayName, serviceName, abs)
	return nil
}

func serviceUninstall(ctx context.Context, stdout io.Writer) error {
	m, s, err := openService("service uninstall")
	if err != nil {
		return err
	}
	defer m.Disconnect()
	defer s.Close()
	if err := stopAndWait(ctx, s); err != nil {
		return fmt.Errorf("service uninstall: %w", err)
	}
	if err := s.Delete(); err != nil {
		return fmt.Errorf("service uninstall: %w", err)
	}
	_ = eventlog.Remove(serviceName) // absent when install could not register it
	fmt.Fprintf(stdout, "已删除服务 %s；数据目录保留。\nservice %s removed; the station's data stays.\n", serviceName, serviceName)
	return nil
}

func serviceStart(ctx context.Context, stdout io.Writer) error {
	m, s, err := openService("service start")
	if err != nil {
		return err
	}
	defer m.Disconnect()
	defer s.Close()
	// Already running is started: the installer starts it after an
	// upgrade too, and a service manager may start an automatic service
	// on its own (wine's does when it starts).
	if err := s.Start(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_ALREADY_RUNNING) {
		return fmt.Errorf("service start: %w", err)
	}
	st, err := waitState(ctx, s, svc.Running, svc.Stopped)
	if err != nil {
		return fmt.Errorf("service start: %w", err)
	}
	if st.State != svc.Running {
		return fmt.Errorf("service start: %s stopped at once (exit code %d/%d): see %s in the station directory and the Application event log",
			serviceName, st.Win32ExitCode, st.ServiceSpecificExitCode, serviceLogFile)
	}
	fmt.Fprintf(stdout, "服务 %s 已启动 / service %s running\n", serviceName, serviceName)
	return nil
}

func serviceStop(ctx context.Context, stdout io.Writer) error {
	m, s, err := openService("service stop")
	if err != nil {
		return err
	}
	defer m.Disconnect()
	defer s.Close()
	if err := stopAndWait(ctx, s); err != nil {
		return fmt.Errorf("service stop: %w", err)
	}
	fmt.Fprintf(stdout, "服务 %s 已停止 / service %s stopped\n", serviceName, serviceName)
	return nil
}

// connectManager connects to the service control manager, which takes an
// administrator.
func connectManager(cmd string) (*mgr.Mgr, error) {
	m, err := mgr.Connect()
	if err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			return nil, fmt.Errorf("%s: %w: run as administrator / 请以管理员身份运行", cmd, err)
		}
		return nil, fmt.Errorf("%s: connect to the service manager: %w", cmd, err)
	}
	return m, nil
}

func openService(cmd string) (*mgr.Mgr, *mgr.Service, error) {
	m, err := connectManager(cmd)
	if err != nil {
		return nil, nil, err
	}
	s, err := m.OpenService(serviceName)
	if err != nil {
		m.Disconnect()
		if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
			return nil, nil, fmt.Errorf("%s: %s is not installed (station service install) / 服务未安装", cmd, serviceName)
		}
		return nil, nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return m, s, nil
}

// stopAndWait stops the service unless it is stopped already.
func stopAndWait(ctx context.Context, s *mgr.Service) error {
	st, err := s.Query()
	if err != nil {
		return err
	}
	if st.State == svc.StartPending || st.State == svc.ContinuePending || st.State == svc.PausePending {
		// A service still starting takes no Stop: let it start (or fail) first.
		if st, err = waitState(ctx, s, svc.Running, svc.Paused, svc.Stopped); err != nil {
			return err
		}
	}
	if st.State == svc.Stopped {
		return nil
	}
	if st.State != svc.StopPending {
		if _, err := s.Control(svc.Stop); err != nil && !errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) {
			return err
		}
	}
	_, err = waitState(ctx, s, svc.Stopped)
	return err
}

// waitState polls the service until it is in one of the states, for at
// most serviceWait.
func waitState(ctx context.Context, s *mgr.Service, states ...svc.State) (svc.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, serviceWait)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := s.Query()
		if err != nil {
			return st, err
		}
		for _, want := range states {
			if st.State == want {
				return st, nil
			}
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("%s still in state %d after %v: %w", serviceName, st.State, serviceWait, ctx.Err())
		case <-tick.C:
		}
	}
}

// serviceRun is the command the service manager starts.
func serviceRun(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlags("station service run", "station service run --dir DIR [--addr HOST:PORT]  (started by the service manager)", stderr)
	dir, addr := serveFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("service run: --dir is required")
	}
	notService := fmt.Errorf("service run: only the Windows service manager starts this; "+
		"in a console run `station serve --dir %s` / 请用 station service start 或 station serve", *dir)
	// IsWindowsService looks for services.exe in session 0 as the parent;
	// wine's service manager runs its services in another session, so when
	// it says no, connecting to the service manager (svc.Run) decides: it
	// fails at once in a console.
	isService, err := svc.IsWindowsService()
	if err != nil {
		return fmt.Errorf("service run: %w", err)
	}
	serveArgs := []string{"--dir", *dir}
	if *addr != "" {
		serveArgs = append(serveArgs, "--addr", *addr)
	}
	h := &stationService{ctx: ctx, dir: *dir, serveArgs: serveArgs}
	if l, err := eventlog.Open(serviceName); err == nil {
		h.events = l
		defer l.Close()
	}
	err = svc.Run(serviceName, h)
	if !isService && errors.Is(err, windows.ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
		return notService
	}
	if err != nil {
		return fmt.Errorf("service run: %w", err)
	}
	return nil
}

// stationService runs serve for the service manager.
type stationService struct {
	ctx       context.Context
	dir       string
	serveArgs []string
	events    *eventlog.Log // nil without an event log
}

func (h *stationService) Execute(_ []string, r <-chan svc.ChangeRequest, changes chan<- svc.Status) (bool, uint32) {
	changes <- svc.Status{State: svc.StartPending}
	logw, err := openServiceLog(h.dir)
	if err != nil {
		h.event(true, fmt.Sprintf("open the service log: %v", err))
		return true, 2
	}
	defer logw.Close()
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	done := make(chan error, 1)
	// Serve's log goes to DIR\logs\station.log (rotated, the file staff
	// send in) and not again here: service.log keeps why a start or a run
	// failed, which serve returns.
	go func() { done <- cmdServe(ctx, h.serveArgs, io.Discard) }()
	// Serve fails at once on what it cannot start with (the address taken,
	// the directory locked by a `station serve`, a bad station.json): still
	// starting for a moment, so that `service start` reports that failure
	// rather than a start.
	changes <- svc.Status{State: svc.StartPending, WaitHint: uint32((startGrace + time.Second).Milliseconds())}
	select {
	case err := <-done:
		fmt.Fprintf(logw, "station: serve: %v\n", err)
		h.event(true, fmt.Sprintf("station did not start: %v (see %s)", err, filepath.Join(h.dir, serviceLogFile)))
		return true, 1
	case <-time.After(startGrace):
	}
	changes <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	h.event(false, "station serving "+h.dir)
	for {
		select {
		case err := <-done:
			if h.ctx.Err() != nil {
				// The process was told to end (Windows shutting down).
				h.event(false, "station stopped")
				return false, 0
			}
			// Serve ended on its own: a failure, which the recovery
			// actions answer by starting the service again.
			fmt.Fprintf(logw, "station: serve ended: %v\n", err)
			h.event(true, fmt.Sprintf("station stopped: %v (see %s)", err, filepath.Join(h.dir, serviceLogFile)))
			return true, 1
		case c := <-r:
			switch c.Cmd {
			case svc.Interrogate:
				changes <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				// Serve closes its listener, database and sync within seconds.
				changes <- svc.Status{State: svc.StopPending, WaitHint: 20000}
				cancel()
				if err := <-done; err != nil {
					fmt.Fprintf(logw, "station: serve: %v\n", err)
					h.event(true, fmt.Sprintf("station stopped with an error: %v", err))
					return true, 1
				}
				h.event(false, "station stopped")
				return false, 0
			}
		}
	}
}

func openServiceLog(dir string) (*os.File, error) {
	path := filepath.Join(dir, serviceLogFile)
	if fi, err := os.Stat(path); err == nil && fi.Size() > serviceLogMax {
		if err := os.Rename(path, path+".1"); err != nil {
			return nil, err
		}
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
}

// event writes to the Application event log when there is one.
func (h *stationService) event(isError bool, msg string) {
	if h.events == nil {
		return
	}
	if isError {
		h.events.Error(1, msg)
		return
	}
	h.events.Info(1, msg)
}
