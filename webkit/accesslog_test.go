package webkit

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestAccessLogKeepsPathsAndQueriesOut(t *testing.T) {
	const (
		idNumber = "110101199003071234"
		name     = "张三丰"
	)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /workers/{id}", func(w http.ResponseWriter, r *http.Request) {
		NoteUser(r.Context(), "clerk1")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "hello")
	})
	srv := httptest.NewServer(AccessLog(mux, AccessLogOptions{Log: log, Routes: mux}))
	defer srv.Close()
	q := url.Values{"q": {name}, "id_number": {idNumber}}
	resp, err := http.Get(srv.URL + "/workers/" + idNumber + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	resp, err = http.Get(srv.URL + "/nowhere/" + url.PathEscape(name))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	out := buf.String()
	for _, secret := range []string{idNumber, name, url.QueryEscape(name), url.PathEscape(name)} {
		if strings.Contains(out, secret) {
			t.Errorf("access log holds %q:\n%s", secret, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), out)
	}
	var first, second map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"method": "GET", "route": "GET /workers/{id}", "status": float64(418),
		"bytes": float64(5), "user": "clerk1", "client": "127.0.0.1"}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("%s = %v, want %v (line %s)", k, first[k], v, lines[0])
		}
	}
	if _, ok := first["took"]; !ok {
		t.Errorf("no duration: %s", lines[0])
	}
	if second["route"] != "-" || second["status"] != float64(404) || second["user"] != "-" {
		t.Errorf("unmatched request logged as %s, want route -, status 404, user -", lines[1])
	}
}
