package stationweb

import (
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/mattn/go-sqlite3"

	"fieldsync/station"
)

// A reference to a record the station does not hold answers 422 with the
// message alone: it printed 找不到该人员%!(EXTRA string=人员), as every
// message that names no field did (records.Message formatted it with the
// field's label).
func TestMessagesWithoutFieldLabel(t *testing.T) {
	f := newFixture(t, nil)
	wid := f.mustCreate("/api/workers", workerBody(idNumber("19800101", 11)))
	missing := "0123456789abcdef0123456789abcdef"
	cases := []struct {
		path string
		body any
		lang string
		want string
	}{
		{"/api/monthly-status", map[string]any{"worker_id": missing, "month": "2026-11", "list_type": "就业", "work_scope": "县外区内",
			"place": "呼和浩特", "industry": "建筑", "employment_form": "单位", "monthly_income": 4200,
			"verified_by_method": "电话", "verified_by": "李四", "verified_at": "2026-11-10"}, "zh", "找不到该人员"},
		{"/api/followups", map[string]any{"worker_id": missing, "date": "2026-11-10", "method": "上门",
			"service_type": "岗位推荐", "content": "推荐保洁岗位", "outcome": "有意向", "next_due": "2026-12-10", "staff": "李四"}, "en", "no such person"},
		{"/api/placements", map[string]any{"worker_id": wid, "gig_id": missing}, "zh", "找不到该零工信息"},
		{"/api/workers", `{"name":`, "zh", "请求格式错误"},
		{"/api/workers", `{"name":`, "en", "malformed request"},
	}
	for _, c := range cases {
		r := f.api("POST", c.path+"?lang="+c.lang, c.body)
		if r.body["error"] != c.want {
			t.Errorf("POST %s (%s): %d %s, want the message %q", c.path, c.lang, r.status, r.raw, c.want)
		}
		if strings.Contains(r.raw, "%!") {
			t.Errorf("POST %s: a formatting error in %s", c.path, r.raw)
		}
	}
}

// Invalid UTF-8 in a web form is refused too, not stored as U+FFFD.
func TestWebFormInvalidUTF8(t *testing.T) {
	f := newFixture(t, nil)
	form := workerForm(idNumber("19800101", 11))
	form.Set("notes", "a\xffb")
	r := f.browser().post("/workers/new", form)
	if r.status != http.StatusBadRequest || !strings.Contains(r.raw, "备注") || !strings.Contains(r.raw, "UTF-8") {
		t.Fatalf("invalid UTF-8 in a form: %d %.300s", r.status, r.raw)
	}
	var n int
	if err := f.r.DB().QueryRow(`SELECT count(*) FROM workers`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d workers stored (%v), want none", n, err)
	}
}

// SQLite's disk-full and read-only errors, and the I/O errors that mean the
// same, are told apart from internal errors, however wrapped.
func TestStorageProblem(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{sqlite3.Error{Code: sqlite3.ErrFull}, station.DiskFull},
		{sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrWrite, SystemErrno: syscall.ENOSPC}, station.DiskFull},
		{sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrWrite, SystemErrno: syscall.EFBIG}, station.DiskFull},
		{sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrWrite, SystemErrno: syscall.EDQUOT}, station.DiskFull},
		{sqlite3.Error{Code: sqlite3.ErrReadonly}, station.ReadOnly},
		{sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.EROFS}, station.ReadOnly},
		{sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.EIO}, ""},
		{sqlite3.Error{Code: sqlite3.ErrBusy}, ""},
		{fmt.Errorf("plain"), ""},
	}
	for i, c := range cases {
		wrapped := fmt.Errorf("commit: %w", fmt.Errorf("create worker: %w", c.err))
		if got := station.StorageProblem(wrapped); got != c.want {
			t.Errorf("case %d (%v): %q, want %q", i, c.err, got, c.want)
		}
	}
	for _, lang := range []string{"zh", "en"} {
		st, _, msg := errorStatus(fmt.Errorf("x: %w", sqlite3.Error{Code: sqlite3.ErrFull}), lang)
		if st != http.StatusInsufficientStorage || msg != tr(lang, "disk_full") {
			t.Errorf("disk full (%s): %d %q", lang, st, msg)
		}
		st, _, msg = errorStatus(fmt.Errorf("x: %w", sqlite3.Error{Code: sqlite3.ErrReadonly}), lang)
		if st != http.StatusServiceUnavailable || msg != tr(lang, "read_only") {
			t.Errorf("read-only (%s): %d %q", lang, st, msg)
		}
	}
	if !strings.Contains(tr("en", "disk_full"), "The disk is full: nothing was saved; free some space and try again") {
		t.Errorf("English disk-full message: %q", tr("en", "disk_full"))
	}
}
