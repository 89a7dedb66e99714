package hubsync_test

import (
	"encoding/binary"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/klauspost/compress/zstd"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/syncproto"
)

// bombFrame is a Batch frame of a few KB whose zstd body declares and
// holds 16 MiB of zeros: decoding it before the Hello costs the hub 16 MiB.
func bombFrame(t *testing.T) []byte {
	t.Helper()
	const raw = 16 << 20
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	if err != nil {
		t.Fatal(err)
	}
	body := enc.EncodeAll(make([]byte, raw), nil)
	b := []byte{byte(syncproto.TypeBatch)}
	b = binary.AppendUvarint(b, 1)
	b = binary.AppendUvarint(b, 0)
	b = append(b, 1)
	b = binary.AppendUvarint(b, raw)
	return append(b, body...)
}

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// Before a station has authenticated, the hub reads one small Hello and
// decodes nothing else: 200 connections at once, each sending a compressed
// batch instead of a Hello, are refused (or turned away while too many
// handshakes are in flight), and the hub's heap stays bounded. Peak heap is
// sampled while they run.
func TestPreAuthFramesBounded(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{HandshakeTimeout: 5 * time.Second})
	e := h.Enroll("站A")
	frame := bombFrame(t)
	if len(frame) > 8<<10 {
		t.Fatalf("bomb frame %d bytes", len(frame))
	}
	base := heapMB()
	var peak float64
	var mu sync.Mutex
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, float64(m.HeapAlloc)/(1<<20))
			mu.Unlock()
		}
	}()
	const conns = 200
	var wg sync.WaitGroup
	var rmu sync.Mutex
	refused, turnedAway := 0, 0
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, resp, err := websocket.DefaultDialer.Dial("ws://"+h.Addr+"/sync", nil)
			if err != nil {
				if resp != nil && resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" {
					rmu.Lock()
					turnedAway++
					rmu.Unlock()
					return
				}
				t.Errorf("dial: %v", err)
				return
			}
			defer ws.Close()
			ws.WriteMessage(websocket.BinaryMessage, frame)
			ws.SetReadDeadline(time.Now().Add(20 * time.Second))
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					break
				}
			}
			rmu.Lock()
			refused++
			rmu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	t.Logf("heap %.1f MB before, peak %.1f MB; %d refused, %d turned away", base, peak, refused, turnedAway)
	if refused+turnedAway != conns {
		t.Fatalf("%d refused + %d turned away of %d", refused, turnedAway, conns)
	}
	if peak-base > 100 {
		t.Fatalf("the hub's heap grew by %.0f MB for %d unauthenticated frames", peak-base, conns)
	}
	// A real station still connects.
	r := hubtest.DialRaw(t, h, e)
	r.Hello(e)
	r.Welcome()
}
