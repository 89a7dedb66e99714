package benchkit

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"fieldsync/hub"
	"fieldsync/records"
	"fieldsync/records/sample"
	"fieldsync/replica"
	"fieldsync/syncclient"
)

// measureSync: a station uploading its workers to the hub over loopback
// WebSocket until the hub has committed them all, against the hub's Apply of
// the same log alone (no network, a fresh hub database), measured before and
// after the sync and averaged; and the TCP payload of that sync, both ways,
// per worker, against zstd at its best level of the same records as CSV.
func measureSync(ctx context.Context, e *env) ([]Row, error) {
	n := e.sz.SyncWorkers
	h, err := startHub(ctx, e, hub.Options{Synchronous: "NORMAL"})
	if err != nil {
		return nil, err
	}
	defer h.Close()
	en, err := h.enroll(ctx, "站A")
	if err != nil {
		return nil, err
	}
	st, err := openStation(ctx, e, e.path("station.db"), en, "NORMAL")
	if err != nil {
		return nil, err
	}
	defer st.Close()
	edits := sample.Workers(n, 3, en.Key, en.StationID)
	if err := st.write(ctx, edits, txRows); err != nil {
		return nil, err
	}
	last, err := st.rep.MaxSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("station log: %w", err)
	}
	before, beforeCPU, err := applyAlone(ctx, e, st.rep, h.dir)
	if err != nil {
		return nil, err
	}
	runtime.GC()
	wire0 := h.ln.bytes()
	start, cpu0 := time.Now(), cpuTime()
	if err := st.start(syncclient.Config{}); err != nil {
		return nil, err
	}
	if err := waitUntil(ctx, 30*time.Minute, "the upload", func() (bool, error) {
		c, err := h.upCursor(ctx, en.Site)
		return c >= last, err
	}); err != nil {
		return nil, err
	}
	syncTime, syncCPU := time.Since(start), cpuTime()-cpu0
	wire := h.ln.bytes() - wire0
	st.stop()
	if got, err := rowCount(ctx, h.hub.Replica(), records.Workers); err != nil || got != n {
		return nil, fmt.Errorf("hub holds %d workers after the sync, want %d (%v)", got, n, err)
	}
	after, afterCPU, err := applyAlone(ctx, e, st.rep, h.dir)
	if err != nil {
		return nil, err
	}
	applyTime, applyCPU := (before+after)/2, (beforeCPU+afterCPU)/2
	syncRate, applyRate := float64(n)/syncTime.Seconds(), float64(n)/applyTime.Seconds()
	csvBytes, err := csvZstdBest(edits)
	if err != nil {
		return nil, err
	}
	perWorker, csvPerWorker := float64(wire)/float64(n), float64(csvBytes)/float64(n)
	return []Row{
		{ID: "sync", What: "end-to-end sync station → hub, loopback", Figure: syncRate, Unit: "workers/s",
			Limit: applyRate, LimitUnit: "workers/s hub Apply alone", Ratio: syncRate / applyRate, Target: atLeast(0.8),
			Note: fmt.Sprintf("%d workers until all committed; Apply alone %.1fs before, %.1fs after; CPU sync %.1fs (station and hub, one process) vs apply %.1fs",
				n, before.Seconds(), after.Seconds(), syncCPU.Seconds(), applyCPU.Seconds())},
		{ID: "wire", What: "bytes on the wire per worker record", Figure: perWorker, Unit: "B/worker",
			Limit: csvPerWorker, LimitUnit: "B/worker zstd best of CSV", Ratio: perWorker / csvPerWorker, Target: atMost(1.3),
			Note: fmt.Sprintf("TCP payload both ways of that sync (%d B), counted at the hub's sockets", wire)},
	}, nil
}

// applyAlone applies a station's own log, cut as a session cuts it, to a
// fresh hub database (configured as the hub in hubDir) and returns the wall and CPU time of the applies.
func applyAlone(ctx context.Context, e *env, st *replica.Replica, hubDir string) (time.Duration, time.Duration, error) {
	batches, lasts, err := readBatches(ctx, st, st.Site(), txRows, 512<<10)
	if err != nil {
		return 0, 0, err
	}
	h, err := hubReplica(ctx, e, hubDir)
	if err != nil {
		return 0, 0, err
	}
	defer h.Close()
	runtime.GC()
	start, cpu0 := time.Now(), cpuTime()
	for i, chs := range batches {
		if _, err := h.Replica().Apply(ctx, chs, "up:"+st.Site().String(), lasts[i]); err != nil {
			return 0, 0, fmt.Errorf("apply alone: %w", err)
		}
	}
	return time.Since(start), cpuTime() - cpu0, nil
}

// csvZstdBest is the size of the edits' values as one CSV (a header, then a
// line per row: the row's values in the order written, sets joined by ';'),
// compressed by zstd at its best level: the bound of the wire bytes.
func csvZstdBest(edits []replica.Edit) (int, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for i, ed := range edits {
		if i == 0 {
			var head []string
			for _, cv := range ed.Set {
				head = append(head, cv.Column)
			}
			w.Write(head)
		}
		rec := make([]string, len(ed.Set))
		for k, cv := range ed.Set {
			switch v := cv.Value.(type) {
			case []string:
				rec[k] = strings.Join(v, ";")
			case string:
				rec[k] = v
			case int64:
				rec[k] = strconv.FormatInt(v, 10)
			case float64:
				rec[k] = strconv.FormatFloat(v, 'f', -1, 64)
			case nil:
			default:
				rec[k] = fmt.Sprint(v)
			}
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return 0, fmt.Errorf("csv: %w", err)
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return 0, fmt.Errorf("zstd: %w", err)
	}
	defer enc.Close()
	return len(enc.EncodeAll(buf.Bytes(), nil)), nil
}
