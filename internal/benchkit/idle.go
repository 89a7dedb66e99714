package benchkit

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/ident"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

// measureIdle: IdleStations stations connected at once to one hub (in this
// process), their clients in a child process (cfg.Child) so that only the
// hub's memory is counted here. The child connects one real station (its
// own replica and sync client) and, for the others, light clients that speak
// syncproto, ack every batch and ping every 30 s as stations do. Measured:
// the hub's heap and stacks per idle connection; the hub process's CPU
// while they idle; and the time a gig saved at the real station takes to
// reach every other station (p50, p99).
func measureIdle(ctx context.Context, e *env) ([]Row, error) {
	n := e.sz.IdleStations
	if len(e.cfg.Child) == 0 {
		return nil, errors.New("no child command to run the stations' clients")
	}
	restore, err := RaiseFiles(uint64(n) + 1024)
	if err != nil {
		return nil, err
	}
	defer restore()
	h, err := startHub(ctx, e, hub.Options{Synchronous: "NORMAL"})
	if err != nil {
		return nil, err
	}
	defer h.Close()
	var codes strings.Builder
	enrollStart := time.Now()
	for k := range n {
		en, err := h.enroll(ctx, fmt.Sprintf("站%05d", k))
		if err != nil {
			return nil, err
		}
		codes.WriteString(en.String() + "\n")
	}
	enrollTime := time.Since(enrollStart)
	codes.WriteString("\n")

	var mem0 runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&mem0)
	rss0 := rssBytes()

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(cctx, e.cfg.Child[0], append(slices.Clone(e.cfg.Child[1:]), h.addr)...)
	cmd.Env = append(os.Environ(), e.cfg.ChildEnv...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("child stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("child stdout: %w", err)
	}
	connectStart := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the stations' process: %w", err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	if _, err := io.WriteString(stdin, codes.String()); err != nil {
		return nil, fmt.Errorf("send enrollment codes: %w", err)
	}
	lines := bufio.NewScanner(stdout)
	next := func() (string, error) {
		if !lines.Scan() {
			if err := lines.Err(); err != nil {
				return "", fmt.Errorf("stations' process: %w", err)
			}
			return "", errors.New("the stations' process ended early")
		}
		return lines.Text(), nil
	}
	line, err := next()
	if err != nil {
		return nil, err
	}
	if line != "ready" {
		return nil, fmt.Errorf("stations' process: %s", line)
	}
	connectTime := time.Since(connectStart)
	// Each station's first connection writes its row of the station
	// directory, which every other session relays: at "ready" most
	// sessions are still reading the log's tail (a goroutine dump showed
	// 2,973 of 3,000 there), so memory measured then is a busy hub's.
	// Idle means every station holds the hub's whole log.
	if err := waitCaughtUp(ctx, h.hub, n, 5*time.Minute); err != nil {
		return nil, err
	}
	settleTime := time.Since(connectStart) - connectTime

	// Idle: the collector shrinks the stacks the first sync grew, a little
	// at each cycle.
	var mem1 runtime.MemStats
	for range 4 {
		runtime.GC()
	}
	runtime.ReadMemStats(&mem1)
	rss1 := rssBytes()
	perConn := float64(int64(mem1.HeapInuse+mem1.StackInuse)-int64(mem0.HeapInuse+mem0.StackInuse)) / float64(n)
	stack := float64(int64(mem1.StackInuse)-int64(mem0.StackInuse)) / float64(n)

	cpu0, t0 := cpuTime(), time.Now()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(e.sz.IdleWindow): // measuring a duration
	}
	idleCores := float64(cpuTime()-cpu0) / float64(time.Since(t0))

	if _, err := io.WriteString(stdin, "post\n"); err != nil {
		return nil, fmt.Errorf("ask for a gig: %w", err)
	}
	var lat []time.Duration
	for {
		line, err := next()
		if err != nil {
			return nil, err
		}
		if line == "done" {
			break
		}
		ns, err := strconv.ParseInt(strings.TrimPrefix(line, "lat "), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("stations' process: %q", line)
		}
		lat = append(lat, time.Duration(ns))
	}
	if len(lat) < n-1 {
		return nil, fmt.Errorf("the gig reached %d of %d stations", len(lat), n-1)
	}
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return []Row{
		{ID: "idle-memory", What: fmt.Sprintf("hub memory per idle connection, %d stations", n), Figure: perConn / 1024, Unit: "KiB/conn",
			Ratio: nanRatio(), Target: atMost(48),
			Note: fmt.Sprintf("heap+stacks after GC (stacks %.1f KiB); process RSS grew %.1f KiB/conn; enrolling took %.1fs, connecting and first sync of all %.1fs, until every station held the whole log %.1fs more",
				stack/1024, float64(rss1-rss0)/float64(n)/1024, enrollTime.Seconds(), connectTime.Seconds(), settleTime.Seconds())},
		{ID: "idle-gig", What: fmt.Sprintf("gig saved at one station reaching the other %d, p99", n-1), Figure: ms(p99), Unit: "ms",
			Ratio: nanRatio(), Target: atMost(3000), Note: fmt.Sprintf("p50 %.0f ms, max %.0f ms; the station's own client uploads it", ms(p50), ms(lat[len(lat)-1]))},
		{ID: "idle-cpu", What: fmt.Sprintf("hub CPU while %d stations idle", n), Figure: idleCores * 100, Unit: "% of a core",
			Ratio: nanRatio(), Note: fmt.Sprintf("over %s; %.1f µs of CPU a second per station", e.sz.IdleWindow, idleCores*1e6/float64(n))},
	}, nil
}

// RunIdleClients is the child side of the idle-stations measurement. It
// reads enrollment codes from in, one a line, until a blank line; runs the
// first as a real station (a replica in a temporary folder and its sync
// client) and the others as light clients of the hub at addr; prints
// "ready" once every station holds the whole station directory; then, on a
// "post" line, saves a gig at the real station and prints "lat NS" for each
// other station as it receives it (NS: nanoseconds since the save), then
// "done". It returns when in ends or ctx does.
func RunIdleClients(ctx context.Context, addr string, in io.Reader, out io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lines := bufio.NewScanner(in)
	lines.Buffer(nil, 1<<20)
	var ens []syncproto.Enrollment
	for lines.Scan() && lines.Text() != "" {
		en, err := syncproto.ParseEnrollment(lines.Text())
		if err != nil {
			return err
		}
		ens = append(ens, en)
	}
	if len(ens) < 2 {
		return fmt.Errorf("%d enrollment codes: want at least 2", len(ens))
	}
	restore, err := RaiseFiles(uint64(len(ens)) + 1024)
	if err != nil {
		return err
	}
	defer restore()
	schema, err := records.NewSchema()
	if err != nil {
		return err
	}
	codec, err := syncproto.NewCodec(schema, ens[0].Key, syncproto.Limits{})
	if err != nil {
		return fmt.Errorf("codec: %w", err)
	}

	// The real station.
	dir, err := os.MkdirTemp("", "fieldbench-station-")
	if err != nil {
		return fmt.Errorf("station folder: %w", err)
	}
	defer os.RemoveAll(dir)
	poster := ens[0]
	poster.HubURL = "http://" + addr
	rep, err := replica.Open(ctx, filepath.Join(dir, "station.db"), replica.Options{Schema: schema, Site: poster.Site, Key: poster.Key,
		Clock: hlc.NewClock(nil), Indexes: records.StationIndexes()})
	if err != nil {
		return fmt.Errorf("open station: %w", err)
	}
	defer rep.Close()
	client, err := syncclient.New(syncclient.Config{Enrollment: poster, Replica: rep})
	if err != nil {
		return fmt.Errorf("sync client: %w", err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Add(1)
	go func() { // owned by RunIdleClients: ends with ctx
		defer wg.Done()
		client.Run(ctx)
	}()

	// The light clients.
	lc := &lightClients{codec: codec, want: len(ens), gigs: make(chan time.Time, len(ens)), ready: make(chan struct{}, len(ens))}
	for _, en := range ens[1:] {
		if err := lc.connect(ctx, &wg, addr, schema, en); err != nil {
			return err
		}
	}
	for range ens[1:] {
		select {
		case <-lc.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := waitUntil(ctx, 10*time.Minute, "the real station's first sync", func() (bool, error) {
		n, err := rowCount(ctx, rep, records.Stations)
		return n >= len(ens), err
	}); err != nil {
		return err
	}
	fmt.Fprintln(out, "ready")

	for lines.Scan() {
		if lines.Text() != "post" {
			continue
		}
		gig := sample.Gigs(1, time.Now().UnixNano(), time.Now(), poster.StationID)[0]
		lc.setGig(gig.Row)
		start := time.Now()
		if _, err := rep.Write(ctx, gig); err != nil {
			return fmt.Errorf("post a gig: %w", err)
		}
		client.Kick()
		timeout := time.After(5 * time.Minute)
	collect:
		for got := 0; got < len(ens)-1; got++ {
			select {
			case at := <-lc.gigs:
				fmt.Fprintf(out, "lat %d\n", at.Sub(start).Nanoseconds())
			case <-timeout:
				break collect
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		fmt.Fprintln(out, "done")
	}
	return lines.Err()
}

// lightClients are stations reduced to their sync protocol: each acks every
// batch, counts the station-directory rows it received, and reports when it
// receives the gig being timed.
type lightClients struct {
	codec *syncproto.Codec
	want  int // directory rows that make a client ready
	gigs  chan time.Time
	ready chan struct{}
	mu    sync.Mutex
	gig   ident.ID
}

func (lc *lightClients) setGig(id ident.ID) {
	lc.mu.Lock()
	lc.gig = id
	lc.mu.Unlock()
}

func (lc *lightClients) isGig(id ident.ID) bool {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return id == lc.gig
}

// connect dials one light client and starts its reader and pinger on
// goroutines owned by wg, which end with ctx or the connection.
func (lc *lightClients) connect(ctx context.Context, wg *sync.WaitGroup, addr string, schema *replica.Schema, en syncproto.Enrollment) error {
	d := websocket.Dialer{HandshakeTimeout: time.Minute}
	var ws *websocket.Conn
	for {
		var resp *http.Response
		var err error
		ws, resp, err = d.DialContext(ctx, "ws://"+addr+"/sync", nil)
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		if err == nil {
			break
		}
		// The hub turns away handshakes beyond its limits (all of these
		// come from one address) with 503: wait a little and dial again, as
		// a station's backoff does.
		if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
			return fmt.Errorf("dial the hub for %s: %w", en.StationID, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(20+rand.IntN(200)) * time.Millisecond):
		}
	}
	hello, err := lc.codec.Encode(nil, &syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: schema.Fingerprint(),
		Site: en.Site, Station: en.StationID, Token: en.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20})
	if err != nil {
		ws.Close()
		return fmt.Errorf("hello: %w", err)
	}
	if err := ws.WriteMessage(websocket.BinaryMessage, hello); err != nil {
		ws.Close()
		return fmt.Errorf("hello for %s: %w", en.StationID, err)
	}
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	wg.Add(2)
	go func() { // reader
		defer wg.Done()
		defer stop()
		defer ws.Close()
		dir, ready := 0, false
		for {
			_, frame, err := ws.ReadMessage()
			if err != nil {
				return
			}
			m, err := lc.codec.Decode(frame)
			if err != nil {
				return
			}
			bt, ok := m.(*syncproto.Batch)
			if !ok {
				continue
			}
			for _, c := range bt.Changes {
				switch c.Table {
				case records.Stations:
					dir++
				case records.Gigs:
					if lc.isGig(c.Row) {
						lc.gigs <- time.Now()
					}
				}
			}
			ack, err := lc.codec.Encode(nil, &syncproto.Ack{Seq: bt.Last})
			if err != nil || ws.WriteMessage(websocket.BinaryMessage, ack) != nil {
				return
			}
			if !ready && dir >= lc.want {
				ready = true
				lc.ready <- struct{}{}
			}
		}
	}()
	go func() { // pinger: every 30 s, as a station's client
		defer wg.Done()
		t := time.NewTimer(time.Duration(rand.N(30 * time.Second)))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(10*time.Second)) != nil {
					return
				}
				t.Reset(30 * time.Second)
			}
		}
	}()
	return nil
}

// rssBytes is the process's resident set size (0 where /proc is missing).
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// waitCaughtUp waits until n stations are connected and each has
// acknowledged the hub's whole log.
func waitCaughtUp(ctx context.Context, h *hub.Hub, n int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		sts, err := h.Status(ctx)
		if err != nil {
			return fmt.Errorf("hub status: %w", err)
		}
		last, behind := h.LastSeq(), 0
		for _, st := range sts {
			if st.Session == nil || st.Session.AckedDown < last {
				behind++
			}
		}
		if len(sts) >= n && behind == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("idle stations: %d of %d still behind the hub's log after %v", behind, len(sts), limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
