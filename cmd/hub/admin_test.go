package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fieldsync/hub"
	"fieldsync/hub/access"
)

// Administrator accounts from the command line: add (password on stdin),
// list, disable; bad input is refused; every action is in the audit log as
// "cli", and the password is nowhere: not in the output, the audit log or
// the database files.
func TestAdminCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "http://127.0.0.1:8400")
	const pw = "s3cret-Passw0rd-xyz"
	var outs bytes.Buffer
	outs.WriteString(runIn(t, pw+"\n", "admin", "add", "--dir", dir, "--user", "alice", "--role", "owner"))
	outs.WriteString(runIn(t, pw, "admin", "add", "--dir", dir, "--user", "bob", "--role", "station-manager"))
	outs.WriteString(runOK(t, "station", "add", "--dir", dir, "--name", "乌兰花镇站"))
	outs.WriteString(runOK(t, "station", "revoke", "--dir", dir, "乌兰花镇站"))

	fail := func(stdin string, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
		if err == nil {
			t.Fatalf("hub %s succeeded", strings.Join(args, " "))
		}
		outs.WriteString(out.String() + errb.String() + err.Error())
		return err.Error()
	}
	if msg := fail("short\n", "admin", "add", "--dir", dir, "--user", "carol", "--role", "viewer"); !strings.Contains(msg, "at least 10") {
		t.Errorf("short password: %s", msg)
	}
	if msg := fail(pw+"\n", "admin", "add", "--dir", dir, "--user", "carol", "--role", "king"); !strings.Contains(msg, "role") {
		t.Errorf("bad role: %s", msg)
	}
	fail(pw+"\n", "admin", "add", "--dir", dir, "--user", "alice", "--role", "viewer") // exists
	fail("", "admin", "add", "--dir", dir, "--user", "dave", "--role", "viewer")       // no password
	fail(pw+"\n", "admin", "add", "--dir", dir, "--user", "has space", "--role", "viewer")
	fail("", "admin", "add", "--dir", dir, "--user", "erin", "--role", "viewer", "--password", pw)
	fail("", "admin", "disable", "--dir", dir, "--user", "nobody")

	list := runOK(t, "admin", "list", "--dir", dir)
	outs.WriteString(list)
	for _, want := range []string{"alice", "owner", "bob", "station_manager", "active"} {
		if !strings.Contains(list, want) {
			t.Errorf("admin list lacks %q:\n%s", want, list)
		}
	}
	if strings.Contains(list, "carol") || strings.Contains(list, "dave") {
		t.Errorf("a refused account is listed:\n%s", list)
	}
	runOK(t, "admin", "disable", "--dir", dir, "--user", "bob")
	if list := runOK(t, "admin", "list", "--dir", dir); !strings.Contains(list, "disabled") {
		t.Errorf("list after disable:\n%s", list)
	}
	if strings.Contains(outs.String(), pw) {
		t.Error("the password appears in the command's output")
	}

	h, err := hub.Open(context.Background(), hub.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := h.Access().AuditLog(context.Background(), 100)
	h.Close()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range entries {
		if e.User != access.CLIUser {
			t.Errorf("audit entry by %q: %+v", e.User, e)
		}
		got[e.Action+" "+strings.Fields(e.Detail)[0]] = true
		if strings.Contains(e.Detail, pw) {
			t.Errorf("audit entry holds the password: %+v", e)
		}
	}
	for _, want := range []string{"admin_add alice", "admin_add bob", "admin_disable bob",
		"station_add 乌兰花镇站", "station_revoke 乌兰花镇站"} {
		if !got[want] {
			t.Errorf("audit log lacks %q: %+v", want, entries)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "hub.db*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(pw)) {
			t.Errorf("%s holds the password in clear", f)
		}
	}
}

// TestAdminAddRightsOfficer: the rights officer is a role the command line
// takes, and the list names it.
func TestAdminAddRightsOfficer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "http://127.0.0.1:8400")
	if out := runIn(t, "s3cret-Passw0rd-xyz\n", "admin", "add", "--dir", dir, "--user", "维权专员", "--role", "rights_officer"); !strings.Contains(out, "rights_officer") {
		t.Fatalf("admin add: %s", out)
	}
	if out := runOK(t, "admin", "list", "--dir", dir); !strings.Contains(out, "维权专员") || !strings.Contains(out, "rights_officer") {
		t.Fatalf("admin list: %s", out)
	}
}
