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

	"fieldsync/syncclient"
)

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), args, &out, &errb); err != nil {
		t.Fatalf("hub %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// The command line as an administrator uses it: init, add stations (one to a
// file), list, revoke, serve with a self-signed certificate and stop.
func TestCommandLine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	runOK(t, "init", "--dir", dir, "--name", "四子王旗", "--url", "https://127.0.0.1:8443")
	if err := run(context.Background(), []string{"init", "--dir", dir, "--name", "x", "--url", "http://h:1"}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Fatal("init over an existing hub succeeded")
	}
	code := strings.TrimSpace(runOK(t, "station", "add", "--dir", dir, "--name", "乌兰花镇站", "--code", "150929100001"))
	e, err := syncclient.ParseEnrollment(code)
	if err != nil {
		t.Fatal(err)
	}
	if e.StationID != "乌兰花镇站" || e.CertPin == "" || e.HubURL != "https://127.0.0.1:8443" {
		t.Fatalf("enrollment %+v", e)
	}
	file := filepath.Join(t.TempDir(), "code.txt")
	runOK(t, "station", "add", "--dir", dir, "--name", "红格尔站", "--out", file)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := syncclient.ParseEnrollment(string(b)); err != nil {
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
	if err := run(context.Background(), []string{"station", "revoke", "--dir", dir, "无此站"}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
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
		done <- run(ctx, []string{"serve", "--dir", dir, "--addr", addr, "--tls-self-signed"}, &bytes.Buffer{}, &bytes.Buffer{})
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
	if !strings.Contains(pb.String(), "乌兰花镇站") || !strings.Contains(pb.String(), "离线") {
		t.Fatalf("status page:\n%s", pb.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
