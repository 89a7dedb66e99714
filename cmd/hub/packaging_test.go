package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	unitFile     = "../../packaging/linux/fieldsync-hub.service"
	tmpfilesFile = "../../packaging/linux/fieldsync-hub.tmpfiles"
)

// readUnit returns the [Service] settings of the Linux package's unit, each
// key with its values in order.
func readUnit(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		case section == "[Service]":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: %q is not KEY=VALUE", unitFile, line)
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}

// The Linux package's unit runs `hub serve` on the directory systemd makes
// for it, with flags `hub serve` accepts; its settings come from hub.json,
// including the backup folder the unit may write and the package makes.
func TestSystemdUnit(t *testing.T) {
	u := readUnit(t)
	for key, want := range map[string]string{
		"User": "fieldsync", "Group": "fieldsync", "DynamicUser": "no", "StateDirectory": "fieldsync-hub",
		"LimitNOFILE": "65536", "Restart": "on-failure", "RestartSec": "5", "NoNewPrivileges": "yes",
		"ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "ReadWritePaths": "/var/backups/fieldsync-hub",
		"AmbientCapabilities": "", "CapabilityBoundingSet": "",
	} {
		if got := u[key]; len(got) != 1 || got[0] != want {
			t.Errorf("%s=%q, want %q", key, got, want)
		}
	}
	cmd := strings.Fields(u["ExecStart"][0])
	if len(cmd) < 2 || cmd[0] != "/usr/bin/hub" || cmd[1] != "serve" {
		t.Fatalf("ExecStart=%q: want /usr/bin/hub serve", u["ExecStart"])
	}
	args := cmd[2:]
	i := slices.Index(args, "--dir")
	if i < 0 || i+1 >= len(args) || args[i+1] != "/var/lib/"+u["StateDirectory"][0] {
		t.Fatalf("ExecStart=%q: want --dir /var/lib/%s", u["ExecStart"], u["StateDirectory"][0])
	}
	tmpfiles, err := os.ReadFile(tmpfilesFile)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^d /var/backups/fieldsync-hub 0700 fieldsync fieldsync -$`).Match(tmpfiles) {
		t.Errorf("%s does not make the backup folder for the fieldsync user:\n%s", tmpfilesFile, tmpfiles)
	}

	// The unit's flags on a hub made as README.Debian says, with the serve
	// section it suggests: `hub serve --check` accepts them.
	dir := filepath.Join(t.TempDir(), "fieldsync-hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "https://hub.example.gov.cn:8443")
	setServeSection(t, dir, `{"addr": ":8443", "tls-self-signed": true, "backup-dir": "/var/backups/fieldsync-hub", "backup-keep": 14}`)
	args = slices.Clone(args)
	args[i+1] = dir
	out := runOK(t, append(append([]string{"serve"}, args...), "--check")...)
	if !regexp.MustCompile(`(?m)^backup-dir\s+/var/backups/fieldsync-hub\s+hub\.json\s*$`).MatchString(out) {
		t.Errorf("hub serve %s --check:\n%s", strings.Join(args, " "), out)
	}
}

// systemd itself reads the unit without a complaint (where systemd-analyze
// is installed).
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("no systemd-analyze")
	}
	b, err := os.ReadFile(unitFile)
	if err != nil {
		t.Fatal(err)
	}
	// verify wants ExecStart's program to exist: this test's binary stands in.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "fieldsync-hub.service")
	if err := os.WriteFile(unit, bytes.ReplaceAll(b, []byte("/usr/bin/hub"), []byte(self)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput()
	// Unknown keys are warnings only: any output is a failure here.
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// scripts/build-deb makes a Debian version of `git describe`'s: a tag's
// pre-release sorts before the release, what follows a tag after it.
func TestDebVersion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for in, want := range map[string]string{
		"v0.6.0":                  "0.6.0",
		"0.6.0":                   "0.6.0",
		"v0.6.0-rc1":              "0.6.0~rc1",
		"v0.6.0-rc.1-3-gabc1234":  "0.6.0~rc.1+3.gabc1234",
		"v0.6.0-3-gabc1234":       "0.6.0+3.gabc1234",
		"v0.6.0-3-gabc1234-dirty": "0.6.0+3.gabc1234.dirty",
		"abc1234":                 "0.6.0~git.abc1234",
		"1234567-dirty":           "0.6.0~git.1234567+dirty",
		"dev":                     "0.6.0~dev",
		// After the tag of the release before (release.Version is 0.6.0):
		// the release in development, after 0.5.0 and before 0.6.0.
		"v0.5.0":                    "0.6.0~dev",
		"v0.5.0-131-g7e54e1b":       "0.6.0~dev.131+g7e54e1b",
		"v0.5.0-131-g7e54e1b-dirty": "0.6.0~dev.131+g7e54e1b.dirty",
	} {
		out, err := exec.Command("bash", "../../scripts/build-deb", "--deb-version", in).CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("build-deb --deb-version %s = %q (%v), want %q", in, got, err, want)
		}
	}
	if out, err := exec.Command("bash", "../../scripts/build-deb", "--deb-version", "v0.6.0 (local)").CombinedOutput(); err == nil {
		t.Errorf("build-deb took a version with spaces and brackets: %s", out)
	}
}
