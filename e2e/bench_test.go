package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/klauspost/compress/zstd"

	"fieldsync/hlc"
	"fieldsync/hub"
	"fieldsync/internal/cputime"
	"fieldsync/internal/hubtest"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/syncclient"
	"fieldsync/syncproto"
)

const benchWorkers = 100000

// writeWorkers registers n sample workers at a station, 1,000 a transaction.
func writeWorkers(b *testing.B, s *hubtest.Station, n int, seed int64) []replica.Edit {
	b.Helper()
	edits := sample.Workers(n, seed, s.Enr.Key, s.Name)
	for i := 0; i < len(edits); i += 1000 {
		if _, err := s.Rep.Write(context.Background(), edits[i:min(i+1000, len(edits))]...); err != nil {
			b.Fatal(err)
		}
	}
	return edits
}

// csvZstd is the size of the edits' values as one CSV, compressed by zstd at
// its default level: the bound the wire bytes are compared with.
func csvZstd(b *testing.B, edits []replica.Edit) int {
	var buf bytes.Buffer
	for _, e := range edits {
		for i, cv := range e.Set {
			if i > 0 {
				buf.WriteByte(',')
			}
			switch v := cv.Value.(type) {
			case []string:
				buf.WriteString(strings.Join(v, ";"))
			default:
				fmt.Fprint(&buf, v)
			}
		}
		buf.WriteByte('\n')
	}
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer enc.Close()
	return len(enc.EncodeAll(buf.Bytes(), nil))
}

// cost is what a step took: wall time, and this process's CPU time (steadier
// on a shared machine, where other processes take the cores for a while).
type cost struct{ wall, cpu time.Duration }

func (c cost) add(d cost) cost { return cost{c.wall + d.wall, c.cpu + d.cpu} }

// mean is the mean of two costs: a limit measured before and after.
func mean(a, b cost) cost { return cost{(a.wall + b.wall) / 2, (a.cpu + b.cpu) / 2} }

// meter starts measuring a cost; the returned func ends it.
func meter() func() cost {
	start := time.Now()
	cpu, _ := cputime.Process()
	return func() cost {
		end, _ := cputime.Process()
		return cost{time.Since(start), end - cpu}
	}
}

// reportCost reports the rate of the measured step and of its limit, and
// their ratios in wall and CPU time.
func reportCost(b *testing.B, records float64, name string, got cost, limitName string, limit cost) {
	b.ReportMetric(records/got.wall.Seconds(), name+"-records/s")
	b.ReportMetric(records/limit.wall.Seconds(), limitName+"-records/s")
	b.ReportMetric(limit.wall.Seconds()/got.wall.Seconds(), name+"/"+limitName)
	if got.cpu > 0 {
		b.ReportMetric(limit.cpu.Seconds()/got.cpu.Seconds(), name+"/"+limitName+"-cpu")
	}
}

// applyAlone measures the hub's Apply of the station's log without any
// network: the limit the sync is compared with.
func applyAlone(b *testing.B, st *replica.Replica) cost {
	b.Helper()
	ctx := context.Background()
	hubRep, err := replica.Open(ctx, filepath.Join(b.TempDir(), "apply.db"), replica.Options{
		Schema: st.Schema(), Key: st.Key(), History: true, Synchronous: "NORMAL",
		Indexes: records.HubIndexes()}) // the hub's own indexes: its Apply as it runs
	if err != nil {
		b.Fatal(err)
	}
	defer hubRep.Close()
	var batches [][]replica.Change
	var lasts []uint64
	var after uint64
	for {
		entries, _, err := st.ReadLog(ctx, after, replica.LogQuery{Site: st.Site(), Limit: 1000, MaxBytes: 512 << 10})
		if err != nil {
			b.Fatal(err)
		}
		if len(entries) == 0 {
			break
		}
		chs := make([]replica.Change, len(entries))
		for i := range entries {
			chs[i] = entries[i].Change
		}
		after = entries[len(entries)-1].Seq
		batches, lasts = append(batches, chs), append(lasts, after)
	}
	runtime.GC()
	done := meter()
	for i, chs := range batches {
		if _, err := hubRep.Apply(ctx, chs, "up", lasts[i]); err != nil {
			b.Fatal(err)
		}
	}
	return done()
}

// BenchmarkInitialSync uploads 100,000 workers from a station to the hub
// over loopback WebSocket, until the hub has committed them all, and compares
// the rate with the hub's Apply alone, measured in the same run. The bytes
// are the TCP payload both ways, counted by a proxy.
func BenchmarkInitialSync(b *testing.B) {
	n := benchWorkers
	if testing.Short() {
		n = 10000
	}
	var syncCost, applyCost cost
	var wire int64
	var csv int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := hubtest.NewServer(b, "http", hub.Options{})
		e := h.Enroll("站A")
		p := hubtest.NewProxy(b, h.Addr, -1)
		e.HubURL = "http://" + p.Addr()
		s := hubtest.NewStation(b, e, syncclient.Config{})
		edits := writeWorkers(b, s, n, int64(i+1))
		csv = csvZstd(b, edits)
		// Apply alone is measured before and after the sync, on this
		// shared machine, and the mean taken.
		before := applyAlone(b, s.Rep)
		last, err := s.Rep.MaxSeq(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		done := meter()
		s.Start()
		hubtest.WaitFor(b, 10*time.Minute, "the upload", func() bool {
			c, _ := h.Hub.Replica().Cursor(context.Background(), "up:"+e.Site.String())
			return c >= last
		})
		syncCost = syncCost.add(done())
		b.StopTimer()
		applyCost = applyCost.add(mean(before, applyAlone(b, s.Rep)))
		wire += p.Bytes.Load()
		if got := hubtest.RowCount(b, h.Hub.Replica(), records.Workers); got != n {
			b.Fatalf("hub has %d workers, want %d", got, n)
		}
		s.Close()
		h.Stop()
	}
	total := float64(n * b.N)
	reportCost(b, total, "sync", syncCost, "apply", applyCost)
	perRecord := float64(wire) / total
	b.ReportMetric(perRecord, "wire-bytes/record")
	b.ReportMetric(float64(csv)/float64(n), "csv-zstd-bytes/record")
	b.ReportMetric(perRecord/(float64(csv)/float64(n)), "wire/csv-zstd")
}

// BenchmarkInitialSyncChildStation is BenchmarkInitialSync with the station
// in a child process, as in the field: station and hub no longer share one
// garbage collector and scheduler (they still share this machine's 2 cores).
func BenchmarkInitialSyncChildStation(b *testing.B) {
	n := benchWorkers
	if testing.Short() {
		n = 10000
	}
	var syncCost, applyCost cost
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := hubtest.NewServer(b, "http", hub.Options{})
		e := h.Enroll("站A")
		s := hubtest.NewStation(b, e, syncclient.Config{})
		writeWorkers(b, s, n, int64(i+1))
		before := applyAlone(b, s.Rep)
		last, err := s.Rep.MaxSeq(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
		e.HubURL = "http://" + h.Addr
		cmd := exec.Command(os.Args[0], "-test.run=^TestSyncStationHelper$")
		cmd.Env = append(os.Environ(), "HUB_SYNC_STATION="+s.Path)
		cmd.Stdin = strings.NewReader(e.String() + "\n")
		cmd.Stderr = os.Stderr
		runtime.GC()
		b.StartTimer()
		done := meter()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		hubtest.WaitFor(b, 10*time.Minute, "the upload", func() bool {
			c, _ := h.Hub.Replica().Cursor(context.Background(), "up:"+e.Site.String())
			return c >= last
		})
		syncCost = syncCost.add(done()) // CPU: the hub's process only
		b.StopTimer()
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		b.Logf("station child CPU: user %v sys %v", cmd.ProcessState.UserTime(), cmd.ProcessState.SystemTime())
		rep := openStationReplica(b, s.Path, e)
		applyCost = applyCost.add(mean(before, applyAlone(b, rep)))
		rep.Close()
		if got := hubtest.RowCount(b, h.Hub.Replica(), records.Workers); got != n {
			b.Fatalf("hub has %d workers, want %d", got, n)
		}
		h.Stop()
	}
	reportCost(b, float64(n*b.N), "sync", syncCost, "apply", applyCost)
}

func openStationReplica(b testing.TB, path string, e syncproto.Enrollment) *replica.Replica {
	s, err := records.NewSchema()
	if err != nil {
		b.Fatal(err)
	}
	rep, err := replica.Open(context.Background(), path, replica.Options{Schema: s, Site: e.Site, Key: e.Key, Synchronous: "NORMAL"})
	if err != nil {
		b.Fatal(err)
	}
	return rep
}

// TestSyncStationHelper is BenchmarkInitialSyncChildStation's child: a
// station syncing the database at $HUB_SYNC_STATION with the enrollment code
// on stdin until interrupted.
func TestSyncStationHelper(t *testing.T) {
	path := os.Getenv("HUB_SYNC_STATION")
	if path == "" {
		t.Skip("only run by BenchmarkInitialSyncChildStation")
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	e, err := syncproto.ParseEnrollment(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	rep := openStationReplica(t, path, e)
	defer rep.Close()
	c, err := syncclient.New(syncclient.Config{Enrollment: e, Replica: rep})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c.Run(ctx)
}

// BenchmarkIdleBytesPerDay measures what a connected, idle station costs on
// the wire (TCP payload both ways): pings run fast here, and the bytes of one
// ping cycle are scaled to a day at the default interval (30 s).
func BenchmarkIdleBytesPerDay(b *testing.B) {
	const fast = 20 * time.Millisecond
	var perDay float64
	for i := 0; i < b.N; i++ {
		h := hubtest.NewServer(b, "http", hub.Options{})
		e := h.Enroll("站A")
		p := hubtest.NewProxy(b, h.Addr, -1)
		e.HubURL = "http://" + p.Addr()
		s := hubtest.NewStation(b, e, syncclient.Config{PingInterval: fast, Poll: time.Hour})
		s.Start()
		hubtest.WaitFor(b, 10*time.Second, "the first sync", func() bool { return hubtest.Converged(b, h.Hub, s) && s.Client.Status().LastSync != (time.Time{}) })
		// Let the first sync's acks settle, then count a quiet period.
		time.Sleep(10 * fast) // measuring a duration, not synchronising
		before, start := p.Bytes.Load(), time.Now()
		time.Sleep(200 * fast)
		bytes, d := p.Bytes.Load()-before, time.Since(start)
		perDay += float64(bytes) / (d.Seconds() / fast.Seconds()) * (24 * 3600 / 30)
		s.Close()
		h.Stop()
	}
	b.ReportMetric(perDay/float64(b.N), "idle-bytes/day")
}

// BenchmarkIdleStations connects many stations (lightweight WebSocket
// clients speaking syncproto, acking every batch, run in a child process so
// that only the hub's memory is counted here) and measures the memory each
// idle connection costs the hub, and how long a gig written at the hub takes
// to reach them all.
func BenchmarkIdleStations(b *testing.B) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	for i := 0; i < b.N; i++ {
		h := hubtest.NewServer(b, "http", hub.Options{})
		var codes bytes.Buffer
		for k := 0; k < n; k++ {
			codes.WriteString(h.Enroll(fmt.Sprintf("站%04d", k)).String() + "\n")
		}
		var mem0 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&mem0)

		cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientsHelper$")
		cmd.Env = append(os.Environ(), "HUB_IDLE_CLIENTS="+h.Addr)
		cmd.Stdin = &codes
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		if !lines.Scan() || lines.Text() != "ready" {
			b.Fatalf("clients: %q %v", lines.Text(), lines.Err())
		}
		// Idle: the collector shrinks the stacks the first sync grew, a
		// little at each cycle.
		var mem1 runtime.MemStats
		for range 4 {
			runtime.GC()
		}
		runtime.ReadMemStats(&mem1)
		perConn := float64(int64(mem1.HeapInuse+mem1.StackInuse)-int64(mem0.HeapInuse+mem0.StackInuse)) / float64(n)
		b.ReportMetric(perConn/1024, "hub-KiB/conn")
		b.ReportMetric(float64(int64(mem1.StackInuse)-int64(mem0.StackInuse))/float64(n)/1024, "stack-KiB/conn")

		start := time.Now()
		if _, err := h.Hub.Write(context.Background(), hubtest.GigEdit(b, "全县即时快招")); err != nil {
			b.Fatal(err)
		}
		lat := make([]time.Duration, 0, n)
		for len(lat) < n && lines.Scan() {
			ns, err := strconv.ParseInt(lines.Text(), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Unix(0, ns).Sub(start))
		}
		if len(lat) < n {
			b.Fatalf("the gig reached %d of %d stations", len(lat), n)
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[n/2].Milliseconds()), "p50-ms")
		b.ReportMetric(float64(lat[n*99/100].Milliseconds()), "p99-ms")
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		h.Stop()
	}
}

// TestIdleClientsHelper is BenchmarkIdleStations' child process: it connects
// one client per enrollment code on stdin to the hub at $HUB_IDLE_CLIENTS,
// prints "ready" once each has its first batch, then the time (unix ns) each
// receives a gig, and runs until interrupted.
func TestIdleClientsHelper(t *testing.T) {
	addr := os.Getenv("HUB_IDLE_CLIENTS")
	if addr == "" {
		t.Skip("only run by BenchmarkIdleStations")
	}
	var ens []syncproto.Enrollment
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(nil, 1<<20)
	for in.Scan() {
		e, err := syncproto.ParseEnrollment(in.Text())
		if err != nil {
			t.Fatal(err)
		}
		ens = append(ens, e)
	}
	schema, _ := records.NewSchema()
	codec := &syncproto.Codec{Schema: schema, Key: ens[0].Key}
	var mu sync.Mutex
	ready := make(chan struct{}, len(ens))
	for _, e := range ens {
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/sync", nil)
		if err != nil {
			t.Fatal(err)
		}
		hello, _ := codec.Encode(nil, &syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: schema.Fingerprint(),
			Site: e.Site, Station: e.StationID, Token: e.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 1 << 20})
		if err := ws.WriteMessage(websocket.BinaryMessage, hello); err != nil {
			t.Fatal(err)
		}
		go func() {
			first := true
			for {
				_, frame, err := ws.ReadMessage()
				if err != nil {
					return
				}
				m, err := codec.Decode(frame)
				if err != nil {
					return
				}
				bt, ok := m.(*syncproto.Batch)
				if !ok {
					continue
				}
				for _, c := range bt.Changes {
					if c.Table == records.Gigs {
						mu.Lock()
						fmt.Println(time.Now().UnixNano())
						mu.Unlock()
					}
				}
				ack, _ := codec.Encode(nil, &syncproto.Ack{Seq: bt.Last})
				if ws.WriteMessage(websocket.BinaryMessage, ack) != nil {
					return
				}
				if first {
					first = false
					ready <- struct{}{}
				}
			}
		}()
	}
	for range ens {
		<-ready
	}
	mu.Lock()
	fmt.Println("ready")
	mu.Unlock()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
}

// BenchmarkHubIngest is BenchmarkInitialSync without the station's work:
// the station's batches are encoded beforehand and replayed over one
// WebSocket (8 in flight), so that only the hub's side of the sync (decode,
// checks, scope, apply, ack) is compared with its Apply alone. In the field
// station and hub are different machines; here they share two cores.
func BenchmarkHubIngest(b *testing.B) {
	n := benchWorkers
	if testing.Short() {
		n = 10000
	}
	var ingestCost, applyCost cost
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := hubtest.NewServer(b, "http", hub.Options{})
		e := h.Enroll("站A")
		s := hubtest.NewStation(b, e, syncclient.Config{})
		writeWorkers(b, s, n, int64(i+1))
		codec := &syncproto.Codec{Schema: s.Rep.Schema(), Key: e.Key}
		var frames [][]byte
		var lasts []uint64
		var after uint64
		for {
			entries, _, err := s.Rep.ReadLog(context.Background(), after, replica.LogQuery{Site: e.Site, Limit: 1000, MaxBytes: 512 << 10})
			if err != nil {
				b.Fatal(err)
			}
			if len(entries) == 0 {
				break
			}
			for _, bt := range syncproto.Batches(entries, after, entries[len(entries)-1].Seq, 1000) {
				f, err := codec.Encode(nil, bt)
				if err != nil {
					b.Fatal(err)
				}
				frames, lasts = append(frames, f), append(lasts, bt.Last)
			}
			after = entries[len(entries)-1].Seq
		}
		before := applyAlone(b, s.Rep)
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+h.Addr+"/sync", nil)
		if err != nil {
			b.Fatal(err)
		}
		hello, _ := codec.Encode(nil, &syncproto.Hello{Version: syncproto.ProtocolVersion, Schema: s.Rep.Schema().Fingerprint(),
			Site: e.Site, Station: e.StationID, Token: e.Token, Now: hlc.New(time.Now().UnixMilli(), 0), MaxBatchLen: 4 << 20})
		if err := ws.WriteMessage(websocket.BinaryMessage, hello); err != nil {
			b.Fatal(err)
		}
		acks := make(chan uint64, len(frames)+1)
		go func() {
			defer close(acks)
			for {
				_, f, err := ws.ReadMessage()
				if err != nil {
					return
				}
				m, err := codec.Decode(f)
				if err != nil {
					return
				}
				switch m := m.(type) {
				case *syncproto.Ack:
					acks <- m.Seq
				case *syncproto.Batch:
					ack, _ := codec.Encode(nil, &syncproto.Ack{Seq: m.Last})
					ws.WriteMessage(websocket.BinaryMessage, ack)
				}
			}
		}()
		runtime.GC()
		b.StartTimer()
		done := meter()
		sent, acked := 0, 0
		for acked < len(frames) {
			for sent < len(frames) && sent-acked < 8 {
				if err := ws.WriteMessage(websocket.BinaryMessage, frames[sent]); err != nil {
					b.Fatal(err)
				}
				sent++
			}
			seq, ok := <-acks
			if !ok {
				b.Fatal("the hub closed the session")
			}
			for acked < len(frames) && lasts[acked] <= seq {
				acked++
			}
		}
		ingestCost = ingestCost.add(done())
		b.StopTimer()
		ws.Close()
		applyCost = applyCost.add(mean(before, applyAlone(b, s.Rep)))
		s.Close()
		h.Stop()
	}
	reportCost(b, float64(n*b.N), "ingest", ingestCost, "apply", applyCost)
}
