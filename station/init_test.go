package station

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"fieldsync/ident"
	"fieldsync/replica"
	"fieldsync/syncproto"
)

func TestInitEnrolledAndStandalone(t *testing.T) {
	key, err := ident.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	site, err := replica.NewSiteID()
	if err != nil {
		t.Fatal(err)
	}
	site &= 1<<63 - 1
	e := syncproto.Enrollment{HubURL: "http://127.0.0.1:1", StationID: "白音嘎查", Site: site, Token: "secret", Key: key}
	dir := filepath.Join(t.TempDir(), "st")
	cfg, err := InitEnrolled(t.Context(), dir, e.String()+"\n")
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadConfig(dir)
	if err != nil || loaded.Name != "白音嘎查" || loaded.Enrollment == "" || !reflect.DeepEqual(loaded, cfg) {
		t.Fatalf("config %+v %v", loaded, err)
	}
	k, _ := loaded.DeploymentKey()
	if string(k) != string(key) {
		t.Fatal("deployment key not kept")
	}
	r, err := OpenReplica(t.Context(), dir, loaded, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Site() != site {
		t.Fatalf("site %s, want %s", r.Site(), site)
	}
	r.Close()
	if _, err := InitEnrolled(t.Context(), dir, e.String()); !errors.Is(err, ErrInitialised) {
		t.Fatalf("second init: %v", err)
	}
	if _, err := InitEnrolled(t.Context(), t.TempDir(), "garbage"); err == nil {
		t.Fatal("bad code accepted")
	}
	if _, err := InitStandalone(t.Context(), t.TempDir(), " "); err == nil {
		t.Fatal("standalone without a name accepted")
	}
	if _, err := LoadConfig(t.TempDir()); !errors.Is(err, ErrNoConfig) {
		t.Fatalf("empty dir: %v", err)
	}
}
