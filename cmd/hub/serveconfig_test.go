package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fieldsync/hub"
	"fieldsync/hub/hubsync"
)

// serveFlagsForTest is a flag set as `hub serve` has it: the tuning flags and
// a few of the others (a string, a bool, a repeatable flag).
func serveFlagsForTest() (*flag.FlagSet, *serveTuning, *string, *bool, *hostNames) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String(dirFlag, "", "hub directory")
	addr := fs.String("addr", "127.0.0.1:8400", "address")
	selfSigned := fs.Bool("tls-self-signed", false, "self-signed")
	var hosts hostNames
	fs.Var(&hosts, "host", "host")
	t := addTuningFlags(fs)
	fs.Bool(checkFlag, false, "check")
	fs.String(zoneFlag, "", "zone")
	return fs, t, addr, selfSigned, &hosts
}

func TestApplyServeSection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		section string
		args    []string
		check   func(t *testing.T, tu *serveTuning, addr string, selfSigned bool, hosts hostNames)
		sources map[string]string
		wantErr []string // each in the error; nil: no error
	}{
		{name: "no section", section: ``,
			check: func(t *testing.T, tu *serveTuning, addr string, _ bool, _ hostNames) {
				if addr != "127.0.0.1:8400" || tu.window != defaultWindow || tu.maxSkew != defaultMaxSkew {
					t.Errorf("defaults changed: %s %d %s", addr, tu.window, tu.maxSkew)
				}
			},
			sources: map[string]string{"addr": fromDefault, "window": fromDefault}},
		{name: "null section", section: `null`, sources: map[string]string{"addr": fromDefault}},
		{name: "every kind of value",
			section: `{"addr": ":8443", "tls-self-signed": true, "max-skew": "90s", "window": 8, "host": ["a.example", "b.example"],
				"max-decoded-bytes": "512MiB", "max-decoded-per-session": 1048576, "synchronous": "normal", "lock-after": "3"}`,
			check: func(t *testing.T, tu *serveTuning, addr string, selfSigned bool, hosts hostNames) {
				if addr != ":8443" || !selfSigned || tu.maxSkew != 90*time.Second || tu.window != 8 || tu.lockAfter != 3 ||
					tu.maxDecodedBytes != 512<<20 || tu.maxDecodedPerSession != 1<<20 || tu.synchronous != "NORMAL" ||
					strings.Join(hosts, ",") != "a.example,b.example" {
					t.Errorf("settings not applied: %s %v %+v %v", addr, selfSigned, *tu, hosts)
				}
			},
			sources: map[string]string{"addr": fromHubJSON, "window": fromHubJSON, "host": fromHubJSON, "poll": fromDefault}},
		{name: "the command line wins", section: `{"addr": ":8443", "window": 8, "host": ["a.example"]}`,
			args: []string{"--addr", "127.0.0.1:9", "--host", "c.example", "--max-skew", "1m"},
			check: func(t *testing.T, tu *serveTuning, addr string, _ bool, hosts hostNames) {
				if addr != "127.0.0.1:9" || tu.window != 8 || tu.maxSkew != time.Minute || strings.Join(hosts, ",") != "c.example" {
					t.Errorf("got %s %d %s %v", addr, tu.window, tu.maxSkew, hosts)
				}
			},
			sources: map[string]string{"addr": fromFlag, "window": fromHubJSON, "host": fromFlag, "max-skew": fromFlag}},
		{name: "the command line overrides a value hub.json has wrong", section: `{"window": 0}`, args: []string{"--window", "2"},
			check: func(t *testing.T, tu *serveTuning, _ string, _ bool, _ hostNames) {
				if tu.window != 2 {
					t.Errorf("window %d", tu.window)
				}
			},
			sources: map[string]string{"window": fromFlag}},
		{name: "an unknown key is an error also beside the command line", section: `{"windw": 0}`, args: []string{"--window", "2"},
			wantErr: []string{"hub.json", `"windw"`}},
		{name: "unknown key", section: `{"windw": 3}`, wantErr: []string{"hub.json", `"windw"`, "no --windw flag"}},
		{name: "dir is not a setting", section: `{"dir": "/srv/hub"}`, wantErr: []string{"hub.json", `"dir"`}},
		{name: "zone is hub.json's own", section: `{"zone": "Asia/Urumqi"}`, wantErr: []string{"hub.json", `"zone"`, "every hub command"}},
		{name: "check is not a setting", section: `{"check": true}`, wantErr: []string{"hub.json", `"check"`}},
		{name: "zero window", section: `{"window": 0}`, wantErr: []string{"hub.json", `"window"`, "at least 1"}},
		{name: "negative duration", section: `{"max-skew": "-5m"}`, wantErr: []string{"hub.json", `"max-skew"`, "at least"}},
		{name: "duration without unit", section: `{"poll": 10}`, wantErr: []string{"hub.json", `"poll"`, "duration"}},
		{name: "idle timeout under the stations' ping", section: `{"idle-timeout": "20s"}`, wantErr: []string{`"idle-timeout"`, "at least 1m"}},
		{name: "bad synchronous", section: `{"synchronous": "OFF"}`, wantErr: []string{`"synchronous"`, "FULL or NORMAL"}},
		{name: "bad size", section: `{"max-decoded-bytes": "lots"}`, wantErr: []string{`"max-decoded-bytes"`, "size"}},
		{name: "small size", section: `{"max-decoded-bytes": 1000}`, wantErr: []string{`"max-decoded-bytes"`, "at least"}},
		{name: "bad bool", section: `{"tls-self-signed": "yes please"}`, wantErr: []string{`"tls-self-signed"`}},
		{name: "object value", section: `{"addr": {"host": "x"}}`, wantErr: []string{`"addr"`, "want a string"}},
		{name: "null value", section: `{"addr": null}`, wantErr: []string{`"addr"`, "want a string"}},
		{name: "twice", section: `{"window": 2, "window": 3}`, wantErr: []string{`"window"`, "twice"}},
		{name: "not an object", section: `[1, 2]`, wantErr: []string{"hub.json", `"serve"`, "object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, tu, addr, selfSigned, hosts := serveFlagsForTest()
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			sources, err := applyServeSection(fs, json.RawMessage(tc.section), "/srv/hub/hub.json")
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("no error; want one naming %q", tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, tu, *addr, *selfSigned, *hosts)
			}
			for name, want := range tc.sources {
				if sources[name] != want {
					t.Errorf("source of %s = %q, want %q", name, sources[name], want)
				}
			}
		})
	}
}

func TestFlagValueBounds(t *testing.T) {
	var d time.Duration
	var n int
	var b int64
	for _, tc := range []struct {
		v    flag.Value
		in   string
		ok   bool
		want string
	}{
		{&durationFlag{p: &d, least: time.Second}, "5m", true, "5m0s"},
		{&durationFlag{p: &d, least: time.Second}, "0s", false, ""},
		{&durationFlag{p: &d, least: time.Second}, "-1h", false, ""},
		{&durationFlag{p: &d, least: time.Second}, "soon", false, ""},
		{&intFlag{p: &n, least: 1}, "1", true, "1"},
		{&intFlag{p: &n, least: 1}, "0", false, ""},
		{&intFlag{p: &n, least: 1}, "-3", false, ""},
		{&intFlag{p: &n, least: 1}, "2.5", false, ""},
		{&bytesFlag{p: &b}, "0", true, "0"},
		{&bytesFlag{p: &b}, "1536", true, "1536"},
		{&bytesFlag{p: &b}, "2KiB", true, "2KiB"},
		{&bytesFlag{p: &b}, "1024 MiB", true, "1GiB"},
		{&bytesFlag{p: &b}, "-1", false, ""},
		{&bytesFlag{p: &b}, "99999999999GiB", false, ""},
		{&bytesFlag{p: &b, least: 1 << 20}, "1KiB", false, ""},
	} {
		err := tc.v.Set(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%T.Set(%q): %v", tc.v, tc.in, err)
			continue
		}
		if tc.ok && tc.v.String() != tc.want {
			t.Errorf("%T.Set(%q) then String() = %q, want %q", tc.v, tc.in, tc.v.String(), tc.want)
		}
	}
}

// setServeSection writes section as the "serve" section of dir's hub.json,
// keeping the rest of the file.
func setServeSection(t *testing.T, dir, section string) {
	t.Helper()
	path := filepath.Join(dir, "hub.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]json.RawMessage
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["serve"] = json.RawMessage(section)
	if b, err = json.MarshalIndent(cfg, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A setting in hub.json reaches the hub that `hub serve` opens: the options
// are built from the flags after hub.json is applied, and the hub keeps
// them.
func TestServeConfigReachesHub(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "http://127.0.0.1:8400")
	setServeSection(t, dir, `{"window": 7, "max-skew": "90s", "lock-after": 3, "token-ttl": "2h", "synchronous": "NORMAL", "max-handshakes": 9}`)
	fs, tu, _, _, _ := serveFlagsForTest()
	if err := fs.Parse([]string{"--dir", dir, "--token-ttl", "1h"}); err != nil {
		t.Fatal(err)
	}
	if _, err := applyServeConfig(fs, dir); err != nil {
		t.Fatal(err)
	}
	h, err := hub.Open(t.Context(), tu.hubOptions(hub.Options{Dir: dir}))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	got := h.Options()
	if got.Window != 7 || got.MaxSkew != 90*time.Second || got.LockAfter != 3 || got.TokenTTL != time.Hour || got.Synchronous != "NORMAL" {
		t.Errorf("the hub's options: window %d, max skew %s, lock after %d, token TTL %s, synchronous %q",
			got.Window, got.MaxSkew, got.LockAfter, got.TokenTTL, got.Synchronous)
	}
	if so := tu.syncOptions(hubsync.Options{ContiguousUploads: true}); so.MaxHandshakes != 9 || !so.ContiguousUploads ||
		so.MaxDecodedBytes != hubsync.DefaultMaxDecodedBytes || so.MaxHandshakesPerAddr != defaultHandshakesPer {
		t.Errorf("sync options %+v", so)
	}
}

// The tuning flags' defaults are what hub.Open takes for zero values: a hub
// served with no settings behaves as before the flags.
func TestTuningDefaultsAreTheHubs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "http://127.0.0.1:8400")
	h, err := hub.Open(t.Context(), hub.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	fs, tu, _, _, _ := serveFlagsForTest()
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	want := h.Options()
	got := tu.hubOptions(hub.Options{})
	for _, c := range []struct {
		name      string
		got, want time.Duration
	}{
		{"max-skew", got.MaxSkew, want.MaxSkew}, {"handshake-timeout", got.HandshakeTimeout, want.HandshakeTimeout},
		{"idle-timeout", got.IdleTimeout, want.IdleTimeout}, {"write-timeout", got.WriteTimeout, want.WriteTimeout},
		{"poll", got.Poll, want.Poll}, {"window", time.Duration(got.Window), time.Duration(want.Window)},
	} {
		if c.got != c.want {
			t.Errorf("--%s defaults to %v, the hub to %v", c.name, c.got, c.want)
		}
	}
}

// `hub serve` refuses a hub.json whose serve section names no flag, naming
// the key and the file; `hub config` prints every setting and its source.
func TestServeAndConfigCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "http://127.0.0.1:8400")
	for _, section := range []string{`{"windw": 3}`, `{"max-skew": "-5m"}`} {
		setServeSection(t, dir, section)
		key := regexp.MustCompile(`"[a-z-]+"`).FindString(section)
		for _, cmd := range []string{"serve", "config"} {
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{cmd, "--dir", dir}, strings.NewReader(""), &out, &errb)
			if err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), filepath.Join(dir, "hub.json")) {
				t.Errorf("hub %s with serve section %s: %v; want an error naming %s and hub.json", cmd, section, err, key)
			}
		}
	}
	setServeSection(t, dir, `{"addr": ":8443", "window": 7, "backup-dir": "/var/backups/fieldsync-hub"}`)
	out := runOK(t, "config", "--dir", dir, "--addr", "127.0.0.1:9")
	for _, want := range []string{
		`addr\s+127\.0\.0\.1:9\s+flag`, `window\s+7\s+hub\.json`, `backup-dir\s+/var/backups/fieldsync-hub\s+hub\.json`,
		`max-skew\s+5m0s\s+default`, `synchronous\s+FULL\s+default`,
	} {
		if !regexp.MustCompile(`(?m)^` + want + `\s*$`).MatchString(out) {
			t.Errorf("hub config has no line %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "check") {
		t.Errorf("hub config lists --check:\n%s", out)
	}
	// --check does not serve: it returns, and leaves no lock behind.
	runOK(t, "serve", "--dir", dir, "--check")
	if err := run(context.Background(), []string{"config"}, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Error("hub config without --dir succeeded")
	}
}
