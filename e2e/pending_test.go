package e2e

import (
	"net"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/internal/hubtest"
	"fieldsync/syncclient"
)

// What a station recorded while it cannot reach the hub shows as pending
// (待上传的修改) at once: staff see what has not reached the county. A
// station that recorded workers before it first reached the hub showed 0
// until it connected.
func TestPendingWhileOffline(t *testing.T) {
	h := hubtest.NewServer(t, "http", hub.Options{})
	e := h.Enroll("站A")
	// A port nothing listens on: the station never connects.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.HubURL = "http://" + l.Addr().String()
	l.Close()
	s := hubtest.NewStation(t, e, syncclient.Config{MinBackoff: time.Second, MaxBackoff: 2 * time.Second})
	s.Start()
	hubtest.WaitFor(t, 10*time.Second, "a failed connection", func() bool { return s.Client.Status().LastError != "" })
	for i := range 3 {
		s.Write(hubtest.WorkerEdit(e.Key, hubtest.IDNumber(900+i), "离线登记", "13800000000"))
	}
	hubtest.WaitFor(t, 10*time.Second, "3 changes pending", func() bool { return s.Client.Status().PendingUp == 3 })
	if s.Client.Status().Connected {
		t.Fatal("connected to nothing")
	}
}
