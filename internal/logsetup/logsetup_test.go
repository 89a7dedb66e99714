package logsetup

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		level, format string
		wantDebug     bool
		wantInfo      bool
		json          bool
		bad           string
	}{
		{level: "", format: "", wantInfo: true},
		{level: "debug", format: "text", wantDebug: true, wantInfo: true},
		{level: "INFO", format: "json", wantInfo: true, json: true},
		{level: "warn", format: "text"},
		{level: "error", format: "json", json: true},
		{level: "verbose", bad: "--log-level"},
		{level: "info", format: "xml", bad: "--log-format"},
	} {
		var buf bytes.Buffer
		log, err := New(&buf, Options{Level: tc.level, Format: tc.format})
		if tc.bad != "" {
			if err == nil || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("%q/%q: err %v, want one naming %s", tc.level, tc.format, err, tc.bad)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q/%q: %v", tc.level, tc.format, err)
		}
		log.Debug("d-line")
		log.Info("i-line", "k", "v")
		out := buf.String()
		if got := strings.Contains(out, "d-line"); got != tc.wantDebug {
			t.Errorf("%q: debug logged %v, want %v", tc.level, got, tc.wantDebug)
		}
		if got := strings.Contains(out, "i-line"); got != tc.wantInfo {
			t.Errorf("%q: info logged %v, want %v", tc.level, got, tc.wantInfo)
		}
		if tc.json && tc.wantInfo {
			var m map[string]any
			if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &m); err != nil || m["k"] != "v" {
				t.Errorf("json line %q: %v %v", out, m, err)
			}
		}
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("no console") }

func TestFileAndTee(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "station.log")
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	log, err := New(Tee(failing{}, f), Options{})
	if err != nil {
		t.Fatal(err)
	}
	log.Info("to the file")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "to the file") {
		t.Fatalf("log file %q, %v: the line is missing although stderr failed", b, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("log file mode %v, %v: want no access for others", fi.Mode(), err)
	}
	if _, err := Tee(failing{}).Write([]byte("x")); err == nil {
		t.Error("Tee of failing writers only: no error")
	}
}
