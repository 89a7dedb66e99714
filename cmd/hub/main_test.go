package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fieldsync/syncproto"
)

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	return runIn(t, "", args...)
}

// runIn runs the hub command with stdin and fails the test on an error.
func runIn(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb); err != nil {
		t.Fatalf("hub %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// The command line as an administrator uses it: init, add stations (one to a
// file), list, revoke, serve with a self-signed certificate and stop.
func TestCommandLine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "https://127.0.0.1:8443")
	if err := run(context.Background(), []string{"init", "--dir", dir, "--name", "x", "--url", "http://h:1"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Fatal("init over an existing hub succeeded")
	}
	code := strings.TrimSpace(runOK(t, "station", "add", "--dir", dir, "--name", "乌兰花镇站", "--code", "150929100001"))
	e, err := syncproto.ParseEnrollment(code)
	if err != nil {
		t.Fatal(err)
	}
	if e.StationID != "乌兰花镇站" || len(e.Pins) == 0 || e.HubURL != "https://127.0.0.1:8443" {
		t.Fatalf("enrollment %+v", e)
	}
	file := filepath.Join(t.TempDir(), "code.txt")
	runOK(t, "station", "add", "--dir", dir, "--name", "红格尔站", "--out", file)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := syncproto.ParseEnrollment(string(b)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(runOK(t, "station", "list", "--dir", dir), e.Token) {
		t.Fatal("station list shows a token")
	}
	runOK(t, "station", "revoke", "--dir", dir, "红格尔站")
	list := runOK(t, "station", "list", "--dir", dir)
	if !strings.Contains(list, "红格尔站") || !strings.Contains(list, "revoked") {
		t.Fatalf("list after revoke:\n%s", list)
	}
	runIn(t, ownerPassword+"\n", "admin", "add", "--dir", dir, "--user", "owner1", "--role", "owner")
	if err := run(context.Background(), []string{"station", "revoke", "--dir", dir, "无此站"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Fatal("revoking an unknown station succeeded")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--dir", dir, "--addr", addr, "--tls-self-signed"}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	}()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: insecure()}}
	var resp *http.Response
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err = client.Get("https://" + addr + "/api/stations")
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // polling for the server to listen
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("api without a token: %s", resp.Status)
	}
	token := apiLogin(t, client, "https://"+addr, "owner1", ownerPassword)
	req, _ := http.NewRequest("GET", "https://"+addr+"/api/stations", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err = client.Do(req); err != nil {
		t.Fatal(err)
	}
	var body struct {
		Stations []struct {
			Name    string
			Revoked bool
			Online  bool
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || len(body.Stations) != 2 {
		t.Fatalf("api: %v %+v", err, body)
	}
	page, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	var pb bytes.Buffer
	pb.ReadFrom(page.Body)
	page.Body.Close()
	if page.Request.URL.Path != "/login" || !strings.Contains(pb.String(), `name="password"`) {
		t.Fatalf("status page without a login: %s\n%s", page.Request.URL, pb.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

const ownerPassword = "correct horse battery"

// apiLogin logs in over the JSON API and returns the bearer token.
func apiLogin(t *testing.T, client *http.Client, base, user, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"user": user, "password": password})
	resp, err := client.Post(base+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr struct {
		Token   string
		Expires time.Time
	}
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || resp.StatusCode != http.StatusOK || lr.Token == "" {
		t.Fatalf("api login %s: %s %v", user, resp.Status, err)
	}
	return lr.Token
}
