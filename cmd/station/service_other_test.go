//go:build !windows

package main

import (
	"strings"
	"testing"
)

// Off Windows every service command fails and says the service is Windows's.
func TestServiceWindowsOnly(t *testing.T) {
	for _, args := range [][]string{{"service"}, {"service", "install", "--dir", t.TempDir()}, {"service", "start"},
		{"service", "stop"}, {"service", "uninstall"}, {"service", "run", "--dir", t.TempDir()}} {
		_, errOut, err := runCmd(t.Context(), "", args...)
		if err == nil || !strings.Contains(err.Error(), "Windows only") || !strings.Contains(err.Error(), "只在 Windows 上可用") {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(errOut, "station service install --dir DIR") {
			t.Errorf("%v: no usage: %q", args, errOut)
		}
	}
}
