package stationweb

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"fieldsync/records"
	"fieldsync/station"
	"fieldsync/webkit"
)

// "备份到U盘": station administrators take a consistent backup from the
// home page while the station serves. The file downloads through the
// browser (whose save dialog lets staff pick the USB stick), or, when the
// page is opened on the station PC itself, is written straight into a
// folder they type or pick from the removable drives found.

var backupText = webkit.Catalogue{
	"backup":                  {"备份到U盘", "Back up to a USB stick"},
	"backup_intro":            {"备份文件包含本站全部数据和设置（含个人信息和同步凭据），请像保管本站电脑一样保管U盘。建议每周备份一次。", "The backup holds all of the station's data and settings (personal data and the sync credentials included): keep the USB stick as safe as the station PC. Back up once a week."},
	"backup_download":         {"下载备份文件", "Download the backup file"},
	"backup_download_tip":     {"浏览器会询问保存位置，请选择U盘。", "The browser asks where to save it: choose the USB stick."},
	"backup_folder":           {"保存到文件夹（仅在本站电脑上）", "Save into a folder (on the station PC only)"},
	"backup_folder_field":     {"文件夹", "Folder"},
	"backup_folder_save":      {"保存到此文件夹", "Save into this folder"},
	"backup_drives":           {"找到的移动磁盘", "Removable drives found"},
	"backup_saved":            {"已备份到", "Backed up to"},
	"backup_last":             {"上次备份", "Last backup"},
	"backup_admin_only":       {"只有本站管理员可以备份", "Only station administrators may back up"},
	"backup_failed":           {"备份失败，请重试；若仍失败请联系县级管理员", "The backup failed: try again, else call the county administrator"},
	station.FolderRequired:    {"文件夹：请填写要保存到的文件夹", "Folder: give the folder to save into"},
	station.FolderMissing:     {"文件夹：%s 不存在（U盘插好了吗？）", "Folder: %s does not exist (is the USB stick plugged in?)"},
	station.FolderNotDir:      {"文件夹：%s 不是文件夹", "Folder: %s is not a folder"},
	station.FolderNotWritable: {"文件夹：%s 无法写入（U盘是否写保护？）", "Folder: %s cannot be written (is the USB stick write-protected?)"},
	station.FolderFull:        {"文件夹：%s 所在的磁盘已满，请换一个U盘或清理空间", "Folder: the disk of %s is full: use another USB stick or free some space"},
	"restored":                {"从备份恢复", "Restored from a backup"},
	"restored_line":           {"本站于 %s 从 %s 的备份恢复（旧站点号 %s → 新站点号 %s）", "restored on %s from the backup of %s (old site %s → new site %s)"},
	"restored_unacked": {"备份时有 %d 条本站修改尚未被县级确认收到：备份之后已上传的已从县里取回；请核对备份日期之前最后录入的记录，缺少的请重新录入。",
		"When the backup was taken, %d of this station's changes had not been acknowledged by the hub: those uploaded after the backup came back from the hub; check the last records entered before the backup date and enter again any that are missing."},
	"restored_resent":    {"%d 条备份中未上传的修改已重新上传。", "%d changes of the backup that had not been uploaded were uploaded again."},
	"restored_resending": {"%d 条备份中未上传的修改正在重新上传。", "%d changes of the backup that had not been uploaded are being uploaded again."},
	"restored_all_held":  {"备份中未确认的修改县里均已收到，已从县里取回。", "The hub had received every unacknowledged change of the backup; they came back from it."},
}

type backupData struct {
	Local  bool     // the page is open on the station PC itself
	Drives []string // removable drives found on it
	Folder string
	Saved  string
	Error  string
	Last   *station.BackupNote
}

func (s *Server) routesBackup(mux *http.ServeMux) {
	mux.HandleFunc("GET /backup", s.pageBackup)
	mux.HandleFunc("POST /backup/download", s.postBackupDownload)
	mux.HandleFunc("POST /backup/folder", s.postBackupFolder)
}

// isAdmin says whether the request may act on the station's data as a
// whole: on loopback (no login) whoever sits at the PC, else an account
// station.json names as an administrator.
func (s *Server) isAdmin(r *http.Request) bool {
	return !s.login || s.cfg.IsAdmin(station.LoggedIn(r.Context()))
}

// fromStationPC says whether the request comes from the station PC itself,
// where a folder path names a folder the staff can see.
func fromStationPC(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) adminOnly(w http.ResponseWriter, r *http.Request) bool {
	if s.isAdmin(r) && s.mayReadRights(r) {
		return true // a backup holds every record, labour-rights cases too
	}
	if s.isAdmin(r) {
		s.render(w, r, http.StatusForbidden, "error", "backup", records.Message(langOf(r), records.KeyRightsHidden))
		return false
	}
	s.render(w, r, http.StatusForbidden, "error", "backup", tr(langOf(r), "backup_admin_only"))
	return false
}

func (s *Server) showBackup(w http.ResponseWriter, r *http.Request, status int, d backupData) {
	d.Local = fromStationPC(r)
	if d.Local {
		d.Drives = station.RemovableFolders()
	}
	last, err := s.st.LastBackup(r.Context())
	if err != nil {
		s.webError(w, r, err)
		return
	}
	d.Last = last
	s.render(w, r, status, "backup", "backup", d)
}

func (s *Server) pageBackup(w http.ResponseWriter, r *http.Request) {
	if !s.adminOnly(w, r) {
		return
	}
	s.showBackup(w, r, http.StatusOK, backupData{})
}

// postBackupDownload takes a backup into the station directory's temporary
// folder and sends it as fieldsync-<站名>-<date>.db.
func (s *Server) postBackupDownload(w http.ResponseWriter, r *http.Request) {
	if !s.adminOnly(w, r) {
		return
	}
	ctx := r.Context()
	tmp, err := os.MkdirTemp("", "fieldsync-backup-")
	if err != nil {
		s.logFailure(r, "backup", http.StatusInternalServerError, err)
		s.showBackup(w, r, http.StatusInternalServerError, backupData{Error: tr(langOf(r), "backup_failed")})
		return
	}
	defer os.RemoveAll(tmp)
	name := station.BackupFileName(s.cfg.Name, s.now())
	path := filepath.Join(tmp, name)
	if err := s.st.Backup(ctx, path, station.UserOf(ctx)); err != nil {
		s.logFailure(r, "backup", http.StatusInternalServerError, err)
		s.showBackup(w, r, http.StatusInternalServerError, backupData{Error: tr(langOf(r), "backup_failed")})
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.webError(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/vnd.sqlite3")
	h.Set("Content-Disposition", webkit.Attachment(asciiName(name), name))
	h.Set("Cache-Control", "no-store")
	if fi, err := f.Stat(); err == nil {
		h.Set("Content-Length", fmt.Sprint(fi.Size()))
	}
	if _, err := io.Copy(w, f); err != nil {
		s.log.WarnContext(ctx, "send backup", "err", err)
	}
}

// asciiName is the file name for browsers that read only filename=.
func asciiName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c < ' ' || c > '~' || c == '"' || c == '\\' {
			b[i] = '_'
		}
	}
	return string(b)
}

// postBackupFolder writes a backup into a folder on the station PC.
func (s *Server) postBackupFolder(w http.ResponseWriter, r *http.Request) {
	if !s.adminOnly(w, r) {
		return
	}
	lang := langOf(r)
	folder := r.PostFormValue("folder")
	if !fromStationPC(r) {
		// A folder typed on another PC would name a folder on this one.
		s.showBackup(w, r, http.StatusForbidden, backupData{Folder: folder,
			Error: tr(lang, "backup_folder") + ": " + tr(lang, "backup_download_tip")})
		return
	}
	ctx := r.Context()
	out, err := s.st.BackupToFolder(ctx, folder, station.UserOf(ctx))
	var fe *station.FolderError
	switch {
	case errors.As(err, &fe):
		s.showBackup(w, r, http.StatusBadRequest, backupData{Folder: folder, Error: fmt.Sprintf(tr(lang, fe.Key), fe.Folder)})
		return
	case err != nil:
		s.logFailure(r, "backup", http.StatusInternalServerError, err)
		s.showBackup(w, r, http.StatusInternalServerError, backupData{Folder: folder, Error: tr(lang, "backup_failed")})
		return
	}
	s.showBackup(w, r, http.StatusOK, backupData{Folder: folder, Saved: out})
}

// restoredLine is the home page's line on the restore this station came
// from: when, and the backup's date (its file name when the backup does not
// say).
func restoredLine(dates webkit.Dates) func(lang string, n *station.RestoreNote) string {
	return func(lang string, n *station.RestoreNote) string {
		from := n.BackupFile
		if !n.BackupAt.IsZero() {
			from = dates.DateTime(n.BackupAt)
		}
		line := fmt.Sprintf(tr(lang, "restored_line"), dates.DateTime(n.At), from, n.From, n.To)
		switch r := n.Resent; {
		case n.Unacked == 0:
		case r == nil || r.Skipped != "" || r.Retried && r.Changes == 0:
			// Not known yet, not asked, or not counted (a run
			// interrupted): staff check what was entered last.
			line += " " + fmt.Sprintf(tr(lang, "restored_unacked"), n.Unacked)
		case r.Changes == 0:
			line += " " + tr(lang, "restored_all_held")
		case r.Sent:
			line += " " + fmt.Sprintf(tr(lang, "restored_resent"), r.Changes)
		default:
			line += " " + fmt.Sprintf(tr(lang, "restored_resending"), r.Changes)
		}
		return line
	}
}
