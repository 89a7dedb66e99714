package fieldsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one hub or station process that the simulator starts, kills and
// restarts. Its output goes to a log file beside its data directory.
type proc struct {
	name    string
	bin     string
	args    []string
	env     []string
	logPath string
	// ready is the URL that answers 200 once the process serves.
	ready string
	wg    *sync.WaitGroup // the simulator's: owns the wait goroutines

	mu       sync.Mutex
	cmd      *exec.Cmd
	done     chan struct{}
	exitErr  error
	starts   int
	killed   bool // the current run was SIGKILLed (its exit status is expected)
	badExits []string
}

// start runs the process and waits until it serves.
func (p *proc) start(ctx context.Context) error {
	p.mu.Lock()
	if p.cmd != nil {
		p.mu.Unlock()
		return nil // restarted by someone else meanwhile
	}
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.mu.Unlock()
		return fmt.Errorf("%s: log: %w", p.name, err)
	}
	fmt.Fprintf(logf, "---- fieldsim: start %s %s at %s\n", p.bin, strings.Join(p.args, " "), time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		p.mu.Unlock()
		return fmt.Errorf("%s: start: %w", p.name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done, p.killed, p.exitErr = cmd, done, false, nil
	p.starts++
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		err := cmd.Wait()
		logf.Close()
		p.mu.Lock()
		if !p.killed && err != nil {
			p.badExits = append(p.badExits, err.Error())
		}
		p.exitErr = err
		p.cmd = nil
		p.mu.Unlock()
		close(done)
	}()
	return p.waitReady(ctx, done)
}

func (p *proc) waitReady(ctx context.Context, done <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.ready, nil)
		if err != nil {
			return fmt.Errorf("%s: ready check: %w", p.name, err)
		}
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
		}
		select {
		case <-done:
			return fmt.Errorf("%s exited while starting (see %s)", p.name, p.logPath)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not serving after 30 s (see %s)", p.name, p.logPath)
		}
	}
}

// setEnv sets one variable of the environment the next start gives the
// process.
func (p *proc) setEnv(key, value string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	env := p.env[:0:0]
	for _, kv := range p.env {
		if !strings.HasPrefix(kv, key+"=") {
			env = append(env, kv)
		}
	}
	p.env = append(env, key+"="+value)
}

// setBin sets the program the next start runs (an upgrade).
func (p *proc) setBin(bin string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bin = bin
}

// running reports whether the process is up.
func (p *proc) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd != nil
}

// pid is the running process's id, 0 if none.
func (p *proc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// kill sends SIGKILL and waits for the process to end.
func (p *proc) kill() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	if cmd != nil {
		p.killed = true
		_ = cmd.Process.Signal(syscall.SIGKILL)
	}
	p.mu.Unlock()
	if cmd != nil {
		<-done
	}
}

// stop asks the process to end (SIGTERM) and waits; it must exit cleanly
// within timeout, else it is killed and stop reports it.
func (p *proc) stop(timeout time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("%s did not stop within %v of SIGTERM", p.name, timeout)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exitErr != nil {
		return fmt.Errorf("%s exited with %v after SIGTERM (see %s)", p.name, p.exitErr, p.logPath)
	}
	return nil
}

// unexpectedExits lists exits the simulator did not cause.
func (p *proc) unexpectedExits() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.badExits...)
}

// fdCount counts the open file descriptors of a process (Linux /proc).
func fdCount(pid int) (int, error) {
	if pid == 0 {
		return 0, errors.New("not running")
	}
	ents, err := os.ReadDir(filepath.Join("/proc", fmt.Sprint(pid), "fd"))
	if err != nil {
		return 0, fmt.Errorf("count fds of %d: %w", pid, err)
	}
	return len(ents), nil
}

// freePort returns a port on 127.0.0.1 that was free a moment ago, below
// the system's ephemeral range.
//
// The port is closed again before a child binds it. A port from the
// ephemeral range (what listening on port 0 gives) may meanwhile become the
// local port of an outgoing connection: the simulator's own proxies and
// polls, or another test package's under `go test ./...`. A station then
// fails to start with "address already in use" (seen: its debug address).
// Nothing binds below the range unless asked to, so the port stays free.
// Never give one out twice: two of our processes on one port would have one
// fail to start and another answer for it.
func freePort() (int, error) {
	handedOut.mu.Lock()
	defer handedOut.mu.Unlock()
	lo, hi := belowEphemeral()
	for range 200 {
		port := lo + rand.IntN(hi-lo)
		if handedOut.ports[port] {
			continue
		}
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue // taken
		}
		ln.Close()
		handedOut.ports[port] = true
		return port, nil
	}
	return 0, fmt.Errorf("free port: no free port in %d–%d after 200 tries", lo, hi)
}

// belowEphemeral is the range freePort picks from: from 20000 up to the
// start of the system's ephemeral range (Linux: ip_local_port_range, 32768
// by default).
func belowEphemeral() (lo, hi int) {
	lo, hi = 20000, 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		var first, last int
		if n, _ := fmt.Sscan(string(b), &first, &last); n == 2 && first > lo+1000 {
			hi = first
		}
	}
	return lo, hi
}

// handedOut are the ports freePort gave in this process.
var handedOut = struct {
	mu    sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// runTool runs a hub or station subcommand to completion and returns its
// standard output.
func runTool(ctx context.Context, stdin string, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", filepath.Base(bin), strings.Join(args[:min(2, len(args))], " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// Build compiles bin/hub and bin/station into dir, from the module that
// holds the current directory.
func Build(ctx context.Context, dir string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+string(os.PathSeparator), "./cmd/hub", "./cmd/station")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("build hub and station: %w: %s", err, out)
	}
	return nil
}

// PreviousRelease is the git tag of the release before this one, which
// the station-upgrade scenario starts a station with.
const PreviousRelease = "v0.5.0"

// BuildPrevious builds the previous release's hub and station into dir,
// from the module's git history (a temporary worktree of PreviousRelease).
func BuildPrevious(ctx context.Context, dir string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	src, err := os.MkdirTemp("", "fieldsync-"+PreviousRelease+"-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	git := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := git("worktree", "add", "--detach", src, PreviousRelease); err != nil {
		return fmt.Errorf("build %s: %w", PreviousRelease, err)
	}
	defer git("worktree", "remove", "--force", src)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+string(os.PathSeparator), "./cmd/hub", "./cmd/station")
	cmd.Dir = src
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %w: %s", PreviousRelease, err, out)
	}
	return nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("find the module: run fieldsim inside the fieldsync module, or give -bin")
	}
	return filepath.Dir(mod), nil
}

// goroutineSlack is how many more goroutines than at the start a process
// may run once healed and quiet (timers, a request being served) before the
// simulator calls it a leak; a leak per cut connection or restart would be
// hundreds after a round.
const goroutineSlack = 8

// debugAddr is a free loopback address for a process's debugserve.
func debugAddr() (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("127.0.0.1:%d", port), nil
}

// goroutines reads how many goroutines a process runs, from its debugserve
// (net/http/pprof's goroutine profile, whose first line gives the total).
func goroutines(ctx context.Context, addr string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/debug/pprof/goroutine?debug=1", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("count goroutines: %w", err)
	}
	defer resp.Body.Close()
	var n int
	if _, err := fmt.Fscanf(resp.Body, "goroutine profile: total %d", &n); err != nil {
		return 0, fmt.Errorf("count goroutines: %w", err)
	}
	return n, nil
}
